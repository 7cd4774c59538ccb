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
static void gather_directions(encoder_state *e, arena *ar, int l, int dirs, int Hd,
                              float *const out[2], float *const fh[2], float *const fc[2])
{
    int S = e->S, B = e->B;
    if (dirs == 1) {
        e->outputs[l] = out[0];
        e->final_h[l] = fh[0];
        e->final_c[l] = fc[0];
        return;
    }
    e->outputs[l] = arena_alloc(ar, (size_t)S * B * e->H);
    e->final_h[l] = arena_alloc(ar, (size_t)B * e->H);
    e->final_c[l] = arena_alloc(ar, (size_t)B * e->H);
    join_halves(out[0], out[1], (long)S * B, Hd, e->outputs[l]);
    join_halves(fh[0], fh[1], B, Hd, e->final_h[l]);
    join_halves(fc[0], fc[1], B, Hd, e->final_c[l]);
}

/* Training: each direction keeps its whole state for backward. */
static void run_layer(const model *m, encoder_state *e, arena *ar, int l)
{
    int S = e->S, B = e->B, dirs = model_encoder_directions(&m->cfg), Hd = model_encoder_units(&m->cfg);
    float *out[2], *fh[2], *fc[2];
    for (int d = 0; d < dirs; d++) {
        lstm_state *s = &e->lstm[l][d];
        lstm_state_init(s, arena_alloc(ar, lstm_state_floats(S, B, Hd)), S, B, Hd, d, e->src_len);
        lstm_forward(&m->w.enc[l][d], s, e->inputs[l], NULL, NULL);
        out[d] = lstm_outputs(s);
        fh[d] = lstm_final_h(s);
        fc[d] = lstm_final_c(s);
    }
    gather_directions(e, ar, l, dirs, Hd, out, fh, fc);
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

/* One layer for inference, its directions side by side in out, fh and fc. */
static void infer_layer(const model *m, const encoder_state *e, arena *ar, int l, const float *in,
                        float *work, float *out, float *fh, float *fc)
{
    int S = e->S, B = e->B, dirs = model_encoder_directions(&m->cfg), Hd = model_encoder_units(&m->cfg);
    const lstm_weights *w = m->w.enc[l];
    if (dirs == 1) {
        lstm_infer(&w[0], S, B, 0, e->src_len, in, out, fh, fc, work);
        return;
    }
    float *o[2], *h[2], *c[2];
    for (int d = 0; d < 2; d++) {
        o[d] = arena_alloc(ar, (size_t)S * B * Hd);
        h[d] = arena_alloc(ar, (size_t)B * Hd);
        c[d] = arena_alloc(ar, (size_t)B * Hd);
        lstm_infer(&w[d], S, B, d, e->src_len, in, o[d], h[d], c[d], work);
    }
    join_halves(o[0], o[1], (long)S * B, Hd, out);
    join_halves(h[0], h[1], B, Hd, fh);
    join_halves(c[0], c[1], B, Hd, fc);
}

/* What decoding reads, the top layer's outputs and every layer's final state, is allocated
 * first; the embeddings, lower layers' outputs and work space after it, and handed back at
 * the end, so that the search reuses their memory. */
void encoder_infer(const model *m, encoder_state *e, arena *ar, const int *src,
                   const int *src_len, int S, int B)
{
    const model_config *c = &m->cfg;
    int L = c->layers, H = c->hidden;
    long rows = (long)S * B;
    memset(e, 0, sizeof *e);
    e->S = S; e->B = B; e->H = H; e->src = src; e->src_len = src_len;
    e->outputs[L - 1] = arena_alloc(ar, (size_t)rows * H);
    for (int l = 0; l < L; l++) {
        e->final_h[l] = arena_alloc(ar, (size_t)B * H);
        e->final_c[l] = arena_alloc(ar, (size_t)B * H);
    }
    size_t mark = arena_mark(ar);
    float *in = arena_alloc(ar, (size_t)rows * c->emb);
    float *work = arena_alloc(ar, lstm_infer_floats(B, model_encoder_units(c)));
    embedding_forward(m->w.src_emb, c->emb, src, rows, in);
    for (int l = 0; l < L; l++) {
        float *out = l == L - 1 ? e->outputs[l] : arena_alloc(ar, (size_t)rows * H);
        infer_layer(m, e, ar, l, in, work, out, e->final_h[l], e->final_c[l]);
        in = out;
    }
    arena_release(ar, mark);
}

/* Backward through one layer; dout and dfinal are [.][H]; returns the gradient of its input. */
static float *layer_backward(const model *m, model_weights *g, const encoder_state *e,
                             arena *ar, int l, const float *dout, const float *dh_final,
                             const float *dc_final)
{
    int S = e->S, B = e->B, dirs = model_encoder_directions(&m->cfg), Hd = model_encoder_units(&m->cfg);
    int in = m->w.enc[l][0].in;
    long rows = (long)S * B;
    float *dx = arena_zalloc(ar, (size_t)rows * in);
    const float *dh_dir[2] = {dout, NULL}, *dhf[2] = {dh_final, NULL}, *dcf[2] = {dc_final, NULL};
    if (dirs == 2) {
        float *o[2], *h[2] = {NULL, NULL}, *c[2] = {NULL, NULL};
        for (int d = 0; d < 2; d++) o[d] = arena_alloc(ar, (size_t)rows * Hd);
        split_halves(dout, rows, Hd, o[0], o[1]);
        if (dh_final) {
            for (int d = 0; d < 2; d++) h[d] = arena_alloc(ar, (size_t)B * Hd), c[d] = arena_alloc(ar, (size_t)B * Hd);
            split_halves(dh_final, B, Hd, h[0], h[1]);
            split_halves(dc_final, B, Hd, c[0], c[1]);
        }
        for (int d = 0; d < 2; d++) dh_dir[d] = o[d], dhf[d] = h[d], dcf[d] = c[d];
    }
    for (int d = 0; d < dirs; d++) {
        float *work = arena_alloc(ar, lstm_backward_floats(S, B, Hd));
        lstm_backward(&m->w.enc[l][d], &g->enc[l][d], &e->lstm[l][d], e->inputs[l], dh_dir[d],
                      dhf[d], dcf[d], dx, NULL, NULL, work);
    }
    return dx;
}

void encoder_backward(const model *m, model_weights *g, const encoder_state *e, arena *ar,
                      float *dtop, float *const *dfinal_h, float *const *dfinal_c, float dropout)
{
    const model_config *c = &m->cfg;
    long rows = (long)e->S * e->B;
    float *dout = dtop;
    for (int l = c->layers - 1; l >= 0; l--) {
        float *dx = layer_backward(m, g, e, ar, l, dout, dfinal_h ? dfinal_h[l] : NULL,
                                   dfinal_c ? dfinal_c[l] : NULL);
        if (l > 0) {
            dropout_backward(dx, e->drop_mask[l], rows * c->hidden, dropout);
            dout = dx;
        } else {
            dropout_backward(dx, e->emb_mask, rows * c->emb, dropout);
            embedding_backward(g->src_emb, c->emb, e->src, rows, dx);
        }
    }
}
