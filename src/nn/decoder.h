/* decoder: target embedding -> recurrent layers (started from the encoder's final states) ->
 * attention over the encoder's top outputs -> combination tanh(Wc [context; h]) -> logits.
 * Written once, in two forms side by side: over whole teacher-forced sequences for training
 * (forward and backward), and one step at a time over independent rows for the search.
 * tests/test_decode.c checks that the two give the same probabilities. */
#ifndef SEQTRANS_DECODER_H
#define SEQTRANS_DECODER_H
#include "nn/attention.h"
#include "nn/encoder.h"
#include "nn/seq2seq.h"

/* ---- training: whole sequences ---- */

/* What the backward needs and cannot cheaply redo: the recurrent states and the attention
 * state. A layer's input (embeddings or the outputs of the layer below, after dropout) is
 * made again for the backward from the ids and the generator state its dropout was drawn
 * from: it would otherwise be held through the attention's backward, the step's largest. */
typedef struct {
    cell_seq rnn[MODEL_MAX_LAYERS];
    rng_t input_rng[MODEL_MAX_LAYERS]; /* the dropout generator as layer l's mask was drawn */
    attention_state attn;
    int n;            /* real target positions */
    int *rows;        /* [n] index (t * B + b) of each real position */
    int *targets;     /* [n] */
    /* for the backward: */
    float *dtop;      /* [T * B][H] gradient of the top layer's outputs */
    size_t layers_mark, attention_mark;
} decoder_state;

/* The gradients the decoder sends into the encoder, which outlive its backward. */
typedef struct {
    float *denc;                 /* [S][B][H] of the top layer's outputs */
    encoder_final_grads dfinal;  /* [B][H] of each layer's final state */
} decoder_grads;

/* Runs the decoder's layers and attention over the batch (teacher forcing), with dropout p
 * between layers: d->attn.out holds the attentional state of every position, d->rows and
 * d->targets the real ones. With dg, also makes room for decoder_backward: dg, zeroed, and
 * below the attention state what its backward adds into, so that the attention state can
 * be handed back before the layers' backward. */
void decoder_forward(const model *m, const batch *bt, const encoder_state *e, decoder_state *d,
                     arena *ar, float p, rng_t *rng, decoder_grads *dg);

/* From dattn ([T * B][H], the gradient of the attentional states), adds the decoder's
 * parameter gradients into g and the encoder's into dg. Hands back what decoder_forward
 * allocated after dg, and everything allocated since (dattn included). */
void decoder_backward(const model *m, const batch *bt, const encoder_state *e,
                      decoder_state *d, model_weights *g, arena *ar, float p,
                      const float *dattn, decoder_grads *dg);

/* ---- search: one step over independent rows ----
 * Row r continues a hypothesis of sentence sent[r] of the encoded batch. */
typedef struct {
    const model *m;
    const encoder_state *enc;
    int n, S, cap;        /* sentences, source length, most rows */
    int rows;             /* live rows */
    const int *src_len;   /* [n] */
    float *keys;          /* [S][n][H]: Wa applied to the encoder's top outputs */
    int *sent;            /* [cap] sentence of each row */
    float *state[MODEL_MAX_LAYERS][CELL_MAX_CARRIES]; /* [cap][H] */
    int *attended;        /* [cap] the source position the last step attended most */
    float *weights;       /* [cap][S]: the last step's attention weights, when the caller sets it */
    /* private scratch */
    float *tmp, *x, *work, *ctx_h, *att;
    int *tmp_int;
} decoder_rows;

/* Starts one row per sentence of the encoded batch e (src_len: [n], each >= 1), in room for
 * cap rows. Everything comes from ar. */
void decoder_rows_start(decoder_rows *d, const model *m, const encoder_state *e,
                        const int *src_len, int cap, arena *ar);
/* One step: prev[r] is row r's last token (VOCAB_BOS at first); logits: [rows][V]. */
void decoder_rows_step(decoder_rows *d, const int *prev, float *logits);
/* The next step's rows: row r continues old row from[r] (r < rows <= cap). */
void decoder_rows_select(decoder_rows *d, const int *from, int rows);

#endif
