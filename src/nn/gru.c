/* gru: the GRU cell, as PyTorch's nn.GRU computes it (gates r, z, n stacked, 3H wide):
 *   r = sigmoid(x Wx_r + b_r + h Wh_r + bh_r)       z = sigmoid(x Wx_z + b_z + h Wh_z + bh_z)
 *   n = tanh(x Wx_n + b_n + r * (h Wh_n + bh_n))    h' = (1 - z) * n + z * h
 * The reset gate scales the recurrent product *with* its bias, which is why this cell has a
 * bias on each product. Carry: h. Kept for backward: the activated r, z, n in the gates, and
 * the recurrent candidate h Wh_n + bh_n in aux. */
#include <string.h>

#include "nn/activations.h"
#include "nn/cell.h"
#include "sys/blas.h"

static void gru_init_biases(cell_weights *w)
{
    memset(w->b, 0, 3 * (size_t)w->hidden * sizeof(float));
    memset(w->bh, 0, 3 * (size_t)w->hidden * sizeof(float));
}

/* int8 models: the whole recurrent product bh + h Wh in one int8 product into hh ([B][3H]),
 * then split as add_recurrent does. */
static void add_recurrent_int8(const cell_weights *w, int B, const float *h, float *g, float *hn,
                               float *hh)
{
    int H = w->hidden, G = 3 * H;
    qgemm(B, h, H, w->qh, w->bh, 0, hh, G);
    for (int b = 0; b < B; b++) {
        float *row = g + (size_t)b * G;
        const float *rec = hh + (size_t)b * G;
        for (int j = 0; j < 2 * H; j++) row[j] += rec[j];
        memcpy(hn + (size_t)b * H, rec + 2 * H, H * sizeof(float));
    }
}

/* The recurrent product of rows [0, B) added in: r and z columns of g ([B][3H], which holds
 * the input projection) get bh + h Wh; hn ([B][H]) gets the candidate's bh_n + h Wh_n.
 * hh: [B][3H] scratch for int8 models (unused otherwise). */
static void add_recurrent(const cell_weights *w, int B, const float *h, float *g, float *hn, float *hh)
{
    int H = w->hidden, G = 3 * H;
    if (w->qh) {
        add_recurrent_int8(w, B, h, g, hn, hh);
        return;
    }
    for (int b = 0; b < B; b++) {
        float *row = g + (size_t)b * G;
        for (int j = 0; j < 2 * H; j++) row[j] += w->bh[j];
        memcpy(hn + (size_t)b * H, w->bh + 2 * H, H * sizeof(float));
    }
    gemm(0, 0, B, 2 * H, H, 1, h, H, w->wh, G, 1, g, G);
    gemm(0, 0, B, H, H, 1, h, H, w->wh + 2 * H, G, 1, hn, H);
}

/* Activates one row's gates in place and writes the new state. */
static void gru_row(float *restrict g, const float *restrict hn, const float *h_prev,
                    float *h, int H)
{
    sigmoid_inplace(g, 2 * H); /* r, z */
    const float *r = g, *z = g + H;
    float *n = g + 2 * H;
    for (int k = 0; k < H; k++) n[k] += r[k] * hn[k];
    tanh_inplace(n, H);
    for (int k = 0; k < H; k++) h[k] = (1 - z[k]) * n[k] + z[k] * h_prev[k];
}

/* Rows past their length carry h unchanged. */
static void advance_rows(int B, int H, int t, const int *len, float *g, const float *hn,
                         const float *h_prev, float *h)
{
    for (int b = 0; b < B; b++) {
        size_t r = (size_t)b * H;
        if (cell_step_is_real(len, t, b)) gru_row(g + 3 * r, hn + r, h_prev + r, h + r, H);
        else memcpy(h + r, h_prev + r, H * sizeof(float));
    }
}

static void gru_forward(const cell_weights *wq, cell_seq *s, const float *x, const float *const *init)
{
    cell_weights fw = cell_float_weights(wq);
    const cell_weights *w = &fw;
    int T = s->T, B = s->B, H = s->H, G = 3 * H;
    size_t n = (size_t)B * H;
    cell_input_projection(w, G, (long)T * B, x, s->gates);
    cell_copy_carry(cell_slot(s, 0, cell_prev_slot(s, s->reverse ? T - 1 : 0)), init, 0, n);
    for (int k = 0; k < T; k++) {
        int t = s->reverse ? T - 1 - k : k;
        const float *h_prev = cell_slot(s, 0, cell_prev_slot(s, t));
        float *g = s->gates + (size_t)t * B * G, *hn = s->aux + (size_t)t * n;
        add_recurrent(w, B, h_prev, g, hn, NULL);
        advance_rows(B, H, t, s->len, g, hn, h_prev, cell_slot(s, 0, cell_out_slot(s, t)));
    }
}

/* Inference needs the recurrent candidate ([B][H]) and add_recurrent's [B][3H] as scratch. */
static void infer_advance(const cell_weights *w, int B, int t, const int *len, float *g,
                          const float *h_prev, float *h, float *hn)
{
    add_recurrent(w, B, h_prev, g, hn, hn + (size_t)B * w->hidden);
    advance_rows(B, w->hidden, t, len, g, hn, h_prev, h);
}

static size_t gru_infer_floats(int B, int H)
{
    return cell_infer_walk_floats(3 * H, B, H) + (size_t)B * 4 * H;
}

static void gru_infer(const cell_weights *w, int T, int B, int reverse, const int *len,
                      const float *x, float *out, float *const *final, float *work)
{
    int H = w->hidden;
    size_t n = (size_t)B * H;
    cell_infer_walk(w, 3 * H, T, B, reverse, len, x, out, infer_advance,
                    work + cell_infer_walk_floats(3 * H, B, H), work);
    memcpy(final[0], out + (size_t)(reverse ? 0 : T - 1) * n, n * sizeof(float));
}

static size_t gru_backward_floats(int T, int B, int H)
{
    return (size_t)T * B * 3 * H + (size_t)B * 3 * H + (size_t)B * H;
}

/* One real step of one row. From dh, the gradient of h': the gradients of the input
 * projection's pre-activations (dgx) and of the recurrent product's (dgh, which differ in the
 * candidate, scaled there by r); dh becomes the direct part of the gradient of h. */
static void gru_backward_row(const float *g, const float *hn, const float *h_prev, float *dh,
                             float *dgx, float *dgh, int H)
{
    const float *r = g, *z = g + H, *n = g + 2 * H;
    for (int k = 0; k < H; k++) {
        float dn = dh[k] * (1 - z[k]) * (1 - n[k] * n[k]);
        float dz = dh[k] * (h_prev[k] - n[k]) * z[k] * (1 - z[k]);
        float dr = dn * hn[k] * r[k] * (1 - r[k]);
        dgx[k] = dgh[k] = dr;
        dgx[H + k] = dgh[H + k] = dz;
        dgx[2 * H + k] = dn;
        dgh[2 * H + k] = dn * r[k];
        dh[k] *= z[k];
    }
}

static void gru_backward(const cell_weights *w, cell_weights *grad, const cell_seq *s,
                         const float *x, const float *dh_out, const float *const *dfinal,
                         float *dx, float *const *dinit, float *work)
{
    int T = s->T, B = s->B, H = s->H, G = 3 * H;
    size_t n = (size_t)B * H;
    long rows = (long)T * B;
    float *dgates = work, *dgh = dgates + (size_t)rows * G, *dh = dgh + (size_t)B * G;
    cell_copy_carry(dh, dfinal, 0, n);
    for (int k = 0; k < T; k++) {
        int t = cell_backward_time(s, k);
        float *dg = dgates + (size_t)t * B * G;
        const float *h_prev = cell_slot(s, 0, cell_prev_slot(s, t));
        cell_add_output_gradient(dh, dh_out, t, n);
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)b * H;
            if (cell_step_is_real(s->len, t, b)) {
                gru_backward_row(s->gates + ((size_t)t * B + b) * G, s->aux + (size_t)t * n + r,
                                 h_prev + r, dh + r, dg + 3 * r, dgh + 3 * r, H);
            } else { /* padding: dh passes through, nothing flows into the products */
                memset(dg + 3 * r, 0, G * sizeof(float));
                memset(dgh + 3 * r, 0, G * sizeof(float));
            }
        }
        gemm(0, 1, B, H, G, 1, dgh, G, w->wh, G, 1, dh, H);
    }
    if (dinit && dinit[0]) for (size_t r = 0; r < n; r++) dinit[0][r] += dh[r];
    /* The input product's gradients over all steps at once, then, with the candidate's
     * columns scaled by r, the recurrent product's. */
    cell_input_projection_backward(w, grad, G, rows, x, dgates, dx);
    for (long r = 0; r < rows; r++)
        for (int k = 0; k < H; k++) dgates[r * G + 2 * H + k] *= s->gates[r * G + k];
    cell_recurrent_weights_backward(s, grad, G, dgates);
}

static size_t gru_step_floats(int R, int in, int H)
{
    (void)in;
    return (size_t)R * 7 * H;
}

static void gru_step(const cell_weights *w, int R, const float *x, float *const *state, float *work)
{
    int H = w->hidden, G = 3 * H;
    float *g = work, *hn = work + (size_t)R * G, *h = state[0];
    cell_input_projection(w, G, R, x, g);
    add_recurrent(w, R, h, g, hn, hn + (size_t)R * H);
    for (int r = 0; r < R; r++) {
        size_t o = (size_t)r * H;
        gru_row(g + 3 * o, hn + o, h + o, h + o, H);
    }
}

const cell_ops gru_cell = {
    .name = "gru", .gates = 3, .carries = 1, .recurrent_bias = 1,
    .init_biases = gru_init_biases,
    .forward = gru_forward,
    .backward_floats = gru_backward_floats, .backward = gru_backward,
    .infer_floats = gru_infer_floats, .infer = gru_infer,
    .step_floats = gru_step_floats, .step = gru_step,
};
