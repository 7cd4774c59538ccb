#include "nn/output.h"

#include <math.h>
#include <string.h>

#include "nn/activations.h"
#include "sys/blas.h"

void output_logits(const float *wo, const float *bo, const float *x, int N, int H, int V, float *logits)
{
    for (int r = 0; r < N; r++) memcpy(logits + (size_t)r * V, bo, V * sizeof(float));
    gemm(0, 0, N, V, H, 1, x, H, wo, V, 1, logits, V);
}

/* One row: returns its loss terms and replaces the logits by their scaled gradient. */
static output_loss softmax_xent_row(float *z, int V, int y, float eps, float scale)
{
    float max = row_max(z, V);
    double zsum = row_sum(z, V);
    for (int v = 0; v < V; v++) z[v] = fast_expf(z[v] - max);
    double sum = row_sum(z, V), logsum = log(sum);
    output_loss l;
    l.nll = logsum - log(z[y]);
    /* sum_v log p_v = sum_v z_v - V (max + logsum) */
    double sum_logp = zsum - (double)V * (max + logsum);
    l.loss = (1 - eps) * l.nll - eps / V * sum_logp;
    float inv = (float)(1.0 / sum), off = eps / V;
    for (int v = 0; v < V; v++) z[v] = scale * (z[v] * inv - off);
    z[y] -= scale * (1 - eps);
    return l;
}

output_loss output_forward_loss(const float *wo, const float *bo, const float *x, int N, int H,
                                int V, const int *targets, float smoothing, float grad_scale,
                                float *logits)
{
    output_logits(wo, bo, x, N, H, V, logits);
    output_loss total = {0, 0};
    for (int r = 0; r < N; r++) {
        output_loss l = softmax_xent_row(logits + (size_t)r * V, V, targets[r], smoothing, grad_scale);
        total.loss += l.loss;
        total.nll += l.nll;
    }
    return total;
}

void output_backward(const float *wo, float *dwo, float *dbo, const float *x, int N, int H,
                     int V, const float *dlogits, float *dx)
{
    gemm(1, 0, H, V, N, 1, x, H, dlogits, V, 1, dwo, V);
    for (int r = 0; r < N; r++)
        for (int v = 0; v < V; v++) dbo[v] += dlogits[(size_t)r * V + v];
    gemm(0, 1, N, H, V, 1, dlogits, V, wo, V, 0, dx, H);
}
