/* seq2seq: the training loss of one batch, forward and backward through the whole model:
 * encoder -> decoder LSTM (teacher forcing) -> attention -> output softmax cross-entropy. */
#ifndef SEQTRANS_SEQ2SEQ_H
#define SEQTRANS_SEQ2SEQ_H
#include "sys/arena.h"
#include "nn/model.h"

/* A padded batch, time-major. Target input is <s> y1..yn, target output y1..yn </s>. */
typedef struct {
    int B, S, T;
    int *src;      /* [S][B] */
    int *src_len;  /* [B] */
    int *tgt_in;   /* [T][B] */
    int *tgt_out;  /* [T][B] */
    int *tgt_len;  /* [B]: n + 1 */
    long tgt_tokens; /* sum of tgt_len */
} batch;

typedef struct {
    float dropout, label_smoothing;
    rng_t *rng;        /* for dropout */
    long grad_tokens;  /* the gradient is of the summed loss / grad_tokens; 0: this batch's */
} loss_options;

typedef struct {
    double loss;   /* summed (label-smoothed) loss over target tokens */
    double nll;    /* summed negative log-likelihood */
    long tokens;
} batch_loss;

/* Computes the batch loss (with dropout when opt->dropout > 0); with grad != NULL also adds the gradient of the loss
 * per target token (see grad_tokens) into grad (same layout as m->w). Scratch memory comes from ar;
 * what is dead before the end is handed back early, so ar's high-water mark is the forward
 * activations plus the largest single backward stage. */
batch_loss seq2seq_loss(const model *m, const batch *bt, const loss_options *opt,
                        model_weights *grad, arena *ar);

/* Target positions per pass of the output layer in seq2seq_loss(): its logits and their
 * gradient, [positions x target vocabulary], are held for this many only. 512 covers a
 * worker's half of a 64-pair batch of short sentences in one pass (each pass multiplies,
 * and so repacks, the output weights three times) and bounds memory for long ones. */
#define SEQ2SEQ_OUTPUT_ROWS 512

/* seq2seq_loss() with output_rows positions per pass of the output layer (for the tests:
 * any count gives the same loss and gradient, up to rounding). */
batch_loss seq2seq_loss_in_passes(const model *m, const batch *bt, const loss_options *opt,
                                  model_weights *grad, arena *ar, int output_rows);

#endif
