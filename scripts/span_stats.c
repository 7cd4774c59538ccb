/* span_stats: measures protected-span detection (src/text/spans.h) on a TSV of pairs
 * (English<TAB>Chinese). Not part of the seqtrans binary or of `make test`.
 *
 *   make
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc scripts/span_stats.c build/libseqtrans.a \
 *      -lutf8proc -lm -lpthread -ldl -o build/span_stats
 *   build/span_stats PAIRS.tsv [-v]
 *
 * Prints, per column: lines with spans, spans of each kind, lines over SPANS_MAX spans;
 * for backtick spans of the English column, how many occur byte-identical anywhere in the
 * Chinese column (what copying can reach at best); how many source spans of each kind
 * spans_mask_pair matched with a target span; and the identity round trip (mask, restore
 * the masked text unchanged) and the placeholder round trip through the tokenizer and
 * detokenizer (every masked span must come back exactly once); and, as if a model wrote
 * the masked reference, the reference restored with the source's spans. -v lists every
 * span. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"
#include "text/spans.h"
#include "text/text.h"

typedef struct {
    long lines, lines_with, over_cap, spans[SPAN_KINDS], identity_ok, tok_ok, tok_lines;
    long exact_masked, exact_plain;   /* lines with spans back byte for byte after detok */
} column_stats;

static token_list toks;

/* Whether tok is one placeholder and nothing else. */
static int is_placeholder_token(const char *tok)
{
    const unsigned char *p = (const unsigned char *)tok;
    return strlen(tok) == 3 && p[0] == 0xEE && p[1] == 0x80 &&
           text_placeholder_number(TEXT_PLACEHOLDER_BASE + (p[2] - 0x80));
}

/* detok(tok(s)), malloc'd, or NULL when s cannot be tokenized. */
static char *retokenized(lang_t lang, const char *s, size_t len)
{
    if (text_tokenize(lang, s, len, &toks) < 0) return NULL;
    return text_detokenize(lang, (const char *const *)toks.tok, toks.n);
}

/* Tokenizes the masked text, detokenizes it, restores: each placeholder must be a token of
 * its own and every span must be back, intact (the text around it may be respaced).
 * *exact: the restored line is the original, byte for byte. */
static int survives_tokenizer(lang_t lang, const masked_line *m, int *exact)
{
    char *detok = retokenized(lang, m->text, m->len);
    if (!detok) return 0;
    int placeholders = 0;
    for (int i = 0; i < toks.n; i++) placeholders += is_placeholder_token(toks.tok[i]);
    char *out = spans_restore(lang, detok, strlen(detok), m, NULL);
    int ok = placeholders == m->n;
    for (int k = 0; k < m->n && ok; k++)
        ok = memmem(out, strlen(out), m->source + m->span[k].start, m->span[k].len) != NULL;
    *exact = strlen(out) == m->source_len && !memcmp(out, m->source, m->source_len);
    free(detok);
    free(out);
    return ok;
}

static void column(lang_t lang, const char *s, size_t len, column_stats *st, int verbose)
{
    span_list l;
    span_list_init(&l);
    int n = spans_find(s, len, &l);
    st->lines++;
    st->lines_with += n > 0;
    st->over_cap += n > SPANS_MAX;
    for (int i = 0; i < n; i++) {
        st->spans[l.item[i].kind]++;
        if (verbose)
            printf("%s %-5s %.*s\n", lang_name(lang), span_kind_name(l.item[i].kind),
                   (int)l.item[i].len, s + l.item[i].start);
    }
    span_list_free(&l);
    masked_line m;
    if (spans_mask(s, len, &m) < 0) return;
    char *back = spans_restore(lang, m.text, m.len, &m, NULL);
    st->identity_ok += strlen(back) == len && !memcmp(back, s, len);
    free(back);
    if (m.n) {
        int exact = 0;
        st->tok_lines++;
        st->tok_ok += survives_tokenizer(lang, &m, &exact);
        st->exact_masked += exact;
        char *plain = retokenized(lang, s, len);
        st->exact_plain += plain && strlen(plain) == len && !memcmp(plain, s, len);
        free(plain);
    }
    masked_line_free(&m);
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: span_stats PAIRS.tsv [-v]\n"); return 2; }
    int verbose = argc > 2 && !strcmp(argv[2], "-v");
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    token_list_init(&toks);
    column_stats en = {0}, zh = {0};
    long code_src = 0, code_in_ref = 0, src_spans[SPAN_KINDS] = {0}, matched[SPAN_KINDS] = {0};
    long pairs = 0, pair_fail = 0, oracle_same = 0, oracle_code = 0;
    char *line = NULL;
    size_t cap = 0;
    long len;
    while ((len = read_line(f, &line, &cap)) >= 0) {
        char *tab = memchr(line, '\t', (size_t)len);
        if (!tab) continue;
        size_t en_len = (size_t)(tab - line), zh_len = (size_t)len - en_len - 1;
        const char *zh_s = tab + 1;
        pairs++;
        column(LANG_EN, line, en_len, &en, verbose);
        column(LANG_ZH, zh_s, zh_len, &zh, verbose);
        span_list l;
        span_list_init(&l);
        spans_find(line, en_len, &l);
        for (int i = 0; i < l.n; i++) {
            if (l.item[i].kind != SPAN_CODE) continue;
            code_src++;
            code_in_ref += memmem(zh_s, zh_len, line + l.item[i].start, l.item[i].len) != NULL;
        }
        span_list_free(&l);
        masked_line ms, mt;
        if (spans_mask_pair(line, en_len, zh_s, zh_len, &ms, &mt) < 0) {
            pair_fail++;
            continue;
        }
        /* a model that writes the masked reference: restored with the source's spans */
        size_t out_len;
        char *out = spans_restore(LANG_ZH, mt.text, mt.len, &ms, &out_len);
        oracle_same += out_len == zh_len && !memcmp(out, zh_s, zh_len);
        for (int k = 0; k < ms.n; k++)
            if (ms.span[k].kind == SPAN_CODE)
                oracle_code +=
                    memmem(out, out_len, line + ms.span[k].start, ms.span[k].len) != NULL;
        free(out);
        for (int k = 0; k < ms.n; k++) {
            src_spans[ms.span[k].kind]++;
            int found = 0;
            for (int j = 0; j < mt.n; j++) found |= mt.span[j].number == ms.span[k].number;
            matched[ms.span[k].kind] += found;
        }
        masked_line_free(&ms);
        masked_line_free(&mt);
    }
    free(line);
    fclose(f);
    token_list_free(&toks);
    column_stats *cols[2] = {&en, &zh};
    for (int c = 0; c < 2; c++) {
        column_stats *st = cols[c];
        printf("%s: %ld lines, %ld with spans, %ld over %d spans;", c ? "zh" : "en", st->lines,
               st->lines_with, st->over_cap, SPANS_MAX);
        for (int k = 0; k < SPAN_KINDS; k++) printf(" %s %ld", span_kind_name(k), st->spans[k]);
        printf("\n    identity round trip %ld/%ld; "
               "through tokenizer %ld/%ld lines with spans\n"
               "    lines with spans equal to the original after detok(tok(line)): masked and "
               "restored %ld, unmasked %ld\n",
               st->identity_ok, st->lines, st->tok_ok, st->tok_lines, st->exact_masked,
               st->exact_plain);
    }
    printf("en backtick spans: %ld, byte-identical somewhere in the zh reference: "
           "%ld (%.2f%%)\n",
           code_src, code_in_ref, code_src ? 100.0 * code_in_ref / code_src : 0.0);
    printf("mask_pair (%ld pairs, %ld refused): source spans matched by a target span:", pairs,
           pair_fail);
    for (int k = 0; k < SPAN_KINDS; k++)
        if (src_spans[k]) printf(" %s %ld/%ld", span_kind_name(k), matched[k], src_spans[k]);
    printf("\nrestoring the masked reference with the source spans: en backtick spans in the "
           "output %ld/%ld, output equal to the reference %ld/%ld\n", oracle_code, code_src,
           oracle_same, pairs - pair_fail);
    return 0;
}
