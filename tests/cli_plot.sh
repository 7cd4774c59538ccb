#!/bin/sh
# CLI tests of scripts/plot.sh (learning curves) and scripts/attention.sh (attention
# heatmap): images of the stated size, legends from the file names, clear errors.
# Skipped, with a message, where gnuplot is not installed (scripts/setup.sh installs it).
. tests/cli_lib.sh
export SEQTRANS
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "plot_cli: skipped, gnuplot not installed (apt-get install gnuplot-nox)"
    summary plot_cli
    exit 0
fi

# has NAME FILE TEXT: passes when FILE contains TEXT (a fixed string)
has() {
    if grep -qF -- "$3" "$2"; then pass; else fail "$1: '$3' not in $(head -c 300 "$2")"; fi
}
# png_size FILE: "WIDTH HEIGHT" from the IHDR chunk when FILE starts as a PNG does, else "not a PNG"
png_size() {
    sig=$(od -An -tx1 -N16 "$1" 2>/dev/null | tr -d ' \n')
    if [ "$sig" != 89504e470d0a1a0a0000000d49484452 ]; then echo "not a PNG"; return; fi
    od -An -tu1 -j16 -N8 "$1" |
        awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
             END { print b[0] * 16777216 + b[1] * 65536 + b[2] * 256 + b[3],
                         b[4] * 16777216 + b[5] * 65536 + b[6] * 256 + b[7] }'
}
# png_is NAME FILE W H: passes when FILE is a PNG of W x H pixels
png_is() {
    got=$(png_size "$2")
    if [ "$got" = "$3 $4" ]; then pass; else fail "$1: $2 is '$got', want '$3 $4'"; fi
}
plot() { sh scripts/plot.sh "$@"; }
attention() { sh scripts/attention.sh "$@"; }

# --- metrics: a hand-written run (lr halves at epoch 3, a killed last line, CRLF, noise)
# and a real one from seqtrans train with a dev set ------------------------------------------
cat >"$TMP/runA.jsonl" <<'EOF'
{"event":"progress","elapsed_s":60.0,"epoch":1,"step":20,"tgt_tokens":2000,"tok_per_s":200.0,"train_loss":6.1,"lr":0.001}
{"event":"epoch","elapsed_s":150.0,"epoch":1,"step":40,"tgt_tokens":4000,"tok_per_s":216.2,"train_loss":5.5,"lr":0.001,"dev_loss":5.2,"dev_ppl":181.3,"dev_bleu":0.5,"dev_chrf":4.1}
this line is not JSON
{"event":"epoch","elapsed_s":300.0,"epoch":2,"step":80,"tgt_tokens":8000,"tok_per_s":216.0,"train_loss":4.9,"lr":0.001,"dev_loss":4.8,"dev_ppl":121.5,"dev_bleu":1.5,"dev_chrf":9.0}
{"event":"epoch","elapsed_s":450.0,"epoch":3,"step":120,"tgt_tokens":12000,"tok_per_s":217.4,"train_loss":4.5,"lr":0.0005,"dev_loss":4.7,"dev_ppl":109.9,"dev_bleu":1.4,"dev_chrf":8.8}
{"event":"epoch","elapsed_s":600.0,"epoch":4,"step":160,"tgt_tokens":16000,"tok_per_s":216.5,"train_loss":4.2,"lr":0.0005,"dev_loss":4.5,"dev_ppl":90.0,"dev_bleu":2.5,"dev_chrf":12.0}
{"event":"progress","elapsed_s":620.0,"epoch":5,"step":175,"tgt_tok
EOF
printf '{"event":"done","elapsed_s":600.5,"epoch":4,"step":160,"tgt_tokens":16000,"tok_per_s":216.2,"train_loss":4.2,"lr":0.0005,"model":"a.model"}\r\n' >>"$TMP/runA.jsonl"
ok "train a run with --metrics" "$SEQTRANS" train data/corpus.tsv --dev data/dev.tsv --emb 16 --hidden 32 \
    --epochs 2 --threads 1 -q --metrics "$TMP/runB.jsonl" -o "$TMP/b.model"

# --- learning curves --------------------------------------------------------------------------
ok "plot one run (png)" plot -o "$TMP/a.png" "$TMP/runA.jsonl"
png_is "default size 800x600" "$TMP/a.png" 800 600
ok "plot --width" plot --width 1000 -o "$TMP/w.png" "$TMP/runA.jsonl"
png_is "--width 1000 gives 1000x750" "$TMP/w.png" 1000 750
ok "plot --width --height" plot --width 640 --height 900 -o "$TMP/wh.png" "$TMP/runB.jsonl"
png_is "--width 640 --height 900" "$TMP/wh.png" 640 900
ok "plot a real run" plot -o "$TMP/b.png" "$TMP/runB.jsonl"
png_is "real run: 800x600 PNG" "$TMP/b.png" 800 600

ok "plot two runs (svg)" plot -o "$TMP/ab.svg" "$TMP/runA.jsonl" "$TMP/runB.jsonl"
has "svg is XML" "$TMP/ab.svg" "<?xml"
has "svg has <svg" "$TMP/ab.svg" "<svg"
has "svg of the stated size" "$TMP/ab.svg" 'width="800" height="600"'
has "legend names the first run" "$TMP/ab.svg" "<text>runA</text>"
has "legend names the second run" "$TMP/ab.svg" "<text>runB</text>"
has "learning-rate change marked" "$TMP/ab.svg" "lr 0.0005"
has "wall time in minutes past 2 min" "$TMP/ab.svg" "wall time (min)"
has "loss axis with its unit" "$TMP/ab.svg" "loss (nats/token)"
ok "plot two runs (png)" plot -o "$TMP/ab.png" "$TMP/runA.jsonl" "$TMP/runB.jsonl"
png_is "two runs: 800x600 PNG" "$TMP/ab.png" 800 600
has "stderr counts the runs" "$TMP/err" "2 run(s)"

# JSON with spaces after the colons and commas reads the same
printf '{"event": "epoch", "elapsed_s": 5.0, "epoch": 1, "step": 10, "tgt_tokens": 100, "tok_per_s": 20.0, "train_loss": 5.5, "lr": 0.001, "dev_loss": 5.0, "dev_bleu": 1.0, "dev_chrf": 3.0}\n{"event": "epoch", "elapsed_s": 10.0, "epoch": 2, "step": 20, "tgt_tokens": 200, "tok_per_s": 20.0, "train_loss": 5.0, "lr": 0.002, "dev_loss": 4.5, "dev_bleu": 2.0, "dev_chrf": 4.0}\n' >"$TMP/spaced.jsonl"
ok "JSON with spaces" plot -o "$TMP/spaced.svg" "$TMP/spaced.jsonl"
has "JSON with spaces: lr change found" "$TMP/spaced.svg" "lr 0.002"
has "short run: wall time in seconds" "$TMP/spaced.svg" "wall time (s)"

# a run without a dev set, and one with the same file name in another folder
grep -v dev_loss "$TMP/runA.jsonl" >"$TMP/nodev.jsonl"
ok "plot without a dev set" plot -o "$TMP/nodev.svg" "$TMP/nodev.jsonl"
has "missing dev set said in the figure" "$TMP/nodev.svg" "no dev set"
mkdir -p "$TMP/x"; cp "$TMP/runA.jsonl" "$TMP/x/runA.jsonl"
ok "two files of one name" plot -o "$TMP/same.svg" "$TMP/runA.jsonl" "$TMP/x/runA.jsonl"
has "colliding names: legend shows the path" "$TMP/same.svg" "x/runA.jsonl</text>"

# --- errors -------------------------------------------------------------------------------------
exits 2 "no metrics file" plot -o "$TMP/e.png"
has "no metrics file: usage" "$TMP/err" "usage: scripts/plot.sh"
exits 1 "missing metrics file" plot -o "$TMP/e.png" "$TMP/none.jsonl"
has "missing file named" "$TMP/err" "$TMP/none.jsonl: no such readable file"
printf 'not json\n{"event":"start"}\n\n' >"$TMP/junk.jsonl"
exits 1 "no usable lines" plot -o "$TMP/e.png" "$TMP/junk.jsonl"
has "no usable lines said" "$TMP/err" "junk.jsonl: no usable metrics lines"
: >"$TMP/empty.jsonl"
exits 1 "empty metrics file" plot -o "$TMP/e.png" "$TMP/runA.jsonl" "$TMP/empty.jsonl"
exits 1 "unknown output type" plot -o "$TMP/e.gif" "$TMP/runA.jsonl"
has "unknown output type said" "$TMP/err" "must end in .png or .svg"
exits 1 "bad --width" plot --width wide -o "$TMP/e.png" "$TMP/runA.jsonl"
exits 1 "--width too small" plot --width 10 -o "$TMP/e.png" "$TMP/runA.jsonl"
exits 2 "unknown option" plot --colour "$TMP/runA.jsonl"
[ ! -e "$TMP/e.png" ] && pass || fail "no image left behind by the errors"

# --- attention heatmap from a prepared alignment line -----------------------------------------
# "I love you ." has 4 source tokens; 我 爱 你 and </s> make 4 groups
echo '我爱你 ||| 0.9,0.05,0.03,0.02 0.1,0.8,0.05,0.05 0.05,0.05,0.85,0.05 0.3,0.3,0.1,0.3' >"$TMP/al.txt"
ok "attention from a line (png)" attention --from-file "$TMP/al.txt" -o "$TMP/att.png" "I love you."
size=$(sed -n 's/.*wrote .* (\([0-9]*\)x\([0-9]*\),.*/\1 \2/p' "$TMP/err")
[ -n "$size" ] && [ "$(png_size "$TMP/att.png")" = "$size" ] && pass ||
    fail "attention PNG of the size it reports: '$(png_size "$TMP/att.png")', said '$size'"
has "attention: 4 x 4 matrix" "$TMP/err" "4 source x 4 target tokens"
ok "attention svg" attention --from-file "$TMP/al.txt" -o "$TMP/att.svg" "I love you."
for tok in '我' '你' '&lt;/s>' 'love' '.'; do
    has "attention labels token $tok" "$TMP/att.svg" "<text>$tok</text>"
done
has "attention writes the strong weights" "$TMP/att.svg" "<text>0.90</text>"
grep -q '<text>0.02</text>' "$TMP/att.svg" && fail "attention writes only weights of 0.1 and more" || pass
attention --from-file - -o "$TMP/stdin.png" "I love you." <"$TMP/al.txt" 2>"$TMP/err" &&
    pass || fail "attention reads the line from stdin"
# Chinese source, English target
echo 'I love you . ||| 0.9,0.1,0 0.1,0.8,0.1 0.1,0.1,0.8 0.3,0.3,0.4 0.4,0.3,0.3' >"$TMP/al-zh.txt"
ok "attention --langs zh-en" attention --langs zh-en --from-file "$TMP/al-zh.txt" -o "$TMP/zh.svg" "我爱你"
has "zh source token on the axis" "$TMP/zh.svg" "<text>爱</text>"

# tokens that do not match the weights: drawn with positions, and said
echo '我爱你 ||| 0.5,0.5 0.5,0.5 0.5,0.5 0.5,0.5' >"$TMP/al-short.txt"
ok "attention with too few weights per group" attention --from-file "$TMP/al-short.txt" -o "$TMP/p.png" "I love you."
has "token mismatch warned" "$TMP/err" "4 source tokens but 2 weights per group"
exits 1 "missing alignment file" attention --from-file "$TMP/al-none.txt" -o "$TMP/e.png" "I love you."
echo 'just a translation' >"$TMP/al-none.txt"
exits 1 "alignment line without |||" attention --from-file "$TMP/al-none.txt" -o "$TMP/e.png" "I love you."
has "missing ||| said" "$TMP/err" "no \" ||| \""
echo '我爱你 ||| 0.9,0.1 0.2,0.3,0.5' >"$TMP/al-ragged.txt"
exits 1 "ragged groups" attention --from-file "$TMP/al-ragged.txt" -o "$TMP/e.png" "I love you."
has "ragged groups said" "$TMP/err" "group 2 has 3 weights, group 1 has 2"
echo '我爱你 ||| 0.9,x 0.2,0.8' >"$TMP/al-nan.txt"
exits 1 "non-numeric weight" attention --from-file "$TMP/al-nan.txt" -o "$TMP/e.png" "I love you."
has "non-numeric weight said" "$TMP/err" '"x" is not a weight'
exits 2 "attention without model or line" attention -o "$TMP/e.png" "I love you."
exits 2 "attention without a sentence" attention --from-file "$TMP/al.txt"
exits 1 "attention with a missing model" attention -m "$TMP/none.model" "I love you."
exits 1 "attention bad --langs" attention --langs en-fr --from-file "$TMP/al.txt" "I love you."
[ ! -e "$TMP/e.png" ] && pass || fail "no attention image left behind by the errors"

# the whole path through translate, once translate has --alignment soft
if "$SEQTRANS" translate --help 2>&1 | grep -q -- '--alignment'; then
    ok "attention through translate" attention -m "$TMP/b.model" -o "$TMP/tr.png" "Anna can sing."
    has "translate path: no token mismatch" "$TMP/err" "wrote"
    grep -q warning "$TMP/err" && fail "translate path: tokens match the weights: $(cat "$TMP/err")" || pass
else
    echo "plot_cli: translate has no --alignment yet; the translate path of attention.sh is not tested"
fi

summary plot_cli
