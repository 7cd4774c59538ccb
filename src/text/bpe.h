/* bpe: byte-pair-encoding subword units (Sennrich et al. 2016) over the tokenizer's tokens.
 *
 * Words. BPE splits words into units, never joins across words. A word is one token, except
 * that with han_runs set a run of adjacent Han tokens forms one word, so that merges can
 * join characters into Chinese words. A Han token is one the Chinese tokenizer makes: a
 * Han/kana/bopomofo character (is_cjk, not a combining mark) plus any combining marks after
 * it. Joining cuts such a word before each of those characters again, so a token that the
 * tokenizer cannot make (two Han characters in one token, as "中国") does not round-trip
 * under han_runs. Without han_runs each Han token stays a word of its own, so Chinese is
 * segmented into characters alone while Latin words still get merges.
 *
 * Symbols. A word starts as its codepoints, the last one flagged word-final (Sennrich's
 * "</w>"): "s" inside a word and "s" ending one are different symbols, and a merge of a
 * non-final symbol with its right neighbour is final when the neighbour is. The alphabet is
 * printable ASCII (always, in both positions, so English letters are always covered) plus
 * the most frequent other characters up to char_coverage of all character occurrences.
 * Any other character, and every invalid UTF-8 byte, space or control character, falls back
 * to its UTF-8 bytes, one unit per byte (at most 2 x 256 such units; they take no part in
 * merges), so segmentation never loses anything and never needs <unk>.
 *
 * Unit strings (what a vocabulary holds and the model sees): a symbol's text, then
 * BPE_MARK when the word continues after it (subword-nmt's "@@"); a byte unit is written
 * "〈E4〉" (U+2329, two upper-case hex digits, U+232A), BPE_MARK after it likewise. NFKC maps
 * U+FE6B to "@" and U+2329/U+232A to U+3008/U+3009, so tokenizer output never contains
 * them; a token that does (from elsewhere) still round-trips, those characters always going
 * to bytes. Units hold no space or control byte: valid vocabulary tokens.
 *
 * Learning is the standard greedy merge of the most frequent adjacent symbol pair (ties:
 * the pair of lower symbol ids, i.e. more frequent characters and earlier merges), with
 * pair counts updated incrementally and a lazy max-heap, over the word-type list. Counting
 * words runs on several threads; the merges never depend on the thread count. */
#ifndef SEQTRANS_BPE_H
#define SEQTRANS_BPE_H
#include <stddef.h>
#include <stdint.h>

#include "text/text.h"

#define BPE_MARK "\xef\xb9\xab"        /* U+FE6B SMALL COMMERCIAL AT: "the word goes on" */
#define BPE_MAX_UNIT_CHARS 64          /* the longest unit a model file may hold */

/* ---- word counts ------------------------------------------------------------------------ */

typedef struct bpe_counter bpe_counter;

/* han_runs: group adjacent Han tokens into one word (see above); the model learnt from the
 * counter keeps the setting. */
bpe_counter *bpe_counter_new(int han_runs);
void bpe_counter_free(bpe_counter *c);
/* Adds the words of one tokenized line (tokens as text_tokenize makes them). */
void bpe_counter_add_tokens(bpe_counter *c, const char *const *tokens, int n);
/* Adds count occurrences of one word (len bytes, taken as it is). */
void bpe_counter_add_word(bpe_counter *c, const char *word, size_t len, long count);
/* Adds every count of from to into (for a joint vocabulary: count each side, then absorb
 * one into the other; the learnt model keeps into's han_runs). */
void bpe_counter_absorb(bpe_counter *into, const bpe_counter *from);
/* Distinct words counted so far. */
size_t bpe_counter_types(const bpe_counter *c);
/* Occurrences of word counted so far (0 when never seen). */
long bpe_counter_count(const bpe_counter *c, const char *word, size_t len);

/* Tokenizes lines[0..n) (lens[i] bytes each) with lang's tokenizer on `threads` workers and
 * counts their words. A line the tokenizer refuses (invalid UTF-8, NUL) is skipped and
 * counted in *refused (may be NULL). Never NULL. */
bpe_counter *bpe_count_lines(lang_t lang, const char *const *lines, const size_t *lens, long n,
                             int han_runs, int threads, long *refused);

/* ---- learning ---------------------------------------------------------------------------- */

typedef struct {
    int vocab_size;        /* symbols: alphabet characters (both positions counted) + merges;
                              byte units come on top; the 188 printable-ASCII symbols are
                              kept even when this is smaller. Default 32000. */
    double char_coverage;  /* share of character occurrences the alphabet covers (0.9999) */
    int max_unit_chars;    /* no unit longer than this many codepoints (16, at most 64) */
    long min_pair_count;   /* stop when the best pair occurs fewer times (2) */
    int threads;           /* for counting inside bpe_learn (2); never changes the result */
} bpe_options;

void bpe_options_default(bpe_options *o);

typedef struct bpe bpe;

/* Learns merges from the counted words. Returns NULL with an error printed when an option
 * is out of range. An empty counter gives a model of the alphabet alone. */
bpe *bpe_learn(const bpe_counter *c, const bpe_options *o);
void bpe_free(bpe *b);

int bpe_han_runs(const bpe *b);
int bpe_num_merges(const bpe *b);
/* Alphabet symbols (characters in either position, not counting byte units). */
int bpe_num_chars(const bpe *b);
/* Merge rank r (0 = first learnt) as its two unit strings and the result; 0, or -1 when r
 * is out of range. Strings are owned by the model. */
int bpe_merge(const bpe *b, int r, const char **left, const char **right, const char **result);

/* ---- segmentation ------------------------------------------------------------------------ */

/* The units of one line. Reuse one per thread: it keeps a cache of segmented words (bounded;
 * cleared when full or when used with another model). unit[0..n) are owned by the model. */
typedef struct {
    int n;
    const char **unit;
    /* private: */
    int cap;
    const bpe *model;      /* the cache belongs to this model */
    void *cache;
    char *word;            /* the word being built */
    size_t word_cap;
    int32_t *sym;          /* symbols of the word being segmented */
    int *rank;
    size_t sym_cap;
} bpe_units;

void bpe_units_init(bpe_units *u);
void bpe_units_free(bpe_units *u);

/* Segments tokens[0..n) into units (out->n of them, also returned). Never fails. */
int bpe_segment(const bpe *b, const char *const *tokens, int n, bpe_units *out);

/* ---- joining ----------------------------------------------------------------------------- */

/* Tokens joined back from units: tok[0..n) in the list's own buffer, valid until the next
 * bpe_join on it. */
typedef struct {
    int n;
    char **tok;
    /* private: */
    int cap;
    size_t *start;
    char *buf;
    size_t len, buf_cap;
} bpe_tokens;

void bpe_tokens_init(bpe_tokens *t);
void bpe_tokens_free(bpe_tokens *t);

/* The inverse of bpe_segment: units[0..n) back to tokens, exactly those that were segmented.
 * Takes any strings (a decoder's output): a unit without BPE_MARK ends a word, a trailing
 * unfinished word is ended, empty units are ignored, other strings (such as "<unk>") are
 * text, and a word whose byte units do not form valid UTF-8 gets U+FFFD for each bad byte.
 * With han_runs a word that starts with a Han character is split before each one. Returns
 * the number of tokens. */
int bpe_join(const bpe *b, const char *const *units, int n, bpe_tokens *out);

/* ---- serialization ----------------------------------------------------------------------- */

/* Bytes for the model file, all u32 little-endian: version (1), flags (bit 0: han_runs),
 * alphabet size A, merge count M; A alphabet entries (codepoint | final << 31, in symbol id
 * order); M merges (left id, right id; ids: 0..511 bytes, 512.. the alphabet, then merge r
 * has id 512 + A + r). Same model, same bytes. malloc'd; *len receives the length. */
char *bpe_serialize(const bpe *b, size_t *len);
/* The inverse. Checks every length and refuses anything malformed (wrong version or flags,
 * truncation, trailing bytes, codepoints not allowed in the alphabet, duplicates, merges of
 * unknown or byte symbols, a final left side, a repeated pair, a unit past
 * BPE_MAX_UNIT_CHARS): returns -1 with an error printed, else 0 with *out set. */
int bpe_deserialize(const char *buf, size_t len, bpe **out);

#endif
