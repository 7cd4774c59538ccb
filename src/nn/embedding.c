#include "nn/embedding.h"

#include <string.h>

void embedding_forward(const float *table, int E, const int *ids, long n, float *out)
{
    for (long r = 0; r < n; r++) memcpy(out + r * E, table + (size_t)ids[r] * E, E * sizeof(float));
}

void embedding_lookup(const float *table, const qmatrix *q, int E, const int *ids, long n, float *out)
{
    if (!q) {
        embedding_forward(table, E, ids, n, out);
        return;
    }
    for (long r = 0; r < n; r++) qmatrix_row(q, ids[r], out + r * E);
}

void embedding_backward(float *dtable, int E, const int *ids, long n, const float *dout)
{
    for (long r = 0; r < n; r++) {
        float *d = dtable + (size_t)ids[r] * E;
        for (int k = 0; k < E; k++) d[k] += dout[r * E + k];
    }
}

void dropout_forward(float *x, float *mask, long n, float p, rng_t *rng)
{
    if (p <= 0) return;
    float keep = 1.0f / (1.0f - p);
    for (long i = 0; i < n; i++) {
        mask[i] = rng_uniform(rng) < p ? 0.0f : keep;
        x[i] *= mask[i];
    }
}

void dropout_backward(float *dx, const float *mask, long n, float p)
{
    if (p <= 0) return;
    for (long i = 0; i < n; i++) dx[i] *= mask[i];
}
