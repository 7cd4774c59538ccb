/* train: the training run. Reads the corpus, builds vocabularies and the model (or resumes
 * both from a model file), runs Adam over shuffled length-grouped minibatches, evaluates
 * the dev set after each epoch (or each --eval-every), keeps the best model, and saves a
 * resumable checkpoint after each epoch, each --save-every and when interrupted. */
#ifndef SEQTRANS_TRAIN_H
#define SEQTRANS_TRAIN_H

#include "sys/util.h"

typedef struct {
    const char *corpus, *dev, *model_path, *metrics_path;
    int reverse, epochs, batch, emb, hidden, layers, bidir, cell, seed, threads, resume, quiet, strict;
    double time_limit;   /* seconds, 0 = none */
    long max_steps;      /* 0 = none */
    long batch_tokens;   /* padded tokens per step at most (0 = no limit) */
    int accumulate;      /* batches per step, computed one after another: one update and one
                          * exchange between ranks per this many batches */
    float dropout, lr, clip, label_smoothing;
    int src_min_count, tgt_min_count, src_max_vocab, tgt_max_vocab, max_len;
    int dev_beam;
    float lr_decay;      /* multiply lr by this when dev BLEU does not improve */
    int patience;        /* stop after this many epochs without improvement (0 = never) */
    int new_data;        /* --resume on another corpus on purpose: a fresh pass over it */
    int subword;         /* SUBWORD_*: the units of a new model */
    int vocab_size;      /* --vocab-size: BPE symbols per side (or joint) */
    int joint_vocab;     /* one BPE and one vocabulary for both sides */
    period eval_every;   /* dev evaluations (and the schedule's decisions); 0: each epoch */
    period save_every;   /* saves besides the one at each epoch's end */
    /* the options given on the command line (long names), which resume checks against the
     * model (train/provenance.h) */
    const char *given[64];
    int n_given;
} train_options;

/* --subword: index in its choices (BPE_CHARS: Chinese stays characters, no merges), or
 * AUTO: SUBWORD_AUTO_LARGE for corpora of at least SUBWORD_AUTO_PAIRS pairs, word-level
 * below. On Tatoeba (27k pairs) word-level scored a little above bpe-chars in 6-minute runs
 * (dev BLEU 24.4 / 23.2) and alike in 3-minute ones, bpe (Chinese merged into words) far
 * lower, so small corpora stay word-level; above, the Chinese side's Latin runs
 * (identifiers, commands) are what fills a word vocabulary (not yet measured here). */
enum { SUBWORD_AUTO = -1, SUBWORD_NONE = 0, SUBWORD_BPE = 1, SUBWORD_BPE_CHARS = 2 };
#define SUBWORD_AUTO_PAIRS 100000
#define SUBWORD_AUTO_LARGE SUBWORD_BPE_CHARS

void train_options_default(train_options *o);

/* Returns the exit status: 0 done, 1 failure, 130 / 143 interrupted by SIGINT / SIGTERM
 * (after saving a checkpoint). */
int train_run(const train_options *o);

#endif
