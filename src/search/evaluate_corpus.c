#include "search/evaluate_corpus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "nn/seq2seq.h"
#include "search/translator.h"
#include "text/spans.h"
#include "text/vocab.h"

#define EVAL_BATCH 64
#define EVAL_MAX_LEN 200
#define EVAL_SLICE 4096

bleu_tokenizer bleu_tokenizer_for(lang_t lang) { return lang == LANG_ZH ? BLEU_TOK_ZH : BLEU_TOK_13A; }

void pair_encoder_init(pair_encoder *pe)
{
    token_list_init(&pe->tl);
    subwords_init(&pe->sw[0]);
    subwords_init(&pe->sw[1]);
}

void pair_encoder_free(pair_encoder *pe)
{
    token_list_free(&pe->tl);
    subwords_free(&pe->sw[0]);
    subwords_free(&pe->sw[1]);
}

/* One side's text as ids: tokens, then the model's units. */
static int encode_side(lang_t lang, const bpe *b, const vocab *v, const char *s, subwords *sw,
                       token_list *tl, int *ids, int max)
{
    if (text_tokenize(lang, s, strlen(s), tl) < 0) return -1;
    subwords_split(sw, b, (const char *const *)tl->tok, tl->n);
    return encode_units(v, sw->unit, sw->n, ids, max);
}

int encode_pair(const model *m, const corpus_pair *p, pair_encoder *pe, int *src, int *src_len,
                int *tgt, int *tgt_len, int max)
{
    masked_line ms = {0}, mt = {0};
    const char *s = p->src, *t = p->tgt;
    if (model_protects_spans(m) && spans_mask_pair(p->src, strlen(p->src), p->tgt, strlen(p->tgt), &ms, &mt) >= 0)
        s = ms.text, t = mt.text;
    int rc = -1;
    *src_len = encode_side((lang_t)m->cfg.src_lang, m->src_bpe, m->src_vocab, s, &pe->sw[0], &pe->tl, src, max);
    if (*src_len >= 0) {
        *tgt_len = encode_side((lang_t)m->cfg.tgt_lang, m->tgt_bpe, m->tgt_vocab, t, &pe->sw[1], &pe->tl, tgt, max);
        rc = *tgt_len >= 0 ? 0 : -1;
    }
    masked_line_free(&ms);
    masked_line_free(&mt);
    return rc;
}

static long count_unknown(const int *ids, int n)
{
    long k = 0;
    for (int i = 0; i < n; i++) k += ids[i] == VOCAB_UNK;
    return k;
}

static void teacher_forced_loss(const model *m, const corpus *c, eval_result *out)
{
    dataset d;
    dataset_init(&d);
    pair_encoder pe;
    pair_encoder_init(&pe);
    int src[EVAL_MAX_LEN], tgt[EVAL_MAX_LEN], sl, tlen;
    out->src_units = out->src_unknown = out->tgt_units = out->tgt_unknown = 0;
    for (size_t i = 0; i < c->n; i++)
        if (encode_pair(m, &c->pairs[i], &pe, src, &sl, tgt, &tlen, EVAL_MAX_LEN) == 0) {
            dataset_add(&d, src, sl, tgt, tlen);
            out->src_units += sl;
            out->tgt_units += tlen;
            out->src_unknown += count_unknown(src, sl);
            out->tgt_unknown += count_unknown(tgt, tlen);
        }
    pair_encoder_free(&pe);
    arena ar = {0};
    loss_options opt = {0, 0, NULL, 0};
    double nll = 0;
    long tokens = 0;
    long *idx = xmalloc((d.n ? d.n : 1) * sizeof *idx);
    for (long i = 0; i < d.n; i++) idx[i] = i;
    for (long i = 0; i < d.n; i += EVAL_BATCH) {
        batch bt;
        arena_reset(&ar);
        int n = (int)(d.n - i < EVAL_BATCH ? d.n - i : EVAL_BATCH);
        batch_fill(&bt, &d, idx + i, n, &ar);
        batch_loss bl = seq2seq_loss(m, &bt, &opt, NULL, &ar);
        nll += bl.nll;
        tokens += bl.tokens;
    }
    free(idx);
    arena_free(&ar);
    dataset_free(&d);
    out->tokens = tokens;
    out->loss = tokens ? nll / tokens : 0;
    out->ppl = exp(out->loss);
}

int evaluate_corpus(const model *m, const corpus *c, int beam, int threads, eval_result *out,
                    char ***translations)
{
    teacher_forced_loss(m, c, out);
    decode_options dopt = {.beam = beam, .len_alpha = 1.0f};
    translator tr;
    translator_init(&tr, m, &dopt);
    translator_set_workers(&tr, threads);
    metrics *mt = metrics_new(bleu_tokenizer_for((lang_t)m->cfg.tgt_lang), 0, 1);
    char **hyp = xmalloc((c->n ? c->n : 1) * sizeof *hyp);
    const char **lines = xmalloc((c->n ? c->n : 1) * sizeof *lines);
    for (size_t i = 0; i < c->n; i++) lines[i] = c->pairs[i].src;
    /* Large slices let the translator group sentences of similar length. */
    for (size_t i = 0; i < c->n; i += EVAL_SLICE) {
        int n = (int)(c->n - i < EVAL_SLICE ? c->n - i : EVAL_SLICE);
        translate_lines(&tr, lines + i, n, hyp + i, NULL);
    }
    for (size_t i = 0; i < c->n; i++) {
        const char *ref = c->pairs[i].tgt;
        metrics_add(mt, hyp[i], &ref);
    }
    metrics_result_get(mt, &out->scores);
    metrics_free(mt);
    translator_free(&tr);
    free(lines);
    if (translations) {
        *translations = hyp;
    } else {
        for (size_t i = 0; i < c->n; i++) free(hyp[i]);
        free(hyp);
    }
    return 0;
}
