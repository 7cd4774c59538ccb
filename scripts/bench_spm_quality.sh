#!/bin/sh
# Segmentation through a trained model: seqtrans's own BPE against sentencepiece's BPE on the
# docs corpus, English -> Chinese, the same training time and threads for both.
#   A (ours): `seqtrans train TRAIN --dev DEV --time T --subword bpe-chars --vocab-size V`,
#      default settings otherwise (bpe-chars is the default from 100k pairs; it is given so
#      that trials on fewer pairs compare BPE too); scored by `seqtrans eval`.
#   B (sentencepiece): spm_train --model_type=bpe --vocab_size=V per side (English column 1,
#      coverage 1.0; Chinese column 2, coverage 0.9995); spm_encode --output_format=id turns
#      both sides of TRAIN and DEV into lines of ids, pasted back into TSV (a pair is dropped
#      when a side comes out empty). The seqtrans tokenizer keeps a run of digits as one
#      token, so each id is one word: `train --subword none --min-count 1 --max-vocab V+10`.
#      With no Han characters on either side the tie makes column 1 the source and the
#      target "Chinese" (checked with `seqtrans info`); Chinese detokenization puts one space
#      between adjacent digit tokens, so `translate` writes the ids space-separated. Those
#      are decoded with `spm_decode --input_format=id` (a token that is not an id is dropped
#      and counted) and scored by `seqtrans eval --hyp` against column 2 of the original DEV.
# Both models are evaluated with beam 5 on all of DEV. With BENCH_SIDE_BY_SIDE=1 the two
# trainings run at the same time (one core each at the default 1 thread), so they share the
# same load; sentencepiece's training and encoding come first and are timed apart.
#
# Known confounds. seqtrans masks protected spans (inline code, URLs, paths, e-mail) into
# placeholders and copies them through byte for byte; the id pipeline cannot, so sentencepiece
# must learn to spell them, and part of any BLEU difference is span handling, not
# segmentation. --max-len 100 counts units, and Chinese in bpe-chars stays characters while
# sentencepiece merges it, so the two models leave out different pairs (pairs_used shown).
# Target tok/s counts each model's own units (Chinese characters for A, sentencepiece pieces
# for B): compare steps, not tok/s, for the amount of training. translate replaces a target
# <unk> by a source number it attends to, which for B would be an English id; with every
# training id in the vocabulary the model hardly ever emits <unk>.
#
# usage: sh scripts/bench_spm_quality.sh      (from anywhere; runs from the repository root)
# Environment (all optional):
#   TRAIN               training TSV (/work/tmp-data/train.tsv if it exists, else
#                       ../shared/data/docs-en-zh/train.tsv.xz unpacked to a temporary dir)
#   DEV                 dev TSV (/work/shared/data/docs-en-zh/dev.tsv)
#   BENCH_TIME          training time of each model, `train --time` (15m)
#   BENCH_THREADS       threads of each training, translation and of spm_train (1)
#   BENCH_VOCAB         vocabulary size of both segmentations, per side (8000)
#   BENCH_LINES         use the first N pairs of TRAIN (0: all)
#   BENCH_SIDE_BY_SIDE  1: train the two models at the same time; 0: one after the other (1)
#   BENCH_RECORD        1: append the rows to bench/spm_quality.tsv; 0: print only (1)
#   BENCH_SPM_ZH_SAMPLE sentences spm_train learns the Chinese side from, a random sample
#                       (100000; 0: all). Sentencepiece splits at spaces only, so a Chinese
#                       line is one long "word", and its BPE trainer is slow on them: 192 s
#                       for 50k lines (session 4); on all 994k it had made 20 of 8,000
#                       merges after 4 minutes. English is learnt from every line.
#   BENCH_SPM_THREADS   threads of spm_train (all cores: it runs before the trainings)
#   BENCH_KEEP          a directory to copy the models and B's translations into
# Needs spm_train, spm_encode, spm_decode (Debian: apt-get install sentencepiece). Temporary
# files go to a directory under /tmp, removed on exit.
set -eu
cd "$(dirname "$0")/.."
docs=/work/shared/data/docs-en-zh
if [ -z "${TRAIN:-}" ] && [ -f /work/tmp-data/train.tsv ]; then TRAIN=/work/tmp-data/train.tsv; fi
TRAIN=${TRAIN:-}
DEV=${DEV:-$docs/dev.tsv}
T=${BENCH_TIME:-15m}
N=${BENCH_THREADS:-1}
V=${BENCH_VOCAB:-8000}
LINES=${BENCH_LINES:-0}
SIDE=${BENCH_SIDE_BY_SIDE:-1}
RECORD=${BENCH_RECORD:-1}
ZH_SAMPLE=${BENCH_SPM_ZH_SAMPLE:-100000}
SPM_THREADS=${BENCH_SPM_THREADS:-$(nproc)}
RESULTS=bench/spm_quality.tsv
say() { printf 'bench_spm_quality: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
for c in spm_train spm_encode spm_decode; do
    command -v $c >/dev/null || die "$c not found (apt-get install sentencepiece)"
done
[ -r "$DEV" ] || die "no $DEV"
[ -n "$TRAIN" ] || [ -r "$docs/train.tsv.xz" ] || die "no TRAIN and no $docs/train.tsv.xz"
[ -z "$TRAIN" ] || [ -r "$TRAIN" ] || die "no $TRAIN"
make -s -j2 seqtrans

tmp=$(mktemp -d /tmp/bench_spm_quality.XXXXXX)
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || :; done
    for p in $pids; do wait "$p" 2>/dev/null || :; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Both trainings run this copy: a rebuild during the run must not change what is measured.
cp seqtrans "$tmp/seqtrans"
S=$tmp/seqtrans
. scripts/bench_lib.sh
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
col() { awk -F'\t' -v c="$1" '{ print $c }' "$2"; } # column c of a TSV, one line per line

# ---- inputs ----
if [ -z "$TRAIN" ]; then
    say "unpacking $docs/train.tsv.xz"
    if [ "$LINES" -gt 0 ]; then xz -dc "$docs/train.tsv.xz" | head -n "$LINES" > "$tmp/train.tsv"
    else xz -dc "$docs/train.tsv.xz" > "$tmp/train.tsv"; fi
    TRAIN=$tmp/train.tsv
elif [ "$LINES" -gt 0 ]; then
    head -n "$LINES" "$TRAIN" > "$tmp/train.tsv"
    TRAIN=$tmp/train.tsv
fi
col 1 "$TRAIN" > "$tmp/train.en"; col 2 "$TRAIN" > "$tmp/train.zh"
col 1 "$DEV" > "$tmp/dev.en"; col 2 "$DEV" > "$tmp/refs.txt"
pairs=$(wc -l < "$tmp/train.en")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src 2>/dev/null || commit="$commit-dirty"
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
say "$pairs training pairs, $(wc -l < "$tmp/dev.en") dev pairs, vocabulary $V, $T per model," \
    "$N thread(s), side by side $SIDE; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- B's segmentation: sentencepiece ----
start=$(now)
for side in en zh; do
    cov=1.0; sample=0; [ $side = zh ] && cov=0.9995 && sample=$ZH_SAMPLE
    spm_train --input="$tmp/train.$side" --model_prefix="$tmp/$side" --model_type=bpe \
        --vocab_size="$V" --character_coverage=$cov --num_threads="$SPM_THREADS" \
        --input_sentence_size="$sample" --shuffle_input_sentence=true > "$tmp/spm_train.$side.log" 2>&1 ||
        { tail -n 20 "$tmp/spm_train.$side.log" >&2; die "spm_train failed on the $side side"; }
done
spm_train_s=$(since "$start")
start=$(now)
for f in train.en train.zh dev.en refs.txt; do
    case $f in *en) m=en ;; *) m=zh ;; esac
    spm_encode --model="$tmp/$m.model" --output_format=id --input="$tmp/$f" --output="$tmp/$f.ids"
    [ "$(wc -l < "$tmp/$f.ids")" -eq "$(wc -l < "$tmp/$f")" ] || die "spm_encode changed the line count of $f"
done
spm_encode_s=$(since "$start")
rm "$tmp/train.en" "$tmp/train.zh"
# Pairs with an empty side are dropped.
paste "$tmp/train.en.ids" "$tmp/train.zh.ids" | awk -F'\t' '$1 != "" && $2 != ""' > "$tmp/ids.tsv"
paste "$tmp/dev.en.ids" "$tmp/refs.txt.ids" | awk -F'\t' '$1 != "" && $2 != ""' > "$tmp/dev-ids.tsv"
dropped=$((pairs - $(wc -l < "$tmp/ids.tsv")))
# spm's <unk> is id 0; its share of all ids on each side of the training text.
unk_share() { awk '{ for (i = 1; i <= NF; i++) { n++; if ($i == "0") u++ } }
                   END { printf "%.3f%%", n ? 100 * u / n : 0 }' "$1"; }
spm_unk="en $(unk_share "$tmp/train.en.ids"), zh $(unk_share "$tmp/train.zh.ids")"
rm "$tmp/train.en.ids" "$tmp/train.zh.ids"
say "sentencepiece: spm_train ${spm_train_s} s (both sides), spm_encode ${spm_encode_s} s (train and dev)," \
    "$dropped pairs dropped (a side empty), <unk> (id 0) in train: $spm_unk"

# ---- training ----
# Each starts one training in the background ($! is the seqtrans process itself).
train_a() {
    "$S" train "$TRAIN" --dev "$DEV" --time "$T" --threads "$N" --subword bpe-chars --vocab-size "$V" \
        -o "$tmp/A.model" --metrics "$tmp/A.jsonl" > "$tmp/A.log" 2>&1 &
}
train_b() {
    "$S" train "$tmp/ids.tsv" --subword none --min-count 1 --max-vocab $((V + 10)) \
        --dev "$tmp/dev-ids.tsv" --time "$T" --threads "$N" \
        -o "$tmp/B.model" --metrics "$tmp/B.jsonl" > "$tmp/B.log" 2>&1 &
}
failed() { tail -n 20 "$tmp/$1.log" >&2; die "training model $1 failed"; }
start=$(now)
if [ "$SIDE" = 1 ]; then
    say "training both models side by side, $T each"
    train_a; pa=$!; pids=$pa
    train_b; pb=$!; pids="$pa $pb"
    wait "$pa" || failed A
    wait "$pb" || failed B
else
    say "training model A, $T"; train_a; pa=$!; pids=$pa; wait "$pa" || failed A
    say "training model B, $T"; train_b; pb=$!; pids=$pb; wait "$pb" || failed B
fi
pids=
say "trained in $(since "$start") s"

# ---- scoring ----
info() { "$S" info --json "$1" | sed -n "s/.*\"$2\": \"*\([^\",}]*\).*/\1/p"; }
[ "$(info "$tmp/B.model" src_lang)" = en ] && [ "$(info "$tmp/B.model" tgt_lang)" = zh ] ||
    die "model B was trained $(info "$tmp/B.model" src_lang) -> $(info "$tmp/B.model" tgt_lang), not en -> zh"
json() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" "$1"; }
"$S" eval -m "$tmp/A.model" --json --threads "$N" "$DEV" > "$tmp/A.json"
"$S" translate -m "$tmp/B.model" --threads "$N" "$tmp/dev.en.ids" > "$tmp/hyp.ids"
# Keep the integer ids of each line; count the tokens that are not one and spm's <unk>.
awk -v bad="$tmp/bad" '{ s = ""
        for (i = 1; i <= NF; i++) {
            n++
            if ($i !~ /^[0-9]+$/) { b++; continue }
            if ($i == "0") u++
            s = s (s == "" ? "" : " ") $i
        }
        print s }
    END { printf("%d of %d output tokens not an id, <unk> (id 0) %.3f%%\n", b, n, n ? 100 * u / n : 0) > bad }' \
    "$tmp/hyp.ids" > "$tmp/hyp.clean"
spm_decode --model="$tmp/zh.model" --input_format=id --input="$tmp/hyp.clean" --output="$tmp/hyp.txt"
"$S" eval --hyp "$tmp/hyp.txt" --json "$tmp/refs.txt" > "$tmp/B.json"
say "model B output: $(cat "$tmp/bad")"

# ---- report ----
[ "$RECORD" != 1 ] || [ -s "$RESULTS" ] ||
    printf 'date\tcommit\tcpu\tmodel\tunits\tvocab\ttime\tthreads\tsteps\ttok_per_s\tbleu\tchrf\n' > "$RESULTS"
date=$(date -u +%Y-%m-%dT%H:%MZ)
report() { # name units model-id
    vocab="$(info "$tmp/$3.model" src_vocab)/$(info "$tmp/$3.model" tgt_vocab)"
    steps=$(sed -n 's/.*"event":"done".*"step":\([0-9]*\).*/\1/p' "$tmp/$3.jsonl")
    rate=$(done_rate "$tmp/$3.jsonl")
    used=$(info "$tmp/$3.model" pairs_used)
    bleu=$(json "$tmp/$3.json" bleu); chrf=$(json "$tmp/$3.json" chrf)
    ratio=$(sed -n 's/.*"sys_len": \([0-9]*\), "ref_len": \([0-9]*\).*/\1 \2/p' "$tmp/$3.json" |
        awk '{ printf "%.3f", $2 ? $1 / $2 : 0 }')
    printf '%-13s %-9s vocab %-11s steps %-7s pairs %-8s tgt tok/s %-8s BLEU %6.2f  chrF %6.2f  length ratio %s\n' \
        "$1" "$2" "$vocab" "$steps" "$used" "$rate" "$bleu" "$chrf" "$ratio"
    [ "$RECORD" != 1 ] ||
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\n' "$date" "$commit" "$cpu" "$1" "$2" \
            "$vocab" "$T" "$N" "$steps" "$rate" "$bleu" "$chrf" >> "$RESULTS"
}
echo "bench_spm_quality: en->zh, $pairs pairs, $T per model, $N thread(s), commit $commit"
report seqtrans bpe-chars A
report sentencepiece spm-bpe B
if [ -n "${BENCH_KEEP:-}" ]; then # the models and B's translations, to look at afterwards
    mkdir -p "$BENCH_KEEP" && cp "$tmp"/A.model "$tmp"/B.model "$tmp"/en.model "$tmp"/zh.model "$tmp"/hyp.txt "$BENCH_KEEP"/
fi
echo "sentencepiece: Chinese learnt from $ZH_SAMPLE sampled lines (0: all); spm_train $spm_train_s s, spm_encode $spm_encode_s s, $dropped pairs dropped, <unk> $spm_unk"
