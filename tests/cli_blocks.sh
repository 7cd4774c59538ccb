#!/bin/sh
# A training corpus larger than one block (131,072 pairs) is read a block at a time, and
# again on each pass, never held whole. It must give the model that the same corpus held
# whole gives (read from a pipe), see the blocks in order, and report each bad line once,
# with its line number, in strict mode too.
. tests/cli_lib.sh
i=0
while [ $i -lt 60 ]; do cat data/corpus.tsv; i=$((i + 1)); done | head -n 140000 > "$TMP/body.tsv"
# bad lines in the second block; the last pair only there, so a lost block shows
{ head -n 135000 "$TMP/body.tsv"; printf 'no tab in this line\n\n'; sed -n '135001,$p' "$TMP/body.tsv"
  printf 'Only the last line says zebra .\t只有最后一行说斑马。\n'; } > "$TMP/big.tsv"
tiny="--emb 8 --hidden 8 --max-steps 2 --threads 2 --vocab-size 300 --min-count 1"

ok "train on 140,003 lines" "$SEQTRANS" train "$TMP/big.tsv" $tiny -o "$TMP/file.model"
grep -c "big.tsv:135001: no tab" "$TMP/err" | grep -qx 1 && pass || fail "the bad line reported once: $(cat "$TMP/err")"
grep -q "skipped 2 of 140003 lines (1 blank)" "$TMP/err" && pass || fail "the skipped lines counted once: $(cat "$TMP/err")"
grep -q "140001 training pairs" "$TMP/err" && pass || fail "every pair used: $(cat "$TMP/err")"

mkfifo "$TMP/pipe" && {
    cat "$TMP/big.tsv" > "$TMP/pipe" &
    ok "train on the same lines from a pipe" "$SEQTRANS" train "$TMP/pipe" $tiny -o "$TMP/pipe.model"
    wait
    "$SEQTRANS" info --json "$TMP/file.model" > "$TMP/file.json"
    "$SEQTRANS" info --json "$TMP/pipe.model" > "$TMP/pipe.json"
    for tag in SVOC TVOC SBPE TBPE PF32; do # where each is: the record before the BPEs differs
        where="s/.*\"tag\": \"$tag\", \"name\": \"[^\"]*\", \"offset\": \([0-9]*\), \"bytes\": \([0-9]*\).*/\1 \2/p"
        set -- $(sed -n "$where" "$TMP/file.json") $(sed -n "$where" "$TMP/pipe.json")
        [ $# -eq 4 ] && [ "$2" = "$4" ] && cmp -s -i "$1:$3" -n "$2" "$TMP/file.model" "$TMP/pipe.model" &&
            pass || fail "$tag: read in blocks as held whole"
    done
}
printf 'zebra\n' > "$TMP/zebra.txt"
ok "tokenize -m with the last block's word" "$SEQTRANS" tokenize -m "$TMP/file.model" "$TMP/zebra.txt"
grep -q "<unk>" "$TMP/out" && fail "the last block was counted: $(cat "$TMP/out")" || pass

# the languages come from the whole corpus: here the source column has more Han characters
# only because of lines after the first block
han=$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "长"; }')
{ head -n 131072 "$TMP/body.tsv"; i=0; while [ $i -lt 9000 ]; do printf '%s\tlong\n' "$han"; i=$((i + 1)); done; } > "$TMP/flip.tsv"
ok "train on a corpus whose direction its second block decides" "$SEQTRANS" train "$TMP/flip.tsv" $tiny -o "$TMP/flip.model"
"$SEQTRANS" info "$TMP/flip.model" | grep -q 'src_lang *zh' && pass || fail "the whole corpus decides the languages"
ok "resume on it" "$SEQTRANS" train "$TMP/flip.tsv" $tiny --max-steps 3 --resume -o "$TMP/flip.model"
grep -q "other way round" "$TMP/err" && fail "resume turned the corpus round: $(cat "$TMP/err")" || pass

exits 1 "--strict stops at a bad line of the second block" "$SEQTRANS" train "$TMP/big.tsv" $tiny --strict -o "$TMP/strict.model"
grep -q "big.tsv:135001: no tab" "$TMP/err" && pass || fail "strict names the line: $(cat "$TMP/err")"
[ -e "$TMP/strict.model" ] && fail "strict wrote a model" || pass
summary blocks_cli
