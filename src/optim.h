/* optim: Adam over the flat parameter buffer, and the sum of squares for the gradient norm
 * that clipping needs. */
#ifndef SEQTRANS_OPTIM_H
#define SEQTRANS_OPTIM_H
#include <stddef.h>

typedef struct {
    float lr, beta1, beta2, eps;
    long step;
    size_t n;
    float *m, *v; /* first and second moments, same layout as the parameters */
} adam;

void adam_init(adam *a, size_t n, float lr);
void adam_free(adam *a);
/* One update with gradient g, in parts for workers sharing it: adam_begin_step() once,
 * then adam_update_range() over disjoint ranges that together cover [0, n). */
void adam_begin_step(adam *a);
void adam_update_range(const adam *a, float *params, const float *g, size_t begin, size_t end);

/* Sum of squares of g[0..n) (accumulated in double). */
double sum_squares(const float *g, size_t n);

#endif
