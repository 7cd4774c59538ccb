#include "nn/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

/* Passes over the gradient go block by block: the sum of the parts is formed in a small
 * buffer that stays in cache, never written back to memory. */
enum { BLOCK = 1024 };

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

/* The end of the stretch from s (< end) that lies within one page of the paged floats. */
static size_t stretch_end(gradient_parts g, size_t s, size_t end)
{
    size_t e = s < g.paged ? (s / g.page + 1) * g.page : end;
    return e < end ? e : end;
}

static int part_blank(gradient_parts g, int k, size_t s)
{
    return s < g.paged && !g.written[k][s / g.page];
}

/* The sum over [i, i + n) into out, page by page, leaving out the pages a part holds none of. */
static void sum_written_parts(gradient_parts g, size_t i, size_t n, float *out)
{
    for (size_t s = i, e; s < i + n; s = e) {
        e = stretch_end(g, s, i + n);
        int first = 1;
        for (int k = 0; k < g.n; k++) {
            if (part_blank(g, k, s)) continue;
            const float *p = g.parts[k];
            if (first) memcpy(out + (s - i), p + s, (e - s) * sizeof *out);
            else for (size_t j = s; j < e; j++) out[j - i] += p[j];
            first = 0;
        }
        if (first) memset(out + (s - i), 0, (e - s) * sizeof *out);
    }
}

static void clear_parts(gradient_parts g, size_t i, size_t n)
{
    for (size_t s = i, e; s < i + n; s = e) {
        e = g.written ? stretch_end(g, s, i + n) : i + n;
        for (int k = 0; k < g.n; k++)
            if (!g.written || !part_blank(g, k, s)) memset(g.parts[k] + s, 0, (e - s) * sizeof(float));
    }
}

/* The sum of the parts over [i, i + n): a single part where it lies, else added up in out. */
static const float *sum_parts(gradient_parts g, size_t i, size_t n, float *restrict out)
{
    if (g.written && i < g.paged) {
        sum_written_parts(g, i, n, out);
        return out;
    }
    if (g.n == 1) return g.parts[0] + i;
    const float *restrict a = g.parts[0] + i, *restrict b = g.parts[1] + i;
    for (size_t j = 0; j < n; j++) out[j] = a[j] + b[j];
    for (int k = 2; k < g.n; k++) {
        const float *restrict p = g.parts[k] + i;
        for (size_t j = 0; j < n; j++) out[j] += p[j];
    }
    return out;
}

void adam_update_range(const adam *a, float *params, gradient_parts g, float scale, int clear,
                       size_t begin, size_t end)
{
    /* Bias corrections folded into the step size, as in the Adam paper's final form. */
    double c1 = 1 - pow(a->beta1, (double)a->step), c2 = 1 - pow(a->beta2, (double)a->step);
    float step = (float)(a->lr * sqrt(c2) / c1), b1 = a->beta1, b2 = a->beta2;
    float eps = a->eps * (float)sqrt(c2);
    float buf[BLOCK];
    for (size_t i = begin; i < end; i += BLOCK) {
        size_t n = end - i < BLOCK ? end - i : BLOCK;
        const float *restrict grad = sum_parts(g, i, n, buf);
        float *restrict m = a->m + i, *restrict v = a->v + i, *restrict p = params + i;
        for (size_t j = 0; j < n; j++) {
            float gj = grad[j] * scale;
            m[j] = b1 * m[j] + (1 - b1) * gj;
            v[j] = b2 * v[j] + (1 - b2) * gj * gj;
            p[j] -= step * m[j] / (sqrtf(v[j]) + eps);
        }
        if (clear) clear_parts(g, i, n);
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

double gradient_sum_squares(gradient_parts g, size_t begin, size_t end)
{
    float buf[BLOCK];
    double s = 0;
    for (size_t i = begin; i < end; i += BLOCK) {
        size_t n = end - i < BLOCK ? end - i : BLOCK;
        s = add_squares(s, sum_parts(g, i, n, buf), n);
    }
    return s;
}
