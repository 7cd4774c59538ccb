/* ranks: the gradient of a step summed across the ranks of a distributed run (sys/dist.h),
 * in the same fixed tree a process sums its workers' parts in (nn/optim.c): at level l a
 * rank adds the partial sum of the block of 2^l ranks beside its own, so ((r0 + r1) +
 * (r2 + r3)) + ... When each rank's T workers are a power of two, N ranks of T threads add
 * exactly like one process of N * T threads, and every rank ends with the same bits (float
 * addition is commutative: both partners of a swap compute the same sum).
 * Ranks beyond a power of two: a rank whose partner (rank ^ 2^l) does not exist takes the
 * partial sum from the first rank of the block beside it, which then sends to several; the
 * tree and so the result stay the same on every rank.
 * The embedding rows come as pages (train/step.c): a page no rank of a block wrote is
 * absent and not sent; the written pages of the sum are the union over the ranks. */
#ifndef SEQTRANS_RANKS_H
#define SEQTRANS_RANKS_H
#include <stddef.h>

typedef struct {
    float *grad;            /* the rank's summed gradient, n floats: the result replaces it */
    unsigned char *written; /* [page] of its first pages * page floats: nonzero = present */
    size_t n, pages, page;
} rank_gradient;

typedef struct ranks_sum ranks_sum;

ranks_sum *ranks_sum_new(size_t n_floats, size_t pages);
void ranks_sum_free(ranks_sum *s);
/* Sums g across all ranks (every rank calls it with its own). */
void ranks_sum_gradient(ranks_sum *s, rank_gradient g);
/* What the sums so far cost this rank: seconds in communication, of them waiting for the
 * slowest rank to be ready, and bytes sent. */
double ranks_sum_seconds(const ranks_sum *s);
double ranks_sum_wait_seconds(const ranks_sum *s);
double ranks_sum_bytes_sent(const ranks_sum *s);

#endif
