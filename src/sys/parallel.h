/* parallel: run one function on n workers at once (worker 0 is the calling thread) and
 * wait for all. Training and decoding split their batches this way, each worker calling
 * single-threaded BLAS, which keeps both cores busy through the element-wise work too and
 * avoids BLAS threads spinning between the many small products of a recurrent network. */
#ifndef SEQTRANS_PARALLEL_H
#define SEQTRANS_PARALLEL_H

void parallel_run(int n, void (*fn)(void *ctx, int worker), void *ctx);

/* [begin, end) of worker w's share of n items split into `workers` near-equal parts. */
void parallel_share(long n, int workers, int w, long *begin, long *end);

#endif
