#include "train/training_data.h"

#include <stdlib.h>
#include <string.h>

#include "search/evaluate_corpus.h"
#include "sys/parallel.h"
#include "text/spans.h"
#include "text/text.h"

/* The side with more Han characters is Chinese. */
static void detect_languages(const corpus *c, model_config *cfg)
{
    int zh_first = corpus_source_is_chinese(c);
    cfg->src_lang = zh_first ? LANG_ZH : LANG_EN;
    cfg->tgt_lang = zh_first ? LANG_EN : LANG_ZH;
}

/* Reading a corpus of a million long pairs is mostly masking and tokenizing, done pair by
 * pair: the pairs are split between the run's threads, each with its own counters or
 * dataset, which are then put together in order, so the result does not depend on the
 * number of threads. */

typedef struct {
    const corpus *c;
    lang_t src_lang, tgt_lang;
    int workers;
    vocab_counter **src, **tgt; /* [worker] */
} count_job;

static void count_tokens(void *ctx, int w)
{
    const count_job *job = ctx;
    long from, to;
    parallel_share((long)job->c->n, job->workers, w, &from, &to);
    token_list tl;
    token_list_init(&tl);
    for (long i = from; i < to; i++) {
        /* protected spans count as their placeholders, as training and translation see them */
        const corpus_pair *p = &job->c->pairs[i];
        masked_line ms = {0}, mt = {0};
        const char *s = p->src, *t = p->tgt;
        if (spans_mask_pair(p->src, strlen(p->src), p->tgt, strlen(p->tgt), &ms, &mt) >= 0)
            s = ms.text, t = mt.text;
        if (text_tokenize(job->src_lang, s, strlen(s), &tl) > 0)
            for (int k = 0; k < tl.n; k++) vocab_counter_add(job->src[w], tl.tok[k]);
        if (text_tokenize(job->tgt_lang, t, strlen(t), &tl) > 0)
            for (int k = 0; k < tl.n; k++) vocab_counter_add(job->tgt[w], tl.tok[k]);
        masked_line_free(&ms);
        masked_line_free(&mt);
    }
    token_list_free(&tl);
}

static int workers_for(const train_options *o, size_t pairs)
{
    int n = o->threads > 0 ? o->threads : 1;
    return pairs < 1000 ? 1 : n; /* small corpora: not worth the threads */
}

void training_vocabularies(const corpus *c, const train_options *o, model_config *cfg, vocab **sv,
                           vocab **tv)
{
    detect_languages(c, cfg);
    count_job job = {c, (lang_t)cfg->src_lang, (lang_t)cfg->tgt_lang, workers_for(o, c->n), NULL, NULL};
    job.src = xcalloc((size_t)job.workers, sizeof *job.src);
    job.tgt = xcalloc((size_t)job.workers, sizeof *job.tgt);
    for (int w = 0; w < job.workers; w++) {
        job.src[w] = vocab_counter_new();
        job.tgt[w] = vocab_counter_new();
    }
    parallel_run(job.workers, count_tokens, &job);
    for (int w = 1; w < job.workers; w++) {
        vocab_counter_merge(job.src[0], job.src[w]);
        vocab_counter_merge(job.tgt[0], job.tgt[w]);
    }
    *sv = vocab_build(job.src[0], o->src_min_count, o->src_max_vocab);
    *tv = vocab_build(job.tgt[0], o->tgt_min_count, o->tgt_max_vocab);
    for (int w = 0; w < job.workers; w++) {
        vocab_counter_free(job.src[w]);
        vocab_counter_free(job.tgt[w]);
    }
    free(job.src);
    free(job.tgt);
    cfg->src_vocab = vocab_size(*sv);
    cfg->tgt_vocab = vocab_size(*tv);
}

typedef struct {
    const model *m;
    const corpus *c;
    int max_len, workers;
    dataset *parts;   /* [worker] */
    long *left_out;   /* [worker] */
} encode_job;

static void encode_pairs(void *ctx, int w)
{
    const encode_job *job = ctx;
    long from, to;
    parallel_share((long)job->c->n, job->workers, w, &from, &to);
    token_list tl;
    token_list_init(&tl);
    int max = job->max_len;
    int *src = xmalloc((max + 1) * sizeof *src), *tgt = xmalloc((max + 1) * sizeof *tgt);
    for (long i = from; i < to; i++) {
        int sl, tlen;
        if (encode_pair(job->m, &job->c->pairs[i], &tl, src, &sl, tgt, &tlen, max + 1) != 0) continue;
        if (sl > max || tlen > max || sl == 0 || tlen == 0) {
            job->left_out[w]++;
            continue;
        }
        dataset_add(&job->parts[w], src, sl, tgt, tlen);
    }
    free(src);
    free(tgt);
    token_list_free(&tl);
}

/* Pairs as ids; pairs longer than max_len tokens on either side are left out, counted. */
int training_encode(const model *m, const corpus *c, const train_options *o, dataset *d, const char *name)
{
    encode_job job = {m, c, o->max_len, workers_for(o, c->n), NULL, NULL};
    job.parts = xcalloc((size_t)job.workers, sizeof *job.parts);
    job.left_out = xcalloc((size_t)job.workers, sizeof *job.left_out);
    parallel_run(job.workers, encode_pairs, &job);
    long too_long = job.left_out[0];
    *d = job.parts[0]; /* the first part becomes d, the others follow it */
    for (int w = 1; w < job.workers; w++) {
        too_long += job.left_out[w];
        dataset_append(d, &job.parts[w]);
        dataset_free(&job.parts[w]);
    }
    free(job.parts);
    free(job.left_out);
    if (too_long)
        st_warn("%s: left out %ld pairs longer than %d tokens (--max-len) or empty after tokenization",
                name, too_long, o->max_len);
    if (d->n == 0) {
        st_error("%s: no usable sentence pairs", name);
        return -1;
    }
    return 0;
}

int training_read(const char *path, const train_options *o, corpus *c)
{
    if (corpus_read(path, o->strict, c) != 0) return -1;
    if (o->reverse) corpus_swap_sides(c);
    return 0;
}

/* A resumed run reads its corpora the way the model translates, whatever --reverse says. */
void training_orient_like_model(const model *m, corpus *c, const char *name)
{
    if (corpus_source_is_chinese(c) == (m->cfg.src_lang == LANG_ZH)) return;
    st_warn("%s: the model translates %s -> %s; reading the file the other way round", name,
            lang_name((lang_t)m->cfg.src_lang), lang_name((lang_t)m->cfg.tgt_lang));
    corpus_swap_sides(c);
}
