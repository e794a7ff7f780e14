#!/bin/sh
# Runs every test program of a build folder and every UI smoke script, reads the
# TAP each prints, and ends with one line: "N passed, N failed, N skipped".
# A program that crashes, hangs or exits non-zero counts as one more failure.
# Usage: sh tests/run-tests.sh BUILDDIR [PATTERN]
set -u
builddir=${1:?usage: run-tests.sh BUILDDIR [PATTERN]}
pattern=${2:-}
logdir="$builddir/test-logs"
mkdir -p "$logdir"
export MSNP_BUILDDIR="$builddir"
export MSNP_SRCDIR="$(pwd)"
export G_DEBUG="${G_DEBUG:-fatal-criticals}"
export LC_ALL=C.UTF-8
if [ -n "${ASAN:-}" ]; then
  # LeakSanitizer's thread walk crashes on the dynamic TLS of GnuTLS when
  # glib-networking loads it later (at the first HTTPS request): loading it at
  # start makes its TLS static.
  gnutls=$(ldconfig -p 2>/dev/null | awk '/libgnutls\.so\.30 /{print $NF; exit}')
  [ -n "$gnutls" ] && export LD_PRELOAD="$gnutls${LD_PRELOAD:+:$LD_PRELOAD}"
  export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:verify_asan_link_order=0:${ASAN_OPTIONS:-}"
  export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
timeout_s=${MSNP_TEST_TIMEOUT:-300}
passed=0 failed=0 skipped=0

run_one() { # name, command...
  name=$1; shift
  log="$logdir/$name.log"
  timeout -k 10 "$timeout_s" "$@" >"$log" 2>&1
  rc=$?
  p=$(grep -c '^ok ' "$log" | tr -d ' ')
  s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log" | tr -d ' ')
  f=$(grep -c '^not ok ' "$log" | tr -d ' ')
  p=$((p - s))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "not ok - $name exited with status $rc" >>"$log"
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$f" -gt 0 ]; then
    echo "FAIL $name: $p passed, $f failed, $s skipped (log: $log)"
    grep -E '^not ok|ERROR|Bail out' "$log" | head -n 20 | sed 's/^/    /'
  else
    echo "  ok $name: $p passed, $s skipped"
  fi
}

for t in "$builddir"/tests/*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  n=$(basename "$t")
  case "$n" in *"$pattern"*) ;; *) continue ;; esac
  case "$n" in
    replay-fuzz-*) c=$(echo "$n" | sed 's/^replay-//'); run_one "$n" "$t" --tap "tests/fuzz/corpus/$c" ;;
    *) run_one "$n" "$t" --tap ;;
  esac
done
for s in tests/ui/*.sh tests/i18n/*.sh tests/packaging/*.sh; do
  [ -f "$s" ] || continue
  n=$(basename "$s" .sh)
  [ "$n" = lib ] && continue        # tests/ui/lib.sh: helpers the UI scripts source
  case "$n" in *"$pattern"*) ;; *) continue ;; esac
  if [ -n "${ASAN:-}" ] && [ "${s#tests/ui/}" != "$s" ]; then
    # Pidgin and Finch are not built with ASan and cannot load an ASan plugin.
    echo "  ok ui-$n: skipped under ASan (runs in make check)"
    skipped=$((skipped + 1))
    continue
  fi
  run_one "ui-$n" sh "$s" "$builddir"
done

# The conversation tests again under valgrind (no memory error, no definite leak
# from the plugin): not under ASan, not without valgrind; MSNP_VALGRIND names
# the test programs ("" or 0: none).
vg=${MSNP_VALGRIND-conversation}
if [ -z "${ASAN:-}" ] && [ -n "$vg" ] && [ "$vg" != 0 ] && command -v valgrind >/dev/null 2>&1; then
  case "valgrind-$vg" in *"$pattern"*)
    t0=$timeout_s; timeout_s=$((timeout_s * 6))    # valgrind runs 20-50 times slower
    run_one "valgrind-$vg" sh tests/valgrind.sh "$builddir" "$vg"
    timeout_s=$t0 ;;
  esac
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
