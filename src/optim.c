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

void adam_update(adam *a, float *params, const float *g)
{
    a->step++;
    /* Bias corrections folded into the step size, as in the Adam paper's final form. */
    double c1 = 1 - pow(a->beta1, (double)a->step), c2 = 1 - pow(a->beta2, (double)a->step);
    float step = (float)(a->lr * sqrt(c2) / c1), b1 = a->beta1, b2 = a->beta2;
    float eps = a->eps * (float)sqrt(c2);
    for (size_t i = 0; i < a->n; i++) {
        a->m[i] = b1 * a->m[i] + (1 - b1) * g[i];
        a->v[i] = b2 * a->v[i] + (1 - b2) * g[i] * g[i];
        params[i] -= step * a->m[i] / (sqrtf(a->v[i]) + eps);
    }
}

double grad_norm(const float *g, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return sqrt(s);
}

double clip_grad_norm(float *g, size_t n, float max_norm)
{
    double norm = grad_norm(g, n);
    if (max_norm > 0 && norm > max_norm) {
        float scale = (float)(max_norm / norm);
        for (size_t i = 0; i < n; i++) g[i] *= scale;
    }
    return norm;
}
