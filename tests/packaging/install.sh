#!/bin/sh
# What packagers rely on: `make install` with DESTDIR and PREFIX puts exactly the
# documented files in place, `make uninstall` removes exactly those, and
# `make dist` makes a tarball that builds with a plain `make`.
# Usage: sh tests/packaging/install.sh BUILDDIR   (prints TAP)
set -u
builddir=${1:-build}
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dest="$tmp/root"
if make -s BUILDDIR="$builddir" DESTDIR="$dest" PREFIX=/usr/local install >"$tmp/install.log" 2>&1; then
  (cd "$dest" && find . -type f | sort) >"$tmp/files"
  cat >"$tmp/want" <<LIST
./usr/local/lib/purple-2/libmsnp.so
./usr/local/share/pixmaps/pidgin/protocols/16/msnp.png
./usr/local/share/pixmaps/pidgin/protocols/22/msnp.png
./usr/local/share/pixmaps/pidgin/protocols/48/msnp.png
./usr/local/share/pixmaps/pidgin/protocols/scalable/msnp.svg
LIST
  for po in po/*.po; do
    echo "./usr/local/share/locale/$(basename "$po" .po)/LC_MESSAGES/purple-msnp.mo" >>"$tmp/want"
  done
  sort -o "$tmp/want" "$tmp/want"
  if cmp -s "$tmp/files" "$tmp/want"; then
    ok "install with DESTDIR and PREFIX=/usr/local puts exactly the plugin, icons and translations"
  else
    not_ok "install put other files than documented:"; diff "$tmp/want" "$tmp/files" | sed 's/^/# /'
  fi
  make -s BUILDDIR="$builddir" DESTDIR="$dest" PREFIX=/usr/local uninstall >/dev/null 2>&1
  left=$(cd "$dest" && find . -type f | wc -l)
  if [ "$left" -eq 0 ]; then ok "uninstall removes every installed file"
  else not_ok "uninstall left $left files behind"; fi
else
  not_ok "make install failed:"; sed 's/^/# /' "$tmp/install.log" | tail -n 10
  n=$((n + 1)); echo "not ok $n uninstall (not run: install failed)"
fi

# The default folders come from libpurple's pkg-config file.
want_dir=$(pkg-config --variable=plugindir purple)
got_dir=$(make -s --no-print-directory print-PLUGINDIR)
if [ -n "$want_dir" ] && [ "$got_dir" = "$want_dir" ]; then ok "the default plugin folder is libpurple's ($want_dir)"
else not_ok "the default plugin folder is '$got_dir', libpurple's is '$want_dir'"; fi

# dist: a tarball that builds on its own.
if git rev-parse --git-dir >/dev/null 2>&1 &&
   make -s BUILDDIR="$tmp/distbuild" dist >"$tmp/dist.log" 2>&1; then
  tarball=$(ls purple-msnp-*.tar.gz 2>/dev/null | head -n 1)
  mkdir -p "$tmp/unpack"
  if [ -n "$tarball" ] && tar -C "$tmp/unpack" -xzf "$tarball" && rm -f "$tarball" &&
     (cd "$tmp/unpack"/purple-msnp-* && make -s >"$tmp/distmake.log" 2>&1) &&
     [ -f "$tmp/unpack"/purple-msnp-*/build/libmsnp.so ]; then
    ok "make dist makes a tarball that builds with a plain make"
  else
    not_ok "the dist tarball does not build:"; tail -n 10 "$tmp/distmake.log" 2>/dev/null | sed 's/^/# /'
  fi
else
  echo "ok $((n + 1)) make dist # SKIP not a git checkout"; n=$((n + 1))
fi
echo "1..$n"
exit $fail
