#!/bin/sh
# Every translation is complete and current: each catalogue compiles, has no
# untranslated or fuzzy message, and covers every string the sources mark.
# Usage: sh tests/i18n/translations.sh BUILDDIR   (prints TAP)
set -u
builddir=${1:-build}
n=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --files-from=po/POTFILES -o "$tmp/current.pot" 2>"$tmp/err"
for po in po/*.po; do
  l=$(basename "$po" .po)
  n=$((n + 1))
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1)
  case "$stats" in
    *untranslated*|*fuzzy*) echo "not ok $n $l: incomplete ($stats)"; fail=1 ;;
    *"translated message"*) echo "ok $n $l: compiles, $stats" ;;
    *) echo "not ok $n $l: msgfmt failed: $stats"; fail=1 ;;
  esac
  n=$((n + 1))
  if msgcmp "$po" "$tmp/current.pot" >"$tmp/cmp" 2>&1; then
    echo "ok $n $l: covers every string in the sources"
  else
    echo "not ok $n $l: strings missing (run make update-po):"; sed 's/^/# /' "$tmp/cmp" | head -n 10
    fail=1
  fi
done
n=$((n + 1))
if grep -q . po/POTFILES && for f in $(cat po/POTFILES); do [ -f "$f" ] || exit 1; done; then
  missing=$(grep -l '_("' src/*.c src/*/*.c 2>/dev/null | grep -v '^src/proto/' | grep -vxF -f po/POTFILES)
  if [ -z "$missing" ]; then echo "ok $n POTFILES lists every file with translatable strings"
  else echo "not ok $n POTFILES misses: $missing"; fail=1; fi
else
  echo "not ok $n POTFILES names a file that does not exist"; fail=1
fi
echo "1..$n"
exit $fail
