#include "nn/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

/* Passes over the gradient go block by block: the sum of the parts is formed in a small
 * buffer that stays in cache, never written back to memory. */
enum { BLOCK = GRADIENT_BLOCK };

void adam_init(adam *a, size_t n, float lr)
{
    a->lr = lr;
    a->beta1 = 0.9f;
    a->beta2 = 0.999f;
    a->eps = 1e-8f;
    a->step = 0;
    a->n = n;
    a->m = xcalloc(n, sizeof(float));
    a->v = xcalloc(n, sizeof(float));
}

void adam_free(adam *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

void adam_begin_step(adam *a) { a->step++; }

/* The parts [0, n) added as one fixed tree: the first h (the largest power of two below n)
 * and the rest, each summed the same way, so ((p0 + p1) + (p2 + p3)) + ... The ranks of a
 * distributed run continue the same tree across processes (train/ranks.h), which makes
 * N ranks of T threads add up like one process of N * T. A NULL part is absent: it adds
 * nothing (not even +0). Returns the sum over [i, i + len), len <= BLOCK, in out or where
 * a single part holds it; NULL when no part is present. */
static const float *tree_sum(float *const *parts, int n, size_t i, size_t len, float *out)
{
    if (n == 1) return parts[0] ? parts[0] + i : NULL;
    int h = 1;
    while (h * 2 < n) h *= 2;
    float upper[BLOCK];
    const float *a = tree_sum(parts, h, i, len, out), *b = tree_sum(parts + h, n - h, i, len, upper);
    if (!a || !b) {
        const float *one = a ? a : b;
        if (one != upper) return one;
        memcpy(out, upper, len * sizeof *out);
        return out;
    }
    for (size_t j = 0; j < len; j++) out[j] = a[j] + b[j];
    return out;
}

void gradient_parts_sum(gradient_parts g, size_t i, size_t n, float *restrict out)
{
    for (size_t done = 0; done < n; done += BLOCK) {
        size_t len = n - done < BLOCK ? n - done : BLOCK;
        const float *sum = g.n ? tree_sum(g.parts, g.n, i + done, len, out + done) : NULL;
        if (!sum)
            memset(out + done, 0, len * sizeof *out);
        else if (sum != out + done)
            memcpy(out + done, sum, len * sizeof *out);
    }
}

/* The sum of the parts over [i, i + n): a single part where it lies, else added up in out. */
static const float *sum_parts(gradient_parts g, size_t i, size_t n, float *restrict out)
{
    const float *sum = tree_sum(g.parts, g.n, i, n, out);
    if (sum) return sum;
    memset(out, 0, n * sizeof *out);
    return out;
}

/* One step's coefficients: the bias corrections folded into the step size, as in the Adam
 * paper's final form. */
typedef struct {
    float step, b1, b2, eps;
} adam_coefficients;

static adam_coefficients coefficients(const adam *a)
{
    double c1 = 1 - pow(a->beta1, (double)a->step), c2 = 1 - pow(a->beta2, (double)a->step);
    return (adam_coefficients){(float)(a->lr * sqrt(c2) / c1), a->beta1, a->beta2,
                               a->eps * (float)sqrt(c2)};
}

static void update_block(const adam *a, adam_coefficients c, float *params, const float *restrict grad,
                         float scale, size_t i, size_t n)
{
    float *restrict m = a->m + i, *restrict v = a->v + i, *restrict p = params + i;
    float step = c.step, b1 = c.b1, b2 = c.b2, eps = c.eps;
    for (size_t j = 0; j < n; j++) {
        float gj = grad[j] * scale;
        m[j] = b1 * m[j] + (1 - b1) * gj;
        v[j] = b2 * v[j] + (1 - b2) * gj * gj;
        p[j] -= step * m[j] / (sqrtf(v[j]) + eps);
    }
}

void adam_update_range(const adam *a, float *params, gradient_parts g, float scale, int clear,
                       size_t begin, size_t end)
{
    adam_coefficients c = coefficients(a);
    float buf[BLOCK];
    for (size_t i = begin; i < end; i += BLOCK) {
        size_t n = end - i < BLOCK ? end - i : BLOCK;
        update_block(a, c, params, sum_parts(g, i, n, buf), scale, i, n);
        if (clear)
            for (int k = 0; k < g.n; k++) memset(g.parts[k] + i, 0, n * sizeof(float));
    }
}

void adam_update_summed(const adam *a, float *params, gradient_sum g, float scale, size_t begin,
                        size_t end)
{
    adam_coefficients c = coefficients(a);
    float buf[BLOCK];
    for (size_t i = begin; i < end; i += BLOCK) {
        size_t n = end - i < BLOCK ? end - i : BLOCK;
        update_block(a, c, params, g.sum(g.ctx, i, n, buf), scale, i, n);
    }
}

/* Sixteen float lanes (which vectorize) per block, blocks added up in double: fast, and the
 * same result whatever the machine, since the order is fixed. */
static double add_squares(double s, const float *g, size_t n)
{
    enum { LANES = 16 };
    float acc[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++) acc[k] += g[j + k] * g[j + k];
    for (; j < n; j++) acc[0] += g[j] * g[j];
    for (int k = 0; k < LANES; k++) s += acc[k];
    return s;
}

static const float *sum_of_parts(void *ctx, size_t i, size_t n, float *out)
{
    return sum_parts(*(const gradient_parts *)ctx, i, n, out);
}

double gradient_sum_squares(gradient_parts g, size_t begin, size_t end)
{
    return gradient_sum_squares_summed((gradient_sum){sum_of_parts, &g}, begin, end);
}

double gradient_sum_squares_summed(gradient_sum g, size_t begin, size_t end)
{
    float buf[BLOCK];
    double s = 0;
    for (size_t i = begin; i < end; i += BLOCK) {
        size_t n = end - i < BLOCK ? end - i : BLOCK;
        s = add_squares(s, g.sum(g.ctx, i, n, buf), n);
    }
    return s;
}
