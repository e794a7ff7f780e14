#!/bin/sh
# Pidgin signs in for real, under Xvfb: two loopback test servers (one speaking
# MSNP8-14, one only MSNP14) serve NS and HTTPS with a self-signed certificate, and
# one Pidgin runs six accounts at once:
#   alice  MSNP14, RST over HTTPS, trusted fingerprint        -> online
#   paul   MSNP11, Passport 1.4 over HTTPS                    -> online
#   bob    wrong password                                     -> "... password is wrong."
#   eve    no trusted fingerprint                             -> the fingerprint
#   nobody a port nothing listens on                          -> "Could not connect ..."
#   carol  offers MSNP8-12 to the MSNP14-only server          -> "... speaks none of ..."
# Signing on is read from libpurple's system log ("+++ EMAIL signed on"; libpurple
# prints no debug line for it), each error from the debug log's
# "Connection error on GC (reason: N description: TEXT)" with GC mapped to its
# account.  Screenshots (BUILDDIR/ui-artifacts/pidgin-signin-*.png): the buddy list
# (status Available, the error area "(1/4)"), one per error dialog (paging through
# the error area), and the New Instant Message dialog, whose account list holds
# connected accounts only.
# Usage: sh tests/ui/pidgin-signin.sh BUILDDIR      (run from the repository root)
set -u
builddir=${1:-build}
# shellcheck source=tests/ui/lib.sh
. "$(dirname "$0")/lib.sh"
art=$builddir/ui-artifacts
what="pidgin signs in to the test server"

need "$what" Xvfb:xvfb pidgin:pidgin xdotool:xdotool import:imagemagick \
  convert:imagemagick openssl:openssl
need_built "$builddir/libmsnp.so" "$builddir/msnp-testserver"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-pidgin-signin.XXXXXX") || exit 1
cfg=$tmp/config
pidgin_pid=''
cleanup() {
  stop "$pidgin_pid"
  stop "$xvfb_pid"
  stop_servers
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$cfg/plugins" "$tmp/home" "$art"
rm -f "$art"/pidgin-signin-*.png "$art"/pidgin-signin-*.txt
cp "$builddir/libmsnp.so" "$cfg/plugins/libmsnp.so"

# --- the servers ------------------------------------------------------------------
bail_unless_server main --versions 8-14 --account 'alice@signin.test:secret:Alice' \
  --account 'paul@signin.test:secret:Paul' --account 'bob@signin.test:secret' \
  --account 'eve@signin.test:secret'
if ! start_server old --versions 14 --account 'carol@signin.test:secret'; then
  echo "1..1"; echo "not ok 1 the MSNP14-only test server starts"; exit 1
fi

# --- the accounts -----------------------------------------------------------------
# eve trusts no certificate (no tls_fingerprint); nobody's port has no server.
# shellcheck disable=SC2046
{
  msnp_account alice@signin.test secret gtk-gaim $(loopback_settings "$main_ns" "$main_https" 14)
  msnp_account paul@signin.test secret gtk-gaim $(loopback_settings "$main_ns" "$main_https" 11)
  msnp_account bob@signin.test not-his-password gtk-gaim \
    $(loopback_settings "$main_ns" "$main_https" 14)
  msnp_account eve@signin.test secret gtk-gaim server=127.0.0.1 port="$main_ns" \
    max_protocol=14 $(https_urls "$main_https")
  msnp_account nobody@signin.test secret gtk-gaim $(loopback_settings 1 "$main_https" 14)
  msnp_account carol@signin.test secret gtk-gaim $(loopback_settings "$old_ns" "$old_https" 12)
} | accounts_xml >"$cfg/accounts.xml"
pidgin_prefs 300 640 "$LOG_SYSTEM_PREF" >"$cfg/prefs.xml"

# --- Xvfb and Pidgin --------------------------------------------------------------
if ! start_xvfb; then
  skip_all "$what" "Xvfb did not start"
fi
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus" HOME="$tmp/home" NO_AT_BRIDGE=1
unset G_DEBUG   # Pidgin's own code; criticals are checked from its log instead
pidgin -c "$cfg" -d >"$tmp/debug.log" 2>&1 9>&- &
pidgin_pid=$!

shot() { import -window "${2:-root}" "$art/pidgin-signin-$1.png" 2>/dev/null; }

pidgin_blist

errors() { connection_errors "$tmp/debug.log"; }
settled() {
  [ "$(errors | wc -l)" -ge 4 ] && signed_on "$cfg" alice@signin.test &&
    signed_on "$cfg" paul@signin.test
}
limit=200
poll settled
# A notice (one account's contact list, say) may have opened over the buddy list:
# raise it, so its screenshots and the clicks on its error area's pager reach it.
[ -n "$blist" ] && xdotool windowraise "$blist" 2>/dev/null
sleep 0.5   # let the buddy list draw the last error

for a in alice@signin.test:MSNP14/RST paul@signin.test:MSNP11/Passport-1.4; do
  e=${a%%:*}
  if signed_on "$cfg" "$e" && ! errors | grep -q "^$e	"; then
    ok "$e signs in over HTTPS (${a#*:}): libpurple logged \"+++ $e signed on\", no error"
  else
    not_ok "$e signs in over HTTPS (${a#*:})"
    errors | grep "^$e	" | sed 's/^/# /'
    grep -F "$e" "$tmp/debug.log" | tail -n 5 | sed 's/^/# /'
  fi
done
shot buddy-list "${blist:-root}"

# check_error EMAIL NAME WHAT TEXT: EMAIL's first connection error contains TEXT.
order=$(errors | cut -f 1)
check_error() {
  got=$(errors | awk -F '\t' -v e="$1" '$1 == e { print $3; exit }')
  case "$got" in
    *"$4"*) ok "$3: Pidgin got the error for $1: \"$got\"" ;;
    '') not_ok "$3: no connection error for $1 in Pidgin's debug log" ;;
    *) not_ok "$3: the error for $1 lacks \"$4\": \"$got\"" ;;
  esac
}
check_error bob@signin.test wrong-password "wrong password" "password is wrong"
check_error eve@signin.test untrusted-certificate "untrusted certificate" "$tls_fp"
check_error nobody@signin.test connection-refused "connection refused" "Could not connect"
check_error carol@signin.test version-refused "version refused" \
  "speaks none of the protocol versions"

# --- one screenshot per error dialog -------------------------------------------------
# The buddy list shows the error dialogs one at a time in its error area (above the
# status box) under a pager, "< (1/4) > x" at the area's top right.  pager_scan finds
# both in a screenshot of the window, whatever the buddy tree (or a window over it)
# looks like, and prints "TOP X Y": the error area's first row and the middle of the
# pager's right arrow ("TOP - -" when it has none to click); nothing without an area.
#  - the error area: from the bottom up, the status box and the error area are mostly
#    the window's background grey (the commonest grey of the lower half); the first
#    three rows in a row with almost none of it (the tree frame's line and highlight,
#    the tree) lie above the area.
#  - the pager: the first rows of the area with ink (darker than the background).
#  - its right arrow: in those rows and the window's right half, the rightmost dark
#    shape whose columns shrink from left to right, each within the one before (a
#    triangle pointing right).  The "x" and ")" beside it are other shapes, the left
#    arrow points the other way, and on the last page the right arrow is grey.
pager_scan() { # png
  convert "$1" -colorspace Gray -depth 8 -compress none pgm:- 2>/dev/null | awk '
    NR == 1 { next }
    { for (i = 1; i <= NF; i++) v[k++] = $i + 0 }
    END {
      w = v[0]; h = v[1]; o = 3
      if (w < 60 || h < 60 || k < o + w * h) exit
      for (y = int(h / 2); y < h; y++) for (x = 0; x < w; x++) n[v[o + y * w + x]]++
      for (c in n) if (n[c] > best) { best = n[c]; bg = c + 0 }
      top = -1; run = 0
      for (y = h - 1; y >= 0 && top < 0; y--) {
        b = 0
        for (x = 0; x < w; x++) { d = v[o + y * w + x] - bg; if (d >= -4 && d <= 4) b++ }
        if (b < w / 10) { if (++run == 3) top = y + 3 } else run = 0
      }
      if (top < 0 || top > h - 40) exit
      p0 = -1; p1 = -1
      for (y = top; y < top + 20 && y < h; y++) {
        ink = 0
        for (x = int(w / 2); x < w; x++) if (v[o + y * w + x] < bg - 60) ink = 1
        if (ink && p0 < 0) p0 = y
        if (ink) p1 = y
        else if (p0 >= 0) break
      }
      if (p0 < 0) { print top, "-", "-"; exit }
      for (x = int(w / 2); x < w; x++) {
        cnt[x] = 0; lo[x] = h; hi[x] = -1
        for (y = p0; y <= p1; y++) if (v[o + y * w + x] < 110) {
          cnt[x]++; if (y < lo[x]) lo[x] = y; if (y > hi[x]) hi[x] = y
        }
      }
      for (b = w - 1; b >= int(w / 2); b--) {
        if (!cnt[b]) continue
        for (a = b; a > int(w / 2) && cnt[a - 1]; a--) ;
        tri = b - a >= 2 && b - a <= 12 && cnt[a] >= 5 && cnt[b] <= cnt[a] / 2
        for (x = a + 1; tri && x <= b; x++)
          if (cnt[x] > cnt[x - 1] || lo[x] < lo[x - 1] || hi[x] > hi[x - 1]) tri = 0
        if (tri) { print top, a + 1, int((lo[a] + hi[a]) / 2); exit }
        b = a
      }
      print top, "-", "-"
    }'
}
scan() { # [png] -> $top $ax $ay, from a new screenshot of the buddy list by default
  [ $# -gt 0 ] || { import -window "$blist" "$tmp/page.png" 2>/dev/null || return 1; }
  # shellcheck disable=SC2046
  set -- $(pager_scan "${1:-$tmp/page.png}")
  [ $# = 3 ] || return 1
  top=$1 ax=$2 ay=$3
}
arrow_shown() { scan && [ "$ax" != - ]; }
area() { # png -> a hash of its error area's pixels (rows $top and below)
  convert "$1" -crop "100000x100000+0+$top" +repage -depth 8 rgb:- 2>/dev/null | md5sum
}
turned() { scan && [ "$(area "$tmp/page.png")" != "$before" ]; }
# Screenshots are named after the accounts in the order their errors arrived, unless
# an automatic reconnect changed that order.
name_of() {
  case "$1" in
    bob@*) echo wrong-password ;; eve@*) echo untrusted-certificate ;;
    nobody@*) echo connection-refused ;; carol@*) echo version-refused ;;
    *) echo other ;;
  esac
}
pages=0 named=1 shots=''
if [ -n "$blist" ]; then
  limit=30
  poll arrow_shown || echo "# no pager with a right arrow in the buddy list's error area"
  for e in $order; do
    pages=$((pages + 1))
    [ $pages -gt 4 ] && break
    shot "error-$pages" "$blist"
    [ $pages -lt 4 ] || break
    if ! scan "$art/pidgin-signin-error-$pages.png" || [ "$ax" = - ]; then
      echo "# page $pages: no pager arrow found"; break
    fi
    before=$(area "$art/pidgin-signin-error-$pages.png")
    xdotool mousemove --window "$blist" "$ax" "$ay" click 1 2>/dev/null
    limit=30
    if ! poll turned; then
      echo "# page $pages: the error area did not change after a click at $ax,$ay"; break
    fi
    sleep 0.1
  done
  [ "$(errors | cut -f 1)" = "$order" ] || named=0
  p=0
  for e in $order; do
    p=$((p + 1))
    f=$art/pidgin-signin-error-$p.png
    [ -f "$f" ] || continue
    if [ $named = 1 ]; then
      mv "$f" "$art/pidgin-signin-$(name_of "$e").png"
      f=$art/pidgin-signin-$(name_of "$e").png
    fi
    shots="$shots $f"
  done
fi
# Each screenshot's error area (found again in it), compared by its pixels: the tree
# above it may be drawn or not, and a PNG from import also carries its creation time.
distinct=$(for f in $shots; do scan "$f" && area "$f"; done | sort -u | wc -l)
if [ "$distinct" -ge 4 ]; then
  ok "the buddy list's error area pages through four different disconnected dialogs"
else
  not_ok "the buddy list's error area pages through four different disconnected dialogs (got $distinct different error areas)"
fi

# --- New Instant Message: its account list holds connected accounts only ------------
im=''
tries=0
while [ -n "$blist" ] && [ -z "$im" ] && [ $tries -lt 3 ]; do
  xdotool windowfocus "$blist" 2>/dev/null; sleep 0.2
  xdotool key ctrl+m 2>/dev/null
  limit=30
  poll find_window '^New Instant Message$' && im=$win
  tries=$((tries + 1))
done
if [ -n "$im" ]; then
  xdotool windowmove "$im" 310 0 2>/dev/null; sleep 0.4
  shot new-im "$im"
  ok "Buddies > New Instant Message opens (its Account list offers connected accounts only)"
else
  not_ok "Buddies > New Instant Message opens"
fi
shot screen

if kill -0 "$pidgin_pid" 2>/dev/null; then ok "pidgin is still running at the end"
else not_ok "pidgin is still running at the end"; fi
crit=$(grep -E "assertion .* failed|should not be reached|CRITICAL" "$tmp/debug.log")
if [ -z "$crit" ]; then ok "no GLib criticals in Pidgin's log"
else not_ok "no GLib criticals in Pidgin's log"; echo "$crit" | head -n 10 | sed 's/^/# /'; fi
errors >"$art/pidgin-signin-errors.txt"
cp "$tmp/debug.log" "$art/pidgin-signin-debug.txt" 2>/dev/null
echo "1..$n"
exit 0
