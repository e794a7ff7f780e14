#!/bin/sh
# shellcheck disable=SC2154  # main_ns, main_https: set by start_server (lib.sh)
# Finch shows a contact's status and personal message, in a detached tmux session:
# alice (MSNP14, or the version given: 11-14, the versions with UBX) signs in to a
# loopback test server holding the list of contact_list (lib.sh), where bob is
# online (Available).  Read from the screen's text: bob's row in the Buddy List
# (Finch's status mark: ◯ available, ⊖ away or busy) and the tooltip Finch draws
# beside the list when his row is selected ("Status: ...", the plugin's
# "Message: ...").  Steps, each pushed from the server's control channel:
#   0. nothing yet: ◯, "Status: Available", no "Message:"
#   1. UBX <PSM>Gone fishing</PSM>, then "status bob BSY": ⊖, "Status: Busy",
#      "Message: Gone fishing" (libpurple's system log: "changed status from
#      Available to Busy")
#   2. "status bob AWY": "Status: Away", the message kept
#   3. UBX with now-playing media: "Message: Gone fishing" and
#      "Now Listening: Song Title - Some Artist (Album)"
# Screens: BUILDDIR/ui-artifacts/finch-presence-*.txt, finch-presence.png (step 1,
# drawn from the screen's text and colours) and finch-presence-tune.png (step 3).
# Usage: sh tests/ui/finch-presence.sh BUILDDIR [VERSION]   (from the repository
# root; VERSION 11-14, default 14, also from MSNP_UI_VERSION)
set -u
builddir=${1:-build}
version=${2:-${MSNP_UI_VERSION:-14}}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
name=finch-presence   # the artifacts' names
[ "$version" = 14 ] || name=$name-msnp$version
what="finch shows a contact's status and personal message"
A=alice@example.com B=bob@example.com

case "$version" in
  11|12|13|14) ;;
  *) skip_all "$what" "MSNP$version has no personal messages (UBX: MSNP11+)" ;;
esac
need "$what" finch:finch tmux:tmux openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-finch-presence.XXXXXX") || exit 1
cfg=$tmp/config
cleanup() {
  stop_finch
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
for f in .png -tune.png -start.txt -busy.txt -away.txt -tune.txt -debug.txt; do
  rm -f "$art/$name$f"
done
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

# shellcheck disable=SC2046
bail_unless_server main --versions 8-14 --account "$A:secret:Alice" $(contact_list "$A")
# shellcheck disable=SC2046
msnp_account "$A" secret gnt-purple $(loopback_settings "$main_ns" "$main_https" "$version") |
  accounts_xml >"$cfg/accounts.xml"
finch_config "$cfg"   # lib.sh: the windows' places and sizes
start_finch "$cfg" 200 50 || { echo "1..1"; echo "not ok 1 start tmux"; exit 1; }
save() { finch_screen >"$art/$name-$1.txt"; }

if finch_wait 'Buddy List' 15; then ok "finch starts (buddy list shown)"
else not_ok "finch starts (buddy list shown)"; fi

syslog() { cat "$cfg"/logs/msnp/*/.system/*.html 2>/dev/null; }
logged() { syslog | grep -qF -- "$1"; }
mark() { # Finch's status mark on bob's row ("Bob B.")
  finch_screen | sed -n 's/^│   \(◯\|⊖\|⊗\|☎\) Bob B\. .*/\1/p' | head -n 1
}
limit=200
poll logged "Bob B. ($B) changed status from Offline to Available"
errs=$(connection_errors "$tmp/debug.log")
if signed_on "$cfg" "$A" && [ -z "$errs" ] &&
   grep -q "msnp: .*: negotiated MSNP$version\$" "$tmp/debug.log" &&
   logged "Bob B. ($B) changed status from Offline to Available"; then
  ok "$A signs in with MSNP$version; bob is online (libpurple's system log)"
else
  not_ok "$A signs in with MSNP$version; bob is online (libpurple's system log)"
  echo "$errs" | sed 's/^/# /'
  grep 'negotiated' "$tmp/debug.log" | sed 's/^/# /'
fi

# ubx PAYLOAD: the server sends alice bob's UBX (MSNP14 adds the network id 1).
ubx() {
  if [ "$version" = 14 ]; then set -- "UBX $B 1" "$1"; else set -- "UBX $B" "$1"; fi
  printf 'push %s %s {len}|%s\n' "$A" "$1" "$2" >&9
}
# check_tip STEP WANT... : bob's tooltip has every WANT line ("!LINE": not that
# line; "!Key:" no such field).
check_tip() {
  ct_step=$1; shift
  tip=$(finch_tooltip "$B") || tip=''
  bad='' desc=''
  for w; do
    case "$w" in
      '!'*': ') echo "$tip" | grep -q "^${w#!}" && bad="$bad; has \"${w#!}\""
        desc="$desc, no \"${w#!}\" line" ;;
      '!'*) echo "$tip" | grep -qxF "${w#!}" && bad="$bad; has \"${w#!}\""
        desc="$desc, not \"${w#!}\"" ;;
      *) echo "$tip" | grep -qxF "$w" || bad="$bad; no \"$w\""
        desc="$desc, \"$w\"" ;;
    esac
  done
  if [ -z "$tip" ]; then
    not_ok "$ct_step: bob's tooltip: not found (Down from the top of the Buddy List)"
  elif [ -z "$bad" ]; then
    ok "$ct_step: bob's tooltip shows ${desc#, }"
  else
    not_ok "$ct_step: bob's tooltip${bad}"
    echo "$tip" | sed 's/^/# got: /'
  fi
}
check_mark() { # step mark why
  limit=30
  m=''
  mark_is() { m=$(mark); [ "$m" = "$2" ]; }
  if poll mark_is "$@"; then ok "$1: bob's row in the Buddy List: $2 Bob B. ($3)"
  else not_ok "$1: bob's row in the Buddy List: $2 Bob B. ($3; got \"$m\")"; fi
}

# --- 0: before any change ------------------------------------------------------------
check_mark "online" ◯ available
check_tip "online" "Nickname: Bob B." "Status: Available" "!Message: "
save start

# --- 1: a personal message, then Busy ------------------------------------------------
ubx "<Data><PSM>Gone fishing</PSM><CurrentMedia></CurrentMedia></Data>"
limit=50
poll grep -q "msnp: .*<- UBX $B" "$tmp/debug.log"
echo "status $B BSY" >&9
limit=50
if poll logged "Bob B. ($B) changed status from Available to Busy"; then
  ok "busy: libpurple's system log: \"Bob B. ($B) changed status from Available to Busy\""
else
  not_ok "busy: libpurple's system log: \"Bob B. ($B) changed status from Available to Busy\""
fi
check_mark "busy" ⊖ "busy"
check_tip "busy" "Status: Busy" "Message: Gone fishing"
save busy
screen_png "$art/$name.png" || echo "# no PNG of the screen (convert with Pango): $(cat "$tmp/png.err" 2>/dev/null)"

# --- 2: Away, the message kept --------------------------------------------------------
echo "status $B AWY" >&9
limit=50
poll logged "Bob B. ($B) changed status from Busy to Away"
check_tip "away" "Status: Away" "Message: Gone fishing"
save away

# --- 3: now playing --------------------------------------------------------------------
ubx '<Data><PSM>Gone fishing</PSM><CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Song Title\\0Some Artist\\0Album\\0\\0</CurrentMedia></Data>'
limit=50
poll logged "Bob B. ($B) is now Listening to music"
check_tip "now playing" "Status: Away" "Message: Gone fishing" "Now Listening: Song Title - Some Artist (Album)"
save tune
screen_png "$art/$name-tune.png" || true

if finch_screen | grep -q 'FINCH-EXITED'; then
  not_ok "finch is still running at the end"
else
  ok "finch is still running at the end"
fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log" 2>/dev/null)
if [ -z "$crit" ]; then ok "no GLib criticals in Finch's log"
else not_ok "no GLib criticals in Finch's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/$name-debug.txt" 2>/dev/null
echo "1..$n"
exit 0
