#!/bin/sh
# Benchmark of the metrics: the wall time of `seqtrans eval --hyp` scoring a test set
# against a perturbed copy of itself (BLEU and chrF), median of several runs, for the
# Chinese side (zh tokenizer) and the English side (13a tokenizer), at 1x and 10x size.
# The test set is the Tatoeba dev set (../shared/data/tatoeba-cmn-eng/dev.tsv, 1046
# pairs) when present, else the bundled corpus data/corpus.tsv.
# usage: scripts/bench_metrics.sh [SEQTRANS] [RUNS]     (run from the repository root)
set -eu
bin=${1:-./seqtrans}
runs=${2:-11}
tsv=${BENCH_TSV:-../shared/data/tatoeba-cmn-eng/dev.tsv}
[ -f "$tsv" ] || tsv=data/corpus.tsv
[ -x "$bin" ] || { echo "bench_metrics: no $bin (run make first)" >&2; exit 1; }
[ -f "$tsv" ] || { echo "bench_metrics: no test set found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# references: column 1 (English) and 2 (Chinese); hypotheses: the same lines with
# characters deleted, swapped and added, and words dropped (GNU sed, UTF-8 aware)
cut -f 1 "$tsv" >"$tmp/en.ref"
cut -f 2 "$tsv" >"$tmp/zh.ref"
perturb() {
    LC_ALL=C.UTF-8 sed -e '3~4s/.//2' -e '2~5s/\(.\)\(.\)/\2\1/' -e '5~7s/$/的 x/' \
        -e '4~6s/ [A-Za-z]*//' -e '7~9s/^.*$//' "$1"
}
perturb "$tmp/en.ref" >"$tmp/en.hyp"
perturb "$tmp/zh.ref" >"$tmp/zh.hyp"
for f in en.ref en.hyp zh.ref zh.hyp; do
    for i in 1 2 3 4 5 6 7 8 9 10; do cat "$tmp/$f"; done >"$tmp/10x.$f"
done

now_ns() { date +%s%N; }

# bench NAME HYP REF: prints the median wall time over $runs runs
bench() {
    name=$1; hyp=$2; ref=$3
    "$bin" eval --hyp "$hyp" "$ref" >/dev/null # warm-up, and fail early if it fails
    : >"$tmp/times"
    i=0
    while [ $i -lt "$runs" ]; do
        t0=$(now_ns)
        "$bin" eval --json --hyp "$hyp" "$ref" >"$tmp/out"
        t1=$(now_ns)
        echo $(( (t1 - t0) / 1000 )) >>"$tmp/times"
        i=$((i + 1))
    done
    med=$(sort -n "$tmp/times" | sed -n "$(( (runs + 1) / 2 ))p")
    lines=$(wc -l <"$hyp")
    scores=$(sed -n 's/.*"bleu": \([0-9.]*\), "chrf": \([0-9.]*\),.*"bleu_signature": "[^"]*tok:\([a-z0-9]*\).*/BLEU \1, chrF \2, tok \3/p' "$tmp/out")
    printf '%-8s %6d sentences: median %4d.%03d ms over %d runs (%s)\n' "$name" "$lines" \
        $((med / 1000)) $((med % 1000)) "$runs" "$scores"
}

echo "bench_metrics: $bin eval --hyp on $tsv"
bench zh "$tmp/zh.hyp" "$tmp/zh.ref"
bench en "$tmp/en.hyp" "$tmp/en.ref"
bench zh-10x "$tmp/10x.zh.hyp" "$tmp/10x.zh.ref"
bench en-10x "$tmp/10x.en.hyp" "$tmp/10x.en.ref"
# the process itself (start-up, BLAS initialisation) with a one-line input
echo x >"$tmp/one"
bench startup "$tmp/one" "$tmp/one"
