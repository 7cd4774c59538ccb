#include "text/subwords.h"

#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

void subwords_init(subwords *s)
{
    memset(s, 0, sizeof *s);
    bpe_units_init(&s->seg);
    bpe_tokens_init(&s->joined);
}

void subwords_free(subwords *s)
{
    free(s->unit);
    bpe_units_free(&s->seg);
    bpe_tokens_free(&s->joined);
    free(s->buf);
    free(s->start);
    memset(s, 0, sizeof *s);
}

int subwords_is_placeholder(const char *tok)
{
    const unsigned char *p = (const unsigned char *)tok;
    if (p[0] != 0xEE || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || p[3]) return 0;
    int32_t cp = (p[0] & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return text_placeholder_number(cp) > 0;
}

static void add_unit(subwords *s, const char *u)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->unit = xrealloc(s->unit, (size_t)s->cap * sizeof *s->unit);
    }
    s->unit[s->n++] = u;
}

int subwords_split(subwords *s, const bpe *b, const char *const *tokens, int n)
{
    s->n = 0;
    for (int i = 0; i < n;) {
        if (!b || subwords_is_placeholder(tokens[i])) {
            add_unit(s, tokens[i++]);
            continue;
        }
        int end = i;
        while (end < n && !subwords_is_placeholder(tokens[end])) end++;
        bpe_segment(b, tokens + i, end - i, &s->seg);
        for (int k = 0; k < s->seg.n; k++) add_unit(s, s->seg.unit[k]);
        i = end;
    }
    return s->n;
}

/* Appends one token's text to s->buf (join keeps its own copies: bpe_join reuses its list). */
static void add_token_text(subwords *s, const char *t)
{
    size_t k = strlen(t) + 1;
    if (s->len + k > s->buf_cap) {
        s->buf_cap = 2 * (s->len + k) + 256;
        s->buf = xrealloc(s->buf, s->buf_cap);
    }
    if (s->n == s->start_cap) {
        s->start_cap = s->start_cap ? 2 * s->start_cap : 64;
        s->start = xrealloc(s->start, (size_t)s->start_cap * sizeof *s->start);
    }
    memcpy(s->buf + s->len, t, k);
    s->start[s->n++] = s->len;
    s->len += k;
}

int subwords_join(subwords *s, const bpe *b, const char *const *units, int n)
{
    s->n = 0;
    if (!b) {
        for (int i = 0; i < n; i++) add_unit(s, units[i]);
        return s->n;
    }
    s->len = 0;
    for (int i = 0; i < n;) {
        if (subwords_is_placeholder(units[i])) {
            add_token_text(s, units[i++]);
            continue;
        }
        int end = i;
        while (end < n && !subwords_is_placeholder(units[end])) end++;
        bpe_join(b, units + i, end - i, &s->joined);
        for (int k = 0; k < s->joined.n; k++) add_token_text(s, s->joined.tok[k]);
        i = end;
    }
    if (s->n > s->cap) {
        s->cap = s->n;
        s->unit = xrealloc(s->unit, (size_t)s->cap * sizeof *s->unit);
    }
    for (int i = 0; i < s->n; i++) s->unit[i] = s->buf + s->start[i];
    return s->n;
}
