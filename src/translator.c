#include "translator.h"

#include <stdlib.h>
#include <string.h>

#include "vocab.h"

void translator_init(translator *tr, const model *m, const decode_options *opt)
{
    memset(tr, 0, sizeof *tr);
    tr->m = m;
    tr->opt = *opt;
}

void translator_free(translator *tr)
{
    for (int i = 0; i < tr->tok_cap; i++) token_list_free(&tr->tok[i]);
    free(tr->tok);
    arena_free(&tr->ar);
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

static char *hypothesis_text(const translator *tr, const hypothesis *h, const token_list *src)
{
    const char **toks = xmalloc((h->len ? h->len : 1) * sizeof *toks);
    int n = 0;
    for (int i = 0; i < h->len; i++) {
        if (h->tokens[i] == VOCAB_UNK) {
            int j = h->src_pos[i];
            if (j >= 0 && j < src->n && copyable(src->tok[j])) toks[n++] = src->tok[j];
            continue; /* an untranslatable word is left out rather than shown as <unk> */
        }
        if (h->tokens[i] == VOCAB_EOS) continue;
        toks[n++] = vocab_token(tr->m->tgt_vocab, h->tokens[i]);
    }
    char *s = text_detokenize((lang_t)tr->m->cfg.tgt_lang, toks, n);
    free(toks);
    return s;
}

static void ensure_token_lists(translator *tr, int n)
{
    if (n <= tr->tok_cap) return;
    tr->tok = xrealloc(tr->tok, n * sizeof *tr->tok);
    for (int i = tr->tok_cap; i < n; i++) token_list_init(&tr->tok[i]);
    tr->tok_cap = n;
}

void translate_lines(translator *tr, const char *const *lines, int n, char **out, int *status)
{
    if (n <= 0) return;
    ensure_token_lists(tr, n);
    arena_reset(&tr->ar);
    int *ids = arena_alloc_int(&tr->ar, (size_t)n * TRANSLATOR_MAX_SRC_TOKENS);
    int *len = arena_alloc_int(&tr->ar, n), *batch_of = arena_alloc_int(&tr->ar, n), m = 0;
    const int **src = xmalloc(n * sizeof *src);
    for (int i = 0; i < n; i++) {
        int k = text_tokenize((lang_t)tr->m->cfg.src_lang, lines[i], strlen(lines[i]), &tr->tok[i]);
        if (status) status[i] = k < 0 ? -1 : k > TRANSLATOR_MAX_SRC_TOKENS;
        out[i] = NULL;
        if (k <= 0) continue; /* empty or invalid line: empty translation */
        int *row = ids + (size_t)m * TRANSLATOR_MAX_SRC_TOKENS;
        len[m] = encode_tokens(tr->m->src_vocab, &tr->tok[i], row, TRANSLATOR_MAX_SRC_TOKENS);
        src[m] = row;
        batch_of[m++] = i;
    }
    hypothesis *hyp = xcalloc(m ? m : 1, sizeof *hyp);
    decode_sentences(tr->m, src, len, m, &tr->opt, &tr->ar, hyp);
    for (int j = 0; j < m; j++) {
        out[batch_of[j]] = hypothesis_text(tr, &hyp[j], &tr->tok[batch_of[j]]);
        hypothesis_free(&hyp[j]);
    }
    for (int i = 0; i < n; i++)
        if (!out[i]) out[i] = xstrdup("");
    free(hyp);
    free((void *)src);
}
