/* libFuzzer target: the protected-span parser, masking and restoring on arbitrary bytes.
 * Built by scripts/fuzz.sh. The first byte picks the language for restoring (bit 0); the
 * rest is LINE, or LINE<TAB>OTHER. Checks:
 *   - spans_find: spans in order, disjoint, non-empty, inside the line, of a known kind;
 *     code spans start and end with a backtick;
 *   - spans_mask refuses only a line with more than SPANS_MAX spans holding a placeholder
 *     codepoint; otherwise
 *     its masked text holds placeholders 1..n in order, a line without spans comes back
 *     unchanged, and restoring the masked text itself gives the line back byte for byte;
 *   - restoring OTHER as a translation (any bytes, placeholders or not): every span of the
 *     line is in the output, and the output is no longer than OTHER plus all the spans and
 *     a separator each;
 *   - spans_mask_pair(LINE, OTHER): each side restores to itself, and each target
 *     placeholder stands for the same bytes as the source one (or, for links, a link of
 *     the same kind: they match by destination). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/spans.h"

static span_list spans;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    span_list_init(&spans);
    if (!getenv("FUZZ_VERBOSE")) stderr = fopen("/dev/null", "w");
    return 0;
}

static void check_spans(const char *s, size_t n)
{
    spans_find(s, n, &spans);
    size_t end = 0;
    for (int i = 0; i < spans.n; i++) {
        const span *sp = &spans.item[i];
        if (sp->len == 0 || sp->start < end || sp->start + sp->len > n) abort();
        if ((unsigned)sp->kind >= SPAN_KINDS) abort();
        if (sp->kind == SPAN_CODE && (s[sp->start] != '`' || s[sp->start + sp->len - 1] != '`'))
            abort();
        end = sp->start + sp->len;
    }
}

/* Spans that hold a placeholder codepoint (these must be masked). */
static int spans_with_placeholders(const char *s)
{
    int r = 0;
    for (int i = 0; i < spans.n; i++) {
        const span *sp = &spans.item[i];
        int has = 0;
        for (size_t j = sp->start; j + 3 <= sp->start + sp->len; j++) {
            const unsigned char *p = (const unsigned char *)s + j;
            has |= p[0] == 0xEE && p[1] == 0x80 &&
                   text_placeholder_number(TEXT_PLACEHOLDER_BASE + (p[2] - 0x80));
        }
        r += has;
    }
    return r;
}

/* The placeholders of text in order must be 1..n. */
static void check_placeholders(const masked_line *m)
{
    int next = 1;
    for (size_t i = 0; i + 2 < m->len; i++) {
        const unsigned char *p = (const unsigned char *)m->text + i;
        if (p[0] != 0xEE || p[1] != 0x80) continue;
        int k = text_placeholder_number(TEXT_PLACEHOLDER_BASE + (p[2] - 0x80));
        if (!k) continue;
        if (k != next++) abort();
        i += 2;
    }
    if (next != m->n + 1) abort();
}

static void check_restores_to(lang_t lang, const masked_line *m, const char *want, size_t n)
{
    size_t len;
    char *back = spans_restore(lang, m->text, m->len, m, &len);
    if (len != n || memcmp(back, want, n)) abort();
    free(back);
}

static void check_translation(lang_t lang, const masked_line *m, const char *t, size_t n)
{
    size_t len, bound = n;
    char *out = spans_restore(lang, t, n, m, &len);
    for (int k = 0; k < m->n; k++) {
        const char *sp = m->source + m->span[k].start;
        if (!memmem(out, len, sp, m->span[k].len)) abort();
        bound += m->span[k].len + 1;
    }
    if (len > bound || out[len] != '\0') abort();
    free(out);
}

static int starts_link(const char *t, size_t n)
{
    while (n > 0 && *t == ' ') t++, n--;
    return (n >= 2 && !memcmp(t, "](", 2)) || (n >= 4 && !memcmp(t, "![](", 4));
}

static void check_pair(lang_t lang, const char *a, size_t an, const char *b, size_t bn)
{
    masked_line ms, mt;
    if (spans_mask_pair(a, an, b, bn, &ms, &mt) < 0) return;
    check_restores_to(lang, &ms, a, an);
    check_restores_to(lang, &mt, b, bn);
    for (int j = 0; j < mt.n; j++) {
        const masked_span *t = &mt.span[j];
        int found = 0;
        for (int k = 0; k < ms.n; k++) {
            const masked_span *s = &ms.span[k];
            if (s->number != t->number) continue;
            int same = s->len == t->len &&
                       !memcmp(ms.source + s->start, mt.source + t->start, s->len);
            int links = starts_link(ms.source + s->start, s->len) &&
                        starts_link(mt.source + t->start, t->len) && s->kind == t->kind;
            found = same || links;   /* links match by destination */
        }
        if (!found) abort();
    }
    masked_line_free(&ms);
    masked_line_free(&mt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    lang_t lang = (data[0] & 1) ? LANG_ZH : LANG_EN;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    const char *tab = memchr(s, '\t', n);
    size_t line_len = tab ? (size_t)(tab - s) : n;
    const char *other = tab ? tab + 1 : NULL;
    size_t other_len = tab ? n - line_len - 1 : 0;

    check_spans(s, line_len);
    masked_line m;
    int k = spans_mask(s, line_len, &m);
    if (k < 0) {
        if (spans_with_placeholders(s) <= SPANS_MAX || m.text) abort();
        return 0;
    }
    if (k != m.n || (k == 0 && (m.len != line_len || memcmp(m.text, s, line_len)))) abort();
    check_placeholders(&m);
    check_restores_to(lang, &m, s, line_len);
    if (other) {
        check_translation(lang, &m, other, other_len);
        check_pair(lang, s, line_len, other, other_len);
    }
    masked_line_free(&m);
    return 0;
}
