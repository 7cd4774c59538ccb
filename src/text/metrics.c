/* metrics: corpus BLEU and chrF as sacreBLEU 2.x computes them (see metrics.h).
 *
 * Every sentence is reduced to sufficient statistics at once: n-grams are counted in an
 * open-addressing hash table keyed by the exact n-gram (packed token ids or code points),
 * which is emptied in O(1) per sentence by a generation counter. The hypothesis n-grams
 * are inserted first; a reference n-gram is only looked up, and a clipped match is counted
 * the moment a reference count rises to a value not above the hypothesis count. */
#include "text/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "sys/util.h"

#define BLEU_N 4
#define CHRF_N 6
#define CHRF_BETA 2

/* ------------------------------------------------------------------ buffers */

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

/* Makes room for `extra` more bytes plus a terminating NUL. */
static void sb_reserve(sbuf *b, size_t extra)
{
    if (b->n + extra + 1 <= b->cap) return;
    size_t c = b->cap ? b->cap : 256;
    while (c < b->n + extra + 1) c *= 2;
    b->p = xrealloc(b->p, c);
    b->cap = c;
}

static void grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    *p = xrealloc(*p, c * elem);
    *cap = c;
}

/* ------------------------------------------------------------------ UTF-8 */

/* Decodes the code point at s[*i] and advances *i. An invalid byte decodes alone as
 * U+DC80..U+DCFF (Python's surrogateescape), so any input is handled safely; valid text
 * never yields a surrogate. */
static int32_t u8_next(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    if (c < 0x80) {
        (*i)++;
        return (int32_t)c;
    }
    size_t len;
    int32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
    else goto bad;
    if (*i + len > n) goto bad;
    for (size_t k = 1; k < len; k++) {
        unsigned d = s[*i + k];
        if ((d & 0xC0) != 0x80) goto bad;
        cp = (cp << 6) | (int32_t)(d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto bad;
    *i += len;
    return cp;
bad:
    (*i)++;
    return (int32_t)(0xDC00 + c);
}

static int is_escaped_byte(int32_t cp) { return cp >= 0xDC80 && cp <= 0xDCFF; }

/* Appends cp as UTF-8 (an escaped invalid byte as that byte); room must be reserved. */
static void u8_put(sbuf *b, int32_t cp)
{
    char *o = b->p + b->n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        b->n += 1;
    } else if (is_escaped_byte(cp)) {
        o[0] = (char)(cp - 0xDC00);
        b->n += 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        b->n += 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        b->n += 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        b->n += 4;
    }
}

long metrics_utf8_invalid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t at = i;
        if (is_escaped_byte(u8_next(u, len, &i))) return (long)at;
    }
    return -1;
}

int metrics_has_cjk(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        int32_t c = u8_next(u, n, &i);
        if ((c >= 0x3040 && c <= 0x30FF) ||   /* hiragana, katakana */
            (c >= 0x3400 && c <= 0x4DBF) ||   /* CJK extension A */
            (c >= 0x4E00 && c <= 0x9FFF) ||   /* CJK unified ideographs */
            (c >= 0xF900 && c <= 0xFAFF) ||   /* CJK compatibility ideographs */
            (c >= 0x20000 && c <= 0x3134F))   /* extensions B..G, compatibility supplement */
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------ Python str semantics */

/* Python's str.isspace(), which str.split(), strip() and rstrip() use. */
static int py_isspace(int32_t c)
{
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Byte length of the whitespace character at s[i], or 0 if s[i] starts something else. */
static size_t space_at(const unsigned char *s, size_t n, size_t i)
{
    unsigned c = s[i];
    if (c < 0x80) return py_isspace((int32_t)c) ? 1 : 0;
    if (c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3) return 0;
    size_t j = i;
    return py_isspace(u8_next(s, n, &j)) ? j - i : 0;
}

/* Length of s[0..n) without trailing whitespace (str.rstrip()). */
static size_t rstrip_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    while (n > 0) {
        size_t start = n - 1;
        if (u[start] >= 0x80) {
            /* back to the lead byte of the last code point */
            while (start > 0 && n - start < 4 && (u[start] & 0xC0) == 0x80) start--;
        }
        size_t j = start;
        int32_t cp = u8_next(u, n, &j);
        if (j != n) cp = 0xDC00 + u[n - 1]; /* not a whole code point: an invalid byte */
        if (!py_isspace(cp)) break;
        n = start;
    }
    return n;
}

/* Python's Final_Sigma helpers: Case_Ignorable and Cased. */
static int is_case_ignorable(int32_t c)
{
    switch (c) {
    case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
    case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52:
    case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
        return 1;
    }
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_ME ||
           k == UTF8PROC_CATEGORY_CF || k == UTF8PROC_CATEGORY_LM ||
           k == UTF8PROC_CATEGORY_SK;
}

static int is_cased(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    if (k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT)
        return 1;
    /* Other_Lowercase / Other_Uppercase outside the case-ignorable categories */
    return c == 0xAA || c == 0xBA || (c >= 0x2160 && c <= 0x217F) ||
           (c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F189);
}

/* ------------------------------------------------------------------ tokens */

typedef struct {
    uint32_t off, len;
} span;

typedef struct {
    sbuf text;
    span *tok;
    size_t ntok, cap;
} toklist;

static void tl_push(toklist *t, size_t off, size_t len)
{
    grow_array((void **)&t->tok, &t->cap, t->ntok + 1, sizeof *t->tok);
    t->tok[t->ntok].off = (uint32_t)off;
    t->tok[t->ntok].len = (uint32_t)len;
    t->ntok++;
}

/* str.split() of t->text into t->tok. */
static void tl_split(toklist *t)
{
    const unsigned char *s = (const unsigned char *)t->text.p;
    size_t n = t->text.n, i = 0;
    t->ntok = 0;
    while (i < n) {
        size_t w;
        while (i < n && (w = space_at(s, n, i)) > 0) i += w;
        if (i >= n) break;
        size_t start = i;
        while (i < n && space_at(s, n, i) == 0) i++;
        tl_push(t, start, i - start);
    }
}

/* ------------------------------------------------------------------ hash tables */

static inline uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

/* n-gram entry: the key is the exact n-gram, packed (zero-padded) into 128 bits. */
typedef struct {
    uint64_t k0, k1;
    uint32_t gen, stamp;   /* stamp: the reference that `cur` counts for */
    int32_t hyp, cur, best;
} ngent;

typedef struct {
    ngent *e;
    size_t cap;
    uint32_t gen;
} ngtab;

/* Empties a generation-stamped open-addressing table (entries of entry_size bytes) and
 * makes room for nkeys insertions: a new generation number makes every old entry free,
 * and the entries are only cleared when the number wraps around. */
static void table_begin(void **entries, size_t *cap, uint32_t *gen, size_t entry_size, size_t nkeys)
{
    size_t need = 2 * nkeys + 16;
    if (need > *cap) {
        size_t c = 64;
        while (c < need) c *= 2;
        free(*entries);
        *entries = xcalloc(c, entry_size);
        *cap = c;
        *gen = 0;
    }
    if (++*gen == 0) {
        memset(*entries, 0, *cap * entry_size);
        *gen = 1;
    }
}

static void ng_begin(ngtab *t, size_t nkeys)
{
    void *e = t->e;
    table_begin(&e, &t->cap, &t->gen, sizeof *t->e, nkeys);
    t->e = e;
}

static inline size_t ng_slot(const ngtab *t, uint64_t k0, uint64_t k1)
{
    return (size_t)fmix64(k0 * 0x9E3779B97F4A7C15ull ^ fmix64(k1 + 0x632BE59BD9B4E019ull)) &
           (t->cap - 1);
}

static ngent *ng_insert(ngtab *t, uint64_t k0, uint64_t k1)
{
    size_t mask = t->cap - 1, i = ng_slot(t, k0, k1);
    for (;;) {
        ngent *e = &t->e[i];
        if (e->gen != t->gen) {
            memset(e, 0, sizeof *e);
            e->gen = t->gen;
            e->k0 = k0;
            e->k1 = k1;
            return e;
        }
        if (e->k0 == k0 && e->k1 == k1) return e;
        i = (i + 1) & mask;
    }
}

static ngent *ng_find(ngtab *t, uint64_t k0, uint64_t k1)
{
    size_t mask = t->cap - 1, i = ng_slot(t, k0, k1);
    for (;;) {
        ngent *e = &t->e[i];
        if (e->gen != t->gen) return NULL;
        if (e->k0 == k0 && e->k1 == k1) return e;
        i = (i + 1) & mask;
    }
}

/* Counts one more occurrence of a reference n-gram for reference `stamp`; returns 1 when
 * that occurrence is a clipped match (count still within the hypothesis count). */
static inline int ng_ref_hit(ngent *e, uint32_t stamp)
{
    if (e->stamp != stamp) {
        e->stamp = stamp;
        e->cur = 0;
    }
    return ++e->cur <= e->hyp;
}

/* token interning: hypothesis tokens -> ids 1..K */
typedef struct {
    uint64_t h;
    uint32_t gen, off, len, id;
} tkent;

typedef struct {
    tkent *e;
    size_t cap;
    uint32_t gen;
} tktab;

static void tk_begin(tktab *t, size_t nkeys)
{
    void *e = t->e;
    table_begin(&e, &t->cap, &t->gen, sizeof *t->e, nkeys);
    t->e = e;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001B3ull;
    return fmix64(h ^ n);
}

/* Finds the token s[0..n) among the interned ones (text: the hypothesis text); with
 * `insert`, adds it with the next id. Returns its id, or 0 if absent. */
static uint32_t tk_lookup(tktab *t, const char *text, const char *s, size_t n, int insert,
                          uint32_t *next_id)
{
    uint64_t h = hash_bytes(s, n);
    size_t mask = t->cap - 1, i = (size_t)h & mask;
    for (;;) {
        tkent *e = &t->e[i];
        if (e->gen != t->gen) {
            if (!insert) return 0;
            e->gen = t->gen;
            e->h = h;
            e->off = (uint32_t)(s - text);
            e->len = (uint32_t)n;
            e->id = ++*next_id;
            return e->id;
        }
        if (e->h == h && e->len == n && memcmp(text + e->off, s, n) == 0) return e->id;
        i = (i + 1) & mask;
    }
}

/* ------------------------------------------------------------------ accumulator */

struct metrics {
    bleu_tokenizer tok;
    int lowercase, nrefs;
    /* BLEU statistics */
    long correct[BLEU_N], total[BLEU_N], sys_len, ref_len, sentences;
    /* chrF statistics: per order, hypothesis n-grams, reference n-grams, matches */
    long chrf[CHRF_N][3];
    /* scratch */
    sbuf lower, tmp1, tmp2, pad;
    toklist th, tr;
    uint32_t *hid, *rid;
    size_t hid_cap, rid_cap;
    int32_t *hc, *rc, *cps;
    size_t hc_cap, rc_cap, cps_cap;
    ngtab ng;
    tktab tk;
    uint32_t stamp;
};

int bleu_tokenizer_parse(const char *name, bleu_tokenizer *out)
{
    static const struct {
        const char *name;
        bleu_tokenizer tok;
    } names[] = {{"13a", BLEU_TOK_13A}, {"zh", BLEU_TOK_ZH}, {"char", BLEU_TOK_CHAR},
                 {"none", BLEU_TOK_NONE}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name && !strcmp(name, names[i].name)) {
            *out = names[i].tok;
            return 0;
        }
    return -1;
}

const char *bleu_tokenizer_name(bleu_tokenizer tok)
{
    switch (tok) {
    case BLEU_TOK_13A: return "13a";
    case BLEU_TOK_ZH: return "zh";
    case BLEU_TOK_CHAR: return "char";
    case BLEU_TOK_NONE: return "none";
    }
    return "?";
}

metrics *metrics_new(bleu_tokenizer tok, int lowercase, int nrefs)
{
    metrics *m = xcalloc(1, sizeof *m);
    m->tok = tok;
    m->lowercase = lowercase != 0;
    m->nrefs = nrefs < 1 ? 1 : nrefs;
    return m;
}

void metrics_free(metrics *m)
{
    if (!m) return;
    free(m->lower.p);
    free(m->tmp1.p);
    free(m->tmp2.p);
    free(m->pad.p);
    free(m->th.text.p);
    free(m->th.tok);
    free(m->tr.text.p);
    free(m->tr.tok);
    free(m->hid);
    free(m->rid);
    free(m->hc);
    free(m->rc);
    free(m->cps);
    free(m->ng.e);
    free(m->tk.e);
    free(m);
}

/* ------------------------------------------------------------- lowercasing */

/* Python's str.lower() of s[0..n) into out: utf8proc's simple lowercase mapping, plus
 * Python's full mapping of U+0130 (to "i" U+0307) and its Final_Sigma rule for U+03A3. */
static void py_lower(metrics *m, const char *s, size_t n, sbuf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    out->n = 0;
    size_t i = 0;
    while (i < n && u[i] < 0x80) i++;
    if (i == n) { /* ASCII */
        sb_reserve(out, n);
        for (i = 0; i < n; i++) {
            unsigned c = u[i];
            out->p[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        out->n = n;
        out->p[n] = '\0';
        return;
    }
    size_t ncp = 0;
    grow_array((void **)&m->cps, &m->cps_cap, n + 1, sizeof *m->cps);
    for (i = 0; i < n;) m->cps[ncp++] = u8_next(u, n, &i);
    sb_reserve(out, n * 2 + 8); /* lowercase UTF-8 is at most 3/2 as long */
    for (size_t k = 0; k < ncp; k++) {
        int32_t c = m->cps[k];
        if (c < 0x80) {
            out->p[out->n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        } else if (is_escaped_byte(c)) {
            u8_put(out, c);
        } else if (c == 0x130) {
            u8_put(out, 0x69);
            u8_put(out, 0x307);
        } else if (c == 0x3A3) {
            /* final sigma: cased (case-ignorable)* SIGMA !((case-ignorable)* cased) */
            size_t j = k;
            int32_t before = 0;
            while (j > 0 && is_case_ignorable(m->cps[j - 1])) j--;
            if (j > 0) before = m->cps[j - 1];
            int final = j > 0 && is_cased(before);
            if (final) {
                j = k + 1;
                while (j < ncp && is_case_ignorable(m->cps[j])) j++;
                final = j == ncp || !is_cased(m->cps[j]);
            }
            u8_put(out, final ? 0x3C2 : 0x3C3);
        } else {
            u8_put(out, utf8proc_tolower(c));
        }
    }
    out->p[out->n] = '\0';
}

/* ------------------------------------------------------------- tokenizers */

/* Appends s[0..n) with every `pat` replaced by `rep` (str.replace). */
static void replace_all(const char *s, size_t n, const char *pat, const char *rep, sbuf *out)
{
    size_t pl = strlen(pat), rl = strlen(rep);
    out->n = 0;
    sb_reserve(out, n + 1);
    size_t i = 0;
    while (i < n) {
        const char *hit = pl <= n - i ? memmem(s + i, n - i, pat, pl) : NULL;
        size_t stop = hit ? (size_t)(hit - s) : n;
        memcpy(out->p + out->n, s + i, stop - i);
        out->n += stop - i;
        if (!hit) break;
        memcpy(out->p + out->n, rep, rl); /* rl <= pl: fits */
        out->n += rl;
        i = stop + pl;
    }
    out->p[out->n] = '\0';
}

static inline int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

/* The character class of sacreBLEU's first regexp: ([\{-\~\[-\` -\&\(-\+\:-\@\/]) */
static inline int is_punct13a(unsigned c)
{
    return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
           (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

/* sacreBLEU's TokenizerRegexp: four re.sub() passes, each a left-to-right scan of
 * non-overlapping matches (working on bytes gives the same result as on code points:
 * every pattern character is ASCII). The result goes to out (split by the caller). */
static void regexp_passes(metrics *m, const char *s, size_t n, sbuf *out)
{
    sbuf *a = &m->tmp2;
    const unsigned char *in;
    char *o;

    /* 1. ([{-~[-` -&(-+:-@/]) -> ' \1 ' */
    a->n = 0;
    sb_reserve(a, 3 * n);
    in = (const unsigned char *)s;
    o = a->p;
    for (size_t i = 0; i < n; i++) {
        if (is_punct13a(in[i])) {
            *o++ = ' ';
            *o++ = (char)in[i];
            *o++ = ' ';
        } else {
            *o++ = (char)in[i];
        }
    }
    a->n = (size_t)(o - a->p);

    /* 2. ([^0-9])([\.,]) -> '\1 \2 ' */
    out->n = 0;
    sb_reserve(out, 2 * a->n);
    in = (const unsigned char *)a->p;
    o = out->p;
    for (size_t i = 0, k = a->n; i < k;) {
        if (i + 1 < k && !is_digit(in[i]) && (in[i + 1] == '.' || in[i + 1] == ',')) {
            *o++ = (char)in[i];
            *o++ = ' ';
            *o++ = (char)in[i + 1];
            *o++ = ' ';
            i += 2;
        } else {
            *o++ = (char)in[i++];
        }
    }
    out->n = (size_t)(o - out->p);

    /* 3. ([\.,])([^0-9]) -> ' \1 \2' */
    a->n = 0;
    sb_reserve(a, 2 * out->n);
    in = (const unsigned char *)out->p;
    o = a->p;
    for (size_t i = 0, k = out->n; i < k;) {
        if (i + 1 < k && (in[i] == '.' || in[i] == ',') && !is_digit(in[i + 1])) {
            *o++ = ' ';
            *o++ = (char)in[i];
            *o++ = ' ';
            *o++ = (char)in[i + 1];
            i += 2;
        } else {
            *o++ = (char)in[i++];
        }
    }
    a->n = (size_t)(o - a->p);

    /* 4. ([0-9])(-) -> '\1 \2 ' */
    out->n = 0;
    sb_reserve(out, 2 * a->n);
    in = (const unsigned char *)a->p;
    o = out->p;
    for (size_t i = 0, k = a->n; i < k;) {
        if (i + 1 < k && is_digit(in[i]) && in[i + 1] == '-') {
            *o++ = (char)in[i];
            *o++ = ' ';
            *o++ = '-';
            *o++ = ' ';
            i += 2;
        } else {
            *o++ = (char)in[i++];
        }
    }
    out->n = (size_t)(o - out->p);
    out->p[out->n] = '\0';
}

/* sacreBLEU's _is_chinese_char(), including the effect of its ranges written as
 * '\u20000'..'\u2a6d6' and '\u2f800'..'\u2fa1d': in Python these are two-character
 * strings, so the comparison really selects U+2001..U+2A6D and U+2F81..U+2FA1. */
static int is_chinese_char(int32_t c)
{
    static const int32_t ranges[][2] = {
        {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D},
        {0xFA30, 0xFA6A}, {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1},
        {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF}, {0x3000, 0x303F}, {0x31C0, 0x31EF},
        {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F}, {0x31A0, 0x31BF},
        {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
        {0x3200, 0x32FF}, {0x3300, 0x33FF},
    };
    if (c < 0x2001) return 0;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1]) return 1;
    return 0;
}

/* sacreBLEU's BLEU._preprocess_segment(): lowercase (optional), rstrip, tokenize; the
 * tokens of s[0..n) go to out. */
static void tokenize(metrics *m, const char *s, size_t n, toklist *out)
{
    if (m->lowercase) {
        py_lower(m, s, n, &m->lower);
        s = m->lower.p;
        n = m->lower.n;
    }
    n = rstrip_len(s, n);
    sbuf *t = &out->text;
    const unsigned char *u = (const unsigned char *)s;
    switch (m->tok) {
    case BLEU_TOK_NONE:
        t->n = 0;
        sb_reserve(t, n);
        memcpy(t->p, s, n);
        t->n = n;
        t->p[n] = '\0';
        tl_split(out);
        return;
    case BLEU_TOK_CHAR: /* " ".join(line).split(): every non-space code point */
        t->n = 0;
        sb_reserve(t, n);
        memcpy(t->p, s, n);
        t->n = n;
        t->p[n] = '\0';
        out->ntok = 0;
        for (size_t i = 0; i < n;) {
            size_t start = i;
            int32_t cp = u8_next(u, n, &i);
            if (!py_isspace(cp)) tl_push(out, start, i - start);
        }
        return;
    case BLEU_TOK_13A: {
        /* language-independent part, then " {line} " */
        const char *cur = s;
        size_t cn = n;
        sbuf *bufs[2] = {&m->tmp1, &m->tmp2};
        int which = 0;
        static const char *const rep[][2] = {{"<skipped>", ""}, {"-\n", ""}, {"\n", " "},
                                             {"&quot;", "\""}, {"&amp;", "&"},
                                             {"&lt;", "<"}, {"&gt;", ">"}};
        for (size_t r = 0; r < sizeof rep / sizeof rep[0]; r++) {
            if (!memchr(cur, rep[r][0][0], cn)) continue;
            replace_all(cur, cn, rep[r][0], rep[r][1], bufs[which]);
            cur = bufs[which]->p;
            cn = bufs[which]->n;
            which ^= 1;
        }
        sbuf *pad = &m->pad;
        pad->n = 0;
        sb_reserve(pad, cn + 2);
        pad->p[0] = ' ';
        memcpy(pad->p + 1, cur, cn);
        pad->p[cn + 1] = ' ';
        pad->n = cn + 2;
        regexp_passes(m, pad->p, pad->n, t);
        tl_split(out);
        return;
    }
    case BLEU_TOK_ZH: {
        /* strip, put spaces around Chinese characters, then the regexps (no 13a
         * unescaping, no padding) */
        size_t i = 0;
        while (i < n) {
            size_t w = space_at(u, n, i);
            if (!w) break;
            i += w;
        }
        sbuf *b = &m->tmp1;
        b->n = 0;
        sb_reserve(b, 3 * (n - i));
        while (i < n) {
            size_t start = i;
            int32_t cp = u8_next(u, n, &i);
            if (is_chinese_char(cp)) {
                b->p[b->n++] = ' ';
                memcpy(b->p + b->n, s + start, i - start);
                b->n += i - start;
                b->p[b->n++] = ' ';
            } else {
                memcpy(b->p + b->n, s + start, i - start);
                b->n += i - start;
            }
        }
        regexp_passes(m, b->p, b->n, t);
        tl_split(out);
        return;
    }
    }
}

char *metrics_tokenize(bleu_tokenizer tok, int lowercase, const char *s)
{
    metrics *m = metrics_new(tok, lowercase, 1);
    tokenize(m, s, strlen(s), &m->th);
    size_t len = 0;
    for (size_t i = 0; i < m->th.ntok; i++) len += m->th.tok[i].len + 1;
    char *out = xmalloc(len + 1), *o = out;
    for (size_t i = 0; i < m->th.ntok; i++) {
        if (i) *o++ = ' ';
        memcpy(o, m->th.text.p + m->th.tok[i].off, m->th.tok[i].len);
        o += m->th.tok[i].len;
    }
    *o = '\0';
    metrics_free(m);
    return out;
}

/* ------------------------------------------------------------- BLEU */

static void bleu_segment(metrics *m, const char *hyp, const char *const *refs)
{
    toklist *th = &m->th, *tr = &m->tr;
    tokenize(m, hyp, strlen(hyp), th);
    size_t hl = th->ntok;

    /* intern the hypothesis tokens */
    grow_array((void **)&m->hid, &m->hid_cap, hl + 1, sizeof *m->hid);
    tk_begin(&m->tk, hl);
    uint32_t next_id = 0;
    for (size_t i = 0; i < hl; i++)
        m->hid[i] = tk_lookup(&m->tk, th->text.p, th->text.p + th->tok[i].off,
                              th->tok[i].len, 1, &next_id);

    /* hypothesis n-grams */
    ng_begin(&m->ng, hl * BLEU_N);
    for (size_t i = 0; i < hl; i++) {
        uint64_t k[2] = {0, 0};
        for (size_t n = 0; n < BLEU_N && i + n < hl; n++) {
            k[n / 2] |= (uint64_t)m->hid[i + n] << (32 * (n % 2));
            ng_insert(&m->ng, k[0], k[1])->hyp++;
        }
    }
    for (size_t n = 0; n < BLEU_N; n++)
        if (hl > n) m->total[n] += (long)(hl - n);

    /* references: clipped matches and the closest length */
    long closest_diff = -1, closest_len = -1;
    for (int r = 0; r < m->nrefs; r++) {
        tokenize(m, refs[r], strlen(refs[r]), tr);
        size_t rl = tr->ntok;
        long diff = labs((long)hl - (long)rl);
        if (closest_diff == -1 || diff < closest_diff) {
            closest_diff = diff;
            closest_len = (long)rl;
        } else if (diff == closest_diff && (long)rl < closest_len) {
            closest_len = (long)rl;
        }
        if (hl == 0) continue;
        grow_array((void **)&m->rid, &m->rid_cap, rl + 1, sizeof *m->rid);
        for (size_t i = 0; i < rl; i++)
            m->rid[i] = tk_lookup(&m->tk, th->text.p, tr->text.p + tr->tok[i].off,
                                  tr->tok[i].len, 0, &next_id);
        if (++m->stamp == 0) m->stamp = 1;
        for (size_t i = 0; i < rl; i++) {
            uint64_t k[2] = {0, 0};
            for (size_t n = 0; n < BLEU_N && i + n < rl; n++) {
                if (!m->rid[i + n]) break; /* not a hypothesis token: no match */
                k[n / 2] |= (uint64_t)m->rid[i + n] << (32 * (n % 2));
                ngent *e = ng_find(&m->ng, k[0], k[1]);
                if (!e) break; /* no longer n-gram of the hypothesis either */
                if (ng_ref_hit(e, m->stamp) && e->cur > e->best) {
                    e->best = e->cur;
                    m->correct[n]++;
                }
            }
        }
    }
    m->sys_len += (long)hl;
    m->ref_len += closest_len;
}

/* ------------------------------------------------------------- chrF */

/* Code points of s without whitespace ("".join(s.split())) into *out; returns the count. */
static size_t chars_nospace(const char *s, int32_t **out, size_t *cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), k = 0;
    grow_array((void **)out, cap, n + 1, sizeof **out);
    for (size_t i = 0; i < n;) {
        int32_t cp = u8_next(u, n, &i);
        if (!py_isspace(cp)) (*out)[k++] = cp;
    }
    return k;
}

/* sacreBLEU's CHRF._compute_f_score() without eps smoothing (effective order). */
static double chrf_score(const long st[CHRF_N][3])
{
    const double factor = CHRF_BETA * CHRF_BETA;
    double avg_prec = 0.0, avg_rec = 0.0;
    int eff = 0;
    for (int i = 0; i < CHRF_N; i++) {
        long n_hyp = st[i][0], n_ref = st[i][1], n_match = st[i][2];
        if (n_hyp > 0 && n_ref > 0) {
            avg_prec += (double)n_match / (double)n_hyp;
            avg_rec += (double)n_match / (double)n_ref;
            eff++;
        }
    }
    if (eff == 0) return 0.0;
    avg_prec /= eff;
    avg_rec /= eff;
    if (avg_prec + avg_rec == 0.0) return 0.0;
    double score = (1 + factor) * avg_prec * avg_rec;
    score /= (factor * avg_prec) + avg_rec;
    return 100 * score;
}

static void chrf_segment(metrics *m, const char *hyp, const char *const *refs)
{
    size_t hl = chars_nospace(hyp, &m->hc, &m->hc_cap);
    const int32_t *hc = m->hc;
    ng_begin(&m->ng, hl * CHRF_N);
    for (size_t i = 0; i < hl; i++) {
        uint64_t k[2] = {0, 0};
        for (size_t n = 0; n < CHRF_N && i + n < hl; n++) {
            k[n / 3] |= (uint64_t)(hc[i + n] + 1) << (21 * (n % 3));
            ng_insert(&m->ng, k[0], k[1])->hyp++;
        }
    }
    long best[CHRF_N][3] = {{0}}, st[CHRF_N][3];
    double best_f = -1.0;
    for (int r = 0; r < m->nrefs; r++) {
        size_t rl = chars_nospace(refs[r], &m->rc, &m->rc_cap);
        const int32_t *rc = m->rc;
        for (size_t n = 0; n < CHRF_N; n++) {
            /* no hypothesis n-grams are counted when the reference has none */
            st[n][0] = rl > n && hl > n ? (long)(hl - n) : 0;
            st[n][1] = rl > n ? (long)(rl - n) : 0;
            st[n][2] = 0;
        }
        if (++m->stamp == 0) m->stamp = 1;
        if (hl > 0) {
            for (size_t i = 0; i < rl; i++) {
                uint64_t k[2] = {0, 0};
                for (size_t n = 0; n < CHRF_N && i + n < rl; n++) {
                    k[n / 3] |= (uint64_t)(rc[i + n] + 1) << (21 * (n % 3));
                    ngent *e = ng_find(&m->ng, k[0], k[1]);
                    if (!e) break;
                    if (ng_ref_hit(e, m->stamp)) st[n][2]++;
                }
            }
        }
        if (m->nrefs == 1) {
            memcpy(best, st, sizeof best);
            break;
        }
        double f = chrf_score((const long(*)[3])st);
        if (f > best_f) {
            best_f = f;
            memcpy(best, st, sizeof best);
        }
    }
    for (int n = 0; n < CHRF_N; n++)
        for (int j = 0; j < 3; j++) m->chrf[n][j] += best[n][j];
}

void metrics_add(metrics *m, const char *hyp, const char *const *refs)
{
    bleu_segment(m, hyp, refs);
    chrf_segment(m, hyp, refs);
    m->sentences++;
}

/* ------------------------------------------------------------- results */

void metrics_result_get(const metrics *m, metrics_result *out)
{
    memset(out, 0, sizeof *out);
    out->sys_len = m->sys_len;
    out->ref_len = m->ref_len;
    out->sentences = m->sentences;
    int any = 0;
    for (int n = 0; n < BLEU_N; n++) {
        out->counts[n] = m->correct[n];
        out->totals[n] = m->total[n];
        any |= m->correct[n] != 0;
    }
    /* sacreBLEU's BLEU.compute_bleu() with smooth_method='exp', effective_order=False */
    if (m->sys_len < m->ref_len)
        out->bp = m->sys_len > 0 ? exp(1.0 - (double)m->ref_len / (double)m->sys_len) : 0.0;
    else
        out->bp = 1.0;
    if (any) {
        double smooth = 1.0, sum = 0.0;
        for (int n = 0; n < BLEU_N; n++) {
            if (m->total[n] == 0) break;
            if (m->correct[n] == 0) {
                smooth *= 2;
                out->precisions[n] = 100.0 / (smooth * (double)m->total[n]);
            } else {
                out->precisions[n] = 100.0 * (double)m->correct[n] / (double)m->total[n];
            }
        }
        for (int n = 0; n < BLEU_N; n++)
            sum += out->precisions[n] == 0.0 ? -9999999999.0 : log(out->precisions[n]);
        out->bleu = out->bp * exp(sum / BLEU_N);
    }
    out->chrf = chrf_score((const long(*)[3])m->chrf);
    snprintf(out->bleu_signature, sizeof out->bleu_signature,
             "nrefs:%d|case:%s|eff:no|tok:%s|smooth:exp|version:%s", m->nrefs,
             m->lowercase ? "lc" : "mixed", bleu_tokenizer_name(m->tok), SEQTRANS_VERSION);
    snprintf(out->chrf_signature, sizeof out->chrf_signature,
             "nrefs:%d|case:mixed|eff:yes|nc:%d|nw:0|space:no|version:%s", m->nrefs, CHRF_N,
             SEQTRANS_VERSION);
}

/* The shortest "%.Ng" that reads back as the same double, always with a '.' or an
 * exponent so that it reads as a float (100.0, not 100). */
static void fmt_double(char *buf, size_t size, double v)
{
    if (!isfinite(v)) v = 0.0;
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    if (!strpbrk(buf, ".e")) strncat(buf, ".0", size - strlen(buf) - 1);
}

void metrics_print(FILE *out, const metrics_result *r, int json, const char *extra_json,
                   const char *extra_text)
{
    char b[64];
    if (json) {
        fmt_double(b, sizeof b, r->bleu);
        fprintf(out, "{\"bleu\": %s, ", b);
        fmt_double(b, sizeof b, r->chrf);
        fprintf(out, "\"chrf\": %s, \"bleu_signature\": ", b);
        json_write_string(out, r->bleu_signature);
        fprintf(out, ", \"chrf_signature\": ");
        json_write_string(out, r->chrf_signature);
        fprintf(out, ", \"counts\": [%ld, %ld, %ld, %ld]", r->counts[0], r->counts[1],
                r->counts[2], r->counts[3]);
        fprintf(out, ", \"totals\": [%ld, %ld, %ld, %ld], \"precisions\": [", r->totals[0],
                r->totals[1], r->totals[2], r->totals[3]);
        for (int n = 0; n < BLEU_N; n++) {
            fmt_double(b, sizeof b, r->precisions[n]);
            fprintf(out, "%s%s", n ? ", " : "", b);
        }
        fmt_double(b, sizeof b, r->bp);
        fprintf(out, "], \"bp\": %s, \"sys_len\": %ld, \"ref_len\": %ld, \"sentences\": %ld", b,
                r->sys_len, r->ref_len, r->sentences);
        if (extra_json && *extra_json) fprintf(out, ", %s", extra_json);
        fprintf(out, "}\n");
        return;
    }
    double ratio = r->ref_len > 0 ? (double)r->sys_len / (double)r->ref_len : 0.0;
    fprintf(out, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %ld "
                 "ref_len = %ld)\n",
            r->bleu, r->precisions[0], r->precisions[1], r->precisions[2], r->precisions[3],
            r->bp, ratio, r->sys_len, r->ref_len);
    fprintf(out, "chrF2 = %.2f\n", r->chrf);
    fprintf(out, "sentences = %ld\n", r->sentences);
    if (extra_text && *extra_text) {
        fputs(extra_text, out);
        if (extra_text[strlen(extra_text) - 1] != '\n') fputc('\n', out);
    }
    fprintf(out, "BLEU signature: %s\n", r->bleu_signature);
    fprintf(out, "chrF2 signature: %s\n", r->chrf_signature);
}

/* ------------------------------------------------------------- reading text */

void text_lines_free(text_lines *t)
{
    if (!t) return;
    for (long i = 0; i < t->n; i++) free(t->lines[i]);
    free(t->lines);
    t->lines = NULL;
    t->n = 0;
}

int text_lines_load(const char *path, text_lines *out)
{
    int is_stdin = !strcmp(path, "-");
    const char *name = is_stdin ? "<stdin>" : path;
    out->lines = NULL;
    out->n = 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        st_error("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 0, bcap = 0;
    char *buf = NULL;
    long len;
    int rc = 0;
    while ((len = read_line(f, &buf, &bcap)) >= 0) {
        long lineno = out->n + 1;
        if (lineno == 1) strip_bom(buf, &len);
        if (memchr(buf, '\0', (size_t)len)) {
            st_error("%s:%ld: NUL byte in the line", name, lineno);
            rc = -1;
            break;
        }
        long bad = metrics_utf8_invalid(buf, (size_t)len);
        if (bad >= 0) {
            st_error("%s:%ld: invalid UTF-8 (byte %ld of the line)", name, lineno, bad + 1);
            rc = -1;
            break;
        }
        grow_array((void **)&out->lines, &cap, (size_t)out->n + 1, sizeof *out->lines);
        char *copy = xmalloc((size_t)len + 1);
        memcpy(copy, buf, (size_t)len + 1);
        out->lines[out->n++] = copy;
    }
    if (rc == 0 && ferror(f)) {
        st_error("cannot read '%s': %s", name, strerror(errno));
        rc = -1;
    }
    free(buf);
    if (!is_stdin) fclose(f);
    if (rc) text_lines_free(out);
    return rc;
}
