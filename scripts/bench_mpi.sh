#!/bin/sh
# Distributed training benchmark (issue #12): run from the repository root as
# `sh scripts/bench_mpi.sh`. Trains the benchmark model of scripts/bench.sh
#   --emb 256 --hidden 512 --layers 1 --encoder uni --batch 64 --dropout 0.2
# on the Tatoeba data as 1 process x 1 thread, 1 process x 2 threads and 2 ranks x 1 thread
# (mpirun), each with one batch per step and with --accumulate BENCH_ACCUMULATE batches per
# step (one exchange between the ranks per that many batches), in turn, BENCH_REPS rounds;
# prints the median target tokens/s of each with the ratios, rank 0's share of the training
# time in communication and the bytes it sent per step, and appends the six rows to
# bench/results_mpi.tsv.
#
# Environment (all optional):
#   BENCH_DATA        data directory             (../shared/data/tatoeba-cmn-eng)
#   BENCH_STEPS       batches per run            (80; a run with --accumulate N does 80 / N steps)
#   BENCH_REPS        rounds                     (3)
#   BENCH_BATCH       --batch                    (64)
#   BENCH_ACCUMULATE  --accumulate of the second set (8)
#   BENCH_RESULTS     results file               (bench/results_mpi.tsv); "" appends nothing
#   BENCH_NOTE        free text for the note column
set -eu
cd "$(dirname "$0")/.."
DATA=${BENCH_DATA:-../shared/data/tatoeba-cmn-eng}
STEPS=${BENCH_STEPS:-80}
REPS=${BENCH_REPS:-3}
RESULTS=${BENCH_RESULTS-bench/results_mpi.tsv}
BATCH=${BENCH_BATCH:-64}
ACC=${BENCH_ACCUMULATE:-8}
for v in "$STEPS" "$REPS" "$BATCH" "$ACC"; do
    case $v in '' | *[!0-9]* | 0) echo "bench_mpi: BENCH_STEPS, BENCH_REPS, BENCH_BATCH and BENCH_ACCUMULATE must be positive whole numbers" >&2; exit 1 ;; esac
done
OPTS="--emb 256 --hidden 512 --layers 1 --encoder uni --batch $BATCH --dropout 0.2 --seed 1"
say() { printf 'bench_mpi: %s\n' "$*" >&2; }
[ -r "$DATA/train.tsv" ] || { say "skipped: no $DATA/train.tsv"; exit 0; }
command -v mpirun >/dev/null 2>&1 || { say "skipped: no mpirun (apt-get install openmpi-bin)"; exit 0; }
make -s seqtrans
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

. scripts/bench_lib.sh
one() { # config name, --accumulate, threads, then the launcher's words (none: one process)
    name=$1 acc=$2 threads=$3; shift 3
    steps=$((STEPS / acc > 0 ? STEPS / acc : 1))
    rm -f "$TMP/m.model" "$TMP/$name.jsonl"
    "$@" ./seqtrans train "$DATA/train.tsv" $OPTS --accumulate "$acc" --threads "$threads" --max-steps "$steps" \
        --metrics "$TMP/$name.jsonl" -o "$TMP/m.model" 2>"$TMP/$name.log" || { tail -n 5 "$TMP/$name.log" >&2; exit 1; }
    done_rate "$TMP/$name.jsonl" >> "$TMP/$name.rates"
    sed -n 's/.*communication: .*(\([0-9.]*\)%), \([0-9]*\) bytes.*waiting for other ranks \([0-9.]*\)%.*/\1 \2 \3/p' \
        "$TMP/$name.log" >> "$TMP/$name.comm"
    cp "$TMP/$name.jsonl" "$TMP/$name.last.jsonl"
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$REPS"); do
    for a in 1 "$ACC"; do
        one "1x1.a$a" "$a" 1
        one "1x2.a$a" "$a" 2
        one "2x1.a$a" "$a" 1 mpirun --oversubscribe -np 2
        say "round $r, --accumulate $a: $(tail -n 1 "$TMP/1x1.a$a.rates") / $(tail -n 1 "$TMP/1x2.a$a.rates") / $(tail -n 1 "$TMP/2x1.a$a.rates") tok/s"
    done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
params=$(sed -n 's/.*, \([0-9]*\) parameters.*/\1/p' "$TMP/1x1.a1.log" | head -n 1)
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
d=$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
if [ -n "$RESULTS" ] && [ ! -f "$RESULTS" ]; then
    printf 'date_utc\tcommit\tmachine\tconfig\ttrain_tok_s\tcomm_pct\tbytes_per_step\tnote\n' > "$RESULTS"
fi
echo "$cpu, $(nproc) cores; load $load0 -> $load1; median of $REPS rounds, $STEPS batches per run; $params parameters"
for a in 1 "$ACC"; do
    x=$(median < "$TMP/1x1.a$a.rates") y=$(median < "$TMP/1x2.a$a.rates") z=$(median < "$TMP/2x1.a$a.rates")
    share=$(cut -d' ' -f1 "$TMP/2x1.a$a.comm" | median)
    waiting=$(cut -d' ' -f3 "$TMP/2x1.a$a.comm" | median)
    bytes=$(cut -d' ' -f2 "$TMP/2x1.a$a.comm" | head -n 1)
    echo
    echo "--batch $BATCH --accumulate $a"
    printf '  %-24s %10s\n' "configuration" "tok/s" "1 process x 1 thread" "$x" "1 process x 2 threads" "$y" \
        "2 ranks x 1 thread" "$z"
    awk -v a="$x" -v b="$y" -v c="$z" 'BEGIN { printf "  2 ranks / 1x1 = %.2f (target 1.8), 2 ranks / 1x2 = %.2f (target 0.95)\n", c / a, c / b }'
    echo "  2 ranks: communication ${share}% of rank 0's training time (median), of which waiting for the other rank's step ${waiting}% (median); $bytes bytes sent per step"

    # On paper, for N machines like this one, each with this batch and the step time of
    # 1 x 2 threads here: ring all-reduce sends and receives 2(N-1)/N x the gradient per
    # step, this implementation's recursive doubling log2(N) x (at most: absent pages are
    # not sent). Latency and the overlap of the two directions are ignored.
    steps_done=$(sed -n 's/.*"event":"done".*"step":\([0-9]*\).*"tgt_tokens":\([0-9]*\).*/\1 \2/p' "$TMP/1x2.a$a.last.jsonl")
    awk -v b="$y" -v sd="$steps_done" -v params="$params" 'BEGIN {
        split(sd, f, " "); tps = f[2] / f[1]; t = tps / b; g = 4 * params
        printf "  prediction: %.0f target tokens and %.1f MB of gradient per step, %.3f s per step (1 x 2 threads)\n", tps, g / 1e6, t
        printf "  %8s %10s %16s %16s\n", "machines", "network", "ring tok/s", "rec.doubling tok/s"
        for (i = 1; i <= 3; i++) {
            n = i == 1 ? 4 : i == 2 ? 16 : 64
            for (k = 1; k <= 2; k++) {
                bw = (k == 1 ? 10 : 100) * 1e9 / 8
                ring = n * tps / (t + 2 * (n - 1) / n * g / bw)
                rd = n * tps / (t + log(n) / log(2) * g / bw)
                printf "  %8d %7d Gb/s %16.0f %16.0f\n", n, k == 1 ? 10 : 100, ring, rd
            }
        }
    }'
    if [ -n "$RESULTS" ]; then
        note="batch $BATCH, --accumulate $a; median of $REPS, $STEPS batches, alternating; load $load0 -> $load1 ${BENCH_NOTE:-}"
        suffix=$([ "$a" = 1 ] || echo ", --accumulate $a")
        printf '%s\t%s\t%s\t%s\t%s\t\t\t%s\n' "$d" "$commit" "$cpu, $(nproc) cores" "1 process x 1 thread$suffix" "$x" "$note" >> "$RESULTS"
        printf '%s\t%s\t%s\t%s\t%s\t\t\t%s\n' "$d" "$commit" "$cpu, $(nproc) cores" "1 process x 2 threads$suffix" "$y" "$note" >> "$RESULTS"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$d" "$commit" "$cpu, $(nproc) cores" "2 ranks x 1 thread$suffix" "$z" "$share" "$bytes" "$note" >> "$RESULTS"
    fi
done
