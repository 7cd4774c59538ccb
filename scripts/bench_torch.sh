#!/bin/sh
# Greedy translation speed of seqtrans (float and int8) against the same model rebuilt in
# PyTorch (issue #13): run from anywhere as `sh scripts/bench_torch.sh [MODEL]`.
#
# MODEL (a float seqtrans model) defaults to the benchmark model of scripts/bench.sh,
# trained with its configuration and seed into build/bench_torch/bench.model and reused
# from there. The script quantizes it (seqtrans quantize), then, REPS rounds alternating so
# that all three see the same load, translates the dev sources greedily with
#   PyTorch   scripts/torch_speed.py --batch 64 --threads 2 (in-process time: no process
#             start, model loading or tokenizing, which favours PyTorch)
#   float     seqtrans translate -m MODEL --beam 1 --threads 2 (whole process)
#   int8      the same with the int8 model
# and prints the medians (sentences/s), the ratios int8/torch and float/torch, the share
# of PyTorch's output lines identical to seqtrans float's, one PyTorch run at batch 1 and
# the load average. Appends a row to bench/torch.tsv (BENCH_RESULTS; "-" appends nothing).
# Skips with a message when the Python (BENCH_PYTHON, /usr/bin/python3: Debian's
# python3-torch) cannot import torch and numpy. torch_speed.py runs PyTorch with
# OMP_WAIT_POLICY=PASSIVE, its fastest setting on a loaded machine; export
# OMP_WAIT_POLICY=ACTIVE to measure libgomp's default spinning instead.
#
# Environment (all optional): BENCH_DATA (../shared/data/tatoeba-cmn-eng), BENCH_THREADS (2),
# BENCH_REPS (3), BENCH_TORCH_BATCH (64), BENCH_TORCH_B1 (1: also time batch 1; 0: not),
# BENCH_RESULTS (bench/torch.tsv), BENCH_PYTHON (/usr/bin/python3).
set -eu

cd "$(dirname "$0")/.."

DATA=${BENCH_DATA:-../shared/data/tatoeba-cmn-eng}
THREADS=${BENCH_THREADS:-2}
REPS=${BENCH_REPS:-3}
BATCH=${BENCH_TORCH_BATCH:-64}
B1=${BENCH_TORCH_B1:-1}
RESULTS=${BENCH_RESULTS-bench/torch.tsv}
PY=${BENCH_PYTHON:-/usr/bin/python3}
SEQ=./seqtrans

say() { printf 'bench_torch: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for v in "$THREADS" "$REPS" "$BATCH"; do
    case $v in '' | *[!0-9]* | 0) die "BENCH_THREADS, BENCH_REPS and BENCH_TORCH_BATCH must be positive whole numbers" ;; esac
done
if ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
    say "skipped: $PY cannot import torch and numpy (apt-get install python3-torch python3-numpy)"
    exit 0
fi
if [ ! -r "$DATA/dev.tsv" ]; then
    say "skipped: no $DATA/dev.tsv; set BENCH_DATA to the Tatoeba data directory"
    exit 0
fi
make -s seqtrans || die "cannot build ./seqtrans"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/seqtrans-bench-torch.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f\n", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "uptime at start: $(uptime)"

# ---- the model: given, or scripts/bench.sh's benchmark model (its options, steps, seed) ----
MODEL=${1:-}
if [ -z "$MODEL" ]; then
    MODEL=build/bench_torch/bench.model
    [ -r "$DATA/train.tsv" ] || die "no $DATA/train.tsv to train the benchmark model; give a MODEL"
    if [ ! -s "$MODEL" ]; then
        say "training the benchmark model into $MODEL (as scripts/bench.sh: 150 steps, seed 1)"
        mkdir -p "$(dirname "$MODEL")"
        $SEQ train "$DATA/train.tsv" --max-steps 150 --emb 256 --hidden 512 --layers 1 --encoder uni \
            --batch 64 --dropout 0.2 --threads "$THREADS" --seed 1 -q -o "$MODEL" || die "training failed"
    fi
fi
[ -r "$MODEL" ] || die "cannot read model '$MODEL'"
Q8=$TMP/int8.model
$SEQ quantize "$MODEL" -o "$Q8" || die "seqtrans quantize failed"

# the column of dev.tsv in the model's source language (column 1 English, 2 Chinese)
SRC_LANG=$($SEQ info "$MODEL" | awk '$1 == "src_lang" { print $2 }')
case $SRC_LANG in en) COL=1 ;; zh) COL=2 ;; *) die "model source language '$SRC_LANG' is neither en nor zh" ;; esac
awk -F '\t' -v c="$COL" '{ sub(/\r$/, ""); print $c }' "$DATA/dev.tsv" >"$TMP/dev.src"
N=$(wc -l <"$TMP/dev.src" | tr -d ' ')
say "model $MODEL ($SRC_LANG source), $N dev sentences, $THREADS threads, $REPS rounds"

# seqtrans_once MODEL TAG: one timed translation, seconds appended to TAG.s
seqtrans_once() {
    t0=$(now_ns)
    $SEQ translate -m "$1" --beam 1 --threads "$THREADS" <"$TMP/dev.src" >"$TMP/$2.out" ||
        die "translate -m $1 failed"
    t1=$(now_ns)
    [ "$(wc -l <"$TMP/$2.out")" -eq "$N" ] || die "translate -m $1 gave $(wc -l <"$TMP/$2.out") lines for $N"
    awk -v d="$((t1 - t0))" 'BEGIN { printf "%.6f\n", d / 1e9 }' >>"$TMP/$2.s"
}

# torch_once BATCH TAG [ARGS]: one PyTorch pass over the sources, its seconds appended to TAG.s
torch_once() {
    b=$1 tag=$2
    shift 2
    "$PY" scripts/torch_speed.py "$MODEL" "$TMP/dev.src" --batch "$b" --reps 1 --threads "$THREADS" \
        --dump "$TMP/dump" --seqtrans "$SEQ" --pairs "$DATA/dev.tsv" "$@" >"$TMP/$tag.log" 2>&1 ||
        { cat "$TMP/$tag.log" >&2; die "torch_speed.py failed"; }
    sed -n 's/^torch_speed: batch .* median \([0-9.]*\) s.*/\1/p' "$TMP/$tag.log" >>"$TMP/$tag.s"
}

r=0
while [ "$r" -lt "$REPS" ]; do
    r=$((r + 1))
    say "round $r of $REPS: torch, float, int8"
    torch_once "$BATCH" torch
    seqtrans_once "$MODEL" float
    seqtrans_once "$Q8" int8
done
# agreement of PyTorch's outputs with the float model's greedy ones (the last round's)
torch_once "$BATCH" check --compare "$TMP/float.out"
AGREE=$(sed -n 's/^torch_speed: \([0-9]* of [0-9]* lines ([0-9.]*%)\) identical.*/\1/p' "$TMP/check.log")
Q8_AGREE=$(paste -d '\n' "$TMP/float.out" "$TMP/int8.out" | awk 'NR % 2 { a = $0; next } { n++; s += a == $0 } END { printf "%d of %d lines\n", s, n }')
B1_RATE=n/a
if [ "$B1" = 1 ]; then
    say "PyTorch at batch 1 (one run)"
    torch_once 1 torch1
    B1_RATE=$(rate "$N" "$(median <"$TMP/torch1.s")")
fi

T_RATE=$(rate "$N" "$(median <"$TMP/torch.s")")
F_RATE=$(rate "$N" "$(median <"$TMP/float.s")")
Q_RATE=$(rate "$N" "$(median <"$TMP/int8.s")")
Q_X=$(ratio "$Q_RATE" "$T_RATE")
F_X=$(ratio "$F_RATE" "$T_RATE")
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
TORCH_V=$(sed -n 's/^torch \([^,]*\),.*/\1/p' "$TMP/torch.log" | head -n 1)
OMP_POLICY=$(sed -n 's/.*\(OMP_WAIT_POLICY=[A-Za-z]*\).*/\1/p' "$TMP/torch.log" | head -n 1)

echo
echo "seqtrans vs PyTorch, greedy  $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit $COMMIT"
echo "machine: $CPU, $(nproc) cores; $THREADS threads; load average $LOAD0 at start, $LOAD1 at end"
echo "model: $MODEL; $N dev sentences ($DATA/dev.tsv column $COL); torch $TORCH_V, $OMP_POLICY"
echo "medians of $REPS rounds, alternating torch, float, int8 (runs in s: torch $(tr '\n' ' ' <"$TMP/torch.s")| float $(tr '\n' ' ' <"$TMP/float.s")| int8 $(tr '\n' ' ' <"$TMP/int8.s"))"
printf '%-40s %10s\n' "PyTorch greedy, batch $BATCH  sent/s" "$T_RATE"
printf '%-40s %10s\n' "PyTorch greedy, batch 1 (one run)  sent/s" "$B1_RATE"
printf '%-40s %10s\n' "seqtrans float greedy  sent/s" "$F_RATE"
printf '%-40s %10s\n' "seqtrans int8 greedy  sent/s" "$Q_RATE"
printf '%-40s %10s   (target >= 10)\n' "int8 / PyTorch" "$Q_X"
printf '%-40s %10s\n' "float / PyTorch" "$F_X"
echo "PyTorch outputs identical to seqtrans float: $AGREE; int8 identical to float: $Q8_AGREE"
echo "(PyTorch time is in-process, after a warm-up batch; seqtrans time is the whole process)"

if [ -n "$RESULTS" ] && [ "$RESULTS" != "-" ]; then
    [ -s "$RESULTS" ] || printf 'date_utc\tcommit\tmachine\tthreads\tmodel\ttorch_sent_s\ttorch_b1_sent_s\tfloat_sent_s\tint8_sent_s\tint8_x_torch\tfloat_x_torch\tnote\n' >"$RESULTS"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$COMMIT" \
        "$CPU, $(nproc) cores" "$THREADS" "$MODEL" "$T_RATE" "$B1_RATE" "$F_RATE" "$Q_RATE" "$Q_X" "$F_X" \
        "load $LOAD0 -> $LOAD1; torch $TORCH_V $OMP_POLICY batch $BATCH; medians of $REPS alternating; torch = float on $AGREE" >>"$RESULTS"
    echo "appended a row to $RESULTS"
fi
