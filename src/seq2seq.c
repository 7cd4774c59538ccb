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
    /* Only the real target positions go through the output layer. */
    d->rows = arena_alloc_int(ar, rows);
    d->targets = arena_alloc_int(ar, rows);
    d->n = 0;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            if (t < bt->tgt_len[b]) {
                d->rows[d->n] = t * B + b;
                d->targets[d->n++] = bt->tgt_out[t * B + b];
            }
}

/* The output layer's input for real positions [i, i + n): the attentional states after
 * dropout. Drawn pass by pass, the masks are the ones one draw over all positions gives. */
static void output_inputs(const decoder_state *d, int i, int n, int H, float p, rng_t *rng,
                          float *x, float *mask)
{
    for (int r = 0; r < n; r++)
        memcpy(x + (size_t)r * H, d->attn.out + (size_t)d->rows[i + r] * H, H * sizeof(float));
    dropout_forward(x, mask, (long)n * H, p, rng);
}

/* The output layer and its loss over the real positions, a pass of at most `chunk` of them
 * at a time. With g, adds the output layer's gradients and writes the gradient of the
 * attentional states into their rows of dattn ([T * B][H], zeroed). */
static output_loss output_layer(const model *m, const decoder_state *d, const loss_options *opt,
                                float grad_scale, model_weights *g, float *dattn, arena *ar,
                                int chunk)
{
    int H = m->cfg.hidden, V = m->cfg.tgt_vocab, n = d->n;
    if (chunk > n) chunk = n;
    if (chunk < 1) chunk = 1;
    float p = opt->dropout;
    size_t mark = arena_mark(ar);
    float *x = arena_alloc(ar, (size_t)chunk * H), *mask = p > 0 ? arena_alloc(ar, (size_t)chunk * H) : NULL;
    float *logits = arena_alloc(ar, (size_t)chunk * V), *dx = g ? arena_alloc(ar, (size_t)chunk * H) : NULL;
    output_loss total = {0, 0};
    for (int i = 0; i < n; i += chunk) {
        int rows = n - i < chunk ? n - i : chunk;
        output_inputs(d, i, rows, H, p, opt->rng, x, mask);
        output_loss l = output_forward_loss(m->w.out_w, m->w.out_b, x, rows, H, V, d->targets + i,
                                            opt->label_smoothing, grad_scale, logits);
        total.loss += l.loss;
        total.nll += l.nll;
        if (!g) continue;
        output_backward(m->w.out_w, g->out_w, g->out_b, x, rows, H, V, logits, dx);
        dropout_backward(dx, mask, (long)rows * H, p);
        for (int r = 0; r < rows; r++)
            memcpy(dattn + (size_t)d->rows[i + r] * H, dx + (size_t)r * H, H * sizeof(float));
    }
    arena_release(ar, mark);
    return total;
}

/* The gradients flowing back into the encoder, which outlive the decoder's backward. */
typedef struct {
    float *denc;                      /* [S][B][H] of the top layer's outputs */
    float *dinit_h[MODEL_MAX_LAYERS]; /* [B][H] of each layer's final state */
    float *dinit_c[MODEL_MAX_LAYERS];
} encoder_grads;

/* From dattn, the gradient of the attentional states: adds into ddec ([T * B][H], the
 * gradient of the decoder's top outputs) and the encoder's outputs. */
static void attention_layer_backward(const model *m, const batch *bt, const encoder_state *e,
                                     const decoder_state *d, model_weights *g, arena *ar,
                                     const float *dattn, float *ddec, encoder_grads *eg)
{
    int L = m->cfg.layers;
    size_t mark = arena_mark(ar);
    float *work = arena_alloc(ar, attention_backward_floats(bt->S, bt->T, bt->B, m->cfg.hidden));
    attention_backward(m->w.attn_wa, m->w.attn_wc, &d->attn, e->outputs[L - 1],
                       lstm_outputs(&d->lstm[L - 1]), dattn, g->attn_wa, g->attn_wc, eg->denc,
                       ddec, work);
    arena_release(ar, mark);
}

/* Down the decoder's layers from ddec, into its embeddings and the encoder's final states. */
static void decoder_layers_backward(const model *m, const batch *bt, const decoder_state *d,
                                    model_weights *g, arena *ar, float p, float *ddec,
                                    encoder_grads *eg)
{
    const model_config *c = &m->cfg;
    int T = bt->T, B = bt->B, H = c->hidden;
    long rows = (long)T * B;
    for (int l = c->layers - 1; l >= 0; l--) {
        float *dx = arena_zalloc(ar, (size_t)rows * m->w.dec[l].in);
        size_t mark = arena_mark(ar);
        float *work = arena_alloc(ar, lstm_backward_floats(T, B, H));
        lstm_backward(&m->w.dec[l], &g->dec[l], &d->lstm[l], d->inputs[l], ddec, NULL, NULL, dx,
                      eg->dinit_h[l], eg->dinit_c[l], work);
        arena_release(ar, mark);
        if (l > 0) {
            dropout_backward(dx, d->drop_mask[l], rows * H, p);
            ddec = dx;
        } else {
            dropout_backward(dx, d->emb_mask, rows * c->emb, p);
            embedding_backward(g->tgt_emb, c->emb, bt->tgt_in, rows, dx);
        }
    }
}

static void encoder_grads_alloc(const model_config *c, const batch *bt, arena *ar, encoder_grads *eg)
{
    eg->denc = arena_zalloc(ar, (size_t)bt->S * bt->B * c->hidden);
    for (int l = 0; l < c->layers; l++) {
        eg->dinit_h[l] = arena_zalloc(ar, (size_t)bt->B * c->hidden);
        eg->dinit_c[l] = arena_zalloc(ar, (size_t)bt->B * c->hidden);
    }
}

batch_loss seq2seq_loss(const model *m, const batch *bt, const loss_options *opt,
                        model_weights *grad, arena *ar)
{
    return seq2seq_loss_in_passes(m, bt, opt, grad, ar, SEQ2SEQ_OUTPUT_ROWS);
}

batch_loss seq2seq_loss_in_passes(const model *m, const batch *bt, const loss_options *opt,
                                  model_weights *grad, arena *ar, int output_rows)
{
    const model_config *c = &m->cfg;
    float p = opt->dropout;
    encoder_state e;
    decoder_state d;
    encoder_forward(m, &e, ar, bt->src, bt->src_len, bt->S, bt->B, p, opt->rng);
    decoder_forward(m, bt, &e, &d, ar, p, opt->rng);
    long per = opt->grad_tokens > 0 ? opt->grad_tokens : d.n;
    float scale = per ? 1.0f / (float)per : 0;
    if (!grad) {
        output_loss ol = output_layer(m, &d, opt, scale, NULL, NULL, ar, output_rows);
        return (batch_loss){ol.loss, ol.nll, d.n};
    }
    /* Backward buffers in the order they die (a stack): dattn after the attention layer,
     * ddec after the decoder, the encoder's gradients last. */
    size_t rows = (size_t)bt->T * bt->B * c->hidden;
    encoder_grads eg;
    encoder_grads_alloc(c, bt, ar, &eg);
    size_t decoder_mark = arena_mark(ar);
    float *ddec = arena_zalloc(ar, rows);
    size_t attention_mark = arena_mark(ar);
    float *dattn = arena_zalloc(ar, rows);
    output_loss ol = output_layer(m, &d, opt, scale, grad, dattn, ar, output_rows);
    attention_layer_backward(m, bt, &e, &d, grad, ar, dattn, ddec, &eg);
    arena_release(ar, attention_mark);
    decoder_layers_backward(m, bt, &d, grad, ar, p, ddec, &eg);
    arena_release(ar, decoder_mark);
    encoder_backward(m, grad, &e, ar, eg.denc, eg.dinit_h, eg.dinit_c, p);
    return (batch_loss){ol.loss, ol.nll, d.n};
}
