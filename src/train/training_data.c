#include "train/training_data.h"

#include <stdlib.h>
#include <string.h>

#include "search/evaluate_corpus.h"
#include "text/spans.h"
#include "text/text.h"

/* The side with more Han characters is Chinese. */
static void detect_languages(const corpus *c, model_config *cfg)
{
    int zh_first = corpus_source_is_chinese(c);
    cfg->src_lang = zh_first ? LANG_ZH : LANG_EN;
    cfg->tgt_lang = zh_first ? LANG_EN : LANG_ZH;
}

void training_vocabularies(const corpus *c, const train_options *o, model_config *cfg, vocab **sv,
                           vocab **tv)
{
    detect_languages(c, cfg);
    vocab_counter *sc = vocab_counter_new(), *tc = vocab_counter_new();
    token_list tl;
    token_list_init(&tl);
    for (size_t i = 0; i < c->n; i++) {
        /* protected spans count as their placeholders, as training and translation see them */
        const corpus_pair *p = &c->pairs[i];
        masked_line ms = {0}, mt = {0};
        const char *s = p->src, *t = p->tgt;
        if (spans_mask_pair(p->src, strlen(p->src), p->tgt, strlen(p->tgt), &ms, &mt) >= 0)
            s = ms.text, t = mt.text;
        if (text_tokenize((lang_t)cfg->src_lang, s, strlen(s), &tl) > 0)
            for (int k = 0; k < tl.n; k++) vocab_counter_add(sc, tl.tok[k]);
        if (text_tokenize((lang_t)cfg->tgt_lang, t, strlen(t), &tl) > 0)
            for (int k = 0; k < tl.n; k++) vocab_counter_add(tc, tl.tok[k]);
        masked_line_free(&ms);
        masked_line_free(&mt);
    }
    token_list_free(&tl);
    *sv = vocab_build(sc, o->src_min_count, o->src_max_vocab);
    *tv = vocab_build(tc, o->tgt_min_count, o->tgt_max_vocab);
    vocab_counter_free(sc);
    vocab_counter_free(tc);
    cfg->src_vocab = vocab_size(*sv);
    cfg->tgt_vocab = vocab_size(*tv);
}

/* Pairs as ids; pairs longer than max_len tokens on either side are left out, counted. */
int training_encode(const model *m, const corpus *c, int max_len, dataset *d, const char *name)
{
    token_list tl;
    token_list_init(&tl);
    int *src = xmalloc((max_len + 1) * sizeof *src), *tgt = xmalloc((max_len + 1) * sizeof *tgt);
    long too_long = 0;
    for (size_t i = 0; i < c->n; i++) {
        int sl, tlen;
        if (encode_pair(m, &c->pairs[i], &tl, src, &sl, tgt, &tlen, max_len + 1) != 0) continue;
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
    token_list_free(&tl);
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
