#!/bin/sh
# shellcheck disable=SC2154  # main_ns, main_https: set by start_server (lib.sh)
# Pidgin shows a contact's personal message and what he is listening to, under
# Xvfb: alice (MSNP14, or the version given: 11-14, the versions with UBX) signs in
# to a loopback test server holding the list of contact_list (lib.sh), where bob is
# online.  The server's control channel then pushes three UBX for bob:
#   1. <PSM>Gone fishing</PSM>, no media
#   2. the same PSM and CurrentMedia "\0Music\01\0{0} - {1}\0Song Title\0Some
#      Artist\0Album\0\0" (now playing)
#   3. an empty UBX (both cleared)
# After each, checked without reading pixels, over a private D-Bus (libpurple's API
# in Pidgin; the script skips when dbus-daemon is missing):
#  - bob's active status keeps its id (available) and its "message" attribute is
#    the PSM;
#  - his "tune" status is active with title, artist and album exactly when music
#    plays (libpurple's system log: "Bob B. (bob@example.com) is now Listening to
#    music", then "is no longer ...");
#  - after the first two: hovering over the buddy list, row by row, until Pidgin
#    draws bob's tooltip (its signal DrawingTooltip names the node, and a tooltip
#    window shows).  The screenshots BUILDDIR/ui-artifacts/pidgin-presence-message.png
#    and -tune.png show the buddy list (Show Buddy Details on: the plugin's status
#    text under "Bob B.", "Gone fishing", then "Song Title - Some Artist" and a
#    music emblem) with bob's tooltip beside it ("Message: ...").
# Usage: sh tests/ui/pidgin-presence.sh BUILDDIR [VERSION]   (from the repository
# root; VERSION 11-14, default 14, also from MSNP_UI_VERSION)
set -u
builddir=${1:-build}
version=${2:-${MSNP_UI_VERSION:-14}}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
name=pidgin-presence   # the artifacts' names
[ "$version" = 14 ] || name=$name-msnp$version
what="pidgin shows a personal message and now playing"
A=alice@example.com B=bob@example.com

case "$version" in
  11|12|13|14) ;;
  *) skip_all "$what" "MSNP$version has no personal messages (UBX: MSNP11+)" ;;
esac
need "$what" Xvfb:xvfb pidgin:pidgin xdotool:xdotool import:imagemagick \
  convert:imagemagick openssl:openssl dbus-daemon:dbus-daemon dbus-send:dbus-bin \
  dbus-monitor:dbus-bin
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-pidgin-presence.XXXXXX") || exit 1
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
rm -f "$art/$name-message.png" "$art/$name-tune.png" "$art/$name-debug.txt" \
  "$art/$name-system-log.html"
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

# --- the server and the account ---------------------------------------------------
# shellcheck disable=SC2046
bail_unless_server main --versions 8-14 --account "$A:secret:Alice" $(contact_list "$A")
# shellcheck disable=SC2046
msnp_account "$A" secret gtk-gaim $(loopback_settings "$main_ns" "$main_https" "$version") |
  accounts_xml >"$cfg/accounts.xml"
# Show Buddy Details (show_buddy_icons): the status text under each name.
pidgin_prefs 300 640 "$LOG_SYSTEM_PREF
 <pref name='pidgin'>
  <pref name='blist'>
   <pref name='show_buddy_icons' type='bool' value='1'/>
  </pref>
 </pref>" >"$cfg/prefs.xml"
# Tooltips after 100 ms instead of 500 (Pidgin reads gtkrc-2.0 from its folder).
echo 'gtk-tooltip-timeout = 100' >"$cfg/gtkrc-2.0"

# --- Xvfb, a private D-Bus, Pidgin ------------------------------------------------
start_xvfb || skip_all "$what" "Xvfb did not start"
start_bus || skip_all "$what" "the private D-Bus did not start"
export DBUS_SESSION_BUS_ADDRESS="$bus" HOME="$tmp/home" NO_AT_BRIDGE=1
unset G_DEBUG   # Pidgin's own code; criticals are checked from its log instead
LC_ALL=C.UTF-8 LANGUAGE='' pidgin -c "$cfg" -d >"$tmp/debug.log" 2>&1 9>&- &
pidgin_pid=$!

pidgin_blist

syslog() { cat "$cfg"/logs/msnp/*/.system/*.html 2>/dev/null; }
acc='' bob=''
online() {
  signed_on "$cfg" "$A" || return 1
  acc=$(purple_ref PurpleAccountsFind string:"$A" string:prpl-msnp)
  [ -n "$acc" ] && [ "$acc" != 0 ] || return 1
  bob=$(purple_ref PurpleFindBuddy int32:"$acc" string:"$B")
  [ -n "$bob" ] && [ "$bob" != 0 ] && [ "$(status_of)" = available ]
}
# bob's active status: "ID|MESSAGE", and his tune: "on|TITLE|ARTIST|ALBUM" or "off"
status_of() {
  presence=$(purple_ref PurpleBuddyGetPresence int32:"$bob")
  st=$(purple_ref PurplePresenceGetActiveStatus int32:"$presence")
  purple PurpleStatusGetId int32:"$st"
}
state() {
  presence=$(purple_ref PurpleBuddyGetPresence int32:"$bob")
  st=$(purple_ref PurplePresenceGetActiveStatus int32:"$presence")
  tune=$(purple_ref PurplePresenceGetStatus int32:"$presence" string:tune)
  printf '%s|%s ' "$(purple PurpleStatusGetId int32:"$st")" \
    "$(purple PurpleStatusGetAttrString int32:"$st" string:message)"
  if [ -n "$tune" ] && [ "$tune" != 0 ] &&
     [ "$(purple PurpleStatusIsActive int32:"$tune")" = "int32 1" ]; then
    printf 'on|%s|%s|%s\n' "$(purple PurpleStatusGetAttrString int32:"$tune" string:tune_title)" \
      "$(purple PurpleStatusGetAttrString int32:"$tune" string:tune_artist)" \
      "$(purple PurpleStatusGetAttrString int32:"$tune" string:tune_album)"
  else
    echo off
  fi
}
limit=200
if poll online; then
  ok "$A signs in with MSNP$version; bob is online (available) in libpurple over D-Bus"
else
  not_ok "$A signs in with MSNP$version; bob is online (available) in libpurple over D-Bus"
  connection_errors "$tmp/debug.log" | sed 's/^/# /'
  grep 'negotiated' "$tmp/debug.log" | sed 's/^/# /'
fi
online_at=$(date +%s)
grep -q "msnp: .*: negotiated MSNP$version\$" "$tmp/debug.log" ||
  echo "# not MSNP$version: $(grep -o 'negotiated MSNP.*' "$tmp/debug.log")"

# ubx PAYLOAD: the server sends alice bob's UBX (MSNP14 adds the network id 1).
ubx() {
  if [ "$version" = 14 ]; then set -- "UBX $B 1" "$1"; else set -- "UBX $B" "$1"; fi
  if [ -n "$2" ]; then printf 'push %s %s {len}|%s\n' "$A" "$1" "$2" >&9
  else printf 'push %s %s 0\n' "$A" "$1" >&9; fi
}
tips() { signal_args DrawingTooltip | wc -l; }
# hover_bob: the pointer walks down the buddy list (8 px steps) until Pidgin draws
# a tooltip for bob's row (the node it names is bob's buddy or contact).  Then
# $hover_y is that row and $tip_geometry the tooltip window's WxH+X+Y.
hover_y='' tip_geometry=''
new_tip() { [ "$(tips)" -gt "$before" ]; }
windows() { xdotool search --onlyvisible --name '' 2>/dev/null | sort; }
tip_window() { # a window shown since windows-before, at least 50x20: tip_geometry
  for w in $(windows | comm -13 "$tmp/windows-before" -); do
    eval "$(xdotool getwindowgeometry --shell "$w" 2>/dev/null | grep -E '^(X|Y|WIDTH|HEIGHT)=')"
    if [ "${WIDTH:-0}" -ge 50 ] && [ "${HEIGHT:-0}" -ge 20 ]; then
      tip_geometry=${WIDTH}x$HEIGHT+$X+$Y; return 0
    fi
  done
  return 1
}
hover_bob() {
  contact=$(purple_ref PurpleBuddyGetContact int32:"$bob")
  tip_geometry=''
  xdotool mousemove 600 600 2>/dev/null; sleep 0.3
  windows >"$tmp/windows-before"
  for y in ${hover_y:-} $(seq 30 8 400); do
    before=$(tips)
    xdotool mousemove 150 "$y" 2>/dev/null
    limit=6
    poll new_tip || continue
    node=$(signal_args DrawingTooltip | tail -n 1)
    if [ "$node" = "$bob" ] || [ "$node" = "$contact" ]; then
      hover_y=$y
      limit=20
      poll tip_window
      sleep 0.3
      return 0
    fi
  done
  return 1
}
# step NAME WANT-STATE PAYLOAD DESCRIPTION: push, wait for libpurple's state, then
# (unless NAME is -) hover over bob's row and take the screenshot NAME.
step() {
  ubx "$3"
  want_state=$2
  got_state=''
  reached() { got_state=$(state); [ "$got_state" = "$want_state" ]; }
  limit=50
  if poll reached; then
    ok "$4: libpurple has bob's status|message and tune as \"$want_state\" (D-Bus)"
  else
    not_ok "$4: libpurple has bob's status|message and tune as \"$want_state\" (D-Bus; got \"$got_state\")"
    grep "msnp: .*UBX\|dropping" "$tmp/debug.log" | tail -n 3 | sed 's/^/# /'
  fi
  [ "$1" = - ] && return
  # The screenshot: the buddy list (the pointer away from it), then bob's tooltip
  # beside it (Pidgin draws it over the rows below his).
  [ -n "$blist" ] || { not_ok "$4: bob's tooltip (no buddy list)"; return; }
  xdotool mousemove 600 600 2>/dev/null; sleep 0.4
  import -window "$blist" "$tmp/list.png" 2>/dev/null
  if hover_bob && [ -n "$tip_geometry" ]; then
    ok "$4: hovering over bob's row (y=$hover_y) shows his tooltip (DrawingTooltip for bob, a $tip_geometry window)"
    import -window root "$tmp/root.png" 2>/dev/null
    convert "$tmp/list.png" \( "$tmp/root.png" -crop "$tip_geometry" +repage \
      -bordercolor '#808080' -border 1 -bordercolor white -border 12 \) \
      -background white -gravity north +append "$art/$name-$1.png" 2>/dev/null
  else
    not_ok "$4: hovering over bob's row shows his tooltip (DrawingTooltip for bob: ${hover_y:-none}; window: ${tip_geometry:-none})"
    import -window root "$art/$name-$1.png" 2>/dev/null
  fi
}

# Pidgin shows a "signed on" icon for 10 s after a buddy signs on: wait that out
# for the screenshots.
while [ $(($(date +%s) - online_at)) -lt 11 ]; do sleep 0.5; done
psm='<PSM>Gone fishing</PSM>'
media='<CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Song Title\\0Some Artist\\0Album\\0\\0</CurrentMedia>'
step message "available|Gone fishing off" "<Data>$psm<CurrentMedia></CurrentMedia></Data>" \
  "personal message"
if syslog | grep -q "($B) is now Listening to music"; then
  not_ok "no tune before the media: libpurple's system log has bob listening"
fi
step tune "available|Gone fishing on|Song Title|Some Artist|Album" "<Data>$psm$media</Data>" \
  "now playing"
limit=30
if poll eval 'syslog | grep -qF "Bob B. ($B) is now Listening to music"'; then
  ok "libpurple's system log: \"Bob B. ($B) is now Listening to music\""
else
  not_ok "libpurple's system log: \"Bob B. ($B) is now Listening to music\""
fi
step - "available| off" "" "an empty UBX clears both"
limit=30
if poll eval 'syslog | grep -qF "Bob B. ($B) is no longer Listening to music"'; then
  ok "libpurple's system log: \"Bob B. ($B) is no longer Listening to music\""
else
  not_ok "libpurple's system log: \"Bob B. ($B) is no longer Listening to music\""
fi

if kill -0 "$pidgin_pid" 2>/dev/null; then ok "pidgin is still running at the end"
else not_ok "pidgin is still running at the end"; fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log")
if [ -z "$crit" ]; then ok "no GLib criticals in Pidgin's log"
else not_ok "no GLib criticals in Pidgin's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/$name-debug.txt" 2>/dev/null
syslog >"$art/$name-system-log.html"
echo "1..$n"
exit 0
