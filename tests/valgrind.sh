#!/bin/sh
# Runs test programs under valgrind's memcheck (`make check-valgrind`) and
# fails on any error or definite leak with a frame in the plugin
# (libmsnp.so) in any of its stacks, on a failed test, or on a crash.
# Noise from system libraries is suppressed by tests/valgrind.supp; what
# remains outside the plugin is listed but does not fail the run.
#
# Usage: sh tests/valgrind.sh BUILDDIR [PATTERN]   (default PATTERN: conversation)
# Valgrind reads more options from VALGRIND_OPTS (e.g. --track-origins=yes).
set -u
builddir=${1:?usage: valgrind.sh BUILDDIR [PATTERN]}
pattern=${2:-conversation}
logdir="$builddir/valgrind-logs"
mkdir -p "$logdir"
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind is not installed: skipped (Debian/Ubuntu: apt-get install valgrind)"
  exit 0
fi
export MSNP_BUILDDIR="$builddir"
export LC_ALL=C.UTF-8
export G_DEBUG="fatal-criticals,gc-friendly"
export G_SLICE=always-malloc
# Everything runs 20-50 times slower: the tests' waits stretch with it.
export MSNP_TEST_TIMEOUT_SCALE="${MSNP_TEST_TIMEOUT_SCALE:-10}"
supp="$(pwd)/tests/valgrind.supp"
status=0 ran=0

# Prints each <error> of a valgrind XML file as "KIND: what" and its frames;
# with plugin=1 only those with a libmsnp.so frame, with plugin=0 the others.
report() { # xml plugin
  awk -v want="$2" '
    /<error>/ { inerr = 1; plugin = 0; text = ""; kind = ""; what = ""; next }
    !inerr { next }
    /<\/error>/ {
      inerr = 0
      if (plugin == want) { n++; printf "  %s: %s\n%s", kind, what, text }
      next
    }
    /<kind>/ { kind = $0; gsub(/.*<kind>|<\/kind>.*/, "", kind) }
    /<what>|<text>/ && what == "" { what = $0; gsub(/.*<(what|text)>|<\/(what|text)>.*/, "", what) }
    /<auxwhat>/ { a = $0; gsub(/.*<auxwhat>|<\/auxwhat>.*/, "", a); text = text "    -- " a "\n" }
    /libmsnp\.so/ { plugin = 1 }
    /<frame>/ { fn = ""; obj = ""; file = ""; line = "" }
    /<fn>/ { fn = $0; gsub(/.*<fn>|<\/fn>.*/, "", fn) }
    /<obj>/ { obj = $0; gsub(/.*<obj>|<\/obj>.*/, "", obj); sub(/.*\//, "", obj) }
    /<file>/ { file = $0; gsub(/.*<file>|<\/file>.*/, "", file) }
    /<line>/ { line = $0; gsub(/.*<line>|<\/line>.*/, "", line) }
    /<\/frame>/ {
      text = text sprintf("    %s (%s%s)\n", fn == "" ? "?" : fn,
        file != "" ? file ":" line : obj, file != "" && obj != "" ? ", " obj : "")
    }
    END { exit n > 0 }
  ' "$1"
}

for t in "$builddir"/tests/test-*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  n=$(basename "$t")
  case "$n" in *"$pattern"*) ;; *) continue ;; esac
  ran=$((ran + 1))
  xml="$logdir/$n.xml"
  log="$logdir/$n.log"
  timeout -k 10 "${MSNP_VALGRIND_TIMEOUT:-3600}" valgrind --tool=memcheck --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=40 \
    --suppressions="$supp" --xml=yes --xml-file="$xml" \
    "$t" --tap >"$log" 2>&1
  rc=$?
  p=$(grep -c '^ok ' "$log" | tr -d ' ')
  f=$(grep -c '^not ok ' "$log" | tr -d ' ')
  if [ "$rc" -ne 0 ] || [ "$f" -gt 0 ]; then
    echo "not ok - $n under valgrind: exit status $rc, $p passed, $f failed (log: $log)"
    grep -E '^not ok|ERROR|Bail out' "$log" | head -n 20 | sed 's/^/    /'
    status=1
  fi
  if ! grep -q '</valgrindoutput>' "$xml" 2>/dev/null; then
    echo "not ok - $n: valgrind did not finish (killed or timed out): its report is incomplete"
    status=1
  fi
  if ! report "$xml" 1 >"$logdir/$n.plugin.txt"; then
    echo "not ok - $n: memory errors or definite leaks in the plugin's frames (libmsnp.so):"
    cat "$logdir/$n.plugin.txt"
    status=1
  elif [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]; then
    echo "ok - $n under valgrind: $p passed, no error or definite leak from libmsnp.so"
  fi
  if ! report "$xml" 0 >"$logdir/$n.other.txt"; then
    echo "  note: $(grep -c '^  [A-Z]' "$logdir/$n.other.txt") report(s) outside the plugin, not" \
         "suppressed (see $logdir/$n.other.txt; add system-library ones to tests/valgrind.supp)"
  fi
done
if [ "$ran" -eq 0 ]; then
  echo "no test program matches \"$pattern\" in $builddir/tests"
  exit 1
fi
exit $status
