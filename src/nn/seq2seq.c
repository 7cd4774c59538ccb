#include "nn/seq2seq.h"

#include <string.h>

#include "nn/attention.h"
#include "nn/embedding.h"
#include "nn/encoder.h"
#include "nn/output.h"

/* The decoder keeps what its backward needs and cannot cheaply redo: the LSTM states and
 * the attention state. A layer's input (embeddings or the outputs of the layer below, after
 * dropout) is made again for the backward from the ids and the generator state its dropout
 * was drawn from: it would otherwise be held through the attention's backward, the step's
 * largest. */
typedef struct {
    lstm_state lstm[MODEL_MAX_LAYERS];
    rng_t input_rng[MODEL_MAX_LAYERS]; /* the dropout generator as layer l's mask was drawn */
    attention_state attn;
    int n;            /* real target positions */
    int *rows;        /* [n] index (t * B + b) of each real position */
    int *targets;     /* [n] */
} decoder_state;

/* Layer l's input into x ([T * B][in]) with its dropout mask, drawn from rng. */
static void decoder_layer_input(const model *m, const batch *bt, const decoder_state *d, int l,
                                float p, rng_t *rng, float *x, float *mask)
{
    long rows = (long)bt->T * bt->B;
    int in = m->w.dec[l].in;
    if (l == 0) embedding_forward(m->w.tgt_emb, m->cfg.emb, bt->tgt_in, rows, x);
    else memcpy(x, lstm_outputs(&d->lstm[l - 1]), (size_t)rows * in * sizeof(float));
    dropout_forward(x, mask, rows * in, p, rng);
}

static void decoder_layers_forward(const model *m, const batch *bt, const encoder_state *e,
                                   decoder_state *d, arena *ar, float p, rng_t *rng)
{
    int T = bt->T, B = bt->B, H = m->cfg.hidden;
    size_t rows = (size_t)T * B;
    for (int l = 0; l < m->cfg.layers; l++) {
        /* Padded target steps need no masking: they come after every real step. */
        lstm_state_init(&d->lstm[l], arena_alloc(ar, lstm_state_floats(T, B, H)), T, B, H, 0, NULL);
        size_t mark = arena_mark(ar);
        int in = m->w.dec[l].in;
        float *x = arena_alloc(ar, rows * in), *mask = p > 0 ? arena_alloc(ar, rows * in) : NULL;
        d->input_rng[l] = p > 0 ? *rng : (rng_t){{0}}; /* no generator without dropout */
        decoder_layer_input(m, bt, d, l, p, rng, x, mask);
        lstm_forward(&m->w.dec[l], &d->lstm[l], x, e->final_h[l], e->final_c[l]);
        arena_release(ar, mark);
    }
}

static void attention_layer_forward(const model *m, const batch *bt, const encoder_state *e,
                                    decoder_state *d, arena *ar)
{
    int T = bt->T, B = bt->B, H = m->cfg.hidden, L = m->cfg.layers;
    attention_state_init(&d->attn, arena_alloc(ar, attention_state_floats(bt->S, T, B, H)),
                         bt->S, T, B, H, bt->src_len);
    attention_forward(m->w.attn_wa, m->w.attn_wc, &d->attn, e->outputs[L - 1], lstm_outputs(&d->lstm[L - 1]));
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
        int in = m->w.dec[l].in;
        float *dx = arena_zalloc(ar, (size_t)rows * in);
        size_t mark = arena_mark(ar);
        float *x = arena_alloc(ar, (size_t)rows * in), *mask = p > 0 ? arena_alloc(ar, (size_t)rows * in) : NULL;
        rng_t r = d->input_rng[l];
        decoder_layer_input(m, bt, d, l, p, &r, x, mask);
        float *work = arena_alloc(ar, lstm_backward_floats(T, B, H));
        lstm_backward(&m->w.dec[l], &g->dec[l], &d->lstm[l], x, ddec, NULL, NULL, dx,
                      eg->dinit_h[l], eg->dinit_c[l], work);
        dropout_backward(dx, mask, rows * in, p);
        arena_release(ar, mark);
        if (l == 0) embedding_backward(g->tgt_emb, c->emb, bt->tgt_in, rows, dx);
        ddec = dx;
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

/* The loss the gradient is of: the sum over the batch's n target tokens, divided by them or
 * by opt->grad_tokens. */
static float gradient_scale(const loss_options *opt, long n)
{
    long per = opt->grad_tokens > 0 ? opt->grad_tokens : n;
    return per ? 1.0f / (float)per : 0;
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
    decoder_layers_forward(m, bt, &e, &d, ar, p, opt->rng);
    if (!grad) {
        attention_layer_forward(m, bt, &e, &d, ar);
        output_loss ol = output_layer(m, &d, opt, gradient_scale(opt, d.n), NULL, NULL, ar, output_rows);
        return (batch_loss){ol.loss, ol.nll, d.n};
    }
    /* Backward buffers in the order they die (a stack): the attention state, dattn and the
     * attention's scratch after the attention layer, ddec after the decoder, the encoder's
     * gradients last. */
    size_t rows = (size_t)bt->T * bt->B * c->hidden;
    encoder_grads eg;
    encoder_grads_alloc(c, bt, ar, &eg);
    size_t decoder_mark = arena_mark(ar);
    float *ddec = arena_zalloc(ar, rows);
    size_t attention_mark = arena_mark(ar);
    attention_layer_forward(m, bt, &e, &d, ar);
    float *dattn = arena_zalloc(ar, rows);
    output_loss ol = output_layer(m, &d, opt, gradient_scale(opt, d.n), grad, dattn, ar, output_rows);
    attention_layer_backward(m, bt, &e, &d, grad, ar, dattn, ddec, &eg);
    arena_release(ar, attention_mark);
    decoder_layers_backward(m, bt, &d, grad, ar, p, ddec, &eg);
    arena_release(ar, decoder_mark);
    encoder_backward(m, grad, &e, ar, eg.denc, eg.dinit_h, eg.dinit_c, p);
    return (batch_loss){ol.loss, ol.nll, d.n};
}
