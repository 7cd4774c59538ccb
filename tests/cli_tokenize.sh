# seqtrans tokenize: the command-line contract of CLI.md.
. tests/cli_lib.sh

# options and usage errors
ok "help" "$SEQTRANS" tokenize --help
grep -q '^usage: seqtrans tokenize' "$TMP/out" && pass || fail "help text"
ok "-h" "$SEQTRANS" tokenize -h
exits 2 "unknown option" "$SEQTRANS" tokenize --bogus
grep -q 'usage' "$TMP/err" && pass || fail "usage on stderr for a bad option"
[ ! -s "$TMP/out" ] && pass || fail "nothing on stdout for a bad option"
exits 2 "unknown language" "$SEQTRANS" tokenize -l fr
exits 2 "-l without argument" "$SEQTRANS" tokenize -l
exits 2 "--ids without -m" "$SEQTRANS" tokenize --ids
exits 2 "bad --side" "$SEQTRANS" tokenize -m x.model --side both
exits 1 "-m missing model" "$SEQTRANS" tokenize -m "$TMP/x.model" --side src
same "-m message" "$TMP/err" "seqtrans: cannot open model '$TMP/x.model': No such file or directory"

# -m: the model's own tokenizer and vocabulary for each side
printf 'I like cats.\t我喜欢猫。\nHe likes tea.\t他喜欢茶。\n' > "$TMP/tiny.tsv"
ok "train tiny model" "$SEQTRANS" train "$TMP/tiny.tsv" --emb 8 --hidden 8 --max-steps 1 --min-count 1 -q -o "$TMP/tiny.model"
printf 'I like tea.\n' > "$TMP/src.txt"
ok "-m --ids src" "$SEQTRANS" tokenize -m "$TMP/tiny.model" --ids "$TMP/src.txt"
ids=$(cat "$TMP/out")
ok "-m --ids --detok src" sh -c "echo '$ids' | '$SEQTRANS' tokenize -m '$TMP/tiny.model' --ids --detok"
same "-m ids round trip" "$TMP/out" "I like tea."
printf '他喜欢猫。\n' > "$TMP/tgt.txt"
ok "-m --side tgt" "$SEQTRANS" tokenize -m "$TMP/tiny.model" --side tgt "$TMP/tgt.txt"
same "-m tgt tokens" "$TMP/out" "他 喜 欢 猫 。"

# missing file
exits 1 "missing file" "$SEQTRANS" tokenize "$TMP/nope.txt"
same "missing file message" "$TMP/err" "seqtrans: cannot open '$TMP/nope.txt': No such file or directory"

# English
printf "I don't know.\nIt costs \$5.50, isn't it?\n\nHe said, \"Hi.\"\n" > "$TMP/en.txt"
ok "en" "$SEQTRANS" tokenize "$TMP/en.txt"
same "en tokens" "$TMP/out" "I do n't know .
It costs \$ 5.50 , is n't it ?

He said , \" Hi . \""
[ "$(wc -l < "$TMP/out")" = 4 ] && pass || fail "en: one line out per line in"
cp "$TMP/out" "$TMP/en.tok"
ok "en detok" "$SEQTRANS" tokenize --detok "$TMP/en.tok"
cmp -s "$TMP/out" "$TMP/en.txt" && pass || fail "en round trip"
ok "en explicit -l" "$SEQTRANS" tokenize -l en "$TMP/en.txt"
cmp -s "$TMP/out" "$TMP/en.tok" && pass || fail "-l en is the default"

# Chinese
printf '我有3个iPhone，你呢？\n现在是10:30，价格3,000元。\n' > "$TMP/zh.txt"
ok "zh" "$SEQTRANS" tokenize -l zh "$TMP/zh.txt"
same "zh tokens" "$TMP/out" "我 有 3 个 iPhone , 你 呢 ?
现 在 是 10:30 , 价 格 3,000 元 。"
cp "$TMP/out" "$TMP/zh.tok"
ok "zh detok" "$SEQTRANS" tokenize --lang=zh --detok "$TMP/zh.tok"
cmp -s "$TMP/out" "$TMP/zh.txt" && pass || fail "zh round trip"

# stdin, '-', several files
ok "stdin" sh -c '"$1" tokenize < "$2"' sh "$SEQTRANS" "$TMP/en.txt"
cmp -s "$TMP/out" "$TMP/en.tok" && pass || fail "stdin without FILE"
ok "dash" sh -c '"$1" tokenize - < "$2"' sh "$SEQTRANS" "$TMP/en.txt"
cmp -s "$TMP/out" "$TMP/en.tok" && pass || fail "- is stdin"
ok "two files" "$SEQTRANS" tokenize "$TMP/en.txt" "$TMP/en.txt"
[ "$(wc -l < "$TMP/out")" = 8 ] && pass || fail "two files: 8 lines"

# BOM, CRLF, no final newline, whitespace-only line
printf '\357\273\277Hello, world!\r\nBye.\r\n   \r\nlast' > "$TMP/bom.txt"
ok "bom crlf" "$SEQTRANS" tokenize "$TMP/bom.txt"
same "bom crlf tokens" "$TMP/out" "Hello , world !
Bye .

last"
[ "$(wc -l < "$TMP/out")" = 4 ] && pass || fail "last line without newline still gets one"

# invalid UTF-8 and NUL bytes: an empty line and a warning, never a dropped line
printf 'good\nbad \377 byte\nnul \000 byte\nalso good\n' > "$TMP/bad.txt"
ok "invalid utf8" "$SEQTRANS" tokenize "$TMP/bad.txt"
same "invalid utf8 output" "$TMP/out" "good


also good"
[ "$(wc -l < "$TMP/out")" = 4 ] && pass || fail "invalid lines kept as empty lines"
grep -q "bad.txt:2: invalid UTF-8" "$TMP/err" && pass || fail "warning names file:line"
grep -q "bad.txt:3: NUL byte" "$TMP/err" && pass || fail "NUL warning names file:line"
ok "invalid utf8 detok" "$SEQTRANS" tokenize --detok "$TMP/bad.txt"
[ "$(wc -l < "$TMP/out")" = 4 ] && pass || fail "detok keeps invalid lines as empty lines"

# a directory cannot be read
exits 1 "directory" "$SEQTRANS" tokenize "$TMP"

# write errors
if [ -w /dev/full ]; then
    exits 1 "write error" sh -c '"$1" tokenize "$2" > /dev/full' sh "$SEQTRANS" "$TMP/en.txt"
    grep -q "write error" "$TMP/err" && pass || fail "write error message"
fi

# a large input stays fast and line-exact
i=0; : > "$TMP/big.txt"
while [ $i -lt 200 ]; do cat "$TMP/en.txt" "$TMP/zh.txt" >> "$TMP/big.txt"; i=$((i + 1)); done
ok "big" "$SEQTRANS" tokenize -l zh "$TMP/big.txt"
[ "$(wc -l < "$TMP/out")" = 1200 ] && pass || fail "big: line count"

summary tokenize_cli
