# seqtrans reliability (issue #6): broken corpora, damaged model files, odd input lines,
# write errors, interruption, reproducibility. Never a crash, never lost work, never a
# dropped or shifted line.
. tests/cli_lib.sh

# lines FILE: the number of lines, a last line without "\n" included
lines() { awk 'END { print NR }' "$1"; }
# has NAME FILE TEXT: passes when FILE contains TEXT (fixed string)
has() { if grep -qF -- "$3" "$2"; then pass; else fail "$1: no '$3' in: $(head -c 600 "$2")"; fi; }
# same_lines NAME IN OUT: passes when OUT has as many lines as IN
same_lines() {
    a=$(lines "$2"); b=$(lines "$3")
    if [ "$a" = "$b" ]; then pass; else fail "$1: $a lines in, $b lines out"; fi
}
# empty NAME FILE: passes when FILE is empty
empty() { if [ ! -s "$2" ]; then pass; else fail "$1: unexpected output: $(head -c 200 "$2")"; fi; }
# no_temporaries NAME: passes when no model temporary is left in $TMP
no_temporaries() {
    if ls "$TMP" | grep -q '\.tmp\.'; then fail "$1: temporaries left: $(ls "$TMP" | grep '\.tmp\.')"
    else pass; fi
}
# repeat CHAR N: CHAR written N times, no newline
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# ---- a tiny model ---------------------------------------------------------------------------
corpus=data/corpus.tsv
if [ ! -s "$corpus" ]; then   # the bundled corpus is missing: a small one of our own
    corpus=$TMP/corpus.tsv
    i=0; : > "$corpus"
    while [ $i -lt 300 ]; do
        printf 'I have %d cats.\t我有%d只猫。\nThe cat is here.\t猫在这里。\nWhere is the book?\t书在哪里？\n' \
            $i $i >> "$corpus"
        i=$((i + 1))
    done
fi
TINY="--emb 16 --hidden 32 --threads 1 --seed 3 -q"
ok "train tiny model" "$SEQTRANS" train "$corpus" $TINY --max-steps 20 -o "$TMP/m.model"
M=$TMP/m.model
[ -s "$M" ] || { fail "no model: the remaining tests need one"; summary reliability_cli; exit 1; }

# ---- translate and tokenize: exactly one output line per input line --------------------------
in=$TMP/in.txt
{
    printf '\357\273\277Hello.\n'                    # 1 BOM
    printf '\n'                                      # 2 empty
    printf 'bad \377 byte\n'                         # 3 invalid UTF-8
    printf 'nul \000 byte\n'                         # 4 NUL
    printf 'Thank you.\r\n'                          # 5 CRLF
    printf 'ctrl \001\033[31m x \177 y\n'            # 6 control characters
    repeat a 100000; printf '\n'                     # 7 one 100 KB word
    yes 'word' | head -n 20000 | tr '\n' ' '; printf '\n'   # 8 100 KB, 20000 tokens
    repeat b 2000000; printf '\n'                    # 9 2 MB line
    printf '   \t \n'                                # 10 only spaces
    printf '\355\240\200 surrogate\n'                # 11 encoded surrogate
    printf '\300\257 overlong\n'                     # 12 overlong encoding
    printf 'Where is the book?'                      # 13 no final newline
} > "$in"

ok "translate odd lines" "$SEQTRANS" translate -m "$M" "$in"
cp "$TMP/out" "$TMP/file.out"
same_lines "translate keeps every line" "$in" "$TMP/out"
[ "$(lines "$TMP/out")" = 13 ] && pass || fail "translate: 13 lines expected"
[ -z "$(sed -n 2p "$TMP/out")" ] && pass || fail "translate: empty line gives an empty line"
[ -z "$(sed -n 3p "$TMP/out")" ] && pass || fail "translate: invalid line gives an empty line"
[ -n "$(sed -n 13p "$TMP/out")" ] && pass || fail "translate: last line without newline translated"
has "translate invalid UTF-8 warning" "$TMP/err" "in.txt:3: invalid UTF-8"
has "translate NUL warning" "$TMP/err" "in.txt:4: NUL byte"
has "translate token crop warning" "$TMP/err" "in.txt:8: longer than 200 tokens"
has "translate byte crop warning" "$TMP/err" "in.txt:9: longer than 1048576 bytes"
has "translate surrogate warning" "$TMP/err" "in.txt:11: invalid UTF-8"
has "translate overlong warning" "$TMP/err" "in.txt:12: invalid UTF-8"
# at the 1 MiB limit: exactly 1 MiB before CRLF is kept whole; a cut falls between characters
{ repeat x 1048576; printf '\r\n'; repeat y 1048575; printf '\344\275\240\344\275\240\n'; } > "$TMP/edge.txt"
ok "translate at the byte limit" "$SEQTRANS" translate -m "$M" "$TMP/edge.txt"
[ "$(lines "$TMP/out")" = 2 ] && pass || fail "translate at the byte limit: 2 lines expected"
grep -q 'edge.txt:1:' "$TMP/err" && fail "a line of exactly 1 MiB is not cropped" || pass
has "crop at a character boundary" "$TMP/err" "edge.txt:2: longer than 1048576 bytes"
grep -q 'edge.txt:2: invalid UTF-8' "$TMP/err" && fail "the cut split a character" || pass
ok "translate from stdin" sh -c '"$1" translate -m "$2" < "$3"' sh "$SEQTRANS" "$M" "$in"
cmp -s "$TMP/out" "$TMP/file.out" && pass || fail "stdin and file give the same lines"
has "stdin warnings name <stdin>" "$TMP/err" "<stdin>:4: NUL byte"
ok "translate through a pipe, batch 1" sh -c 'cat "$3" | "$1" translate -m "$2" --batch 1 -' sh "$SEQTRANS" "$M" "$in"
cmp -s "$TMP/out" "$TMP/file.out" && pass || fail "a pipe and --batch 1 give the same lines"
: > "$TMP/empty.txt"
ok "translate empty input" "$SEQTRANS" translate -m "$M" "$TMP/empty.txt"
empty "translate empty input" "$TMP/out"
printf '\n\n\n' > "$TMP/blank.txt"
ok "translate blank lines" "$SEQTRANS" translate -m "$M" "$TMP/blank.txt"
same "translate blank lines" "$TMP/out" "$(printf '\n\n\n')"
[ "$(lines "$TMP/out")" = 3 ] && pass || fail "translate: three blank lines give three"
exits 1 "translate a directory" "$SEQTRANS" translate -m "$M" "$TMP"
has "translate a directory message" "$TMP/err" "cannot read '$TMP'"
exits 1 "translate a missing file" "$SEQTRANS" translate -m "$M" "$TMP/nope.txt"
has "translate missing file message" "$TMP/err" "nope.txt"
if [ -w /dev/full ]; then
    exits 1 "translate > /dev/full" sh -c '"$1" translate -m "$2" "$3" > /dev/full' sh "$SEQTRANS" "$M" "$in"
    has "translate write error message" "$TMP/err" "cannot write output"
    exits 1 "translate small output > /dev/full" sh -c 'echo Hello | "$1" translate -m "$2" > /dev/full' sh "$SEQTRANS" "$M"
fi

for lang in en zh; do
    ok "tokenize -l $lang odd lines" "$SEQTRANS" tokenize -l $lang "$in"
    same_lines "tokenize -l $lang keeps every line" "$in" "$TMP/out"
    has "tokenize -l $lang invalid UTF-8 warning" "$TMP/err" "in.txt:3: invalid UTF-8"
    has "tokenize -l $lang NUL warning" "$TMP/err" "in.txt:4: NUL byte"
done
{ echo hi; repeat b 9000000; printf '\r\n'; repeat c 8388608; printf '\r\nend'; } > "$TMP/huge.txt"
ok "tokenize a 9 MB line" "$SEQTRANS" tokenize "$TMP/huge.txt"
[ "$(lines "$TMP/out")" = 4 ] && pass || fail "tokenize a 9 MB line: 4 lines expected"
has "tokenize crop warning" "$TMP/err" "huge.txt:2: longer than 8388608 bytes"
grep -q 'huge.txt:3' "$TMP/err" && fail "tokenize: a line of exactly 8 MiB is not cropped" || pass
[ "$(sed -n 3p "$TMP/out" | wc -c)" = 8388609 ] && pass || fail "tokenize: 8 MiB line kept whole"
case "$SEQTRANS" in *asan*) ;; *)   # endless line, bounded memory (sanitizers need more address space)
    exits 124 "tokenize /dev/zero in bounded memory" sh -c 'ulimit -v 1000000; timeout 3 "$1" tokenize /dev/zero' sh "$SEQTRANS"
    exits 124 "translate /dev/zero in bounded memory" sh -c 'ulimit -v 1000000; timeout 3 "$1" translate -m "$2" /dev/zero' sh "$SEQTRANS" "$M"
esac
ok "tokenize --detok odd lines" "$SEQTRANS" tokenize --detok "$in"
same_lines "tokenize --detok keeps every line" "$in" "$TMP/out"
ok "tokenize -m odd lines" "$SEQTRANS" tokenize -m "$M" --ids "$in"
same_lines "tokenize -m --ids keeps every line" "$in" "$TMP/out"

# ---- damaged, foreign and missing model files ------------------------------------------------
size=$(wc -c < "$M")
: > "$TMP/empty.model"
head -c 1000 "$M" > "$TMP/trunc.model"
head -c $((size - 1)) "$M" > "$TMP/short1.model"
{ cat "$M"; printf 'x'; } > "$TMP/long1.model"
# The model section (header bytes 16..23: its length) is what translating reads; the
# training state after it is checked when --resume reads it.
model_end=$((48 + $(od -An -t u8 -j 16 -N 8 "$M" | tr -d ' ')))
cp "$M" "$TMP/flip.model"; printf 'Z' | dd of="$TMP/flip.model" bs=1 seek=$((model_end / 2)) conv=notrunc 2>/dev/null
cp "$M" "$TMP/stateflip.model"; printf 'Z' | dd of="$TMP/stateflip.model" bs=1 seek=$(((model_end + size) / 2)) conv=notrunc 2>/dev/null
cp "$M" "$TMP/v3.model"; printf '\003' | dd of="$TMP/v3.model" bs=1 seek=8 conv=notrunc 2>/dev/null
printf '\211PNG\r\n\032\n\000\000\000\rIHDR' > "$TMP/png.model"
printf 'Whose map is this?\t这是谁的地图？\n' > "$TMP/text.model"
mkdir "$TMP/dir.model"
for case in "empty:empty file" "trunc:truncated" "short1:truncated" "long1:corrupt" \
            "flip:checksum" "v3:version 3 is not supported" "png:not a seqtrans model" \
            "text:not a seqtrans model" "dir:directory" "missing:No such file"; do
    mname=${case%%:*}; says=${case#*:}
    exits 1 "translate -m $mname.model" sh -c 'echo Hello | "$1" translate -m "$2"' sh "$SEQTRANS" "$TMP/$mname.model"
    empty "translate -m $mname.model: no output" "$TMP/out"
    has "translate -m $mname.model: message" "$TMP/err" "$says"
    has "translate -m $mname.model: names the file" "$TMP/err" "$mname.model"
    [ "$(wc -l < "$TMP/err")" -le 2 ] && pass || fail "$mname.model: a short message, not $(wc -l < "$TMP/err") lines"
done
exits 1 "eval -m damaged model" "$SEQTRANS" eval -m "$TMP/flip.model" "$corpus"
has "eval -m damaged model message" "$TMP/err" "checksum"
exits 1 "tokenize -m damaged model" "$SEQTRANS" tokenize -m "$TMP/trunc.model" "$in"
empty "tokenize -m damaged model: no output" "$TMP/out"
exits 1 "train --resume damaged model" "$SEQTRANS" train "$corpus" $TINY --resume -o "$TMP/flip.model"
exits 1 "train --resume damaged training state" "$SEQTRANS" train "$corpus" $TINY --resume -o "$TMP/stateflip.model"
has "train --resume damaged training state: message" "$TMP/err" "checksum mismatch in the training state"
# every truncation and a spread of single-byte changes are refused
bad=0; n=0
for len in 0 1 7 8 12 31 32 33 40 64 100 200 500 1000 4096 $((size / 3)) $((size / 2)) $((size - 4)) $((size - 1)); do
    head -c $len "$M" > "$TMP/cut.model"
    echo Hello | "$SEQTRANS" translate -m "$TMP/cut.model" > "$TMP/out" 2> "$TMP/err"
    [ $? = 1 ] && [ ! -s "$TMP/out" ] || bad=$((bad + 1))
    n=$((n + 1))
done
[ $bad = 0 ] && pass || fail "$bad of $n truncated models accepted"
bad=0; n=0
for off in 0 7 8 11 12 16 20 24 31 32 36 40 44 48 52 56 60 64 70 80 100 150 200 300 500 1000 \
           $((size / 4)) $((size / 2)) $((size - 100)) $((size - 9)) $((size - 1)); do
    cp "$M" "$TMP/cut.model"
    printf '\377' | dd of="$TMP/cut.model" bs=1 seek=$off conv=notrunc 2>/dev/null
    cmp -s "$M" "$TMP/cut.model" && continue   # the byte was 0xff already
    if [ $off -lt $model_end ] && { [ $off -lt 36 ] || [ $off -ge 40 ]; }; then  # 36..39: the state's CRC
        echo Hello | "$SEQTRANS" translate -m "$TMP/cut.model" > "$TMP/out" 2> "$TMP/err"
        [ $? = 1 ] && [ ! -s "$TMP/out" ] || bad=$((bad + 1))
    else
        "$SEQTRANS" train "$corpus" $TINY --resume -o "$TMP/cut.model" > "$TMP/out" 2> "$TMP/err"
        [ $? = 1 ] || bad=$((bad + 1))
    fi
    n=$((n + 1))
done
[ $bad = 0 ] && pass || fail "$bad of $n corrupted models accepted"
if [ -r /dev/zero ]; then   # endless input: refused after the header, not read forever
    exits 1 "translate -m /dev/zero" sh -c 'echo Hello | timeout 20 "$1" translate -m /dev/zero' sh "$SEQTRANS"
fi

# ---- training on bad data --------------------------------------------------------------------
bad=$TMP/bad.tsv
{
    head -n 200 "$corpus"                            # 1-200 good
    printf 'no tab here\n'                           # 201
    printf '\tempty source\n'                        # 202
    printf 'empty target\t  \n'                      # 203
    printf 'bad \377 utf8\t坏\n'                     # 204
    printf 'nul \000 byte\t空\n'                     # 205
    printf 'bell \007 ring\t响\n'                    # 206
    printf 'c1 \302\205 control\t控\n'               # 207
    printf 'delete \177\t删\n'                       # 208
    repeat x 5000; printf '\tlong\n'                 # 209 over 4096 bytes
    head -c 3000000 /dev/zero | tr '\0' '\001'; printf '\n'   # 210 3 MB of binary
    printf '\n'                                      # 211 blank: skipped without a warning
    printf '  \t  \r\n'                              # 212 blank
    printf 'good\tline\textra\tcolumns\n'            # 213 good
    printf 'Last one.\t最后一个。'                   # 214 good, no final newline
} > "$bad"
ok "train on a corpus with bad lines" "$SEQTRANS" train "$bad" $TINY --max-steps 3 -o "$TMP/b.model"
for w in "201: no tab" "202: empty source" "203: empty target" "204: invalid UTF-8" "205: NUL byte" \
         "206: control character" "207: control character" "208: control character" \
         "209: line longer than 4096 bytes" "210: line longer than 4096 bytes"; do
    has "corpus warning $w" "$TMP/err" "bad.tsv:$w"
done
has "corpus summary" "$TMP/err" "bad.tsv: skipped 12 of 214 lines (2 blank)"
grep -q 'bad.tsv:21[12]' "$TMP/err" && fail "blank lines warned about" || pass
[ -s "$TMP/b.model" ] && pass || fail "train on bad lines: model written"
exits 1 "train --strict" "$SEQTRANS" train "$bad" $TINY --strict --max-steps 3 -o "$TMP/strict.model"
has "train --strict names the first bad line" "$TMP/err" "bad.tsv:201: no tab"
[ ! -e "$TMP/strict.model" ] && pass || fail "train --strict: no model written"
printf 'no tab\n\t\nbad \377\tx\nnul \000\ty\n' > "$TMP/allbad.tsv"
exits 1 "train on an all-bad corpus" "$SEQTRANS" train "$TMP/allbad.tsv" $TINY -o "$TMP/allbad.model"
has "all-bad corpus message" "$TMP/err" "no usable sentence pairs"
[ ! -e "$TMP/allbad.model" ] && pass || fail "all-bad corpus: no model written"
: > "$TMP/empty.tsv"
exits 1 "train on an empty corpus" "$SEQTRANS" train "$TMP/empty.tsv" $TINY -o "$TMP/e.model"
has "empty corpus message" "$TMP/err" "empty.tsv"
printf '\n \n\t\n' > "$TMP/blank.tsv"
exits 1 "train on a blank corpus" "$SEQTRANS" train "$TMP/blank.tsv" $TINY -o "$TMP/e.model"
exits 1 "train on a missing corpus" "$SEQTRANS" train "$TMP/nope.tsv" $TINY -o "$TMP/e.model"
exits 1 "train on a directory" "$SEQTRANS" train "$TMP" $TINY -o "$TMP/e.model"
exits 1 "train with a bad dev set" "$SEQTRANS" train "$corpus" $TINY --max-steps 3 --dev "$TMP/allbad.tsv" -o "$TMP/e.model"
[ ! -e "$TMP/e.model" ] && pass || fail "failed trainings write no model"
ok "train from stdin" sh -c '"$1" train - $2 --max-steps 3 -o "$3" < "$4"' sh "$SEQTRANS" "$TINY" "$TMP/stdin.model" "$bad"
has "stdin corpus warnings name <stdin>" "$TMP/err" "<stdin>:201: no tab"

# ---- writing the model -----------------------------------------------------------------------
exits 1 "train -o into a missing directory" "$SEQTRANS" train "$corpus" $TINY --max-steps 3 -o "$TMP/no/such/dir/m.model"
has "missing directory message names the model" "$TMP/err" "$TMP/no/such/dir/m.model"
exits 1 "train -o a directory" "$SEQTRANS" train "$corpus" $TINY --max-steps 3 -o "$TMP"
if [ -w /dev/full ]; then   # through a link, so that a regression renames over the link only
    ln -s /dev/full "$TMP/full.model"
    exits 1 "train -o /dev/full" "$SEQTRANS" train "$corpus" $TINY --max-steps 3 -o "$TMP/full.model"
    has "train -o /dev/full message" "$TMP/err" "No space left on device"
    [ -L "$TMP/full.model" ] && pass || fail "/dev/full link replaced by a file"
fi
# a disk that fills up while the model is written (a file-size limit; SIGXFSZ ignored so that
# write() fails with EFBIG as it would with ENOSPC)
cp "$M" "$TMP/keep.model"
exits 1 "train onto a full disk" sh -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' sh \
    "$SEQTRANS" train "$corpus" $TINY --max-steps 3 -o "$TMP/keep.model"
has "full disk message" "$TMP/err" "cannot write '$TMP/keep.model'"
cmp -s "$M" "$TMP/keep.model" && pass || fail "a full disk changed the existing model"
exits 1 "train over a model, failing" "$SEQTRANS" train "$TMP/allbad.tsv" $TINY -o "$TMP/keep.model"
cmp -s "$M" "$TMP/keep.model" && pass || fail "a failed training changed the existing model"
no_temporaries "no temporaries after write errors"

# ---- interruption ------------------------------------------------------------------------------
# wait_for_progress FILE PID: until FILE (metrics) has a line or 10 s have passed
wait_for_progress() {
    i=0
    while [ $i -lt 100 ] && [ ! -s "$1" ] && kill -0 "$2" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
}
for sig in TERM INT; do
    rm -f "$TMP/sig.model" "$TMP/sig.jsonl"
    "$SEQTRANS" train "$corpus" $TINY --epochs 100000 --metrics "$TMP/sig.jsonl" -o "$TMP/sig.model" \
        2> "$TMP/sig.err" &
    pid=$!
    wait_for_progress "$TMP/sig.jsonl" $pid
    sleep 0.3
    kill -$sig $pid
    wait $pid; rc=$?
    want=143; [ $sig = INT ] && want=130
    [ $rc = $want ] && pass || fail "SIG$sig: exit $rc, want $want"
    has "SIG$sig message" "$TMP/sig.err" "checkpoint saved"
    has "SIG$sig metrics event" "$TMP/sig.jsonl" '"event":"interrupted"'
    exits 0 "SIG$sig checkpoint translates" sh -c 'echo "Where is the book?" | "$1" translate -m "$2"' sh "$SEQTRANS" "$TMP/sig.model"
    [ "$(lines "$TMP/out")" = 1 ] && pass || fail "SIG$sig checkpoint: one line out"
done
no_temporaries "no temporaries after interruption"
# the checkpoint resumes: a few more steps from where it stopped
step=$(sed -n 's/.*"event":"interrupted".*"step":\([0-9]*\).*/\1/p' "$TMP/sig.jsonl" | tail -n 1)
if [ -n "$step" ]; then
    ok "resume an interrupted run" "$SEQTRANS" train "$corpus" $TINY --resume --max-steps $((step + 3)) \
        --metrics "$TMP/resume.jsonl" -o "$TMP/sig.model"
    grep -q "\"event\":\"done\".*\"step\":$((step + 3))," "$TMP/resume.jsonl" && pass ||
        fail "resume: done at step $((step + 3)): $(tail -n 1 "$TMP/resume.jsonl")"
else
    fail "no step in the interrupted metrics"
fi
# a signal before training starts (while the corpus is read) leaves nothing behind
"$SEQTRANS" train "$corpus" $TINY --max-steps 100000 -o "$TMP/early.model" 2>/dev/null &
pid=$!
kill -TERM $pid
{ wait $pid; } 2>/dev/null; rc=$?
[ $rc = 143 ] && pass || fail "early SIGTERM: exit $rc, want 143"
no_temporaries "no temporaries after an early signal"

# ---- a model file changed on disk while translate runs ----------------------------------------
# translate keeps the model it loaded: a file truncated, or overwritten in place (cp), under a
# running translator must neither crash it nor change its translations.
# Where the system grants file leases (Linux, our own file), translate maps the model file
# instead of copying it, and swaps in a private copy when a writer comes; elsewhere it reads.
# mapped PID: whether PID maps live.model
mapped() { grep -q "live\.model" "/proc/$1/maps" 2>/dev/null; }
leases=0
[ "$(cat /proc/sys/fs/leases-enable 2>/dev/null)" = 1 ] && leases=1
[ $leases = 1 ] || echo "reliability_cli: note: no file leases here; the mapped-model checks are skipped" >&2
# live_translate NAME CHANGE [HOLD]: translates a line, runs CHANGE, translates it again;
# HOLD set: the file is kept open for writing meanwhile, so it cannot be mapped
live_translate() {
    cp "$M" "$TMP/live.model"
    rm -f "$TMP/fifo" "$TMP/live.out"; mkfifo "$TMP/fifo"
    [ -n "$3" ] && exec 4>> "$TMP/live.model"
    "$SEQTRANS" translate -m "$TMP/live.model" --batch 1 < "$TMP/fifo" > "$TMP/live.out" 2> "$TMP/live.err" &
    lpid=$!
    exec 3> "$TMP/fifo"
    echo "Where is the book?" >&3
    # the first translation says the model is loaded (a loaded machine, or a sanitizer
    # build, may take many seconds for it)
    i=0
    while [ $i -lt 600 ] && [ "$(lines "$TMP/live.out")" -lt 1 ] && kill -0 $lpid 2>/dev/null; do
        sleep 0.1; i=$((i + 1))
    done
    [ "$(lines "$TMP/live.out")" -ge 1 ] || fail "$1: no first translation after $((i / 10)) s: $(cat "$TMP/live.err")"
    if [ $leases = 1 ]; then
        if [ -n "$3" ]; then
            ! mapped $lpid && pass || fail "$1: mapped a file that is open for writing"
        else
            mapped $lpid && pass || fail "$1: the model file is not mapped: $(cat "$TMP/live.err")"
        fi
    fi
    t0=$(date +%s)
    eval "$2"
    [ $(($(date +%s) - t0)) -lt 10 ] && pass || fail "$1: the change waited $(($(date +%s) - t0)) s"
    [ -n "$3" ] && exec 4>&-
    [ $leases = 1 ] && { ! mapped $lpid && pass || fail "$1: still maps the changed file"; }
    echo "Where is the book?" >&3
    exec 3>&-
    { wait $lpid; } 2>/dev/null; lrc=$?
    if [ $lrc = 0 ] && [ "$(lines "$TMP/live.out")" = 2 ] &&
       [ "$(sed -n 1p "$TMP/live.out")" = "$(sed -n 2p "$TMP/live.out")" ]; then pass
    else fail "$1: exit $lrc, output: $(tr '\n' '|' < "$TMP/live.out")"; fi
}
live_translate "model truncated under a running translate" ': > "$TMP/live.model"'
ok "a second model, same shape" "$SEQTRANS" train "$corpus" $TINY --seed 99 --max-steps 20 -o "$TMP/other.model"
live_translate "model overwritten in place under a running translate" 'cat "$TMP/other.model" > "$TMP/live.model"'
live_translate "model overwritten in place (cp) under a running translate" 'cp "$TMP/other.model" "$TMP/live.model"'
live_translate "model held open for writing, then truncated" ': > "$TMP/live.model"' hold

# ---- reproducibility and resume exactness ------------------------------------------------------
# identical NAME A B: the two model files hold the same bytes
identical() {
    if cmp -s "$2" "$3"; then pass; else fail "$1: $(cmp "$2" "$3" 2>&1)"; fi
}
ok "reproducible run 1" "$SEQTRANS" train "$corpus" $TINY --max-steps 30 -o "$TMP/r1.model"
ok "reproducible run 2" "$SEQTRANS" train "$corpus" $TINY --max-steps 30 -o "$TMP/r2.model"
identical "same seed, same bytes" "$TMP/r1.model" "$TMP/r2.model"
# the corpus is read on all threads; with --batch 1 a step has one worker whatever the thread
# count, so only the reading differs between these two
ok "read on 1 thread" "$SEQTRANS" train data/corpus.tsv $TINY --batch 1 --threads 1 --max-steps 20 -o "$TMP/t1.model"
ok "read on 3 threads" "$SEQTRANS" train data/corpus.tsv $TINY --batch 1 --threads 3 --max-steps 20 -o "$TMP/t3.model"
identical "the corpus read on 1 or 3 threads gives the same bytes" "$TMP/t1.model" "$TMP/t3.model"
ok "one epoch" "$SEQTRANS" train "$corpus" $TINY --epochs 1 -o "$TMP/e12.model"
ok "then resume to two" "$SEQTRANS" train "$corpus" $TINY --resume --epochs 2 -o "$TMP/e12.model"
ok "two epochs straight" "$SEQTRANS" train "$corpus" $TINY --epochs 2 -o "$TMP/e2.model"
identical "resume exactness: epochs 1 + resume to 2 equals 2 straight" "$TMP/e12.model" "$TMP/e2.model"
# stopped in the middle of an epoch
ok "stop mid-epoch" "$SEQTRANS" train "$corpus" $TINY --max-steps 17 -o "$TMP/s.model"
ok "resume mid-epoch" "$SEQTRANS" train "$corpus" $TINY --resume --max-steps 50 -o "$TMP/s.model"
ok "straight to step 50" "$SEQTRANS" train "$corpus" $TINY --max-steps 50 -o "$TMP/s50.model"
identical "resume exactness mid-epoch: steps 17 + resume to 50 equals 50 straight" "$TMP/s.model" "$TMP/s50.model"

summary reliability_cli
