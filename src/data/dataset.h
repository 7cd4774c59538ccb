/* dataset: sentence pairs as vocabulary ids, and minibatches of similar lengths.
 * Batches are cut from the corpus sorted by length within large shuffled windows, so each
 * holds sentences of about the same length (little padding) and every epoch sees a new
 * order; the order depends only on the generator passed in. */
#ifndef SEQTRANS_DATASET_H
#define SEQTRANS_DATASET_H
#include "nn/seq2seq.h"
#include "sys/util.h"

/* A pair's source ids start at src_off, its target's right after them. The ids are 16-bit
 * while every one fits (vocabularies of up to 65,536 units: half the memory of a large
 * corpus), and widen to int when one does not. */
typedef struct {
    long n;
    void *ids;       /* all sequences back to back: uint16_t, or int when wide */
    int wide;
    long *src_off;
    int *src_len, *tgt_len; /* tgt_len excludes </s> */
    long used_ids, cap_ids, cap_pairs;
} dataset;

void dataset_init(dataset *d);
void dataset_add(dataset *d, const int *src, int src_len, const int *tgt, int tgt_len);
/* Empties d, keeping its room (and its width). */
void dataset_clear(dataset *d);
/* Appends from's pairs to d, in order. */
void dataset_append(dataset *d, const dataset *from);
/* Gives back the room reserved for pairs still to come. */
void dataset_trim(dataset *d);
void dataset_free(dataset *d);

/* Id `at` of the back-to-back sequences; pair p's source is at src_off[p] on, its target
 * at src_off[p] + src_len[p] on. */
static inline int dataset_id(const dataset *d, long at)
{
    return d->wide ? ((const int *)d->ids)[at] : ((const unsigned short *)d->ids)[at];
}

/* h (a running CRC-32C) extended by every pair's ids and lengths. */
uint32_t dataset_digest(const dataset *d, uint32_t h);

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
