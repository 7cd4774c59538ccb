#include "seq2seq.h"

#include <string.h>

#include "attention.h"
#include "embedding.h"
#include "encoder.h"
#include "output.h"

typedef struct {
    float *emb, *emb_mask;
    float *inputs[MODEL_MAX_LAYERS], *drop_mask[MODEL_MAX_LAYERS];
    lstm_state lstm[MODEL_MAX_LAYERS];
    attention_state attn;
    int n;            /* real target positions */
    int *rows;        /* [n] index (t * B + b) of each real position */
    int *targets;     /* [n] */
    float *top;       /* [n][H] attentional states of the real positions, after dropout */
    float *top_mask;
} decoder_state;

static void decoder_forward(const model *m, const batch *bt, const encoder_state *e,
                            decoder_state *d, arena *ar, float p, rng_t *rng)
{
    const model_config *c = &m->cfg;
    int T = bt->T, B = bt->B, H = c->hidden, L = c->layers;
    long rows = (long)T * B;
    d->emb = arena_alloc(ar, (size_t)rows * c->emb);
    d->emb_mask = p > 0 ? arena_alloc(ar, (size_t)rows * c->emb) : NULL;
    embedding_forward(m->w.tgt_emb, c->emb, bt->tgt_in, rows, d->emb);
    dropout_forward(d->emb, d->emb_mask, rows * c->emb, p, rng);
    d->inputs[0] = d->emb;
    for (int l = 0; l < L; l++) {
        if (l > 0) {
            d->inputs[l] = arena_alloc(ar, (size_t)rows * H);
            memcpy(d->inputs[l], lstm_outputs(&d->lstm[l - 1]), (size_t)rows * H * sizeof(float));
            d->drop_mask[l] = p > 0 ? arena_alloc(ar, (size_t)rows * H) : NULL;
            dropout_forward(d->inputs[l], d->drop_mask[l], rows * H, p, rng);
        }
        /* Padded target steps need no masking: they come after every real step. */
        lstm_state_init(&d->lstm[l], arena_alloc(ar, lstm_state_floats(T, B, H)), T, B, H, 0, NULL);
        lstm_forward(&m->w.dec[l], &d->lstm[l], d->inputs[l], e->final_h[l], e->final_c[l]);
    }
    attention_state_init(&d->attn, arena_alloc(ar, attention_state_floats(bt->S, T, B, H)),
                         bt->S, T, B, H, bt->src_len);
    attention_forward(m->w.attn_wa, m->w.attn_wc, &d->attn, e->outputs[L - 1], lstm_outputs(&d->lstm[L - 1]));
    /* Keep only the real target positions for the output layer. */
    d->rows = arena_alloc_int(ar, rows);
    d->targets = arena_alloc_int(ar, rows);
    d->n = 0;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            if (t < bt->tgt_len[b]) {
                d->rows[d->n] = t * B + b;
                d->targets[d->n++] = bt->tgt_out[t * B + b];
            }
    d->top = arena_alloc(ar, (size_t)d->n * H);
    for (int i = 0; i < d->n; i++)
        memcpy(d->top + (size_t)i * H, d->attn.out + (size_t)d->rows[i] * H, H * sizeof(float));
    d->top_mask = p > 0 ? arena_alloc(ar, (size_t)d->n * H) : NULL;
    dropout_forward(d->top, d->top_mask, (long)d->n * H, p, rng);
}

/* Backward from the gradient of the output layer's input; fills the encoder's gradients. */
static void decoder_backward(const model *m, const batch *bt, const encoder_state *e,
                             const decoder_state *d, model_weights *g, arena *ar, float p,
                             float *dtop, float *denc, float **dinit_h, float **dinit_c)
{
    const model_config *c = &m->cfg;
    int T = bt->T, B = bt->B, H = c->hidden, L = c->layers;
    long rows = (long)T * B;
    dropout_backward(dtop, d->top_mask, (long)d->n * H, p);
    float *dattn = arena_zalloc(ar, (size_t)rows * H);
    for (int i = 0; i < d->n; i++)
        memcpy(dattn + (size_t)d->rows[i] * H, dtop + (size_t)i * H, H * sizeof(float));
    float *ddec = arena_zalloc(ar, (size_t)rows * H);
    float *work = arena_alloc(ar, attention_backward_floats(bt->S, T, B, H));
    attention_backward(m->w.attn_wa, m->w.attn_wc, &d->attn, e->outputs[L - 1],
                       lstm_outputs(&d->lstm[L - 1]), dattn, g->attn_wa, g->attn_wc, denc, ddec, work);
    for (int l = L - 1; l >= 0; l--) {
        int in = m->w.dec[l].in;
        float *dx = arena_zalloc(ar, (size_t)rows * in);
        dinit_h[l] = arena_zalloc(ar, (size_t)B * H);
        dinit_c[l] = arena_zalloc(ar, (size_t)B * H);
        float *lwork = arena_alloc(ar, lstm_backward_floats(T, B, H));
        lstm_backward(&m->w.dec[l], &g->dec[l], &d->lstm[l], d->inputs[l], ddec, NULL, NULL, dx,
                      dinit_h[l], dinit_c[l], lwork);
        if (l > 0) {
            dropout_backward(dx, d->drop_mask[l], rows * H, p);
            ddec = dx;
        } else {
            dropout_backward(dx, d->emb_mask, rows * c->emb, p);
            embedding_backward(g->tgt_emb, c->emb, bt->tgt_in, rows, dx);
        }
    }
}

batch_loss seq2seq_loss(const model *m, const batch *bt, const loss_options *opt,
                        model_weights *grad, arena *ar)
{
    const model_config *c = &m->cfg;
    float p = opt->dropout;
    encoder_state e;
    decoder_state d;
    encoder_forward(m, &e, ar, bt->src, bt->src_len, bt->S, bt->B, p, opt->rng);
    decoder_forward(m, bt, &e, &d, ar, p, opt->rng);
    float *logits = arena_alloc(ar, (size_t)d.n * c->tgt_vocab);
    long per = opt->grad_tokens > 0 ? opt->grad_tokens : d.n;
    float scale = per ? 1.0f / (float)per : 0;
    output_loss ol = output_forward_loss(m->w.out_w, m->w.out_b, d.top, d.n, c->hidden,
                                         c->tgt_vocab, d.targets, opt->label_smoothing, scale, logits);
    batch_loss result = {ol.loss, ol.nll, d.n};
    if (!grad) return result;
    float *dtop = arena_alloc(ar, (size_t)d.n * c->hidden);
    output_backward(m->w.out_w, grad->out_w, grad->out_b, d.top, d.n, c->hidden, c->tgt_vocab,
                    logits, dtop);
    float *denc = arena_zalloc(ar, (size_t)bt->S * bt->B * c->hidden);
    float *dinit_h[MODEL_MAX_LAYERS], *dinit_c[MODEL_MAX_LAYERS];
    decoder_backward(m, bt, &e, &d, grad, ar, p, dtop, denc, dinit_h, dinit_c);
    encoder_backward(m, grad, &e, ar, denc, dinit_h, dinit_c, p);
    return result;
}
