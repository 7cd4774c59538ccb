#include "nn/model.h"

#include <stdlib.h>
#include <string.h>

int model_encoder_directions(const model_config *c) { return c->bidir ? 2 : 1; }
int model_encoder_units(const model_config *c) { return c->bidir ? c->hidden / 2 : c->hidden; }
const cell_ops *model_cell(const model_config *c) { return cell_of(c->cell); }

int model_config_check(const model_config *c)
{
    if (c->emb < 1 || c->emb > 8192 || c->hidden < 2 || c->hidden > 8192) {
        st_error("embedding and hidden sizes must be in 1..8192 (got %d, %d)", c->emb, c->hidden);
        return -1;
    }
    if (c->layers < 1 || c->layers > MODEL_MAX_LAYERS) {
        st_error("layers must be in 1..%d (got %d)", MODEL_MAX_LAYERS, c->layers);
        return -1;
    }
    if (c->bidir && c->hidden % 2) {
        st_error("a bidirectional encoder needs an even hidden size (got %d)", c->hidden);
        return -1;
    }
    if (!cell_of(c->cell)) {
        st_error("unknown cell kind %d (%s)", c->cell, cell_names());
        return -1;
    }
    if (c->src_vocab < 4 || c->tgt_vocab < 4 || c->src_vocab > 10000000 || c->tgt_vocab > 10000000) {
        st_error("vocabulary sizes out of range (%d, %d)", c->src_vocab, c->tgt_vocab);
        return -1;
    }
    return 0;
}

/* Hands out consecutive tensors of the flat buffer; with no buffer it only counts. */
typedef struct {
    float *base;
    size_t used;
} cursor;

static float *take(cursor *c, size_t n)
{
    float *p = c->base ? c->base + c->used : NULL;
    c->used += n;
    return p;
}

static void layout_cell(cursor *cursor, const cell_ops *cell, int in, int H, cell_weights *w)
{
    size_t G = (size_t)cell->gates * H;
    w->in = in;
    w->hidden = H;
    w->wx = take(cursor, (size_t)in * G);
    w->wh = take(cursor, (size_t)H * G);
    w->b = take(cursor, G);
    w->bh = cell->recurrent_bias ? take(cursor, G) : NULL;
}

size_t model_layout(const model_config *c, float *base, model_weights *w)
{
    model_weights unused;
    if (!w) w = &unused;
    memset(w, 0, sizeof *w);
    cursor cur = {base, 0};
    size_t E = c->emb, H = c->hidden;
    w->src_emb = take(&cur, (size_t)c->src_vocab * E);
    w->tgt_emb = take(&cur, (size_t)c->tgt_vocab * E);
    int dirs = model_encoder_directions(c), He = model_encoder_units(c);
    const cell_ops *cell = model_cell(c);
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < dirs; d++) layout_cell(&cur, cell, l ? (int)H : (int)E, He, &w->enc[l][d]);
    for (int l = 0; l < c->layers; l++) layout_cell(&cur, cell, l ? (int)H : (int)E, (int)H, &w->dec[l]);
    w->attn_wa = take(&cur, H * H);
    w->attn_wc = take(&cur, 2 * H * H);
    w->out_w = take(&cur, H * c->tgt_vocab);
    w->out_b = take(&cur, c->tgt_vocab);
    return cur.used;
}

size_t model_embedding_floats(const model_config *c)
{
    return ((size_t)c->src_vocab + (size_t)c->tgt_vocab) * (size_t)c->emb;
}

model *model_wrap(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab, float *params,
                  void *storage)
{
    model *m = xcalloc(1, sizeof *m);
    m->cfg = *cfg;
    m->src_vocab = src_vocab;
    m->tgt_vocab = tgt_vocab;
    m->n_params = model_layout(cfg, NULL, NULL);
    m->params = params;
    m->storage = storage;
    model_layout(cfg, m->params, &m->w);
    return m;
}

model *model_new(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab)
{
    return model_wrap(cfg, src_vocab, tgt_vocab, xcalloc(model_layout(cfg, NULL, NULL), sizeof(float)), NULL);
}

void model_init_weights(model *m, rng_t *rng)
{
    for (size_t i = 0; i < m->n_params; i++) m->params[i] = 0.2f * rng_uniform(rng) - 0.1f;
    const model_config *c = &m->cfg;
    const cell_ops *cell = model_cell(c);
    for (int l = 0; l < c->layers; l++) {
        for (int d = 0; d < model_encoder_directions(c); d++) cell->init_biases(&m->w.enc[l][d]);
        cell->init_biases(&m->w.dec[l]);
    }
    memset(m->w.out_b, 0, (size_t)c->tgt_vocab * sizeof(float));
}

void model_free(model *m)
{
    if (!m) return;
    vocab_free(m->src_vocab);
    vocab_free(m->tgt_vocab);
    if (m->tgt_bpe != m->src_bpe) bpe_free(m->tgt_bpe);
    bpe_free(m->src_bpe);
    free(m->record);
    if (m->release) m->release(m->storage);
    else if (m->storage) free(m->storage);
    else if (!m->qparams) free(m->params);
    free(m->qparams);
    free(m->qmats);
    free(m);
}
