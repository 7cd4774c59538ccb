/* spans: protected spans (inline code, URLs, e-mail addresses, file paths) that must come
 * out of translation byte for byte.
 *
 * The translator masks a source line (each span becomes a placeholder, text.h), translates
 * the masked line, and restores the spans into the output:
 *     masked_line m;
 *     if (spans_mask(line, len, &m) < 0) ...;          (only when the line cannot be masked)
 *     ... translate m.text ...
 *     char *out = spans_restore(LANG_ZH, translated, strlen(translated), &m, NULL);
 *     masked_line_free(&m);
 * Training masks both sides of a pair with spans_mask_pair, so that the same span has the
 * same placeholder on both sides and the model learns to copy placeholders.
 *
 * Detection works on the raw UTF-8 line (NFKC and the tokenizer would alter the spans) and
 * looks only at ASCII structure, so a span never starts or ends inside a multi-byte
 * character. Passes in this order, each on the bytes no earlier pass took:
 *   1. SPAN_CODE: inline code, Markdown style: a run of N backticks up to the next run of
 *      exactly N backticks, both runs included ("`x`", "`` a`b ``"). A run with no closing
 *      run is plain text.
 *   2. SPAN_LINK / SPAN_URL: a Markdown link or image destination, "[text](dest)" or
 *      "[text](dest "title")" (dest: printable ASCII without brackets, parentheses
 *      balanced; title in "", '' or ()): the span runs from "](" to the closing ")", so
 *      that the syntax comes back as it was, and takes in "![" before an empty alt text
 *      ("![](img/a.png)"); with no closing ")" found, dest alone. SPAN_URL when dest is
 *      itself a URL, else SPAN_LINK ("ch24.html", "img/a.png"). The link text and the alt
 *      text stay translatable; the title is kept as in the source.
 *   3. SPAN_URL: "http://", "https://", "ftp://" or "mailto:" (any case) followed by a letter
 *      or digit, or "www." followed by a host name with a dot; not after a letter or digit.
 *      It runs over printable ASCII except < > " and backticks, stops at a ) or ] that
 *      closes nothing inside it, and drops trailing . , : ; ! ? ' * (sentence punctuation,
 *      Markdown emphasis).
 *   4. SPAN_EMAIL: local@domain: local part of letters, digits and . _ % + -, a domain of at
 *      least two dot-separated labels whose last one is two or more letters.
 *   5. SPAN_PATH, starting where the character before is not a path character:
 *      - absolute: "/" then a letter, '.', '_' or '~' ("/usr/bin/x", "/etc"); not right
 *        after ) ] } > or < ("</q>" is a tag); two components at least after a non-ASCII
 *        character ("自旋锁/rwlock" is "spinlock or rwlock", "在/usr/bin中" a path);
 *      - explicit relative: "./", "../" or "~/" then something ("./a/b", "~/.bashrc");
 *      - Windows: a drive letter, ':' and \ or / ("C:\x\y.txt", "D:/data");
 *      - plain relative: at least one '/', no empty component, and either an extension on
 *        the last component (a dot, then 1..8 letters or digits with a letter in them:
 *        "src/main.c", "img/a_01.jpg") or a trailing slash after two components
 *        ("res/menu/"). So "and/or", "TCP/IP", "1/2", "24/7" and "1/2.5" are not paths
 *        (but "Express/Node.js" is, which only means the name is copied).
 *      Path characters are letters, digits and . _ ~ + % @ - (and \ for Windows paths); a
 *      single trailing '.' is dropped unless it follows '.' or '/'. Spaces end a path.
 *   6. SPAN_RESERVED: a placeholder codepoint already in the text, outside code spans, so
 *      that restoring never mistakes it for one of ours.
 * Names and numbers are not spans: they keep the model's copy behaviour.
 *
 * At most SPANS_MAX spans of a line are masked: those that hold a placeholder codepoint
 * (reserved ones, code quoting one) always, the others in text order; the rest stay plain
 * text. */
#ifndef SEQTRANS_SPANS_H
#define SEQTRANS_SPANS_H
#include <stddef.h>

#include "text/text.h"

#define SPANS_MAX TEXT_PLACEHOLDER_MAX

typedef enum {
    SPAN_CODE, SPAN_URL, SPAN_EMAIL, SPAN_PATH, SPAN_LINK, SPAN_RESERVED, SPAN_KINDS
} span_kind;

/* "code", "url", "email", "path", "link", "reserved". */
const char *span_kind_name(span_kind kind);

typedef struct {
    size_t start, len;   /* byte range in the line */
    span_kind kind;
} span;

/* The spans of one line, in text order, never overlapping. Reuse one list across lines. */
typedef struct {
    int n;
    span *item;
    /* private: */
    int cap;
} span_list;

void span_list_init(span_list *l);
void span_list_free(span_list *l);

/* Finds the spans of s[0..len) (any bytes; NUL and invalid UTF-8 are just not span
 * characters) into out. Returns out->n. */
int spans_find(const char *s, size_t len, span_list *out);

/* One masked span: placeholder `number` stands for source[start .. start+len). */
typedef struct {
    int number;          /* 1..SPANS_MAX */
    span_kind kind;
    size_t start, len;
} masked_span;

/* A line with its spans replaced by placeholders. The owner frees it with masked_line_free. */
typedef struct {
    char *text;                    /* the masked line, NUL-terminated */
    size_t len;
    char *source;                  /* a copy of the line as given, NUL-terminated */
    size_t source_len;
    int n;                         /* spans masked */
    masked_span span[SPANS_MAX];   /* in text order */
} masked_line;

void masked_line_free(masked_line *m);

/* Masks s[0..len): the masked spans get placeholders 1, 2, ... in text order. A line
 * without spans comes back unchanged, byte for byte; restoring m.text itself gives the line
 * back. Returns the number of spans masked, or -1 (reported, *m empty) when more than
 * SPANS_MAX spans hold placeholder codepoints. */
int spans_mask(const char *s, size_t len, masked_line *m);

/* Masks a training pair. The source is masked as by spans_mask. Each span found in the
 * target that is byte-identical to a source span not yet matched (first one in text order),
 * or a link to the same destination (its title translated), gets that span's placeholder;
 * other target spans stay plain text: the translator sees every source span masked and
 * must learn to copy placeholders, not to invent them. So a placeholder occurs at most
 * once on each side. A source span the target lacks keeps its placeholder in the source
 * only (about 5% of backtick spans on docs dev, mostly code the reference translated).
 * Returns the number of target spans matched, or -1 (reported, both empty) when the
 * source cannot be masked, or a target span left as text holds a placeholder codepoint. */
int spans_mask_pair(const char *src, size_t src_len, const char *tgt, size_t tgt_len,
                    masked_line *msrc, masked_line *mtgt);

/* The translation text[0..len) of m.text with the spans put back, malloc'd and
 * NUL-terminated (the caller frees it); its length goes to *out_len unless that is NULL.
 * The first occurrence of each placeholder of m gets its span, byte for byte; repeats, and
 * placeholders that m lacks, are removed with a space next to them; a span whose
 * placeholder is missing is put before the closing punctuation at the end (. ! ? : ; and
 * the full-width ones), after a space in English, or in Chinese after a space unless it
 * follows a Han character or full-width punctuation. So every span of m appears exactly
 * once, in the order the placeholders come in, then the missing ones in text order.
 * A link span ("](dest)") closes a bracket: spaces before it are dropped. Bytes around a
 * placed span are never moved into it or out of it. */
char *spans_restore(lang_t lang, const char *text, size_t len, const masked_line *m,
                    size_t *out_len);

#endif
