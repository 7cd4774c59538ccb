/* training_data: the corpora as a training run reads them: each side's language, the
 * vocabularies of a new model, and the sentence pairs as ids. */
#ifndef SEQTRANS_TRAINING_DATA_H
#define SEQTRANS_TRAINING_DATA_H
#include "data/corpus.h"
#include "data/dataset.h"
#include "nn/model.h"
#include "train/train.h"
#include "train/training_corpus.h"

/* Reads the whole corpus at path (--strict, --reverse as o says). 0, or -1 with an error printed. */
int training_read(const char *path, const train_options *o, corpus *c);
/* The units (SUBWORD_NONE, _BPE, _BPE_CHARS) of a new model for a corpus of `pairs` pairs. */
int training_subwords(const train_options *o, size_t pairs);
/* The languages (the side with more Han characters is Chinese), subword models and
 * vocabularies of a new model for tc, set in cfg; *sv and *tv are the vocabularies, *sb and
 * *tb the subword models (NULL: word-level; the same one with --joint-vocab). Returns 0, or
 * -1 with an error printed. */
int training_vocabularies(training_corpus *tc, const train_options *o, model_config *cfg, vocab **sv,
                          vocab **tv, bpe **sb, bpe **tb);
/* tc's pairs as m's ids into d (which it sets), leaving out (and counting) those longer than
 * --max-len. Both this and training_vocabularies run on o's threads. Returns 0, or -1 with
 * an error printed when none is left. */
int training_encode(const model *m, training_corpus *tc, const train_options *o, dataset *d);
/* A resumed run reads its corpora the way the model m translates: turned round if not. */
void training_orient_like_model(const model *m, corpus *c, const char *name);
void training_corpus_orient_like_model(const model *m, training_corpus *tc);

#endif
