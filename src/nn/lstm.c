#include "nn/lstm.h"

#include <string.h>

#include "nn/activations.h"
#include "sys/blas.h"

/* Inference computes the input projection this many time steps at a time: large enough
 * for an efficient product, small enough not to hold every step's gates. */
#define INFER_BLOCK 4

size_t lstm_state_floats(int T, int B, int H)
{
    return (size_t)B * H * (2 * (size_t)(T + 1) + 4 * (size_t)T + T);
}

void lstm_state_init(lstm_state *s, float *mem, int T, int B, int H, int reverse, const int *len)
{
    size_t slots = (size_t)(T + 1) * B * H;
    s->T = T; s->B = B; s->H = H; s->reverse = reverse; s->len = len;
    s->h = mem;
    s->c = s->h + slots;
    s->gates = s->c + slots;
    s->tanh_c = s->gates + (size_t)T * B * 4 * H;
}

/* Step t of row b is real, not padding past the row's length (len NULL: all are real). */
static int is_real_step(const int *len, int t, int b) { return !len || t < len[b]; }
static int step_is_real(const lstm_state *s, int t, int b) { return is_real_step(s->len, t, b); }

/* Activates the gate pre-activations of one row and updates the cell. */
static void lstm_cell_row(float *restrict g, const float *c_prev, float *c, float *restrict tanh_c,
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
        if (is_real_step(len, t, b)) {
            lstm_cell_row(g + (size_t)b * G, c_prev + r, c + r, tanh_c + b * tanh_stride, h + r, H);
        } else {
            memcpy(h + r, h_prev + r, H * sizeof(float));
            if (c != c_prev) memcpy(c + r, c_prev + r, H * sizeof(float));
        }
    }
}

/* gates[r] = b + x[r] Wx for `rows` rows: the input projection of many steps in one product. */
static void input_projection(const lstm_weights *w, long rows, const float *x, float *gates)
{
    int G = 4 * w->hidden;
    for (long r = 0; r < rows; r++) memcpy(gates + r * G, w->b, G * sizeof(float));
    gemm(0, 0, (int)rows, G, w->in, 1, x, w->in, w->wx, G, 1, gates, G);
}

static void set_initial_state(lstm_state *s, const float *h0, const float *c0)
{
    size_t n = (size_t)s->B * s->H;
    float *h = s->h + (size_t)lstm_prev_slot(s, s->reverse ? s->T - 1 : 0) * n;
    float *c = s->c + (size_t)lstm_prev_slot(s, s->reverse ? s->T - 1 : 0) * n;
    if (h0) memcpy(h, h0, n * sizeof *h); else memset(h, 0, n * sizeof *h);
    if (c0) memcpy(c, c0, n * sizeof *c); else memset(c, 0, n * sizeof *c);
}

void lstm_forward(const lstm_weights *w, lstm_state *s, const float *x, const float *h0,
                  const float *c0)
{
    int T = s->T, B = s->B, H = s->H, G = 4 * H;
    size_t n = (size_t)B * H;
    /* The input projection of every step at once: one large product. */
    input_projection(w, (long)T * B, x, s->gates);
    set_initial_state(s, h0, c0);
    for (int k = 0; k < T; k++) {
        int t = s->reverse ? T - 1 - k : k;
        const float *h_prev = s->h + lstm_prev_slot(s, t) * n, *c_prev = s->c + lstm_prev_slot(s, t) * n;
        float *h = s->h + lstm_out_slot(s, t) * n, *c = s->c + lstm_out_slot(s, t) * n;
        float *g = s->gates + (size_t)t * B * G;
        gemm(0, 0, B, G, H, 1, h_prev, H, w->wh, G, 1, g, G);
        advance_rows(B, H, t, s->len, g, h_prev, c_prev, h, c, s->tanh_c + (size_t)t * n, H);
    }
}

size_t lstm_infer_floats(int B, int H)
{
    return (size_t)B * H * (4 * INFER_BLOCK + 2) + H;
}

void lstm_infer(const lstm_weights *w, int T, int B, int reverse, const int *len, const float *x,
                float *out, float *final_h, float *final_c, float *work)
{
    int H = w->hidden, G = 4 * H;
    size_t n = (size_t)B * H;
    float *gates = work, *c = gates + INFER_BLOCK * n * 4, *h0 = c + n, *tanh_c = h0 + n;
    memset(c, 0, n * sizeof *c);
    memset(h0, 0, n * sizeof *h0);
    for (int k0 = 0; k0 < T; k0 += INFER_BLOCK) {
        int steps = T - k0 < INFER_BLOCK ? T - k0 : INFER_BLOCK;
        int first = reverse ? T - k0 - steps : k0; /* the block holds times [first, first + steps) */
        input_projection(w, (long)steps * B, x + (size_t)first * B * w->in, gates);
        for (int k = k0; k < k0 + steps; k++) {
            int t = reverse ? T - 1 - k : k;
            const float *h_prev = k == 0 ? h0 : out + (size_t)(reverse ? t + 1 : t - 1) * n;
            float *g = gates + (size_t)(t - first) * B * G;
            gemm(0, 0, B, G, H, 1, h_prev, H, w->wh, G, 1, g, G);
            /* c is updated in place: a padded row keeps its cell, which is all it needs */
            advance_rows(B, H, t, len, g, h_prev, c, out + (size_t)t * n, c, tanh_c, 0);
        }
    }
    memcpy(final_h, out + (size_t)(reverse ? 0 : T - 1) * n, n * sizeof *final_h);
    memcpy(final_c, c, n * sizeof *final_c);
}

size_t lstm_backward_floats(int T, int B, int H)
{
    return (size_t)T * B * 4 * H + 2 * (size_t)B * H;
}

/* Gate gradients of one real step of one row; dc carries the cell gradient through. */
static void lstm_cell_backward_row(const float *g, const float *c_prev, const float *tanh_c,
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

void lstm_backward(const lstm_weights *w, lstm_weights *grad, const lstm_state *s,
                   const float *x, const float *dh_out, const float *dh_final,
                   const float *dc_final, float *dx, float *dh0, float *dc0, float *work)
{
    int T = s->T, B = s->B, H = s->H, G = 4 * H;
    size_t n = (size_t)B * H;
    float *dgates = work, *dh = dgates + (size_t)T * B * G, *dc = dh + n;
    if (dh_final) memcpy(dh, dh_final, n * sizeof *dh); else memset(dh, 0, n * sizeof *dh);
    if (dc_final) memcpy(dc, dc_final, n * sizeof *dc); else memset(dc, 0, n * sizeof *dc);
    for (int k = 0; k < T; k++) {
        int t = s->reverse ? k : T - 1 - k;
        float *dg = dgates + (size_t)t * B * G;
        const float *c_prev = s->c + lstm_prev_slot(s, t) * n;
        if (dh_out)
            for (size_t r = 0; r < n; r++) dh[r] += dh_out[(size_t)t * n + r];
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)b * H;
            if (step_is_real(s, t, b))
                lstm_cell_backward_row(s->gates + ((size_t)t * B + b) * G, c_prev + r,
                                       s->tanh_c + (size_t)t * n + r, dh + r, dc + r, dg + (size_t)b * G, H);
            else
                memset(dg + (size_t)b * G, 0, G * sizeof(float));
        }
        /* dh_prev = dg Wh^T on real rows; padded rows pass dh through unchanged. */
        for (int b = 0; b < B; b++)
            if (step_is_real(s, t, b)) memset(dh + (size_t)b * H, 0, H * sizeof(float));
        gemm(0, 1, B, H, G, 1, dg, G, w->wh, G, 1, dh, H);
    }
    if (dh0) for (size_t r = 0; r < n; r++) dh0[r] += dh[r];
    if (dc0) for (size_t r = 0; r < n; r++) dc0[r] += dc[r];
    /* Weight gradients over all steps at once. Previous states of all steps are contiguous. */
    const float *h_prev_all = s->h + (size_t)lstm_prev_slot(s, 0) * n;
    gemm(1, 0, H, G, T * B, 1, h_prev_all, H, dgates, G, 1, grad->wh, G);
    gemm(1, 0, w->in, G, T * B, 1, x, w->in, dgates, G, 1, grad->wx, G);
    for (long r = 0; r < (long)T * B; r++)
        for (int j = 0; j < G; j++) grad->b[j] += dgates[r * G + j];
    if (dx) gemm(0, 1, T * B, w->in, G, 1, dgates, G, w->wx, G, 1, dx, w->in);
}

size_t lstm_step_floats(int R, int in, int H)
{
    return (size_t)R * (4 * (size_t)H + in + H);
}

void lstm_step(const lstm_weights *w, int R, const float *x, float *h, float *c, float *work)
{
    int H = w->hidden, G = 4 * H, in = w->in;
    float *g = work, *xh = work + (size_t)R * G;
    for (int r = 0; r < R; r++) memcpy(g + (size_t)r * G, w->b, G * sizeof(float));
    if (w->wh == w->wx + (size_t)in * G) {
        /* Wh follows Wx in memory, so [x h] [Wx; Wh] is one product instead of two. */
        for (int r = 0; r < R; r++) {
            memcpy(xh + (size_t)r * (in + H), x + (size_t)r * in, in * sizeof(float));
            memcpy(xh + (size_t)r * (in + H) + in, h + (size_t)r * H, H * sizeof(float));
        }
        gemm(0, 0, R, G, in + H, 1, xh, in + H, w->wx, G, 1, g, G);
    } else {
        gemm(0, 0, R, G, in, 1, x, in, w->wx, G, 1, g, G);
        gemm(0, 0, R, G, H, 1, h, H, w->wh, G, 1, g, G);
    }
    float tc[H];
    for (int r = 0; r < R; r++)
        lstm_cell_row(g + (size_t)r * G, c + (size_t)r * H, c + (size_t)r * H, tc, h + (size_t)r * H, H);
}
