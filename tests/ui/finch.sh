#!/bin/sh
# Finch smoke test: Finch (in a detached tmux session of fixed size) loads the
# built plugin from a throw-away config folder, lists a pre-written MSN account,
# and offers "MSN Messenger" with its options in the Add Account dialog.
# The captured screens are kept in BUILDDIR/ui-artifacts/finch-*.txt.
# Usage: sh tests/ui/finch.sh BUILDDIR      (run from the repository root)
set -u
builddir=${1:-build}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
plugin=$builddir/libmsnp.so
art=$builddir/ui-artifacts

need "finch smoke test" finch:finch tmux:tmux
need_built "$plugin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-finch.XXXXXX") || exit 1
sock=$tmp/tmux.sock
cfg=$tmp/config
T() { tmux -S "$sock" "$@"; }
cleanup() {
  # tmux hangs up the session; Finch gets a moment to go, then KILL.
  stop_finch
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
for f in start accounts protocols new-account exit debug; do rm -f "$art/finch-$f.txt"; done
cp "$plugin" "$cfg/plugins/libmsnp.so"
# One enabled account pointed at a loopback port nothing listens on: signing in
# fails at once, without any network.
msnp_account demo@example.com not-a-real-password gnt-purple server=127.0.0.1 port=1 |
  accounts_xml >"$cfg/accounts.xml"

screen() { T capture-pane -p -t finch 2>/dev/null; }
save() { screen >"$art/finch-$1.txt"; }
# wait_for REGEX [SECONDS]: poll the screen until a line matches.
wait_for() {
  i=0 limit=$(( ${2:-10} * 10 ))
  while [ $i -lt $limit ]; do
    screen | grep -qE "$1" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
keys() { T send-keys -t finch "$@"; sleep 0.3; }

# Finch's debug output goes to a file so it does not draw over the screen.
# Not under G_DEBUG=fatal-criticals: Finch's own Add Account dialog trips
# purple_account_get_protocol_id(NULL) and purple_plugins_find_with_id(NULL)
# (with any protocol plugin).  Criticals are checked from the log instead.
T -f /dev/null new-session -d -s finch -x 120 -y 45 \
  "sh -c 'echo \$\$ >\"$tmp/finch.pid\"; exec env -u G_DEBUG HOME=\"$tmp/home\" LC_ALL=C.UTF-8 finch -c \"$cfg\" -d 2>\"$tmp/debug.log\"'; echo FINCH-EXITED status=\$?; sleep 60" \
  || { echo "1..1"; echo "not ok 1 start tmux"; exit 1; }

echo "1..7"
if wait_for 'Buddy List' 15; then ok "finch starts (buddy list shown)"
else not_ok "finch starts (buddy list shown)"; fi
save start

if grep -q "probing .*/plugins/libmsnp.so" "$tmp/debug.log" 2>/dev/null &&
   ! grep -iE "libmsnp.*(not loadable|unable to load|not usable|error)|(unable to load|not loadable).*libmsnp" "$tmp/debug.log" >/dev/null 2>&1; then
  ok "finch probed $cfg/plugins/libmsnp.so without a load error"
else
  not_ok "finch probed the plugin without a load error"
  grep -i libmsnp "$tmp/debug.log" 2>/dev/null | sed 's/^/# /' | head -n 10
fi

# Accounts window: Alt-A opens the action list, "Accounts" is its first entry.
keys M-a
wait_for 'Actions' 5 && keys Enter
if wait_for 'demo@example\.com.*MSN Messe' 5; then
  ok "the Accounts window lists demo@example.com as an MSN Messenger account"
else
  not_ok "the Accounts window lists demo@example.com as an MSN Messenger account"
fi
save accounts

# Add: a new account dialog whose protocol drop-down offers MSN Messenger.
keys Tab
keys Enter
if wait_for 'New Account' 5; then
  # Down opens the drop-down; Finch draws it with the next key, and "M" also
  # moves the selection to the first protocol starting with M.
  keys Down
  keys M
  if wait_for '│ *MSN Messenger *' 5; then ok "the Add Account protocol list offers MSN Messenger"
  else not_ok "the Add Account protocol list offers MSN Messenger"; fi
  save protocols
  keys Enter
  what="choosing MSN Messenger shows the plugin's options (default server msnmsgr.escargot.chat)"
  if wait_for 'Protocol:.*MSN Messenger' 5 && wait_for 'msnmsgr\.escargot' 3; then
    ok "$what"
  else
    not_ok "$what: not visible on a 120x45 screen (a dialog wider than the screen hides the fields; see $art/finch-new-account.txt)"
  fi
  save new-account
else
  not_ok "the Add button opens the New Account dialog"
  not_ok "choosing MSN Messenger shows the plugin's options"
  save new-account
fi

if screen | grep -q 'FINCH-EXITED'; then
  not_ok "finch is still running at the end"
  grep -E 'CRITICAL|WARNING|ERROR' "$tmp/debug.log" | head -n 5 | sed 's/^/# /'
  save exit
else
  ok "finch is still running at the end"
fi
# GLib criticals in the log, apart from Finch's own known one.
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log" 2>/dev/null |
  grep -v -e "purple_account_get_protocol_id: assertion 'account != NULL' failed" \
         -e "purple_plugins_find_with_id: assertion 'id != NULL' failed")
if [ -z "$crit" ]; then ok "no GLib criticals in Finch's log (apart from Finch's known Add Account ones)"
else not_ok "no GLib criticals in Finch's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/finch-debug.txt" 2>/dev/null
exit 0
