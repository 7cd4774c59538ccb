/* lstm: one LSTM layer over a whole padded batch of sequences, forward and backward.
 *   [i f g o] = x_t Wx + h_{t-1} Wh + b;  i, f, o = sigmoid(.), g = tanh(.)
 *   c_t = f * c_{t-1} + i * g;            h_t = o * tanh(c_t)
 * Layout is time-major: row (t, b) of a [T][B][n] buffer is at ((t * B) + b) * n.
 * Padding: where t >= len[b] the step is the identity (h and c carried unchanged), so a
 * forward layer ends holding each sequence's last real state, and a reverse layer starts
 * each sequence from the initial state at its last real token. */
#ifndef SEQTRANS_LSTM_H
#define SEQTRANS_LSTM_H
#include <stddef.h>

typedef struct {
    float *wx; /* [in x 4H] */
    float *wh; /* [H x 4H] */
    float *b;  /* [4H] */
    int in, hidden;
} lstm_weights;

/* Activations of one layer over one batch, kept for backward. The h and c buffers have
 * T + 1 slots of [B][H]: the initial state and one per step. A forward layer keeps the
 * initial state in slot 0 and step t in slot t + 1; a reverse layer keeps step t in slot t
 * and the initial state in slot T. Either way the outputs (one per step, in time order)
 * are slots [out_slot(0), out_slot(0) + T) and are contiguous. */
typedef struct {
    int T, B, H, reverse;
    const int *len; /* [B] sequence lengths, or NULL: all T */
    float *h;       /* [(T+1)][B][H] */
    float *c;       /* [(T+1)][B][H] */
    float *gates;   /* [T][B][4H]: x Wx + b, then in place the activated gates i f g o */
    float *tanh_c;  /* [T][B][H] */
} lstm_state;

static inline int lstm_out_slot(const lstm_state *s, int t) { return t + !s->reverse; }
static inline int lstm_prev_slot(const lstm_state *s, int t) { return t + s->reverse; }
static inline float *lstm_outputs(const lstm_state *s) { return s->h + (size_t)lstm_out_slot(s, 0) * s->B * s->H; }
static inline float *lstm_final_h(const lstm_state *s) { return s->h + (size_t)lstm_out_slot(s, s->reverse ? 0 : s->T - 1) * s->B * s->H; }
static inline float *lstm_final_c(const lstm_state *s) { return s->c + (size_t)lstm_out_slot(s, s->reverse ? 0 : s->T - 1) * s->B * s->H; }

/* Points the state's buffers into `mem` (lstm_state_floats(T, B, H) floats). */
size_t lstm_state_floats(int T, int B, int H);
void lstm_state_init(lstm_state *s, float *mem, int T, int B, int H, int reverse, const int *len);

/* x: [T][B][in]. h0, c0: [B][H] or NULL for zeros. */
void lstm_forward(const lstm_weights *w, lstm_state *s, const float *x, const float *h0,
                  const float *c0);

/* Gradients for the weights, x and the initial state; every output is *added* to.
 * dh_out: [T][B][H] gradient of the outputs (may be NULL); dh_final, dc_final: [B][H]
 * gradient of the final state (may be NULL); dx: [T][B][in] (may be NULL);
 * dh0, dc0: [B][H] (may be NULL). work: lstm_backward_floats(T, B, H) floats. */
size_t lstm_backward_floats(int T, int B, int H);
void lstm_backward(const lstm_weights *w, lstm_weights *grad, const lstm_state *s,
                   const float *x, const float *dh_out, const float *dh_final,
                   const float *dc_final, float *dx, float *dh0, float *dc0, float *work);

/* Forward for inference: keeps only the outputs and the final state, not what backward
 * needs. out: [T][B][H] (padded steps repeat the last real output); final_h, final_c:
 * [B][H]; work: lstm_infer_floats(B, H) floats. */
size_t lstm_infer_floats(int B, int H);
void lstm_infer(const lstm_weights *w, int T, int B, int reverse, const int *len, const float *x,
                float *out, float *final_h, float *final_c, float *work);

/* One step for decoding: rows independent, no padding. x: [R][in], h, c: [R][H] updated
 * in place. work: lstm_step_floats(R, in, H) floats. */
size_t lstm_step_floats(int R, int in, int H);
void lstm_step(const lstm_weights *w, int R, const float *x, float *h, float *c, float *work);

#endif
