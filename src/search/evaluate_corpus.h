/* evaluate_corpus: a model on sentence pairs: teacher-forced cross-entropy and perplexity,
 * and BLEU / chrF of its translations against the targets. Used by `eval TEST.tsv` and
 * by the dev-set evaluation after each training epoch. */
#ifndef SEQTRANS_EVALUATE_CORPUS_H
#define SEQTRANS_EVALUATE_CORPUS_H
#include "data/corpus.h"
#include "text/metrics.h"
#include "nn/model.h"
#include "text/subwords.h"
#include "text/text.h"

typedef struct {
    double loss, ppl;    /* mean cross-entropy per target token (nats), exp(loss) */
    long tokens;
    long src_units, src_unknown, tgt_units, tgt_unknown; /* <unk> among the encoded units */
    metrics_result scores;
} eval_result;

/* Buffers for encode_pair, reused from pair to pair: one subwords per side, so that each
 * keeps its cache of segmented words (a side's BPE replaced clears it). */
typedef struct {
    token_list tl;
    subwords sw[2];
} pair_encoder;
void pair_encoder_init(pair_encoder *pe);
void pair_encoder_free(pair_encoder *pe);

/* Source and target of pair i as ids of the model's units (unknown ones -> <unk>, at most
 * max each). Returns 0, or -1 when a side does not tokenize (invalid UTF-8). */
int encode_pair(const model *m, const corpus_pair *p, pair_encoder *pe, int *src, int *src_len,
                int *tgt, int *tgt_len, int max);

/* translations: when not NULL, receives the n malloc'd output lines. threads: workers,
 * each with single-threaded BLAS (the caller sets BLAS to one thread). */
int evaluate_corpus(const model *m, const corpus *c, int beam, int threads, eval_result *out,
                    char ***translations);

/* The BLEU tokenizer for a target language: zh for Chinese, 13a otherwise. */
bleu_tokenizer bleu_tokenizer_for(lang_t lang);

#endif
