#!/bin/sh
# Issue 5's measurement: 30 minutes of `seqtrans train` with default settings in each
# direction on the Tatoeba cmn-eng training set, then `seqtrans eval` (default beam) on the
# dev set. Prints BLEU, chrF, epochs reached, date and commit, and appends them to
# bench/quality.tsv.
# usage: scripts/quality.sh [DATA_DIR] [DURATION]   (defaults ../shared/data/tatoeba-cmn-eng, 30m)
set -eu
cd "$(dirname "$0")/.."
data=${1:-../shared/data/tatoeba-cmn-eng}
duration=${2:-30m}
if [ ! -f "$data/train.tsv" ] || [ ! -f "$data/dev.tsv" ]; then
    echo "quality: $data/train.tsv and dev.tsv not found; skipped" >&2
    exit 0
fi
make -s seqtrans
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Both directions run this copy: a rebuild during the hour must not change what is measured.
cp seqtrans "$out/seqtrans"
seqtrans=$out/seqtrans
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo -dirty)
results=bench/quality.tsv
[ -f "$results" ] || printf 'date\tcommit\tdirection\tduration\tepochs\tsteps\tbleu\ttokenize\tchrf\n' > "$results"

run() { # direction, extra train options
    dir=$1; shift
    "$seqtrans" train "$data/train.tsv" --dev "$data/dev.tsv" --time "$duration" "$@" \
        -o "$out/$dir.model" --metrics "$out/$dir.jsonl" -q
    "$seqtrans" eval -m "$out/$dir.model" "$data/dev.tsv" --json > "$out/$dir.json"
    epochs=$(grep '"event":"done"' "$out/$dir.jsonl" | sed 's/.*"epoch":\([0-9]*\).*/\1/')
    steps=$(grep '"event":"done"' "$out/$dir.jsonl" | sed 's/.*"step":\([0-9]*\).*/\1/')
    bleu=$(sed 's/.*"bleu": \([0-9.]*\).*/\1/' "$out/$dir.json")
    chrf=$(sed 's/.*"chrf": \([0-9.]*\).*/\1/' "$out/$dir.json")
    tok=$(sed 's/.*"bleu_signature": "[^"]*tok:\([a-z0-9]*\).*/\1/' "$out/$dir.json")
    printf '%-6s  epochs %-3s steps %-6s  BLEU %6.2f (%s)  chrF %6.2f\n' "$dir" "$epochs" "$steps" "$bleu" "$tok" "$chrf"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%.2f\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" "$dir" \
        "$duration" "$epochs" "$steps" "$bleu" "$tok" "$chrf" >> "$results"
}

echo "seqtrans quality, $(date -u +%Y-%m-%d), commit $commit, $duration per direction, $(nproc) threads"
run en-zh
run zh-en --reverse
