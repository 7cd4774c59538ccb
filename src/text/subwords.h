/* subwords: the units a model sees for a tokenized line, and the tokens back from units.
 * With a BPE model (text/bpe.h) tokens are segmented into units; without one (a word-level
 * model) units are the tokens themselves. Placeholders of protected spans (text.h) are
 * always whole units: never segmented, never joined to a neighbour, even when a decoder
 * puts one after an unfinished word. */
#ifndef SEQTRANS_SUBWORDS_H
#define SEQTRANS_SUBWORDS_H
#include "text/bpe.h"

typedef struct {
    int n;
    const char **unit;   /* split: the units; join: the tokens (valid until the next call) */
    /* private: */
    int cap;
    bpe_units seg;
    bpe_tokens joined;
    char *buf;           /* join: the tokens' text */
    size_t len, buf_cap;
    size_t *start;       /* join: each token's offset into buf */
    int start_cap;
} subwords;

void subwords_init(subwords *s);
void subwords_free(subwords *s);

/* 1 when tok is a placeholder token (one placeholder codepoint). */
int subwords_is_placeholder(const char *tok);

/* The units of tokens[0..n) under b (NULL: the tokens); returns s->n. */
int subwords_split(subwords *s, const bpe *b, const char *const *tokens, int n);
/* The tokens of units[0..n) under b (NULL: the units); returns s->n. */
int subwords_join(subwords *s, const bpe *b, const char *const *units, int n);

#endif
