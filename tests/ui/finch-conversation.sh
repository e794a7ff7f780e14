#!/bin/sh
# A conversation in real Finch, in a detached tmux session: a loopback test server
# (NS, switchboard, HTTPS with a self-signed certificate) with two accounts who are
# each other's contacts; Finch signs in as alice@example.com, and msnp-peer (the
# plugin in a headless libpurple, tests/peer) as bob@example.com, answering every
# message with "You said: " and the message (--echo).
#   1. Bob shows in Finch's buddy list (offline buddies are hidden); selecting him
#      and pressing Enter opens the conversation window.
#   2. alice types a message (tmux send-keys) and presses Enter: the typing notice
#      and the message reach bob ("typing ..." and "im alice@example.com TEXT" on the
#      peer's stdout), and bob's answer shows in the window.  A second message holds
#      HTML's special characters and non-ASCII text: both ways they stay as typed.
#   3. bob types, writes a formatted message and nudges: the window shows "Bob is
#      typing...", the text without markup (Finch shows no formats), and the nudge.
# The screen at the end: BUILDDIR/ui-artifacts/finch-conversation.txt.
# MSNP_TEST_KEEP=1 keeps the scratch folder.
# Usage: sh tests/ui/finch-conversation.sh BUILDDIR   (run from the repository root)
set -u
builddir=${1:-build}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
what="a conversation in Finch"

need "$what" finch:finch tmux:tmux openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver" "$builddir/msnp-peer"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-finch-conv.XXXXXX") || exit 1
sock=$tmp/tmux.sock
cfg=$tmp/config
peer_pid=''
T() { tmux -S "$sock" "$@"; }
cleanup() {
  stop_finch
  if [ -n "$peer_pid" ]; then
    echo quit >&8 2>/dev/null   # signs out and removes its folder; TERM if it hangs
    limit=30
    poll eval '! kill -0 "$peer_pid" 2>/dev/null'
    stop "$peer_pid"
  fi
  exec 8>&- 2>/dev/null
  stop_servers
  if [ -n "${MSNP_TEST_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$tmp/peer-tmp" "$art"
rm -f "$art"/finch-conversation*
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

A=alice@example.com B=bob@example.com

bail_unless_server main --versions 8-14 --account "$A:secret:Alice" \
  --account "$B:secret:Bob" --group "$A:Friends" \
  --contact "$A:$B:FL,AL,RL:Bob:Friends" --contact "$B:$A:FL,AL,RL:Alice"
# The account's settings, for alice here and for the peer (bob) below.
# shellcheck disable=SC2046
set -- $(loopback_settings "$main_ns" "$main_https" 14)
msnp_account "$A" secret gnt-purple "$@" | accounts_xml >"$cfg/accounts.xml"
# The system log ("+++ alice signed on"); Finch sends typing notices (off by
# default); conversation windows wide enough for a line of this test.
cat >"$cfg/prefs.xml" <<XML
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
$LOG_SYSTEM_PREF
 <pref name='finch'>
  <pref name='conversations'>
   <pref name='notify_typing' type='bool' value='1'/>
   <pref name='size'>
    <pref name='width' type='int' value='90'/>
    <pref name='height' type='int' value='20'/>
   </pref>
  </pref>
 </pref>
</pref>
XML
# Finch -d also opens its Debug Window: keep it out of the way.
printf '[positions]\n.Debug Window = 130;28\n.Buddy List = 0;0\n' >"$tmp/home/.gntpositions"

screen() { T capture-pane -p -t finch 2>/dev/null; }
shown() { screen | grep -qF -- "$1"; }
keys() { T send-keys -t finch "$@"; sleep 0.3; }

# Once a step has failed, later waits are short: the script still reports every
# check, quickly.
broken=''
wait_up_to() { if [ -n "$broken" ]; then limit=10; else limit=$1; fi; }

T -f /dev/null new-session -d -s finch -x 200 -y 50 \
  "sh -c 'echo \$\$ >\"$tmp/finch.pid\"; exec env -u G_DEBUG HOME=\"$tmp/home\" LC_ALL=C.UTF-8 finch -c \"$cfg\" -d 2>\"$tmp/debug.log\"'; echo FINCH-EXITED status=\$?; sleep 60" 9>&- \
  || { echo "1..1"; echo "not ok 1 start tmux"; exit 1; }

wait_up_to 200
if poll signed_on "$cfg" "$A"; then
  ok "Finch signs in as $A"
else
  not_ok "Finch signs in as $A"
  connection_errors "$tmp/debug.log" | sed 's/^/# /'
  broken=1
fi

# --- the peer: bob, on a FIFO this shell holds open on fd 8 --------------------------
start_peer "$B" secret "$@" --echo || broken=1

# --- 1: open the conversation from the buddy list --------------------------------------
# Offline buddies are hidden: Bob shows once he is online.
bob_listed() { screen | grep -qE '^│ +[^ ] Bob +'; }
wait_up_to 100
if poll bob_listed; then
  ok "Bob shows online in Finch's buddy list"
else
  not_ok "Bob shows online in Finch's buddy list"
  broken=1
fi
# The list starts on the group "Friends"; Ctrl-N moves down (the arrow keys do not
# reach Finch through tmux here), Enter opens a conversation.
title="Bob ($A -- MSN Messenger)"
keys C-n
keys Enter
wait_up_to 50
if poll shown "┤$title├"; then
  ok "Enter on Bob opens the conversation window \"$title\""
else
  not_ok "Enter on Bob opens the conversation window \"$title\""
  broken=1
fi

# --- 2: alice writes -----------------------------------------------------------------
text1="Hello Bob, this is Finch"
keys -l "$text1"
keys Enter
wait_up_to 100
if poll peer_said "im $A $text1"; then
  ok "Enter sends it: bob receives \"$text1\""
else
  not_ok "Enter sends it: bob receives \"$text1\""
  sed 's/^/# peer: /' "$tmp/peer.out" | tail -n 5
fi
if poll shown "Alice: $text1" && poll shown "Bob: You said: $text1"; then
  ok "the window shows alice's message and bob's answer"
else
  not_ok "the window shows alice's message and bob's answer"
fi

# Now that a switchboard is open (the plugin opens none for a typing notice alone),
# typing reaches bob.
text2='Tags stay text: <b>x</b> & 1 < 2 "q" - Grüße, ça va? 日本語'
keys -l "$text2"
wait_up_to 50
if poll peer_said "typing $A"; then
  ok "typing in Finch reaches bob as a typing notice"
else
  not_ok "typing in Finch reaches bob as a typing notice"
fi
keys Enter
wait_up_to 100
if poll peer_said "im $A $text2"; then
  ok "markup characters and non-ASCII text reach bob as typed"
else
  not_ok "markup characters and non-ASCII text reach bob as typed"
  sed 's/^/# peer: /' "$tmp/peer.out" | tail -n 2
fi
if poll shown "Bob: You said: $text2"; then
  ok "and come back as typed in bob's answer"
else
  not_ok "and come back as typed in bob's answer"
  screen | grep -F 'You said' | sed 's/^/# /'
fi

# --- 3: bob types, writes in a format, nudges --------------------------------------------
echo "typing $A" >&8
wait_up_to 50
if poll shown "Bob is typing..."; then
  ok "bob's typing notice shows in the window (\"Bob is typing...\")"
else
  not_ok "bob's typing notice shows in the window (\"Bob is typing...\")"
fi
echo "send $A <font face=\"DejaVu Serif\" color=\"#a000c0\"><b><i>Formatted hello from Bob</i></b></font>" >&8
wait_up_to 100
if poll shown "Bob: Formatted hello from Bob " &&
   ! screen | grep -F 'Formatted hello from Bob' | grep -qE '[<>&]'; then
  ok "bob's formatted message shows as its text, no markup"
else
  not_ok "bob's formatted message shows as its text, no markup"
fi
echo "nudge $A" >&8
wait_up_to 50
if poll shown "Bob has nudged you!"; then
  ok "bob's nudge shows in the window (\"Bob has nudged you!\")"
else
  not_ok "bob's nudge shows in the window (\"Bob has nudged you!\")"
fi
screen >"$art/finch-conversation.txt"

if screen | grep -q 'FINCH-EXITED'; then
  not_ok "finch is still running at the end"
else
  ok "finch is still running at the end"
fi
if kill -0 "$peer_pid" 2>/dev/null; then ok "the peer is still running at the end"
else
  not_ok "the peer is still running at the end"
  sed 's/^/# peer: /' "$tmp/peer.err" | tail -n 5
fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log" 2>/dev/null)
if [ -z "$crit" ]; then ok "no GLib criticals in Finch's log"
else not_ok "no GLib criticals in Finch's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/finch-conversation-debug.txt" 2>/dev/null
cp "$tmp/peer.out" "$art/finch-conversation-peer.txt" 2>/dev/null
echo "1..$n"
exit 0
