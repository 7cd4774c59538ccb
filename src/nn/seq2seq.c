#include "nn/seq2seq.h"

#include <string.h>

#include "nn/decoder.h"
#include "nn/embedding.h"
#include "nn/encoder.h"
#include "nn/output.h"

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
    decoder_grads dg;
    encoder_forward(m, &e, ar, bt->src, bt->src_len, bt->S, bt->B, p, opt->rng);
    /* Backward buffers in the order they die (a stack): the attention state, dattn and the
     * attention's scratch, then the decoder's, then the encoder's gradients. */
    decoder_forward(m, bt, &e, &d, ar, p, opt->rng, grad ? &dg : NULL);
    float *dattn = grad ? arena_zalloc(ar, (size_t)bt->T * bt->B * c->hidden) : NULL;
    output_loss ol = output_layer(m, &d, opt, gradient_scale(opt, d.n), grad, dattn, ar, output_rows);
    if (grad) {
        decoder_backward(m, bt, &e, &d, grad, ar, p, dattn, &dg);
        encoder_backward(m, grad, &e, ar, dg.denc, &dg.dfinal, p);
    }
    return (batch_loss){ol.loss, ol.nll, d.n};
}
