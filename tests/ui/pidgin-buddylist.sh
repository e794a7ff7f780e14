#!/bin/sh
# shellcheck disable=SC2154  # main_ns, main_https: set by start_server (lib.sh)
# Pidgin shows alice's contact list, under Xvfb: a loopback test server holds the
# list of contact_list (lib.sh): groups Friends and Work; bob online "Bob B."
# (Friends), carol Busy (Work), dave offline (Friends), erin Away (no group: "Other
# Contacts"), frank pending (RL+PL: an authorization request), greg blocked (Work).
# Alice signs in with MSNP14 (address book over HTTPS) or the version given (12:
# the SYN/LST list).  Checked without reading pixels:
#  - the plugin's debug line "buddy list: 6 contacts, 5 buddies added, 0 removed,
#    1 requests";
#  - libpurple's system log: "Bob B. (bob@example.com) changed status from Offline
#    to Available", Busy for carol, Away for erin, nothing for dave, greg, frank;
#  - over a private D-Bus (libpurple's API in Pidgin; skipped without dbus-daemon):
#    each buddy's alias, server alias, group and status; the privacy setting
#    (deny the block list); the signal AccountAuthorizationRequested for frank
#    (Pidgin answers it with its "Authorize buddy?" alert); and Pidgin's own signal
#    DrawingBuddy, sent by its buddy list for each row it draws: bob, carol, dave,
#    erin and greg, never frank;
#  - blist.xml as Pidgin saves it: the groups' buddies, greg on the block list.
# Screenshot: BUILDDIR/ui-artifacts/pidgin-buddylist.png (offline buddies shown,
# groups expanded, the alert below the tree).
# Usage: sh tests/ui/pidgin-buddylist.sh BUILDDIR [VERSION]   (from the repository
# root; VERSION 8-14, default 14, also from MSNP_UI_VERSION)
set -u
builddir=${1:-build}
version=${2:-${MSNP_UI_VERSION:-14}}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
name=pidgin-buddylist   # the artifacts' names
[ "$version" = 14 ] || name=$name-msnp$version
what="pidgin shows the contact list"
A=alice@example.com

need "$what" Xvfb:xvfb pidgin:pidgin xdotool:xdotool import:imagemagick openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-pidgin-buddylist.XXXXXX") || exit 1
cfg=$tmp/config
pidgin_pid=''
cleanup() {
  stop "$pidgin_pid"
  stop "$monitor_pid"
  stop "$bus_pid"
  stop "$xvfb_pid"
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
rm -f "$art/$name.png" "$art/$name-debug.txt" "$art/$name-system-log.html" "$art/$name-blist.xml"
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

# --- the server and the account ---------------------------------------------------
# shellcheck disable=SC2046
bail_unless_server main --versions 8-14 --account "$A:secret:Alice" $(contact_list "$A")
# shellcheck disable=SC2046
msnp_account "$A" secret gtk-gaim $(loopback_settings "$main_ns" "$main_https" "$version") |
  accounts_xml >"$cfg/accounts.xml"
pidgin_prefs 300 640 "$LOG_SYSTEM_PREF
 <pref name='pidgin'>
  <pref name='blist'>
   <pref name='show_offline_buddies' type='bool' value='1'/>
  </pref>
 </pref>" >"$cfg/prefs.xml"

# --- Xvfb, a private D-Bus, Pidgin ------------------------------------------------
start_xvfb || skip_all "$what" "Xvfb did not start"
start_bus || echo "# no private D-Bus: its checks are skipped"
export DBUS_SESSION_BUS_ADDRESS="${bus:-unix:path=$tmp/no-bus}" HOME="$tmp/home" NO_AT_BRIDGE=1
unset G_DEBUG   # Pidgin's own code; criticals are checked from its log instead
LC_ALL=C.UTF-8 LANGUAGE='' pidgin -c "$cfg" -d >"$tmp/debug.log" 2>&1 9>&- &
pidgin_pid=$!

pidgin_blist

syslog() { cat "$cfg"/logs/msnp/*/.system/*.html 2>/dev/null; }
settled() {
  signed_on "$cfg" "$A" && grep -q 'msnp: buddy list: ' "$tmp/debug.log" &&
    [ "$(syslog | grep -c 'changed status from')" -ge 3 ]
}
limit=200
poll settled
settled_at=$(date +%s)

# --- signing in, the plugin's count, the system log ---------------------------------
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

bad=''
for s in "Bob B. (bob@example.com) changed status from Offline to Available" \
         "Carol C. (carol@example.com) changed status from Offline to Busy" \
         "Erin E. (erin@example.com) changed status from Offline to Away"; do
  syslog | grep -qF -- "$s" || bad="$bad; missing \"$s\""
done
for h in dave greg frank; do
  syslog | grep -qF "($h@example.com)" && bad="$bad; a line for $h"
done
if [ -z "$bad" ]; then
  ok "libpurple's system log: Bob B. Available, Carol C. Busy, Erin E. Away, nothing for dave, greg, frank"
else
  not_ok "libpurple's system log: Bob B. Available, Carol C. Busy, Erin E. Away${bad}"
  syslog | grep -o -- '---- .* ----' | sed 's/^/# /'
fi

# --- D-Bus: the buddies as libpurple holds them, the rows Pidgin drew ---------------
acc=''
[ -n "$bus" ] && acc=$(purple_ref PurpleAccountsFind string:"$A" string:prpl-msnp)
buddies() { # "HANDLE|ALIAS|SERVER ALIAS|GROUP|STATUS" per buddy of alice's, sorted
  for b in $(purple PurpleFindBuddies int32:"$acc" string: | awk '$1 == "int32" { print $2 }'); do
    g=$(purple_ref PurpleBuddyGetGroup int32:"$b")
    s=$(purple_ref PurplePresenceGetActiveStatus \
          int32:"$(purple_ref PurpleBuddyGetPresence int32:"$b")")
    printf '%s|%s|%s|%s|%s\n' "$(purple PurpleBuddyGetName int32:"$b")" \
      "$(purple PurpleBuddyGetAlias int32:"$b")" "$(purple PurpleBuddyGetServerAlias int32:"$b")" \
      "$(purple PurpleGroupGetName int32:"$g")" "$(purple PurpleStatusGetId int32:"$s")"
  done | LC_ALL=C sort
}
want_buddies='bob@example.com|Bob B.|Bob B.|Friends|available
carol@example.com|Carol C.|Carol C.|Work|busy
dave@example.com|Dave D.|Dave D.|Friends|offline
erin@example.com|Erin E.|Erin E.|Other Contacts|away
greg@example.com|Greg G.|Greg G.|Work|offline'
drawn() { # the handles of the buddies whose rows Pidgin's buddy list drew, sorted
  for b in $(signal_args DrawingBuddy | sort -u); do
    purple PurpleBuddyGetName int32:"$b"
  done | LC_ALL=C sort -u
}
want_drawn='bob@example.com
carol@example.com
dave@example.com
erin@example.com
greg@example.com'
if [ -z "$bus" ] || [ -z "$acc" ] || [ "$acc" = 0 ]; then
  why="no private D-Bus (dbus-daemon, dbus-send, dbus-monitor)"
  [ -n "$bus" ] && why="the account is not on D-Bus (PurpleAccountsFind: \"$acc\")"
  skip "libpurple's buddies over D-Bus" "$why"
  skip "libpurple's privacy setting over D-Bus" "$why"
  skip "the authorization request for frank over D-Bus" "$why"
  skip "the rows Pidgin's buddy list drew (signal DrawingBuddy)" "$why"
else
  got=$(buddies)
  if [ "$got" = "$want_buddies" ]; then
    ok "libpurple's buddies (handle|alias|group|status): $(echo "$got" | cut -d '|' -f 1,2,4,5 | tr '\n' ';')"
  else
    not_ok "libpurple's buddies (handle|alias|server alias|group|status)"
    echo "$got" | sed 's/^/# got:  /'
    echo "$want_buddies" | sed 's/^/# want: /'
  fi
  # PURPLE_PRIVACY_DENY_USERS (4): everyone but the block list (BLP AL); Pidgin
  # draws its "blocked" emblem for a buddy on that list (greg: blist.xml below).
  got=$(purple_ref PurpleAccountGetPrivacyType int32:"$acc")
  if [ "$got" = 4 ]; then
    ok "libpurple's privacy setting: deny the users on the block list (PURPLE_PRIVACY_DENY_USERS)"
  else
    not_ok "libpurple's privacy setting: deny the users on the block list (4, got \"$got\")"
  fi
  # The signal's arguments: the account's id, then the handle.
  if [ "$(signal_args AccountAuthorizationRequested 2)" = frank@example.com ]; then
    ok "libpurple asked Pidgin to show an authorization request for frank@example.com (signal AccountAuthorizationRequested)"
  else
    not_ok "libpurple asked Pidgin to show an authorization request for frank@example.com (signal AccountAuthorizationRequested)"
    signal_args AccountAuthorizationRequested 2 | sed 's/^/# got: /'
  fi
  drawn_all() { got=$(drawn); [ "$got" = "$want_drawn" ]; }
  limit=50
  if poll drawn_all; then
    ok "Pidgin's buddy list drew the rows of bob, carol, dave, erin and greg, not frank (signal DrawingBuddy)"
  else
    not_ok "Pidgin's buddy list drew the rows of bob, carol, dave, erin and greg, not frank (signal DrawingBuddy)"
    echo "$got" | sed 's/^/# got: /'
  fi
fi

# --- blist.xml: what Pidgin saved ---------------------------------------------------
saved() { # "GROUP: HANDLE", "block: HANDLE", "permit: HANDLE", sorted
  awk '
    /<group name=/ { g = $0; sub(/.*<group name=\047/, "", g); sub(/\047.*/, "", g) }
    /<name>/ { b = $0; sub(/.*<name>/, "", b); sub(/<\/name>.*/, "", b); print g ": " b }
    /<block>/ { b = $0; sub(/.*<block>/, "", b); sub(/<\/block>.*/, "", b); print "block: " b }
    /<permit>/ { b = $0; sub(/.*<permit>/, "", b); sub(/<\/permit>.*/, "", b); print "permit: " b }
  ' "$cfg/blist.xml" 2>/dev/null | LC_ALL=C sort
}
want_saved='Friends: bob@example.com
Friends: dave@example.com
Other Contacts: erin@example.com
Work: carol@example.com
Work: greg@example.com
block: greg@example.com
permit: bob@example.com
permit: carol@example.com
permit: dave@example.com
permit: erin@example.com'
saved_ok() { [ "$(saved)" = "$want_saved" ]; }
limit=100   # libpurple saves 5 s after a change
if poll saved_ok; then
  ok "blist.xml: Friends bob, dave; Work carol, greg; Other Contacts erin; greg blocked"
else
  not_ok "blist.xml holds the groups, buddies and privacy lists"
  saved | sed 's/^/# got: /'
fi

# --- the screenshot -------------------------------------------------------------------
# Pidgin shows a "signed on" icon for 10 s after a buddy signs on: wait that out.
if [ -n "$blist" ]; then
  while [ $(($(date +%s) - settled_at)) -lt 11 ]; do sleep 0.5; done
  xdotool windowraise "$blist" 2>/dev/null; sleep 0.3
  import -window "$blist" "$art/$name.png" 2>/dev/null
fi

if kill -0 "$pidgin_pid" 2>/dev/null; then ok "pidgin is still running at the end"
else not_ok "pidgin is still running at the end"; fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log")
if [ -z "$crit" ]; then ok "no GLib criticals in Pidgin's log"
else not_ok "no GLib criticals in Pidgin's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/$name-debug.txt" 2>/dev/null
syslog >"$art/$name-system-log.html"
cp "$cfg/blist.xml" "$art/$name-blist.xml" 2>/dev/null
echo "1..$n"
exit 0
