/* translator: text in, text out, around decode: mask protected spans (when the model was
 * trained with them), tokenize the source, split it into the model's units (subwords or
 * words, text/subwords.h), map to ids (cropping over-long input), search,
 * map back, replace unknown words, detokenize, put the spans back. Used by
 * `translate`, by `eval` and by the dev-set evaluation during training. */
#ifndef SEQTRANS_TRANSLATOR_H
#define SEQTRANS_TRANSLATOR_H
#include "sys/arena.h"
#include "search/decode.h"
#include "nn/model.h"
#include "text/spans.h"
#include "text/subwords.h"
#include "text/text.h"

#define TRANSLATOR_MAX_SRC_TOKENS 200

#define TRANSLATOR_CHUNK 128        /* sentences searched together, at most */
#define TRANSLATOR_BEAM_ROWS 160     /* hypotheses searched together, about */
#define TRANSLATOR_CHUNK_TOKENS 2048 /* source tokens (longest x sentences) per search, about */

/* What an alignment shows, appended after the translation. */
typedef enum { ALIGN_NONE, ALIGN_HARD, ALIGN_SOFT } alignment_kind;

/* One translation of a line, with what translate_lines_full was asked for. */
typedef struct {
    char *text;       /* detokenized; malloc'd */
    float score;      /* length-normalised log-probability (score / (tokens + 1)^alpha) */
    /* malloc'd, NULL without an alignment: hard, Moses style "i-j" pairs (source token i,
     * output token j, the source token attended most); soft, for every output token and
     * then the end of sentence one group of comma-separated weights over the source tokens,
     * groups separated by spaces. Tokens are the model's: `tokenize -m` shows them. */
    char *alignment;
} translation;

typedef struct {
    const model *m;
    decode_options opt;
    alignment_kind alignment;
    token_list *tok;   /* one per line of the current batch */
    subwords *units;   /* one per line: its tokens as the model's units */
    subwords joined;   /* an output's units back to tokens */
    masked_line *masked; /* with protect: each line with its spans masked */
    int tok_cap;
    int protect;       /* the model was trained with protected spans (its source vocabulary
                        * has their placeholders): mask them, translate, put them back */
    int workers;       /* threads, each searching its own chunks with single-threaded BLAS */
    arena *ar;         /* [workers] */
} translator;

void translator_init(translator *tr, const model *m, const decode_options *opt);
/* Splits each batch over n threads (1 by default); the caller keeps BLAS single-threaded. */
void translator_set_workers(translator *tr, int n);
void translator_free(translator *tr);

/* Translates n lines (NUL-terminated UTF-8); out[i] gets a malloc'd translation. Lines are
 * searched in chunks of similar length; the result does not depend on n or the workers. A line
 * that is not valid UTF-8 gives "" and status[i] = -1; a cropped line gives status 1;
 * else 0. status may be NULL. */
void translate_lines(translator *tr, const char *const *lines, int n, char **out, int *status);

/* translate_lines, with every result: out[i * k + j] (k = max(opt.nbest, 1)) is the j-th
 * best translation of line i, found[i] how many there are (may be fewer than k; 1 for an
 * empty or invalid line, whose translation is ""). Free each with translation_free. */
void translate_lines_full(translator *tr, const char *const *lines, int n, translation *out,
                          int *found, int *status);
void translation_free(translation *t);

/* 1 when m was trained with protected spans: its source vocabulary has their first
 * placeholder (training masks every pair; a corpus with too few spans for a placeholder to
 * make the vocabulary gives a model that masks nothing, in training as in translation). */
int model_protects_spans(const model *m);

/* Ids of one line's units (unknown ones -> <unk>), at most max ids. */
int encode_units(const vocab *v, const char *const *units, int n, int *ids, int max);

#endif
