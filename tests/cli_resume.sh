#!/bin/sh
# Resume knows what it resumes, and one trainer writes a model file at a time: another
# corpus is refused unless --new-data; an option that fixes the model's shape or vocabulary
# must agree with the model; a second trainer of the same file is refused while the first
# runs, and free to start once it is killed.
. tests/cli_lib.sh
small="--emb 8 --hidden 8 --min-count 1 --threads 1 -q"
head -n 300 data/corpus.tsv > "$TMP/a.tsv"
tail -n 300 data/corpus.tsv > "$TMP/b.tsv"
ok "train on a" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 1 -o "$TMP/r.model"
exits 2 "resume on another corpus" "$SEQTRANS" train "$TMP/b.tsv" $small --epochs 2 --resume -o "$TMP/r.model"
grep -q "not the corpus" "$TMP/err" && grep -q -- "--new-data" "$TMP/err" && pass || fail "the message says what differs and how to go on"
printf '\n' >> "$TMP/a.tsv" # one byte more is another corpus too
exits 2 "resume on a changed corpus" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 2 --resume -o "$TMP/r.model"
head -n 300 data/corpus.tsv > "$TMP/a.tsv"
ok "resume on another corpus with --new-data" "$SEQTRANS" train "$TMP/b.tsv" $small --epochs 2 --resume --new-data \
    -o "$TMP/r.model" --metrics "$TMP/new.jsonl"
grep -q '"event":"new_data"' "$TMP/new.jsonl" && pass || fail "--new-data is in the metrics"
"$SEQTRANS" info "$TMP/r.model" > "$TMP/info"
grep -q "corpus  *$TMP/b.tsv" "$TMP/info" && pass || fail "the record names the new corpus"
exits 2 "--new-data without --resume" "$SEQTRANS" train "$TMP/b.tsv" $small --new-data -o "$TMP/x.model"

# every option that fixes the model, given with another value on resume
ok "train to resume" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 1 -o "$TMP/s.model"
for change in "--emb 16" "--hidden 16" "--layers 2" "--encoder uni" "--cell gru" "--min-count 3" \
              "--max-vocab 500" "--max-len 50"; do
    exits 2 "resume with $change" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 2 --resume $change -o "$TMP/s.model"
    opt=${change%% *}
    grep -q -- "$opt .* conflicts with the model, which has" "$TMP/err" && pass || fail "$change: names the option and both values"
done
ok "resume with the same shape and other run options" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 2 --resume \
    --hidden 8 --lr 0.002 --time 1m -o "$TMP/s.model"

# one writer: a second trainer (or a resume) of a file being written is refused at once
"$SEQTRANS" train "$TMP/a.tsv" --emb 64 --hidden 256 --threads 1 -q --time 60s -o "$TMP/busy.model" 2>/dev/null &
holder=$!
i=0
while [ ! -f "$TMP/busy.model.lock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
exits 1 "a second trainer of the same file" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 1 -o "$TMP/busy.model"
grep -q "is being written by another seqtrans train (pid $holder)" "$TMP/err" && pass || fail "names the holder: $(cat "$TMP/err")"
exits 1 "a resume of the running run" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 1 --resume -o "$TMP/busy.model"
ok "translate needs no lock" sh -c "echo hello | '$SEQTRANS' translate -m tests/fixtures/lstm-v1.model"
kill -9 $holder 2>/dev/null
wait $holder 2>/dev/null
ok "after the holder is killed, the next trainer starts" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 1 -o "$TMP/busy.model"
# a save that fails mid-run (here: past a file-size limit) is not fatal: training goes on, the
# file keeps the last good model, and only the final save's failure ends the run (exit 1)
ok "a model to keep" "$SEQTRANS" train "$TMP/a.tsv" $small --epochs 1 -o "$TMP/f.model"
cp "$TMP/f.model" "$TMP/f.before"
sh -c "ulimit -f 100; exec '$SEQTRANS' train '$TMP/a.tsv' $small --epochs 3 --resume -o '$TMP/f.model'" \
    > /dev/null 2> "$TMP/f.err" && fail "the final save's failure exits 1" || pass
[ "$(grep -c 'training goes on' "$TMP/f.err")" -eq 2 ] && pass || fail "the two epoch saves fail and training goes on: $(cat "$TMP/f.err")"
grep -q "the final save failed: the last good model is still in '$TMP/f.model'" "$TMP/f.err" && pass || fail "the message says where the last good model is"
cmp -s "$TMP/f.model" "$TMP/f.before" && pass || fail "the last good model is intact"
ls "$TMP"/f.model.tmp.* > /dev/null 2>&1 && fail "no temporary file is left behind" || pass

# the progress line shows the best dev BLEU so far, and the run ends with one summary line
"$SEQTRANS" train "$TMP/a.tsv" --dev "$TMP/a.tsv" --emb 8 --hidden 8 --min-count 1 --threads 1 --epochs 2 \
    -o "$TMP/p.model" > /dev/null 2> "$TMP/progress"
grep -q 'best BLEU [0-9.]* (epoch [0-9]*)' "$TMP/progress" && pass || fail "progress shows the best dev BLEU"
tail -n 1 "$TMP/progress" | grep -q "^seqtrans: done: 2 epochs, [0-9]* steps, [0-9]*m[0-9]*s, best epoch [12] (dev BLEU [0-9.]*); model '$TMP/p.model' ([0-9.]* MB)$" &&
    pass || fail "the summary line: $(tail -n 1 "$TMP/progress")"
summary resume_cli
