#include "data/corpus.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "text/text.h"
#include "sys/util.h"

/* Length of the space (ASCII space or tab, U+00A0, U+3000) starting at s, or 0. */
static size_t space_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 1 && (u[0] == ' ' || u[0] == '\t')) return 1;
    if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0) return 2;
    if (len >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3;
    return 0;
}

/* Returns s past its leading space and shortens *len to drop the trailing space. */
static const char *trim(const char *s, size_t *len)
{
    size_t k;
    while (*len && (k = space_at(s, *len))) s += k, *len -= k;
    for (;;) {
        if (*len >= 1 && space_at(s + *len - 1, 1)) *len -= 1;
        else if (*len >= 2 && space_at(s + *len - 2, 2) == 2) *len -= 2;
        else if (*len >= 3 && space_at(s + *len - 3, 3) == 3) *len -= 3;
        else return s;
    }
}

/* A C0 control other than tab, DEL, or a C1 control (U+0080..U+009F) in valid UTF-8. */
static int has_control_char(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7F) return 1;
        if (u[i] == 0xC2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) return 1;
    }
    return 0;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static char *copy_text(const char *s, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

static const char BLANK[] = "blank line";

/* Splits a line into a pair (malloc'd sides). Returns NULL on success, else why the line
 * cannot be used (BLANK for a blank line). */
static const char *parse_line(const char *s, size_t len, int too_long, corpus_pair *pair)
{
    if (too_long) return "line longer than " STRINGIFY(CORPUS_MAX_LINE) " bytes";
    if (memchr(s, '\0', len)) return "NUL byte";
    if (!utf8_valid(s, len)) return "invalid UTF-8";
    if (has_control_char(s, len)) return "control character";
    size_t all = len;
    trim(s, &all);
    if (all == 0) return BLANK;
    const char *tab = memchr(s, '\t', len);
    if (!tab) return "no tab";
    const char *tgt = tab + 1;
    const char *tgt_end = memchr(tgt, '\t', len - (size_t)(tgt - s));
    size_t src_len = (size_t)(tab - s);
    size_t tgt_len = (size_t)((tgt_end ? tgt_end : s + len) - tgt);
    const char *src = trim(s, &src_len);
    tgt = trim(tgt, &tgt_len);
    if (!src_len) return "empty source";
    if (!tgt_len) return "empty target";
    pair->src = copy_text(src, src_len);
    pair->tgt = copy_text(tgt, tgt_len);
    return NULL;
}

static void add_pair(corpus *c, corpus_pair pair)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->pairs = xrealloc(c->pairs, c->cap * sizeof *c->pairs);
    }
    c->pairs[c->n++] = pair;
}

/* Records a line that cannot be used; returns -1 when that is an error (strict mode). */
static int reject_line(corpus_reader *r, corpus *c, const char *reason)
{
    c->skipped++;
    if (r->quiet) return 0;
    r->skipped++;
    if (reason == BLANK) {
        r->blank++;
        return 0;
    }
    if (r->strict) {
        st_error("%s:%ld: %s", r->name, r->lines, reason);
        return -1;
    }
    if (r->warnings < CORPUS_MAX_WARNINGS) st_warn("%s:%ld: %s", r->name, r->lines, reason);
    else if (r->warnings == CORPUS_MAX_WARNINGS) st_warn("%s: further warnings suppressed", r->name);
    r->warnings++;
    return 0;
}

int corpus_reader_open(corpus_reader *r, const char *path, int strict)
{
    memset(r, 0, sizeof *r);
    int from_stdin = !strcmp(path, "-");
    r->name = from_stdin ? "<stdin>" : path;
    r->strict = strict;
    r->f = from_stdin ? stdin : fopen(path, "r");
    if (!r->f) {
        st_error("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    r->from_stdin = from_stdin;
    return 0;
}

/* 1 when the input has more bytes, 0 at its end, -1 on a read error. */
static int more_input(FILE *f)
{
    int ch = getc(f);
    if (ch != EOF) return ungetc(ch, f) != EOF ? 1 : -1;
    return ferror(f) ? -1 : 0;
}

static int read_error(const corpus_reader *r)
{
    st_error("cannot read '%s': %s", r->name, strerror(errno));
    return -1;
}

int corpus_reader_read(corpus_reader *r, corpus *c, size_t max_pairs)
{
    int too_long;
    long len;
    size_t until = max_pairs > SIZE_MAX - c->n ? SIZE_MAX : c->n + max_pairs;
    while (c->n < until) {
        len = read_line_bounded(r->f, &r->buf, &r->cap, CORPUS_MAX_LINE, &too_long);
        if (ferror(r->f)) return read_error(r); /* not a short line to complain of */
        if (len < 0) return 0;
        if (++r->lines == 1) strip_bom(r->buf, &len);
        corpus_pair pair = {NULL, NULL, r->lines};
        const char *reason = parse_line(r->buf, (size_t)len, too_long, &pair);
        if (!reason) add_pair(c, pair);
        else if (reject_line(r, c, reason) < 0) return -1;
    }
    int more = more_input(r->f); /* so that a block that ends the input says so */
    return more >= 0 ? more : read_error(r);
}

int corpus_reader_mark(const corpus_reader *r, corpus_mark *m)
{
    m->offset = r->from_stdin ? -1 : ftello(r->f);
    m->lines = r->lines;
    return m->offset < 0 ? -1 : 0;
}

int corpus_reader_rewind(corpus_reader *r, const corpus_mark *m)
{
    if (fseeko(r->f, m->offset, SEEK_SET) != 0) {
        st_error("cannot read '%s' again: %s", r->name, strerror(errno));
        return -1;
    }
    clearerr(r->f);
    r->lines = m->lines;
    r->quiet = 1; /* its lines were reported the first time */
    return 0;
}

int corpus_reader_report(const corpus_reader *r, size_t pairs)
{
    if (r->skipped)
        st_warn("%s: skipped %zu of %ld lines (%zu blank)", r->name, r->skipped, r->lines, r->blank);
    if (pairs) return 0;
    st_error("%s: no usable sentence pairs", r->name);
    return -1;
}

void corpus_reader_close(corpus_reader *r)
{
    if (r->f && !r->from_stdin) fclose(r->f);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

int corpus_read(const char *path, int strict, corpus *out)
{
    memset(out, 0, sizeof *out);
    corpus_reader r;
    if (corpus_reader_open(&r, path, strict) != 0) return -1;
    int rc = corpus_reader_read(&r, out, SIZE_MAX);
    if (rc == 0) rc = corpus_reader_report(&r, out->n);
    corpus_reader_close(&r);
    if (rc < 0) corpus_free(out);
    return rc;
}

void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->pairs[i].src);
        free(c->pairs[i].tgt);
    }
    free(c->pairs);
    memset(c, 0, sizeof *c);
}

void corpus_swap_sides(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        char *t = c->pairs[i].src;
        c->pairs[i].src = c->pairs[i].tgt;
        c->pairs[i].tgt = t;
    }
}

static long count_cjk(const char *s)
{
    long n = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k;
    while (*p && (k = utf8proc_iterate(p, -1, &cp)) > 0) {
        n += is_cjk(cp);
        p += k;
    }
    return n;
}

void corpus_count_han(const corpus *c, size_t from, size_t to, long *src, long *tgt)
{
    for (size_t i = from; i < to; i++) *src += count_cjk(c->pairs[i].src), *tgt += count_cjk(c->pairs[i].tgt);
}

int corpus_source_is_chinese(const corpus *c)
{
    long a = 0, b = 0;
    corpus_count_han(c, 0, c->n, &a, &b);
    return a > b;
}
