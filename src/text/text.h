/* text: Unicode normalization, tokenization and detokenization for English and Chinese.
 *
 * Tokenization normalizes with NFKC (utf8proc: STABLE|COMPOSE|COMPAT, plus IGNORE, which
 * drops default-ignorable codepoints such as U+200B ZERO WIDTH SPACE and a stray BOM), then
 * splits; whitespace and control characters separate tokens and are dropped.
 *
 * English (LANG_EN): case is kept.
 *   - A word is a run of letters, digits and combining marks; a joiner between two such
 *     characters stays inside the word: ' ’ - . / & @ _ (so "well-known", "U.S", "e.g",
 *     "3.5", "o'clock", "and/or" are single tokens), and , : between two digits ("1,000",
 *     "10:30").
 *   - Clitics are split off the end of a word, Penn-Treebank style: "don't" -> "do n't",
 *     "can't" -> "ca n't", "I'm" -> "I 'm", "Tom's" -> "Tom 's" ('s 're 've 'd 'll 'm n't,
 *     any case, with ' or ’).
 *   - Every other character is a token of its own, except that a run of '.' ("...") or of
 *     '-' ("--") is one token.
 * Chinese (LANG_ZH): every Han/kana/bopomofo character is a token of its own; runs of
 *   letters and digits of other scripts form words exactly as in English (joiners included,
 *   so "3,000", "10:30" and "T-shirt" stay whole) but without clitic splitting; every other
 *   character is a token ("......", the NFKC form of "……", is one token).
 *   "我有3个iPhone" -> 我 有 3 个 iPhone.
 * In both languages a Han/kana character is a token of its own, and combining marks stay
 * with the character before them.
 * Placeholders (text_placeholder_number) are tokens of their own in both languages: never
 * joined to the letters around them, never given a combining mark.
 *
 * Detokenization is the inverse for text spaced the usual way: detok(tok(s)) == s for
 * normally spaced English and for Chinese written with full-width punctuation (see
 * text_detokenize). */
#ifndef SEQTRANS_TEXT_H
#define SEQTRANS_TEXT_H
#include <stddef.h>
#include <stdint.h>

typedef enum { LANG_EN, LANG_ZH } lang_t;

/* "en" or "zh" -> *out; returns 0, or -1 for anything else (nothing printed). */
int lang_parse(const char *s, lang_t *out);
const char *lang_name(lang_t lang);

/* The tokens of one line. Reuse one list across calls: once its buffers have grown to the
 * longest line, tokenizing allocates nothing. tok[0..n-1] point into the list's own arena
 * and stay valid until the next text_tokenize on the same list or token_list_free. */
typedef struct {
    int n;            /* number of tokens */
    char **tok;       /* NUL-terminated UTF-8 tokens */
    /* private: */
    int tok_cap;
    size_t *tok_start;       /* offsets into arena while building */
    char *arena;
    size_t arena_len, arena_cap;
    int32_t *cps;            /* normalized codepoints of the line */
    size_t cps_cap;
} token_list;

void token_list_init(token_list *t);
void token_list_free(token_list *t);

/* Tokenizes s[0..len). Returns the number of tokens (0 for an empty or all-space line),
 * or -1 when s is not valid UTF-8 or contains a NUL byte (out->n is then 0; nothing is
 * printed: the caller knows the file and line to name). */
int text_tokenize(lang_t lang, const char *s, size_t len, token_list *out);

/* Joins n tokens back into natural text; returns a malloc'd string the caller frees.
 * English: one space between tokens except none before , . ! ? ; : ) ] } % ” ’ and clitics,
 * none after ( [ { “ ‘ and a currency sign or # before a number; ASCII " alternates between
 * opening and closing; ' closes an open ' quote or a plural possessive ("boys'"), else
 * opens a quote.
 * Chinese: no spaces, except one between two adjacent Latin/digit tokens ("iPhone 15");
 * the ASCII , ? ! : ; ( ) that NFKC made of the full-width marks become ，？！：；（）
 * again, and "......" becomes "……", except where the mark stands between two Latin/digit
 * tokens (there it stays ASCII, with English spacing). Marks inside a token such as "3,000"
 * or "10:30" are never touched. A placeholder is spaced like a Latin word in Chinese (a
 * space next to Latin words and other placeholders, none next to Han), but the marks
 * around it are full-width ("`a`，`b`"); in English it is spaced like any other word.
 * Empty tokens are ignored. */
char *text_detokenize(lang_t lang, const char *const *tokens, int n);

/* Placeholders stand for protected spans (text/spans.h) in the text the model sees:
 * placeholder k (1..TEXT_PLACEHOLDER_MAX) is the private-use codepoint
 * TEXT_PLACEHOLDER_BASE + k, which NFKC leaves alone (no decomposition, not ignorable) and
 * which the corpora never contain. */
#define TEXT_PLACEHOLDER_BASE 0xE000
#define TEXT_PLACEHOLDER_MAX 32

/* k for placeholder k, else 0. */
int text_placeholder_number(int32_t cp);

/* Han ideographs (all CJK blocks), kana and bopomofo: the letters tokenized one by one. */
int is_cjk(int32_t cp);

/* 1 when s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or codepoints past
 * U+10FFFF), else 0. NUL bytes count as valid here. */
int utf8_valid(const char *s, size_t len);

#endif
