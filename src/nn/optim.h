/* optim: Adam over the flat parameter buffer, and the sum of squares for the gradient norm
 * that clipping needs.
 * The gradient of a step comes in parts, one buffer per worker, added up in a fixed order. Rather
 * than zeroing every part, summing them into one buffer, taking its sum of squares, scaling
 * it for clipping and updating (five passes over memory), a step makes two:
 * gradient_sum_squares() reads the parts, and adam_update_range() reads them again, applies
 * the update and clears them. */
#ifndef SEQTRANS_OPTIM_H
#define SEQTRANS_OPTIM_H
#include <stddef.h>

typedef struct {
    float lr, beta1, beta2, eps;
    long step;
    size_t n;
    float *m, *v; /* first and second moments, same layout as the parameters */
} adam;

/* The gradient of a step: the sum of parts[0..n), each of the parameters' layout, added
 * in one fixed tree, ((p0 + p1) + (p2 + p3)) + ... (see optim.c); a NULL part is absent. */
typedef struct {
    float *const *parts;
    int n;
} gradient_parts;

/* A gradient whose owner adds it up itself (one that knows where parts hold only zeros):
 * sum(ctx, i, n, out) gives the summed gradient over [i, i + n), n <= GRADIENT_BLOCK, written
 * into out or pointing where it lies. The passes below ask for it block by block from begin. */
enum { GRADIENT_BLOCK = 1024 };
typedef struct {
    const float *(*sum)(void *ctx, size_t i, size_t n, float *out);
    void *ctx;
} gradient_sum;

/* out[0..n) = the sum of g's parts over [i, i + n); zeros when none is present. */
void gradient_parts_sum(gradient_parts g, size_t i, size_t n, float *out);

void adam_init(adam *a, size_t n, float lr);
void adam_free(adam *a);
/* One update, in parts for workers sharing it: adam_begin_step() once, then
 * adam_update_range() over disjoint ranges that together cover [0, n). The gradient used is
 * the sum of the parts times scale; with clear, the parts' range is left zeroed. */
void adam_begin_step(adam *a);
void adam_update_range(const adam *a, float *params, gradient_parts g, float scale, int clear,
                       size_t begin, size_t end);
/* The same for a gradient summed by its owner, who also clears it. */
void adam_update_summed(const adam *a, float *params, gradient_sum g, float scale, size_t begin,
                        size_t end);

/* Sum of squares of the summed gradient over [begin, end) (accumulated in double). */
double gradient_sum_squares(gradient_parts g, size_t begin, size_t end);
double gradient_sum_squares_summed(gradient_sum g, size_t begin, size_t end);

#endif
