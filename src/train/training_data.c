#include "train/training_data.h"

#include <stdlib.h>
#include <string.h>

#include "search/evaluate_corpus.h"
#include "sys/parallel.h"
#include "text/spans.h"
#include "text/subwords.h"
#include "text/text.h"

/* The side with more Han characters is Chinese. */
static void detect_languages(const training_corpus *tc, model_config *cfg)
{
    int zh_first = training_corpus_source_is_chinese(tc);
    cfg->src_lang = zh_first ? LANG_ZH : LANG_EN;
    cfg->tgt_lang = zh_first ? LANG_EN : LANG_ZH;
}

/* Reading a corpus of a million long pairs is mostly masking and tokenizing, done pair by
 * pair: the pairs are split between the run's threads, each with its own counters or
 * dataset, which are then put together in order, so the result does not depend on the
 * number of threads. */

/* Counting goes over the pairs once for words (BPE learns from them) or once for units
 * (the vocabularies), or both. */
typedef struct {
    const corpus *c;            /* the block being counted */
    lang_t lang[2];             /* [side]: 0 source, 1 target */
    int workers;
    const bpe *units[2];        /* units pass: each side's subwords (NULL: words) */
    vocab_counter **vocab[2];   /* units pass: [side][worker] */
    bpe_counter **words[2];     /* words pass (else NULL): [side][worker] */
} count_job;

static void count_side(const count_job *job, int side, int w, const char *text, token_list *tl,
                       subwords *sw)
{
    if (text_tokenize(job->lang[side], text, strlen(text), tl) <= 0) return;
    if (job->words[side]) {
        bpe_counter_add_tokens(job->words[side][w], (const char *const *)tl->tok, tl->n);
        return;
    }
    subwords_split(sw, job->units[side], (const char *const *)tl->tok, tl->n);
    for (int k = 0; k < sw->n; k++) vocab_counter_add(job->vocab[side][w], sw->unit[k]);
}

static void count_pairs(void *ctx, int w)
{
    const count_job *job = ctx;
    long from, to;
    parallel_share((long)job->c->n, job->workers, w, &from, &to);
    pair_encoder pe; /* its buffers: the tokens, and each side's subwords with their cache */
    pair_encoder_init(&pe);
    for (long i = from; i < to; i++) {
        /* protected spans count as their placeholders, as training and translation see them */
        const corpus_pair *p = &job->c->pairs[i];
        masked_line ms = {0}, mt = {0};
        const char *s = p->src, *t = p->tgt;
        if (spans_mask_pair(p->src, strlen(p->src), p->tgt, strlen(p->tgt), &ms, &mt) >= 0)
            s = ms.text, t = mt.text;
        count_side(job, 0, w, s, &pe.tl, &pe.sw[0]);
        count_side(job, 1, w, t, &pe.tl, &pe.sw[1]);
        masked_line_free(&ms);
        masked_line_free(&mt);
    }
    pair_encoder_free(&pe);
}

static void count_block(void *ctx, const corpus *block)
{
    count_job *job = ctx;
    job->c = block;
    parallel_run(job->workers, count_pairs, job);
}

static int workers_for(const train_options *o, size_t pairs)
{
    int n = o->threads > 0 ? o->threads : 1;
    return pairs < 1000 ? 1 : n; /* small corpora: not worth the threads */
}

/* Frees both sides' subword models (one with --joint-vocab) and sets them to NULL. */
static void free_subwords(bpe **sb, bpe **tb)
{
    if (*tb != *sb) bpe_free(*tb);
    bpe_free(*sb);
    *sb = *tb = NULL;
}

static bpe *learn(const bpe_counter *k, const train_options *o)
{
    bpe_options bo;
    bpe_options_default(&bo);
    bo.vocab_size = o->vocab_size;
    bo.threads = o->threads;
    return bpe_learn(k, &bo);
}

/* The words pass and BPE learning: the subword models of both sides, one shared with
 * --joint-vocab (learnt on the Chinese side's counter, which says whether merges go over
 * Chinese characters).
 * 0, or -1 with an error printed. */
static int learn_subwords(training_corpus *tc, count_job *job, const train_options *o, int kind,
                          bpe **sb, bpe **tb)
{
    for (int side = 0; side < 2; side++) {
        job->words[side] = xcalloc((size_t)job->workers, sizeof **job->words);
        int han_runs = job->lang[side] == LANG_ZH && kind == SUBWORD_BPE;
        for (int w = 0; w < job->workers; w++) job->words[side][w] = bpe_counter_new(han_runs);
    }
    int rc = training_corpus_each(tc, count_block, job);
    bpe_counter *k[2] = {job->words[0][0], job->words[1][0]};
    for (int side = 0; side < 2; side++)
        for (int w = 1; w < job->workers; w++) bpe_counter_absorb(k[side], job->words[side][w]);
    if (rc == 0 && o->joint_vocab) {
        int into = job->lang[0] == LANG_ZH ? 0 : 1;
        bpe_counter_absorb(k[into], k[1 - into]);
        *sb = *tb = learn(k[into], o);
    } else if (rc == 0) {
        *sb = learn(k[0], o);
        *tb = *sb ? learn(k[1], o) : NULL;
    }
    for (int side = 0; side < 2; side++) {
        for (int w = 0; w < job->workers; w++) bpe_counter_free(job->words[side][w]);
        free(job->words[side]);
        job->words[side] = NULL;
    }
    if (*sb && *tb) return 0;
    free_subwords(sb, tb);
    return -1;
}

int training_subwords(const train_options *o, size_t pairs)
{
    if (o->subword != SUBWORD_AUTO) return o->subword;
    return pairs >= SUBWORD_AUTO_PAIRS ? SUBWORD_AUTO_LARGE : SUBWORD_NONE;
}

int training_vocabularies(training_corpus *tc, const train_options *o, model_config *cfg, vocab **sv,
                          vocab **tv, bpe **sb, bpe **tb)
{
    detect_languages(tc, cfg);
    size_t pairs = tc->pairs;
    count_job job = {NULL, {(lang_t)cfg->src_lang, (lang_t)cfg->tgt_lang}, workers_for(o, pairs), {0}, {0}, {0}};
    *sb = *tb = NULL;
    int kind = training_subwords(o, pairs);
    if (kind != SUBWORD_NONE && learn_subwords(tc, &job, o, kind, sb, tb) != 0) return -1;
    job.units[0] = *sb;
    job.units[1] = *tb;
    for (int side = 0; side < 2; side++) {
        job.vocab[side] = xcalloc((size_t)job.workers, sizeof **job.vocab);
        for (int w = 0; w < job.workers; w++) job.vocab[side][w] = vocab_counter_new();
    }
    int rc = training_corpus_each(tc, count_block, &job);
    vocab_counter *src = job.vocab[0][0], *tgt = job.vocab[1][0];
    for (int w = 1; w < job.workers; w++) {
        vocab_counter_merge(src, job.vocab[0][w]);
        vocab_counter_merge(tgt, job.vocab[1][w]);
    }
    if (*sb && *sb == *tb) { /* joint: one vocabulary of both sides' units */
        vocab_counter_merge(src, tgt);
        tgt = src;
    }
    if (rc == 0) {
        *sv = vocab_build(src, o->src_min_count, o->src_max_vocab);
        *tv = vocab_build(tgt, o->tgt_min_count, o->tgt_max_vocab);
        cfg->src_vocab = vocab_size(*sv);
        cfg->tgt_vocab = vocab_size(*tv);
    }
    for (int side = 0; side < 2; side++) {
        for (int w = 0; w < job.workers; w++) vocab_counter_free(job.vocab[side][w]);
        free(job.vocab[side]);
    }
    if (rc == 0) return 0;
    free_subwords(sb, tb);
    return -1;
}

typedef struct {
    const model *m;
    const corpus *c;  /* the block being encoded */
    int max_len, workers;
    dataset *parts;   /* [worker]: its share of the block */
    long *left_out;   /* [worker] */
    dataset *all;     /* the blocks so far */
} encode_job;

static void encode_pairs(void *ctx, int w)
{
    const encode_job *job = ctx;
    long from, to;
    parallel_share((long)job->c->n, job->workers, w, &from, &to);
    pair_encoder pe;
    pair_encoder_init(&pe);
    int max = job->max_len;
    int *src = xmalloc((max + 1) * sizeof *src), *tgt = xmalloc((max + 1) * sizeof *tgt);
    for (long i = from; i < to; i++) {
        int sl, tlen;
        if (encode_pair(job->m, &job->c->pairs[i], &pe, src, &sl, tgt, &tlen, max + 1) != 0) continue;
        if (sl > max || tlen > max || sl == 0 || tlen == 0) {
            job->left_out[w]++;
            continue;
        }
        dataset_add(&job->parts[w], src, sl, tgt, tlen);
    }
    free(src);
    free(tgt);
    pair_encoder_free(&pe);
}

/* A block's pairs, encoded by the workers in shares, appended in order. */
static void encode_block(void *ctx, const corpus *block)
{
    encode_job *job = ctx;
    job->c = block;
    parallel_run(job->workers, encode_pairs, job);
    for (int w = 0; w < job->workers; w++) {
        dataset_append(job->all, &job->parts[w]);
        dataset_clear(&job->parts[w]);
    }
}

/* Pairs as ids; pairs longer than max_len tokens on either side are left out, counted. */
int training_encode(const model *m, training_corpus *tc, const train_options *o, dataset *d)
{
    dataset_init(d);
    encode_job job = {m, NULL, o->max_len, workers_for(o, tc->pairs), NULL, NULL, d};
    job.parts = xcalloc((size_t)job.workers, sizeof *job.parts);
    job.left_out = xcalloc((size_t)job.workers, sizeof *job.left_out);
    int rc = training_corpus_each(tc, encode_block, &job);
    long too_long = 0;
    for (int w = 0; w < job.workers; w++) {
        too_long += job.left_out[w];
        dataset_free(&job.parts[w]);
    }
    free(job.parts);
    free(job.left_out);
    if (rc != 0) {
        dataset_free(d);
        return -1;
    }
    dataset_trim(d);
    if (too_long)
        st_warn("%s: left out %ld pairs longer than %d tokens (--max-len) or empty after tokenization",
                tc->name, too_long, o->max_len);
    if (d->n == 0) {
        st_error("%s: no usable sentence pairs", tc->name);
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
static int turned_round(const model *m, int zh_first, const char *name)
{
    if (zh_first == (m->cfg.src_lang == LANG_ZH)) return 0;
    st_warn("%s: the model translates %s -> %s; reading the file the other way round", name,
            lang_name((lang_t)m->cfg.src_lang), lang_name((lang_t)m->cfg.tgt_lang));
    return 1;
}

void training_orient_like_model(const model *m, corpus *c, const char *name)
{
    if (turned_round(m, corpus_source_is_chinese(c), name)) corpus_swap_sides(c);
}

void training_corpus_orient_like_model(const model *m, training_corpus *tc)
{
    if (turned_round(m, training_corpus_source_is_chinese(tc), tc->name)) training_corpus_swap_sides(tc);
}
