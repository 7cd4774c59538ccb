/* dist: the processes of a distributed training run (Open MPI), behind a small interface.
 * Nothing links against MPI: dist_init() loads libmpi.so.40 with dlopen() only when the
 * process was started by mpirun with more than one rank (OMPI_COMM_WORLD_SIZE > 1), so a
 * machine without Open MPI builds and runs everything else, and only `train` ever calls it.
 * Without mpirun every call below is the one-process case: rank 0 of 1, collectives copy.
 * Calls come from the main thread only. A failed MPI call aborts the whole job (Open MPI's
 * default error handler): the peers cannot go on without it. */
#ifndef SEQTRANS_DIST_H
#define SEQTRANS_DIST_H
#include <stddef.h>

/* 0: one process, or MPI started; -1 with an error printed (Open MPI missing or failing). */
int dist_init(void);
void dist_finalize(void);
int dist_rank(void);
int dist_size(void);
/* Ranks on this machine (for the default thread count). */
int dist_local_size(void);

/* Sends send[0..send_bytes) to each of ranks to[0..n_to) and receives recv_bytes from rank
 * `from` (none when from < 0), all at once, so pairs of ranks can swap without deadlock. */
void dist_exchange(const int *to, int n_to, const void *send, size_t send_bytes, int from,
                   void *recv, size_t recv_bytes);
/* all[r * bytes ..] = rank r's mine, on every rank. */
void dist_allgather(const void *mine, size_t bytes, void *all);
/* v[i] = the largest v[i] of all ranks, on every rank (integers: exact in any order). */
void dist_max_ints(int *v, int n);
void dist_broadcast(void *buf, size_t bytes, int root);
/* Returns when every rank has called it. */
void dist_barrier(void);
/* Ends every rank of the job with status code. */
void dist_abort(int code);

#endif
