/* cell: the recurrent cell of every encoder and decoder layer, behind one interface, so that
 * the encoder, the decoder's training path and the search never name a cell type. A cell
 * kind is one file (lstm.c, gru.c) exporting one cell_ops; cell.c holds the table of kinds.
 *
 * A cell keeps `carries` state vectors of H floats per row; carry 0 is h, the layer's
 * output (LSTM: h and c; GRU: h). Its gates are G = gates * H wide: the input product
 * x Wx + b of a whole sequence is one large product, only the recurrent product h Wh runs
 * per step.
 * Layout is time-major: row (t, b) of a [T][B][n] buffer is at ((t * B) + b) * n.
 * Padding: where t >= len[b] the step is the identity (every carry passes unchanged), so a
 * forward layer ends holding each sequence's last real state, and a reverse layer starts
 * each sequence from the initial state at its last real token. */
#ifndef SEQTRANS_CELL_H
#define SEQTRANS_CELL_H
#include <stddef.h>
#include <string.h>

#include "nn/qgemm.h"

typedef enum { CELL_LSTM, CELL_GRU } cell_kind;
#define CELL_MAX_CARRIES 2

typedef struct {
    float *wx; /* [in x G] */
    float *wh; /* [H x G] */
    float *b;  /* [G]: bias of the input product */
    float *bh; /* [G]: bias of the recurrent product, for cells that have one (else NULL) */
    int in, hidden;
    /* int8 models (nn/quant.h): Wx and Wh, which every translation product reads instead
     * of wx and wh (those are then NULL until quant_model_floats); else NULL */
    const qmatrix *qx, *qh;
} cell_weights;

/* Activations of one layer over one batch, kept for backward. Each carry has T + 1 slots of
 * [B][H]: the initial state and one per step. A forward layer keeps the initial state in
 * slot 0 and step t in slot t + 1; a reverse layer keeps step t in slot t and the initial
 * state in slot T. Either way the outputs (carry 0, one per step, in time order) are slots
 * [out_slot(0), out_slot(0) + T) and are contiguous. */
typedef struct {
    int T, B, H, reverse;
    const int *len;                  /* [B] sequence lengths, or NULL: all T */
    float *carry[CELL_MAX_CARRIES];  /* [(T+1)][B][H] each */
    float *gates;                    /* [T][B][G]: x Wx + b, then what the cell's backward needs */
    float *aux;                      /* [T][B][H]: one more per-step vector of the cell's */
} cell_seq;

/* A cell kind. Every function adds nothing to memory it was not given; buffers named work
 * are scratch of the size its *_floats function gives. */
typedef struct {
    const char *name;   /* as --cell spells it */
    int gates;          /* G / H */
    int carries;
    int recurrent_bias; /* the weights have bh */
    /* Biases of a freshly initialised layer (weights are already uniform random). */
    void (*init_biases)(cell_weights *w);
    /* Training, whole sequences. init: [carries] initial states [B][H], or NULL for zeros. */
    void (*forward)(const cell_weights *w, cell_seq *s, const float *x, const float *const *init);
    /* Gradients of the weights, x and the initial state; every output is *added* to.
     * dh_out: [T][B][H] gradient of the outputs (may be NULL); dfinal: [carries] gradients of
     * the final state (NULL, or entries NULL); dx: [T][B][in] (may be NULL); dinit: [carries]
     * (NULL, or entries NULL). */
    size_t (*backward_floats)(int T, int B, int H);
    void (*backward)(const cell_weights *w, cell_weights *grad, const cell_seq *s, const float *x,
                     const float *dh_out, const float *const *dfinal, float *dx, float *const *dinit,
                     float *work);
    /* Translation's encoder: only the outputs and the final state, from a zero state.
     * out: [T][B][H] (padded steps repeat the last real output); final: [carries] [B][H]. */
    size_t (*infer_floats)(int B, int H);
    void (*infer)(const cell_weights *w, int T, int B, int reverse, const int *len, const float *x,
                  float *out, float *const *final, float *work);
    /* One step of R independent rows, for the search: x [R][in]; state: [carries] [R][H],
     * updated in place. */
    size_t (*step_floats)(int R, int in, int H);
    void (*step)(const cell_weights *w, int R, const float *x, float *const *state, float *work);
} cell_ops;

/* The weights without their int8 views: training's forward (also eval's loss on an int8
 * model, over its dequantized floats) runs on floats only. */
static inline cell_weights cell_float_weights(const cell_weights *w)
{
    cell_weights f = *w;
    f.qx = f.qh = NULL;
    return f;
}

/* The kind's operations; NULL when kind is not one. */
const cell_ops *cell_of(int kind);
/* The kind called name ("lstm", "gru"), or -1. */
int cell_kind_named(const char *name);
/* The kinds' names joined by '|', for messages: "lstm|gru". */
const char *cell_names(void);

/* Floats of a layer's weights, and of its kept activations over a T x B batch. */
size_t cell_weight_floats(const cell_ops *c, int in, int H);
size_t cell_seq_floats(const cell_ops *c, int T, int B, int H);
/* Points the state's buffers into mem (cell_seq_floats floats). */
void cell_seq_init(const cell_ops *c, cell_seq *s, float *mem, int T, int B, int H, int reverse,
                   const int *len);

static inline int cell_out_slot(const cell_seq *s, int t) { return t + !s->reverse; }
static inline int cell_prev_slot(const cell_seq *s, int t) { return t + s->reverse; }
static inline float *cell_slot(const cell_seq *s, int k, int slot)
{
    return s->carry[k] + (size_t)slot * s->B * s->H;
}
static inline float *cell_outputs(const cell_seq *s) { return cell_slot(s, 0, cell_out_slot(s, 0)); }
/* Carry k of the state after the last step (for a reverse layer: after time 0). */
static inline float *cell_final(const cell_seq *s, int k)
{
    return cell_slot(s, k, cell_out_slot(s, s->reverse ? 0 : s->T - 1));
}
/* Step t of row b is real, not padding past the row's length (len NULL: all are real). */
static inline int cell_step_is_real(const int *len, int t, int b) { return !len || t < len[b]; }

/* For the kinds' backward: the k-th step goes back through time t, against the forward's
 * order; dst = carry k of a [carries] list that may be NULL or hold NULLs (then zeros); and
 * dh += the outputs' gradient at time t (dh_out may be NULL). */
static inline int cell_backward_time(const cell_seq *s, int k) { return s->reverse ? k : s->T - 1 - k; }
static inline void cell_copy_carry(float *dst, const float *const *src, int k, size_t n)
{
    if (src && src[k]) memcpy(dst, src[k], n * sizeof *dst);
    else memset(dst, 0, n * sizeof *dst);
}
static inline void cell_add_output_gradient(float *dh, const float *dh_out, int t, size_t n)
{
    if (dh_out)
        for (size_t r = 0; r < n; r++) dh[r] += dh_out[(size_t)t * n + r];
}

/* Shared by the kinds: gates[r] = b + x[r] Wx for `rows` rows, one product for many steps
 * (int8 models: the int8 product);
 * and its backward from dg ([rows][G]): dWx += x^T dg, db += sum of dg, dx += dg Wx^T (dx may
 * be NULL). The recurrent product's weight gradient over every step at once: dWh += h^T dg
 * with h the previous states of all steps (contiguous), and dbh += sum of dg where the
 * weights have a recurrent bias. */
void cell_input_projection(const cell_weights *w, int G, long rows, const float *x, float *gates);
/* g += h Wh over rows rows of H (the float weights, or the int8 ones of an int8 model). */
void cell_recurrent_product(const cell_weights *w, int G, int rows, const float *h, float *g);
void cell_input_projection_backward(const cell_weights *w, cell_weights *grad, int G, long rows,
                                    const float *x, const float *dg, float *dx);
void cell_recurrent_weights_backward(const cell_seq *s, cell_weights *grad, int G, const float *dg);

/* The walk over a sequence that the kinds' inference forms share: the input projection is
 * computed CELL_INFER_STEPS steps at a time (large enough for an efficient product, small
 * enough not to hold every step's gates), then advance() runs each step in the layer's
 * direction: g holds the step's input projection ([B][G], the kind may overwrite it), h_prev
 * the previous output (zeros before the first step), h the step's output in out; scratch is
 * the kind's own. work: cell_infer_walk_floats() floats. */
#define CELL_INFER_STEPS 4
typedef void (*cell_advance)(const cell_weights *w, int B, int t, const int *len, float *g,
                             const float *h_prev, float *h, float *scratch);
size_t cell_infer_walk_floats(int G, int B, int H);
void cell_infer_walk(const cell_weights *w, int G, int T, int B, int reverse, const int *len,
                     const float *x, float *out, cell_advance advance, float *scratch, float *work);

#endif
