#include "optim.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

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

void adam_update_range(const adam *a, float *params, const float *g, size_t begin, size_t end)
{
    /* Bias corrections folded into the step size, as in the Adam paper's final form. */
    double c1 = 1 - pow(a->beta1, (double)a->step), c2 = 1 - pow(a->beta2, (double)a->step);
    float step = (float)(a->lr * sqrt(c2) / c1), b1 = a->beta1, b2 = a->beta2;
    float eps = a->eps * (float)sqrt(c2);
    float *restrict m = a->m, *restrict v = a->v;
    for (size_t i = begin; i < end; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        params[i] -= step * m[i] / (sqrtf(v[i]) + eps);
    }
}

double sum_squares(const float *g, size_t n)
{
    /* Sixteen float lanes (which vectorize) per block, blocks added up in double: fast, and
     * the same result whatever the machine, since the order is fixed. */
    enum { LANES = 16, BLOCK = 1024 };
    double s = 0;
    for (size_t i = 0; i < n; i += BLOCK) {
        size_t e = i + BLOCK < n ? i + BLOCK : n, j = i;
        float acc[LANES] = {0};
        for (; j + LANES <= e; j += LANES)
            for (int k = 0; k < LANES; k++) acc[k] += g[j + k] * g[j + k];
        for (; j < e; j++) acc[0] += g[j] * g[j];
        for (int k = 0; k < LANES; k++) s += acc[k];
    }
    return s;
}
