#!/bin/sh
# Protected spans through translate: a model whose vocabulary has the placeholders (as one
# trained on masked pairs has) gets code, URLs, e-mail addresses and paths back byte for
# byte, each exactly once, whatever it makes of them; a model without them (trained before)
# translates such lines as it always did.
. tests/cli_lib.sh
p1=$(printf '\356\200\201') p2=$(printf '\356\200\202')
# pairs as training sees them once masked: placeholders copied across
i=0
for w in print read write open close call load save run test; do
    for v in now here again today; do
        printf 'please %s %s %s\t请%s%s%s\n' "$w" "$p1" "$v" "$v" "$w" "$p1"
        printf '%s %s and %s\t%s %s 和 %s\n' "$w" "$p1" "$p2" "$w" "$p1" "$p2"
        i=$((i + 1))
    done
done > "$TMP/masked.tsv"
"$SEQTRANS" train "$TMP/masked.tsv" --emb 16 --hidden 32 --epochs 8 --min-count 1 -q -o "$TMP/s.model" --threads 1 2>/dev/null
cat > "$TMP/in" <<'IN'
please print `printf("%d\n", x)` now
read https://example.com/a_(b)?x=1. and `` a`b ``
write admin@example.org and /usr/local/bin/seqtrans
IN
ok "translate with protected spans" "$SEQTRANS" translate -m "$TMP/s.model" "$TMP/in"
cp "$TMP/out" "$TMP/spans.out"
[ "$(wc -l < "$TMP/spans.out")" -eq 3 ] && pass || fail "one line per input"
for s in '`printf("%d\n", x)`' 'https://example.com/a_(b)?x=1' '`` a`b ``' 'admin@example.org' '/usr/local/bin/seqtrans'; do
    [ "$(grep -cF -- "$s" "$TMP/spans.out")" -eq 1 ] && pass || fail "span $s comes back once"
done
grep -q "$(printf '\356\200')" "$TMP/spans.out" && fail "no placeholder left in the output" || pass
ok "the same with n-best and alignments" "$SEQTRANS" translate -m "$TMP/s.model" --n-best 2 --alignment hard "$TMP/in"
grep -F -- '`printf("%d\n", x)`' "$TMP/out" | grep -q '^0 |||' && pass || fail "n-best lines restore spans"
# a model without placeholders: spans are text as before
printf 'please print `x` now\n' | "$SEQTRANS" translate -m tests/fixtures/lstm-v1.model > "$TMP/old.out"
printf 'please print `x` now\n' | "$SEQTRANS" tokenize -m tests/fixtures/lstm-v1.model --side src > "$TMP/old.tok"
grep -q '` x `' "$TMP/old.tok" && pass || fail "an old model tokenizes the backticks as before"
# training masks the spans of each pair itself: a model trained on raw pairs with code and URLs
for w in print read write open close call load save run test; do
    for v in now here again today; do
        printf 'please %s `%s_%s()` %s\t请%s%s `%s_%s()`\n' "$w" "$w" "$v" "$v" "$v" "$w" "$w" "$v"
        printf 'see https://example.com/%s/%s for %s\t%s见 https://example.com/%s/%s\n' "$w" "$v" "$w" "$w" "$w" "$v"
    done
done > "$TMP/raw.tsv"
ok "train on raw pairs with spans" "$SEQTRANS" train "$TMP/raw.tsv" --emb 16 --hidden 32 --epochs 6 -q -o "$TMP/raw.model" --threads 1
"$SEQTRANS" tokenize -m "$TMP/raw.model" --side src --ids > /dev/null < /dev/null
printf '\356\200\201\n' | "$SEQTRANS" tokenize -m "$TMP/raw.model" --side src --ids > "$TMP/ph.ids"
[ "$(cat "$TMP/ph.ids")" != 1 ] && pass || fail "the placeholder is in the vocabulary (not <unk>)"
printf 'please load `never_seen(x, y)` now\n' | "$SEQTRANS" translate -m "$TMP/raw.model" > "$TMP/raw.out"
[ "$(grep -cF -- '`never_seen(x, y)`' "$TMP/raw.out")" -eq 1 ] && pass || fail "a new code span comes back once: $(cat "$TMP/raw.out")"
summary spans_cli
