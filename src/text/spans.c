#include "text/spans.h"

#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

/* Placeholder k in UTF-8: U+E000 + k is EE 80 (80 + k) for k <= 63. */
#define PH_BYTE0 0xEE
#define PH_BYTE1 0x80
#define PH_LEN 3

const char *span_kind_name(span_kind kind)
{
    static const char *const names[SPAN_KINDS] = {"code", "url", "email", "path", "link",
                                                  "reserved"};
    return kind >= 0 && kind < SPAN_KINDS ? names[kind] : "?";
}

/* ---- character classes (ASCII only: spans never hold other bytes except inside code) -- */

static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
static int in_set(unsigned char c, const char *set) { return c && strchr(set, c) != NULL; }

/* These two run on every byte of every training line: spelled out, not strchr. */
static int is_path_char(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '%' || c == '@' || c == '-';
}
static int is_email_local(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
static int is_email_domain(unsigned char c) { return is_alnum(c) || c == '.' || c == '-'; }

/* Placeholder number at s[i..], or 0. */
static int placeholder_at(const char *s, size_t len, size_t i)
{
    const unsigned char *p = (const unsigned char *)s + i;
    if (len - i < PH_LEN || p[0] != PH_BYTE0 || p[1] != PH_BYTE1) return 0;
    return text_placeholder_number(TEXT_PLACEHOLDER_BASE + (p[2] - 0x80));
}

/* ---- span list ------------------------------------------------------------------------- */

void span_list_init(span_list *l) { memset(l, 0, sizeof *l); }

void span_list_free(span_list *l)
{
    free(l->item);
    span_list_init(l);
}

/* The state of one detection: the line, which bytes earlier passes took, the list. */
typedef struct {
    const unsigned char *s;
    size_t len;
    unsigned char *taken;
    span_list *out;
} scan;

static void add_span(scan *sc, size_t a, size_t b, span_kind kind)
{
    span_list *l = sc->out;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->item = xrealloc(l->item, (size_t)l->cap * sizeof *l->item);
    }
    l->item[l->n++] = (span){a, b - a, kind};
    memset(sc->taken + a, 1, b - a);
}

/* End of the free (not taken) run of bytes from i that satisfy ok. */
static size_t free_run(const scan *sc, size_t i, int (*ok)(unsigned char))
{
    while (i < sc->len && !sc->taken[i] && ok(sc->s[i])) i++;
    return i;
}

/* ---- 1. inline code -------------------------------------------------------------------- */

static size_t backtick_run_end(const scan *sc, size_t i)
{
    while (i < sc->len && sc->s[i] == '`') i++;
    return i;
}

/* Start of the next run of exactly n backticks at or after i, or len. */
static size_t find_closing_run(const scan *sc, size_t i, size_t n)
{
    while (i < sc->len) {
        if (sc->s[i] != '`') { i++; continue; }
        size_t e = backtick_run_end(sc, i);
        if (e - i == n) return i;
        i = e;
    }
    return sc->len;
}

/* Once a run of n backticks found no closer, no later run of n can: no_closer[n] remembers
 * it, so that a line of many unbalanced runs costs O(len * distinct lengths), not O(len^2). */
static void find_code(scan *sc)
{
    unsigned char *no_closer = xcalloc(sc->len + 1, 1);
    size_t i = 0;
    while (i < sc->len) {
        if (sc->s[i] != '`') { i++; continue; }
        size_t e = backtick_run_end(sc, i), n = e - i;
        size_t close = no_closer[n] ? sc->len : find_closing_run(sc, e, n);
        if (close == sc->len) {
            no_closer[n] = 1;
            i = e;
            continue;
        }
        add_span(sc, i, close + n, SPAN_CODE);
        i = close + n;
    }
    free(no_closer);
}

/* ---- 3. URLs (2 uses the same rules) --------------------------------------------------- */

static int has_prefix_nocase(const unsigned char *s, size_t avail, const char *prefix)
{
    size_t n = strlen(prefix);
    if (avail < n) return 0;
    for (size_t k = 0; k < n; k++)
        if ((s[k] | (is_alpha(s[k]) ? 0x20 : 0)) != (unsigned char)prefix[k]) return 0;
    return 1;
}

/* "www." then a host name label, a dot and a letter or digit. */
static int www_host_follows(const unsigned char *s, size_t avail)
{
    size_t k = 4;
    while (k < avail && (is_alnum(s[k]) || s[k] == '-')) k++;
    return k > 4 && k + 1 < avail && s[k] == '.' && is_alnum(s[k + 1]);
}

/* Length of the URL prefix at s[i..] ("https://", "www." ...) when a URL starts there. */
static size_t url_prefix(const unsigned char *s, size_t avail)
{
    static const char *const schemes[] = {"http://", "https://", "ftp://", "mailto:"};
    unsigned char first = avail ? s[0] | 0x20 : 0; /* tried at every byte: most fail here */
    if (first != 'h' && first != 'f' && first != 'm' && first != 'w') return 0;
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        size_t n = strlen(schemes[k]);
        if (has_prefix_nocase(s, avail, schemes[k]) && n < avail && is_alnum(s[n])) return n;
    }
    if (has_prefix_nocase(s, avail, "www.") && www_host_follows(s, avail)) return 4;
    return 0;
}

static int is_url_char(unsigned char c)
{
    return c > ' ' && c < 0x7f && !in_set(c, "<>\"`");
}

/* End of the URL whose body starts at i (after its prefix), limited to [i, limit): stops
 * at a ) or ] that closes nothing opened inside, then drops trailing punctuation. */
static size_t url_end(const scan *sc, size_t i, size_t limit)
{
    int parens = 0, brackets = 0;
    size_t body = i;
    for (; i < limit && !sc->taken[i] && is_url_char(sc->s[i]); i++) {
        unsigned char c = sc->s[i];
        if (c == '(') parens++;
        else if (c == '[') brackets++;
        else if (c == ')' && parens-- == 0) break;
        else if (c == ']' && brackets-- == 0) break;
    }
    while (i > body + 1 && in_set(sc->s[i - 1], ".,:;!?'*")) i--;
    return i;
}

/* Whether s[a..b) is one whole URL by the rules of pass 3. */
static int whole_url(const scan *sc, size_t a, size_t b)
{
    size_t p = url_prefix(sc->s + a, b - a);
    return p && url_end(sc, a + p, b) == b;
}

static void find_urls(scan *sc)
{
    size_t i = 0;
    while (i < sc->len) {
        size_t p;
        if (sc->taken[i] || (i > 0 && is_alnum(sc->s[i - 1])) ||
            !(p = url_prefix(sc->s + i, sc->len - i))) {
            i++;
            continue;
        }
        size_t e = url_end(sc, i + p, sc->len);
        add_span(sc, i, e, SPAN_URL);
        i = e;
    }
}

/* ---- 2. Markdown link destinations ----------------------------------------------------- */

/* End of the destination that starts at i (after "]("), or i when there is none: printable
 * ASCII without brackets, with balanced parentheses, followed by ')' or by a space and a
 * title. Stopping at brackets keeps the scans of "](" after "](" from overlapping, so a
 * line costs linear time. */
static size_t link_destination_end(const scan *sc, size_t i)
{
    int depth = 0;
    size_t j = i;
    for (; j < sc->len && !sc->taken[j]; j++) {
        unsigned char c = sc->s[j];
        if (c <= ' ' || c >= 0x7f || c == '[' || c == ']') break;
        if (c == '(') depth++;
        else if (c == ')' && depth-- == 0) break;
    }
    if (j == i || j == sc->len || sc->taken[j] || depth > 0) return i;
    return sc->s[j] == ')' || sc->s[j] == ' ' ? j : i;
}

#define LINK_TITLE_MAX 512   /* bounds the search for a title's end: linear time */

/* End of the ')' that closes a link whose destination ends at b: right after it, or after
 * a space and a title in "", '' or (); 0 when there is no such end. */
static size_t link_close_end(const scan *sc, size_t b)
{
    const unsigned char *s = sc->s;
    if (s[b] == ')') return b + 1;
    size_t t = b;
    while (t < sc->len && s[t] == ' ') t++;
    if (t == sc->len || !in_set(s[t], "\"'(")) return 0;
    unsigned char close = s[t] == '(' ? ')' : s[t];
    size_t limit = t + LINK_TITLE_MAX < sc->len ? t + LINK_TITLE_MAX : sc->len;
    for (size_t k = t + 1; k < limit && !sc->taken[k]; k++) {
        if (s[k] != close) continue;
        k++;
        while (k < sc->len && s[k] == ' ') k++;
        return k < sc->len && s[k] == ')' && !sc->taken[k] ? k + 1 : 0;
    }
    return 0;
}

/* A link's span is the whole of "](dest)" or "](dest "title")", so that the Markdown
 * syntax around the destination comes back as it was (the Chinese detokenizer would make
 * "(" full-width), with any spaces before the "]" (restoring drops the spaces before a
 * link span, which the detokenizer may have put there); with the image mark before an
 * empty alt text, "![](dest)". Without a closing ')' only dest is a span. */
static void find_link_destinations(scan *sc)
{
    for (size_t i = 0; i + 2 < sc->len; i++) {
        if (sc->s[i] != ']' || sc->s[i + 1] != '(' || sc->taken[i] || sc->taken[i + 1])
            continue;
        size_t a = i + 2, b = link_destination_end(sc, a);
        if (b == a) continue;
        span_kind kind = whole_url(sc, a, b) ? SPAN_URL : SPAN_LINK;
        size_t end = link_close_end(sc, b), start = i;
        if (!end) {
            start = a;
            end = b;
        } else if (i >= 2 && sc->s[i - 2] == '!' && sc->s[i - 1] == '[' && !sc->taken[i - 2]) {
            start = i - 2;
        } else {
            while (start > 0 && sc->s[start - 1] == ' ' && !sc->taken[start - 1]) start--;
        }
        add_span(sc, start, end, kind);
        i = end - 1;
    }
}

/* ---- 4. e-mail addresses --------------------------------------------------------------- */

/* Whether s[a..b) is a domain: labels separated by single dots, the last one 2+ letters. */
static int is_domain(const unsigned char *s, size_t a, size_t b)
{
    size_t last_dot = 0, label = 0;
    int dots = 0;
    for (size_t k = a; k < b; k++) {
        if (s[k] != '.') { label++; continue; }
        if (!label) return 0;
        label = 0;
        last_dot = k;
        dots++;
    }
    if (!dots || label < 2) return 0;
    for (size_t k = last_dot + 1; k < b; k++)
        if (!is_alpha(s[k])) return 0;
    return 1;
}

static void find_emails(scan *sc)
{
    for (size_t at = 0; at < sc->len; at++) {
        if (sc->s[at] != '@' || sc->taken[at]) continue;
        size_t a = at;
        while (a > 0 && !sc->taken[a - 1] && is_email_local(sc->s[a - 1])) a--;
        while (a < at && sc->s[a] == '.') a++;
        size_t b = free_run(sc, at + 1, is_email_domain);
        while (b > at + 1 && (sc->s[b - 1] == '.' || sc->s[b - 1] == '-')) b--;
        if (a == at || sc->s[at - 1] == '.' || !is_domain(sc->s, at + 1, b)) continue;
        add_span(sc, a, b, SPAN_EMAIL);
        at = b - 1;
    }
}

/* ---- 5. file paths --------------------------------------------------------------------- */

static int is_path_or_slash(unsigned char c) { return is_path_char(c) || c == '/'; }
static int is_windows_path_char(unsigned char c) { return is_path_or_slash(c) || c == '\\'; }

/* Drops one trailing '.' (the end of a sentence) unless it follows '.' or '/'. */
static size_t drop_final_dot(const unsigned char *s, size_t a, size_t b)
{
    if (b - a >= 2 && s[b - 1] == '.' && s[b - 2] != '.' && s[b - 2] != '/') return b - 1;
    return b;
}

/* A dot, then 1..8 letters or digits with at least one letter, ending the component
 * s[a..b) after a non-empty stem. */
static int has_extension(const unsigned char *s, size_t a, size_t b)
{
    size_t dot = b;
    while (dot > a && s[dot - 1] != '.') dot--;
    if (dot <= a + 1 || b - dot < 1 || b - dot > 8) return 0;   /* no dot, or no stem */
    int letters = 0;
    for (size_t k = dot; k < b; k++) {
        if (!is_alnum(s[k])) return 0;
        letters += is_alpha(s[k]);
    }
    return letters > 0;
}

/* A relative path without ./ : components without empty ones, one slash at least, and an
 * extension on the last component or a trailing slash after two components. */
static int plain_relative_path(const unsigned char *s, size_t a, size_t b)
{
    int slashes = 0;
    size_t last = a;
    if (s[a] == '/') return 0;
    for (size_t k = a; k < b; k++) {
        if (s[k] != '/') continue;
        if (k == last) return 0;   /* empty component */
        slashes++;
        last = k + 1;
    }
    if (!slashes) return 0;
    if (last == b) return slashes >= 2;
    return has_extension(s, last, b);
}

static int explicit_relative_prefix(const unsigned char *s, size_t avail)
{
    if (avail >= 2 && (s[0] == '.' || s[0] == '~') && s[1] == '/') return 2;
    if (avail >= 3 && s[0] == '.' && s[1] == '.' && s[2] == '/') return 3;
    return 0;
}

/* End of the path that starts at i, or i when none does. */
static size_t path_end(const scan *sc, size_t i)
{
    const unsigned char *s = sc->s;
    int drive = i + 2 < sc->len && is_alpha(s[i]) && s[i + 1] == ':' &&
                (s[i + 2] == '\\' || s[i + 2] == '/') && !sc->taken[i + 1] && !sc->taken[i + 2];
    if (drive) return drop_final_dot(s, i, free_run(sc, i + 3, is_windows_path_char));
    size_t b = drop_final_dot(s, i, free_run(sc, i, is_path_or_slash));
    if (b == i) return i;
    if (s[i] == '/') {
        int after_close = i > 0 && in_set(s[i - 1], ")]}<>");   /* not "(a)/b" or "</q>" */
        /* "自旋锁/rwlock" is "spinlock or rwlock": after a non-ASCII letter, two components */
        int after_other_script = i > 0 && s[i - 1] >= 0x80;
        int ok = b > i + 1 && (is_alpha(s[i + 1]) || in_set(s[i + 1], "._~"));
        if (after_other_script && !memchr(s + i + 1, '/', b - i - 1)) ok = 0;
        return ok && !after_close ? b : i;
    }
    size_t p = explicit_relative_prefix(s + i, b - i);
    if (p) return b > i + p ? b : i;
    return plain_relative_path(s, i, b) ? b : i;
}

static void find_paths(scan *sc)
{
    size_t i = 0;
    while (i < sc->len) {
        int boundary = i == 0 || (!is_path_or_slash(sc->s[i - 1]) && sc->s[i - 1] != '\\');
        size_t e = sc->taken[i] || !boundary ? i : path_end(sc, i);
        if (e > i) {
            add_span(sc, i, e, SPAN_PATH);
            i = e;
        } else {
            i++;
        }
    }
}

/* ---- 6. placeholders already in the line ----------------------------------------------- */

static void find_reserved(scan *sc)
{
    for (size_t i = 0; i < sc->len; i++)
        if (!sc->taken[i] && placeholder_at((const char *)sc->s, sc->len, i))
            add_span(sc, i, i + PH_LEN, SPAN_RESERVED);
}

/* ---- detection ------------------------------------------------------------------------- */

static int by_start(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Whether s can hold a span: each kind needs one of these bytes, or "www." (a URL without
 * "://"). Most lines of a corpus hold none, and this one pass spares them the six below. */
static int may_hold_span(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c == '`' || c == ']' || c == '@' || c == '/' || c == '\\' || c == ':' || c == PH_BYTE0)
            return 1;
        if ((c | 0x20) == 'w' && i + 3 < len && has_prefix_nocase(s + i, len - i, "www.")) return 1;
    }
    return 0;
}

int spans_find(const char *s, size_t len, span_list *out)
{
    out->n = 0;
    if (!may_hold_span((const unsigned char *)s, len)) return 0;
    scan sc = {(const unsigned char *)s, len, xcalloc(len + 1, 1), out};
    find_code(&sc);
    find_link_destinations(&sc);
    find_urls(&sc);
    find_emails(&sc);
    find_paths(&sc);
    find_reserved(&sc);
    free(sc.taken);
    if (out->n > 1) qsort(out->item, (size_t)out->n, sizeof *out->item, by_start);
    return out->n;
}

/* ---- masking --------------------------------------------------------------------------- */

typedef struct { char *s; size_t len, cap; } strbuf;

static void sb_append(strbuf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->s = xrealloc(b->s, b->cap);
    }
    if (n) memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_placeholder(strbuf *b, int number)
{
    unsigned char ph[PH_LEN] = {PH_BYTE0, PH_BYTE1, (unsigned char)(0x80 + number)};
    sb_append(b, ph, PH_LEN);
}

static char *copy_bytes(const char *s, size_t len)
{
    char *c = xmalloc(len + 1);
    if (len) memcpy(c, s, len);
    c[len] = '\0';
    return c;
}

void masked_line_free(masked_line *m)
{
    free(m->text);
    free(m->source);
    memset(m, 0, sizeof *m);
}

/* Whether the span holds a placeholder codepoint (a reserved span, or code quoting one):
 * such a span must be masked, or the placeholder left in the text would be restored. */
static int holds_placeholder(const char *s, const span *sp)
{
    for (size_t i = sp->start; i < sp->start + sp->len; i++)
        if (placeholder_at(s, sp->start + sp->len, i)) return 1;
    return 0;
}

/* Which spans of l (found in s) get placeholders: every one that holds a placeholder, then
 * the others in text order while there is room. Marks them in chosen[]; returns how many,
 * or -1 when the first kind alone are too many. */
static int choose_spans(const char *s, const span_list *l, unsigned char *chosen)
{
    int must = 0, n = 0;
    for (int i = 0; i < l->n; i++) {
        chosen[i] = (unsigned char)holds_placeholder(s, &l->item[i]);
        must += chosen[i];
    }
    if (must > SPANS_MAX) return -1;
    int room = SPANS_MAX - must;
    for (int i = 0; i < l->n; i++) {
        if (!chosen[i] && room > 0) {
            chosen[i] = 1;
            room--;
        }
        n += chosen[i];
    }
    return n;
}

/* Writes the masked text of m->source: span i of l, when numbers[i] > 0, becomes that
 * placeholder. */
static void build_masked(masked_line *m, const span_list *l, const int *numbers)
{
    strbuf b = {0};
    size_t at = 0;
    sb_append(&b, "", 0);
    m->n = 0;
    for (int i = 0; i < l->n; i++) {
        if (!numbers[i]) continue;
        const span *sp = &l->item[i];
        sb_append(&b, m->source + at, sp->start - at);
        sb_placeholder(&b, numbers[i]);
        m->span[m->n++] = (masked_span){numbers[i], sp->kind, sp->start, sp->len};
        at = sp->start + sp->len;
    }
    sb_append(&b, m->source + at, m->source_len - at);
    m->text = b.s;
    m->len = b.len;
}

/* Detects and chooses the spans of s into l and chosen[] (l->n bytes, malloc'd). */
static int detect(const char *s, size_t len, span_list *l, unsigned char **chosen)
{
    spans_find(s, len, l);
    *chosen = xmalloc((size_t)l->n + 1);
    int n = choose_spans(s, l, *chosen);
    if (n < 0) {
        st_error("a line holds private-use placeholder characters (U+%04X..U+%04X) in more "
                 "than %d places", TEXT_PLACEHOLDER_BASE + 1, TEXT_PLACEHOLDER_BASE + SPANS_MAX,
                 SPANS_MAX);
        free(*chosen);
        *chosen = NULL;
    }
    return n;
}

int spans_mask(const char *s, size_t len, masked_line *m)
{
    memset(m, 0, sizeof *m);
    span_list l;
    span_list_init(&l);
    unsigned char *chosen;
    int n = detect(s, len, &l, &chosen);
    if (n >= 0) {
        int *numbers = xcalloc((size_t)l.n + 1, sizeof *numbers);
        for (int i = 0, k = 0; i < l.n; i++)
            if (chosen[i]) numbers[i] = ++k;
        m->source = copy_bytes(s, len);
        m->source_len = len;
        build_masked(m, &l, numbers);
        free(numbers);
        free(chosen);
    }
    span_list_free(&l);
    return n;
}

/* The destination of a link span " ](dest ...)" or "![](dest)" (*key, returned length),
 * or 0 when t[0..n) is no such span. */
static size_t link_key(const char *t, size_t n, const char **key)
{
    size_t spaces = 0;
    while (spaces < n && t[spaces] == ' ') spaces++;
    t += spaces;
    n -= spaces;
    size_t skip = n >= 4 && !memcmp(t, "![](", 4) ? 4 : n >= 2 && !memcmp(t, "](", 2) ? 2 : 0;
    if (!skip) return 0;
    size_t k = skip;
    while (k < n && t[k] != ' ' && t[k] != ')') k++;
    *key = t + skip;
    return k - skip;
}

/* Whether a target span t[0..n) takes the placeholder of source span u[0..m): the same
 * bytes, or links to the same destination (translators translate a link's title). */
static int same_span(const char *t, size_t n, const char *u, size_t m)
{
    if (n == m && !memcmp(t, u, n)) return 1;
    const char *tk = NULL, *uk = NULL;
    size_t tn = link_key(t, n, &tk), un = link_key(u, m, &uk);
    return tn && tn == un && !memcmp(tk, uk, tn) && (t[0] == '!') == (u[0] == '!');
}

/* The number of the first source span not yet matched that t[0..n) takes, or 0. */
static int match_source_span(const masked_line *msrc, unsigned char *matched, const char *t,
                             size_t n)
{
    for (int k = 0; k < msrc->n; k++) {
        const masked_span *sp = &msrc->span[k];
        if (!matched[k] && same_span(t, n, msrc->source + sp->start, sp->len)) {
            matched[k] = 1;
            return sp->number;
        }
    }
    return 0;
}

int spans_mask_pair(const char *src, size_t src_len, const char *tgt, size_t tgt_len,
                    masked_line *msrc, masked_line *mtgt)
{
    memset(mtgt, 0, sizeof *mtgt);
    if (spans_mask(src, src_len, msrc) < 0) return -1;
    span_list l;
    span_list_init(&l);
    spans_find(tgt, tgt_len, &l);
    int *numbers = xcalloc((size_t)l.n + 1, sizeof *numbers);
    unsigned char matched[SPANS_MAX] = {0};
    int found = 0, unmatched_placeholders = 0;
    for (int i = 0; i < l.n; i++) {
        numbers[i] = match_source_span(msrc, matched, tgt + l.item[i].start, l.item[i].len);
        found += numbers[i] > 0;
        unmatched_placeholders += !numbers[i] && holds_placeholder(tgt, &l.item[i]);
    }
    if (unmatched_placeholders) {
        st_error("the target holds a private-use placeholder character (U+%04X..U+%04X) "
                 "outside the spans it shares with the source", TEXT_PLACEHOLDER_BASE + 1,
                 TEXT_PLACEHOLDER_BASE + SPANS_MAX);
        masked_line_free(msrc);
        found = -1;
    } else {
        mtgt->source = copy_bytes(tgt, tgt_len);
        mtgt->source_len = tgt_len;
        build_masked(mtgt, &l, numbers);
    }
    free(numbers);
    span_list_free(&l);
    return found;
}

/* ---- restoring ------------------------------------------------------------------------- */

/* Marks that end a sentence or clause, ASCII or full-width; returns the length of the one
 * that ends s[0..len), or 0. */
static size_t closing_mark_before(const char *s, size_t len)
{
    static const char *const marks[] = {".", "!", "?", ":", ";",
                                        "\xE3\x80\x82" /* 。 */, "\xEF\xBC\x81" /* ！ */,
                                        "\xEF\xBC\x9F" /* ？ */, "\xEF\xBC\x9A" /* ： */,
                                        "\xEF\xBC\x9B" /* ； */, "\xE2\x80\xA6" /* … */};
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
        size_t n = strlen(marks[k]);
        if (len >= n && !memcmp(s + len - n, marks[k], n)) return n;
    }
    return 0;
}

/* The codepoint that ends s[0..len) (which may be invalid UTF-8: then -1). */
static int32_t last_codepoint(const char *s, size_t len)
{
    size_t a = len;
    while (a > 0 && len - a < 4 && ((unsigned char)s[a - 1] & 0xC0) == 0x80) a--;
    if (a == 0) return -1;
    a--;
    const unsigned char *p = (const unsigned char *)s + a;
    size_t n = len - a;
    if (p[0] < 0x80) return n == 1 ? p[0] : -1;
    int32_t cp;
    if ((p[0] & 0xE0) == 0xC0 && n == 2) cp = p[0] & 0x1F;
    else if ((p[0] & 0xF0) == 0xE0 && n == 3) cp = p[0] & 0x0F;
    else if ((p[0] & 0xF8) == 0xF0 && n == 4) cp = p[0] & 0x07;
    else return -1;
    for (size_t k = 1; k < n; k++) cp = (cp << 6) | (p[k] & 0x3F);
    return cp;
}

/* Whether a span put after s[0..len) needs a space before it. */
static int space_before_span(lang_t lang, const char *s, size_t len)
{
    if (len == 0 || in_set((unsigned char)s[len - 1], " ([{")) return 0;
    if (lang == LANG_EN) return 1;
    int32_t cp = last_codepoint(s, len);
    int fullwidth = (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
                    (cp >= 0x2018 && cp <= 0x201F);
    return !(is_cjk(cp) || fullwidth);
}

/* The output of restoring, and where the last span put into it ends: nothing before that
 * point is moved or removed, so a span that ends in '.' ("../..") stays whole. */
typedef struct {
    strbuf out;
    size_t placed_end;
} restoring;

/* Puts the spans of m that were not placed (used[k] == 0) before the closing marks at the
 * end of the output. */
static void append_unplaced(lang_t lang, restoring *r, const masked_line *m,
                            const unsigned char *used)
{
    strbuf *out = &r->out;
    size_t at = out->len, n;
    while ((n = closing_mark_before(out->s, at)) > 0 && at - n >= r->placed_end) at -= n;
    if (at == 0) at = out->len;   /* nothing but marks (or nothing): after them */
    char *tail = copy_bytes(out->s + at, out->len - at);
    size_t tail_len = out->len - at;
    out->len = at;
    for (int k = 0; k < m->n; k++) {
        if (used[k]) continue;
        if (space_before_span(lang, out->s, out->len)) sb_append(out, " ", 1);
        sb_append(out, m->source + m->span[k].start, m->span[k].len);
    }
    sb_append(out, tail, tail_len);
    free(tail);
}

/* Drops a placeholder at text[i] from the output: with it goes the space before it when a
 * space or closing punctuation follows (or nothing), or else the space after it. Returns
 * where reading goes on. */
static size_t drop_placeholder(restoring *r, const char *text, size_t len, size_t i)
{
    strbuf *out = &r->out;
    size_t next = i + PH_LEN;
    int space_before = out->len > r->placed_end && out->s[out->len - 1] == ' ';
    int at_start = out->len == 0;
    if (space_before && (next == len || in_set((unsigned char)text[next], " .,;:!?)]}")))
        out->s[--out->len] = '\0';
    else if ((space_before || at_start) && next < len && text[next] == ' ')
        next++;
    return next;
}

/* Index into m->span of placeholder number k, or -1. */
static int span_index(const masked_line *m, int number)
{
    for (int k = 0; k < m->n; k++)
        if (m->span[k].number == number) return k;
    return -1;
}

char *spans_restore(lang_t lang, const char *text, size_t len, const masked_line *m,
                    size_t *out_len)
{
    restoring r = {{0}, 0};
    unsigned char used[SPANS_MAX] = {0};
    sb_append(&r.out, "", 0);
    size_t i = 0;
    while (i < len) {
        int number = placeholder_at(text, len, i);
        if (!number) {
            sb_append(&r.out, text + i, 1);
            i++;
            continue;
        }
        int k = span_index(m, number);
        if (k < 0 || used[k]) {
            i = drop_placeholder(&r, text, len, i);
            continue;
        }
        const char *sp = m->source + m->span[k].start, *key;
        if (sp[0] != '!' && link_key(sp, m->span[k].len, &key))   /* "[text ](" */
            while (r.out.len > r.placed_end && r.out.s[r.out.len - 1] == ' ') r.out.len--;
        sb_append(&r.out, sp, m->span[k].len);
        r.placed_end = r.out.len;
        used[k] = 1;
        i += PH_LEN;
    }
    append_unplaced(lang, &r, m, used);
    if (out_len) *out_len = r.out.len;
    return r.out.s;
}
