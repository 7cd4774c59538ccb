/* decode: batched beam search over the model (beam 1 is greedy search).
 * Scores are sums of log-probabilities; finished hypotheses compete on score / length^alpha
 * (length counting </s>). Output is at most 2 * source length + 10 tokens. */
#ifndef SEQTRANS_DECODE_H
#define SEQTRANS_DECODE_H
#include "sys/arena.h"
#include "nn/model.h"

typedef struct {
    int beam;         /* 1: greedy */
    float len_alpha;  /* length normalisation exponent */
    int nbest;        /* finished hypotheses kept per sentence (0 or 1: the best); a beam
                       * narrower than nbest finds at most beam */
    int logprob;      /* greedy search computes true log-probabilities too (beams always do) */
    int attention;    /* keep each hypothesis's attention weights (soft alignment) */
} decode_options;

typedef struct {
    int *tokens;   /* target ids, without </s>; malloc'd */
    int *src_pos;  /* for each token, the source position attended most */
    int len;       /* 0 with tokens NULL: no such hypothesis (fewer finished than asked) */
    float score;   /* log-probability, including </s> (greedy search without logprob: sum of
                    * raw logits) */
    float norm;    /* score / (len + 1)^alpha, what hypotheses are ranked by */
    float *attention; /* with o->attention: [len + 1][src_len] weights over the source, the
                       * last row the step that ended it; malloc'd */
} hypothesis;

/* Translates n sentences src[i][0..src_len[i]): out[i * k + j] is sentence i's j-th best
 * hypothesis, k = max(o->nbest, 1). */
void decode_sentences(const model *m, const int *const *src, const int *src_len, int n,
                      const decode_options *o, arena *ar, hypothesis *out);
void hypothesis_free(hypothesis *h);

int decode_max_len(int src_len);

#endif
