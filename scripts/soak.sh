#!/bin/sh
# The long soak (not in `make test`, which runs a 10,000-line version): `translate` as a
# co-process over 1M lines, memory and latency percentiles as it goes (see
# scripts/soak_translate.c); then `train` for an hour with checkpoints every 5 minutes,
# sampling its resident memory once a minute, which must stay flat after the first save;
# then twenty kill -9 during saves of a 470 MB model (scripts/kill_saves.sh).
# usage: scripts/soak.sh [MODEL] [LINES] [TRAIN_DURATION]
#        (defaults: a model trained here on Tatoeba, 1000000, 60m)
set -eu
cd "$(dirname "$0")/.."
data=../shared/data/tatoeba-cmn-eng
lines=${2:-1000000}
duration=${3:-60m}
make -s seqtrans build/soak_translate
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
model=${1:-}
if [ -z "$model" ]; then
    model=$out/soak.model
    ./seqtrans train "$data/train.tsv" --max-steps 2000 -q -o "$model"
fi
echo "== translate co-process, $lines lines"
build/soak_translate ./seqtrans "$model" "$data/dev.tsv" "$lines" 1024

echo "== train $duration, checkpoint every 5 minutes, RSS each minute"
./seqtrans train "$data/train.tsv" --dev "$data/dev.tsv" --time "$duration" --save-every 5m -q \
    -o "$out/train.model" &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
    sleep 60
    printf '%s RSS %s\n' "$(date -u +%H:%M:%S)" "$(sed -n 's/^VmRSS:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)"
done
wait "$pid"

echo "== kill -9 during saves of a large model, 20 times"
sh scripts/kill_saves.sh ./seqtrans "$out" 20 4000 data/corpus.tsv --hidden 1024 --emb 512 --layers 2 \
    --threads 2 -q --max-steps 12
ls -l "$out/ref.model"
