#!/bin/sh
# Subword vocabularies: train -> translate with --subword bpe, the merges in the model file
# (info shows them), tokenize -m showing the segmentation and --detok joining it back
# exactly, spans passed through whole, word-level models without the sections, joint
# vocabularies, determinism, and --resume refusing another --vocab-size or --subword.
. tests/cli_lib.sh
small="--emb 8 --hidden 8 --min-count 1 --threads 2 -q --epochs 2"
head -n 500 data/corpus.tsv > "$TMP/a.tsv"
i=0
while [ $i -lt 20 ]; do # protected spans, so that the model masks them
    printf 'Run `tool%d --fast` now .\t现在运行`tool%d --fast`。\n' $i $i >> "$TMP/a.tsv"
    i=$((i + 1))
done
cut -f1 data/dev.tsv | head -n 20 > "$TMP/src.txt"

ok "train with --subword bpe" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe --vocab-size 400 -o "$TMP/b.model"
ok "train again" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe --vocab-size 400 -o "$TMP/b2.model"
cmp -s "$TMP/b.model" "$TMP/b2.model" && pass || fail "the same command writes the same bytes"
"$SEQTRANS" info "$TMP/b.model" > "$TMP/info"
grep -q "SBPE  source subwords" "$TMP/info" && grep -q "TBPE  target subwords" "$TMP/info" &&
    pass || fail "info shows the subword sections"
grep -q "vocab_size  *400" "$TMP/info" && pass || fail "the record has --vocab-size"

ok "translate with subwords" "$SEQTRANS" translate -m "$TMP/b.model" "$TMP/src.txt"
cp "$TMP/out" "$TMP/hyp.txt"
[ "$(wc -l < "$TMP/hyp.txt")" -eq 20 ] && pass || fail "one translation per line"
grep -q '﹫\|〈' "$TMP/hyp.txt" && fail "translations hold unit marks: $(head -n 3 "$TMP/hyp.txt")" || pass
printf 'Run `make -j2 test` now .\n' > "$TMP/span.txt"
ok "translate a line with a span" "$SEQTRANS" translate -m "$TMP/b.model" "$TMP/span.txt"
grep -qF '`make -j2 test`' "$TMP/out" && pass || fail "the span comes back whole: $(cat "$TMP/out")"
ok "eval with subwords" "$SEQTRANS" eval -m "$TMP/b.model" data/dev.tsv

ok "quantize a subword model" "$SEQTRANS" quantize "$TMP/b.model" -o "$TMP/q.model"
"$SEQTRANS" info "$TMP/q.model" | grep -q "SBPE" && pass || fail "the int8 model keeps the subwords"
ok "translate with the int8 subword model" "$SEQTRANS" translate -m "$TMP/q.model" "$TMP/src.txt"
grep -q '﹫\|〈' "$TMP/out" && fail "int8 translations hold unit marks" || pass

# tokenize -m shows the units; --detok joins them back to what word-level tokenizing gives
ok "tokenize -m" "$SEQTRANS" tokenize -m "$TMP/b.model" "$TMP/src.txt"
cp "$TMP/out" "$TMP/units.txt"
grep -q '﹫' "$TMP/units.txt" && pass || fail "some word is split into units: $(head -n 2 "$TMP/units.txt")"
"$SEQTRANS" tokenize -m "$TMP/b.model" --detok "$TMP/units.txt" > "$TMP/back.txt"
"$SEQTRANS" tokenize -l en "$TMP/src.txt" | "$SEQTRANS" tokenize -l en --detok > "$TMP/words.txt"
cmp -s "$TMP/back.txt" "$TMP/words.txt" && pass || fail "units join back exactly"
cut -f2 data/dev.tsv > "$TMP/zh.txt"
"$SEQTRANS" tokenize -m "$TMP/b.model" --side tgt "$TMP/zh.txt" |
    "$SEQTRANS" tokenize -m "$TMP/b.model" --side tgt --detok > "$TMP/zh-back.txt"
"$SEQTRANS" tokenize -l zh "$TMP/zh.txt" | "$SEQTRANS" tokenize -l zh --detok > "$TMP/zh-words.txt"
cmp -s "$TMP/zh-back.txt" "$TMP/zh-words.txt" && pass || fail "Chinese units join back exactly"

# bpe-chars: Chinese stays characters, English gets merges
ok "train with --subword bpe-chars" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe-chars --vocab-size 4000 -o "$TMP/c.model"
cut -f2 "$TMP/a.tsv" > "$TMP/a-zh.txt" # characters it has seen (others fall back to bytes)
"$SEQTRANS" tokenize -m "$TMP/c.model" --side tgt "$TMP/a-zh.txt" > "$TMP/zh-chars.txt"
# only ASCII units (numbers, Latin words) go on into the next one
LC_ALL=C grep -o '[^ ]*﹫' "$TMP/zh-chars.txt" | LC_ALL=C grep -v '^[!-~]*﹫$' > "$TMP/zh-merged.txt"
[ -s "$TMP/zh-chars.txt" ] && [ ! -s "$TMP/zh-merged.txt" ] && pass ||
    fail "bpe-chars: Chinese characters are units alone: $(head -n 3 "$TMP/zh-merged.txt")"
grep -q '﹫' "$TMP/zh-back.txt" && fail "joined text holds marks" || pass
exits 2 "resume bpe-chars with --subword bpe" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe --vocab-size 4000 --resume -o "$TMP/c.model"
grep -q -- "--subword bpe conflicts with the model, which has bpe-chars" "$TMP/err" && pass || fail "names both: $(cat "$TMP/err")"

# word-level: no subword sections, and the default for a small corpus
ok "train with --subword none" "$SEQTRANS" train "$TMP/a.tsv" $small --subword none -o "$TMP/w.model"
ok "train with the default" "$SEQTRANS" train "$TMP/a.tsv" $small -o "$TMP/d.model"
"$SEQTRANS" info "$TMP/w.model" | grep -q "BPE" && fail "a word-level model has subword sections" || pass
cmp -s "$TMP/w.model" "$TMP/d.model" && pass || fail "a small corpus is word-level by default"

# the default by corpus size: bpe-chars from 100000 pairs (train --help), word-level below
i=0
while [ $i -lt 37 ]; do cat data/corpus.tsv; i=$((i + 1)); done | head -n 100000 > "$TMP/big.tsv"
head -n 99999 "$TMP/big.tsv" > "$TMP/below.tsv"
tiny="--emb 2 --hidden 2 --max-steps 1 --threads 2 -q"
ok "train on 100000 pairs" "$SEQTRANS" train "$TMP/big.tsv" $tiny -o "$TMP/big.model"
ok "train on 99999 pairs" "$SEQTRANS" train "$TMP/below.tsv" $tiny -o "$TMP/below.model"
"$SEQTRANS" info "$TMP/big.model" | grep -q "SBPE" && pass || fail "100000 pairs: subwords by default"
"$SEQTRANS" info "$TMP/below.model" | grep -q "SBPE" && fail "99999 pairs: word-level by default" || pass
exits 2 "the default is bpe-chars" "$SEQTRANS" train "$TMP/big.tsv" $tiny --subword bpe --resume -o "$TMP/big.model"
grep -q "which has bpe-chars" "$TMP/err" && pass || fail "big: $(cat "$TMP/err")"

exits 2 "--vocab-size with --subword none" "$SEQTRANS" train "$TMP/a.tsv" $small --subword none --vocab-size 500 -o "$TMP/x.model"
exits 2 "--joint-vocab with --subword none" "$SEQTRANS" train "$TMP/a.tsv" $small --subword none --joint-vocab -o "$TMP/x.model"

# joint: one vocabulary for both sides
ok "train with --joint-vocab" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe --vocab-size 600 --joint-vocab -o "$TMP/j.model"
"$SEQTRANS" info "$TMP/j.model" > "$TMP/jinfo"
sv=$(sed -n 's/^  src_vocab  *//p' "$TMP/jinfo"); tv=$(sed -n 's/^  tgt_vocab  *//p' "$TMP/jinfo")
[ -n "$sv" ] && [ "$sv" = "$tv" ] && pass || fail "joint: one vocabulary ($sv / $tv)"
ok "translate with a joint vocabulary" "$SEQTRANS" translate -m "$TMP/j.model" "$TMP/src.txt"

# resume: the subword settings fix the vocabulary
exits 2 "resume with another --vocab-size" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe --vocab-size 500 --resume -o "$TMP/b.model"
grep -q -- "--vocab-size 500 conflicts with the model, which has 400" "$TMP/err" && pass || fail "names both sizes: $(cat "$TMP/err")"
exits 2 "resume with --subword none" "$SEQTRANS" train "$TMP/a.tsv" $small --subword none --resume -o "$TMP/b.model"
exits 2 "resume with --joint-vocab" "$SEQTRANS" train "$TMP/a.tsv" $small --joint-vocab --resume -o "$TMP/b.model"
exits 2 "resume a word-level model with --subword bpe" "$SEQTRANS" train "$TMP/a.tsv" $small --subword bpe --resume -o "$TMP/w.model"
ok "resume with the same settings" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 3 --vocab-size 400 --resume -o "$TMP/b.model"
summary subwords_cli
