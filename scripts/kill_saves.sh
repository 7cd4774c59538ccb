#!/bin/sh
# Kills trainers with SIGKILL at random moments of their saves, each resuming what the last
# one left, then lets one finish, and compares the result with an uninterrupted run.
# usage: scripts/kill_saves.sh SEQTRANS DIR KILLS MAX_DELAY_MS TRAIN-ARGS...
#   TRAIN-ARGS: corpus and options of a run with a step limit (--max-steps), without -o
# Prints one line "kills K, loadable L, in a save T, removed R, identical yes|no" and exits
# 0 when every kill left a loadable file (the old one or the new one), every temporary file
# of a killed save was removed by the next trainer, none is left, and the bytes are those
# of the uninterrupted run.
set -u
seqtrans=$1; dir=$2; kills=$3; max_delay=$4; shift 4
rnd() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }
"$seqtrans" train "$@" -o "$dir/ref.model" 2> "$dir/ref.err" || { cat "$dir/ref.err" >&2; exit 1; }
rm -f "$dir/k.model" "$dir/k.err"
k=0; loadable=0; torn=0
while [ $k -lt "$kills" ]; do
    resume=""; [ -f "$dir/k.model" ] && resume=--resume
    "$seqtrans" train "$@" $resume --save-every 1 -o "$dir/k.model" 2>> "$dir/k.err" &
    pid=$!
    # from 0 to MAX_DELAY_MS after its first save began (about twice as long as a save
    # takes): in that save, or in a later step or save; every fourth at once
    # (-s: the empty one made at start-up to check the directory is writable is no save)
    while [ ! -s "$dir/k.model.tmp.$pid" ] && kill -0 $pid 2> /dev/null; do :; done
    [ $((k % 4)) = 0 ] || sleep "$(rnd "$max_delay" | awk '{ print $1 / 1000 }')"
    kill -9 $pid 2> /dev/null
    { wait $pid; } 2> /dev/null
    k=$((k + 1))
    [ -e "$dir/k.model.tmp.$pid" ] && torn=$((torn + 1))
    if [ ! -f "$dir/k.model" ] || "$seqtrans" info "$dir/k.model" > /dev/null 2>> "$dir/k.err"; then
        loadable=$((loadable + 1))
    fi
done
"$seqtrans" train "$@" --resume -o "$dir/k.model" 2>> "$dir/k.err"
finished=$?
removed=$(grep -c "a save left unfinished by a process that was killed" "$dir/k.err")
same=no; [ $finished = 0 ] && cmp -s "$dir/k.model" "$dir/ref.model" && same=yes
left=$(ls "$dir"/k.model.tmp.* 2> /dev/null | wc -l)
echo "kills $k, loadable $loadable, in a save $torn, removed $removed, left $left, identical $same"
[ $loadable = "$k" ] && [ "$removed" -ge $torn ] && [ "$left" = 0 ] && [ $same = yes ] ||
    { grep -v "a save left unfinished" "$dir/k.err" >&2; exit 1; }
