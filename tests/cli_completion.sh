#!/bin/sh
# The bash completion that `make install` installs (seqtrans --bash-completion): sourced in
# bash, driven through COMP_WORDS/COMP_CWORD like bash's own completion does it.
. tests/cli_lib.sh

if ! command -v bash >/dev/null 2>&1; then
    echo "completion_cli: skipping: no bash here"
    summary completion_cli
    exit
fi
ok "--bash-completion" "$SEQTRANS" --bash-completion
cp "$TMP/out" "$TMP/seqtrans.bash"
bash -n "$TMP/seqtrans.bash" && pass || fail "the completion script is valid bash"

# A directory with one file of each kind the completion tells apart.
mkdir -p "$TMP/dir/sub"
: > "$TMP/dir/a.tsv"; : > "$TMP/dir/b.model"; : > "$TMP/dir/c.txt"

# completes WORDS... : the completions of the last word, sorted, on one line
completes() {
    (cd "$TMP/dir" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _seqtrans
        [ ${#COMPREPLY[@]} -gt 0 ] && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
        "$TMP/seqtrans.bash" "$@") | sed 's/ $//'
}
# expect NAME WANT WORDS...
expect() {
    name=$1; want=$2; shift 2
    got=$(completes "$@")
    [ "$got" = "$want" ] && pass || fail "$name: '$*' completes to '$got', want '$want'"
}

expect "subcommands" "train translate" seqtrans tr
expect "every subcommand" "eval info quantize tokenize train translate" seqtrans ""
expect "an option" "--beam" seqtrans translate --be
expect "top-level options" "--version" seqtrans --ver
expect "options after a value" "--threads" seqtrans translate -m b.model --th
expect "corpus operand: *.tsv and directories" "a.tsv sub" seqtrans train ""
expect "--dev: *.tsv" "a.tsv sub" seqtrans train --dev ""
expect "eval's test set: *.tsv" "a.tsv sub" seqtrans eval ""
expect "-o: *.model" "b.model sub" seqtrans train -o ""
expect "--model: *.model" "b.model sub" seqtrans train --model ""
expect "-m: *.model" "b.model sub" seqtrans translate -m ""
expect "eval -m: *.model" "b.model sub" seqtrans eval -m ""
expect "eval --hyp: its references are any file" "a.tsv b.model c.txt sub" seqtrans eval --hyp c.txt ""
expect "translate: any file" "a.tsv b.model c.txt sub" seqtrans translate ""
expect "--encoder values" "bi uni" seqtrans train --encoder ""
expect "--cell values" "gru lstm" seqtrans train --cell ""
expect "--cell g" "gru" seqtrans train x.tsv --cell g
expect "--cell=value" "gru lstm" seqtrans train --cell = ""
expect "--cell=l" "lstm" seqtrans train --cell = l
expect "tokenize -l values" "en zh" seqtrans tokenize -l ""
expect "eval --tokenize values" "13a char none zh" seqtrans eval --tokenize ""
expect "a number: nothing to offer" "" seqtrans train --epochs ""

# Every option --help lists is offered, and nothing else (besides -h and short letters).
for cmd in tokenize train eval translate; do
    "$SEQTRANS" $cmd --help > "$TMP/help" 2>&1
    want=$(sed -n -e 's/^  -., \(--[a-z-]*\).*/\1/p' -e 's/^      \(--[a-z-]*\).*/\1/p' "$TMP/help" | sort | tr '\n' ' ' | sed 's/ $//')
    got=$(completes seqtrans $cmd -- | tr ' ' '\n' | grep -- '^--' | sort | tr '\n' ' ' | sed 's/ $//')
    [ -n "$want" ] && [ "$got" = "$want" ] && pass || fail "$cmd: completion offers '$got', --help lists '$want'"
done

summary completion_cli
