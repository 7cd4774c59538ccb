#!/bin/sh
# CLI tests of `seqtrans eval --hyp ...` (the scoring form) and eval's usage errors.
. tests/cli_lib.sh

# has NAME FILE TEXT: passes when FILE contains TEXT (a fixed string)
has() {
    if grep -qF -- "$3" "$2"; then pass; else fail "$1: '$3' not in $(cat "$2")"; fi
}

# --- help and usage errors -------------------------------------------------------------
ok "eval --help" $SEQTRANS eval --help
has "eval --help on stdout" "$TMP/out" "usage: seqtrans eval"
ok "eval -h" $SEQTRANS eval -h
exits 2 "unknown option" $SEQTRANS eval --bogus
has "unknown option: usage on stderr" "$TMP/err" "usage: seqtrans eval"
exits 2 "unknown short option" $SEQTRANS eval -Z x
exits 2 "--hyp without a value" $SEQTRANS eval --hyp
exits 2 "--hyp without references" $SEQTRANS eval --hyp hyp.txt
exits 2 "unknown tokenizer" $SEQTRANS eval --tokenize intl --hyp a b
exits 2 "--beam not a number" $SEQTRANS eval --beam x test.tsv
exits 2 "--beam with --hyp" $SEQTRANS eval --beam 2 --hyp a b
exits 2 "--tokenize without --hyp" $SEQTRANS eval --tokenize zh test.tsv
exits 2 "model form without TEST.tsv" $SEQTRANS eval -m x.model
exits 2 "stdin twice" $SEQTRANS eval --hyp - -

# --- small hand-made corpus --------------------------------------------------------------
printf 'the cat sat on the mat .\nhello world\n\nit is 1,000.5 dollars!\n' >"$TMP/ref.txt"
printf 'the cat sat on a mat.\nhello  world\n\nit is 1,000.5 dollars\n' >"$TMP/hyp.txt"
ok "eval --hyp --json" $SEQTRANS eval --json --hyp "$TMP/hyp.txt" "$TMP/ref.txt"
cp "$TMP/out" "$TMP/plain.json"
has "json counts" "$TMP/out" '"counts": [12, 8, 4, 2]'
has "json totals" "$TMP/out" '"totals": [13, 10, 7, 5]'
has "json lengths" "$TMP/out" '"sys_len": 13, "ref_len": 14, "sentences": 4'
has "json bleu signature (13a picked for English)" "$TMP/out" \
    '"bleu_signature": "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:'
has "json chrf signature" "$TMP/out" \
    '"chrf_signature": "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:'
for key in bleu chrf bp precisions; do has "json has $key" "$TMP/out" "\"$key\": "; done
same "json is one line" "$TMP/plain.json" "$(head -n 1 "$TMP/plain.json")"

ok "text report" $SEQTRANS eval --hyp "$TMP/hyp.txt" "$TMP/ref.txt"
has "text report BLEU" "$TMP/out" "BLEU = "
has "text report chrF" "$TMP/out" "chrF2 = "

# the same text with a byte-order mark and CRLF line ends scores the same
printf '\357\273\277the cat sat on the mat .\r\nhello world\r\n\r\nit is 1,000.5 dollars!\r\n' \
    >"$TMP/ref-crlf.txt"
ok "BOM and CRLF accepted" $SEQTRANS eval --json --hyp "$TMP/hyp.txt" "$TMP/ref-crlf.txt"
same "BOM and CRLF score the same" "$TMP/out" "$(cat "$TMP/plain.json")"

# '-' is stdin
$SEQTRANS eval --json --hyp - "$TMP/ref.txt" <"$TMP/hyp.txt" >"$TMP/stdin.json" 2>"$TMP/err"
same "hypothesis from stdin" "$TMP/stdin.json" "$(cat "$TMP/plain.json")"

ok "--lowercase" $SEQTRANS eval --json --lowercase --hyp "$TMP/hyp.txt" "$TMP/ref.txt"
has "--lowercase signature" "$TMP/out" '"bleu_signature": "nrefs:1|case:lc|'
ok "--tokenize char" $SEQTRANS eval --json --tokenize char --hyp "$TMP/hyp.txt" "$TMP/ref.txt"
has "--tokenize char signature" "$TMP/out" '|tok:char|'
ok "two references" $SEQTRANS eval --json --hyp "$TMP/hyp.txt" "$TMP/ref.txt" "$TMP/hyp.txt"
has "two references signature" "$TMP/out" '"bleu_signature": "nrefs:2|'
has "two references: hypothesis as a reference" "$TMP/out" '"bleu": 100.0'

: >"$TMP/empty.txt"
ok "empty files" $SEQTRANS eval --json --hyp "$TMP/empty.txt" "$TMP/empty.txt"
has "empty files: no sentences" "$TMP/out" '"sentences": 0'

# Chinese references pick the zh tokenizer
printf '我们是好人。\n等一下！\n' >"$TMP/zh-ref.txt"
printf '我们是人。\n等一下\n' >"$TMP/zh-hyp.txt"
ok "zh auto-detected" $SEQTRANS eval --json --hyp "$TMP/zh-hyp.txt" "$TMP/zh-ref.txt"
has "zh auto-detected signature" "$TMP/out" '|tok:zh|'
has "zh counts" "$TMP/out" '"counts": [8, 5, 2, 0]'

# --- bad input ---------------------------------------------------------------------------
exits 1 "missing hypothesis file" $SEQTRANS eval --hyp "$TMP/nope.txt" "$TMP/ref.txt"
has "missing file message" "$TMP/err" "seqtrans: cannot open '$TMP/nope.txt': No such file or directory"
exits 1 "missing reference file" $SEQTRANS eval --hyp "$TMP/hyp.txt" "$TMP/nope.txt"
head -n 3 "$TMP/hyp.txt" >"$TMP/short.txt"
exits 1 "hypothesis shorter" $SEQTRANS eval --hyp "$TMP/short.txt" "$TMP/ref.txt"
has "hypothesis shorter message" "$TMP/err" "seqtrans: $TMP/short.txt:4: "
exits 1 "reference shorter" $SEQTRANS eval --hyp "$TMP/hyp.txt" "$TMP/short.txt"
has "reference shorter message" "$TMP/err" "seqtrans: $TMP/short.txt:4: "
exits 1 "second reference shorter" $SEQTRANS eval --hyp "$TMP/hyp.txt" "$TMP/ref.txt" "$TMP/short.txt"
printf 'ok\nbad \377 byte\nok\nok\n' >"$TMP/bad-utf8.txt"
exits 1 "invalid UTF-8" $SEQTRANS eval --hyp "$TMP/bad-utf8.txt" "$TMP/ref.txt"
has "invalid UTF-8 message" "$TMP/err" "seqtrans: $TMP/bad-utf8.txt:2: invalid UTF-8"
printf 'ok\nok\nnul \000 byte\nok\n' >"$TMP/nul.txt"
exits 1 "NUL byte" $SEQTRANS eval --hyp "$TMP/hyp.txt" "$TMP/nul.txt"
has "NUL byte message" "$TMP/err" "seqtrans: $TMP/nul.txt:3: NUL byte"

# --- a sacreBLEU test vector, when the shared test vectors are there ---------------------
tv=../shared/testvectors/bleu/zh_two_refs
if [ -f "$tv/expected.json" ]; then
    ok "test vector zh_two_refs" $SEQTRANS eval --json --tokenize zh --hyp "$tv/hyp.txt" \
        "$tv/ref0.txt" "$tv/ref1.txt"
    has "test vector counts" "$TMP/out" '"counts": [288, 167, 102, 60]'
    has "test vector totals" "$TMP/out" '"totals": [328, 285, 242, 199]'
    has "test vector lengths" "$TMP/out" '"sys_len": 328, "ref_len": 348'
    bleu=$(sed -n 's/.*"bleu": \([0-9.]*\),.*/\1/p' "$TMP/out")
    chrf=$(sed -n 's/.*"chrf": \([0-9.]*\),.*/\1/p' "$TMP/out")
    if awk -v b="$bleu" -v c="$chrf" 'BEGIN { d = b - 47.57589181034726; e = c - 39.44444624989;
            exit !(d < 0.01 && d > -0.01 && e < 0.01 && e > -0.01) }'; then pass
    else fail "test vector scores: bleu $bleu chrf $chrf"; fi
    ok "test vector, tokenizer auto-detected" $SEQTRANS eval --json --hyp "$tv/hyp.txt" \
        "$tv/ref0.txt" "$tv/ref1.txt"
    has "test vector auto-detected zh" "$TMP/out" '"counts": [288, 167, 102, 60]'
else
    echo "eval_cli: skipping the test vector check: $tv not found"
fi

summary eval_cli
