# Helpers shared by the benchmark scripts, sourced from the repository root:
#   . scripts/bench_lib.sh

# The median of the numbers on stdin, one a line (of an even count, the lower middle one).
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Target tokens per second of one training run: tokens over the training seconds of the
# done event in its --metrics file $1.
done_rate() {
    sed -n 's/.*"event":"done".*"elapsed_s":\([0-9.]*\).*"tgt_tokens":\([0-9]*\).*/\2 \1/p' "$1" |
        awk '{ printf "%.1f\n", $1 / $2 }'
}
