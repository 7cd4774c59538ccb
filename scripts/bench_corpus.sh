#!/bin/sh
# Corpus benchmark (issue #11): run from the repository root as `sh scripts/bench_corpus.sh`.
# On the docs corpus (../shared/data/docs-en-zh, 994k paragraph pairs) it measures:
#   1. default settings (`train docs.tsv`, all cores) for BENCH_TIME: seconds from launch to
#      the start of training (the first progress event's arrival less the training seconds
#      it reports), peak RSS of the whole run, target tokens/s, pairs left out (too long, or
#      empty after tokenization);
#   2. cost per token against length: the default model with the same vocabulary sizes on
#      both corpora (--subword none --max-vocab 2400, which both corpora fill on both sides),
#      docs (every 10th pair) and Tatoeba trained in turn for BENCH_SECONDS each, BENCH_REPS
#      rounds; the median target tokens/s of each and their ratio (target >= 0.85);
#   3. translate on long paragraphs (an en->zh model): the docs dev sources in four quarters
#      by source length, 2 threads, beam 5 and greedy: sentences/s, source and output units/s,
#      milliseconds per source unit (linear in length when that stays flat from quarter to
#      quarter). Units are the model's (tokenize -m), at most the 200 translate reads per
#      line; the time is the process's less that of one with empty input (start and load);
#   4. with BENCH_SCALE_PAIRS=N (10000000 for the issue's figure), a corpus of N pairs made by
#      repeating the docs corpus (3.5 GB for 10M, deleted afterwards), default settings for
#      BENCH_SCALE_STEPS steps: launch to training start, peak RSS, target tokens/s;
#   5. with BENCH_BPE=1, scripts/bench_bpe.sh on the whole corpus (BPE learning and
#      segmentation against sentencepiece), whose lines are printed as they are.
# Rows go to bench/corpus.tsv with the date, commit, CPU and load.
#
# Environment (all optional):
#   DOCS           docs data directory    (../shared/data/docs-en-zh)
#   BENCH_DATA     Tatoeba data directory (../shared/data/tatoeba-cmn-eng)
#   BENCH_TIME     training time of part 1 (3m)
#   BENCH_SECONDS  training time of each run in part 2 (30s)
#   BENCH_REPS     rounds of part 2 (3)
#   BENCH_TRANSLATE_REPS  runs of each translation in part 3, median shown (1)
#   BENCH_MODEL    a trained docs model for part 3 (default: the model of part 1, whose
#                  short training makes its output lengths unlike a real model's)
#   BENCH_BPE      1: also run part 5 (several minutes)
#   BENCH_SCALE_PAIRS  pairs of part 4 (0: no part 4); BENCH_SCALE_STEPS its steps (30)
#   BENCH_LINES    use only this many pairs from the start of the corpus (0: all; for trials)
#   BENCH_RESULTS  results file (bench/corpus.tsv); "" appends nothing
#   BENCH_NOTE     free text for the note column
# The corpus is unpacked into a temporary directory and deleted afterwards.
set -eu
cd "$(dirname "$0")/.."
DOCS=${DOCS:-../shared/data/docs-en-zh}
TATOEBA=${BENCH_DATA:-../shared/data/tatoeba-cmn-eng}
RUN_TIME=${BENCH_TIME:-3m}
SECONDS_EACH=${BENCH_SECONDS:-30s}
REPS=${BENCH_REPS:-3}
LINES=${BENCH_LINES:-0}
TRANSLATE_REPS=${BENCH_TRANSLATE_REPS:-1}
RESULTS=${BENCH_RESULTS-bench/corpus.tsv}
SCALE=${BENCH_SCALE_PAIRS:-0}
SCALE_STEPS=${BENCH_SCALE_STEPS:-30}
say() { printf 'bench_corpus: %s\n' "$*" >&2; }
for f in "$DOCS/train.tsv.xz" "$DOCS/dev.tsv" "$TATOEBA/train.tsv"; do
    [ -r "$f" ] || { say "skipped: no $f"; exit 0; }
done
[ -x /usr/bin/time ] || { say "skipped: no /usr/bin/time (apt-get install time)"; exit 0; }
make -s seqtrans
S=./seqtrans
TMP=$(mktemp -d /tmp/bench_corpus.XXXXXX)
train_pid=
trap 'if [ -n "$train_pid" ]; then kill "$train_pid" 2>/dev/null || :; fi; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
if [ "$LINES" -gt 0 ]; then xz -dc "$DOCS/train.tsv.xz" | head -n "$LINES" > "$TMP/docs.tsv"
else xz -dc "$DOCS/train.tsv.xz" > "$TMP/docs.tsv"; fi
awk 'NR % 10 == 1' "$TMP/docs.tsv" > "$TMP/docs10.tsv"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit-dirty"
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
[ -z "$RESULTS" ] || [ -s "$RESULTS" ] ||
    printf 'date_utc\tcommit\tmachine\tfigure\tvalue\tunit\tnote\n' > "$RESULTS"
row() { # figure value unit note
    printf '%-44s %12s %s\n' "$1" "$2" "$3"
    [ -z "$RESULTS" ] ||
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$cpu" "$1" "$2" \
            "$3" "$4${BENCH_NOTE:+; $BENCH_NOTE}" >> "$RESULTS"
}
. scripts/bench_lib.sh

# timed_train NAME CORPUS ARGS...: trains with default settings and ARGS under /usr/bin/time,
# leaving $TMP/NAME.log, .jsonl and .time, and sets launch (seconds from launch to the start
# of training: the first progress event's arrival less the training seconds it reports).
timed_train() {
    name=$1; corpus=$2; shift 2
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$TMP/$name.time" $S train "$corpus" "$@" -o "$TMP/$name.model" \
        --metrics "$TMP/$name.jsonl" 2> "$TMP/$name.log" &
    train_pid=$!
    while ! grep -q '"event":"progress"' "$TMP/$name.jsonl" 2>/dev/null; do
        kill -0 $train_pid 2>/dev/null || break
        sleep 0.1
    done
    seen=$(date +%s.%N)
    wait $train_pid || { tail -n 5 "$TMP/$name.log" >&2; exit 1; }
    train_pid=
    step1=$(grep -m 1 '"event":"progress"' "$TMP/$name.jsonl" | sed 's/.*"elapsed_s":\([0-9.]*\).*/\1/')
    launch=$(echo "$seen $start $step1" | awk '{ printf "%.1f", $1 - $2 - $3 }')
}
peak_mib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/$1.time" | awk '{ printf "%.0f", $1 / 1024 }'; }

# ---- 1. default settings on the whole corpus ----
say "1. default settings, $RUN_TIME on $(wc -l < "$TMP/docs.tsv") pairs (load $load0)"
timed_train default "$TMP/docs.tsv" --time "$RUN_TIME"
threads=$(sed -n 's/.*, \([0-9]*\) threads*$/\1/p' "$TMP/default.log" | head -n 1)
vocab=$(sed -n 's/.*vocabularies \([0-9]*\) \/ \([0-9]*\).*/\1 \/ \2/p' "$TMP/default.log" | head -n 1)
left=$(sed -n 's/.*left out \([0-9]*\) pairs.*/\1/p' "$TMP/default.log" | head -n 1)
row "default: launch to training start" "$launch" s "vocabularies $vocab; load $load0"
row "default: peak RSS of the run" "$(peak_mib default)" MiB "--time $RUN_TIME"
row "default: training target tokens/s" "$(done_rate "$TMP/default.jsonl")" tok/s "--time $RUN_TIME, $threads threads"
row "default: pairs left out (--max-len, empty)" "${left:-0}" pairs "of $(wc -l < "$TMP/docs.tsv")"

# ---- 2. cost per token: docs against Tatoeba, same model and vocabulary sizes ----
same="--subword none --max-vocab 2400 --threads 2 --time $SECONDS_EACH"
say "2. docs (every 10th pair) against Tatoeba, $same, $REPS rounds"
for r in $(seq "$REPS"); do
    for c in docs tatoeba; do
        f="$TMP/docs10.tsv"; [ $c = tatoeba ] && f="$TATOEBA/train.tsv"
        rm -f "$TMP/$c.jsonl" "$TMP/$c.model"
        # shellcheck disable=SC2086
        $S train "$f" $same -o "$TMP/$c.model" --metrics "$TMP/$c.jsonl" 2> "$TMP/$c.log" ||
            { tail -n 5 "$TMP/$c.log" >&2; exit 1; }
        done_rate "$TMP/$c.jsonl" >> "$TMP/$c.rates"
        grep -q 'vocabularies 2400 / 2400' "$TMP/$c.log" || say "warning: $c: $(grep -m1 -o 'vocabularies [0-9 /]*' "$TMP/$c.log")"
    done
    say "round $r: docs $(tail -n 1 "$TMP/docs.rates"), tatoeba $(tail -n 1 "$TMP/tatoeba.rates") tok/s"
done
d=$(median < "$TMP/docs.rates"); t=$(median < "$TMP/tatoeba.rates")
row "same model: docs target tokens/s" "$d" tok/s "median of $REPS, $same"
row "same model: Tatoeba target tokens/s" "$t" tok/s "median of $REPS, alternating with docs"
row "same model: docs / Tatoeba" "$(echo "$d $t" | awk '{ printf "%.3f", $1 / $2 }')" ratio "target >= 0.85"

# ---- 3. translate on long paragraphs ----
model=${BENCH_MODEL:-$TMP/default.model}
say "3. translate the docs dev sources by length quarter with $model"
$S info "$model" | grep -q 'src_lang *en' && $S info "$model" | grep -q 'tgt_lang *zh' ||
    { say "error: $model does not translate en -> zh"; exit 1; }
units() { $S tokenize -m "$model" "$@" | awk '{ n += NF > 200 ? 200 : NF } END { print n + 0 }'; }
: > "$TMP/empty"
/usr/bin/time -f %e -o "$TMP/t" $S translate -m "$model" < "$TMP/empty" > /dev/null
start_s=$(cat "$TMP/t")
say "translate with empty input (start and load): $start_s s, taken off each time below"
cut -f1 "$DOCS/dev.tsv" > "$TMP/dev.en"
$S tokenize -l en "$TMP/dev.en" | awk '{ print NF "\t" NR }' | sort -n -k1,1 -k2,2 | cut -f2 > "$TMP/order"
n=$(wc -l < "$TMP/order")
for q in 1 2 3 4; do
    awk -v lo=$(((q - 1) * n / 4)) -v hi=$((q * n / 4)) 'NR > lo && NR <= hi' "$TMP/order" | sort -n > "$TMP/q$q.ids"
    awk 'NR == FNR { keep[$1] = 1; next } FNR in keep' "$TMP/q$q.ids" "$TMP/dev.en" > "$TMP/q$q.en"
    src_tok=$(units "$TMP/q$q.en")
    lines=$(wc -l < "$TMP/q$q.en")
    for beam in 5 1; do
        : > "$TMP/secs"
        for r in $(seq "$TRANSLATE_REPS"); do
            /usr/bin/time -f %e -o "$TMP/t" $S translate -m "$model" --beam $beam --threads 2 < "$TMP/q$q.en" > "$TMP/out"
            cat "$TMP/t" >> "$TMP/secs"
        done
        secs=$(median < "$TMP/secs" | awk -v s="$start_s" '{ t = $1 - s; printf "%.3f\n", (t > 0.001 ? t : 0.001) }')
        out_tok=$(units --side tgt "$TMP/out")
        echo "$lines $src_tok $out_tok $secs" | awk -v q=$q -v b=$beam '{
            printf "quarter %d beam %d: %d sentences, %.1f source units each, %.1f output units each, %.2f s: %.1f sent/s, %.0f source units/s, %.0f output units/s, %.3f ms per source unit\n",
                q, b, $1, $2 / $1, $3 / $1, $4, $1 / $4, $2 / $4, $3 / $4, 1000 * $4 / $2 }' | tee "$TMP/line" >&2
        row "translate q$q beam $beam: ms per source unit" "$(sed 's/.*, \([0-9.]*\) ms per.*/\1/' "$TMP/line")" ms \
            "$(sed 's/^quarter [0-9] beam [0-9]: //; s/, [0-9.]* ms per.*//' "$TMP/line"); median of $TRANSLATE_REPS; model $(basename "$model")"
    done
done

# ---- 4. ten million pairs ----
if [ "$SCALE" -gt 0 ]; then
    n=$(wc -l < "$TMP/docs.tsv")
    rm -f "$TMP/docs10.tsv" "$TMP"/*.model
    { i=0; while [ $((i * n)) -lt "$SCALE" ]; do cat "$TMP/docs.tsv"; i=$((i + 1)); done; } |
        head -n "$SCALE" > "$TMP/big.tsv"
    say "4. $SCALE pairs (the corpus repeated, $(du -m "$TMP/big.tsv" | cut -f1) MB), default settings, $SCALE_STEPS steps"
    timed_train big "$TMP/big.tsv" --max-steps "$SCALE_STEPS"
    rm -f "$TMP/big.tsv"
    pairs=$(sed -n 's/.*, \([0-9]*\) training pairs.*/\1/p' "$TMP/big.log" | head -n 1)
    row "$SCALE pairs: launch to training start" "$launch" s "$pairs pairs used"
    row "$SCALE pairs: peak RSS of the run" "$(peak_mib big)" MiB "--max-steps $SCALE_STEPS"
    row "$SCALE pairs: training target tokens/s" "$(done_rate "$TMP/big.jsonl")" tok/s "--max-steps $SCALE_STEPS"
fi

# ---- 5. BPE against sentencepiece ----
if [ "${BENCH_BPE:-0}" = 1 ]; then
    say "5. BPE learning and segmentation against sentencepiece"
    DOCS="$DOCS" sh scripts/bench_bpe.sh 0 8000 1 || say "bench_bpe did not run (exit $?)"
fi
say "load $load0 -> $(cut -d' ' -f1-3 /proc/loadavg); $cpu"
