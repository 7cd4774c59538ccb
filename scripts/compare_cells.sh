#!/bin/sh
# LSTM against GRU on Tatoeba, same sizes (the defaults: emb 256, hidden 512, bidirectional
# encoder): parameters, training target tokens/s, dev BLEU/chrF (beam 5) after DURATION of
# training, and translation sentences/s (dev set, greedy and beam 5, 2 threads), both
# directions. The two cells train at the same time, one thread each, so that whatever else
# the machine runs slows both alike; the translation timings alternate the two models.
# Rows go to bench/cells.tsv.
# usage: scripts/compare_cells.sh [DATA_DIR] [DURATION]   (defaults ../shared/data/tatoeba-cmn-eng, 30m)
set -eu
cd "$(dirname "$0")/.."
data=${1:-../shared/data/tatoeba-cmn-eng}
duration=${2:-30m}
if [ ! -f "$data/train.tsv" ] || [ ! -f "$data/dev.tsv" ]; then
    echo "compare_cells: $data/train.tsv and dev.tsv not found; skipped" >&2
    exit 0
fi
make -s seqtrans
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
cp seqtrans "$out/seqtrans" # a rebuild during the run must not change what is measured
st=$out/seqtrans
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo -dirty)
results=bench/cells.tsv
[ -f "$results" ] || printf 'date\tcommit\tcpu\tdirection\tcell\tduration\tparams\ttrain_tok_s\tepochs\tbleu\tchrf\tgreedy_sent_s\tbeam5_sent_s\n' > "$results"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1" | tail -n 1; }
jfield() { sed "s/.*\"$2\": \([0-9.]*\).*/\1/" "$1"; }

# median seconds of 3 runs translating the dev set, alternating the models given
translate_time() { # beam model...
    beam=$1; shift
    for round in 1 2 3; do
        for m in "$@"; do
            t0=$(date +%s.%N)
            cut -f1 "$data/dev.tsv" | "$st" translate -m "$m" --beam "$beam" --threads 2 > /dev/null
            t1=$(date +%s.%N)
            echo "$m $(echo "$t1 - $t0" | bc)" >> "$out/times.$beam"
        done
    done
}
median() { grep "^$1 " "$2" | cut -d' ' -f2 | sort -n | sed -n 2p; }

direction() { # name, extra options
    dir=$1; shift
    for cell in lstm gru; do
        "$st" train "$data/train.tsv" --dev "$data/dev.tsv" --time "$duration" --cell "$cell" \
            --threads 1 "$@" -o "$out/$dir-$cell.model" --metrics "$out/$dir-$cell.jsonl" \
            2> "$out/$dir-$cell.log" &
    done
    wait
    rm -f "$out/times.1" "$out/times.5"
    translate_time 1 "$out/$dir-lstm.model" "$out/$dir-gru.model"
    translate_time 5 "$out/$dir-lstm.model" "$out/$dir-gru.model"
    n=$(wc -l < "$data/dev.tsv")
    for cell in lstm gru; do
        m=$out/$dir-$cell.model
        "$st" eval -m "$m" "$data/dev.tsv" --json > "$out/$dir-$cell.json"
        params=$(sed -n 's/.* \([0-9]*\) parameters.*/\1/p' "$out/$dir-$cell.log" | head -n 1)
        done_line=$(grep '"event":"done"' "$out/$dir-$cell.jsonl" > "$out/done" && echo "$out/done")
        tok=$(field "$done_line" tok_per_s)
        epochs=$(field "$done_line" epoch)
        bleu=$(jfield "$out/$dir-$cell.json" bleu)
        chrf=$(jfield "$out/$dir-$cell.json" chrf)
        g=$(echo "$n / $(median "$m" "$out/times.1")" | bc -l)
        b=$(echo "$n / $(median "$m" "$out/times.5")" | bc -l)
        printf '%-6s %-5s params %-9s train %6.0f tok/s  epochs %-3s BLEU %6.2f chrF %6.2f  greedy %5.0f sent/s  beam5 %5.0f sent/s\n' \
            "$dir" "$cell" "$params" "$tok" "$epochs" "$bleu" "$chrf" "$g" "$b"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%.2f\t%.2f\t%.0f\t%.0f\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
            "$commit" "$cpu" "$dir" "$cell" "$duration" "$params" "$tok" "$epochs" "$bleu" "$chrf" "$g" "$b" >> "$results"
    done
}

echo "seqtrans cells, $(date -u +%Y-%m-%d), commit $commit, $duration per model, $cpu"
direction en-zh
direction zh-en --reverse
