#!/bin/sh
# seqtrans benchmark (issue #4): run from the repository root as `sh scripts/bench.sh`.
#
# Measures, on the Tatoeba English-Chinese data, with the benchmark model
#   --emb 256 --hidden 512 --layers 1 --encoder uni --batch 64 --dropout 0.2
# and 2 threads:
#   1. the cblas_sgemm ceiling (GFLOP/s) at the model's matrix shapes,
#   2. training throughput (target tokens/s) and the fraction of that ceiling it reaches,
#   3. translation throughput, greedy and beam 5, on the dev sources,
#   4. peak resident memory of train and translate,
#   5. wall time of translating one sentence, process start to exit,
#   3-5 also for the int8 copy of the model (seqtrans quantize), alternating float and int8
#   runs so that both see the same load, with its file size,
# prints a table with the targets of issue #4 and appends one row to bench/results.tsv.
# Method and formulas: bench/README.md.
#
# Environment (all optional):
#   BENCH_DATA      data directory          (../shared/data/tatoeba-cmn-eng)
#   BENCH_STEPS     training steps          (150)
#   BENCH_WARMUP    steps before the rate is measured (20)
#   BENCH_THREADS   threads                 (2)
#   BENCH_REPS      repetitions of the cheap rates: gemm, translate (3)
#   BENCH_ONE_RUNS  runs of the one-sentence timing (20)
#   BENCH_RESULTS   results file            (bench/results.tsv); "-" or "" appends nothing
#   BENCH_NOTE      free text for the results row's note column
#   BENCH_BIN       measure this seqtrans binary instead of building ./seqtrans (for A/B runs)
set -eu

cd "$(dirname "$0")/.."

DATA=${BENCH_DATA:-../shared/data/tatoeba-cmn-eng}
STEPS=${BENCH_STEPS:-150}
WARMUP=${BENCH_WARMUP:-20}
THREADS=${BENCH_THREADS:-2}
REPS=${BENCH_REPS:-3}
ONE_RUNS=${BENCH_ONE_RUNS:-20}
RESULTS=${BENCH_RESULTS-bench/results.tsv}
USER_NOTE=${BENCH_NOTE:-}
E=256 H=512 B=64
MODEL_OPTS="--emb $E --hidden $H --layers 1 --encoder uni --batch $B --dropout 0.2"
ONE_SENTENCE="How are you?"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for v in "$STEPS" "$WARMUP" "$THREADS" "$REPS" "$ONE_RUNS"; do
    case $v in '' | *[!0-9]*) die "BENCH_STEPS, BENCH_WARMUP, BENCH_THREADS, BENCH_REPS and BENCH_ONE_RUNS must be whole numbers" ;; esac
done
[ "$STEPS" -gt 0 ] && [ "$THREADS" -gt 0 ] && [ "$REPS" -gt 0 ] && [ "$ONE_RUNS" -gt 0 ] ||
    die "BENCH_STEPS, BENCH_THREADS, BENCH_REPS and BENCH_ONE_RUNS must be positive"

if [ ! -r "$DATA/train.tsv" ] || [ ! -r "$DATA/dev.tsv" ]; then
    say "skipped: no Tatoeba data ($DATA/train.tsv and dev.tsv); set BENCH_DATA to its directory"
    exit 0
fi

# ---- tools ----
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing GNU time (for peak memory)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; } || true
    fi
    [ -x "$TIME" ] || die "/usr/bin/time (GNU time) is needed: apt-get install time"
fi
command -v cc >/dev/null 2>&1 || die "no C compiler (cc)"
date +%s%N | grep -q '^[0-9]*$' || die "date +%s%N must give nanoseconds (GNU date)"

if [ -n "${BENCH_BIN:-}" ]; then
    SEQ=$BENCH_BIN
    [ -x "$SEQ" ] || die "BENCH_BIN '$SEQ' is not an executable"
else
    say "building seqtrans"
    make -s seqtrans >&2 || die "make seqtrans failed"
    SEQ=./seqtrans
fi

mkdir -p build
OB_INC=$(ls -d /usr/include/*/openblas-pthread 2>/dev/null | head -n 1 || true)
[ -n "$OB_INC" ] || OB_INC=/usr/include/x86_64-linux-gnu/openblas-pthread
cc -O2 -std=c11 -Wall -I"$OB_INC" -o build/bench_gemm scripts/bench_gemm.c -lopenblas ||
    die "cannot compile scripts/bench_gemm.c (needs libopenblas-dev)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqtrans-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }
# median of the numbers on stdin, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# a / b with the given decimals, or "n/a"
div() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.*f\n", d, a / b }'; }
isnum() { case $1 in '' | n/a | FAIL*) return 1 ;; *) return 0 ;; esac; }
kb_to_mib() { if isnum "$1"; then awk -v k="$1" 'BEGIN { printf "%.0f\n", k / 1024 }'; else echo "$1"; fi; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
T_START=$(now_ns)

# ---- machine, commit, BLAS kernel ----
CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$CPU" ] || CPU=$(uname -m)
CPU="$CPU, $(nproc 2>/dev/null || echo '?') cores"
COMMIT=unknown
if git rev-parse --short HEAD >/dev/null 2>&1; then
    COMMIT=$(git rev-parse --short HEAD)
    # tracked changes outside bench/ (this script appends to bench/results.tsv), and new
    # source files, which the Makefile compiles with a wildcard
    if [ -n "$(git status --porcelain --untracked-files=no -- . ':(exclude)bench' 2>/dev/null)" ] ||
        git status --porcelain -- src Makefile 2>/dev/null | grep -q '^??'; then
        COMMIT="$COMMIT-dirty"
    fi
fi
VERSION=$($SEQ --version 2>&1) || die "./seqtrans --version failed"
KERNEL=$(printf '%s\n' "$VERSION" | sed -n 's/.*kernel \([A-Za-z0-9_]*\).*/\1/p' | head -n 1)
[ -n "$KERNEL" ] || KERNEL=unknown
say "$(printf '%s\n' "$VERSION" | grep -i blas | head -n 1)"
say "commit $COMMIT on $CPU; load average $LOAD0"

# ---- corpus statistics: token counts as seqtrans counts them (see README) ----
say "corpus statistics"
awk -F '\t' '{ sub(/\r$/, ""); print $1 }' "$DATA/train.tsv" | $SEQ tokenize -l en >"$TMP/src.tok"
awk -F '\t' '{ sub(/\r$/, ""); print $2 }' "$DATA/train.tsv" | $SEQ tokenize -l zh >"$TMP/tgt.tok"
# pairs: kept pairs (both sides non-empty, <= 100 tokens); S: source tokens;
# T: decoder steps = target tokens + end-of-sentence; ST: sum of S*T per pair
STATS=$(paste "$TMP/src.tok" "$TMP/tgt.tok" | awk -F '\t' '
    { s = split($1, a, " "); t = split($2, b, " ")
      if (s == 0 || t == 0 || s > 100 || t > 100) next
      n++; S += s; T += t + 1; ST += s * (t + 1) }
    END { printf "%d %d %d %d\n", n, S, T, ST }')
set -- $STATS
PAIRS=$1 SUM_S=$2 SUM_T=$3 SUM_ST=$4
[ "$PAIRS" -gt 0 ] || die "no usable pairs in $DATA/train.tsv"
AVG_S=$(div "$SUM_S" "$PAIRS" 2)
AVG_T=$(div "$SUM_T" "$PAIRS" 2)

# ---- 2. training ----
say "training $STEPS steps ($MODEL_OPTS --threads $THREADS)"
MODEL=$TMP/bench.model
t0=$(now_ns)
# not -q: the setup line on stderr gives the vocabulary sizes
if ! $TIME -v -o "$TMP/train.time" $SEQ train "$DATA/train.tsv" --max-steps "$STEPS" $MODEL_OPTS \
    --threads "$THREADS" --seed 1 --metrics "$TMP/train.jsonl" -o "$MODEL" 2>"$TMP/train.log"; then
    tail -n 5 "$TMP/train.log" >&2
    die "training failed"
fi
TRAIN_WALL=$(div "$(($(now_ns) - t0))" 1000000000 1)
TRAIN_RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$TMP/train.time")
V=$(sed -n 's/.*vocabularies \([0-9]*\) \/ \([0-9]*\).*/\2/p' "$TMP/train.log" | head -n 1)
VS=$(sed -n 's/.*vocabularies \([0-9]*\) \/ \([0-9]*\).*/\1/p' "$TMP/train.log" | head -n 1)
NPARAM=$(sed -n 's/.*, \([0-9]*\) parameters.*/\1/p' "$TMP/train.log" | head -n 1)
if [ -z "$V" ]; then
    # vocabulary not reported: estimate as the tokens seen at least twice, plus 4 specials
    V=$(tr ' ' '\n' <"$TMP/tgt.tok" | awk 'NF { c[$1]++ } END { for (w in c) n += c[w] >= 2; print n + 4 }')
    VS="?"
    say "no vocabulary size in the train log; target vocabulary estimated as $V"
fi
# Rate between the first progress event at step >= WARMUP and the end of training. The
# end is the last progress event (written at the final step, before the model is saved);
# without one, the done event (which is written after saving).
TRAIN_RATE=$(awk -v warm="$WARMUP" '
    function f(k) { return match($0, "\"" k "\":[-+0-9.eE]+") ? substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0 : "" }
    /"event":"progress"/ { st = f("step"); el = f("elapsed_s"); tk = f("tgt_tokens")
        if (!have0 && st >= warm) { have0 = 1; s0 = st; e0 = el; k0 = tk }
        if (st != ls) { ls = st; le = el; lk = tk } }
    /"event":"done"/ { ds = f("step"); de = f("elapsed_s"); dk = f("tgt_tokens"); done = 1 }
    END {
        if (!done) { print "FAIL 0 0 0 no-done-event"; exit }
        if (ls == ds) { de = le; dk = lk }
        if (have0 && ds > s0 && de > e0) printf "%.1f %d %d %.1f warm\n", (dk - k0) / (de - e0), s0, ds, de - e0
        else if (de > 0) printf "%.1f 0 %d %.1f cold\n", dk / de, ds, de
        else print "FAIL 0 0 0 no-time"
    }' "$TMP/train.jsonl")
set -- $TRAIN_RATE
TRAIN_TOKS=$1 TRAIN_FROM=$2 TRAIN_TO=$3 TRAIN_MSECS=$4 TRAIN_HOW=$5
[ "$TRAIN_TOKS" != FAIL ] || die "cannot read the training rate from the metrics ($TRAIN_HOW)"
if [ "$TRAIN_HOW" = warm ]; then
    TRAIN_NOTE="steps $TRAIN_FROM..$TRAIN_TO, ${TRAIN_MSECS}s"
else
    TRAIN_NOTE="steps 0..$TRAIN_TO incl. warm-up (no progress event after step $WARMUP)"
fi

# FLOPs per target token, forward pass, from the corpus sums (bench/README.md)
FLOP_TOK=$(awk -v E="$E" -v H="$H" -v V="$V" -v S="$SUM_S" -v T="$SUM_T" -v ST="$SUM_ST" 'BEGIN {
    enc = S * (2 * E * 4 * H + 2 * H * 4 * H + 2 * H * H)      # input proj, recurrence, attention keys
    dec = T * (2 * E * 4 * H + 2 * H * 4 * H + 2 * 2 * H * H + 2 * H * V) # + combination, output
    att = ST * 2 * 2 * H                                        # scores and context
    printf "%.0f\n", (enc + dec + att) / T }')
TRAIN_FLOP_TOK=$((3 * FLOP_TOK))
TRAIN_GFLOPS=$(awk -v r="$TRAIN_TOKS" -v f="$TRAIN_FLOP_TOK" 'BEGIN { printf "%.2f\n", r * f / 1e9 }')

# ---- 1. the sgemm ceiling ----
TB=$(awk -v t="$AVG_T" 'BEGIN { printf "%d\n", t + 0.5 }')
M_IN=$((B * TB))
say "sgemm ceiling (kernel $KERNEL, $THREADS threads, median of $REPS)"
GEMM_ENV=""
[ -n "${OPENBLAS_CORETYPE:-}" ] || [ "$KERNEL" = unknown ] || GEMM_ENV="OPENBLAS_CORETYPE=$KERNEL"
env $GEMM_ENV build/bench_gemm "$THREADS" 0.4 "$REPS" \
    "input:$M_IN:$((4 * H)):$E" "recurrent:$B:$((4 * H)):$H" "output:$M_IN:$V:$H" \
    "square1024:1024:1024:1024" >"$TMP/gemm.out" || die "bench_gemm failed"
GEMM_KERNEL=$(sed -n 's/^kernel \([^ ]*\).*/\1/p' "$TMP/gemm.out")
g() { awk -v n="$1" '$1 == n { print $7 }' "$TMP/gemm.out"; }
G_IN=$(g input) G_REC=$(g recurrent) G_OUT=$(g output) G_SQ=$(g square1024)
if [ "$(printf %s "$GEMM_KERNEL" | tr A-Z a-z)" != "$(printf %s "$KERNEL" | tr A-Z a-z)" ]; then
    say "warning: bench_gemm ran kernel $GEMM_KERNEL, seqtrans reports $KERNEL"
fi
# FLOP-weighted (harmonic) mean: each shape weighted by its share of the model's FLOPs
CEIL=$(awk -v S="$SUM_S" -v T="$SUM_T" -v E="$E" -v H="$H" -v V="$V" \
    -v a="$G_IN" -v b="$G_REC" -v c="$G_OUT" 'BEGIN {
    wa = (S + T) * E * 4 * H; wb = (S + T) * H * 4 * H; wc = T * H * V
    printf "%.2f\n", (wa + wb + wc) / (wa / a + wb / b + wc / c) }')
TRAIN_PCT=$(awk -v x="$TRAIN_GFLOPS" -v c="$CEIL" 'BEGIN { printf "%.1f\n", 100 * x / c }')

# ---- 3, 4. translation ----
awk -F '\t' '{ sub(/\r$/, ""); print $1 }' "$DATA/dev.tsv" >"$TMP/dev.src"
N_DEV=$(wc -l <"$TMP/dev.src" | tr -d ' ')
REF_TOK=$(awk -F '\t' '{ sub(/\r$/, ""); print $2 }' "$DATA/dev.tsv" | $SEQ tokenize -l zh | awk '{ n += NF } END { print n + 0 }')
REF_LEN=$(div "$REF_TOK" "$N_DEV" 2)

# ---- 3, 4, 5 for the float model and its int8 copy (seqtrans quantize), alternately ----
# Each round runs the float model, then the int8 one, so that both see the same load; the
# figures are medians over the rounds.
FLOAT_MODEL=$MODEL Q8_MODEL=$TMP/int8.model
if ! $SEQ quantize "$MODEL" -o "$Q8_MODEL" 2>"$TMP/q8.err"; then
    say "quantize FAILED: $(cat "$TMP/q8.err")"
    Q8_MODEL=""
fi

# translate_once MODEL BEAM TAG: one timed translation of the dev sources; appends the wall
# time (ns) to TAG.ns and the peak RSS (kB) to TAG.rss; on failure writes why to TAG.fail.
translate_once() {
    [ ! -s "$TMP/$3.fail" ] || return 0
    t0=$(now_ns)
    if $TIME -f '%M' -o "$TMP/tr.time" $SEQ translate -m "$1" --beam "$2" --threads "$THREADS" \
        "$TMP/dev.src" >"$TMP/$3.out" 2>"$TMP/tr.err"; then rc=0; else rc=$?; fi
    t1=$(now_ns)
    lines=$(wc -l <"$TMP/$3.out" | tr -d ' ')
    if [ "$rc" -ne 0 ] || [ "$lines" -ne "$N_DEV" ]; then
        sig=$(sed -n 's/.*terminated by signal \([0-9]*\).*/\1/p' "$TMP/tr.time")
        echo "FAILED (${sig:+signal $sig}${sig:-exit $rc} after $lines of $N_DEV lines)" >"$TMP/$3.fail"
        say "translate -m $1 --beam $2: $(cat "$TMP/$3.fail")"
        return 0
    fi
    echo "$((t1 - t0))" >>"$TMP/$3.ns"
    tail -n 1 "$TMP/tr.time" | tr -cd 0-9 >>"$TMP/$3.rss"
    echo >>"$TMP/$3.rss"
}

# summarize TAG: sets SENT_S TOK_S RSS_KB OUT_LEN TR_NOTE from the TAG files
summarize() {
    TR_NOTE="" OUT_LEN="n/a" RSS_KB=0
    if [ -s "$TMP/$1.fail" ] || [ ! -s "$TMP/$1.ns" ]; then
        SENT_S="FAIL" TOK_S="FAIL" TR_NOTE=$(cat "$TMP/$1.fail" 2>/dev/null || echo "not run")
        return 0
    fi
    ns=$(median <"$TMP/$1.ns")
    RSS_KB=$(sort -n "$TMP/$1.rss" | tail -n 1)
    out_tok=$($SEQ tokenize -l zh "$TMP/$1.out" | awk '{ n += NF } END { print n + 0 }')
    SENT_S=$(awk -v n="$N_DEV" -v t="$ns" 'BEGIN { printf "%.1f\n", n / (t / 1e9) }')
    TOK_S=$(awk -v n="$out_tok" -v t="$ns" 'BEGIN { printf "%.1f\n", n / (t / 1e9) }')
    OUT_LEN=$(div "$out_tok" "$N_DEV" 2)
    TR_NOTE="median of $(wc -l <"$TMP/$1.ns" | tr -d ' '), alternating float and int8"
}

for beam in 1 5; do
    say "translating $N_DEV dev sentences, beam $beam, float${Q8_MODEL:+ and int8 alternately}"
    r=0 reps=$REPS
    while [ "$r" -lt "$reps" ]; do
        t0=$(now_ns)
        translate_once "$FLOAT_MODEL" "$beam" "f$beam"
        # keep the whole benchmark within its time budget when translation is very slow
        [ "$r" -gt 0 ] || [ "$(($(now_ns) - t0))" -le 40000000000 ] || reps=1
        [ -z "$Q8_MODEL" ] || translate_once "$Q8_MODEL" "$beam" "q$beam"
        r=$((r + 1))
    done
done
summarize f1; GR_SENT=$SENT_S GR_TOK=$TOK_S GR_RSS=$RSS_KB GR_LEN=$OUT_LEN GR_NOTE=$TR_NOTE
summarize f5; BM_SENT=$SENT_S BM_TOK=$TOK_S BM_RSS=$RSS_KB BM_LEN=$OUT_LEN BM_NOTE=$TR_NOTE
TR_RSS_KB=$GR_RSS
[ "$BM_RSS" -le "$TR_RSS_KB" ] || TR_RSS_KB=$BM_RSS
[ "$TR_RSS_KB" -gt 0 ] || TR_RSS_KB="n/a"
Q8_GR="FAIL" Q8_BM="FAIL" Q8_RSS=0 Q8_GR_NOTE="" Q8_BM_NOTE="" Q8_RATIO="n/a" Q8_PART_RATIO="n/a" Q8_MB="n/a"
FLOAT_MB=$(div "$(wc -c <"$FLOAT_MODEL")" 1000000 1)
if [ -n "$Q8_MODEL" ]; then
    summarize q1; Q8_GR=$SENT_S Q8_RSS=$RSS_KB Q8_GR_NOTE=$TR_NOTE Q8_GR_LEN=$OUT_LEN
    summarize q5; Q8_BM=$SENT_S Q8_BM_NOTE=$TR_NOTE Q8_BM_LEN=$OUT_LEN
    [ "$RSS_KB" -le "$Q8_RSS" ] || Q8_RSS=$RSS_KB
    Q8_RATIO=$(div "$(wc -c <"$FLOAT_MODEL")" "$(wc -c <"$Q8_MODEL")" 2)
    # the float model's inference part: its parameters as float32 (the file adds training state)
    [ -z "${NPARAM:-}" ] || Q8_PART_RATIO=$(div "$((NPARAM * 4))" "$(wc -c <"$Q8_MODEL")" 2)
    Q8_MB=$(div "$(wc -c <"$Q8_MODEL")" 1000000 1)
fi
Q8_GR_X=$(isnum "$Q8_GR" && isnum "$GR_SENT" && awk -v a="$Q8_GR" -v b="$GR_SENT" 'BEGIN { printf "%.2f\n", a / b }' || echo FAIL)
Q8_BM_X=$(isnum "$Q8_BM" && isnum "$BM_SENT" && awk -v a="$Q8_BM" -v b="$BM_SENT" 'BEGIN { printf "%.2f\n", a / b }' || echo FAIL)

# one sentence, process start to exit, default beam: float and int8 alternately
say "one sentence, $ONE_RUNS runs each"
: >"$TMP/one.ns"
: >"$TMP/q8one.ns"
# one_sentence MODEL FILE: one timed run appended to FILE; non-zero if it fails
one_sentence() {
    t0=$(now_ns)
    printf '%s\n' "$ONE_SENTENCE" | $SEQ translate -m "$1" >"$TMP/one.out" 2>/dev/null || return 1
    echo "$(($(now_ns) - t0))" >>"$2"
}
ONE_FAIL="" Q8_ONE_FAIL=""
[ -n "$Q8_MODEL" ] || Q8_ONE_FAIL=1
printf '%s\n' "$ONE_SENTENCE" | $SEQ translate -m "$FLOAT_MODEL" >/dev/null 2>&1 || ONE_FAIL=1 # warm the page cache
[ -n "$Q8_ONE_FAIL" ] || printf '%s\n' "$ONE_SENTENCE" | $SEQ translate -m "$Q8_MODEL" >/dev/null 2>&1 || Q8_ONE_FAIL=1
i=0
while [ "$i" -lt "$ONE_RUNS" ]; do
    [ -n "$ONE_FAIL" ] || one_sentence "$FLOAT_MODEL" "$TMP/one.ns" || ONE_FAIL=1
    [ -n "$ONE_FAIL" ] || cp "$TMP/one.out" "$TMP/one.float"
    [ -n "$Q8_ONE_FAIL" ] || one_sentence "$Q8_MODEL" "$TMP/q8one.ns" || Q8_ONE_FAIL=1
    i=$((i + 1))
done
ONE_MS="FAIL" Q8_ONE="FAIL"
[ -n "$ONE_FAIL" ] || ONE_MS=$(median <"$TMP/one.ns" | awk '{ printf "%.1f\n", $1 / 1e6 }')
[ -n "$Q8_ONE_FAIL" ] || Q8_ONE=$(median <"$TMP/q8one.ns" | awk '{ printf "%.1f\n", $1 / 1e6 }')
ONE_OUT=$(head -n 1 "$TMP/one.float" 2>/dev/null || true)

TOTAL_S=$(div "$(($(now_ns) - T_START))" 1000000000 0)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# ---- report ----
TRAIN_MIB=$(kb_to_mib "$TRAIN_RSS_KB")
TR_MIB=$(kb_to_mib "$TR_RSS_KB")
GR_MIB=$(kb_to_mib "$GR_RSS")
BM_MIB=$(kb_to_mib "$BM_RSS")
# check VALUE OP LIMIT -> PASS / FAIL / -
check() { if isnum "$1"; then awk -v v="$1" -v o="$2" -v l="$3" 'BEGIN { ok = o == ">=" ? v >= l : v <= l; print ok ? "PASS" : "FAIL" }'; else echo "FAIL"; fi; }
row() { printf '%-44s %12s  %-12s %-5s %s\n' "$1" "$2" "$3" "$4" "$5"; }

echo
echo "seqtrans benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $COMMIT"
echo "machine: $CPU; OpenBLAS kernel $KERNEL; $THREADS threads; load average $LOAD0 at start, $LOAD1 at end"
echo "model: $MODEL_OPTS; vocabularies $VS / $V; ${NPARAM:-?} parameters"
echo "corpus: $PAIRS pairs, mean source $AVG_S tokens, mean target $AVG_T steps (tokens + EOS)"
echo "training FLOPs per target token: $TRAIN_FLOP_TOK (3 x forward $FLOP_TOK)"
echo
row "metric" "value" "target" "" "how"
row "sgemm input [${M_IN}x${E}]x[${E}x$((4 * H))]  GFLOP/s" "$G_IN" "" "" "median of $REPS"
row "sgemm recurrent [${B}x${H}]x[${H}x$((4 * H))]  GFLOP/s" "$G_REC" "" "" "median of $REPS"
row "sgemm output [${M_IN}x${H}]x[${H}x${V}]  GFLOP/s" "$G_OUT" "" "" "median of $REPS"
row "sgemm 1024^3 (reference)  GFLOP/s" "$G_SQ" "" "" "median of $REPS"
row "sgemm ceiling  GFLOP/s" "$CEIL" "" "" "FLOP-weighted harmonic mean of the 3 model shapes"
row "training  tok/s" "$TRAIN_TOKS" ">= 4500" "$(check "$TRAIN_TOKS" ">=" 4500)" "one run, $TRAIN_NOTE"
row "training  GFLOP/s" "$TRAIN_GFLOPS" "" "" "tok/s x FLOPs per token"
row "training  % of sgemm ceiling" "$TRAIN_PCT" ">= 50" "$(check "$TRAIN_PCT" ">=" 50)" ""
row "training  peak RSS MiB" "$TRAIN_MIB" "<= 250" "$(check "$TRAIN_MIB" "<=" 250)" "$STEPS steps, wall ${TRAIN_WALL}s"
row "translate greedy  sent/s" "$GR_SENT" ">= 2000" "$(check "$GR_SENT" ">=" 2000)" "$N_DEV dev sentences, whole process; $GR_NOTE"
row "translate greedy  target tok/s" "$GR_TOK" "" "" "output $GR_LEN tok/sent (reference $REF_LEN)"
row "translate beam 5  sent/s" "$BM_SENT" ">= 400" "$(check "$BM_SENT" ">=" 400)" "$N_DEV dev sentences, whole process; $BM_NOTE"
row "translate beam 5  target tok/s" "$BM_TOK" "" "" "output $BM_LEN tok/sent (reference $REF_LEN)"
row "translate  peak RSS MiB" "$TR_MIB" "<= 64" "$(check "$TR_MIB" "<=" 64)" "greedy $GR_MIB, beam 5 $BM_MIB"
row "one sentence, start to exit  ms" "$ONE_MS" "<= 30" "$(check "$ONE_MS" "<=" 30)" "median of $ONE_RUNS, default beam, alternating with int8"
row "int8 file size  MB" "$Q8_MB" "" "" "float file $FLOAT_MB MB (with training state)"
row "int8 size ratio (float inference part / int8)" "$Q8_PART_RATIO" ">= 3.5" "$(check "$Q8_PART_RATIO" ">=" 3.5)" "parameters x 4 bytes / int8 file; whole files: $Q8_RATIO"
row "int8 translate greedy  sent/s" "$Q8_GR" "" "" "same run as the float rows; $Q8_GR_NOTE"
row "int8 greedy speedup  x float" "$Q8_GR_X" ">= 2.0" "$(check "$Q8_GR_X" ">=" 2.0)" "output ${Q8_GR_LEN:-n/a} tok/sent"
row "int8 translate beam 5  sent/s" "$Q8_BM" "" "" "$Q8_BM_NOTE"
row "int8 beam 5 speedup  x float" "$Q8_BM_X" ">= 1.8" "$(check "$Q8_BM_X" ">=" 1.8)" "output ${Q8_BM_LEN:-n/a} tok/sent"
row "int8 translate  peak RSS MiB" "$(kb_to_mib "$Q8_RSS")" "<= 40" "$(check "$(kb_to_mib "$Q8_RSS")" "<=" 40)" "greedy and beam 5"
row "int8 one sentence, start to exit  ms" "$Q8_ONE" "<= 20" "$(check "$Q8_ONE" "<=" 20)" "median of $ONE_RUNS, default beam, alternating with float"
echo
echo "total benchmark time ${TOTAL_S}s"
[ -z "$ONE_OUT" ] || echo "('$ONE_SENTENCE' -> '$ONE_OUT'; the model saw only $STEPS steps: output lengths, hence decoding time, are not those of a trained model)"

# ---- results row ----
if [ -n "$RESULTS" ] && [ "$RESULTS" != "-" ]; then
    HEADER="date_utc	commit	machine	blas_kernel	threads	config	gemm_input_gflops	gemm_recurrent_gflops	gemm_output_gflops	gemm_square1024_gflops	gemm_ceiling_gflops	train_tok_s	train_gflops	train_pct_ceiling	train_peak_mib	greedy_sent_s	greedy_tok_s	greedy_out_len	beam5_sent_s	beam5_tok_s	beam5_out_len	translate_peak_mib	one_sentence_ms	note"
    mkdir -p "$(dirname "$RESULTS")"
    [ -s "$RESULTS" ] || printf '%s\n' "$HEADER" >"$RESULTS"
    CONFIG="emb $E hidden $H layers 1 uni batch $B dropout 0.2; $STEPS steps (rate from $TRAIN_NOTE); V $VS/$V; S $AVG_S T $AVG_T; gemm/translate median of $REPS"
    NOTE="load $LOAD0 -> $LOAD1"
    [ -z "$GR_NOTE" ] || NOTE="$NOTE; greedy: $GR_NOTE"
    [ -z "$BM_NOTE" ] || NOTE="$NOTE; beam 5: $BM_NOTE"
    NOTE="$NOTE; int8 (same run, alternating): greedy $Q8_GR sent/s (x$Q8_GR_X), beam 5 $Q8_BM sent/s (x$Q8_BM_X), one sentence $Q8_ONE ms, peak RSS $(kb_to_mib "$Q8_RSS") MiB, $Q8_MB MB (inference part ratio $Q8_PART_RATIO)"
    [ -z "$USER_NOTE" ] || NOTE="$NOTE; $USER_NOTE"
    printf '%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)	$COMMIT	$CPU	$KERNEL	$THREADS	$CONFIG	$G_IN	$G_REC	$G_OUT	$G_SQ	$CEIL	$TRAIN_TOKS	$TRAIN_GFLOPS	$TRAIN_PCT	$TRAIN_MIB	$GR_SENT	$GR_TOK	$GR_LEN	$BM_SENT	$BM_TOK	$BM_LEN	$TR_MIB	$ONE_MS	$(printf %s "$NOTE" | tr '\t\n' '  ')" >>"$RESULTS"
    echo "appended a row to $RESULTS"
fi
