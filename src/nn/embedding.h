/* embedding: token ids to vectors, and inverted dropout, the two layers that touch
 * activations without a matrix product. */
#ifndef SEQTRANS_EMBEDDING_H
#define SEQTRANS_EMBEDDING_H
#include "nn/qgemm.h"
#include "sys/util.h"

/* out[r] = table[ids[r]] for r < n; table [V x E], out [n x E]. */
void embedding_forward(const float *table, int E, const int *ids, long n, float *out);
/* The same from the table's int8 form q when q != NULL (rows dequantized on lookup). */
void embedding_lookup(const float *table, const qmatrix *q, int E, const int *ids, long n, float *out);
/* dtable[ids[r]] += dout[r]. */
void embedding_backward(float *dtable, int E, const int *ids, long n, const float *dout);

/* Inverted dropout: x *= mask, mask[i] = 0 with probability p, else 1 / (1 - p).
 * With p == 0 nothing happens and mask is not written. */
void dropout_forward(float *x, float *mask, long n, float p, rng_t *rng);
/* dx *= mask (nothing when p == 0). */
void dropout_backward(float *dx, const float *mask, long n, float p);

#endif
