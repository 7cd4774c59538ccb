#include "nn/encoder.h"

#include <string.h>

#include "nn/embedding.h"

/* out[r] = [a[r]; b[r]] for rows of width n each. */
static void join_halves(const float *a, const float *b, long rows, int n, float *out)
{
    for (long r = 0; r < rows; r++) {
        memcpy(out + r * 2 * n, a + r * n, n * sizeof(float));
        memcpy(out + r * 2 * n + n, b + r * n, n * sizeof(float));
    }
}

static void split_halves(const float *in, long rows, int n, float *a, float *b)
{
    for (long r = 0; r < rows; r++) {
        memcpy(a + r * n, in + r * 2 * n, n * sizeof(float));
        memcpy(b + r * n, in + r * 2 * n + n, n * sizeof(float));
    }
}

/* Makes the layer's outputs and final state from each direction's: one direction's are
 * used as they are, two are joined side by side. */
static void gather_directions(const model *m, encoder_state *e, arena *ar, int l, float *const out[2],
                              float *const fin[2][CELL_MAX_CARRIES])
{
    int S = e->S, B = e->B, carries = model_cell(&m->cfg)->carries;
    if (model_encoder_directions(&m->cfg) == 1) {
        e->outputs[l] = out[0];
        for (int k = 0; k < carries; k++) e->final[l][k] = fin[0][k];
        return;
    }
    int Hd = model_encoder_units(&m->cfg);
    e->outputs[l] = arena_alloc(ar, (size_t)S * B * e->H);
    join_halves(out[0], out[1], (long)S * B, Hd, e->outputs[l]);
    for (int k = 0; k < carries; k++) {
        e->final[l][k] = arena_alloc(ar, (size_t)B * e->H);
        join_halves(fin[0][k], fin[1][k], B, Hd, e->final[l][k]);
    }
}

/* Training: each direction keeps its whole state for backward. */
static void run_layer(const model *m, encoder_state *e, arena *ar, int l)
{
    const cell_ops *cell = model_cell(&m->cfg);
    int S = e->S, B = e->B, dirs = model_encoder_directions(&m->cfg), Hd = model_encoder_units(&m->cfg);
    float *out[2], *fin[2][CELL_MAX_CARRIES];
    for (int d = 0; d < dirs; d++) {
        cell_seq *s = &e->rnn[l][d];
        cell_seq_init(cell, s, arena_alloc(ar, cell_seq_floats(cell, S, B, Hd)), S, B, Hd, d, e->src_len);
        cell->forward(&m->w.enc[l][d], s, e->inputs[l], NULL);
        out[d] = cell_outputs(s);
        for (int k = 0; k < cell->carries; k++) fin[d][k] = cell_final(s, k);
    }
    gather_directions(m, e, ar, l, out, fin);
}

void encoder_forward(const model *m, encoder_state *e, arena *ar, const int *src,
                     const int *src_len, int S, int B, float dropout, rng_t *rng)
{
    const model_config *c = &m->cfg;
    long rows = (long)S * B;
    e->S = S; e->B = B; e->H = c->hidden; e->src = src; e->src_len = src_len;
    e->emb = arena_alloc(ar, (size_t)rows * c->emb);
    e->emb_mask = dropout > 0 ? arena_alloc(ar, (size_t)rows * c->emb) : NULL;
    embedding_forward(m->w.src_emb, c->emb, src, rows, e->emb);
    dropout_forward(e->emb, e->emb_mask, rows * c->emb, dropout, rng);
    e->inputs[0] = e->emb;
    for (int l = 0; l < c->layers; l++) {
        if (l > 0) {
            size_t n = (size_t)rows * c->hidden;
            e->inputs[l] = arena_alloc(ar, n);
            memcpy(e->inputs[l], e->outputs[l - 1], n * sizeof(float));
            e->drop_mask[l] = dropout > 0 ? arena_alloc(ar, n) : NULL;
            dropout_forward(e->inputs[l], e->drop_mask[l], (long)n, dropout, rng);
        }
        run_layer(m, e, ar, l);
    }
}

/* One layer for inference, its directions side by side in out and fin. */
static void infer_layer(const model *m, const encoder_state *e, arena *ar, int l, const float *in,
                        float *work, float *out, float *const *fin)
{
    const cell_ops *cell = model_cell(&m->cfg);
    int S = e->S, B = e->B, dirs = model_encoder_directions(&m->cfg), Hd = model_encoder_units(&m->cfg);
    const cell_weights *w = m->w.enc[l];
    if (dirs == 1) {
        cell->infer(&w[0], S, B, 0, e->src_len, in, out, fin, work);
        return;
    }
    float *o[2], *f[2][CELL_MAX_CARRIES];
    for (int d = 0; d < 2; d++) {
        o[d] = arena_alloc(ar, (size_t)S * B * Hd);
        for (int k = 0; k < cell->carries; k++) f[d][k] = arena_alloc(ar, (size_t)B * Hd);
        cell->infer(&w[d], S, B, d, e->src_len, in, o[d], f[d], work);
    }
    join_halves(o[0], o[1], (long)S * B, Hd, out);
    for (int k = 0; k < cell->carries; k++) join_halves(f[0][k], f[1][k], B, Hd, fin[k]);
}

/* What decoding reads, the top layer's outputs and every layer's final state, is allocated
 * first; the embeddings, lower layers' outputs and work space after it, and handed back at
 * the end, so that the search reuses their memory. */
void encoder_infer(const model *m, encoder_state *e, arena *ar, const int *src,
                   const int *src_len, int S, int B)
{
    const model_config *c = &m->cfg;
    const cell_ops *cell = model_cell(c);
    int L = c->layers, H = c->hidden;
    long rows = (long)S * B;
    memset(e, 0, sizeof *e);
    e->S = S; e->B = B; e->H = H; e->src = src; e->src_len = src_len;
    e->outputs[L - 1] = arena_alloc(ar, (size_t)rows * H);
    for (int l = 0; l < L; l++)
        for (int k = 0; k < cell->carries; k++) e->final[l][k] = arena_alloc(ar, (size_t)B * H);
    size_t mark = arena_mark(ar);
    float *in = arena_alloc(ar, (size_t)rows * c->emb);
    float *work = arena_alloc(ar, cell->infer_floats(B, model_encoder_units(c)));
    embedding_lookup(m->w.src_emb, m->w.q_src_emb, c->emb, src, rows, in);
    for (int l = 0; l < L; l++) {
        float *out = l == L - 1 ? e->outputs[l] : arena_alloc(ar, (size_t)rows * H);
        infer_layer(m, e, ar, l, in, work, out, e->final[l]);
        in = out;
    }
    arena_release(ar, mark);
}

/* Each direction's half of [rows][2 * Hd] gradients (NULL stays NULL). */
static void split_gradient(arena *ar, const float *both, long rows, int Hd, const float *half[2])
{
    if (!both) {
        half[0] = half[1] = NULL;
        return;
    }
    float *a = arena_alloc(ar, (size_t)rows * Hd), *b = arena_alloc(ar, (size_t)rows * Hd);
    split_halves(both, rows, Hd, a, b);
    half[0] = a;
    half[1] = b;
}

/* Backward through one layer; dout and dfinal[k] are [.][H]; returns the gradient of its input. */
static float *layer_backward(const model *m, model_weights *g, const encoder_state *e,
                             arena *ar, int l, const float *dout, float *const *dfinal)
{
    const cell_ops *cell = model_cell(&m->cfg);
    int S = e->S, B = e->B, dirs = model_encoder_directions(&m->cfg), Hd = model_encoder_units(&m->cfg);
    long rows = (long)S * B;
    float *dx = arena_zalloc(ar, (size_t)rows * m->w.enc[l][0].in);
    const float *dh_dir[2] = {dout, NULL}, *dfin[2][CELL_MAX_CARRIES] = {{NULL}};
    for (int k = 0; k < cell->carries; k++) dfin[0][k] = dfinal ? dfinal[k] : NULL;
    if (dirs == 2) {
        split_gradient(ar, dout, rows, Hd, dh_dir);
        for (int k = 0; k < cell->carries; k++) {
            const float *half[2];
            split_gradient(ar, dfin[0][k], B, Hd, half);
            dfin[0][k] = half[0];
            dfin[1][k] = half[1];
        }
    }
    for (int d = 0; d < dirs; d++) {
        float *work = arena_alloc(ar, cell->backward_floats(S, B, Hd));
        cell->backward(&m->w.enc[l][d], &g->enc[l][d], &e->rnn[l][d], e->inputs[l], dh_dir[d],
                       dfin[d], dx, NULL, work);
    }
    return dx;
}

void encoder_backward(const model *m, model_weights *g, const encoder_state *e, arena *ar,
                      float *dtop, encoder_final_grads *dfinal, float dropout)
{
    const model_config *c = &m->cfg;
    long rows = (long)e->S * e->B;
    float *dout = dtop;
    for (int l = c->layers - 1; l >= 0; l--) {
        float *dx = layer_backward(m, g, e, ar, l, dout, dfinal ? (*dfinal)[l] : NULL);
        if (l > 0) {
            dropout_backward(dx, e->drop_mask[l], rows * c->hidden, dropout);
            dout = dx;
        } else {
            dropout_backward(dx, e->emb_mask, rows * c->emb, dropout);
            embedding_backward(g->src_emb, c->emb, e->src, rows, dx);
        }
    }
}
