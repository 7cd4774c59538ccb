#!/bin/sh
# Saves that survive anything: periodic evaluations and saves within an epoch
# (--eval-every, --save-every); twenty trainers killed (kill -9) in the middle of a save,
# each resuming what the last one left, end with the bytes of an uninterrupted run; a save
# that fails on a full disk is retried once there is room again.
. tests/cli_lib.sh
tiny="--emb 16 --hidden 32 --threads 2 -q"

# --eval-every and --save-every within an epoch (the corpus is about 45 steps an epoch)
ok "train with --eval-every 10 --save-every 7" "$SEQTRANS" train data/corpus.tsv --dev data/dev.tsv $tiny \
    --epochs 1 --eval-every 10 --save-every 7 -o "$TMP/p.model" --metrics "$TMP/p.jsonl"
[ "$(grep -c '"event":"eval".*"dev_bleu"' "$TMP/p.jsonl")" -ge 4 ] && pass || fail "an eval line every 10 steps"
grep -q '"event":"saved","elapsed_s":[0-9.]*,"epoch":0,"step":7,' "$TMP/p.jsonl" && pass || fail "a save at step 7, within the epoch"
grep -q '"event":"saved".*"epoch":1,' "$TMP/p.jsonl" && pass || fail "the epoch's save"
ok "the same run without the periodic saves" "$SEQTRANS" train data/corpus.tsv --dev data/dev.tsv $tiny \
    --epochs 1 --eval-every 10 -o "$TMP/q.model"
cmp -s "$TMP/p.model" "$TMP/q.model" && pass || fail "saving does not change the run"
for bad in 0 -5 10x 5d epochs; do
    exits 2 "--save-every $bad" "$SEQTRANS" train data/corpus.tsv $tiny --save-every $bad -o "$TMP/x.model"
done
grep -q "is not 'epoch', a number of steps or a duration like 30m" "$TMP/err" && pass || fail "the message says what --save-every takes"

# kill -9 during saves of a model of 60 MB: every kill leaves a loadable file (the old one
# or the new one), the next trainer removes the killed one's temporary file and resumes,
# and the run ends with the bytes of one that was never interrupted
sh scripts/kill_saves.sh "$SEQTRANS" "$TMP" 20 200 data/corpus.tsv --threads 2 -q --max-steps 30 > "$TMP/kills" 2>&1 &&
    pass || fail "twenty kills during saves: $(cat "$TMP/kills")"
grep -q "in a save [1-9]" "$TMP/kills" && pass || fail "some kills landed in the middle of a save: $(head -n 1 "$TMP/kills")"
echo "cli_saves: $(tail -n 1 "$TMP/kills")"

# a full disk (a small tmpfs, where this test may mount one): the save fails, training goes
# on, and the next save succeeds once there is room again
mnt="$TMP/mnt"
mkdir -p "$mnt"
if mount -t tmpfs -o size=12m tmpfs "$mnt" 2> /dev/null; then
    small="data/corpus.tsv --emb 64 --hidden 128 --threads 1 -q --max-steps 150 --save-every 10"
    ok "the run on a disk with room" "$SEQTRANS" train $small -o "$TMP/room.model"
    size=$(wc -c < "$TMP/room.model")
    head -c $((12 * 1024 * 1024 - size)) /dev/zero > "$mnt/filler" 2> /dev/null
    : > "$TMP/full.err"
    "$SEQTRANS" train $small -o "$mnt/full.model" --metrics "$TMP/full.jsonl" 2> "$TMP/full.err" &
    pid=$!
    i=0
    while ! grep -q "training goes on" "$TMP/full.err" && kill -0 $pid 2>/dev/null && [ $i -lt 3000 ]; do
        sleep 0.01; i=$((i + 1))
    done
    rm -f "$mnt/filler"
    wait $pid; rc=$?
    [ $rc = 0 ] && pass || fail "the run whose disk filled up and emptied finishes (exit $rc): $(cat "$TMP/full.err")"
    grep -q "the save at step [0-9]* failed; training goes on" "$TMP/full.err" && pass || fail "the full disk is reported"
    grep -q '"event":"saved"' "$TMP/full.jsonl" && pass || fail "a later save succeeds"
    cmp -s "$mnt/full.model" "$TMP/room.model" && pass || fail "the model is the one trained with room"
    umount "$mnt"
else
    echo "cli_saves: no tmpfs can be mounted here; the full-disk case is skipped"
fi
summary saves_cli
