#!/bin/sh
# The fast soak: `translate` as a co-process over 10,000 lines keeps constant memory (growth
# after the first 1,000 lines at most 1 MiB) and constant per-line latency, and answers every
# line exactly once (scripts/soak.sh runs the long version). Under AddressSanitizer, whose
# quarantine holds freed memory on purpose, only the answers are checked.
. tests/cli_lib.sh
driver=${SEQTRANS_BUILD:-build}/soak_translate
model=tests/fixtures/lstm-v1.model
if [ ! -x "$driver" ]; then
    echo "soak_cli: $driver not built; skipped" >&2
else
    case $SEQTRANS in *asan*) limit="" ;; *) limit=1024 ;; esac
    ok "co-process over 10k lines" "$driver" "$SEQTRANS" "$model" data/dev.tsv 10000 $limit
    grep -q '^lines 10000, answered 10000' "$TMP/out" && pass || fail "every line answered once"
    cat "$TMP/out"
fi
summary soak_cli
