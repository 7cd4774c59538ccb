/* decode: batched beam search over the model (beam 1 is greedy search).
 * Scores are sums of log-probabilities; finished hypotheses compete on score / length^alpha.
 * Output is at most 2 * source length + 10 tokens. */
#ifndef SEQTRANS_DECODE_H
#define SEQTRANS_DECODE_H
#include "sys/arena.h"
#include "nn/model.h"

typedef struct {
    int beam;         /* 1: greedy */
    float len_alpha;  /* length normalisation exponent */
} decode_options;

typedef struct {
    int *tokens;   /* target ids, without </s>; malloc'd */
    int *src_pos;  /* for each token, the source position attended most */
    int len;
    float score;   /* log-probability, including </s> (greedy search: sum of raw logits) */
} hypothesis;

/* Translates n sentences src[i][0..src_len[i]) and fills out[i]. */
void decode_sentences(const model *m, const int *const *src, const int *src_len, int n,
                      const decode_options *o, arena *ar, hypothesis *out);
void hypothesis_free(hypothesis *h);

int decode_max_len(int src_len);

#endif
