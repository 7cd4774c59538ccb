#!/bin/sh
# Runs every unit-test binary and every CLI test script, then prints one total line.
# usage: tests/run.sh BUILD_DIR SEQTRANS_BINARY
build=$1; bin=$2
export SEQTRANS_BUILD="$build" # where CLI tests find the helpers built with the tests
passed=0; failed=0
tally() { # reads "name: N passed, M failed" lines from a log
    p=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$1" | tail -n 1)
    f=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$1" | tail -n 1)
    [ -n "$p" ] || { p=0; f=1; echo "no summary line from $2" >&2; }
    passed=$((passed + p)); failed=$((failed + f))
}
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$log" 2>&1; rc=$?
    cat "$log"
    tally "$log" "$t"
    [ $rc -eq 0 ] || [ "$(tail -n 1 "$log" | grep -c ' 0 failed')" = 0 ] || failed=$((failed + 1))
done
for t in tests/cli_*.sh; do
    [ "$t" = tests/cli_lib.sh ] && continue
    [ -f "$t" ] || continue
    SEQTRANS="$bin" sh "$t" >"$log" 2>&1
    cat "$log"
    tally "$log" "$t"
done
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
