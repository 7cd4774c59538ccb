/* activations: element-wise nonlinearities shared by the layers.
 * exp is computed as 2^k * e^r with r in [-ln2/2, ln2/2] and a degree-6 polynomial for e^r:
 * relative error below 3e-7 (2.5 ulp) over the whole float range (tests/test_activations.c checks
 * the bound against libm), and the loops below vectorize, which libm's expf and tanhf do
 * not. Inputs are clamped so that no Inf or NaN can come out of a finite input. */
#ifndef SEQTRANS_ACTIVATIONS_H
#define SEQTRANS_ACTIVATIONS_H
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float fast_expf(float x_in)
{
    /* NaN goes through unchanged (a NaN loss must stay visible); it must not reach the
     * float-to-int conversion below, where it would be undefined. */
    float x = x_in != x_in ? 0.0f : x_in < -87.0f ? -87.0f : x_in > 88.0f ? 88.0f : x_in;
    float k = rintf(x * 1.44269504088896341f);
    float r = x - k * 0.693145751953125f - k * 1.428606765330187e-06f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return x_in != x_in ? x_in : p * scale;
}

static inline float sigmoid(float x) { return 1.0f / (1.0f + fast_expf(-x)); }
static inline float fast_tanhf(float x) { return 2.0f / (1.0f + fast_expf(-2.0f * x)) - 1.0f; }

static inline void sigmoid_inplace(float *restrict x, long n)
{
    for (long i = 0; i < n; i++) x[i] = sigmoid(x[i]);
}

static inline void tanh_inplace(float *restrict x, long n)
{
    for (long i = 0; i < n; i++) x[i] = fast_tanhf(x[i]);
}

/* Row reductions keep ROW_LANES partial results, which the compiler holds in vector
 * registers; one accumulator would force the additions into a serial chain. */
#define ROW_LANES 16

static inline float row_max(const float *x, int n)
{
    float m[ROW_LANES];
    for (int j = 0; j < ROW_LANES; j++) m[j] = -INFINITY;
    int i = 0;
    for (; i + ROW_LANES <= n; i += ROW_LANES)
        for (int j = 0; j < ROW_LANES; j++) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
    for (; i < n; i++) m[0] = x[i] > m[0] ? x[i] : m[0];
    float best = m[0];
    for (int j = 1; j < ROW_LANES; j++) best = m[j] > best ? m[j] : best;
    return best;
}

static inline double row_sum(const float *x, int n)
{
    float part[ROW_LANES] = {0};
    int i = 0;
    for (; i + ROW_LANES <= n; i += ROW_LANES)
        for (int j = 0; j < ROW_LANES; j++) part[j] += x[i + j];
    double sum = 0;
    for (; i < n; i++) sum += x[i];
    for (int j = 0; j < ROW_LANES; j++) sum += part[j];
    return sum;
}

/* log(sum_i exp(x[i])), computed stably around the row's maximum. */
static inline float log_sum_exp(const float *x, int n)
{
    float max = row_max(x, n), part[ROW_LANES] = {0};
    int i = 0;
    for (; i + ROW_LANES <= n; i += ROW_LANES)
        for (int j = 0; j < ROW_LANES; j++) part[j] += fast_expf(x[i + j] - max);
    for (; i < n; i++) part[0] += fast_expf(x[i] - max);
    double sum = 0;
    for (int j = 0; j < ROW_LANES; j++) sum += part[j];
    return max + (float)log(sum);
}

#endif
