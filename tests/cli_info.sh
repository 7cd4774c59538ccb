#!/bin/sh
# seqtrans info: text and JSON reports of what a model file holds; corrupt files refused
# with the same messages as everywhere else.
. tests/cli_lib.sh
fixture=tests/fixtures/lstm-v1.model
ok "info on a version 1 model" "$SEQTRANS" info "$fixture"
grep -q 'format version 1' "$TMP/out" && grep -q 'cell  *lstm' "$TMP/out" && grep -q '^parameters: 73792' "$TMP/out" &&
    grep -q 'resumable: no' "$TMP/out" && pass || fail "info text fields"
"$SEQTRANS" train data/corpus.tsv --cell gru --emb 16 --hidden 32 --max-steps 5 -q -o "$TMP/g.model" 2>/dev/null
ok "info --json on a trained model" "$SEQTRANS" info --json "$TMP/g.model"
for field in '"format_version": 2' '"resumable": true' '"cell": "gru"' '"parameters": ' \
             '"src_vocab": ' '"tgt_vocab": ' '"sections": \[' '"tag": "PF32"' '"training": {'; do
    grep -q "$field" "$TMP/out" && pass || fail "info --json has $field"
done
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["config"]["hidden"] == 32' < "$TMP/out" && pass || fail "info --json parses"
fi
SEQTRANS_MODEL="$TMP/g.model" exits 0 "info uses \$SEQTRANS_MODEL" "$SEQTRANS" info
head -c 1000 "$TMP/g.model" > "$TMP/cut.model"
exits 1 "info on a truncated model" "$SEQTRANS" info "$TMP/cut.model"
grep -q "truncated" "$TMP/err" && pass || fail "truncation is named"
exits 1 "info on a missing model" "$SEQTRANS" info "$TMP/none.model"
exits 2 "info with a bad option" "$SEQTRANS" info --bogus "$fixture"
exits 2 "info with two models" "$SEQTRANS" info "$fixture" "$fixture"
summary info_cli
