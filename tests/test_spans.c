/* Protected spans: detection rules, masking, pairs, restoring on every path (dropped,
 * repeated, reordered, unknown placeholders), and the tokenizer round trip. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "text/spans.h"
#include "text/text.h"

/* Placeholders 1, 2, 3 in UTF-8, and U+E021, one past the last. */
#define P1 "\xEE\x80\x81"
#define P2 "\xEE\x80\x82"
#define P3 "\xEE\x80\x83"
#define P33 "\xEE\x80\xA1"

static span_list spans;

/* The spans of s as "kind:text|kind:text|..." (static buffer). */
static const char *found(const char *s)
{
    static char out[4096];
    out[0] = '\0';
    spans_find(s, strlen(s), &spans);
    for (int i = 0; i < spans.n; i++) {
        size_t n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%s:%.*s", i ? "|" : "",
                 span_kind_name(spans.item[i].kind), (int)spans.item[i].len,
                 s + spans.item[i].start);
    }
    return out;
}

static int check_found(const char *s, const char *want)
{
    const char *got = found(s);
    if (strcmp(got, want)) {
        fprintf(stderr, "  spans of \"%s\"\n    got  \"%s\"\n    want \"%s\"\n", s, got, want);
        return 0;
    }
    return 1;
}

static void test_inline_code(void)
{
    CHECK(check_found("the `Fragment` class", "code:`Fragment`"));
    CHECK(check_found("`a` and `b`", "code:`a`|code:`b`"));
    CHECK(check_found("use `` a`b `` here", "code:`` a`b ``"));
    CHECK(check_found("```x``` and `y`", "code:```x```|code:`y`"));
    /* unbalanced runs are plain text; a run closes only on a run of the same length */
    CHECK(check_found("a ` b", ""));
    CHECK(check_found("`a` `b", "code:`a`"));
    CHECK(check_found("`` a ` b", ""));
    CHECK(check_found("` a `` b `", "code:` a `` b `"));
    CHECK(check_found("``", ""));
    CHECK(check_found("", ""));
    /* code takes everything inside it: no URL or path within */
    CHECK(check_found("run `curl http://x.com/a.sh | sh` now",
                      "code:`curl http://x.com/a.sh | sh`"));
    CHECK(check_found("在`drawable`文件夹中", "code:`drawable`"));
}

static void test_urls(void)
{
    CHECK(check_found("see http://example.com/a?b=1#c.", "url:http://example.com/a?b=1#c"));
    CHECK(check_found("(https://x.org/y), then", "url:https://x.org/y"));
    CHECK(check_found("HTTPS://X.ORG and ftp://f.net/p!",
                      "url:HTTPS://X.ORG|url:ftp://f.net/p"));
    CHECK(check_found("https://en.wikipedia.org/wiki/Foo_(bar).",
                      "url:https://en.wikipedia.org/wiki/Foo_(bar)"));
    CHECK(check_found("at www.upwork.com, or", "url:www.upwork.com"));
    CHECK(check_found("**http://a.com/x**", "url:http://a.com/x"));
    CHECK(check_found("mail mailto:a@b.com", "url:mailto:a@b.com"));
    CHECK(check_found("访问http://x.cn/a获取", "url:http://x.cn/a"));
    CHECK(check_found("\"http://a.b/c\"", "url:http://a.b/c"));
    /* not URLs: no host, inside a word, "www." without a dotted host */
    CHECK(check_found("http:// is a scheme", ""));
    CHECK(check_found("xhttp://a.com", ""));
    CHECK(check_found("the www. prefix and www.com", ""));
    CHECK(check_found("[http://s.com/app/](http://s.com/app/).",
                      "url:http://s.com/app/|url:](http://s.com/app/)"));
}

/* A link's span runs from "](" to its ")" (title included); an image with an empty alt
 * text is a span as a whole; an unclosed link leaves only its destination. */
static void test_link_destinations(void)
{
    CHECK(check_found("in [Chapter 24](ch24.html \"Chapter 24. Design\"), *Design*",
                      "link:](ch24.html \"Chapter 24. Design\")"));
    CHECK(check_found("[a](b.html 'T') [c](d.html (T))",
                      "link:](b.html 'T')|link:](d.html (T))"));
    CHECK(check_found("![](img/99b1dc6e.png)—or", "link:![](img/99b1dc6e.png)"));
    CHECK(check_found("![Alt text](img/a.png)", "link:](img/a.png)"));
    CHECK(check_found("[第1章](df6a-07c4.xhtml) *构建*", "link:](df6a-07c4.xhtml)"));
    CHECK(check_found("[hostPath](https://k8s.io/v/#h)", "url:](https://k8s.io/v/#h)"));
    CHECK(check_found("[a](f(x).html)", "link:](f(x).html)"));
    CHECK(check_found("[a](x.html \"open title)", "link:x.html"));
    CHECK(check_found("[a](x.html y)", "link:x.html"));
    CHECK(check_found("[a  ](x.html) ![](y.png)", "link:  ](x.html)|link:![](y.png)"));
    /* no destination: empty, unclosed, or not ASCII */
    CHECK(check_found("[a]() and [b](", ""));
    CHECK(check_found("[a](x.html", ""));
    CHECK(check_found("[a](文件)", ""));
}

static void test_emails(void)
{
    CHECK(check_found("write to copyright@packt.com.", "email:copyright@packt.com"));
    CHECK(check_found("<mark.janel@gmail.com>", "email:mark.janel@gmail.com"));
    CHECK(check_found("联系feedback@packtpub.com获取", "email:feedback@packtpub.com"));
    CHECK(check_found("@Override and user@localhost and a@b.c and x@.com", ""));
}

static void test_paths(void)
{
    CHECK(check_found("in /usr/bin/x and /etc.", "path:/usr/bin/x|path:/etc"));
    CHECK(check_found("run ./a/b or ../x, ~/.bashrc", "path:./a/b|path:../x|path:~/.bashrc"));
    CHECK(check_found("open C:\\x\\y.txt and D:/data.", "path:C:\\x\\y.txt|path:D:/data"));
    CHECK(check_found("edit src/main.c and django/config/settings.py.",
                      "path:src/main.c|path:django/config/settings.py"));
    CHECK(check_found("the res/menu/ folder", "path:res/menu/"));
    CHECK(check_found("PATH=/usr/bin:/usr/local/bin", "path:/usr/bin|path:/usr/local/bin"));
    CHECK(check_found("在/usr/bin中", "path:/usr/bin"));
    CHECK(check_found("cd ../..", "path:../.."));
    /* not paths */
    CHECK(check_found("and/or, 1/2, 24/7, 1/2.5, TCP/IP, I/O, km/h, w/o", ""));
    CHECK(check_found("src/ and a//b.c and // comment", ""));
    CHECK(check_found("<q>quote</q> and (a)/b.c", ""));
    CHECK(check_found("通用的自旋锁/rwlock声明", ""));
    CHECK(check_found("/2 and / x and ./ alone", ""));
}

static void test_spans_are_ordered_and_disjoint(void)
{
    const char *s = "`a` see http://x.com/`b` at u@x.org in /tmp/f.c [t](ch1.html) `c`";
    spans_find(s, strlen(s), &spans);
    CHECK(spans.n == 7);
    for (int i = 1; i < spans.n; i++)
        CHECK(spans.item[i].start >= spans.item[i - 1].start + spans.item[i - 1].len);
    CHECK(check_found(s, "code:`a`|url:http://x.com/|code:`b`|email:u@x.org|path:/tmp/f.c|"
                         "link:](ch1.html)|code:`c`"));
}

/* ---- masking --------------------------------------------------------------------------- */

static int same(const char *got, const char *want)
{
    if (strcmp(got, want)) {
        fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n", got, want);
        return 0;
    }
    return 1;
}

static void test_mask_numbers_spans_in_order(void)
{
    const char *s = "Open `a.c` at http://x.org, then `b`.";
    masked_line m;
    CHECK(spans_mask(s, strlen(s), &m) == 3);
    CHECK(same(m.text, "Open " P1 " at " P2 ", then " P3 "."));
    CHECK(m.len == strlen(m.text));
    CHECK(m.n == 3 && m.span[0].number == 1 && m.span[2].number == 3);
    CHECK(m.span[1].kind == SPAN_URL && m.span[1].len == strlen("http://x.org"));
    masked_line_free(&m);
}

static void test_mask_without_spans_is_identity(void)
{
    const char *lines[] = {"", "Hello, world!", "我有3个iPhone。", "and/or 1/2 ` x",
                           "bad \xff utf-8"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        masked_line m;
        CHECK(spans_mask(lines[i], strlen(lines[i]), &m) == 0);
        CHECK(m.len == strlen(lines[i]) && !memcmp(m.text, lines[i], m.len));
        char *back = spans_restore(LANG_EN, m.text, m.len, &m, NULL);
        CHECK(same(back, lines[i]));
        free(back);
        masked_line_free(&m);
    }
}

static void test_mask_keeps_nul_bytes(void)
{
    const char s[] = "a\0`b`\0c";
    masked_line m;
    CHECK(spans_mask(s, sizeof s - 1, &m) == 1);
    CHECK(m.len == 2 + 3 + 2 && !memcmp(m.text, "a\0" P1 "\0c", m.len));
    size_t n;
    char *back = spans_restore(LANG_EN, m.text, m.len, &m, &n);
    CHECK(n == sizeof s - 1 && !memcmp(back, s, n));
    free(back);
    masked_line_free(&m);
}

static void test_whole_line_of_code(void)
{
    const char *s = "`kubectl get pods`";
    masked_line m;
    CHECK(spans_mask(s, strlen(s), &m) == 1);
    CHECK(same(m.text, P1));
    for (int l = 0; l < 2; l++) {
        char *out = spans_restore((lang_t)l, P1, 3, &m, NULL);
        CHECK(same(out, s));
        free(out);
        out = spans_restore((lang_t)l, "", 0, &m, NULL);   /* the model dropped everything */
        CHECK(same(out, s));
        free(out);
    }
    masked_line_free(&m);
}

static void test_cap_leaves_later_spans_as_text(void)
{
    char s[1024] = "";
    for (int i = 0; i < SPANS_MAX + 8; i++) strcat(s, "`x` ");
    masked_line m;
    CHECK(spans_mask(s, strlen(s), &m) == SPANS_MAX);
    CHECK(m.span[SPANS_MAX - 1].number == SPANS_MAX);
    CHECK(strstr(m.text, "`x`") != NULL);   /* the spans past the cap stay text */
    char *back = spans_restore(LANG_EN, m.text, m.len, &m, NULL);
    CHECK(same(back, s));
    free(back);
    masked_line_free(&m);
}

static void test_placeholders_in_the_input_are_reserved(void)
{
    const char *s = "odd " P2 " char and `c` and `" P1 "`";
    masked_line m;
    CHECK(spans_mask(s, strlen(s), &m) == 3);
    CHECK(m.span[0].kind == SPAN_RESERVED && m.span[0].number == 1);
    CHECK(same(m.text, "odd " P1 " char and " P2 " and " P3));
    char *back = spans_restore(LANG_EN, m.text, m.len, &m, NULL);
    CHECK(same(back, s));
    free(back);
    masked_line_free(&m);

    /* reserved ones are masked first when the cap bites */
    char t[1024] = "";
    for (int i = 0; i < SPANS_MAX; i++) strcat(t, "`x` ");
    strcat(t, P3);
    CHECK(spans_mask(t, strlen(t), &m) == SPANS_MAX);
    CHECK(m.span[SPANS_MAX - 1].kind == SPAN_RESERVED);
    back = spans_restore(LANG_EN, m.text, m.len, &m, NULL);
    CHECK(same(back, t));
    free(back);
    masked_line_free(&m);

    /* code quoting a placeholder is masked first too, or its placeholder would be restored */
    char v[1024] = "";
    for (int i = 0; i < SPANS_MAX; i++) strcat(v, "`x` ");
    strcat(v, "`" P1 "`");
    CHECK(spans_mask(v, strlen(v), &m) == SPANS_MAX);
    CHECK(m.span[SPANS_MAX - 1].len == 5);
    back = spans_restore(LANG_EN, m.text, m.len, &m, NULL);
    CHECK(same(back, v));
    free(back);
    masked_line_free(&m);

    char u[1024] = "";
    for (int i = 0; i <= SPANS_MAX; i++) strcat(u, P1);
    fprintf(stderr, "(an error about private-use characters is expected next)\n");
    CHECK(spans_mask(u, strlen(u), &m) == -1);
    CHECK(m.text == NULL && m.n == 0);
}

/* ---- restoring ------------------------------------------------------------------------- */

static masked_line mask_of(const char *s)
{
    masked_line m;
    spans_mask(s, strlen(s), &m);
    return m;
}

static int restores(lang_t lang, const masked_line *m, const char *translated, const char *want)
{
    char *out = spans_restore(lang, translated, strlen(translated), m, NULL);
    int ok = strcmp(out, want) == 0;
    if (!ok)
        fprintf(stderr, "  restore(%s) \"%s\"\n    got  \"%s\"\n    want \"%s\"\n",
                lang_name(lang), translated, out, want);
    free(out);
    return ok;
}

static void test_restore_in_place_and_reordered(void)
{
    masked_line m = mask_of("Call `f` before `g`.");
    CHECK(restores(LANG_ZH, &m, "在" P2 "之前调用" P1 "。", "在`g`之前调用`f`。"));
    CHECK(restores(LANG_EN, &m, "Call " P1 " before " P2 ".", "Call `f` before `g`."));
    masked_line_free(&m);
}

static void test_restore_dropped_placeholder(void)
{
    masked_line m = mask_of("Use `a` and `b`.");
    CHECK(restores(LANG_EN, &m, "Use " P1 " and this.", "Use `a` and this `b`."));
    CHECK(restores(LANG_EN, &m, "Use them", "Use them `a` `b`"));
    CHECK(restores(LANG_EN, &m, "", "`a` `b`"));
    CHECK(restores(LANG_EN, &m, "...", "... `a` `b`"));
    CHECK(restores(LANG_ZH, &m, "使用" P2 "。", "使用`b` `a`。"));
    CHECK(restores(LANG_ZH, &m, "使用这些！", "使用这些`a` `b`！"));
    CHECK(restores(LANG_ZH, &m, "使用 iPhone", "使用 iPhone `a` `b`"));
    masked_line_free(&m);
    /* a placed span that ends in dots is not taken for closing punctuation */
    m = mask_of("cd ../.. and `x`");
    CHECK(restores(LANG_EN, &m, "cd " P1, "cd ../.. `x`"));
    CHECK(restores(LANG_EN, &m, "cd " P1 ".", "cd ../.. `x`."));
    masked_line_free(&m);
}

static void test_restore_repeated_placeholder(void)
{
    masked_line m = mask_of("Use `a`.");
    CHECK(restores(LANG_EN, &m, P1 " and " P1 " again.", "`a` and again."));
    CHECK(restores(LANG_EN, &m, "Use " P1 " " P1 ".", "Use `a`."));
    CHECK(restores(LANG_ZH, &m, "使用" P1 P1 "。", "使用`a`。"));
    masked_line_free(&m);
}

static void test_restore_removes_unknown_placeholders(void)
{
    masked_line m = mask_of("Use `a`.");
    CHECK(restores(LANG_EN, &m, P2 " use " P1 " " P3 ".", "use `a`."));
    CHECK(restores(LANG_EN, &m, P1 " " P33, "`a` " P33));   /* U+E021 is no placeholder */
    CHECK(restores(LANG_EN, &m, "Use " P3 " " P1, "Use `a`"));
    CHECK(restores(LANG_EN, &m, "x " P3, "x `a`"));
    masked_line_free(&m);
    masked_line none = mask_of("plain");
    CHECK(restores(LANG_ZH, &none, "纯" P1 "文本", "纯文本"));
    masked_line_free(&none);
}

/* Whatever the model writes, each span of m appears exactly once among the inserted bytes:
 * with translations made of placeholders only, the output is exactly the spans. */
static void test_restore_places_each_span_once(void)
{
    masked_line m = mask_of("`a` `b` `c`");
    const char *outputs[] = {"", P1, P3 P3 P3, P2 P1 P33 P1, P1 P2 P3 P1 P2 P3};
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        char *out = spans_restore(LANG_ZH, outputs[i], strlen(outputs[i]), &m, NULL);
        int counts[3] = {0, 0, 0};
        for (const char *p = out; *p; p++)
            if (*p >= 'a' && *p <= 'c') counts[*p - 'a']++;
        CHECK(counts[0] == 1 && counts[1] == 1 && counts[2] == 1);
        free(out);
    }
    masked_line_free(&m);
}

/* ---- pairs ----------------------------------------------------------------------------- */

static void test_pair_shares_numbers(void)
{
    const char *src = "Open `a.kt` in `res/menu`, see http://x.org.";
    const char *tgt = "参见http://x.org，在`res/menu`中打开`a.kt`。";
    masked_line ms, mt;
    CHECK(spans_mask_pair(src, strlen(src), tgt, strlen(tgt), &ms, &mt) == 3);
    CHECK(same(ms.text, "Open " P1 " in " P2 ", see " P3 "."));
    CHECK(same(mt.text, "参见" P3 "，在" P2 "中打开" P1 "。"));
    char *back = spans_restore(LANG_ZH, mt.text, mt.len, &mt, NULL);
    CHECK(same(back, tgt));
    free(back);
    back = spans_restore(LANG_ZH, mt.text, mt.len, &ms, NULL);   /* the translator's view */
    CHECK(same(back, tgt));
    free(back);
    masked_line_free(&ms);
    masked_line_free(&mt);
}

static void test_pair_leaves_unmatched_target_spans(void)
{
    /* `x` twice in the target but once in the source: the second stays text; `y` and the
     * garbled `DrawerLayout` are not in the source; `z` of the source is dropped */
    const char *src = "`x`, `DrawerLayout,` and `z`";
    const char *tgt = "`x`和`x`、`y`、`DrawerLayout`";
    masked_line ms, mt;
    CHECK(spans_mask_pair(src, strlen(src), tgt, strlen(tgt), &ms, &mt) == 1);
    CHECK(ms.n == 3);
    CHECK(same(mt.text, P1 "和`x`、`y`、`DrawerLayout`"));
    masked_line_free(&ms);
    masked_line_free(&mt);

    const char *src2 = "`x` or `x`", *tgt2 = "`x`或`x`";
    CHECK(spans_mask_pair(src2, strlen(src2), tgt2, strlen(tgt2), &ms, &mt) == 2);
    CHECK(same(ms.text, P1 " or " P2) && same(mt.text, P1 "或" P2));
    masked_line_free(&ms);
    masked_line_free(&mt);
}

/* A link's title is translated: the link takes the source's placeholder by destination,
 * and the translator's output gets the source link back, Markdown intact. */
static void test_pair_matches_links_by_destination(void)
{
    const char *src = "in [Chapter 24](ch24.html \"Chapter 24. Design\") and ![](i/a.png)";
    const char *tgt = "在[第24章](ch24.html \"第24章。设计\")和![](i/a.png)中";
    masked_line ms, mt;
    CHECK(spans_mask_pair(src, strlen(src), tgt, strlen(tgt), &ms, &mt) == 2);
    CHECK(same(ms.text, "in [Chapter 24" P1 " and " P2));
    CHECK(same(mt.text, "在[第24章" P1 "和" P2 "中"));
    char *back = spans_restore(LANG_ZH, mt.text, mt.len, &mt, NULL);
    CHECK(same(back, tgt));
    free(back);
    token_list t;
    token_list_init(&t);
    text_tokenize(LANG_ZH, mt.text, mt.len, &t);
    char *zh = text_detokenize(LANG_ZH, (const char *const *)t.tok, t.n);
    back = spans_restore(LANG_ZH, zh, strlen(zh), &ms, NULL);
    CHECK(same(back, "在[第24章](ch24.html \"Chapter 24. Design\")和![](i/a.png)中"));
    free(back);
    /* English puts a space before the placeholder: it goes, the bracket stays closed */
    const char *en = "in [Chapter 24 " P1 " and " P2;   /* and a line with that space: */
    masked_line spaced = mask_of("[a ](x.html) and ![](y.png)");
    CHECK(same(spaced.text, "[a" P1 " and " P2));
    CHECK(restores(LANG_EN, &spaced, spaced.text, "[a ](x.html) and ![](y.png)"));
    CHECK(restores(LANG_EN, &spaced, "[b " P1 " " P2, "[b ](x.html) ![](y.png)"));
    masked_line_free(&spaced);
    back = spans_restore(LANG_EN, en, strlen(en), &ms, NULL);
    CHECK(same(back, "in [Chapter 24](ch24.html \"Chapter 24. Design\") and ![](i/a.png)"));
    free(back);
    free(zh);
    token_list_free(&t);
    masked_line_free(&ms);
    masked_line_free(&mt);
}

/* A side that is nothing but spans masks to placeholders only; the tokenizer keeps them. */
static void test_pair_of_code_only(void)
{
    const char *src = "`kubectl get pods` `-n x`", *tgt = "`kubectl get pods` `-n x`";
    masked_line ms, mt;
    CHECK(spans_mask_pair(src, strlen(src), tgt, strlen(tgt), &ms, &mt) == 2);
    CHECK(same(ms.text, P1 " " P2) && same(mt.text, P1 " " P2));
    token_list t;
    token_list_init(&t);
    CHECK(text_tokenize(LANG_ZH, mt.text, mt.len, &t) == 2);
    char *zh = text_detokenize(LANG_ZH, (const char *const *)t.tok, t.n);
    char *out = spans_restore(LANG_ZH, zh, strlen(zh), &ms, NULL);
    CHECK(same(out, tgt));
    free(out);
    free(zh);
    token_list_free(&t);
    masked_line_free(&ms);
    masked_line_free(&mt);
    CHECK(spans_mask_pair(src, strlen(src), "", 0, &ms, &mt) == 0);   /* empty target */
    CHECK(mt.len == 0 && mt.text && mt.text[0] == '\0' && ms.n == 2);
    masked_line_free(&ms);
    masked_line_free(&mt);
}

static void test_pair_refuses_foreign_placeholder_in_target(void)
{
    const char *src = "`a`", *tgt = "`a` " P1;
    masked_line ms, mt;
    fprintf(stderr, "(two errors about a placeholder character are expected next)\n");
    CHECK(spans_mask_pair(src, strlen(src), tgt, strlen(tgt), &ms, &mt) == -1);
    CHECK(ms.text == NULL && mt.text == NULL);
    const char *tgt1 = "`a` `" P1 "`";   /* an unmatched code span quoting one */
    CHECK(spans_mask_pair(src, strlen(src), tgt1, strlen(tgt1), &ms, &mt) == -1);
    const char *src2 = "x " P1, *tgt2 = "y " P1;   /* the same one on both sides is fine */
    CHECK(spans_mask_pair(src2, strlen(src2), tgt2, strlen(tgt2), &ms, &mt) == 1);
    masked_line_free(&ms);
    masked_line_free(&mt);
}

/* ---- through the tokenizer ------------------------------------------------------------- */

static token_list toks;

static const char *joined(lang_t lang, const char *s)
{
    static char out[4096];
    out[0] = '\0';
    if (text_tokenize(lang, s, strlen(s), &toks) < 0) return "<invalid>";
    for (int i = 0; i < toks.n; i++) {
        if (i) strcat(out, " ");
        strcat(out, toks.tok[i]);
    }
    return out;
}

static void test_placeholders_are_single_tokens(void)
{
    for (int l = 0; l < 2; l++) {
        CHECK(same(joined((lang_t)l, "the " P1 " class"), "the " P1 " class"));
        CHECK(same(joined((lang_t)l, P1 "s x" P2 "y"), P1 " s x " P2 " y"));
        CHECK(same(joined((lang_t)l, "a-" P1 "-b"), "a - " P1 " - b"));
        CHECK(same(joined((lang_t)l, P1 "\xCC\x81"), P1 " \xCC\x81"));   /* no mark on it */
    }
    CHECK(same(joined(LANG_ZH, "在" P1 "文件夹中"), "在 " P1 " 文 件 夹 中"));
}

static char *detok(lang_t lang, const char *s)
{
    joined(lang, s);
    return text_detokenize(lang, (const char *const *)toks.tok, toks.n);
}

static void test_placeholders_are_spaced_sensibly(void)
{
    struct { lang_t lang; const char *in, *want; } cases[] = {
        {LANG_EN, "the " P1 " class ( " P2 " ) , " P3 " .",
         "the " P1 " class (" P2 "), " P3 "."},
        {LANG_ZH, "在 " P1 " 文 件 夹 中", "在" P1 "文件夹中"},
        {LANG_ZH, P1 " Django 应 用", P1 " Django应用"},
        {LANG_ZH, P1 " 、 " P2 " 和 " P3, P1 "、" P2 "和" P3},
        {LANG_ZH, P1 " " P2, P1 " " P2},
        {LANG_ZH, P1 " , " P2 " : iOS , Android", P1 "，" P2 "：iOS, Android"},
        {LANG_ZH, "在 ( " P1 " ) 中", "在（" P1 "）中"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = detok(cases[i].lang, cases[i].in);
        CHECK(same(got, cases[i].want));
        free(got);
    }
}

/* mask -> tokenize -> detokenize -> restore: the spans come back byte for byte. */
static void test_round_trip_through_the_tokenizer(void)
{
    const char *src = "Edit the `django/config/settings.py` file "
                      "(see https://docs.x.com/a_(b)) and ［full-width］ `ｆｕｌｌ`.";
    masked_line m = mask_of(src);
    char *text = detok(LANG_EN, m.text);
    char *out = spans_restore(LANG_EN, text, strlen(text), &m, NULL);
    CHECK(same(out, "Edit the `django/config/settings.py` file "
                    "(see https://docs.x.com/a_(b)) and [full-width] `ｆｕｌｌ`."));
    free(out);
    free(text);
    masked_line_free(&m);
}

int main(void)
{
    span_list_init(&spans);
    token_list_init(&toks);
    RUN_TEST(test_inline_code);
    RUN_TEST(test_urls);
    RUN_TEST(test_link_destinations);
    RUN_TEST(test_emails);
    RUN_TEST(test_paths);
    RUN_TEST(test_spans_are_ordered_and_disjoint);
    RUN_TEST(test_mask_numbers_spans_in_order);
    RUN_TEST(test_mask_without_spans_is_identity);
    RUN_TEST(test_mask_keeps_nul_bytes);
    RUN_TEST(test_whole_line_of_code);
    RUN_TEST(test_cap_leaves_later_spans_as_text);
    RUN_TEST(test_placeholders_in_the_input_are_reserved);
    RUN_TEST(test_restore_in_place_and_reordered);
    RUN_TEST(test_restore_dropped_placeholder);
    RUN_TEST(test_restore_repeated_placeholder);
    RUN_TEST(test_restore_removes_unknown_placeholders);
    RUN_TEST(test_restore_places_each_span_once);
    RUN_TEST(test_pair_shares_numbers);
    RUN_TEST(test_pair_leaves_unmatched_target_spans);
    RUN_TEST(test_pair_matches_links_by_destination);
    RUN_TEST(test_pair_of_code_only);
    RUN_TEST(test_pair_refuses_foreign_placeholder_in_target);
    RUN_TEST(test_placeholders_are_single_tokens);
    RUN_TEST(test_placeholders_are_spaced_sensibly);
    RUN_TEST(test_round_trip_through_the_tokenizer);
    span_list_free(&spans);
    token_list_free(&toks);
    return TEST_SUMMARY("spans");
}
