#!/bin/bash
# Where a training step's time goes, per layer: samples DURATION seconds of steady training
# (after the first progress event and WARMUP seconds more) with perf's DWARF call graphs and
# prints the inclusive share of each layer's forward and backward functions.
#
# usage: scripts/profile_train.sh CORPUS.tsv [train options...]
# Environment: PROFILE_SECONDS (25), PROFILE_WARMUP (20). Needs perf (apt-get install
# linux-perf) and permission to attach to a child process.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 CORPUS.tsv [train options...]" >&2; exit 2; }
command -v perf >/dev/null || { echo "profile_train: no perf (apt-get install linux-perf)" >&2; exit 2; }
corpus=$(realpath "$1"); shift
cd "$(dirname "$0")/.."
make -s seqtrans
tmp=$(mktemp -d /tmp/profile_train.XXXXXX)
pid=
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
./seqtrans train "$corpus" --time 30m -o "$tmp/m.model" --metrics "$tmp/m.jsonl" "$@" 2> "$tmp/log" &
pid=$!
until grep -q '"event":"progress"' "$tmp/m.jsonl" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { tail -n 5 "$tmp/log" >&2; exit 1; }
    sleep 1
done
sleep "${PROFILE_WARMUP:-20}"
perf record -F 99 --call-graph dwarf,16384 -p $pid -o "$tmp/perf.data" -- sleep "${PROFILE_SECONDS:-25}" 2> "$tmp/perf.err" ||
    { cat "$tmp/perf.err" >&2; exit 1; }
kill -INT $pid; wait $pid || true
pid=
grep -v warning "$tmp/log" | grep -m 1 vocabularies || true
perf report -i "$tmp/perf.data" --children --stdio --percent-limit 0.5 2> /dev/null |
    grep -E "^ +[0-9.]+% +[0-9.]+% .* (output_forward_loss|output_backward|attention_forward|attention_backward|encoder_forward|encoder_backward|decoder_forward|decoder_backward|lstm_forward|lstm_backward|gru_forward|gru_backward|embedding_forward|embedding_backward|train_step_apply|cblas_sgemm)$" |
    awk '{ printf "%8s  %s\n", $1, $NF }'
