#!/bin/sh
# The protocol icons: each committed PNG exists, is a PNG of the right size, and
# (when rsvg-convert is installed) is exactly what `make icons` renders from the SVG.
# Usage: sh tests/ui/icons.sh BUILDDIR      (run from the repository root)
set -u
builddir=${1:-build}
svg=data/icons/scalable/msnp.svg
n=0
ok()     { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; }

# Width and height from the IHDR chunk: bytes 16..23, big-endian.
png_size() {
  od -An -v -tu1 -j0 -N24 "$1" 2>/dev/null | tr -s ' \n' '  ' | awk '{
    if (NF < 24 || $1 != 137 || $2 != 80 || $3 != 78 || $4 != 71 ||
        $13 != 73 || $14 != 72 || $15 != 68 || $16 != 82) { print "not-a-png"; exit }
    w = (($17 * 256 + $18) * 256 + $19) * 256 + $20
    h = (($21 * 256 + $22) * 256 + $23) * 256 + $24
    print w "x" h }'
}

if [ -s "$svg" ] && grep -q '<svg' "$svg"; then ok "scalable icon $svg present"
else not_ok "scalable icon $svg missing or not SVG"; fi

for s in 16 22 48; do
  f=data/icons/$s/msnp.png
  if [ ! -f "$f" ]; then not_ok "$f missing"; continue; fi
  got=$(png_size "$f")
  if [ "$got" = "${s}x${s}" ]; then ok "$f is a ${s}x${s} PNG"
  else not_ok "$f is a ${s}x${s} PNG (got: $got)"; fi
done

if ! command -v "${RSVG_CONVERT:-rsvg-convert}" >/dev/null 2>&1; then
  ok "PNGs match the SVG # SKIP rsvg-convert not installed (apt-get install librsvg2-bin)"
  exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/msnp-icons.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
for s in 16 22 48; do
  f=data/icons/$s/msnp.png
  if ! "${RSVG_CONVERT:-rsvg-convert}" -w "$s" -h "$s" -o "$tmp/$s.png" "$svg"; then
    not_ok "render $svg at $s px"; continue
  fi
  if cmp -s "$tmp/$s.png" "$f"; then
    ok "$f is byte-identical to a fresh rendering of $svg"
  else
    not_ok "$f is byte-identical to a fresh rendering of $svg (run: make icons)"
  fi
done
