#!/bin/sh
# shellcheck disable=SC2154  # main_ns, main_https: set by start_server (lib.sh)
# Finch shows alice's contact list, in a detached tmux session: a loopback test
# server holds the list of contact_list (lib.sh) and alice signs in with MSNP14
# (address book over HTTPS) or the version given.  Read from the screen's text:
#  - the Buddy List window: each buddy's alias (the server alias, from the friendly
#    name) under its group, with Finch's status mark (◯ available, ⊖ away or busy,
#    ⊗ offline; offline buddies shown), and no row for frank (pending);
#  - the tooltip Finch draws beside the list for the selected buddy: "Status: Busy"
#    for carol, "Status: Away" for erin, "Blocked: Yes" for greg;
#  - the "Authorize buddy?" dialog for frank; its Authorize button puts frank on
#    alice's allow list (the server logs "+AL frank@example.com").
# Also: the plugin's debug line "buddy list: 6 contacts, 5 buddies added, ..." and
# libpurple's system log.  Screens: BUILDDIR/ui-artifacts/finch-buddylist*.txt and
# finch-buddylist.png (the screen drawn from its text and colours).
# Usage: sh tests/ui/finch-buddylist.sh BUILDDIR [VERSION]   (from the repository
# root; VERSION 8-14, default 14, also from MSNP_UI_VERSION)
set -u
builddir=${1:-build}
version=${2:-${MSNP_UI_VERSION:-14}}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
name=finch-buddylist   # the artifacts' names
[ "$version" = 14 ] || name=$name-msnp$version
what="finch shows the contact list"
A=alice@example.com

need "$what" finch:finch tmux:tmux openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-finch-buddylist.XXXXXX") || exit 1
cfg=$tmp/config
cleanup() {
  stop_finch
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
for f in .png -list.txt -tooltips.txt -request.txt -after.txt -debug.txt; do rm -f "$art/$name$f"; done
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

# shellcheck disable=SC2046
bail_unless_server main --versions 8-14 --account "$A:secret:Alice" $(contact_list "$A")
# shellcheck disable=SC2046
msnp_account "$A" secret gnt-purple $(loopback_settings "$main_ns" "$main_https" "$version") |
  accounts_xml >"$cfg/accounts.xml"
finch_config "$cfg"   # lib.sh: the windows' places and sizes, offline buddies shown
start_finch "$cfg" 200 50 || { echo "1..1"; echo "not ok 1 start tmux"; exit 1; }
save() { finch_screen >"$art/$name-$1.txt"; }

if finch_wait 'Buddy List' 15; then ok "finch starts (buddy list shown)"
else not_ok "finch starts (buddy list shown)"; fi

syslog() { cat "$cfg"/logs/msnp/*/.system/*.html 2>/dev/null; }
# The list: the plugin counted it, libpurple logged the three online buddies, and
# the Buddy List shows five rows of buddies.
rows() { # "GROUP|MARK|ALIAS" per buddy row of the Buddy List (at the screen's left), in order
  finch_screen | sed -n '
    s/^│[-+] \([^ │▒]\([^│▒]*[^ │▒]\)\{0,1\}\).*/G \1/p
    s/^│   \(◯\|⊖\|⊗\|☎\) \([^ │▒]\([^│▒]*[^ │▒]\)\{0,1\}\).*/B \1 \2/p' |
    sed 's/  .*//' | awk '$1 == "G" { g = substr($0, 3); next }
      { m = $2; a = $0; sub(/^B [^ ]* /, "", a); print g "|" m "|" a }'
}
settled() {
  signed_on "$cfg" "$A" && grep -q 'msnp: buddy list: ' "$tmp/debug.log" &&
    [ "$(syslog | grep -c 'changed status from')" -ge 3 ] && [ "$(rows | wc -l)" -ge 5 ]
}
limit=200
poll settled
sleep 0.5
save list

errs=$(connection_errors "$tmp/debug.log")
if signed_on "$cfg" "$A" && [ -z "$errs" ] &&
   grep -q "msnp: .*: negotiated MSNP$version\$" "$tmp/debug.log"; then
  ok "$A signs in with MSNP$version"
else
  not_ok "$A signs in with MSNP$version"
  echo "$errs" | sed 's/^/# /'
  grep 'negotiated' "$tmp/debug.log" | sed 's/^/# /'
fi

line=$(sed -n 's/.*msnp: \(buddy list: .*\), [0-9.]* s$/\1/p' "$tmp/debug.log" | head -n 1)
want="buddy list: 6 contacts, 5 buddies added, 0 removed, 1 requests"
if [ "$line" = "$want" ]; then ok "the plugin's debug line: $want"
else not_ok "the plugin's debug line is \"$want\" (got \"$line\")"; fi

want_rows='Friends|◯|Bob B.
Friends|⊗|Dave D.
Other Contacts|⊖|Erin E.
Work|⊖|Carol C.
Work|⊗|Greg G.'
got=$(rows)
if [ "$(echo "$got" | LC_ALL=C sort)" = "$(echo "$want_rows" | LC_ALL=C sort)" ]; then
  ok "the Buddy List shows the groups, aliases and status marks: $(echo "$got" | tr '\n' ';')"
else
  not_ok "the Buddy List shows the groups, aliases and status marks"
  echo "$got" | sed 's/^/# got:  /'
  echo "$want_rows" | sed 's/^/# want: /'
fi
if rows | grep -qi 'frank'; then
  not_ok "no Buddy List row for frank (pending, not a buddy)"
else
  ok "no Buddy List row for frank (pending, not a buddy)"
fi

# --- the tooltips: the selected buddy's details beside the list ----------------------
# finch_tooltip (lib.sh) selects each buddy's row in turn: Finch draws a window
# titled with the handle ("┤carol@example.com├") holding "Nickname:", the plugin's
# "Status:" and "Blocked:" lines, and more.
tooltips=$art/$name-tooltips.txt
: >"$tooltips"
check_tip() { # handle "text" why
  got=$(finch_tooltip "$1")
  { echo "== $1"; echo "$got"; } >>"$tooltips"
  if [ -n "$got" ] && echo "$got" | grep -qxF "$2"; then
    ok "the tooltip of $1 says \"$2\" ($3)"
  else
    not_ok "the tooltip of $1 says \"$2\" ($3)"
    echo "$got" | sed 's/^/# got: /'
  fi
}
check_tip bob@example.com "Nickname: Bob B." "the server alias, from the friendly name"
check_tip bob@example.com "Status: Available" "MSN NLN"
check_tip carol@example.com "Status: Busy" "MSN BSY"
check_tip erin@example.com "Status: Away" "MSN AWY"
check_tip greg@example.com "Blocked: Yes" "on the block list"

# --- the authorization request --------------------------------------------------------
# (With the friendly name when the list has it: MSNP8-12 LST; MSNP13+ membership
# lists carry none from the test server.)
if finch_wait 'frank@example\.com( \(Frank F\.\))? wants to add Alice to his or her buddy list' 5; then
  ok "Finch shows the \"Authorize buddy?\" dialog: \"$(finch_screen | grep -o 'frank@example\.com[^│]*buddy list.')\""
else
  not_ok "Finch shows the \"Authorize buddy?\" dialog for frank@example.com"
fi
save request
screen_png "$art/$name.png" || echo "# no PNG of the screen (convert with Pango): $(cat "$tmp/png.err" 2>/dev/null)"
authorized() { grep -q -- '-- lists alice@example.com: +AL frank@example.com' "$tmp/server-main.log"; }
if finch_focus 'Authorize buddy?'; then
  finch_keys Enter   # the focused first button: Authorize
  limit=50
  if poll authorized; then
    ok "its Authorize button puts frank on alice's allow list (server: +AL frank@example.com)"
  else
    not_ok "its Authorize button puts frank on alice's allow list"
    grep -- '-- lists' "$tmp/server-main.log" | sed 's/^/# /'
  fi
  # frank is no buddy of alice's yet: Finch offers to add him.
  if finch_wait 'Username *frank@example\.com' 5; then
    ok "then Finch offers to add frank@example.com (Add Buddy dialog)"
  else
    not_ok "then Finch offers to add frank@example.com (Add Buddy dialog)"
  fi
else
  not_ok "its Authorize button puts frank on alice's allow list (no dialog to focus)"
fi
save after

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
