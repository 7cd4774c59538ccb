/* step: one optimizer step of training, in parallel. The batch is split between workers;
 * each runs forward and backward over its share into its own gradient, the step's gradient
 * is their sum, and its norm decides clipping before Adam applies it. The workers, their
 * gradients and scratch are owned here, and so is how little of the embedding gradients a
 * step touches (see step.c). */
#ifndef SEQTRANS_STEP_H
#define SEQTRANS_STEP_H
#include "data/dataset.h"
#include "nn/model.h"
#include "nn/optim.h"

typedef struct train_step train_step;

/* The batch of a step: pairs order[0..n) of data, and how the loss is taken. */
typedef struct {
    const dataset *data;
    const long *order;
    long n;
    float dropout, label_smoothing;
    int passes;          /* each worker computes its share in this many runs of pairs */
} step_batch;

typedef struct {
    batch_loss loss;     /* summed over the workers */
    double grad_norm;    /* of the step's gradient */
} step_result;

/* Workers for m: threads (at least 1), no more than the pairs of a batch (its share of it in a
 * distributed run: the ranks come from sys/dist.h). Sets BLAS
 * single-threaded: the workers are the parallelism. */
train_step *train_step_new(model *m, int threads, int batch_size);
void train_step_free(train_step *s);
int train_step_workers(const train_step *s);
/* Seconds spent in communication with the other ranks so far (0 in one process). */
double train_step_comm_seconds(const train_step *s);
/* Of those, seconds spent waiting for the other ranks to finish their backward pass. */
double train_step_wait_seconds(const train_step *s);
/* Bytes of gradient this rank sent so far. */
double train_step_comm_bytes(const train_step *s);

/* Forward and backward over b; each worker draws its dropout stream from drop_rng. The
 * gradient then waits for train_step_apply() or train_step_skip(). */
step_result train_step_compute(train_step *s, const step_batch *b, rng_t *drop_rng);
/* Adam on the gradient, scaled down to norm clip when it is larger (clip <= 0: never);
 * clears the gradient for the next step. */
void train_step_apply(train_step *s, adam *opt, double grad_norm, float clip);
/* Drops the gradient (a step that is not to be taken). */
void train_step_skip(train_step *s);

/* Hands back the workers' scratch and gradient memory (between steps) where something else
 * is to use it: the steps that follow make it resident again. */
void train_step_release(train_step *s);

#endif
