#!/bin/sh
# A/B benchmark: scripts/bench.sh on two seqtrans binaries, alternating A B A B ..., so that
# the host's changes of speed fall on both alike; prints each run's row and the median ratio
# B/A of every figure. Nothing is appended to bench/results.tsv unless BENCH_RESULTS is set.
# usage: scripts/bench_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]   (default 3 rounds)
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/bench_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]" >&2; exit 2; }
a=$(realpath "$1"); b=$(realpath "$2"); rounds=${3:-3}
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
# a figure of bench.sh's table: the value column after the 44-character metric name
value() { grep -F "$2" "$1" | head -n 1 | cut -c46-57 | tr -d ' '; }
for i in $(seq "$rounds"); do
    for which in a b; do
        bin=$a; [ "$which" = b ] && bin=$b
        BENCH_BIN=$bin BENCH_RESULTS=${BENCH_RESULTS:-} sh scripts/bench.sh > "$out/$which.$i" 2> "$out/$which.$i.err" ||
            { cat "$out/$which.$i.err" >&2; exit 1; }
        echo "round $i $which: $(value "$out/$which.$i" 'training  tok/s') tok/s, greedy $(value "$out/$which.$i" 'translate greedy  sent/s') sent/s, beam 5 $(value "$out/$which.$i" 'translate beam 5  sent/s') sent/s"
    done
done
for fig in 'training  tok/s' 'translate greedy  sent/s' 'translate beam 5  sent/s' \
           'one sentence, start to exit  ms' 'training  peak RSS MiB' 'translate  peak RSS MiB'; do
    for which in a b; do
        for i in $(seq "$rounds"); do value "$out/$which.$i" "$fig"; done |
            sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' > "$out/med.$which"
    done
    printf '%-22s A %10s  B %10s  B/A %s\n' "$fig" "$(cat "$out/med.a")" "$(cat "$out/med.b")" \
        "$(awk -v x="$(cat "$out/med.a")" -v y="$(cat "$out/med.b")" 'BEGIN { if (x > 0) printf "%.3f", y / x; else print "n/a" }')"
done
