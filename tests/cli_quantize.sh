#!/bin/sh
# seqtrans quantize: an int8 copy of a model that translates nearly as the float model does,
# batch independent, smaller, shown by info, refused by train --resume.
. tests/cli_lib.sh
fixture=tests/fixtures/lstm-v1.model
cut -f1 tests/fixtures/lstm-v1.tsv > "$TMP/src.txt"
ok "quantize the LSTM fixture" "$SEQTRANS" quantize "$fixture" -o "$TMP/q.model"
float_bytes=$(wc -c < "$fixture"); int8_bytes=$(wc -c < "$TMP/q.model")
# tiny matrices pad to 16 columns and 64-byte headers: 2.5x here, near 4x on real sizes
[ $((int8_bytes * 5)) -lt $((float_bytes * 2)) ] && pass || fail "int8 file $int8_bytes bytes, float $float_bytes"
ok "info on the int8 model" "$SEQTRANS" info "$TMP/q.model"
grep -q 'QI8W  parameters (int8)' "$TMP/out" && ! grep -q PF32 "$TMP/out" && pass || fail "info shows QI8W and no PF32"
ok "translate the float fixture" "$SEQTRANS" translate -m "$fixture" "$TMP/src.txt"
cp "$TMP/out" "$TMP/float.out"
cmp -s "$TMP/float.out" tests/fixtures/lstm-v1.beam5 && pass || fail "float translation unchanged"
ok "translate -m int8" "$SEQTRANS" translate -m "$TMP/q.model" "$TMP/src.txt"
cp "$TMP/out" "$TMP/int8.out"
ok "translate -m int8 --beam 1" "$SEQTRANS" translate -m "$TMP/q.model" --beam 1 "$TMP/src.txt"
[ "$(paste tests/fixtures/lstm-v1.greedy "$TMP/out" | awk -F"\t" "\$1 == \$2" | wc -l)" -ge 30 ] && pass || fail "int8 greedy agrees with float greedy"
[ "$(wc -l < "$TMP/int8.out")" = "$(wc -l < "$TMP/src.txt")" ] && pass || fail "one line per input (int8)"
cmp -s "$TMP/int8.out" "$TMP/float.out" && fail "int8 translation is the float one byte for byte (are int8 products used?)" || pass
agree=$(paste "$TMP/float.out" "$TMP/int8.out" | awk -F'\t' '$1 == $2' | wc -l)
[ "$agree" -ge 30 ] && pass || fail "int8 agrees with float on $agree of 40 lines"
# one_at_a_time MODEL SRC OUT: SRC translated one line per process (beam 3) into OUT
one_at_a_time() {
    : > "$3"
    while IFS= read -r line; do
        printf '%s\n' "$line" | "$SEQTRANS" translate -m "$1" --beam 3 >> "$3" || fail "translate one line with $1"
    done < "$2"
}
one_at_a_time "$TMP/q.model" "$TMP/src.txt" "$TMP/one.out"
ok "translate -m int8 --beam 3, batched" "$SEQTRANS" translate -m "$TMP/q.model" --beam 3 --batch 16 "$TMP/src.txt"
cmp -s "$TMP/out" "$TMP/one.out" && pass || fail "int8: one at a time equals batched"
ok "eval -m int8" "$SEQTRANS" eval -m "$TMP/q.model" tests/fixtures/lstm-v1.tsv
ok "tokenize -m int8" "$SEQTRANS" tokenize -m "$TMP/q.model" --ids "$TMP/src.txt"
exits 1 "quantize an int8 model" "$SEQTRANS" quantize "$TMP/q.model" -o "$TMP/qq.model"
grep -q 'already an int8 model' "$TMP/err" && pass || fail "quantize twice is named"
exits 2 "quantize without -o" "$SEQTRANS" quantize "$fixture"
"$SEQTRANS" train data/corpus.tsv --emb 16 --hidden 32 --max-steps 3 -q -o "$TMP/t.model" 2>/dev/null
ok "quantize a trained model" "$SEQTRANS" quantize "$TMP/t.model" -o "$TMP/tq.model"
exits 1 "train --resume on an int8 model" "$SEQTRANS" train data/corpus.tsv --resume -q -o "$TMP/tq.model" --max-steps 4
grep -q 'int8 model.*for translating only' "$TMP/err" && pass || fail "resume refusal is clear"
# GRU cells, two layers, a bidirectional encoder: every int8 product of the encoder and
# decoder, batch independent too
"$SEQTRANS" train data/corpus.tsv --cell gru --layers 2 --encoder bi --emb 16 --hidden 32 --max-steps 20 -q \
    -o "$TMP/g.model" 2>/dev/null
ok "quantize a GRU model" "$SEQTRANS" quantize "$TMP/g.model" -o "$TMP/gq.model"
cut -f1 data/corpus.tsv | head -n 24 > "$TMP/g.src"
one_at_a_time "$TMP/gq.model" "$TMP/g.src" "$TMP/gone.out"
ok "translate -m GRU int8 --beam 3, batched" "$SEQTRANS" translate -m "$TMP/gq.model" --beam 3 --batch 8 "$TMP/g.src"
cmp -s "$TMP/out" "$TMP/gone.out" && pass || fail "GRU int8: one at a time equals batched"
ok "translate -m GRU float" "$SEQTRANS" translate -m "$TMP/g.model" --beam 3 "$TMP/g.src"
agree=$(paste "$TMP/out" "$TMP/gone.out" | awk -F'\t' '$1 == $2' | wc -l)
[ "$agree" -ge 18 ] && pass || fail "GRU int8 agrees with float on $agree of 24 lines"
ok "eval -m GRU int8" "$SEQTRANS" eval -m "$TMP/gq.model" data/corpus.tsv
head -c 2000 "$TMP/tq.model" > "$TMP/cut.model"
exits 1 "translate a truncated int8 model" "$SEQTRANS" translate -m "$TMP/cut.model" "$TMP/src.txt"
summary quantize_cli
