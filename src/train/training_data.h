/* training_data: the corpora as a training run reads them: each side's language, the
 * vocabularies of a new model, and the sentence pairs as ids. */
#ifndef SEQTRANS_TRAINING_DATA_H
#define SEQTRANS_TRAINING_DATA_H
#include "data/corpus.h"
#include "data/dataset.h"
#include "nn/model.h"
#include "train/train.h"

/* Reads the corpus at path (--strict, --reverse as o says). 0, or -1 with an error printed. */
int training_read(const char *path, const train_options *o, corpus *c);
/* The languages (the side with more Han characters is Chinese) and vocabularies of a new
 * model for c, set in cfg; *sv and *tv are the vocabularies. */
void training_vocabularies(const corpus *c, const train_options *o, model_config *cfg, vocab **sv,
                           vocab **tv);
/* c's pairs as m's ids into d (which it sets), leaving out (and counting) those longer than --max-len.
 * Both this and training_vocabularies run on o's threads. Returns 0, or -1 with an error
 * printed when none is left. */
int training_encode(const model *m, const corpus *c, const train_options *o, dataset *d, const char *name);
/* A resumed run reads its corpora the way the model m translates: c turned round if not. */
void training_orient_like_model(const model *m, corpus *c, const char *name);

#endif
