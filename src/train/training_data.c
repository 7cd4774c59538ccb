#include "train/training_data.h"

#include <stdlib.h>
#include <string.h>

#include "search/evaluate_corpus.h"
#include "text/spans.h"
#include "text/subwords.h"
#include "text/text.h"

/* The side with more Han characters is Chinese. */
static void detect_languages(const corpus *c, model_config *cfg)
{
    int zh_first = corpus_source_is_chinese(c);
    cfg->src_lang = zh_first ? LANG_ZH : LANG_EN;
    cfg->tgt_lang = zh_first ? LANG_EN : LANG_ZH;
}

/* The corpus's pairs as training and translation see them: protected spans masked. */
typedef struct {
    masked_line *src, *tgt;
    size_t n;
} masked_corpus;

static void mask_corpus(const corpus *c, masked_corpus *mc)
{
    mc->n = c->n;
    mc->src = xcalloc(c->n ? c->n : 1, sizeof *mc->src);
    mc->tgt = xcalloc(c->n ? c->n : 1, sizeof *mc->tgt);
    for (size_t i = 0; i < c->n; i++) {
        const corpus_pair *p = &c->pairs[i];
        if (spans_mask_pair(p->src, strlen(p->src), p->tgt, strlen(p->tgt), &mc->src[i], &mc->tgt[i]) < 0) {
            masked_line_free(&mc->src[i]);
            masked_line_free(&mc->tgt[i]);
        }
    }
}

static void masked_corpus_free(masked_corpus *mc)
{
    for (size_t i = 0; i < mc->n; i++) {
        masked_line_free(&mc->src[i]);
        masked_line_free(&mc->tgt[i]);
    }
    free(mc->src);
    free(mc->tgt);
}

/* Side tgt of pair i: masked when it could be. */
static const char *side_text(const corpus *c, const masked_corpus *mc, size_t i, int tgt)
{
    const masked_line *m = tgt ? &mc->tgt[i] : &mc->src[i];
    return m->text ? m->text : tgt ? c->pairs[i].tgt : c->pairs[i].src;
}

/* Counts the words of one side for BPE; placeholders are words of their own, which
 * segmentation then passes through whole. */
static bpe_counter *count_words(const corpus *c, const masked_corpus *mc, int tgt, lang_t lang, int threads)
{
    const char **lines = xmalloc((c->n ? c->n : 1) * sizeof *lines);
    size_t *lens = xmalloc((c->n ? c->n : 1) * sizeof *lens);
    for (size_t i = 0; i < c->n; i++) {
        lines[i] = side_text(c, mc, i, tgt);
        lens[i] = strlen(lines[i]);
    }
    bpe_counter *k = bpe_count_lines(lang, lines, lens, (long)c->n, lang == LANG_ZH, threads, NULL);
    free(lines);
    free(lens);
    return k;
}

static bpe *learn(const bpe_counter *k, const train_options *o)
{
    bpe_options bo;
    bpe_options_default(&bo);
    bo.vocab_size = o->vocab_size;
    bo.threads = o->threads;
    return bpe_learn(k, &bo);
}

/* The subword models of both sides (one shared with joint_vocab); -1 with an error printed. */
static int learn_subwords(const corpus *c, const masked_corpus *mc, const train_options *o,
                          const model_config *cfg, bpe **sb, bpe **tb)
{
    bpe_counter *sk = count_words(c, mc, 0, (lang_t)cfg->src_lang, o->threads);
    bpe_counter *tk = count_words(c, mc, 1, (lang_t)cfg->tgt_lang, o->threads);
    if (o->joint_vocab) {
        /* the Chinese side's counter keeps its han_runs */
        int zh_src = cfg->src_lang == LANG_ZH;
        bpe_counter_absorb(zh_src ? sk : tk, zh_src ? tk : sk);
        *sb = *tb = learn(zh_src ? sk : tk, o);
    } else {
        *sb = learn(sk, o);
        *tb = *sb ? learn(tk, o) : NULL;
    }
    bpe_counter_free(sk);
    bpe_counter_free(tk);
    if (*sb && *tb) return 0;
    if (*tb != *sb) bpe_free(*tb);
    bpe_free(*sb);
    *sb = *tb = NULL;
    return -1;
}

/* Adds the units of one side of every pair to k. */
static void count_units(const corpus *c, const masked_corpus *mc, int tgt, lang_t lang, const bpe *b,
                        vocab_counter *k)
{
    token_list tl;
    token_list_init(&tl);
    subwords sw;
    subwords_init(&sw);
    for (size_t i = 0; i < c->n; i++) {
        const char *s = side_text(c, mc, i, tgt);
        if (text_tokenize(lang, s, strlen(s), &tl) <= 0) continue;
        subwords_split(&sw, b, (const char *const *)tl.tok, tl.n);
        for (int j = 0; j < sw.n; j++) vocab_counter_add(k, sw.unit[j]);
    }
    subwords_free(&sw);
    token_list_free(&tl);
}

int training_uses_subwords(const train_options *o, size_t pairs)
{
    return o->subword == SUBWORD_BPE || (o->subword == SUBWORD_AUTO && pairs >= SUBWORD_AUTO_PAIRS);
}

int training_vocabularies(const corpus *c, const train_options *o, model_config *cfg, vocab **sv,
                          vocab **tv, bpe **sb, bpe **tb)
{
    detect_languages(c, cfg);
    /* protected spans count as their placeholders, as training and translation see them */
    masked_corpus mc;
    mask_corpus(c, &mc);
    *sb = *tb = NULL;
    if (training_uses_subwords(o, c->n) && learn_subwords(c, &mc, o, cfg, sb, tb) != 0) {
        masked_corpus_free(&mc);
        return -1;
    }
    vocab_counter *sc = vocab_counter_new(), *tc = o->joint_vocab && *sb ? sc : vocab_counter_new();
    count_units(c, &mc, 0, (lang_t)cfg->src_lang, *sb, sc);
    count_units(c, &mc, 1, (lang_t)cfg->tgt_lang, *tb, tc);
    masked_corpus_free(&mc);
    *sv = vocab_build(sc, o->src_min_count, o->src_max_vocab);
    *tv = vocab_build(tc, o->tgt_min_count, o->tgt_max_vocab);
    if (tc != sc) vocab_counter_free(tc);
    vocab_counter_free(sc);
    cfg->src_vocab = vocab_size(*sv);
    cfg->tgt_vocab = vocab_size(*tv);
    return 0;
}

/* Pairs as ids; pairs longer than max_len tokens on either side are left out, counted. */
int training_encode(const model *m, const corpus *c, int max_len, dataset *d, const char *name)
{
    pair_encoder pe;
    pair_encoder_init(&pe);
    int *src = xmalloc((max_len + 1) * sizeof *src), *tgt = xmalloc((max_len + 1) * sizeof *tgt);
    long too_long = 0;
    for (size_t i = 0; i < c->n; i++) {
        int sl, tlen;
        if (encode_pair(m, &c->pairs[i], &pe, src, &sl, tgt, &tlen, max_len + 1) != 0) continue;
        if (sl > max_len || tlen > max_len || sl == 0 || tlen == 0) {
            too_long++;
            continue;
        }
        dataset_add(d, src, sl, tgt, tlen);
    }
    if (too_long)
        st_warn("%s: left out %ld pairs longer than %d tokens (--max-len) or empty after tokenization",
                name, too_long, max_len);
    free(src);
    free(tgt);
    pair_encoder_free(&pe);
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
