#!/bin/sh
# Times seqtrans's BPE (src/text/bpe.c) against sentencepiece's BPE on the same text: the
# English and the Chinese side of the docs corpus, the same vocabulary size, 2 threads.
#
# usage: scripts/bench_bpe.sh [LINES] [VOCAB] [RUNS]
#   LINES  training lines taken from the start of train.tsv.xz (default 0: all 994k)
#   VOCAB  vocabulary size for both (default 32000); RUNS repetitions, medians shown (3)
# Needs spm_train/spm_encode (Debian: apt-get install sentencepiece). Unpacks the corpus
# into a temporary directory under /tmp and deletes it afterwards.
#
# What is timed. learn: ours counts the words of the raw lines with the seqtrans tokenizer
# on 2 threads and learns the merges (bench_bpe learn: "total"); spm_train --model_type=bpe
# --num_threads=2 reads, normalizes and learns (whole process, wall clock). segment: ours
# segments already tokenized text, one thread, and reports input tokens per second (the
# tokenizer is timed apart and shown too); spm_encode encodes the raw lines (whole process).
# Each tool pre-tokenizes in its own way (sentencepiece splits at spaces only, so a Chinese
# sentence is one "word" to it; ours joins runs of Han characters), so unit counts differ.
set -eu
cd "$(dirname "$0")/.."
lines=${1:-0}; vocab=${2:-32000}; runs=${3:-3}
data=${DOCS:-/work/shared/data/docs-en-zh}
command -v spm_train >/dev/null || { echo "bench_bpe: spm_train not found (apt-get install sentencepiece)" >&2; exit 2; }
[ -f "$data/train.tsv.xz" ] || { echo "bench_bpe: no $data/train.tsv.xz" >&2; exit 2; }
make -s -j2 build/libseqtrans.a
tmp=$(mktemp -d /tmp/bench_bpe.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -std=c11 -O3 -march=native -D_GNU_SOURCE -Isrc scripts/bench_bpe.c build/libseqtrans.a \
    -lutf8proc -lm -lpthread -ldl -o "$tmp/bench_bpe"
if [ "$lines" -gt 0 ]; then xz -dc "$data/train.tsv.xz" | head -n "$lines" > "$tmp/train.tsv"
else xz -dc "$data/train.tsv.xz" > "$tmp/train.tsv"; fi
cut -f1 "$tmp/train.tsv" > "$tmp/train.en"; cut -f2 "$tmp/train.tsv" > "$tmp/train.zh"
head -n 100000 "$tmp/train.en" > "$tmp/sample.en"; head -n 100000 "$tmp/train.zh" > "$tmp/sample.zh"
cut -f1 "$data/dev.tsv" > "$tmp/dev.en"; cut -f2 "$data/dev.tsv" > "$tmp/dev.zh"
rm "$tmp/train.tsv"
echo "bench_bpe: $(wc -l < "$tmp/train.en") training lines, vocabulary $vocab, $runs runs, medians; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

. scripts/bench_lib.sh
wall() { /usr/bin/time -f %e -o "$tmp/t" "$@" > /dev/null 2>&1; cat "$tmp/t"; }

for side in en zh; do
    han=0; cov=1.0; [ $side = zh ] && { han=1; cov=0.9999; }
    : > "$tmp/ours"; : > "$tmp/spm"
    r=0
    while [ $r -lt $runs ]; do
        "$tmp/bench_bpe" learn $side "$vocab" 2 $han "$tmp/train.$side" "$tmp/ours.$side.bpe" > "$tmp/log"
        sed -n 's/.* total \([0-9.]*\) s.*/\1/p' "$tmp/log" >> "$tmp/ours"
        wall spm_train --input="$tmp/train.$side" --model_prefix="$tmp/spm.$side" --vocab_size="$vocab" \
            --model_type=bpe --num_threads=2 --character_coverage=$cov --minloglevel=2 >> "$tmp/spm"
        r=$((r + 1))
    done
    echo "$side learn: ours $(median < "$tmp/ours") s ($(sed 's/ total.*//' "$tmp/log")), spm_train $(median < "$tmp/spm") s"
    for text in dev sample; do
        : > "$tmp/ours"; : > "$tmp/spm"
        r=0
        while [ $r -lt $runs ]; do
            "$tmp/bench_bpe" segment "$tmp/ours.$side.bpe" $side "$tmp/$text.$side" > "$tmp/log"
            sed -n 's/.* = \([0-9.]*\) M tokens.*/\1/p' "$tmp/log" >> "$tmp/ours"
            wall spm_encode --model="$tmp/spm.$side.model" --input="$tmp/$text.$side" --output="$tmp/out" >> "$tmp/spm"
            r=$((r + 1))
        done
        echo "$side segment $text: ours $(median < "$tmp/ours") M tokens/s ($(cat "$tmp/log")), spm_encode $(median < "$tmp/spm") s for $(wc -l < "$tmp/$text.$side") lines, $(wc -w < "$tmp/out") pieces"
    done
done
