/* progress: what a training run tells while it runs: the progress line on stderr (redrawn
 * in place on a terminal, every 10 s otherwise), the line per epoch, and the metrics file
 * (one JSON object per line: progress, epoch, eval, interrupted, done, new_data). It also keeps the
 * training loss of the epoch so far, which those report. */
#ifndef SEQTRANS_PROGRESS_H
#define SEQTRANS_PROGRESS_H
#include <stdio.h>

#include "search/evaluate_corpus.h"
#include "train/checkpoint.h"
#include "train/train.h"

typedef struct {
    const train_options *o;
    FILE *metrics;          /* NULL: none asked for */
    double t0, last_report; /* this process's start */
    double elapsed_before;  /* training seconds before this process */
    long tokens_at_start;   /* target tokens before this process, for its rate */
    double loss_sum;        /* since the epoch began */
    long loss_tokens;
    double last_epoch_loss; /* reported when a run ends on an epoch boundary */
} progress;

/* Opens the metrics file (appending) if o asks for one. Returns 0, or -1 with an error. */
int progress_open(progress *p, const train_options *o);
void progress_close(progress *p);
/* The clock starts now, for a run at rs. */
void progress_start(progress *p, const run_state *rs);
/* Training seconds, those before this process included. */
double progress_run_seconds(const progress *p);

void progress_add_loss(progress *p, double nll, long tokens);
double progress_train_loss(const progress *p);

/* The progress line (forced, or when it is time) and a "progress" metrics line. */
void progress_report(progress *p, const run_state *rs, long n_batches, float lr, int force);
/* The line of an epoch just ended (with its dev scores when there is a dev set), its
 * metrics line; the epoch's loss then starts again. */
void progress_end_epoch(progress *p, const run_state *rs, float lr, const eval_result *dev,
                        int improved);
/* The line and metrics line ("eval") of a dev evaluation within an epoch (--eval-every). */
void progress_evaluation(progress *p, const run_state *rs, float lr, const eval_result *dev,
                         int improved);
/* A metrics line for event; dev may be NULL. */
void progress_metrics(progress *p, const char *event, const run_state *rs, float lr,
                      const eval_result *dev);
/* The line a finished run ends with: epochs, steps, time, the best epoch and its dev BLEU,
 * the model's path and size (nothing with --quiet). */
void progress_summary(const progress *p, const run_state *rs, const char *model_path, long long bytes);

#endif
