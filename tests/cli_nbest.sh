#!/bin/sh
# translate --n-best, --scores and --alignment: the Moses/Marian formats, one line per input
# without --n-best, alignments that match the model's token counts.
. tests/cli_lib.sh
model=$TMP/m.model
"$SEQTRANS" train data/corpus.tsv --emb 32 --hidden 48 --epochs 3 -q -o "$model" --threads 2 2>/dev/null
head -n 12 data/dev.tsv | cut -f1 > "$TMP/in"
printf '\n' >> "$TMP/in"   # an empty line too
lines=$(wc -l < "$TMP/in")

ok "n-best 3" "$SEQTRANS" translate -m "$model" --n-best 3 --beam 5 "$TMP/in"
cp "$TMP/out" "$TMP/nbest"
awk -F' \\|\\|\\| ' -v n="$lines" '
    NF != 3 || $1 !~ /^[0-9]+$/ || $3 !~ /^-?[0-9]+\.[0-9]+$/ || $3 > 0 { bad = 1 }
    { if ($1 < last) bad = 1; last = $1; count[$1]++ }
    END { for (i = 0; i < n; i++) if (count[i] < 1 || count[i] > 3) bad = 1; exit bad }' "$TMP/nbest" &&
    pass || fail "n-best lines are 'ID ||| hypothesis ||| score', IDs in order, 1..3 each"
awk -F' \\|\\|\\| ' '{ if ($1 == id && $3 > prev + 1e-6) bad = 1; id = $1; prev = $3 } END { exit bad }' "$TMP/nbest" &&
    pass || fail "each input's hypotheses come best first"
ok "1-best at the same beam" "$SEQTRANS" translate -m "$model" --beam 5 "$TMP/in"
awk -F' \\|\\|\\| ' 'NR == 1 || $1 != id { print $2; id = $1 }' "$TMP/nbest" | cmp -s - "$TMP/out" &&
    pass || fail "the first of the n best is the translation"

ok "scores" "$SEQTRANS" translate -m "$model" --scores "$TMP/in"
[ "$(wc -l < "$TMP/out")" -eq "$lines" ] && pass || fail "--scores: one line per input"
awk -F' \\|\\|\\| ' 'NF != 2 || $2 !~ /^-?[0-9]+\.[0-9]+$/ { bad = 1 } END { exit bad }' "$TMP/out" &&
    pass || fail "--scores appends ' ||| score'"

"$SEQTRANS" tokenize -m "$model" --side src "$TMP/in" > "$TMP/src.tok"
for kind in hard soft; do
    ok "alignment $kind" "$SEQTRANS" translate -m "$model" --alignment $kind "$TMP/in"
    cp "$TMP/out" "$TMP/al.$kind"
    [ "$(wc -l < "$TMP/al.$kind")" -eq "$lines" ] && pass || fail "--alignment $kind: one line per input"
    cut -d'|' -f1 "$TMP/al.$kind" | sed 's/ $//' | "$SEQTRANS" tokenize -m "$model" --side tgt > "$TMP/tgt.$kind"
done
# hard: one pair per output token, source index within the source's tokens
paste -d'\t' "$TMP/src.tok" "$TMP/tgt.hard" "$TMP/al.hard" | awk -F'\t' '{
    s = split($1, a, " "); t = split($2, b, " "); al = $3; sub(/^.* \|\|\| /, "", al)
    n = split(al, p, " ")
    if (n != t) bad = 1
    for (k = 1; k <= n; k++) { split(p[k], ij, "-"); if (ij[1] < 0 || ij[1] >= s || ij[2] != k - 1) bad = 1 }
} END { exit bad }' && pass || fail "hard alignment: a pair per output token, within the source"
# soft: a row per output token and one for the end, each a distribution over the source tokens
paste -d'\t' "$TMP/src.tok" "$TMP/tgt.soft" "$TMP/al.soft" | awk -F'\t' '{
    s = split($1, a, " "); t = split($2, b, " "); al = $3; sub(/^.* \|\|\| /, "", al)
    if (s == 0) next
    n = split(al, rows, " ")
    if (n != t + 1) bad = 1
    for (k = 1; k <= n; k++) { m = split(rows[k], w, ","); sum = 0; for (j = 1; j <= m; j++) sum += w[j]
        if (m != s || sum < 0.98 || sum > 1.02) bad = 1 }
} END { exit bad }' && pass || fail "soft alignment: a row per output token and the end, over the source"
exits 2 "a bad alignment kind" "$SEQTRANS" translate -m "$model" --alignment diagonal "$TMP/in"
grep -q "alignment" "$TMP/err" && pass || fail "the bad kind is named"
exits 2 "n-best 0" "$SEQTRANS" translate -m "$model" --n-best 0 "$TMP/in"
summary nbest_cli
