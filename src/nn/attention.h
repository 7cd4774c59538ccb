/* attention: Luong "general" attention and the tanh combination layer.
 *   score(h_t, s_j) = h_t . k_j  with k_j = Wa s_j (the keys, computed once per batch)
 *   a_t = softmax_j(score), padding masked;  ctx_t = sum_j a_tj s_j
 *   ht~ = tanh([ctx_t; h_t] Wc)   (Wc: [2H x H]; rows 0..H-1 take ctx, H..2H-1 take h)
 * Layout: encoder states enc [S][B][H], decoder states dec [T][B][H] (time-major, as the
 * LSTM writes them); attention weights [B][T][S]. */
#ifndef SEQTRANS_ATTENTION_H
#define SEQTRANS_ATTENTION_H
#include <stddef.h>

typedef struct {
    int S, T, B, H;
    const int *src_len; /* [B] */
    float *keys;        /* [S][B][H] */
    float *weights;     /* [B][T][S] */
    float *ctx;         /* [T][B][H] */
    float *out;         /* [T][B][H]: ht~ */
} attention_state;

size_t attention_state_floats(int S, int T, int B, int H);
void attention_state_init(attention_state *a, float *mem, int S, int T, int B, int H, const int *src_len);

/* keys = enc Wa^T for every source position (wa: [H x H]). */
void attention_keys(const float *wa, const float *enc, int rows, int H, float *keys);

/* Keys, scores, masked softmax, context and combination for all target steps of the batch. */
void attention_forward(const float *wa, const float *wc, attention_state *a, const float *enc,
                       const float *dec);

/* Adds gradients into dwa, dwc, denc [S][B][H] and ddec [T][B][H], given dout [T][B][H]
 * (the gradient of ht~). work: attention_backward_floats() floats. */
size_t attention_backward_floats(int S, int T, int B, int H);
void attention_backward(const float *wa, const float *wc, const attention_state *a,
                        const float *enc, const float *dec, const float *dout, float *dwa,
                        float *dwc, float *denc, float *ddec, float *work);

/* Softmax over scores[0..S) with positions >= len masked out, in place. */
void masked_softmax(float *scores, int S, int len);

#endif
