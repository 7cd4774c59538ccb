/* Tests of the metrics library: sacreBLEU 2.x test vectors, tokenizer edge cases,
 * hand-made BLEU and chrF cases, lowercasing, and the text loader. The expected values of
 * the hand-made cases were computed with sacreBLEU's algorithms. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "text/metrics.h"
#include "sys/util.h"

/* ------------------------------------------------------------ tiny JSON reader */

/* Points after `"key":` (and spaces) in doc, or NULL. */
static const char *json_key(const char *doc, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = doc; (p = strchr(p, '"')) != NULL; p++) {
        if (strncmp(p + 1, key, kl) || p[1 + kl] != '"') continue;
        const char *q = p + kl + 2;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        if (*q != ':') continue;
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        return q;
    }
    return NULL;
}

static int json_number(const char *doc, const char *key, double *out)
{
    const char *p = json_key(doc, key);
    char *end;
    if (!p) return -1;
    *out = strtod(p, &end);
    return end == p ? -1 : 0;
}

static int json_long(const char *doc, const char *key, long *out)
{
    double v;
    if (json_number(doc, key, &v)) return -1;
    *out = (long)v;
    return 0;
}

static int json_longs(const char *doc, const char *key, long *out, int n)
{
    const char *p = json_key(doc, key);
    if (!p || *p != '[') return -1;
    p++;
    for (int i = 0; i < n; i++) {
        char *end;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',') p++;
        out[i] = strtol(p, &end, 10);
        if (end == p) return -1;
        p = end;
    }
    return 0;
}

/* A string value without escapes (enough for the keys used here). */
static int json_str(const char *doc, const char *key, char *out, size_t size)
{
    const char *p = json_key(doc, key);
    if (!p || *p != '"') return -1;
    const char *e = strchr(p + 1, '"');
    if (!e || (size_t)(e - p - 1) >= size) return -1;
    memcpy(out, p + 1, (size_t)(e - p - 1));
    out[e - p - 1] = '\0';
    return 0;
}

static int json_bool(const char *doc, const char *key)
{
    const char *p = json_key(doc, key);
    return p && !strncmp(p, "true", 4);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, k;
    char *s = xmalloc(cap);
    while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) s = xrealloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    return s;
}

/* ------------------------------------------------------------ helpers */

/* Signature without its "|version:..." tail; checks that our version is ours. */
static void sig_base(const char *sig, char *out, size_t size)
{
    snprintf(out, size, "%s", sig);
    char *v = strstr(out, "|version:");
    if (v) *v = '\0';
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scores one corpus given as arrays. */
static void score(bleu_tokenizer tok, int lc, int nrefs, int n, const char *const *hyps,
                  const char *const *refs /* n x nrefs, row-major */, metrics_result *r)
{
    metrics *m = metrics_new(tok, lc, nrefs);
    for (int i = 0; i < n; i++) metrics_add(m, hyps[i], refs + (size_t)i * nrefs);
    metrics_result_get(m, r);
    metrics_free(m);
}

static void check_counts(const metrics_result *r, const long counts[4], const long totals[4],
                         long sys_len, long ref_len)
{
    for (int i = 0; i < 4; i++) {
        CHECK(r->counts[i] == counts[i]);
        CHECK(r->totals[i] == totals[i]);
    }
    CHECK(r->sys_len == sys_len);
    CHECK(r->ref_len == ref_len);
}

/* ------------------------------------------------------------ test vectors */

static int vector_cases, vector_failures;

static void run_vector_case(const char *dir)
{
    char path[4096], want_tok[32] = "", want_sig[128], want_csig[128], a[128], b[128];
    snprintf(path, sizeof path, "%s/expected.json", dir);
    char *doc = slurp(path);
    if (!doc) {
        fprintf(stderr, "%s: no expected.json\n", dir);
        CHECK(doc != NULL);
        return;
    }
    int before = check_failures_in_test;
    bleu_tokenizer tok = BLEU_TOK_13A;
    CHECK(json_str(doc, "tokenize", want_tok, sizeof want_tok) == 0);
    CHECK(bleu_tokenizer_parse(want_tok, &tok) == 0);
    int lc = json_bool(doc, "lowercase");

    text_lines hyp = {0}, refs[16];
    int nrefs = 0;
    snprintf(path, sizeof path, "%s/hyp.txt", dir);
    CHECK(text_lines_load(path, &hyp) == 0);
    for (; nrefs < 16; nrefs++) {
        snprintf(path, sizeof path, "%s/ref%d.txt", dir, nrefs);
        if (!file_exists(path)) break;
        CHECK(text_lines_load(path, &refs[nrefs]) == 0);
        CHECK(refs[nrefs].n == hyp.n);
    }
    CHECK(nrefs >= 1);
    long want_refs;
    if (json_long(doc, "refs", &want_refs) == 0) CHECK(want_refs == nrefs);

    metrics *m = metrics_new(tok, lc, nrefs);
    const char *row[16];
    for (long i = 0; i < hyp.n && nrefs > 0; i++) {
        for (int r = 0; r < nrefs; r++) row[r] = i < refs[r].n ? refs[r].lines[i] : "";
        metrics_add(m, hyp.lines[i], row);
    }
    metrics_result res;
    metrics_result_get(m, &res);
    metrics_free(m);

    double bleu = -1, chrf = -1;
    long counts[4] = {0}, totals[4] = {0}, sys_len = -1, ref_len = -1, lines;
    CHECK(json_number(doc, "bleu", &bleu) == 0);
    CHECK(json_number(doc, "chrf", &chrf) == 0);
    CHECK(json_longs(doc, "counts", counts, 4) == 0);
    CHECK(json_longs(doc, "totals", totals, 4) == 0);
    CHECK(json_long(doc, "sys_len", &sys_len) == 0);
    CHECK(json_long(doc, "ref_len", &ref_len) == 0);
    if (json_long(doc, "lines", &lines) == 0) CHECK(res.sentences == lines);
    CHECK_NEAR(res.bleu, bleu, 0.01);
    CHECK_NEAR(res.chrf, chrf, 0.01);
    check_counts(&res, counts, totals, sys_len, ref_len);
    CHECK(json_str(doc, "bleu_signature", want_sig, sizeof want_sig) == 0);
    CHECK(json_str(doc, "chrf_signature", want_csig, sizeof want_csig) == 0);
    sig_base(want_sig, a, sizeof a);
    sig_base(res.bleu_signature, b, sizeof b);
    CHECK(!strcmp(a, b));
    sig_base(want_csig, a, sizeof a);
    sig_base(res.chrf_signature, b, sizeof b);
    CHECK(!strcmp(a, b));
    CHECK(strstr(res.bleu_signature, "|version:" SEQTRANS_VERSION) != NULL);
    CHECK(strstr(res.chrf_signature, "|version:" SEQTRANS_VERSION) != NULL);

    vector_cases++;
    if (check_failures_in_test != before) {
        vector_failures++;
        fprintf(stderr, "test vector %s: got BLEU %.4f chrF %.4f, want %.4f %.4f\n", dir,
                res.bleu, res.chrf, bleu, chrf);
    }
    text_lines_free(&hyp);
    for (int r = 0; r < nrefs; r++) text_lines_free(&refs[r]);
    free(doc);
}

static void test_vectors(void)
{
    const char *root = getenv("SEQTRANS_TESTVECTORS");
    char base[1024];
    snprintf(base, sizeof base, "%s/bleu", root && *root ? root : "../shared/testvectors");
    DIR *d = opendir(base);
    if (!d) {
        printf("metrics: skipping the sacreBLEU test vectors: %s not found\n", base);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1536];
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        if (!dir_exists(path)) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(path);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        run_vector_case(names[i]);
        free(names[i]);
    }
    free(names);
    printf("metrics: %d test vector case(s) in %s, %d failed\n", vector_cases, base,
           vector_failures);
    CHECK(vector_cases > 0);
}

/* ------------------------------------------------------------ tokenizers */

static void check_tok(bleu_tokenizer tok, int lc, const char *in, const char *want)
{
    char *got = metrics_tokenize(tok, lc, in);
    if (strcmp(got, want)) {
        fprintf(stderr, "tokenize(%s%s, \"%s\"): got \"%s\", want \"%s\"\n",
                bleu_tokenizer_name(tok), lc ? ", lowercase" : "", in, got, want);
        CHECK(!strcmp(got, want));
    }
    free(got);
}

static void test_tokenizer_parse(void)
{
    bleu_tokenizer t = BLEU_TOK_NONE;
    CHECK(bleu_tokenizer_parse("13a", &t) == 0 && t == BLEU_TOK_13A);
    CHECK(bleu_tokenizer_parse("zh", &t) == 0 && t == BLEU_TOK_ZH);
    CHECK(bleu_tokenizer_parse("char", &t) == 0 && t == BLEU_TOK_CHAR);
    CHECK(bleu_tokenizer_parse("none", &t) == 0 && t == BLEU_TOK_NONE);
    CHECK(bleu_tokenizer_parse("intl", &t) == -1 && t == BLEU_TOK_NONE);
    CHECK(bleu_tokenizer_parse("", &t) == -1);
    CHECK(!strcmp(bleu_tokenizer_name(BLEU_TOK_ZH), "zh"));
}

static void test_tok_13a(void)
{
    check_tok(BLEU_TOK_13A, 0, "Hello, world!", "Hello , world !");
    /* commas and periods stay inside numbers */
    check_tok(BLEU_TOK_13A, 0, "It's 1,000.50 dollars.", "It's 1,000.50 dollars .");
    check_tok(BLEU_TOK_13A, 0, "a.b,c 3.14 1,5 .5 5. ,5 x,", "a . b , c 3.14 1,5 . 5 5 . , 5 x ,");
    check_tok(BLEU_TOK_13A, 0, "Mr.Smith 3.3.3 1.a a.1", "Mr . Smith 3.3.3 1 . a a . 1");
    check_tok(BLEU_TOK_13A, 0, "e.g. U.S.A. ...", "e . g . U . S . A . . . .");
    /* a dash is split after a digit only */
    check_tok(BLEU_TOK_13A, 0, "2-3 a-b 9-x -5 x-1", "2 - 3 a-b 9 - x -5 x-1");
    /* entities are unescaped once, in sacreBLEU's order; <skipped> is removed */
    check_tok(BLEU_TOK_13A, 0, "&quot;Hi&quot; &amp; &lt;b&gt; &amp;quot; &AMP;",
              "\" Hi \" & < b > & quot ; & AMP ;");
    check_tok(BLEU_TOK_13A, 0, "<skipped>x<skipped> y", "x y");
    check_tok(BLEU_TOK_13A, 0, "(a) [b] {c} $5 @user #tag 50% a/b a\\b ~x `y` ^z _w |v",
              "( a ) [ b ] { c } $ 5 @ user # tag 50 % a / b a \\ b ~ x ` y ` ^ z _ w | v");
    /* apostrophes are not split */
    check_tok(BLEU_TOK_13A, 0, "don't 'quoted' \"dq\"", "don't 'quoted' \" dq \"");
    check_tok(BLEU_TOK_13A, 0, "  lead  and trail\t ", "lead and trail");
    check_tok(BLEU_TOK_13A, 0, "", "");
    check_tok(BLEU_TOK_13A, 0, "   ", "");
    check_tok(BLEU_TOK_13A, 0, "über-cool naïve café.", "über-cool naïve café .");
    /* Python whitespace: NBSP, ideographic and thin space split; zero-width space not */
    check_tok(BLEU_TOK_13A, 0, "a\xc2\xa0" "b\xe3\x80\x80" "c\xe2\x80\x89" "d\xe2\x80\x8b" "e",
              "a b c d\xe2\x80\x8b" "e");
    check_tok(BLEU_TOK_13A, 0, "x\x1cy\x0bz", "x y z");
}

static void test_tok_zh(void)
{
    check_tok(BLEU_TOK_ZH, 0, "我们是好人。", "我 们 是 好 人 。");
    /* Latin and digits between Chinese characters are tokenized as 13a would */
    check_tok(BLEU_TOK_ZH, 0, "我有3个苹果，and 2.5 kg。", "我 有 3 个 苹 果 ， and 2.5 kg 。");
    check_tok(BLEU_TOK_ZH, 0, "Hello世界123abc", "Hello 世 界 123abc");
    check_tok(BLEU_TOK_ZH, 0, "1,000元。", "1,000 元 。");
    check_tok(BLEU_TOK_ZH, 0, "e.g.中文", "e . g . 中 文");
    /* sacreBLEU's range '\u20000'..'\u2a6d6' really is U+2001..U+2A6D: curly quotes,
     * dashes and ellipses are separated like Chinese characters */
    check_tok(BLEU_TOK_ZH, 0, "“你好”，他说—真的…", "“ 你 好 ” ， 他 说 — 真 的 …");
    check_tok(BLEU_TOK_ZH, 0, "x\xe2\xa9\xad" "y\xe2\xa9\xae" "z", "x \xe2\xa9\xad y\xe2\xa9\xae" "z");
    /* ... while U+4DB6, U+9FBC and extension B (U+20000) are not in its ranges */
    check_tok(BLEU_TOK_ZH, 0, "䶵䶶龻龼𠀀", "䶵 䶶 龻 龼𠀀");
    check_tok(BLEU_TOK_ZH, 0, "ＡＢＣ１２３", "Ａ Ｂ Ｃ １ ２ ３");
    check_tok(BLEU_TOK_ZH, 0, "☃✓㈱㍻", "☃ ✓ ㈱ ㍻");
    check_tok(BLEU_TOK_ZH, 0, "  前后  空格  ", "前 后 空 格");
    /* no 13a unescaping in zh */
    check_tok(BLEU_TOK_ZH, 0, "&quot;好&quot;", "& quot ; 好 & quot ;");
    check_tok(BLEU_TOK_ZH, 0, "", "");
}

static void test_tok_char_none(void)
{
    check_tok(BLEU_TOK_CHAR, 0, "ab c", "a b c");
    check_tok(BLEU_TOK_CHAR, 0, "我们 ok", "我 们 o k");
    check_tok(BLEU_TOK_CHAR, 0, " x\xe3\x80\x80y ", "x y");
    check_tok(BLEU_TOK_CHAR, 0, "", "");
    check_tok(BLEU_TOK_NONE, 0, "a  b\tc", "a b c");
    check_tok(BLEU_TOK_NONE, 0, "Hello, world!", "Hello, world!");
    check_tok(BLEU_TOK_NONE, 0, "x\xc2\xa0y", "x y");
}

static void test_lowercase(void)
{
    check_tok(BLEU_TOK_13A, 1, "HELLO World", "hello world");
    check_tok(BLEU_TOK_13A, 1, "ÉCOLE", "école");
    /* Python's str.lower(): U+0130 becomes "i" + U+0307 */
    check_tok(BLEU_TOK_13A, 1, "İstanbul", "i\xcc\x87stanbul");
    /* final sigma */
    check_tok(BLEU_TOK_13A, 1, "ΟΔΟΣ ΟΔΟΣ.", "οδος οδος .");
    check_tok(BLEU_TOK_13A, 1, "ΣΑΣ Σ", "σας σ");
    check_tok(BLEU_TOK_13A, 1, "ẞ K Ǆ", "ß k ǆ");
    check_tok(BLEU_TOK_ZH, 1, "ABC中文", "abc 中 文");
    check_tok(BLEU_TOK_13A, 0, "HELLO", "HELLO");
}

/* ------------------------------------------------------------ hand-made scores */

static void test_bleu_multi_ref_clipping(void)
{
    const char *hyps[] = {"the the the the cat"};
    const char *refs[] = {"the cat sat", "the the cat on the mat"};
    metrics_result r;
    score(BLEU_TOK_13A, 0, 2, 1, hyps, refs, &r);
    /* "the" is clipped to 3 (the max count over the references), not 1 or 4 */
    check_counts(&r, (long[]){4, 2, 1, 0}, (long[]){5, 4, 3, 2}, 5, 6);
    CHECK_NEAR(r.bleu, 34.98330125272253, 1e-9);
    CHECK_NEAR(r.chrf, 52.58490228459826, 1e-9);
    CHECK(!strncmp(r.bleu_signature, "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:",
                   53));
    CHECK(!strncmp(r.chrf_signature, "nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:",
                   54));
}

static void test_bleu_closest_length_tie(void)
{
    const char *hyps[] = {"a b c d"};
    const char *refs1[] = {"a b c", "a b c d e"}, *refs2[] = {"a b c d e", "a b c"};
    metrics_result r;
    score(BLEU_TOK_13A, 0, 2, 1, hyps, refs1, &r);
    CHECK(r.ref_len == 3); /* lengths 3 and 5 are equally close: the shorter wins */
    CHECK_NEAR(r.bleu, 100.0, 1e-9);
    CHECK_NEAR(r.bp, 1.0, 0);
    CHECK_NEAR(r.chrf, 89.84375, 1e-9);
    score(BLEU_TOK_13A, 0, 2, 1, hyps, refs2, &r);
    CHECK(r.ref_len == 3);
}

static void test_bleu_exp_smoothing(void)
{
    const char *hyps[] = {"a b c d e"}, *refs[] = {"a b c x e"};
    metrics_result r;
    score(BLEU_TOK_13A, 0, 1, 1, hyps, refs, &r);
    check_counts(&r, (long[]){4, 2, 1, 0}, (long[]){5, 4, 3, 2}, 5, 5);
    CHECK_NEAR(r.precisions[3], 100.0 / (2 * 2), 1e-12); /* no 4-gram match: 100/(2*2) */
    CHECK_NEAR(r.precisions[0], 80.0, 1e-12);
    CHECK_NEAR(r.bleu, 42.72870063962342, 1e-9);
    CHECK_NEAR(r.chrf, 32.666666666666664, 1e-9);
}

static void test_bleu_degenerate(void)
{
    metrics_result r;
    /* empty hypothesis: no n-grams, brevity penalty 0 */
    const char *h1[] = {""}, *r1[] = {"a b c"};
    score(BLEU_TOK_13A, 0, 1, 1, h1, r1, &r);
    check_counts(&r, (long[]){0, 0, 0, 0}, (long[]){0, 0, 0, 0}, 0, 3);
    CHECK(r.bleu == 0.0 && r.bp == 0.0 && r.chrf == 0.0);
    /* no match at all: BLEU 0 without smoothing */
    const char *h2[] = {"x y z"}, *r2[] = {"a b c"};
    score(BLEU_TOK_13A, 0, 1, 1, h2, r2, &r);
    check_counts(&r, (long[]){0, 0, 0, 0}, (long[]){3, 2, 1, 0}, 3, 3);
    CHECK(r.bleu == 0.0 && r.precisions[0] == 0.0);
    /* shorter than 4 tokens: no 4-grams at all, so BLEU is 0 (no effective order) */
    const char *h3[] = {"a b"}, *r3[] = {"a b"};
    score(BLEU_TOK_13A, 0, 1, 1, h3, r3, &r);
    CHECK(r.bleu == 0.0);
    CHECK_NEAR(r.chrf, 100.0, 1e-9);
    /* empty lines are valid sentences, as hypothesis and as reference */
    const char *h4[] = {"", "abc", ""}, *r4[] = {"", "abc", "x"};
    score(BLEU_TOK_13A, 0, 1, 3, h4, r4, &r);
    check_counts(&r, (long[]){1, 0, 0, 0}, (long[]){1, 0, 0, 0}, 1, 2);
    CHECK(r.sentences == 3);
    CHECK_NEAR(r.chrf, 93.22033898305084, 1e-9);
    const char *h5[] = {""}, *r5[] = {""};
    score(BLEU_TOK_ZH, 0, 1, 1, h5, r5, &r);
    CHECK(r.bleu == 0.0 && r.chrf == 0.0 && r.bp == 1.0 && r.ref_len == 0);
    /* nothing added at all */
    metrics *m = metrics_new(BLEU_TOK_13A, 0, 1);
    metrics_result_get(m, &r);
    CHECK(r.bleu == 0.0 && r.chrf == 0.0 && r.sentences == 0);
    metrics_free(m);
}

static void test_lowercase_scores(void)
{
    const char *hyps[] = {"The CAT sat"}, *refs[] = {"the cat SAT"};
    metrics_result r;
    score(BLEU_TOK_13A, 1, 1, 1, hyps, refs, &r);
    check_counts(&r, (long[]){3, 2, 1, 0}, (long[]){3, 2, 1, 0}, 3, 3);
    CHECK(!strncmp(r.bleu_signature, "nrefs:1|case:lc|", 16));
    /* chrF is not lowercased (sacreBLEU's -lc is for BLEU) */
    CHECK_NEAR(r.chrf, 17.361111111111107, 1e-9);
    CHECK(!strncmp(r.chrf_signature, "nrefs:1|case:mixed|", 19));
    score(BLEU_TOK_13A, 0, 1, 1, hyps, refs, &r);
    CHECK(r.counts[0] == 0);
    CHECK_NEAR(r.chrf, 17.361111111111107, 1e-9);
}

static void test_other_tokenizer_scores(void)
{
    metrics_result r;
    const char *h1[] = {"我有3个苹果，and 2.5 kg。"}, *r1[] = {"我有三个苹果和2.5 kg。"};
    score(BLEU_TOK_ZH, 0, 1, 1, h1, r1, &r);
    check_counts(&r, (long[]){8, 5, 2, 0}, (long[]){11, 10, 9, 8}, 11, 10);
    CHECK_NEAR(r.bleu, 26.65837681702885, 1e-9);
    CHECK_NEAR(r.chrf, 41.38053049331486, 1e-9);
    const char *h2[] = {"abc d"}, *r2[] = {"abd c"};
    score(BLEU_TOK_CHAR, 0, 1, 1, h2, r2, &r);
    check_counts(&r, (long[]){4, 1, 0, 0}, (long[]){4, 3, 2, 1}, 4, 4);
    CHECK_NEAR(r.bleu, 37.99178428257963, 1e-9);
    CHECK_NEAR(r.chrf, 33.33333333333333, 1e-9);
    const char *h3[] = {"a, b"}, *r3[] = {"a , b"};
    score(BLEU_TOK_NONE, 0, 1, 1, h3, r3, &r);
    check_counts(&r, (long[]){1, 0, 0, 0}, (long[]){2, 1, 0, 0}, 2, 3);
    CHECK_NEAR(r.chrf, 100.0, 1e-9); /* chrF ignores whitespace */
}

static void test_chrf_best_reference(void)
{
    metrics_result r1, r2, r3;
    const char *hyps[] = {"the cat sat"};
    const char *a[] = {"a dog stood", "the cat sat down"}, *b[] = {"the cat sat down", "a dog stood"};
    const char *c[] = {"the cat sat down"};
    score(BLEU_TOK_13A, 0, 2, 1, hyps, a, &r1);
    score(BLEU_TOK_13A, 0, 2, 1, hyps, b, &r2);
    score(BLEU_TOK_13A, 0, 1, 1, hyps, c, &r3);
    /* the best reference's statistics are used, whatever its position */
    CHECK_NEAR(r1.chrf, 66.01764142221674, 1e-9);
    CHECK_NEAR(r2.chrf, r1.chrf, 1e-12);
    CHECK_NEAR(r3.chrf, r1.chrf, 1e-12);
}

/* The result is available at any time and the accumulator continues. */
static void test_streaming(void)
{
    metrics *m = metrics_new(BLEU_TOK_13A, 0, 1);
    const char *ref1[] = {"the cat sat on the mat"}, *ref2[] = {"a dog"};
    metrics_result r;
    metrics_add(m, "the cat sat on a mat", ref1);
    metrics_result_get(m, &r);
    CHECK(r.sentences == 1 && r.sys_len == 6);
    metrics_add(m, "a dog", ref2);
    metrics_result_get(m, &r);
    CHECK(r.sentences == 2 && r.sys_len == 8 && r.ref_len == 8);
    metrics_free(m);

    const char *hyps[] = {"the cat sat on a mat", "a dog"}, *refs[] = {ref1[0], ref2[0]};
    metrics_result all;
    score(BLEU_TOK_13A, 0, 1, 2, hyps, refs, &all);
    CHECK(all.bleu == r.bleu && all.chrf == r.chrf);
}

/* A long line and many sentences go through without trouble, quickly. */
static void test_large_input(void)
{
    size_t n = 200000;
    char *big = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) big[i] = "ab cd.,-1"[i % 9];
    big[n] = '\0';
    const char *refs[] = {big};
    metrics *m = metrics_new(BLEU_TOK_13A, 1, 1);
    double t0 = now_seconds();
    metrics_add(m, big, refs);
    for (int i = 0; i < 2000; i++) {
        const char *r[] = {"The quick brown fox jumps over the lazy dog, again."};
        metrics_add(m, "The quick brown fox jumped over a lazy dog again.", r);
    }
    double dt = now_seconds() - t0;
    metrics_result res;
    metrics_result_get(m, &res);
    CHECK(res.sentences == 2001);
    CHECK(res.bleu > 0 && res.bleu <= 100.0 + 1e-9);
    CHECK(dt < 5.0); /* loose: sanitizer builds are slow; scripts/bench_metrics.sh times it */
    metrics_free(m);
    free(big);
}

/* ------------------------------------------------------------ UTF-8 and loading */

static void test_utf8(void)
{
    CHECK(metrics_utf8_invalid("", 0) == -1);
    CHECK(metrics_utf8_invalid("abc 中文 😀", strlen("abc 中文 😀")) == -1);
    CHECK(metrics_utf8_invalid("ab\xff", 3) == 2);
    CHECK(metrics_utf8_invalid("\xc0\xaf", 2) == 0);          /* overlong */
    CHECK(metrics_utf8_invalid("x\xed\xa0\x80", 4) == 1);     /* surrogate */
    CHECK(metrics_utf8_invalid("\xf4\x90\x80\x80", 4) == 0);  /* above U+10FFFF */
    CHECK(metrics_utf8_invalid("\xe4\xb8", 2) == 0);          /* truncated */
    CHECK(metrics_has_cjk("hello 中文"));
    CHECK(metrics_has_cjk("カタカナ"));
    CHECK(!metrics_has_cjk("hello “world” — ok…"));
    CHECK(!metrics_has_cjk(""));
    /* metrics_add copes with invalid UTF-8 (treated byte by byte) */
    metrics *m = metrics_new(BLEU_TOK_ZH, 1, 1);
    const char *refs[] = {"\xff\xfe ab\xe4"};
    metrics_add(m, "\xff ab\xe4\xb8 \xce\xa3\xcc", refs);
    metrics_result r;
    metrics_result_get(m, &r);
    CHECK(r.sentences == 1);
    metrics_free(m);
}

static char tmpdir[64];

static const char *write_tmp(const char *name, const char *data, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return path;
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static void test_text_lines(void)
{
    text_lines t;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/seqtrans-test-metrics-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);

    const char bom_crlf[] = "\xef\xbb\xbf" "first\r\nsecond\r\n\r\nlast";
    CHECK(text_lines_load(write_tmp("a.txt", bom_crlf, sizeof bom_crlf - 1), &t) == 0);
    CHECK(t.n == 4);
    if (t.n == 4) {
        CHECK(!strcmp(t.lines[0], "first"));
        CHECK(!strcmp(t.lines[1], "second"));
        CHECK(!strcmp(t.lines[2], ""));
        CHECK(!strcmp(t.lines[3], "last"));
    }
    text_lines_free(&t);

    CHECK(text_lines_load(write_tmp("b.txt", "", 0), &t) == 0 && t.n == 0);
    text_lines_free(&t);
    CHECK(text_lines_load(write_tmp("c.txt", "\n", 1), &t) == 0 && t.n == 1);
    text_lines_free(&t);

    fprintf(stderr, "(three expected error messages follow)\n");
    CHECK(text_lines_load(write_tmp("d.txt", "ok\nb\0d\n", 7), &t) == -1 && t.n == 0);
    CHECK(text_lines_load(write_tmp("e.txt", "ok\nok\n\xc3(\n", 9), &t) == -1);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing.txt", tmpdir);
    CHECK(text_lines_load(missing, &t) == -1);

    const char *names[] = {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

static void test_print(void)
{
    const char *hyps[] = {"a b c d e"}, *refs[] = {"a b c x e"};
    metrics_result r;
    score(BLEU_TOK_13A, 0, 1, 1, hyps, refs, &r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metrics_print(f, &r, 1, "\"loss\": 1.5, \"ppl\": 4.48", NULL);
    fclose(f);
    double v;
    long counts[4];
    char sig[128];
    CHECK(buf[0] == '{' && len > 2 && buf[len - 2] == '}' && buf[len - 1] == '\n');
    CHECK(json_number(buf, "bleu", &v) == 0 && fabs(v - r.bleu) < 1e-12);
    CHECK(json_number(buf, "chrf", &v) == 0 && fabs(v - r.chrf) < 1e-12);
    CHECK(json_number(buf, "bp", &v) == 0 && v == 1.0);
    CHECK(json_number(buf, "loss", &v) == 0 && v == 1.5);
    CHECK(json_longs(buf, "counts", counts, 4) == 0 && counts[0] == 4 && counts[3] == 0);
    CHECK(json_longs(buf, "totals", counts, 4) == 0 && counts[0] == 5);
    CHECK(json_str(buf, "bleu_signature", sig, sizeof sig) == 0 &&
          !strcmp(sig, r.bleu_signature));
    CHECK(json_str(buf, "chrf_signature", sig, sizeof sig) == 0);
    CHECK(json_key(buf, "sys_len") && json_key(buf, "ref_len") && json_key(buf, "sentences") &&
          json_key(buf, "precisions"));
    free(buf);

    buf = NULL;
    f = open_memstream(&buf, &len);
    metrics_print(f, &r, 0, NULL, "loss = 1.50  ppl = 4.48");
    fclose(f);
    CHECK(strstr(buf, "BLEU = 42.73 80.0/50.0/33.3/25.0 (BP = 1.000") != NULL);
    CHECK(strstr(buf, "chrF2 = 32.67") != NULL);
    CHECK(strstr(buf, "loss = 1.50  ppl = 4.48\n") != NULL);
    CHECK(strstr(buf, r.bleu_signature) != NULL);
    free(buf);
}

int main(void)
{
    RUN_TEST(test_vectors);
    RUN_TEST(test_tokenizer_parse);
    RUN_TEST(test_tok_13a);
    RUN_TEST(test_tok_zh);
    RUN_TEST(test_tok_char_none);
    RUN_TEST(test_lowercase);
    RUN_TEST(test_bleu_multi_ref_clipping);
    RUN_TEST(test_bleu_closest_length_tie);
    RUN_TEST(test_bleu_exp_smoothing);
    RUN_TEST(test_bleu_degenerate);
    RUN_TEST(test_lowercase_scores);
    RUN_TEST(test_other_tokenizer_scores);
    RUN_TEST(test_chrf_best_reference);
    RUN_TEST(test_streaming);
    RUN_TEST(test_large_input);
    RUN_TEST(test_utf8);
    RUN_TEST(test_text_lines);
    RUN_TEST(test_print);
    return TEST_SUMMARY("metrics");
}
