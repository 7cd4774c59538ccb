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
    for (long r = 0; r < rows; r++) memcpy(gates + r * G, w->b, G * sizeof(float));
    gemm(0, 0, (int)rows, G, w->in, 1, x, w->in, w->wx, G, 1, gates, G);
}
