/* metrics: corpus BLEU and chrF exactly as sacreBLEU 2.x computes them.
 *
 * BLEU: sacreBLEU's defaults (n-grams 1..4, clipped counts with the maximum count over
 * the references, brevity penalty against the closest reference length with ties going
 * to the shorter one, 'exp' smoothing, no effective order), with the tokenizers 13a, zh,
 * char and none, and optional lowercasing (Python's str.lower(): full mapping of U+0130
 * and the final-sigma rule included).
 * chrF: sacreBLEU's default chrF2 (character n-grams 1..6, beta 2, no word n-grams,
 * whitespace removed, effective-order averaging); with several references, each sentence
 * contributes the statistics of the reference with the best sentence-level chrF (first
 * one on ties). chrF is never lowercased (sacreBLEU's -lc applies to BLEU only).
 *
 * Text is UTF-8 (validate it first: metrics_utf8_invalid); whitespace is Python's
 * str.split() whitespace (ASCII \t\n\v\f\r, 0x1C-0x1F, space, U+0085, U+00A0, U+1680,
 * U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). An empty string is a valid
 * sentence (and a valid reference). */
#ifndef SEQTRANS_METRICS_H
#define SEQTRANS_METRICS_H
#include <stddef.h>
#include <stdio.h>

typedef enum { BLEU_TOK_13A, BLEU_TOK_ZH, BLEU_TOK_CHAR, BLEU_TOK_NONE } bleu_tokenizer;

/* "13a", "zh", "char" or "none"; returns 0, or -1 if unknown (then *out is unchanged). */
int bleu_tokenizer_parse(const char *name, bleu_tokenizer *out);
/* The signature name of a tokenizer ("13a", "zh", "char", "none"). */
const char *bleu_tokenizer_name(bleu_tokenizer tok);

/* The BLEU tokenization of one sentence, as sacreBLEU's BLEU sees it (lowercased first
 * when asked, then rstripped and tokenized): the tokens joined by single spaces, in a
 * string to free(). */
char *metrics_tokenize(bleu_tokenizer tok, int lowercase, const char *s);

/* Accumulates the sufficient statistics of a corpus, one sentence at a time. */
typedef struct metrics metrics;

/* nrefs >= 1 references per sentence; lowercase applies to BLEU only. */
metrics *metrics_new(bleu_tokenizer tok, int lowercase, int nrefs);
/* Adds one sentence: the hypothesis and its nrefs references (NUL-terminated UTF-8). */
void metrics_add(metrics *m, const char *hyp, const char *const *refs);
void metrics_free(metrics *m);

typedef struct {
    double bleu, bp, precisions[4], chrf;   /* bleu, precisions and chrf are 0..100 */
    long counts[4], totals[4], sys_len, ref_len, sentences;
    char bleu_signature[128], chrf_signature[128];
} metrics_result;

/* Scores everything added so far (the accumulator stays usable). */
void metrics_result_get(const metrics *m, metrics_result *out);

/* Report printing, used by `eval` in both forms. json: one JSON object on one line with
 * "bleu", "chrf", "bleu_signature", "chrf_signature", "counts", "totals", "precisions",
 * "bp", "sys_len", "ref_len", "sentences"; otherwise a short sacreBLEU-style text report.
 * extra_json is NULL or further members, e.g. "\"loss\": 1.23, \"ppl\": 3.4", put into
 * the object; extra_text is NULL or a line (or lines) for the text report. */
void metrics_print(FILE *out, const metrics_result *r, int json, const char *extra_json,
                   const char *extra_text);

/* Byte offset of the first invalid UTF-8 sequence in s[0..len) (overlong forms,
 * surrogates and code points above U+10FFFF are invalid, as in Python), or -1 if valid. */
long metrics_utf8_invalid(const char *s, size_t len);

/* 1 if s contains a Han ideograph or a kana character (used to pick the zh tokenizer). */
int metrics_has_cjk(const char *s);

/* Whole text file as lines, for scoring: path "-" is stdin. A byte-order mark at the
 * start and CRLF line ends are accepted. A NUL byte or invalid UTF-8 is an error:
 * reported as "seqtrans: FILE:LINE: ..." with st_error, like a file that cannot be opened
 * or read; returns -1 then (nothing to free), else 0. */
typedef struct {
    char **lines;   /* NUL-terminated, without the line end */
    long n;
} text_lines;
int text_lines_load(const char *path, text_lines *out);
void text_lines_free(text_lines *t);

#endif
