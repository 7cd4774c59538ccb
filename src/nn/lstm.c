/* lstm: the LSTM cell, with the gates stacked as one 4H-wide product.
 *   [i f g o] = x_t Wx + h_{t-1} Wh + b;  i, f, o = sigmoid(.), g = tanh(.)
 *   c_t = f * c_{t-1} + i * g;            h_t = o * tanh(c_t)
 * Carries: h, c. Kept for backward: the activated gates, and tanh(c_t) in aux. */
#include <string.h>

#include "nn/activations.h"
#include "nn/cell.h"
#include "sys/blas.h"

/* Biases zero but the forget gate's, at 1: a new cell remembers by default. */
static void lstm_init_biases(cell_weights *w)
{
    memset(w->b, 0, 4 * (size_t)w->hidden * sizeof(float));
    for (int k = 0; k < w->hidden; k++) w->b[w->hidden + k] = 1.0f;
}

/* Activates the gate pre-activations of one row and updates the cell. */
static void cell_row(float *restrict g, const float *c_prev, float *c, float *restrict tanh_c,
                     float *restrict h, int H)
{
    sigmoid_inplace(g, 2 * H);          /* i, f */
    tanh_inplace(g + 2 * H, H);         /* g */
    sigmoid_inplace(g + 3 * H, H);      /* o */
    const float *i = g, *f = g + H, *gg = g + 2 * H, *o = g + 3 * H;
    for (int k = 0; k < H; k++) c[k] = f[k] * c_prev[k] + i[k] * gg[k];
    for (int k = 0; k < H; k++) tanh_c[k] = fast_tanhf(c[k]);
    for (int k = 0; k < H; k++) h[k] = o[k] * tanh_c[k];
}

/* Advances rows [0, B) by step t: rows past their length carry h and c unchanged.
 * tanh_c rows are tanh_stride apart (0: one scratch row). */
static void advance_rows(int B, int H, int t, const int *len, float *g, const float *h_prev,
                         const float *c_prev, float *h, float *c, float *tanh_c, size_t tanh_stride)
{
    int G = 4 * H;
    for (int b = 0; b < B; b++) {
        size_t r = (size_t)b * H;
        if (cell_step_is_real(len, t, b)) {
            cell_row(g + (size_t)b * G, c_prev + r, c + r, tanh_c + b * tanh_stride, h + r, H);
        } else {
            memcpy(h + r, h_prev + r, H * sizeof(float));
            if (c != c_prev) memcpy(c + r, c_prev + r, H * sizeof(float));
        }
    }
}

static void set_initial_state(cell_seq *s, const float *const *init)
{
    size_t n = (size_t)s->B * s->H;
    int slot = cell_prev_slot(s, s->reverse ? s->T - 1 : 0);
    for (int k = 0; k < 2; k++) cell_copy_carry(cell_slot(s, k, slot), init, k, n);
}

static void lstm_forward(const cell_weights *wq, cell_seq *s, const float *x, const float *const *init)
{
    cell_weights fw = cell_float_weights(wq);
    const cell_weights *w = &fw;
    int T = s->T, B = s->B, H = s->H, G = 4 * H;
    size_t n = (size_t)B * H;
    cell_input_projection(w, G, (long)T * B, x, s->gates);
    set_initial_state(s, init);
    for (int k = 0; k < T; k++) {
        int t = s->reverse ? T - 1 - k : k;
        const float *h_prev = cell_slot(s, 0, cell_prev_slot(s, t)), *c_prev = cell_slot(s, 1, cell_prev_slot(s, t));
        float *h = cell_slot(s, 0, cell_out_slot(s, t)), *c = cell_slot(s, 1, cell_out_slot(s, t));
        float *g = s->gates + (size_t)t * B * G;
        gemm(0, 0, B, G, H, 1, h_prev, H, w->wh, G, 1, g, G);
        advance_rows(B, H, t, s->len, g, h_prev, c_prev, h, c, s->aux + (size_t)t * n, H);
    }
}

/* Inference keeps one cell state, updated in place (a padded row keeps its cell, which is
 * all it needs), and one row of tanh(c) scratch after it. */
static void infer_advance(const cell_weights *w, int B, int t, const int *len, float *g,
                          const float *h_prev, float *h, float *scratch)
{
    int H = w->hidden, G = 4 * H;
    float *c = scratch, *tanh_c = c + (size_t)B * H;
    cell_recurrent_product(w, G, B, h_prev, g);
    advance_rows(B, H, t, len, g, h_prev, c, h, c, tanh_c, 0);
}

static size_t lstm_infer_floats(int B, int H)
{
    return cell_infer_walk_floats(4 * H, B, H) + (size_t)B * H + H;
}

static void lstm_infer(const cell_weights *w, int T, int B, int reverse, const int *len,
                       const float *x, float *out, float *const *final, float *work)
{
    int H = w->hidden;
    size_t n = (size_t)B * H;
    float *c = work + cell_infer_walk_floats(4 * H, B, H);
    memset(c, 0, n * sizeof *c);
    cell_infer_walk(w, 4 * H, T, B, reverse, len, x, out, infer_advance, c, work);
    memcpy(final[0], out + (size_t)(reverse ? 0 : T - 1) * n, n * sizeof(float));
    memcpy(final[1], c, n * sizeof(float));
}

static size_t lstm_backward_floats(int T, int B, int H)
{
    return (size_t)T * B * 4 * H + 2 * (size_t)B * H;
}

/* Gate gradients of one real step of one row; dc carries the cell gradient through. */
static void cell_backward_row(const float *g, const float *c_prev, const float *tanh_c,
                              const float *dh, float *dc, float *dg, int H)
{
    const float *i = g, *f = g + H, *gg = g + 2 * H, *o = g + 3 * H;
    for (int k = 0; k < H; k++) {
        float dck = dc[k] + dh[k] * o[k] * (1 - tanh_c[k] * tanh_c[k]);
        dg[k] = dck * gg[k] * i[k] * (1 - i[k]);
        dg[H + k] = dck * c_prev[k] * f[k] * (1 - f[k]);
        dg[2 * H + k] = dck * i[k] * (1 - gg[k] * gg[k]);
        dg[3 * H + k] = dh[k] * tanh_c[k] * o[k] * (1 - o[k]);
        dc[k] = dck * f[k];
    }
}

static void lstm_backward(const cell_weights *w, cell_weights *grad, const cell_seq *s,
                          const float *x, const float *dh_out, const float *const *dfinal,
                          float *dx, float *const *dinit, float *work)
{
    int T = s->T, B = s->B, H = s->H, G = 4 * H;
    size_t n = (size_t)B * H;
    float *dgates = work, *dh = dgates + (size_t)T * B * G, *dc = dh + n;
    cell_copy_carry(dh, dfinal, 0, n);
    cell_copy_carry(dc, dfinal, 1, n);
    for (int k = 0; k < T; k++) {
        int t = cell_backward_time(s, k);
        float *dg = dgates + (size_t)t * B * G;
        const float *c_prev = cell_slot(s, 1, cell_prev_slot(s, t));
        cell_add_output_gradient(dh, dh_out, t, n);
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)b * H;
            if (cell_step_is_real(s->len, t, b))
                cell_backward_row(s->gates + ((size_t)t * B + b) * G, c_prev + r,
                                  s->aux + (size_t)t * n + r, dh + r, dc + r, dg + (size_t)b * G, H);
            else
                memset(dg + (size_t)b * G, 0, G * sizeof(float));
        }
        /* dh_prev = dg Wh^T on real rows; padded rows pass dh through unchanged. */
        for (int b = 0; b < B; b++)
            if (cell_step_is_real(s->len, t, b)) memset(dh + (size_t)b * H, 0, H * sizeof(float));
        gemm(0, 1, B, H, G, 1, dg, G, w->wh, G, 1, dh, H);
    }
    if (dinit && dinit[0]) for (size_t r = 0; r < n; r++) dinit[0][r] += dh[r];
    if (dinit && dinit[1]) for (size_t r = 0; r < n; r++) dinit[1][r] += dc[r];
    /* Weight gradients over all steps at once; the two products share the gates' gradient. */
    cell_recurrent_weights_backward(s, grad, G, dgates);
    cell_input_projection_backward(w, grad, G, (long)T * B, x, dgates, dx);
}

static size_t lstm_step_floats(int R, int in, int H)
{
    return (size_t)R * (4 * (size_t)H + in + H);
}

static void lstm_step(const cell_weights *w, int R, const float *x, float *const *state, float *work)
{
    int H = w->hidden, G = 4 * H, in = w->in;
    float *g = work, *xh = work + (size_t)R * G, *h = state[0], *c = state[1];
    if (!w->qx && w->wh == w->wx + (size_t)in * G) {
        /* Wh follows Wx in memory, so [x h] [Wx; Wh] is one product instead of two (int8
         * models keep them apart: x and h are quantized with scales of their own). */
        for (int r = 0; r < R; r++) memcpy(g + (size_t)r * G, w->b, G * sizeof(float));
        for (int r = 0; r < R; r++) {
            memcpy(xh + (size_t)r * (in + H), x + (size_t)r * in, in * sizeof(float));
            memcpy(xh + (size_t)r * (in + H) + in, h + (size_t)r * H, H * sizeof(float));
        }
        gemm(0, 0, R, G, in + H, 1, xh, in + H, w->wx, G, 1, g, G);
    } else {
        cell_input_projection(w, G, R, x, g);
        cell_recurrent_product(w, G, R, h, g);
    }
    float tc[H];
    for (int r = 0; r < R; r++)
        cell_row(g + (size_t)r * G, c + (size_t)r * H, c + (size_t)r * H, tc, h + (size_t)r * H, H);
}

const cell_ops lstm_cell = {
    .name = "lstm", .gates = 4, .carries = 2, .recurrent_bias = 0,
    .init_biases = lstm_init_biases,
    .forward = lstm_forward,
    .backward_floats = lstm_backward_floats, .backward = lstm_backward,
    .infer_floats = lstm_infer_floats, .infer = lstm_infer,
    .step_floats = lstm_step_floats, .step = lstm_step,
};
