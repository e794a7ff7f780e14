#!/bin/sh
# A conversation in real Pidgin, under Xvfb: a loopback test server (NS, switchboard,
# HTTPS with a self-signed certificate) with two accounts who are each other's
# contacts; Pidgin signs in as alice@example.com, and msnp-peer (the plugin in a
# headless libpurple, tests/peer) as bob@example.com, answering every message with
# "You said: " and the message (--echo).
#   1. bob sends alice a formatted message (MSN carries one format per message:
#      DejaVu Serif, purple, bold, italic) and a plain one: Pidgin opens the
#      conversation window, and its HTML conversation log holds both, the first with
#      its face, colour, bold and italic.
#   2. alice types a message in that window (xdotool) and presses Return.  Typing
#      reaches bob as a typing notice, the message as "im alice@example.com TEXT" on
#      the peer's stdout, in Pidgin's send format (bold, orange: its send_bold and
#      fgcolor preferences) as the server passed it on; bob's answer comes back to
#      the window.
# Pidgin's logs, the peer's stdout and the server's log are the evidence; the
# screenshot BUILDDIR/ui-artifacts/pidgin-conversation.png shows the window, and its
# pixels must hold bob's colour (used nowhere else in the window) and more of
# alice's after she wrote than before (the toolbar's Font button shows it too).
# MSNP_TEST_KEEP=1 keeps the scratch folder.
# Usage: sh tests/ui/pidgin-conversation.sh BUILDDIR   (run from the repository root)
set -u
builddir=${1:-build}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
what="a conversation in Pidgin"

need "$what" Xvfb:xvfb pidgin:pidgin xdotool:xdotool import:imagemagick \
  convert:imagemagick openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver" "$builddir/msnp-peer"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-pidgin-conv.XXXXXX") || exit 1
cfg=$tmp/config
pidgin_pid='' peer_pid=''
cleanup() {
  stop "$pidgin_pid"
  if [ -n "$peer_pid" ]; then
    echo quit >&8 2>/dev/null   # signs out and removes its folder; TERM if it hangs
    limit=30
    poll eval '! kill -0 "$peer_pid" 2>/dev/null'
    stop "$peer_pid"
  fi
  exec 8>&- 2>/dev/null
  stop "$xvfb_pid"
  stop_servers
  if [ -n "${MSNP_TEST_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$tmp/peer-tmp" "$art"
rm -f "$art"/pidgin-conversation*
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

A=alice@example.com B=bob@example.com
# Bob's colour and Alice's (Pidgin's send colour): colours the window uses nowhere
# else (Pidgin draws the names in #cc0000 and #204a87), counted in its pixels.
BOB_COLOR='#a000c0' ALICE_COLOR='#e06000'

# --- the server ------------------------------------------------------------------
bail_unless_server main --versions 8-14 --account "$A:secret:Alice" \
  --account "$B:secret:Bob" --group "$A:Friends" \
  --contact "$A:$B:FL,AL,RL:Bob:Friends" --contact "$B:$A:FL,AL,RL:Alice"
# The account's settings, for alice here and for the peer (bob) below.
# shellcheck disable=SC2046
set -- $(loopback_settings "$main_ns" "$main_https" 14)
msnp_account "$A" secret gtk-gaim "$@" | accounts_xml >"$cfg/accounts.xml"
# The buddy list at 0,0; libpurple keeps the system log ("+++ alice signed on") and
# IM logs in HTML; Pidgin sends in bold $ALICE_COLOR and shows a new conversation
# at once, 600x420.
cat >"$cfg/prefs.xml" <<XML
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='purple'>
  <pref name='logging'>
   <pref name='log_system' type='bool' value='1'/>
   <pref name='log_ims' type='bool' value='1'/>
   <pref name='format' type='string' value='html'/>
  </pref>
 </pref>
 <pref name='pidgin'>
  <pref name='blist'>
   <pref name='list_visible' type='bool' value='1'/>
   <pref name='x' type='int' value='0'/>
   <pref name='y' type='int' value='0'/>
   <pref name='width' type='int' value='260'/>
   <pref name='height' type='int' value='420'/>
  </pref>
  <pref name='docklet'>
   <pref name='show' type='string' value='never'/>
  </pref>
  <pref name='conversations'>
   <pref name='send_bold' type='bool' value='1'/>
   <pref name='fgcolor' type='string' value='$ALICE_COLOR'/>
   <pref name='im'>
    <pref name='hide_new' type='string' value='never'/>
    <pref name='width' type='int' value='600'/>
    <pref name='height' type='int' value='420'/>
   </pref>
  </pref>
 </pref>
</pref>
XML

# --- Xvfb, Pidgin -------------------------------------------------------------------
if ! start_xvfb; then
  skip_all "$what" "Xvfb did not start"
fi
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus" HOME="$tmp/home" NO_AT_BRIDGE=1
# G_DEBUG (fatal-criticals under make check) is not for Pidgin's own code, whose
# criticals are looked for in its log; the peer (the plugin again) keeps it.
env -u G_DEBUG pidgin -c "$cfg" -d >"$tmp/debug.log" 2>&1 9>&- &
pidgin_pid=$!


# Once a step has failed, later waits are short: the script still reports every
# check, quickly.
broken=''
wait_up_to() { if [ -n "$broken" ]; then limit=10; else limit=$1; fi; }

wait_up_to 200
if poll signed_on "$cfg" "$A"; then
  ok "Pidgin signs in as $A"
else
  not_ok "Pidgin signs in as $A"
  broken=1
  connection_errors "$tmp/debug.log" | sed 's/^/# /'
fi

# --- the peer: bob, on a FIFO this shell holds open on fd 8 --------------------------
start_peer "$B" secret "$@" --echo || broken=1

# --- 1: bob writes to alice ----------------------------------------------------------
echo "send $A <font face=\"DejaVu Serif\" color=\"$BOB_COLOR\"><b><i>Formatted hello from Bob</i></b></font>" >&8
sleep 0.3
echo "send $A And a plain second line." >&8

# libpurple's IM log: CONFIG/logs/PROTOCOL/ACCOUNT/BUDDY/DATE.html
im_log() { find "$cfg/logs" -path "*/$B/*.html" 2>/dev/null | sort | tail -n 1; }
logged() { f=$(im_log); [ -n "$f" ] && grep -qF -- "$1" "$f"; }
log_line() { f=$(im_log); [ -n "$f" ] && grep -F -- "$1" "$f" | head -n 1 | tr 'A-Z' 'a-z'; }
wait_up_to 150
poll logged 'And a plain second line.'
if logged 'Formatted hello from Bob'; then
  ok "bob's message reaches Pidgin (its conversation log has it)"
else
  not_ok "bob's message reaches Pidgin (its conversation log has it)"
  ls -R "$cfg/logs" 2>/dev/null | sed 's/^/# /' | head -n 20
  sed 's/^/# peer: /' "$tmp/peer.out" | tail -n 5
fi
# The log line of the formatted message, lower-cased; Pidgin writes its format as
# CSS (font-family, color, font-weight, <em>) or as tags.
line=$(log_line 'Formatted hello from Bob')
missing=''
case "$line" in *'font-family: dejavu serif'*|*'face="dejavu serif"'*) ;; *) missing="$missing face" ;; esac
case "$line" in *"$BOB_COLOR"*) ;; *) missing="$missing colour" ;; esac
case "$line" in *'font-weight: bold'*|*'<b>'*) ;; *) missing="$missing bold" ;; esac
case "$line" in *'<em>'*|*'<i>'*|*'font-style: italic'*) ;; *) missing="$missing italic" ;; esac
if [ -n "$line" ] && [ -z "$missing" ]; then
  ok "the log keeps its format: DejaVu Serif, $BOB_COLOR, bold, italic"
else
  not_ok "the log keeps its format: DejaVu Serif, $BOB_COLOR, bold, italic (missing:$missing)"
  echo "# $line"
fi
if logged 'And a plain second line.'; then
  ok "bob's second, plain message follows in the same log"
else
  not_ok "bob's second, plain message follows in the same log"
fi

wait_up_to 100
if poll find_window "^(Bob|$B)\$"; then
  conv=$win
  ok "Pidgin opens the conversation window (\"$(xdotool getwindowname "$conv")\")"
  # It opens at 0,0 over the buddy list (no window manager): beside it instead.
  xdotool windowmove "$conv" 270 0 2>/dev/null
else
  conv=''
  not_ok "Pidgin opens the conversation window"
  broken=1
  xdotool search --onlyvisible --name . getwindowname %@ 2>/dev/null | sed 's/^/# window: /'
fi

# pixels PNG COLOUR: how many pixels have exactly that colour (#rrggbb).
pixels() {
  convert "$1" -depth 8 -format %c histogram:info:- 2>/dev/null |
    awk -v c="$2" 'toupper($3) == toupper(c) { n += $1 } END { print n + 0 }'
}

# --- 2: alice answers from the conversation window -----------------------------------
text="Hello Bob, this is Pidgin"
alice_before=''
if [ -n "$conv" ]; then
  sleep 0.3
  import -window "$conv" "$tmp/before.png" 2>/dev/null &&
    alice_before=$(pixels "$tmp/before.png" "$ALICE_COLOR")
  timeout 5 xdotool windowraise "$conv" windowfocus --sync "$conv" 2>/dev/null; sleep 0.3
  xdotool type --delay 20 "$text" 2>/dev/null
  sleep 0.2
  xdotool key Return 2>/dev/null
fi
wait_up_to 100
if poll peer_said "typing $A"; then
  ok "typing in Pidgin's entry reaches bob as a typing notice"
else
  not_ok "typing in Pidgin's entry reaches bob as a typing notice"
fi
if poll peer_said "im $A $text"; then
  ok "Return sends it: bob receives \"$text\""
else
  not_ok "Return sends it: bob receives \"$text\""
  sed 's/^/# peer: /' "$tmp/peer.out" | tail -n 5
fi
# On the wire (the server's log of what it passed on to bob), alice's message went
# in her format: bold, her colour as MSN's BBGGRR.
fmt=$(grep -B 3 -F "S| $text" "$tmp/server-main.log" | grep -m 1 'X-MMS-IM-Format:' |
  sed 's/.*X-MMS-IM-Format: //')
bgr=$(echo "$ALICE_COLOR" | sed 's/^#\(..\)\(..\)\(..\)$/\3\2\1/; s/^0*//')
case "$fmt" in
  *'EF=B;'*"CO=$bgr;"*) ok "Pidgin's format goes on the wire with it: $fmt" ;;
  *) not_ok "Pidgin's format goes on the wire with it (bold, CO=$bgr): \"$fmt\"" ;;
esac
wait_up_to 50
if poll logged "You said: $text"; then
  ok "bob's answer comes back to the conversation (the log has \"You said: $text\")"
else
  not_ok "bob's answer comes back to the conversation (the log has \"You said: $text\")"
fi
sleep 0.5   # let the window draw the echo

# --- the screenshot: bob's colour in it, alice's only after her message -----------------
shot=$art/pidgin-conversation.png
if [ -n "$conv" ] && import -window "$conv" "$shot" 2>/dev/null; then
  bob_px=$(pixels "$shot" "$BOB_COLOR")
  alice_px=$(pixels "$shot" "$ALICE_COLOR")
  if [ "$bob_px" -ge 20 ]; then
    ok "the conversation window draws bob's message in his colour ($bob_px pixels of $BOB_COLOR)"
  else
    not_ok "the conversation window draws bob's message in his colour ($bob_px pixels of $BOB_COLOR)"
  fi
  if [ -n "$alice_before" ] && [ "$alice_px" -ge $((alice_before + 20)) ]; then
    ok "and alice's in hers ($alice_px pixels of $ALICE_COLOR, $alice_before before she wrote: the toolbar's Font button)"
  else
    not_ok "and alice's in hers ($alice_px pixels of $ALICE_COLOR, ${alice_before:-?} before she wrote)"
  fi
else
  not_ok "the conversation window draws bob's message in his colour (no screenshot of it)"
  not_ok "and alice's in hers (no screenshot)"
fi
import -window root "$art/pidgin-conversation-screen.png" 2>/dev/null

if kill -0 "$pidgin_pid" 2>/dev/null; then ok "pidgin is still running at the end"
else not_ok "pidgin is still running at the end"; fi
if kill -0 "$peer_pid" 2>/dev/null; then ok "the peer is still running at the end"
else
  not_ok "the peer is still running at the end"
  sed 's/^/# peer: /' "$tmp/peer.err" | tail -n 5
fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log")
if [ -z "$crit" ]; then ok "no GLib criticals in Pidgin's log"
else not_ok "no GLib criticals in Pidgin's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/pidgin-conversation-debug.txt" 2>/dev/null
cp "$tmp/peer.out" "$art/pidgin-conversation-peer.txt" 2>/dev/null
f=$(im_log); [ -n "$f" ] && cp "$f" "$art/pidgin-conversation-log.html"
echo "1..$n"
exit 0
