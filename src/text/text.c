#include "text/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "sys/util.h"

#define NORMALIZE_OPTIONS \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_IGNORE)
#define RIGHT_SINGLE_QUOTE 0x2019

int lang_parse(const char *s, lang_t *out)
{
    if (!strcmp(s, "en")) *out = LANG_EN;
    else if (!strcmp(s, "zh")) *out = LANG_ZH;
    else return -1;
    return 0;
}

const char *lang_name(lang_t lang) { return lang == LANG_ZH ? "zh" : "en"; }

/* ---- UTF-8 validation ------------------------------------------------------------------ */

/* Length of the well-formed sequence at s (at most avail bytes), or 0 when malformed.
 * The second-byte ranges follow the Unicode table of well-formed byte sequences. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char b = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b < 0x80) return 1;
    if (b < 0xC2) return 0;
    if (b < 0xE0) need = 2;
    else if (b < 0xF0) {
        need = 3;
        if (b == 0xE0) lo = 0xA0;         /* overlong */
        else if (b == 0xED) hi = 0x9F;    /* surrogates */
    } else if (b < 0xF5) {
        need = 4;
        if (b == 0xF0) lo = 0x90;         /* overlong */
        else if (b == 0xF4) hi = 0x8F;    /* past U+10FFFF */
    } else return 0;
    if (avail < need || s[1] < lo || s[1] > hi) return 0;
    for (size_t k = 2; k < need; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return need;
}

int utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) { i++; continue; }
        size_t k = utf8_sequence_length(p + i, len - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

/* ---- character classes ----------------------------------------------------------------- */

int is_cjk(int32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x2FDF)      /* CJK and Kangxi radicals */
        || cp == 0x3005 || cp == 0x3007         /* 々 〇 */
        || (cp >= 0x3021 && cp <= 0x3029)       /* Hangzhou numerals */
        || (cp >= 0x3038 && cp <= 0x303B)
        || (cp >= 0x3041 && cp <= 0x30FF)       /* hiragana, katakana */
        || (cp >= 0x3105 && cp <= 0x312F)       /* bopomofo */
        || (cp >= 0x31A0 && cp <= 0x31BF)
        || (cp >= 0x31F0 && cp <= 0x31FF)
        || (cp >= 0x3400 && cp <= 0x4DBF)       /* extension A */
        || (cp >= 0x4E00 && cp <= 0x9FFF)       /* unified ideographs */
        || (cp >= 0xF900 && cp <= 0xFAFF)       /* compatibility ideographs */
        || (cp >= 0x20000 && cp <= 0x323AF);    /* extensions B..H, compat supplement */
}

int text_placeholder_number(int32_t cp)
{
    int32_t k = cp - TEXT_PLACEHOLDER_BASE;
    return k >= 1 && k <= TEXT_PLACEHOLDER_MAX ? (int)k : 0;
}

/* CJK punctuation and full-width forms that NFKC leaves alone (。、「」《》...). */
static int is_cjk_punct(int32_t cp)
{
    return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFFEF);
}

typedef enum { CP_SPACE, CP_WORD, CP_CJK, CP_MARK, CP_PLACEHOLDER, CP_OTHER } cp_class;

static cp_class classify(int32_t cp)
{
    if (text_placeholder_number(cp)) return CP_PLACEHOLDER;
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return CP_WORD;
        if (cp >= '0' && cp <= '9') return CP_WORD;
        if (cp <= ' ' || cp == 0x7F) return CP_SPACE;
        return CP_OTHER;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return is_cjk(cp) ? CP_CJK : CP_WORD;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return CP_MARK;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
        return CP_SPACE;
    default:
        return CP_OTHER;
    }
}

static int is_digit(int32_t cp)
{
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

static int is_apostrophe(int32_t cp) { return cp == '\'' || cp == RIGHT_SINGLE_QUOTE; }

/* ---- token list ------------------------------------------------------------------------ */

void token_list_init(token_list *t) { memset(t, 0, sizeof *t); }

void token_list_free(token_list *t)
{
    free(t->tok);
    free(t->tok_start);
    free(t->arena);
    free(t->cps);
    token_list_init(t);
}

static void arena_reserve(token_list *t, size_t extra)
{
    if (t->arena_len + extra <= t->arena_cap) return;
    size_t cap = t->arena_cap ? t->arena_cap : 256;
    while (cap < t->arena_len + extra) cap *= 2;
    t->arena = xrealloc(t->arena, cap);
    t->arena_cap = cap;
}

/* Appends cps[a..b) as one NUL-terminated token. */
static void emit_token(token_list *t, const int32_t *cps, size_t a, size_t b)
{
    if (a >= b) return;
    if (t->n == t->tok_cap) {
        t->tok_cap = t->tok_cap ? 2 * t->tok_cap : 64;
        t->tok_start = xrealloc(t->tok_start, (size_t)t->tok_cap * sizeof *t->tok_start);
        t->tok = xrealloc(t->tok, (size_t)t->tok_cap * sizeof *t->tok);
    }
    arena_reserve(t, 4 * (b - a) + 1);
    t->tok_start[t->n++] = t->arena_len;
    for (size_t i = a; i < b; i++)
        t->arena_len += (size_t)utf8proc_encode_char(cps[i],
                                                     (utf8proc_uint8_t *)t->arena + t->arena_len);
    t->arena[t->arena_len++] = '\0';
}

/* The arena may move while tokens are added, so pointers are fixed up once at the end. */
static void finish_tokens(token_list *t)
{
    for (int i = 0; i < t->n; i++) t->tok[i] = t->arena + t->tok_start[i];
}

static int is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) return 0;
    return 1;
}

static void reserve_cps(token_list *t, size_t n)
{
    if (n <= t->cps_cap) return;
    t->cps_cap = n + n / 2;
    t->cps = xrealloc(t->cps, t->cps_cap * sizeof *t->cps);
}

/* NFKC of s into t->cps; returns the number of codepoints, or -1 if utf8proc refuses. */
static long normalize_into(token_list *t, const char *s, size_t len)
{
    if (is_ascii(s, len)) { /* NFKC leaves ASCII as it is: most English lines */
        reserve_cps(t, len);
        for (size_t i = 0; i < len; i++) t->cps[i] = (unsigned char)s[i];
        return (long)len;
    }
    for (;;) {
        utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                                t->cps, (utf8proc_ssize_t)t->cps_cap,
                                                NORMALIZE_OPTIONS);
        if (n <= 0) return n < 0 ? -1 : 0;
        if ((size_t)n <= t->cps_cap) {
            n = utf8proc_normalize_utf32(t->cps, n, NORMALIZE_OPTIONS);
            return n < 0 ? -1 : (long)n;
        }
        reserve_cps(t, (size_t)n);
    }
}

/* ---- tokenizer ------------------------------------------------------------------------- */

static int is_word_char(int32_t cp)
{
    cp_class c = classify(cp);
    return c == CP_WORD || c == CP_MARK;
}

/* Whether cps[j] joins the word characters before and after it into one token. */
static int joins_word(const int32_t *cps, size_t n, size_t j)
{
    if (j == 0 || j + 1 >= n || classify(cps[j + 1]) != CP_WORD) return 0;
    switch (cps[j]) {
    case '\'': case RIGHT_SINGLE_QUOTE: case '-': case '.': case '/': case '&': case '@':
    case '_':
        return 1;
    case ',': case ':':
        return is_digit(cps[j - 1]) && is_digit(cps[j + 1]);
    default:
        return 0;
    }
}

/* End of the word that starts at cps[i]. */
static size_t scan_word(const int32_t *cps, size_t n, size_t i)
{
    size_t j = i;
    for (;;) {
        while (j < n && is_word_char(cps[j])) j++;
        if (j < n && joins_word(cps, n, j)) j++;
        else return j;
    }
}

static size_t skip_marks(const int32_t *cps, size_t n, size_t j)
{
    while (j < n && classify(cps[j]) == CP_MARK) j++;
    return j;
}

static int lower_ascii(int32_t cp) { return cp < 0x80 ? (int)(cp | 0x20) : -1; }

/* Where a clitic ('s 're 've 'd 'll 'm n't) starts at the end of word cps[a..b), or b when
 * there is none; the stem before it is never empty. */
static size_t clitic_start(const int32_t *cps, size_t a, size_t b)
{
    size_t len = b - a;
    if (len >= 4 && lower_ascii(cps[b - 3]) == 'n' && is_apostrophe(cps[b - 2]) &&
        lower_ascii(cps[b - 1]) == 't')
        return b - 3;
    if (len >= 3 && is_apostrophe(cps[b - 2])) {
        int c = lower_ascii(cps[b - 1]);
        if (c == 's' || c == 'd' || c == 'm') return b - 2;
    }
    if (len >= 4 && is_apostrophe(cps[b - 3])) {
        int c1 = lower_ascii(cps[b - 2]), c2 = lower_ascii(cps[b - 1]);
        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
            return b - 3;
    }
    return b;
}

/* An English word, with up to two clitics split off ("could n't 've"). */
static void emit_english_word(token_list *t, const int32_t *cps, size_t a, size_t b)
{
    size_t k1 = clitic_start(cps, a, b);
    size_t k2 = k1 < b ? clitic_start(cps, a, k1) : k1;
    emit_token(t, cps, a, k2);
    emit_token(t, cps, k2, k1);
    emit_token(t, cps, k1, b);
}

/* End of the punctuation or symbol token at cps[i]: runs of '.' or '-' stay together. */
static size_t scan_other(const int32_t *cps, size_t n, size_t i)
{
    size_t j = i + 1;
    if (cps[i] == '.' || cps[i] == '-')
        while (j < n && cps[j] == cps[i]) j++;
    return skip_marks(cps, n, j);
}

static void split_tokens(lang_t lang, token_list *t, const int32_t *cps, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j;
        switch (classify(cps[i])) {
        case CP_SPACE:
            i++;
            continue;
        case CP_WORD:
            j = scan_word(cps, n, i);
            if (lang == LANG_EN) emit_english_word(t, cps, i, j);
            else emit_token(t, cps, i, j);
            break;
        case CP_CJK: case CP_MARK:
            j = skip_marks(cps, n, i + 1);
            emit_token(t, cps, i, j);
            break;
        case CP_PLACEHOLDER:   /* alone, so that restoring finds it intact */
            j = i + 1;
            emit_token(t, cps, i, j);
            break;
        default:
            j = scan_other(cps, n, i);
            emit_token(t, cps, i, j);
            break;
        }
        i = j;
    }
}

int text_tokenize(lang_t lang, const char *s, size_t len, token_list *out)
{
    out->n = 0;
    out->arena_len = 0;
    if (memchr(s, '\0', len) || !utf8_valid(s, len)) return -1;
    long n = normalize_into(out, s, len);
    if (n < 0) return -1;
    split_tokens(lang, out, out->cps, (size_t)n);
    finish_tokens(out);
    return out->n;
}

/* ---- detokenizer ----------------------------------------------------------------------- */

typedef struct { char *s; size_t len, cap; } strbuf;

static void sb_append(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s) { sb_append(b, s, strlen(s)); }

static int32_t first_cp(const char *tok)
{
    utf8proc_int32_t cp = -1;
    utf8proc_iterate((const utf8proc_uint8_t *)tok, -1, &cp);
    return cp;
}

/* Last codepoint that is not a combining mark (-1 if none). */
static int32_t last_base_cp(const char *tok)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)tok;
    int32_t last = -1;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k;
    while (*p && (k = utf8proc_iterate(p, -1, &cp)) > 0) {
        if (classify(cp) != CP_MARK) last = cp;
        p += k;
    }
    return last;
}

static int single_char(const char *tok, char c) { return tok[0] == c && tok[1] == '\0'; }

static int all_same_char(const char *tok, char c)
{
    if (!*tok) return 0;
    for (; *tok; tok++)
        if (*tok != c) return 0;
    return 1;
}

static int is_cjkish(int32_t cp) { return is_cjk(cp) || is_cjk_punct(cp); }

static int is_clitic(const char *tok)
{
    static const char *const clitics[] = {"'s", "'re", "'ve", "'d", "'ll", "'m", "n't"};
    char folded[8];
    size_t k = 0;
    for (const char *p = tok; *p; k++) {
        if (k + 1 >= sizeof folded) return 0;
        if (!strncmp(p, "\xE2\x80\x99", 3)) { folded[k] = '\''; p += 3; }   /* ’ */
        else { folded[k] = (char)lower_ascii((unsigned char)*p); p++; }
    }
    folded[k] = '\0';
    for (size_t i = 0; i < sizeof clitics / sizeof clitics[0]; i++)
        if (!strcmp(folded, clitics[i])) return 1;
    return 0;
}

/* Tokens written without a space before them in English. */
static int english_closes(const char *tok)
{
    static const char *const closers[] = {",", ".", "!", "?", ";", ":", ")", "]", "}", "%",
                                          "\xE2\x80\x9D" /* ” */, "\xE2\x80\x99" /* ’ */,
                                          "\xC2\xBB" /* » */};
    for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++)
        if (!strcmp(tok, closers[i])) return 1;
    return all_same_char(tok, '.') || is_clitic(tok);
}

/* Tokens written without a space after them in English. */
static int english_opens(const char *tok)
{
    static const char *const openers[] = {"(", "[", "{", "\xE2\x80\x9C" /* “ */,
                                          "\xE2\x80\x98" /* ‘ */, "\xC2\xAB" /* « */,
                                          "\xC2\xBF" /* ¿ */, "\xC2\xA1" /* ¡ */};
    for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++)
        if (!strcmp(tok, openers[i])) return 1;
    return 0;
}

/* "$" or "#" (any single currency sign) directly before a number: "$5", "#1". */
static int english_prefix_of_number(const char *tok, const char *next)
{
    if (!next || !is_digit(first_cp(next))) return 0;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)tok, -1, &cp);
    if (k <= 0 || tok[k] != '\0') return 0;
    return cp == '#' || utf8proc_category(cp) == UTF8PROC_CATEGORY_SC;
}

static const char *next_nonempty(const char *const *tokens, int n, int i)
{
    for (int k = i + 1; k < n; k++)
        if (tokens[k][0]) return tokens[k];
    return NULL;
}

typedef struct { int double_open, single_open; } quote_state;

/* Decides how tok attaches: *left = no space before it, *right = no space after it. */
static void english_attachment(const char *prev, const char *tok, const char *next,
                               quote_state *q, int *left, int *right)
{
    *left = english_closes(tok);
    *right = english_opens(tok) || english_prefix_of_number(tok, next);
    if (single_char(tok, '"')) {
        *left = q->double_open;
        *right = !q->double_open;
        q->double_open = !q->double_open;
    } else if (single_char(tok, '\'')) {
        int32_t last = prev ? last_base_cp(prev) : -1;
        int possessive = last == 's' || last == 'S';
        if (q->single_open || possessive) {
            *left = 1;
            q->single_open = 0;
        } else {
            *right = 1;
            q->single_open = 1;
        }
    }
    if (prev && is_cjkish(last_base_cp(prev)) && is_cjkish(first_cp(tok))) *left = 1;
}

static char *detokenize_english(const char *const *tokens, int n)
{
    strbuf out = {0};
    quote_state q = {0, 0};
    const char *prev = NULL;
    int glue_next = 1;
    sb_append(&out, "", 0);
    for (int i = 0; i < n; i++) {
        const char *tok = tokens[i];
        if (!tok[0]) continue;
        int left, right;
        english_attachment(prev, tok, next_nonempty(tokens, n, i), &q, &left, &right);
        if (!left && !glue_next) sb_puts(&out, " ");
        sb_puts(&out, tok);
        glue_next = right;
        prev = tok;
    }
    return out.s;
}

/* Latin (or any non-CJK) letter or digit: words that Chinese text sets off with spaces. */
static int starts_latin(const char *tok) { return tok && classify(first_cp(tok)) == CP_WORD; }
static int ends_latin(const char *tok) { return tok && classify(last_base_cp(tok)) == CP_WORD; }

/* Latin words and placeholders (code, URLs, paths) get a space between them in Chinese, as
 * the references write "`user` Django"; but punctuation next to a placeholder is
 * full-width there ("`a`，`b`" outnumbers "`a`, `b`" 19 to 1 in docs-en-zh train), so only a
 * mark between two Latin words stays ASCII. */
static int spaced_cp(int32_t cp)
{
    cp_class c = classify(cp);
    return c == CP_WORD || c == CP_PLACEHOLDER;
}
static int starts_spaced(const char *tok) { return tok && spaced_cp(first_cp(tok)); }
static int ends_spaced(const char *tok) { return tok && spaced_cp(last_base_cp(tok)); }

/* The full-width form Chinese uses for an ASCII mark that NFKC produced, or NULL. */
static const char *chinese_fullwidth(const char *tok)
{
    static const char *const pairs[][2] = {
        {",", "\xEF\xBC\x8C"}, {"?", "\xEF\xBC\x9F"}, {"!", "\xEF\xBC\x81"},
        {":", "\xEF\xBC\x9A"}, {";", "\xEF\xBC\x9B"}, {"(", "\xEF\xBC\x88"},
        {")", "\xEF\xBC\x89"}, {"......", "\xE2\x80\xA6\xE2\x80\xA6"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (!strcmp(tok, pairs[i][0])) return pairs[i][1];
    return NULL;
}

static char *detokenize_chinese(const char *const *tokens, int n)
{
    strbuf out = {0};
    const char *prev = NULL;
    int space_next = 0;
    sb_append(&out, "", 0);
    for (int i = 0; i < n; i++) {
        const char *tok = tokens[i];
        if (!tok[0]) continue;
        const char *next = next_nonempty(tokens, n, i);
        const char *fullwidth = chinese_fullwidth(tok);
        int between_latin = ends_latin(prev) && starts_latin(next);
        if (between_latin && (fullwidth || single_char(tok, '.'))) {
            /* ASCII stays, spaced as in English: "Hello, world", "Mr. Smith", "A (B)" */
            int opening = single_char(tok, '(');
            if (opening) sb_puts(&out, " ");
            sb_puts(&out, tok);
            space_next = !opening;
        } else {
            if (space_next || (ends_spaced(prev) && starts_spaced(tok))) sb_puts(&out, " ");
            sb_puts(&out, fullwidth ? fullwidth : tok);
            space_next = 0;
        }
        prev = tok;
    }
    return out.s;
}

char *text_detokenize(lang_t lang, const char *const *tokens, int n)
{
    return lang == LANG_ZH ? detokenize_chinese(tokens, n) : detokenize_english(tokens, n);
}
