#include "nn/decoder.h"

#include <math.h>
#include <string.h>

#include "nn/activations.h"
#include "nn/embedding.h"
#include "nn/output.h"
#include "nn/quant.h"
#include "sys/blas.h"
#include "text/vocab.h"

/* ---- training: whole sequences ---- */

/* Layer l's input into x ([T * B][in]) with its dropout mask, drawn from rng. */
static void layer_input(const model *m, const batch *bt, const decoder_state *d, int l, float p,
                        rng_t *rng, float *x, float *mask)
{
    long rows = (long)bt->T * bt->B;
    int in = m->w.dec[l].in;
    if (l == 0) embedding_forward(m->w.tgt_emb, m->cfg.emb, bt->tgt_in, rows, x);
    else memcpy(x, cell_outputs(&d->rnn[l - 1]), (size_t)rows * in * sizeof(float));
    dropout_forward(x, mask, rows * in, p, rng);
}

static void layers_forward(const model *m, const batch *bt, const encoder_state *e,
                           decoder_state *d, arena *ar, float p, rng_t *rng)
{
    const cell_ops *cell = model_cell(&m->cfg);
    int T = bt->T, B = bt->B, H = m->cfg.hidden;
    size_t rows = (size_t)T * B;
    for (int l = 0; l < m->cfg.layers; l++) {
        /* Padded target steps need no masking: they come after every real step. */
        cell_seq_init(cell, &d->rnn[l], arena_alloc(ar, cell_seq_floats(cell, T, B, H)), T, B, H, 0, NULL);
        size_t mark = arena_mark(ar);
        int in = m->w.dec[l].in;
        float *x = arena_alloc(ar, rows * in), *mask = p > 0 ? arena_alloc(ar, rows * in) : NULL;
        d->input_rng[l] = p > 0 ? *rng : (rng_t){{0}}; /* no generator without dropout */
        layer_input(m, bt, d, l, p, rng, x, mask);
        cell->forward(&m->w.dec[l], &d->rnn[l], x, (const float *const *)e->final[l]);
        arena_release(ar, mark);
    }
}

static void attention_layer_forward(const model *m, const batch *bt, const encoder_state *e,
                                    decoder_state *d, arena *ar)
{
    int T = bt->T, B = bt->B, H = m->cfg.hidden, L = m->cfg.layers;
    attention_state_init(&d->attn, arena_alloc(ar, attention_state_floats(bt->S, T, B, H)),
                         bt->S, T, B, H, bt->src_len);
    attention_forward(m->w.attn_wa, m->w.attn_wc, &d->attn, e->outputs[L - 1], cell_outputs(&d->rnn[L - 1]));
    /* Only the real target positions go through the output layer. */
    d->rows = arena_alloc_int(ar, (size_t)T * B);
    d->targets = arena_alloc_int(ar, (size_t)T * B);
    d->n = 0;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            if (t < bt->tgt_len[b]) {
                d->rows[d->n] = t * B + b;
                d->targets[d->n++] = bt->tgt_out[t * B + b];
            }
}

static void grads_alloc(const model *m, const batch *bt, arena *ar, decoder_grads *dg)
{
    const model_config *c = &m->cfg;
    memset(dg, 0, sizeof *dg);
    dg->denc = arena_zalloc(ar, (size_t)bt->S * bt->B * c->hidden);
    for (int l = 0; l < c->layers; l++)
        for (int k = 0; k < model_cell(c)->carries; k++)
            dg->dfinal[l][k] = arena_zalloc(ar, (size_t)bt->B * c->hidden);
}

void decoder_forward(const model *m, const batch *bt, const encoder_state *e, decoder_state *d,
                     arena *ar, float p, rng_t *rng, decoder_grads *dg)
{
    layers_forward(m, bt, e, d, ar, p, rng);
    if (dg) {
        grads_alloc(m, bt, ar, dg);
        d->layers_mark = arena_mark(ar);
        d->dtop = arena_zalloc(ar, (size_t)bt->T * bt->B * m->cfg.hidden);
        d->attention_mark = arena_mark(ar);
    }
    attention_layer_forward(m, bt, e, d, ar);
}

/* Down the layers from d->dtop, into the embeddings and the encoder's final states. */
static void layers_backward(const model *m, const batch *bt, const decoder_state *d,
                            model_weights *g, arena *ar, float p, decoder_grads *dg)
{
    const model_config *c = &m->cfg;
    const cell_ops *cell = model_cell(c);
    int T = bt->T, B = bt->B, H = c->hidden;
    long rows = (long)T * B;
    float *dout = d->dtop;
    for (int l = c->layers - 1; l >= 0; l--) {
        int in = m->w.dec[l].in;
        float *dx = arena_zalloc(ar, (size_t)rows * in);
        size_t mark = arena_mark(ar);
        float *x = arena_alloc(ar, (size_t)rows * in), *mask = p > 0 ? arena_alloc(ar, (size_t)rows * in) : NULL;
        rng_t r = d->input_rng[l];
        layer_input(m, bt, d, l, p, &r, x, mask);
        float *work = arena_alloc(ar, cell->backward_floats(T, B, H));
        cell->backward(&m->w.dec[l], &g->dec[l], &d->rnn[l], x, dout, NULL, dx, dg->dfinal[l], work);
        dropout_backward(dx, mask, rows * in, p);
        arena_release(ar, mark);
        if (l == 0) embedding_backward(g->tgt_emb, c->emb, bt->tgt_in, rows, dx);
        dout = dx;
    }
}

void decoder_backward(const model *m, const batch *bt, const encoder_state *e,
                      decoder_state *d, model_weights *g, arena *ar, float p,
                      const float *dattn, decoder_grads *dg)
{
    int L = m->cfg.layers;
    float *work = arena_alloc(ar, attention_backward_floats(bt->S, bt->T, bt->B, m->cfg.hidden));
    attention_backward(m->w.attn_wa, m->w.attn_wc, &d->attn, e->outputs[L - 1],
                       cell_outputs(&d->rnn[L - 1]), dattn, g->attn_wa, g->attn_wc, dg->denc,
                       d->dtop, work);
    arena_release(ar, d->attention_mark);
    layers_backward(m, bt, d, g, ar, p, dg);
    arena_release(ar, d->layers_mark);
}

/* ---- search: one step over independent rows ---- */

void decoder_rows_start(decoder_rows *d, const model *m, const encoder_state *e,
                        const int *src_len, int cap, arena *ar)
{
    const model_config *c = &m->cfg;
    const cell_ops *cell = model_cell(c);
    int n = e->B, S = e->S, H = c->hidden;
    memset(d, 0, sizeof *d);
    d->m = m; d->enc = e; d->n = n; d->S = S; d->cap = cap; d->rows = n; d->src_len = src_len;
    d->keys = arena_alloc(ar, (size_t)S * n * H);
    if (m->w.q_attn_keys) qgemm(S * n, e->outputs[c->layers - 1], H, m->w.q_attn_keys, NULL, 0, d->keys, H);
    else attention_keys(m->w.attn_wa, e->outputs[c->layers - 1], S * n, H, d->keys);
    for (int l = 0; l < c->layers; l++)
        for (int k = 0; k < cell->carries; k++) {
            d->state[l][k] = arena_alloc(ar, (size_t)cap * H);
            memcpy(d->state[l][k], e->final[l][k], (size_t)n * H * sizeof(float));
        }
    d->tmp = arena_alloc(ar, (size_t)cap * H);
    d->x = arena_alloc(ar, (size_t)cap * c->emb);
    d->work = arena_alloc(ar, cell->step_floats(cap, c->emb > H ? c->emb : H, H));
    d->ctx_h = arena_alloc(ar, (size_t)cap * 2 * H);
    d->att = arena_alloc(ar, (size_t)cap * H);
    d->attended = arena_alloc_int(ar, cap);
    d->sent = arena_alloc_int(ar, cap);
    d->tmp_int = arena_alloc_int(ar, cap);
    for (int b = 0; b < n; b++) d->sent[b] = b;
}

/* x . y summed in DOT_LANES interleaved partial sums, added pairwise at the end: the fixed
 * order the compiler can keep in vector registers (one running sum is a chain of dependent
 * additions, the attention's cost in int8 decoding). */
enum { DOT_LANES = 16 };
static float dot_lanes(const float *x, const float *y, int n)
{
    float part[DOT_LANES] = {0};
    int i = 0;
    for (; i + DOT_LANES <= n; i += DOT_LANES)
        for (int l = 0; l < DOT_LANES; l++) part[l] += x[i + l] * y[i + l];
    for (int l = 0; i < n; i++, l++) part[l] += x[i] * y[i];
    for (int w = DOT_LANES / 2; w > 0; w /= 2)
        for (int l = 0; l < w; l++) part[l] += part[l + w];
    return part[0];
}

/* scores[j] = keys[j] . h and ctx = sum_j scores[j] enc[j] over len rows ld floats apart, in
 * plain loops: an int8 model's translation calls no BLAS at all, so it need not load it. */
static void dot_rows(int len, int H, const float *keys, size_t ld, const float *h, float *scores)
{
    for (int j = 0; j < len; j++) scores[j] = dot_lanes(keys + (size_t)j * ld, h, H);
}

static void weighted_rows(int len, int H, const float *enc, size_t ld, const float *scores, float *ctx)
{
    memset(ctx, 0, H * sizeof *ctx);
    for (int j = 0; j < len; j++)
        for (int i = 0; i < H; i++) ctx[i] += scores[j] * enc[(size_t)j * ld + i];
}

/* Attention for row r whose top state is h: [context h] into d->ctx_h, and the most
 * attended source position. */
static void attend_row(decoder_rows *d, int r, const float *h, float *scores)
{
    int n = d->n, H = d->m->cfg.hidden, b = d->sent[r], len = d->src_len[b], int8 = d->m->qimage != NULL;
    const float *enc = d->enc->outputs[d->m->cfg.layers - 1];
    float *ctx = d->ctx_h + (size_t)r * 2 * H;
    if (int8) dot_rows(len, H, d->keys + (size_t)b * H, (size_t)n * H, h, scores);
    else gemv(0, len, H, 1, d->keys + (size_t)b * H, n * H, h, 0, scores);
    masked_softmax(scores, len, len);
    int arg = 0;
    for (int j = 1; j < len; j++) arg = scores[j] > scores[arg] ? j : arg;
    d->attended[r] = arg;
    if (d->weights) {
        float *w = d->weights + (size_t)r * d->S;
        memcpy(w, scores, len * sizeof *w);
        memset(w + len, 0, (size_t)(d->S - len) * sizeof *w);
    }
    if (int8) weighted_rows(len, H, enc + (size_t)b * H, (size_t)n * H, scores, ctx);
    else gemv(1, len, H, 1, enc + (size_t)b * H, n * H, scores, 0, ctx);
    memcpy(ctx + H, h, H * sizeof(float));
}

void decoder_rows_step(decoder_rows *d, const int *prev, float *logits)
{
    const model *m = d->m;
    const model_config *c = &m->cfg;
    const cell_ops *cell = model_cell(c);
    int R = d->rows, H = c->hidden;
    embedding_lookup(m->w.tgt_emb, m->w.q_tgt_emb, c->emb, prev, R, d->x);
    const float *in = d->x;
    for (int l = 0; l < c->layers; l++) {
        cell->step(&m->w.dec[l], R, in, d->state[l], d->work);
        in = d->state[l][0];
    }
    float scores[d->S];
    for (int r = 0; r < R; r++) attend_row(d, r, in + (size_t)r * H, scores);
    /* attentional state tanh([context h] Wc), Wc being [2H x H] */
    quant_matmul(R, d->ctx_h, 2 * H, m->w.attn_wc, m->w.q_attn_wc, 2 * H, H, 0, d->att, H);
    tanh_inplace(d->att, (long)R * H);
    if (m->w.q_out_w) qgemm(R, d->att, H, m->w.q_out_w, m->w.out_b, 0, logits, c->tgt_vocab);
    else output_logits(m->w.out_w, m->w.out_b, d->att, R, H, c->tgt_vocab, logits);
}

void decoder_rows_select(decoder_rows *d, const int *from, int rows)
{
    const model_config *c = &d->m->cfg;
    int H = c->hidden;
    for (int l = 0; l < c->layers; l++)
        for (int k = 0; k < model_cell(c)->carries; k++) {
            float *s = d->state[l][k];
            for (int r = 0; r < rows; r++)
                memcpy(d->tmp + (size_t)r * H, s + (size_t)from[r] * H, H * sizeof(float));
            memcpy(s, d->tmp, (size_t)rows * H * sizeof(float));
        }
    for (int r = 0; r < rows; r++) d->tmp_int[r] = d->sent[from[r]];
    memcpy(d->sent, d->tmp_int, (size_t)rows * sizeof(int));
    d->rows = rows;
}
