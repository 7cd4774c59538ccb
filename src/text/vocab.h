/* vocab: token <-> id maps. Ids 0..3 are the special symbols; a vocabulary is built from
 * token counts in a fixed order (count descending, then token bytes ascending), so the same
 * corpus always gives the same ids. */
#ifndef SEQTRANS_VOCAB_H
#define SEQTRANS_VOCAB_H
#include <stddef.h>

enum { VOCAB_PAD = 0, VOCAB_UNK = 1, VOCAB_BOS = 2, VOCAB_EOS = 3, VOCAB_NUM_SPECIALS = 4 };
/* "<pad>", "<unk>", "<s>", "</s>" */
extern const char *const vocab_special_tokens[VOCAB_NUM_SPECIALS];

typedef struct vocab_counter vocab_counter;
typedef struct vocab vocab;

/* Counts token occurrences (a hash map owning copies of the tokens). */
vocab_counter *vocab_counter_new(void);
void vocab_counter_add(vocab_counter *c, const char *tok);
/* Adds from's counts to into's (counters of parts of a corpus, counted on several threads:
 * the sums, hence the vocabulary, do not depend on how it was split). */
void vocab_counter_merge(vocab_counter *into, const vocab_counter *from);
/* Occurrences of tok counted so far (0 when never seen). */
long vocab_counter_count(const vocab_counter *c, const char *tok);
void vocab_counter_free(vocab_counter *c);

/* The 4 specials, then every counted token seen at least min_count times, most frequent
 * first (ties: bytewise ascending), at most max_size entries in all, specials included
 * (max_size <= 0: no limit; below 4 it still keeps the specials). A counted token equal to
 * a special symbol is left out: it already has its id. Never NULL. */
vocab *vocab_build(const vocab_counter *c, int min_count, int max_size);

/* The id of tok, VOCAB_UNK when absent. O(1). */
int vocab_lookup(const vocab *v, const char *tok);
/* The token with this id, or NULL when id is out of range. */
const char *vocab_token(const vocab *v, int id);
int vocab_size(const vocab *v);
void vocab_free(vocab *v);

/* Bytes for the model file: u32 little-endian token count (specials included), then every
 * token in id order, NUL-terminated. malloc'd; *len receives the length. */
char *vocab_serialize(const vocab *v, size_t *len);
/* The inverse. Checks every length and terminator against len and refuses anything
 * malformed (truncation, trailing bytes, empty or non-UTF-8 tokens, tokens holding spaces or
 * control bytes, wrong specials, duplicates, a count the buffer cannot hold): returns -1
 * with an error printed, else 0 with *out set. */
int vocab_deserialize(const char *buf, size_t len, vocab **out);

#endif
