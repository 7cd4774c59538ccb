#!/bin/sh
# Distributed training under Open MPI's mpirun: N ranks of T threads write the bytes of one
# process of N * T threads; runs repeat exactly, resume exactly; an interrupt saves one
# checkpoint; a killed rank stops the others quickly with a message naming it, and the
# last checkpoint resumes. Skipped where mpirun is not installed.
. tests/cli_lib.sh
# a rank on a machine without Open MPI says what to install (no mpirun needed to show it)
exits 1 "a rank without libmpi" env OMPI_COMM_WORLD_SIZE=2 SEQTRANS_TEST_MPI_LIBRARY=libmpi-absent.so.0 \
    "$SEQTRANS" train data/corpus.tsv --emb 8 --hidden 8 -q --max-steps 1 -o "$TMP/no-mpi.model"
grep -q "apt-get install openmpi-bin" "$TMP/err" && pass || fail "the message says what to install"
if ! command -v mpirun >/dev/null 2>&1; then
    echo "cli_mpi: skipped: no mpirun (apt-get install openmpi-bin libopenmpi-dev)"
    summary cli_mpi
    exit
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none # no ptrace rights in containers
mpi() { n=$1; shift; timeout 120 mpirun --oversubscribe -np "$n" "$@"; }
small="--emb 16 --hidden 32 --seed 3 -q"
run="data/corpus.tsv --dev data/dev.tsv $small --layers 2 --epochs 2"

ok "1 process x 2 threads" "$SEQTRANS" train $run --threads 2 -o "$TMP/t2.model"
ok "2 ranks x 1 thread" mpi 2 "$SEQTRANS" train $run --threads 1 -o "$TMP/r2.model"
cmp -s "$TMP/t2.model" "$TMP/r2.model" && pass || fail "2 ranks x 1 thread write the bytes of 1 x 2 threads"
ok "2 ranks x 1 thread again" mpi 2 "$SEQTRANS" train $run --threads 1 -o "$TMP/r2b.model"
cmp -s "$TMP/r2.model" "$TMP/r2b.model" && pass || fail "two 2-rank runs write the same bytes"
ok "1 process x 4 threads" "$SEQTRANS" train $run --threads 4 -o "$TMP/t4.model"
ok "2 ranks x 2 threads" mpi 2 "$SEQTRANS" train $run --threads 2 -o "$TMP/r22.model"
cmp -s "$TMP/t4.model" "$TMP/r22.model" && pass || fail "2 ranks x 2 threads write the bytes of 1 x 4 threads"
ok "3 ranks x 1 thread" mpi 3 "$SEQTRANS" train $run --threads 1 -o "$TMP/r3.model"
ok "1 process x 3 threads" "$SEQTRANS" train $run --threads 3 -o "$TMP/t3.model"
cmp -s "$TMP/t3.model" "$TMP/r3.model" && pass || fail "3 ranks (not a power of two) x 1 thread write the bytes of 1 x 3"
# --accumulate: each rank's share in runs, one exchange per step
ok "2 ranks x 1 thread, --accumulate 3" mpi 2 "$SEQTRANS" train $run --threads 1 --accumulate 3 -o "$TMP/r2a.model"
ok "1 process x 2 threads, --accumulate 3" "$SEQTRANS" train $run --threads 2 --accumulate 3 -o "$TMP/t2a.model"
cmp -s "$TMP/t2a.model" "$TMP/r2a.model" && pass || fail "with --accumulate 3 too, 2 ranks x 1 thread write the bytes of 1 x 2"
cmp -s "$TMP/r2.model" "$TMP/r2a.model" && fail "--accumulate 3 changes the run" || pass
echo "I am happy." > "$TMP/src.txt"
ok "translate the 2-rank model" "$SEQTRANS" translate -m "$TMP/r2.model" "$TMP/src.txt"

# resume under the same ranks continues exactly
steps="data/corpus.tsv $small --threads 1"
ok "2 ranks, 60 steps" mpi 2 "$SEQTRANS" train $steps --max-steps 60 -o "$TMP/whole.model"
ok "2 ranks, 25 steps" mpi 2 "$SEQTRANS" train $steps --max-steps 25 -o "$TMP/part.model"
ok "2 ranks, resumed to 60" mpi 2 "$SEQTRANS" train $steps --max-steps 60 --resume -o "$TMP/part.model"
cmp -s "$TMP/whole.model" "$TMP/part.model" && pass || fail "a resumed 2-rank run writes the bytes of an uninterrupted one"
ok "2 ranks, --accumulate 2, 30 steps" mpi 2 "$SEQTRANS" train $steps --accumulate 2 --max-steps 30 -o "$TMP/awhole.model"
ok "2 ranks, --accumulate 2, 13 steps" mpi 2 "$SEQTRANS" train $steps --accumulate 2 --max-steps 13 -o "$TMP/apart.model"
ok "2 ranks, --accumulate 2, resumed to 30" mpi 2 "$SEQTRANS" train $steps --accumulate 2 --max-steps 30 --resume -o "$TMP/apart.model"
cmp -s "$TMP/awhole.model" "$TMP/apart.model" && pass || fail "with --accumulate 2, a resumed 2-rank run writes the bytes of an uninterrupted one"

# every rank must read the same corpus
head -n 500 data/corpus.tsv > "$TMP/other.tsv"
exits 1 "ranks reading different corpora" timeout 120 mpirun --oversubscribe \
    -np 1 "$SEQTRANS" train data/corpus.tsv $small --threads 1 --epochs 1 -o "$TMP/d.model" : \
    -np 1 "$SEQTRANS" train "$TMP/other.tsv" $small --threads 1 --epochs 1 -o "$TMP/d.model"
grep -q "rank 1 read another corpus" "$TMP/err" && pass || fail "the refusal names the rank that differs"
# one rank that cannot start (here: its corpus is missing) stops all of them at once
exits 1 "a rank that cannot read its corpus" timeout 120 mpirun --oversubscribe \
    -np 1 "$SEQTRANS" train data/corpus.tsv $small --threads 1 --epochs 1 -o "$TMP/e.model" : \
    -np 1 "$SEQTRANS" train "$TMP/missing.tsv" $small --threads 1 --epochs 1 -o "$TMP/e.model"
grep -q "rank 1: .*missing.tsv" "$TMP/err" && grep -q "rank 1 of 2 could not start" "$TMP/err" && pass ||
    { fail "the failing rank says why, rank 0 names it"; cat "$TMP/err" >&2; }

# A long run in the background; waits for its first checkpoint (an epoch's end).
long="data/corpus.tsv $small --threads 1 --epochs 500"
start_long() {
    rm -f "$TMP/$1.model"
    timeout 300 mpirun --oversubscribe -np 2 "$SEQTRANS" train $long -o "$TMP/$1.model" >"$TMP/$1.out" 2>"$TMP/$1.err" &
    job=$!
    # (a loaded machine or a sanitizer build may take a minute to get there)
    i=0
    while [ ! -f "$TMP/$1.model" ] && kill -0 "$job" 2>/dev/null && [ $i -lt 2400 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 0.5
    ranks="$(rank_pid 0) $(rank_pid 1)"
}
rank_pid() { # the pid of rank $1 of the job started last
    for p in $(pgrep -P "$job" 2>/dev/null; for c in $(pgrep -P "$job"); do pgrep -P "$c"; done); do
        { tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$1" && { echo "$p"; return; }
    done
}
# waits at most $1 seconds for the job; sets rc (124: still running after that, then killed)
await() {
    i=0
    while kill -0 "$job" 2>/dev/null && [ $i -lt $(($1 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$job" 2>/dev/null; then kill -9 "$job"; wait "$job"; rc=124; else wait "$job"; rc=$?; fi
    # mpirun may exit while the ranks it killed are still going away (holding the lock)
    for p in $ranks; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    done
}
resumes() { # the checkpoint $1 loads and resumes in one process
    exits 0 "$2: the checkpoint resumes" "$SEQTRANS" train $long --resume --time 1s -o "$TMP/$1.model"
}

# Ctrl-C reaching every rank (as from a batch system): one checkpoint, exit 130
start_long int
for r in 0 1; do p=$(rank_pid $r); [ -n "$p" ] && kill -INT "$p" 2>/dev/null; done
await 30
[ "$rc" = 130 ] && pass || { fail "SIGINT to every rank exits 130 (exit $rc)"; cat "$TMP/int.err" >&2; }
[ "$(grep -c 'interrupted: checkpoint saved' "$TMP/int.err")" = 1 ] && pass || fail "one checkpoint message, from rank 0"
resumes int "SIGINT to every rank"

# SIGINT to mpirun: it terminates the ranks, which save first
start_long mpirun
kill -INT "$job"
await 30
[ "$rc" != 0 ] && [ "$rc" != 124 ] && pass || fail "SIGINT to mpirun ends the job (exit $rc)"
resumes mpirun "SIGINT to mpirun"

# one rank killed: the other stops within 30 s, the rank is named, the checkpoint resumes
start_long kill
victim=$(rank_pid 1)
[ -n "$victim" ] && kill -9 "$victim"
await 30
[ "$rc" != 0 ] && [ "$rc" != 124 ] && pass || fail "a killed rank ends the job within 30 s (exit $rc)"
grep -q "rank 1" "$TMP/kill.err" && pass || { fail "the message names the killed rank"; cat "$TMP/kill.err" >&2; }
resumes kill "a killed rank"

# translate never loads MPI, even as a rank
OMPI_COMM_WORLD_SIZE=2 LD_DEBUG=libs "$SEQTRANS" translate -m "$TMP/r2.model" "$TMP/src.txt" >"$TMP/ld.out" 2>&1
grep -q libmpi "$TMP/ld.out" && fail "translate loads libmpi" || pass
summary cli_mpi
