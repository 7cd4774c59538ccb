#include "nn/cell.h"

#include <string.h>

#include "sys/blas.h"

extern const cell_ops lstm_cell, gru_cell;

/* The cell kinds, indexed by cell_kind: a new kind is a file and a line here. */
static const cell_ops *const kinds[] = {[CELL_LSTM] = &lstm_cell, [CELL_GRU] = &gru_cell};
enum { KINDS = sizeof kinds / sizeof kinds[0] };

const cell_ops *cell_of(int kind) { return kind >= 0 && kind < KINDS ? kinds[kind] : NULL; }

int cell_kind_named(const char *name)
{
    for (int k = 0; k < KINDS; k++)
        if (!strcmp(kinds[k]->name, name)) return k;
    return -1;
}

const char *cell_names(void)
{
    static char names[64];
    if (!names[0])
        for (int k = 0; k < KINDS; k++) {
            if (k) strcat(names, "|");
            strcat(names, kinds[k]->name);
        }
    return names;
}

size_t cell_weight_floats(const cell_ops *c, int in, int H)
{
    size_t G = (size_t)c->gates * H;
    return ((size_t)in + H) * G + G * (c->recurrent_bias ? 2 : 1);
}

size_t cell_seq_floats(const cell_ops *c, int T, int B, int H)
{
    size_t n = (size_t)B * H;
    return n * ((size_t)c->carries * (T + 1) + (size_t)T * c->gates + T);
}

void cell_seq_init(const cell_ops *c, cell_seq *s, float *mem, int T, int B, int H, int reverse,
                   const int *len)
{
    size_t slots = (size_t)(T + 1) * B * H;
    memset(s, 0, sizeof *s);
    s->T = T; s->B = B; s->H = H; s->reverse = reverse; s->len = len;
    for (int k = 0; k < c->carries; k++) s->carry[k] = mem + k * slots;
    s->gates = mem + c->carries * slots;
    s->aux = s->gates + (size_t)T * B * c->gates * H;
}

void cell_input_projection(const cell_weights *w, int G, long rows, const float *x, float *gates)
{
    if (w->qx) {
        qgemm((int)rows, x, w->in, w->qx, w->b, 0, gates, G);
        return;
    }
    for (long r = 0; r < rows; r++) memcpy(gates + r * G, w->b, G * sizeof(float));
    gemm(0, 0, (int)rows, G, w->in, 1, x, w->in, w->wx, G, 1, gates, G);
}

void cell_recurrent_product(const cell_weights *w, int G, int rows, const float *h, float *g)
{
    if (w->qh) qgemm(rows, h, w->hidden, w->qh, NULL, 1, g, G);
    else gemm(0, 0, rows, G, w->hidden, 1, h, w->hidden, w->wh, G, 1, g, G);
}

static void add_bias_gradient(float *db, const float *dg, long rows, int G)
{
    for (long r = 0; r < rows; r++)
        for (int j = 0; j < G; j++) db[j] += dg[r * G + j];
}

void cell_input_projection_backward(const cell_weights *w, cell_weights *grad, int G, long rows,
                                    const float *x, const float *dg, float *dx)
{
    gemm(1, 0, w->in, G, (int)rows, 1, x, w->in, dg, G, 1, grad->wx, G);
    add_bias_gradient(grad->b, dg, rows, G);
    if (dx) gemm(0, 1, (int)rows, w->in, G, 1, dg, G, w->wx, G, 1, dx, w->in);
}

void cell_recurrent_weights_backward(const cell_seq *s, cell_weights *grad, int G, const float *dg)
{
    int rows = s->T * s->B;
    gemm(1, 0, s->H, G, rows, 1, cell_slot(s, 0, cell_prev_slot(s, 0)), s->H, dg, G, 1, grad->wh, G);
    if (grad->bh) add_bias_gradient(grad->bh, dg, rows, G);
}

size_t cell_infer_walk_floats(int G, int B, int H)
{
    return (size_t)CELL_INFER_STEPS * B * G + (size_t)B * H;
}

void cell_infer_walk(const cell_weights *w, int G, int T, int B, int reverse, const int *len,
                     const float *x, float *out, cell_advance advance, float *scratch, float *work)
{
    size_t n = (size_t)B * w->hidden;
    float *gates = work, *h0 = gates + (size_t)CELL_INFER_STEPS * B * G;
    memset(h0, 0, n * sizeof *h0);
    for (int k0 = 0; k0 < T; k0 += CELL_INFER_STEPS) {
        int steps = T - k0 < CELL_INFER_STEPS ? T - k0 : CELL_INFER_STEPS;
        int first = reverse ? T - k0 - steps : k0; /* the block holds times [first, first + steps) */
        cell_input_projection(w, G, (long)steps * B, x + (size_t)first * B * w->in, gates);
        for (int k = k0; k < k0 + steps; k++) {
            int t = reverse ? T - 1 - k : k;
            const float *h_prev = k == 0 ? h0 : out + (size_t)(reverse ? t + 1 : t - 1) * n;
            advance(w, B, t, len, gates + (size_t)(t - first) * B * G, h_prev, out + (size_t)t * n, scratch);
        }
    }
}
