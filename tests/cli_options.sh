#!/bin/sh
# Options as every command shares them (src/cmd/options.c): one message naming the option and
# its own range, the nearest option or command on a typo, help in one layout.
. tests/cli_lib.sh

# says NAME TEXT: passes when stderr holds exactly TEXT as its first line
says() {
    got=$(head -n 1 "$TMP/err")
    [ "$got" = "$2" ] && pass || fail "$1: said '$got', want '$2'"
}

exits 2 "translate --beam 0" "$SEQTRANS" translate --beam 0
says "a bad value names its option and range, no other" "seqtrans: translate: --beam: '0' is not in 1..100"
[ "$(wc -l < "$TMP/err")" = 1 ] && pass || fail "a bad value is one line: $(cat "$TMP/err")"
exits 2 "translate --alpha 11" "$SEQTRANS" translate --alpha 11
says "a float range" "seqtrans: translate: --alpha: '11' is not in 0..10"
exits 2 "train --encoder sideways" "$SEQTRANS" train x.tsv --encoder sideways
says "a choice lists its words" "seqtrans: train: --encoder: 'sideways' is not one of uni, bi"
exits 2 "train --cell rnn" "$SEQTRANS" train x.tsv --cell rnn
says "--cell's words" "seqtrans: train: --cell: 'rnn' is not one of lstm, gru"
exits 1 "train --cell gru is an option (the missing corpus is what fails)" "$SEQTRANS" train "$TMP/none.tsv" --cell gru -o "$TMP/m.model"
grep -q "cannot open '$TMP/none.tsv'" "$TMP/err" && pass || fail "train --cell gru reaches the corpus"
exits 2 "train --time soon" "$SEQTRANS" train x.tsv --time soon
says "a duration" "seqtrans: train: --time: 'soon' is not a duration like 90s, 30m or 2h"
exits 2 "eval --hyp without its value" "$SEQTRANS" eval --hyp
says "a missing argument" "seqtrans: eval: --hyp: needs an argument"
exits 2 "tokenize -l without its value" "$SEQTRANS" tokenize -l
says "a short option is named by its long name" "seqtrans: tokenize: --lang: needs an argument"
exits 2 "train --reverse=yes" "$SEQTRANS" train x.tsv --reverse=yes
says "a flag with a value" "seqtrans: train: --reverse: takes no argument"

exits 2 "translate --bem 3" "$SEQTRANS" translate --bem 3
says "a typo gets the nearest option" "seqtrans: translate: unknown option '--bem'; did you mean '--beam'?"
grep -q "^usage: seqtrans translate" "$TMP/err" && pass || fail "an unknown option shows the usage"
exits 2 "train --hiden 8" "$SEQTRANS" train x.tsv --hiden=8
says "a typo with =value" "seqtrans: train: unknown option '--hiden'; did you mean '--hidden'?"
exits 2 "eval --no-such-option" "$SEQTRANS" eval --no-such-option
says "no guess when nothing is near" "seqtrans: eval: unknown option '--no-such-option'"
exits 2 "translate --b 3" "$SEQTRANS" translate --b 3
says "an ambiguous prefix" "seqtrans: translate: option '--b' is ambiguous; it could be '--beam' or '--batch'"
exits 2 "seqtrans tarin" "$SEQTRANS" tarin
says "a typo of a command" "seqtrans: unknown command 'tarin'; did you mean 'train'?"
exits 2 "seqtrans frobnicate" "$SEQTRANS" frobnicate
says "no guess for another word" "seqtrans: unknown command 'frobnicate'"
exits 2 "seqtrans --verison" "$SEQTRANS" --verison
says "a typo of a top-level option" "seqtrans: unknown option '--verison'; did you mean '--version'?"

# help: on stdout, every option's text in column 27 (or on the next line, there), within
# 79 columns, defaults in parentheses
for cmd in tokenize train eval translate; do
    ok "$cmd --help" "$SEQTRANS" $cmd --help
    [ ! -s "$TMP/err" ] && pass || fail "$cmd --help writes nothing to stderr"
    bad=$(awk '
        wrapped { if ($0 !~ /^                          [^ ]/) print "after: " prev; wrapped = 0 }
        /^  (-., |    )--/ {
            rest = substr($0, 7); i = index(rest, "  ")
            if (i == 0) { wrapped = 1; prev = $0; next }
            text = substr(rest, i); sub(/^ +/, "", text)
            if (6 + i - 1 + (length(rest) - i + 1 - length(text)) != 26) print $0
        }
        !/^(usage:)? +seqtrans / && length($0) > 79 { print "long: " $0 }' "$TMP/out")
    [ -z "$bad" ] && pass || fail "$cmd --help layout: $bad"
done
"$SEQTRANS" translate --help > "$TMP/help"
grep -q '^      --beam N            beam size; 1 is greedy search (default: 5)$' "$TMP/help" && pass ||
    fail "translate --help shows --beam's default"
"$SEQTRANS" train --help > "$TMP/help"
grep -q '^      --cell lstm|gru     recurrent cell of the encoder and decoder (default:$' "$TMP/help" &&
    grep -q '^                          lstm)$' "$TMP/help" && pass || fail "train --help shows --cell"

summary options_cli
