#!/bin/sh
# What `make check` and `make demo` need, and how to get it on Debian/Ubuntu.
#
#   sh tests/deps.sh check   build tools, libraries and the TLS backend (required);
#                            clang, valgrind, Xvfb, Pidgin, Finch, tmux, xdotool,
#                            ImageMagick, rsvg-convert (optional: the tests that need
#                            them skip without them, but they are installed if we can)
#   sh tests/deps.sh demo    build tools and libraries, Finch and tmux (required);
#                            Pidgin (optional)
#
# When everything is there it prints nothing and touches no network.  Otherwise it
# runs `apt-get update` once and `apt-get install -y --no-install-recommends` with
# the missing packages, as root or through `sudo -n`; when it cannot, it prints the
# exact command and exits 1 if something required is missing.
set -u
mode=${1:-}
case "$mode" in
  check|demo) ;;
  *) echo "usage: sh tests/deps.sh check|demo" >&2; exit 2 ;;
esac

req_pkgs=''   # Debian packages for missing required things
opt_pkgs=''   # ... for missing optional things
req_what=''   # what is missing, for the messages
opt_what=''

add_req() { # what package
  req_what="$req_what $1"
  case " $req_pkgs " in *" $2 "*) ;; *) req_pkgs="$req_pkgs $2" ;; esac
}
add_opt() {
  opt_what="$opt_what $1"
  case " $opt_pkgs " in *" $2 "*) ;; *) opt_pkgs="$opt_pkgs $2" ;; esac
}
have() { command -v "$1" >/dev/null 2>&1; }

# A pkg-config module is there when pkg-config says so; without pkg-config, look for
# its .pc file in the usual places (so the package list is right either way).
have_module() {
  if have pkg-config; then
    pkg-config --exists "$1" 2>/dev/null
  else
    for d in /usr/lib/*/pkgconfig /usr/lib/pkgconfig /usr/share/pkgconfig \
             /usr/local/lib/*/pkgconfig /usr/local/lib/pkgconfig /usr/local/share/pkgconfig; do
      [ -f "$d/$1.pc" ] && return 0
    done
    return 1
  fi
}
have_gnutls_module() {
  for f in /usr/lib/*/gio/modules/libgiognutls.so /usr/lib/gio/modules/libgiognutls.so \
           /usr/lib64/gio/modules/libgiognutls.so; do
    [ -f "$f" ] && return 0
  done
  return 1
}

scan() {
  req_pkgs='' opt_pkgs='' req_what='' opt_what=''
  # Building: compiler, make, pkg-config, gettext, and the libraries.
  have cc       || add_req cc build-essential
  have make     || add_req make build-essential
  have pkg-config || add_req pkg-config pkg-config
  for m in purple:libpurple-dev glib-2.0:libglib2.0-dev gio-2.0:libglib2.0-dev \
           libsoup-3.0:libsoup-3.0-dev libxml-2.0:libxml2-dev; do
    have_module "${m%%:*}" || add_req "${m%%:*}.pc" "${m#*:}"
  done
  have msgfmt   || add_req msgfmt gettext
  have xgettext || add_req xgettext gettext
  have openssl  || add_req openssl openssl

  if [ "$mode" = check ]; then
    # The integration tests talk TLS to the test server through GIO.
    have_gnutls_module || add_req "GIO TLS backend (libgiognutls.so)" glib-networking
    have clang    || add_opt clang clang
    have valgrind || add_opt valgrind valgrind
    have Xvfb     || add_opt Xvfb xvfb
    have xauth    || add_opt xauth xauth
    have pidgin   || add_opt pidgin pidgin
    have finch    || add_opt finch finch
    have tmux     || add_opt tmux tmux
    have xdotool  || add_opt xdotool xdotool
    have import   || add_opt import imagemagick
    have compare  || add_opt compare imagemagick
    have convert  || add_opt convert imagemagick
    have rsvg-convert || add_opt rsvg-convert librsvg2-bin
    have dbus-daemon || add_opt dbus-daemon dbus-daemon
    have dbus-send || add_opt dbus-send dbus-bin
    have dbus-monitor || add_opt dbus-monitor dbus-bin
  else
    have finch  || add_req finch finch
    have tmux   || add_req tmux tmux
    have pidgin || add_opt pidgin pidgin
  fi
}

scan
[ -z "$req_pkgs$opt_pkgs" ] && exit 0

# Something is missing: find a way to run apt-get as root.
apt=''
if have apt-get; then
  if [ "$(id -u)" -eq 0 ]; then
    apt='env'
  elif have sudo && sudo -n true 2>/dev/null; then
    apt='sudo -n env'
  fi
fi
frontend=${DEBIAN_FRONTEND:-noninteractive}

if [ -z "$apt" ]; then
  all=$(echo $req_pkgs $opt_pkgs)
  if [ -n "$req_pkgs" ]; then
    echo "deps.sh: missing for 'make $mode':$req_what" >&2
    [ -n "$opt_pkgs" ] && echo "deps.sh: optional, missing:$opt_what" >&2
    if have apt-get; then
      echo "deps.sh: install them with:" >&2
    else
      echo "deps.sh: no apt-get here; the Debian package names are:" >&2
    fi
    echo "  sudo apt-get install$(echo " $all" | sed 's/  */ /g')" >&2
    exit 1
  fi
  echo "deps.sh: note: optional, missing:$opt_what (the tests that need them will skip)" >&2
  echo "deps.sh: to install them: sudo apt-get install $(echo $opt_pkgs)" >&2
  exit 0
fi

all=$(echo $req_pkgs $opt_pkgs)
echo "deps.sh: installing for 'make $mode': $all"
$apt DEBIAN_FRONTEND="$frontend" apt-get update -q </dev/null || \
  echo "deps.sh: apt-get update failed; trying to install anyway" >&2
# shellcheck disable=SC2086
if ! $apt DEBIAN_FRONTEND="$frontend" apt-get install -y -q --no-install-recommends $all </dev/null; then
  # One unavailable optional package must not keep the required ones out.
  if [ -n "$req_pkgs" ] && [ -n "$opt_pkgs" ]; then
    echo "deps.sh: retrying with the required packages only" >&2
    # shellcheck disable=SC2086
    $apt DEBIAN_FRONTEND="$frontend" apt-get install -y -q --no-install-recommends $req_pkgs </dev/null
  fi
fi

scan
if [ -n "$req_pkgs" ]; then
  echo "deps.sh: still missing after apt-get:$req_what" >&2
  echo "  sudo apt-get install$(echo " $req_pkgs" | sed 's/  */ /g')" >&2
  exit 1
fi
[ -n "$opt_pkgs" ] && echo "deps.sh: note: optional, still missing:$opt_what (the tests that need them will skip)" >&2
exit 0
