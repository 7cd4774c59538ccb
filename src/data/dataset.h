/* dataset: sentence pairs as vocabulary ids, and minibatches of similar lengths.
 * Batches are cut from the corpus sorted by length within large shuffled windows, so each
 * holds sentences of about the same length (little padding) and every epoch sees a new
 * order; the order depends only on the generator passed in. */
#ifndef SEQTRANS_DATASET_H
#define SEQTRANS_DATASET_H
#include "nn/seq2seq.h"
#include "sys/util.h"

typedef struct {
    long n;
    int *ids;        /* all sequences back to back */
    long *src_off, *tgt_off;
    int *src_len, *tgt_len; /* tgt_len excludes </s> */
    long cap_ids, cap_pairs;
} dataset;

void dataset_init(dataset *d);
void dataset_add(dataset *d, const int *src, int src_len, const int *tgt, int tgt_len);
/* Appends from's pairs to d, in order. */
void dataset_append(dataset *d, const dataset *from);
void dataset_free(dataset *d);

/* The pairs of one epoch, grouped into batches: order[] holds pair indices, batch k covers
 * order[start[k] .. start[k+1]). */
typedef struct {
    long *order;
    long *start;
    long n_batches;
} epoch_plan;

/* Batches of at most batch_size pairs and, when max_tokens > 0, at most max_tokens padded
 * tokens (pairs x the longest side of any of them, target counting </s>), so that one long
 * paragraph does not blow the memory of a step and short sentences fill theirs. */
void epoch_plan_make(const dataset *d, int batch_size, long max_tokens, rng_t *rng, epoch_plan *p);
void epoch_plan_free(epoch_plan *p);

/* Fills bt (buffers from the arena) with pairs idx[0..n). */
void batch_fill(batch *bt, const dataset *d, const long *idx, int n, arena *ar);

#endif
