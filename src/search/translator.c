#include "search/translator.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/blas.h"
#include "sys/parallel.h"
#include "text/vocab.h"

int model_protects_spans(const model *m)
{
    return m->src_vocab && vocab_lookup(m->src_vocab, "\xEE\x80\x81" /* U+E001 */) != VOCAB_UNK;
}

void translator_init(translator *tr, const model *m, const decode_options *opt)
{
    memset(tr, 0, sizeof *tr);
    tr->m = m;
    tr->opt = *opt;
    tr->protect = model_protects_spans(m);
    translator_set_workers(tr, 1);
}

void translator_set_workers(translator *tr, int n)
{
    for (int w = 0; w < tr->workers; w++) arena_free(&tr->ar[w]);
    free(tr->ar);
    tr->workers = n > 0 ? n : 1;
    tr->ar = xcalloc(tr->workers, sizeof *tr->ar);
}

void translator_free(translator *tr)
{
    for (int i = 0; i < tr->tok_cap; i++) token_list_free(&tr->tok[i]);
    free(tr->tok);
    free(tr->masked);
    for (int w = 0; w < tr->workers; w++) arena_free(&tr->ar[w]);
    free(tr->ar);
}

int encode_tokens(const vocab *v, const token_list *t, int *ids, int max)
{
    int n = t->n < max ? t->n : max;
    for (int i = 0; i < n; i++) ids[i] = vocab_lookup(v, t->tok[i]);
    return n;
}

/* A source token worth copying in place of <unk>: names and numbers in Latin script. */
static int copyable(const char *tok)
{
    const unsigned char *p = (const unsigned char *)tok;
    if (!*p) return 0;
    for (; *p; p++)
        if (*p >= 0x80) return 0;
    unsigned char c = (unsigned char)tok[0];
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Hypotheses searched per line: the n best asked for, or the best. */
static int results_per_line(const translator *tr) { return tr->opt.nbest > 1 ? tr->opt.nbest : 1; }

/* A hypothesis's output tokens: unknown words replaced by a copy of the source word they
 * attend to most, where that is a name or a number, and otherwise left out rather than shown
 * as <unk>. keep[i] is the hypothesis position of output token i. Returns their number. */
static int output_tokens(const translator *tr, const hypothesis *h, const token_list *src,
                         const char **toks, int *keep)
{
    int n = 0;
    for (int i = 0; i < h->len; i++) {
        const char *t = NULL;
        if (h->tokens[i] == VOCAB_UNK) {
            int j = h->src_pos[i];
            if (j >= 0 && j < src->n && copyable(src->tok[j])) t = src->tok[j];
        } else if (h->tokens[i] != VOCAB_EOS) {
            t = vocab_token(tr->m->tgt_vocab, h->tokens[i]);
        }
        if (!t) continue;
        keep[n] = i;
        toks[n++] = t;
    }
    return n;
}

/* A growing string for alignments. */
typedef struct {
    char *p;
    size_t len, cap;
} text_buf;

static void buf_printf(text_buf *b, const char *fmt, double v1, double v2)
{
    for (;;) {
        size_t room = b->cap - b->len;
        int k = snprintf(b->p + b->len, room, fmt, v1, v2);
        if (k >= 0 && (size_t)k < room) {
            b->len += (size_t)k;
            return;
        }
        b->cap = b->cap * 2 + 64;
        b->p = xrealloc(b->p, b->cap);
    }
}

/* The alignment of the n output tokens (keep: their hypothesis positions) over the src_len
 * source tokens, as translation.alignment describes. */
static char *alignment_text(alignment_kind kind, const hypothesis *h, const int *keep, int n, int src_len)
{
    text_buf b = {xmalloc(64), 0, 64};
    b.p[0] = 0;
    if (kind == ALIGN_HARD) {
        for (int i = 0; i < n; i++) buf_printf(&b, i ? " %.0f-%.0f" : "%.0f-%.0f", h->src_pos[keep[i]], i);
        return b.p;
    }
    for (int i = 0; i <= n; i++) { /* row n: the step that ended the sentence */
        const float *row = h->attention + (size_t)(i < n ? keep[i] : h->len) * src_len;
        for (int j = 0; j < src_len; j++) buf_printf(&b, j ? ",%.3f" : i ? " %.3f" : "%.3f", row[j], 0);
    }
    return b.p;
}

/* The spans of the line put back into its translation (which is taken over). */
static char *restore_spans(const translator *tr, char *text, const masked_line *m)
{
    if (!m->text || m->n == 0) return text;
    char *out = spans_restore((lang_t)tr->m->cfg.tgt_lang, text, strlen(text), m, NULL);
    free(text);
    return out;
}

static translation hypothesis_translation(const translator *tr, const hypothesis *h,
                                          const token_list *src, const masked_line *m, int src_len)
{
    const char **toks = xmalloc((h->len ? h->len : 1) * sizeof *toks);
    int *keep = xmalloc((h->len ? h->len : 1) * sizeof *keep);
    int n = output_tokens(tr, h, src, toks, keep);
    char *text = restore_spans(tr, text_detokenize((lang_t)tr->m->cfg.tgt_lang, toks, n), m);
    translation t = {text, h->norm, NULL};
    if (tr->alignment != ALIGN_NONE) t.alignment = alignment_text(tr->alignment, h, keep, n, src_len);
    free(toks);
    free(keep);
    return t;
}

void translation_free(translation *t)
{
    free(t->text);
    free(t->alignment);
    memset(t, 0, sizeof *t);
}

static void ensure_token_lists(translator *tr, int n)
{
    if (n <= tr->tok_cap) return;
    tr->tok = xrealloc(tr->tok, n * sizeof *tr->tok);
    tr->masked = xrealloc(tr->masked, n * sizeof *tr->masked);
    for (int i = tr->tok_cap; i < n; i++) token_list_init(&tr->tok[i]);
    tr->tok_cap = n;
}

/* The sentences of one batch as ids, in order of length, and who searches which. */
typedef struct {
    translator *tr;
    int m;             /* sentences with at least one token */
    int chunks;        /* searches, longest first */
    int *chunk_end;    /* [chunks + 1]: search k takes sentences [chunk_end[k + 1], chunk_end[k]) */
    int *ids, *len, *line;
    const int **src;
    hypothesis *hyp;
    atomic_int next_chunk; /* chunks handed out so far */
} search_job;

typedef struct {
    int len, line;
} line_key;

static int by_length(const void *a, const void *b)
{
    const line_key *x = a, *y = b;
    return x->len != y->len ? x->len - y->len : x->line - y->line;
}

/* Sentences searched together: TRANSLATOR_CHUNK for greedy search; with a beam, as many as
 * keep about TRANSLATOR_BEAM_ROWS hypotheses, which is plenty for efficient products and
 * keeps each worker's memory (it grows with the hypotheses) in bounds. */
static int chunk_limit(int beam)
{
    int n = beam > 1 ? TRANSLATOR_BEAM_ROWS / beam : TRANSLATOR_CHUNK;
    return n < 1 ? 1 : n > TRANSLATOR_CHUNK ? TRANSLATOR_CHUNK : n;
}

/* Cuts the length-sorted sentences into searches, longest first (so that no worker is left
 * with the slowest one at the end), each of at most `most` sentences and, since a search's
 * memory grows with its sentences times the longest, about TRANSLATOR_CHUNK_TOKENS tokens:
 * many short sentences go together, which makes the products bigger and faster. */
static void plan_chunks(search_job *job, int most)
{
    job->chunk_end = xmalloc((size_t)(job->m + 1) * sizeof(int));
    int k = 0;
    for (int end = job->m; end > 0; k++) {
        int n = TRANSLATOR_CHUNK_TOKENS / job->len[end - 1];
        n = n < 1 ? 1 : n > most ? most : n > end ? end : n;
        job->chunk_end[k] = end;
        end -= n;
    }
    job->chunks = k;
    job->chunk_end[k] = 0;
}

/* Workers take the searches as they become free, longest first. */
static void search_chunks(void *ctx, int w)
{
    search_job *job = ctx;
    translator *tr = job->tr;
    for (int k; (k = atomic_fetch_add(&job->next_chunk, 1)) < job->chunks;) {
        int from = job->chunk_end[k + 1], n = job->chunk_end[k] - from;
        const int *lens[TRANSLATOR_CHUNK];
        int len[TRANSLATOR_CHUNK];
        for (int i = 0; i < n; i++) {
            lens[i] = job->src[from + i];
            len[i] = job->len[from + i];
        }
        arena_reset(&tr->ar[w]);
        decode_sentences(tr->m, lens, len, n, &tr->opt, &tr->ar[w], job->hyp + (size_t)from * results_per_line(tr));
    }
}

/* Tokenizes every line; the usable ones become job->m id sequences sorted by length. */
static void encode_lines(translator *tr, const char *const *lines, int n, int *status, search_job *job)
{
    job->ids = xmalloc((size_t)n * TRANSLATOR_MAX_SRC_TOKENS * sizeof(int));
    line_key *key = xmalloc(n * sizeof *key);
    job->m = 0;
    for (int i = 0; i < n; i++) {
        const char *text = lines[i];
        memset(&tr->masked[i], 0, sizeof tr->masked[i]);
        if (tr->protect && spans_mask(lines[i], strlen(lines[i]), &tr->masked[i]) >= 0) text = tr->masked[i].text;
        int k = text_tokenize((lang_t)tr->m->cfg.src_lang, text, strlen(text), &tr->tok[i]);
        if (k < 0) masked_line_free(&tr->masked[i]); /* invalid: the output stays empty */
        if (status) status[i] = k < 0 ? -1 : k > TRANSLATOR_MAX_SRC_TOKENS;
        /* empty or invalid lines get empty translations */
        if (k > 0)
            key[job->m++] = (line_key){encode_tokens(tr->m->src_vocab, &tr->tok[i],
                                                     job->ids + (size_t)i * TRANSLATOR_MAX_SRC_TOKENS,
                                                     TRANSLATOR_MAX_SRC_TOKENS), i};
    }
    qsort(key, job->m, sizeof *key, by_length);
    int m = job->m ? job->m : 1;
    job->line = xmalloc(m * sizeof(int));
    job->len = xmalloc(m * sizeof(int));
    job->src = xmalloc(m * sizeof *job->src);
    for (int j = 0; j < job->m; j++) {
        job->line[j] = key[j].line;
        job->len[j] = key[j].len;
        job->src[j] = job->ids + (size_t)key[j].line * TRANSLATOR_MAX_SRC_TOKENS;
    }
    free(key);
}

void translate_lines_full(translator *tr, const char *const *lines, int n, translation *out,
                          int *found, int *status)
{
    if (n <= 0) return;
    ensure_token_lists(tr, n);
    int k = results_per_line(tr);
    search_job job = {.tr = tr};
    encode_lines(tr, lines, n, status, &job);
    job.hyp = xcalloc((size_t)(job.m ? job.m : 1) * k, sizeof *job.hyp);
    int most = chunk_limit(tr->opt.beam), even = (job.m + tr->workers - 1) / tr->workers;
    plan_chunks(&job, even < 1 ? 1 : even < most ? even : most);
    int chunks = job.chunks;
    atomic_init(&job.next_chunk, 0);
    if (chunks == 1 && tr->workers > 1) {
        /* one chunk (say, one sentence): its products get the threads instead */
        int before = blas_set_threads(tr->workers);
        search_chunks(&job, 0);
        blas_set_threads(before);
    } else {
        parallel_run(chunks < tr->workers ? chunks : tr->workers, search_chunks, &job);
    }
    for (int i = 0; i < n; i++) {
        found[i] = 0;
        memset(out + (size_t)i * k, 0, k * sizeof *out);
    }
    for (int j = 0; j < job.m; j++) {
        int line = job.line[j];
        for (int q = 0; q < k; q++) {
            hypothesis *h = &job.hyp[(size_t)j * k + q];
            if (q == 0 || h->tokens)
                out[(size_t)line * k + found[line]++] =
                    hypothesis_translation(tr, h, &tr->tok[line], &tr->masked[line], job.len[j]);
            hypothesis_free(h);
        }
    }
    for (int i = 0; i < n; i++)
        if (!found[i]) { /* empty or invalid; a line of spans alone still gives them back */
            out[(size_t)i * k] = (translation){restore_spans(tr, xstrdup(""), &tr->masked[i]), 0, NULL};
            if (tr->alignment != ALIGN_NONE) out[(size_t)i * k].alignment = xstrdup("");
            found[i] = 1;
        }
    for (int i = 0; i < n; i++) masked_line_free(&tr->masked[i]);
    free(job.hyp);
    free(job.chunk_end);
    free(job.ids);
    free(job.len);
    free(job.line);
    free((void *)job.src);
}

void translate_lines(translator *tr, const char *const *lines, int n, char **out, int *status)
{
    if (n <= 0) return;
    int k = results_per_line(tr);
    translation *all = xmalloc((size_t)n * k * sizeof *all);
    int *found = xmalloc((size_t)n * sizeof *found);
    translate_lines_full(tr, lines, n, all, found, status);
    for (int i = 0; i < n; i++) {
        out[i] = all[(size_t)i * k].text;
        free(all[(size_t)i * k].alignment);
        for (int q = 1; q < found[i]; q++) translation_free(&all[(size_t)i * k + q]);
    }
    free(all);
    free(found);
}
