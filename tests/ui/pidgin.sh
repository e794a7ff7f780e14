#!/bin/sh
# Pidgin smoke test under Xvfb: installs the build into a scratch folder
# (make install DESTDIR=...), runs Pidgin with a throw-away config folder holding
# the installed plugin and one MSN account, and checks that the plugin loads, the
# account reaches the plugin, the Accounts window lists it, and the account editor
# shows our protocol icon.  Pidgin reads protocol icons only from its installed data
# folder, so when we are root and may unshare a mount namespace, Pidgin runs with a
# private bind mount over /usr/share/pixmaps/pidgin/protocols holding Pidgin's own
# icons plus ours (nothing on the system changes).
# Screenshots: BUILDDIR/ui-artifacts/pidgin-*.png.
# Usage: sh tests/ui/pidgin.sh BUILDDIR      (run from the repository root)
set -u
builddir=${1:-build}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
plugin=$builddir/libmsnp.so
art=$builddir/ui-artifacts

need "pidgin smoke test" Xvfb:xvfb pidgin:pidgin xdotool:xdotool import:imagemagick
need_built "$plugin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-pidgin.XXXXXX") || exit 1
cfg=$tmp/config
pidgin_pid=''
cleanup() {
  stop "$pidgin_pid"
  stop "$xvfb_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

shot() { # name [window]
  import -window "${2:-root}" "$art/pidgin-$1.png" 2>/dev/null
}

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
for f in buddy-list accounts account-editor account-editor-advanced screen; do
  rm -f "$art/pidgin-$f.png"
done
rm -f "$art/pidgin-debug.txt"

# --- 1: install into a scratch DESTDIR and use what was installed --------------
dest=$tmp/destdir
# -o: install what was built and tested, never rebuild it here.
keep="-o $plugin"
for mo in $(find "$builddir/locale" -name '*.mo' 2>/dev/null); do keep="$keep -o $mo"; done
# shellcheck disable=SC2086
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory $keep install \
     BUILDDIR="$builddir" DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
  inst_plugin=$(find "$dest" -name libmsnp.so -path '*/purple-2/*' | head -n 1)
  inst_icons=$(find "$dest" -type d -path '*/pixmaps/pidgin/protocols' | head -n 1)
  if [ -n "$inst_plugin" ] && [ -n "$inst_icons" ] &&
     [ -f "$inst_icons/16/msnp.png" ] && [ -f "$inst_icons/22/msnp.png" ] &&
     [ -f "$inst_icons/48/msnp.png" ] && [ -f "$inst_icons/scalable/msnp.svg" ]; then
    ok "make install DESTDIR= puts the plugin and the 16/22/48/scalable icons in place"
  else
    not_ok "make install DESTDIR= puts the plugin and the 16/22/48/scalable icons in place"
    find "$dest" -type f | sed 's/^/# /'
  fi
else
  not_ok "make install DESTDIR=$dest"
  sed 's/^/# /' "$tmp/install.log" | tail -n 20
  inst_plugin='' inst_icons=''
fi
cp "${inst_plugin:-$plugin}" "$cfg/plugins/libmsnp.so"

# --- the config folder ----------------------------------------------------------
# One enabled account pointed at a loopback port nothing listens on: signing in
# fails at once, without any network.
msnp_account demo@example.com not-a-real-password gtk-gaim server=127.0.0.1 port=1 |
  accounts_xml >"$cfg/accounts.xml"
# The buddy list shows at once (no wait for a system tray) at a known place.
pidgin_prefs 250 420 >"$cfg/prefs.xml"

# --- Xvfb on a free display -----------------------------------------------------
if ! start_xvfb; then
  skip "pidgin under Xvfb" "Xvfb did not start"
  echo "1..$n"
  exit 0
fi

# --- a private protocol-icon folder, when we may ---------------------------------
sysicons=/usr/share/pixmaps/pidgin/protocols
icons_why=''
if [ -z "$inst_icons" ]; then
  icons_why="make install failed"
elif [ "$(id -u)" -ne 0 ]; then
  icons_why="needs root for a private bind mount over $sysicons"
elif ! command -v unshare >/dev/null 2>&1; then
  icons_why="unshare not available"
elif [ ! -d "$sysicons" ]; then
  icons_why="$sysicons does not exist"
elif ! unshare --mount sh -c "mount --bind '$tmp' '$sysicons'" 2>"$tmp/unshare.log"; then
  icons_why="cannot unshare a mount namespace here ($(head -n 1 "$tmp/unshare.log"))"
else
  mkdir -p "$tmp/protocols"
  cp -R "$sysicons"/. "$tmp/protocols"/
  cp -R "$inst_icons"/. "$tmp/protocols"/
fi

# --- Pidgin ----------------------------------------------------------------------
# No session bus (so no dbus-daemon gets autolaunched and left behind), own HOME.
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus"
export HOME="$tmp/home" NO_AT_BRIDGE=1
# Pidgin's own code is not run under G_DEBUG=fatal-criticals; criticals are
# checked from its log at the end.
unset G_DEBUG
if [ -z "$icons_why" ]; then
  unshare --mount sh -c 'mount --bind "$1" "$2" && exec pidgin -c "$3" -d' sh \
    "$tmp/protocols" "$sysicons" "$cfg" >"$tmp/debug.log" 2>&1 &
else
  pidgin -c "$cfg" -d >"$tmp/debug.log" 2>&1 &
fi
pidgin_pid=$!

pidgin_blist
sleep 0.5   # let the sign-in attempt fail and the list settle
shot buddy-list "${blist:-root}"

if grep -q "probing .*/plugins/libmsnp.so" "$tmp/debug.log" &&
   ! grep -iE "libmsnp.*(not loadable|unable to load|not usable)|(unable to load|not loadable).*libmsnp" "$tmp/debug.log" >/dev/null; then
  ok "pidgin loaded the plugin from its plugins folder (no load error)"
else
  not_ok "pidgin loaded the plugin from its plugins folder (no load error)"
  grep -i libmsnp "$tmp/debug.log" | sed 's/^/# /' | head -n 10
fi
limit=50
if poll grep -q 'account: Connecting to account demo@example\.com' "$tmp/debug.log"; then
  ok "pidgin read the MSN account and asked the plugin to sign it in"
else
  not_ok "pidgin read the MSN account and asked the plugin to sign it in"
fi

# --- Accounts window (Ctrl+A in the buddy list) --------------------------------------
# Keys go to the focused window (XTEST); a key that arrives before the window is
# ready is lost, so each step is tried up to three times.
accounts=''
tries=0
while [ -n "$blist" ] && [ -z "$accounts" ] && [ $tries -lt 3 ]; do
  xdotool windowfocus "$blist" 2>/dev/null; sleep 0.2
  xdotool key ctrl+a 2>/dev/null
  limit=30
  poll find_window '^Accounts$' && accounts=$win
  tries=$((tries + 1))
done
if [ -n "$accounts" ]; then
  ok "Accounts > Manage Accounts opens the Accounts window"
  xdotool windowmove "$accounts" 260 0 2>/dev/null; sleep 0.3
  shot accounts "$accounts"
else
  not_ok "Accounts > Manage Accounts opens the Accounts window"
fi

# The first row selected, then Modify: the editor opens only for a listed account.
modify=''
tries=0
while [ -n "$accounts" ] && [ -z "$modify" ] && [ $tries -lt 3 ]; do
  xdotool windowfocus "$accounts" 2>/dev/null; sleep 0.2
  xdotool key Down 2>/dev/null; sleep 0.2
  xdotool key alt+m 2>/dev/null
  limit=30
  poll find_window '^Modify Account$' && modify=$win
  tries=$((tries + 1))
done
if [ -n "$modify" ]; then
  ok "the Accounts window lists the account and opens it in the account editor"
  xdotool windowmove "$modify" 0 430 2>/dev/null; sleep 0.3
  shot account-editor "$modify"
else
  not_ok "the Accounts window lists the account and opens it in the account editor"
fi

# --- our 16 px icon in the editor's protocol menu ------------------------------------
if [ -n "$icons_why" ]; then
  skip "the account editor shows the installed 16 px msnp icon" "$icons_why"
elif [ -z "$modify" ] || ! command -v compare >/dev/null 2>&1; then
  not_ok "the account editor shows the installed 16 px msnp icon (no editor window or no compare)"
else
  # Search for the largest fully opaque rectangle of the icon (its edges blend with
  # the background, the inside must come out pixel for pixel).
  box=$(convert "$inst_icons/16/msnp.png" -alpha extract -depth 8 gray:- | od -An -v -tu1 |
    awk -v W=16 -v H=16 '
      { for (i = 1; i <= NF; i++) { a[k % W, int(k / W)] = ($i == 255); k++ } }
      END {
        for (y = 0; y <= H; y++) for (x = 0; x <= W; x++) s[x, y] = 0
        for (y = 1; y <= H; y++) for (x = 1; x <= W; x++)
          s[x, y] = a[x - 1, y - 1] + s[x - 1, y] + s[x, y - 1] - s[x - 1, y - 1]
        best = 0
        for (y0 = 0; y0 < H; y0++) for (x0 = 0; x0 < W; x0++)
          for (y1 = y0 + 1; y1 <= H; y1++) for (x1 = x0 + 1; x1 <= W; x1++) {
            area = (x1 - x0) * (y1 - y0)
            if (area <= best) continue
            if (s[x1, y1] - s[x0, y1] - s[x1, y0] + s[x0, y0] == area) {
              best = area; out = (x1 - x0) "x" (y1 - y0) "+" x0 "+" y0 }
          }
        print out }')
  convert "$inst_icons/16/msnp.png" -crop "$box" +repage -alpha off "$tmp/needle.png"
  import -window "$modify" "$tmp/editor.png" 2>/dev/null
  res=$(compare -metric AE -subimage-search "$tmp/editor.png" "$tmp/needle.png" null: 2>&1)
  case "$res" in
    "0 @ "*) ok "the account editor shows the installed 16 px msnp icon (${box} opaque part found at ${res#0 @ })" ;;
    *) not_ok "the account editor shows the installed 16 px msnp icon (compare: $(echo "$res" | head -n 1))" ;;
  esac
fi

# The plugin's own options on the Advanced tab, for the screenshot.
if [ -n "$modify" ]; then
  xdotool windowfocus "$modify" 2>/dev/null; sleep 0.2
  xdotool key ctrl+Page_Down 2>/dev/null; sleep 0.5
  shot account-editor-advanced "$modify"
fi
shot screen

if kill -0 "$pidgin_pid" 2>/dev/null; then ok "pidgin is still running at the end"
else not_ok "pidgin is still running at the end"; fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log")
if [ -z "$crit" ]; then ok "no GLib criticals in Pidgin's log"
else not_ok "no GLib criticals in Pidgin's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
cp "$tmp/debug.log" "$art/pidgin-debug.txt" 2>/dev/null
echo "1..$n"
exit 0
