#include "nn/attention.h"

#include <math.h>
#include <string.h>

#include "nn/activations.h"
#include "sys/blas.h"

size_t attention_state_floats(int S, int T, int B, int H)
{
    return (size_t)S * B * H + (size_t)B * T * S + 2 * (size_t)T * B * H;
}

void attention_state_init(attention_state *a, float *mem, int S, int T, int B, int H, const int *src_len)
{
    a->S = S; a->T = T; a->B = B; a->H = H; a->src_len = src_len;
    a->keys = mem;
    a->weights = a->keys + (size_t)S * B * H;
    a->ctx = a->weights + (size_t)B * T * S;
    a->out = a->ctx + (size_t)T * B * H;
}

void attention_keys(const float *wa, const float *enc, int rows, int H, float *keys)
{
    gemm(0, 1, rows, H, H, 1, enc, H, wa, H, 0, keys, H);
}

void masked_softmax(float *x, int S, int len)
{
    float max = -INFINITY, sum = 0;
    for (int j = 0; j < len; j++) max = x[j] > max ? x[j] : max;
    for (int j = 0; j < len; j++) sum += (x[j] = fast_expf(x[j] - max));
    for (int j = 0; j < len; j++) x[j] /= sum;
    for (int j = len; j < S; j++) x[j] = 0;
}

/* Combination ht~ = tanh(ctx Wc[0:H] + dec Wc[H:2H]) over n rows. */
static void combine_forward(const float *wc, const float *ctx, const float *dec, float *out, int n, int H)
{
    gemm(0, 0, n, H, H, 1, ctx, H, wc, H, 0, out, H);
    gemm(0, 0, n, H, H, 1, dec, H, wc + (size_t)H * H, H, 1, out, H);
    tanh_inplace(out, (long)n * H);
}

void attention_forward(const float *wa, const float *wc, attention_state *a, const float *enc,
                       const float *dec)
{
    int S = a->S, T = a->T, B = a->B, H = a->H, ld = B * H;
    attention_keys(wa, enc, S * B, H, a->keys);
    for (int b = 0; b < B; b++) {
        float *w = a->weights + (size_t)b * T * S;
        /* scores_b [T x S] = dec_b [T x H] keys_b^T; rows of one sentence are B*H apart */
        gemm(0, 1, T, S, H, 1, dec + (size_t)b * H, ld, a->keys + (size_t)b * H, ld, 0, w, S);
        for (int t = 0; t < T; t++) masked_softmax(w + (size_t)t * S, S, a->src_len[b]);
        gemm(0, 0, T, H, S, 1, w, S, enc + (size_t)b * H, ld, 0, a->ctx + (size_t)b * H, ld);
    }
    combine_forward(wc, a->ctx, dec, a->out, T * B, H);
}

size_t attention_backward_floats(int S, int T, int B, int H)
{
    return 2 * (size_t)T * B * H + (size_t)T * S + (size_t)S * B * H;
}

void attention_backward(const float *wa, const float *wc, const attention_state *a,
                        const float *enc, const float *dec, const float *dout, float *dwa,
                        float *dwc, float *denc, float *ddec, float *work)
{
    int S = a->S, T = a->T, B = a->B, H = a->H, ld = B * H, n = T * B;
    float *dpre = work, *dctx = dpre + (size_t)n * H, *dscore = dctx + (size_t)n * H;
    float *dkeys = dscore + (size_t)T * S;
    for (long i = 0; i < (long)n * H; i++) dpre[i] = dout[i] * (1 - a->out[i] * a->out[i]);
    gemm(1, 0, H, H, n, 1, a->ctx, H, dpre, H, 1, dwc, H);
    gemm(1, 0, H, H, n, 1, dec, H, dpre, H, 1, dwc + (size_t)H * H, H);
    gemm(0, 1, n, H, H, 1, dpre, H, wc, H, 0, dctx, H);
    gemm(0, 1, n, H, H, 1, dpre, H, wc + (size_t)H * H, H, 1, ddec, H);
    memset(dkeys, 0, (size_t)S * B * H * sizeof *dkeys);
    for (int b = 0; b < B; b++) {
        const float *w = a->weights + (size_t)b * T * S;
        const float *dctx_b = dctx + (size_t)b * H, *enc_b = enc + (size_t)b * H;
        /* dweights [T x S] = dctx_b enc_b^T;  denc_b += weights^T dctx_b */
        gemm(0, 1, T, S, H, 1, dctx_b, ld, enc_b, ld, 0, dscore, S);
        gemm(1, 0, S, H, T, 1, w, S, dctx_b, ld, 1, denc + (size_t)b * H, ld);
        for (int t = 0; t < T; t++) {
            float *d = dscore + (size_t)t * S, dot = 0;
            const float *p = w + (size_t)t * S;
            for (int j = 0; j < S; j++) dot += d[j] * p[j];
            for (int j = 0; j < S; j++) d[j] = p[j] * (d[j] - dot);
        }
        /* ddec_b += dscore keys_b;  dkeys_b = dscore^T dec_b */
        gemm(0, 0, T, H, S, 1, dscore, S, a->keys + (size_t)b * H, ld, 1, ddec + (size_t)b * H, ld);
        gemm(1, 0, S, H, T, 1, dscore, S, dec + (size_t)b * H, ld, 0, dkeys + (size_t)b * H, ld);
    }
    /* keys = enc Wa^T:  denc += dkeys Wa,  dWa += dkeys^T enc */
    gemm(0, 0, S * B, H, H, 1, dkeys, H, wa, H, 1, denc, H);
    gemm(1, 0, H, H, S * B, 1, dkeys, H, enc, H, 1, dwa, H);
}
