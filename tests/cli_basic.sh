#!/bin/sh
# The command line as a user meets it: help, usage errors, missing files, the kernel named
# by --version, and a tiny model that learns a handful of pairs and gives them back.
. tests/cli_lib.sh

# ---- help, usage errors, missing files ----
ok "--help" "$SEQTRANS" --help
ok "--version" "$SEQTRANS" --version
exits 2 "no command" "$SEQTRANS"
exits 2 "unknown command" "$SEQTRANS" frobnicate
for cmd in tokenize train eval translate; do
    ok "$cmd -h" "$SEQTRANS" $cmd -h
    grep -q "usage: seqtrans $cmd" "$TMP/out" && pass || fail "$cmd -h prints its usage on stdout"
    exits 2 "$cmd unknown option" "$SEQTRANS" $cmd --no-such-option
done
exits 2 "train without corpus" "$SEQTRANS" train
exits 2 "train bad --epochs" "$SEQTRANS" train x.tsv --epochs zero
exits 2 "train bad --encoder" "$SEQTRANS" train x.tsv --encoder sideways
exits 2 "translate bad --beam" "$SEQTRANS" translate --beam 0
exits 1 "train missing corpus" "$SEQTRANS" train "$TMP/missing.tsv" -o "$TMP/m.model"
grep -q "cannot open '$TMP/missing.tsv'" "$TMP/err" && pass || fail "train names the missing corpus"
exits 1 "train to an unwritable place, found before training" "$SEQTRANS" train "$TMP/pairs-none.tsv" -o "$TMP/no/such/dir/m.model"
grep -q "cannot write '$TMP/no/such/dir/m.model'" "$TMP/err" && pass || fail "train names the model it cannot write"
exits 2 "train --seed out of range" "$SEQTRANS" train x.tsv --seed 4294967297
exits 1 "translate missing model" "$SEQTRANS" translate -m "$TMP/missing.model"
exits 1 "eval missing model" "$SEQTRANS" eval -m "$TMP/missing.model" "$TMP/missing.tsv"
exits 1 "eval missing hyp" "$SEQTRANS" eval --hyp "$TMP/missing.txt" "$TMP/missing.txt"

# ---- the OpenBLAS kernel: never the generic fallback on a CPU with a better one ----
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
want=""
case "$flags" in *avx2*) case "$flags" in *fma*) want=Haswell ;; esac ;; esac
case "$flags" in *avx512f*avx512dq*avx512bw*avx512vl*|*avx512f*avx512bw*avx512dq*avx512vl*) want=SkylakeX ;; esac
ok "--version names the kernel" "$SEQTRANS" --version
if [ -n "$want" ] && [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    grep -q "kernel $want" "$TMP/out" && pass || fail "kernel: want $want, got: $(cat "$TMP/out")"
fi
OPENBLAS_CORETYPE=Haswell "$SEQTRANS" --version > "$TMP/out"
grep -q "kernel Haswell (from OPENBLAS_CORETYPE)" "$TMP/out" && pass || fail "the user's OPENBLAS_CORETYPE wins"

# ---- a model written before the sectioned format (version 1) still loads and translates ----
v1=tests/fixtures/lstm-v1
cut -f1 "$v1.tsv" > "$TMP/v1-src.txt"
ok "translate a version 1 model, beam 1" "$SEQTRANS" translate -m "$v1.model" --beam 1 "$TMP/v1-src.txt"
cmp -s "$TMP/out" "$v1.greedy" && pass || { fail "version 1 model, beam 1: $v1.greedy"; diff "$TMP/out" "$v1.greedy" >&2; }
ok "translate a version 1 model, default beam" "$SEQTRANS" translate -m "$v1.model" "$TMP/v1-src.txt"
cmp -s "$TMP/out" "$v1.beam5" && pass || { fail "version 1 model, default beam: $v1.beam5"; diff "$TMP/out" "$v1.beam5" >&2; }
ok "eval a version 1 model" "$SEQTRANS" eval -m "$v1.model" --json "$v1.tsv"
# the same loss, n-gram counts and totals as before the restructure (signatures may differ)
for key in loss counts totals; do
    got=$(grep -o "\"$key\": \(\[[^]]*\]\|[^,}]*\)" "$TMP/out")
    want=$(grep -o "\"$key\": \(\[[^]]*\]\|[^,}]*\)" "$v1.eval.json")
    [ -n "$want" ] && [ "$got" = "$want" ] && pass || fail "eval of the version 1 model: $key $got, want $want"
done

# eval's share of unknown units, each side: words the vocabulary lacks, and a known pair
printf 'zqxv wqzk\tzqxv\n' > "$TMP/unknown.tsv"
ok "eval, unknown words" "$SEQTRANS" eval -m "$v1.model" --json "$TMP/unknown.tsv"
grep -qF '"src_unknown": 1.000000, "tgt_unknown": 1.000000' "$TMP/out" && pass || fail "unknown shares of unknown words: $(cat "$TMP/out")"
head -n 1 "$v1.tsv" > "$TMP/known.tsv"
ok "eval, known words" "$SEQTRANS" eval -m "$v1.model" "$TMP/known.tsv"
grep -qF 'unknown units: source 0.00%, target 0.00%' "$TMP/out" && pass || fail "unknown shares of a training pair: $(cat "$TMP/out")"

# ---- a tiny model overfits a handful of pairs, then translates them back ----
cat > "$TMP/pairs.tsv" <<'TSV'
I like cats.	我喜欢猫。
He drinks tea.	他喝茶。
Where are you?	你在哪里？
We have 3 books.	我们有3本书。
The dog is big.	狗很大。
She reads a book.	她看书。
TSV
cut -f1 "$TMP/pairs.tsv" > "$TMP/src.txt"
cut -f2 "$TMP/pairs.tsv" > "$TMP/ref.txt"
ok "train tiny" "$SEQTRANS" train "$TMP/pairs.tsv" --emb 32 --hidden 64 --epochs 150 --batch 6 \
    --dropout 0 --label-smoothing 0 --min-count 1 --lr 0.01 --threads 1 -q -o "$TMP/tiny.model"
for beam in 1 5; do
    ok "translate beam $beam" "$SEQTRANS" translate -m "$TMP/tiny.model" --beam $beam "$TMP/src.txt"
    cmp -s "$TMP/out" "$TMP/ref.txt" && pass || { fail "beam $beam reproduces the pairs"; diff "$TMP/out" "$TMP/ref.txt" >&2; }
done
# ... with the model from $SEQTRANS_MODEL, from stdin, and identically on a second load
cp "$TMP/out" "$TMP/first.txt"
SEQTRANS_MODEL="$TMP/tiny.model" "$SEQTRANS" translate < "$TMP/src.txt" > "$TMP/second.txt"
cmp -s "$TMP/first.txt" "$TMP/second.txt" && pass || fail "save and load give identical outputs"
ok "eval tiny" "$SEQTRANS" eval -m "$TMP/tiny.model" --json "$TMP/pairs.tsv"
grep -q '"bleu": 100' "$TMP/out" && pass || fail "eval of the training pairs: BLEU 100, got $(cat "$TMP/out")"
grep -q '"loss"' "$TMP/out" && grep -q '"ppl"' "$TMP/out" && pass || fail "eval --json has loss and ppl"
# Chinese -> English from the same file
ok "train tiny reverse" "$SEQTRANS" train "$TMP/pairs.tsv" --reverse --emb 32 --hidden 64 --epochs 150 \
    --batch 6 --dropout 0 --label-smoothing 0 --min-count 1 --lr 0.01 --threads 1 -q -o "$TMP/rev.model"
ok "translate reverse" "$SEQTRANS" translate -m "$TMP/rev.model" "$TMP/ref.txt"
cmp -s "$TMP/out" "$TMP/src.txt" && pass || { fail "reverse model reproduces the English"; diff "$TMP/out" "$TMP/src.txt" >&2; }
ok "eval reverse" "$SEQTRANS" eval -m "$TMP/rev.model" --json "$TMP/pairs.tsv"
grep -q '"bleu": 100' "$TMP/out" && grep -q 'tok:13a' "$TMP/out" && pass || fail "reverse eval reads the file the other way round"

# ---- metrics lines ----
ok "train --metrics" "$SEQTRANS" train "$TMP/pairs.tsv" --dev "$TMP/pairs.tsv" --emb 8 --hidden 8 --epochs 2 \
    --min-count 1 --threads 1 -q -o "$TMP/m.model" --metrics "$TMP/metrics.jsonl"
grep -q '"event":"epoch".*"dev_bleu"' "$TMP/metrics.jsonl" && pass || fail "epoch lines carry dev_bleu"
tail -n 1 "$TMP/metrics.jsonl" | grep -q '"event":"done".*"model":' && pass || fail "the last line is done with the model"
for key in elapsed_s epoch step tgt_tokens tok_per_s train_loss; do
    grep -q "\"$key\":" "$TMP/metrics.jsonl" && pass || fail "metrics lines carry $key"
done

# ---- with a dev set the model kept is the best epoch's, not the last (and resuming keeps it) ----
# The dev targets belong to other sources: after a lucky first epoch the score rarely improves.
{ cut -f2 "$TMP/pairs.tsv" | tail -n +3; cut -f2 "$TMP/pairs.tsv" | head -n 2; } > "$TMP/wrong-tgt.txt"
paste "$TMP/src.txt" "$TMP/wrong-tgt.txt" > "$TMP/wrong.tsv"
best_args="--dev $TMP/wrong.tsv --emb 8 --hidden 8 --min-count 1 --threads 1 -q"
ok "train 4 epochs with a dev set" "$SEQTRANS" train "$TMP/pairs.tsv" $best_args --epochs 4 \
    -o "$TMP/best4.model" --metrics "$TMP/best4.jsonl"
ok "train 2 epochs with a dev set" "$SEQTRANS" train "$TMP/pairs.tsv" $best_args --epochs 2 -o "$TMP/best2.model"
ok "resume it to 4" "$SEQTRANS" train "$TMP/pairs.tsv" $best_args --epochs 4 --resume -o "$TMP/best2.model"
cmp -s "$TMP/best4.model" "$TMP/best2.model" && pass || fail "resumed with a dev set: the same bytes"
# The best epoch is plain when its BLEU beats every other epoch's; otherwise nothing to compare.
best=$(sed -n 's/.*"event":"epoch".*"epoch":\([0-9]*\),.*"dev_bleu":\([0-9.]*\).*/\1 \2/p' "$TMP/best4.jsonl" |
       awk '{ if ($2 > top) { top = $2; e = $1; n = 1 } else if ($2 == top) n++ } END { if (n == 1) print e }')
if [ -n "$best" ]; then
    ok "train to the best epoch ($best)" "$SEQTRANS" train "$TMP/pairs.tsv" $best_args --epochs "$best" \
        -o "$TMP/best.model"
    # the weights (the training record says how long each run went on, so it differs)
    "$SEQTRANS" info --json "$TMP/best.model" > "$TMP/best.json"
    at=$(sed 's/.*"tag": "PF32", "name": "[^"]*", "offset": \([0-9]*\), "bytes": \([0-9]*\).*/\1/' "$TMP/best.json")
    len=$(sed 's/.*"tag": "PF32", "name": "[^"]*", "offset": \([0-9]*\), "bytes": \([0-9]*\).*/\2/' "$TMP/best.json")
    cmp -s -i "$at" -n "$len" "$TMP/best4.model" "$TMP/best.model" && pass || fail "the best epoch's weights are kept"
fi

# ---- more workers than threads can be started: no line is left out ----
i=0; while [ $i -lt 50 ]; do cat "$TMP/src.txt"; i=$((i + 1)); done > "$TMP/src300.txt"
i=0; while [ $i -lt 50 ]; do cat "$TMP/ref.txt"; i=$((i + 1)); done > "$TMP/ref300.txt"
ok "translate --threads 300" "$SEQTRANS" translate -m "$TMP/tiny.model" --threads 300 --batch 300 "$TMP/src300.txt"
cmp -s "$TMP/out" "$TMP/ref300.txt" && pass || fail "every line translated with 300 workers"
exits 2 "eval --beam out of range" "$SEQTRANS" eval -m "$TMP/tiny.model" --beam 100000 "$TMP/pairs.tsv"
exits 2 "translate --beam that wraps around" "$SEQTRANS" translate -m "$TMP/tiny.model" --beam 4294967297

# ---- the done line: the last epoch's loss, and a model path that needs escaping ----
qpath="$TMP/q\"x.model"
ok "train to a path with a quote" "$SEQTRANS" train "$TMP/pairs.tsv" --emb 8 --hidden 8 --epochs 2 \
    --min-count 1 --threads 1 -q -o "$qpath" --metrics "$TMP/q.jsonl"
tail -n 1 "$TMP/q.jsonl" | grep -q '"model":"[^"]*q\\"x.model"}' && pass || fail "model path escaped: $(tail -n 1 "$TMP/q.jsonl")"
tail -n 1 "$TMP/q.jsonl" | grep -q '"train_loss":0.00000' && fail "done reports a zero training loss" || pass

# ---- a resumed reverse model reads the corpus its own way, even without --reverse ----
ok "resume a reverse model without --reverse" "$SEQTRANS" train "$TMP/pairs.tsv" --epochs 151 --resume \
    --threads 1 -q -o "$TMP/rev.model"
grep -q "reading the file the other way round" "$TMP/err" && pass || fail "the swap is announced"
ok "translate the resumed reverse model" "$SEQTRANS" translate -m "$TMP/rev.model" "$TMP/ref.txt"
cmp -s "$TMP/out" "$TMP/src.txt" && pass || fail "the resumed reverse model still gives English"

# ---- SIGHUP (the terminal closed) saves a checkpoint like SIGTERM: exit 129 ----
"$SEQTRANS" train "$TMP/pairs.tsv" --emb 8 --hidden 8 --epochs 100000 --min-count 1 --threads 1 -q \
    -o "$TMP/hup.model" --metrics "$TMP/hup.jsonl" 2> "$TMP/err" &
hpid=$!
i=0; while [ $i -lt 100 ] && ! grep -q '"event":"epoch"' "$TMP/hup.jsonl" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -HUP $hpid
{ wait $hpid; } 2>/dev/null; rc=$?
[ $rc = 129 ] && pass || fail "SIGHUP: exit $rc, want 129"
ok "the checkpoint after SIGHUP translates" "$SEQTRANS" translate -m "$TMP/hup.model" "$TMP/src.txt"

# ---- numerical faults: a non-finite loss skips the batch; several in a row stop the run ----
SEQTRANS_TEST_NAN_STEPS=3-4 "$SEQTRANS" train "$TMP/pairs.tsv" --emb 8 --hidden 8 --max-steps 10 --batch 2 \
    --min-count 1 --threads 1 -q -o "$TMP/nan.model" 2> "$TMP/err"
[ $? = 0 ] && pass || fail "two non-finite steps are survived"
[ "$(grep -c 'non-finite loss or gradient; this batch is skipped' "$TMP/err")" = 2 ] && pass || fail "a warning per skipped batch"
ok "the model after skipped steps loads" "$SEQTRANS" translate -m "$TMP/nan.model" "$TMP/src.txt"
SEQTRANS_TEST_NAN_STEPS=3-1000 "$SEQTRANS" train "$TMP/pairs.tsv" --emb 8 --hidden 8 --max-steps 10 --batch 2 \
    --min-count 1 --threads 1 -q -o "$TMP/nan.model" 2> "$TMP/err"
[ $? = 1 ] && pass || fail "non-finite steps in a row stop training with exit 1"
grep -q "training diverged" "$TMP/err" && pass || fail "divergence is named"
ok "the model file left behind (last finished epoch) loads" "$SEQTRANS" translate -m "$TMP/nan.model" "$TMP/src.txt"

# ---- --accumulate N: the step of a batch N times larger, computed in N runs ----
acc="data/corpus.tsv --emb 16 --hidden 32 --seed 3 -q --max-steps 5"
for a in "16 1 1" "8 2 1" "4 4 2"; do
    set -- $a
    ok "--batch $1 --accumulate $2 --threads $3" "$SEQTRANS" train $acc --batch "$1" --accumulate "$2" \
        --threads "$3" --metrics "$TMP/acc$2.jsonl" -o "$TMP/acc$2.model"
done
done_of() { sed -n 's/.*"event":"done".*"tgt_tokens":\([0-9]*\).*"train_loss":\([0-9.]*\).*/\1 \2/p' "$1"; }
for n in 2 4; do
    echo "$(done_of "$TMP/acc1.jsonl") $(done_of "$TMP/acc$n.jsonl")" |
        awk '{ d = $2 - $4; exit !(NF == 4 && $1 == $3 && $1 > 0 && (d < 0 ? -d : d) <= 1e-4 * $2) }' && pass ||
        fail "--batch $((16 / n)) --accumulate $n trains on the pairs of --batch 16, to the same loss within 1e-4"
done
"$SEQTRANS" train $acc --batch 8 --accumulate 2 --max-steps 8 --resume -o "$TMP/acc2.model" 2>&1 |
    grep -q "resuming with" && fail "a resume with the same --accumulate warns" || pass
"$SEQTRANS" train $acc --batch 8 --accumulate 3 --max-steps 8 --resume -o "$TMP/acc2.model" 2>&1 |
    grep -q "resuming with --batch 8 --accumulate 3 .* the run so far used 8, 2," && pass ||
    fail "a resume with another --accumulate warns, naming both"

summary basic_cli
