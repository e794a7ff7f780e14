#!/bin/sh
# Finch signs in for real, in a detached tmux session: a loopback test server
# serves NS and HTTPS (self-signed certificate) and Finch runs two accounts:
#   alice  MSNP14, RST over HTTPS, trusted fingerprint  -> online
#   bob    wrong password                               -> Finch's "disconnected" dialog
# Signing on is read from libpurple's system log ("+++ EMAIL signed on"), errors
# from the debug log; the screen must show bob's dialog with the plugin's text, no
# dialog for alice, and (Accounts window) alice still enabled while Finch disabled
# bob after the fatal error.  Screens: BUILDDIR/ui-artifacts/finch-signin-*.txt.
# Usage: sh tests/ui/finch-signin.sh BUILDDIR      (run from the repository root)
set -u
builddir=${1:-build}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
what="finch signs in to the test server"

need "$what" finch:finch tmux:tmux openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-finch-signin.XXXXXX") || exit 1
sock=$tmp/tmux.sock
cfg=$tmp/config
T() { tmux -S "$sock" "$@"; }
cleanup() {
  stop_finch
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
rm -f "$art"/finch-signin-*.txt
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

bail_unless_server main --versions 8-14 --account 'alice@signin.test:secret:Alice' \
  --account 'bob@signin.test:secret'
# shellcheck disable=SC2046
set -- $(loopback_settings "$main_ns" "$main_https" 14)
{
  msnp_account alice@signin.test secret gnt-purple "$@"
  msnp_account bob@signin.test not-his-password gnt-purple "$@"
} | accounts_xml >"$cfg/accounts.xml"
printf "<?xml version='1.0' encoding='UTF-8' ?>\n<pref version='1' name='/'>\n%s\n</pref>\n" \
  "$LOG_SYSTEM_PREF" >"$cfg/prefs.xml"
# Finch -d also opens its Debug Window, and Finch's error dialog (no title) opens at
# the top left: keep the Debug Window and the Buddy List out of its way.
printf '[positions]\n.Debug Window = 130;28\n.Buddy List = 0;26\n.Accounts = 70;12\n' \
  >"$tmp/home/.gntpositions"

screen() { T capture-pane -p -t finch 2>/dev/null; }
save() { screen >"$art/finch-signin-$1.txt"; }
wait_for() { # regex seconds
  i=0 limit=$(( ${2:-10} * 10 ))
  while [ $i -lt $limit ]; do
    screen | grep -qE "$1" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
keys() { T send-keys -t finch "$@"; sleep 0.3; }

T -f /dev/null new-session -d -s finch -x 200 -y 50 \
  "sh -c 'echo \$\$ >\"$tmp/finch.pid\"; exec env -u G_DEBUG HOME=\"$tmp/home\" LC_ALL=C.UTF-8 finch -c \"$cfg\" -d 2>\"$tmp/debug.log\" 9>&-'; echo FINCH-EXITED status=\$?; sleep 60" \
  || { echo "1..1"; echo "not ok 1 start tmux"; exit 1; }

if wait_for 'Buddy List' 15; then ok "finch starts (buddy list shown)"
else not_ok "finch starts (buddy list shown)"; fi

errors() { connection_errors "$tmp/debug.log"; }
settled() { [ "$(errors | wc -l)" -ge 1 ] && signed_on "$cfg" alice@signin.test; }
limit=200
poll settled
wait_for 'bob@signin\.test \(MSN Messenger\) disconnected' 5
sleep 0.3
save error

e=alice@signin.test
if signed_on "$cfg" "$e" && ! errors | grep -q "^$e	"; then
  ok "$e signs in over HTTPS (MSNP14/RST): libpurple logged \"+++ $e signed on\", no error"
else
  not_ok "$e signs in over HTTPS (MSNP14/RST)"
  errors | sed 's/^/# /'
fi
got=$(errors | awk -F '\t' '$1 == "bob@signin.test" { print $3; exit }')
case "$got" in
  *"password is wrong"*) ok "wrong password: Finch got the error for bob@signin.test: \"$got\"" ;;
  *) not_ok "wrong password: the error for bob@signin.test: \"$got\"" ;;
esac
if screen | grep -q 'bob@signin\.test (MSN Messenger) disconnected\.' &&
   screen | grep -q 'The e-mail address or password is wrong\.'; then
  ok "the screen shows Finch's dialog: bob@signin.test (MSN Messenger) disconnected, with the plugin's text"
else
  not_ok "the screen shows Finch's dialog for bob@signin.test with the plugin's text (see $art/finch-signin-error.txt)"
fi
if screen | grep -q 'alice@signin\.test (MSN Messenger) disconnected'; then
  not_ok "no disconnected dialog for alice@signin.test"
else
  ok "no disconnected dialog for alice@signin.test"
fi

# Accounts window (Alt-A, "Accounts" is the first action): alice still enabled,
# bob disabled by Finch after the fatal error.
keys M-a
wait_for 'Actions' 5 && keys Enter
if wait_for '\[X\] alice@signin\.test' 5 && wait_for '\[ \] bob@signin\.test' 2; then
  ok "the Accounts window: alice@signin.test enabled, bob@signin.test disabled after its error"
else
  not_ok "the Accounts window: alice@signin.test enabled, bob@signin.test disabled after its error"
fi
save accounts

if screen | grep -q 'FINCH-EXITED'; then
  not_ok "finch is still running at the end"
  save exit
else
  ok "finch is still running at the end"
fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log" 2>/dev/null)
if [ -z "$crit" ]; then ok "no GLib criticals in Finch's log"
else not_ok "no GLib criticals in Finch's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
errors >"$art/finch-signin-errors.txt"
cp "$tmp/debug.log" "$art/finch-signin-debug.txt" 2>/dev/null
echo "1..$n"
exit 0
