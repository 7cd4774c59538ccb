/* BPE: learning (a hand-checked corpus, determinism across thread counts, edge cases),
 * segmentation, exact joining back to tokens on real text, and a serialized form that
 * survives a round trip and refuses malformed bytes. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "quiet.h"
#include "sys/util.h"
#include "text/bpe.h"
#include "text/text.h"
#include "text/vocab.h"

#define M BPE_MARK


static bpe_options options(int vocab_size)
{
    bpe_options o;
    bpe_options_default(&o);
    o.vocab_size = vocab_size;
    return o;
}

/* The units of tokens (space-separated in s) joined by single spaces, in a static buffer. */
static const char *segmented(const bpe *b, const char *s)
{
    static char out[4096];
    char copy[1024];
    const char *tok[64];
    int n = 0;
    snprintf(copy, sizeof copy, "%s", s);
    for (char *p = strtok(copy, " "); p && n < 64; p = strtok(NULL, " ")) tok[n++] = p;
    bpe_units u;
    bpe_units_init(&u);
    int k = bpe_segment(b, tok, n, &u);
    out[0] = 0;
    for (int i = 0; i < k; i++) {
        if (i) strcat(out, " ");
        strcat(out, u.unit[i]);
    }
    bpe_units_free(&u);
    return out;
}

/* 1 when tokens[0..n) survive segment -> join unchanged. */
static int round_trips(const bpe *b, const char *const *tok, int n, bpe_units *u, bpe_tokens *t)
{
    int k = bpe_segment(b, tok, n, u);
    if (bpe_join(b, u->unit, k, t) != n) return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(t->tok[i], tok[i])) return 0;
    return 1;
}

/* Sennrich et al.'s example: low 5, lower 2, newest 6, widest 3, worked through by hand
 * (ties go to the lower symbol ids: e, w, s, t$, l, o, n, ... by frequency). */
static void test_hand_checked_merges(void)
{
    bpe_counter *c = bpe_counter_new(0);
    bpe_counter_add_word(c, "low", 3, 5);
    bpe_counter_add_word(c, "lower", 5, 2);
    bpe_counter_add_word(c, "newest", 6, 6);
    bpe_counter_add_word(c, "widest", 6, 3);
    CHECK(bpe_counter_types(c) == 4);
    CHECK(bpe_counter_count(c, "newest", 6) == 6);
    bpe_counter *other = bpe_counter_new(0);
    bpe_counter_add_word(other, "newest", 6, 1);
    bpe_counter_add_word(other, "wide", 4, 1);
    bpe_counter_absorb(other, c);
    CHECK(bpe_counter_types(other) == 5);
    CHECK(bpe_counter_count(other, "newest", 6) == 7 && bpe_counter_count(other, "low", 3) == 5);
    CHECK(bpe_counter_count(other, "lo", 2) == 0);
    bpe_counter_free(other);
    bpe_options o = options(1000);
    bpe *b = bpe_learn(c, &o);
    static const char *const want[][3] = {
        {"e" M, "s" M, "es" M},      {"es" M, "t", "est"},       {"l" M, "o" M, "lo" M},
        {"e" M, "w" M, "ew" M},      {"n" M, "ew" M, "new" M},   {"new" M, "est", "newest"},
        {"lo" M, "w", "low"},        {"w" M, "i" M, "wi" M},     {"d" M, "est", "dest"},
        {"wi" M, "dest", "widest"},  {"e" M, "r", "er"},         {"w" M, "er", "wer"},
        {"lo" M, "wer", "lower"}};
    int n = (int)(sizeof want / sizeof want[0]);
    CHECK(bpe_num_merges(b) == n);
    CHECK(bpe_num_chars(b) == 2 * 94);   /* printable ASCII in both positions, nothing else */
    for (int r = 0; r < n && r < bpe_num_merges(b); r++) {
        const char *l, *rt, *res;
        CHECK(bpe_merge(b, r, &l, &rt, &res) == 0);
        if (strcmp(l, want[r][0]) || strcmp(rt, want[r][1]) || strcmp(res, want[r][2])) {
            fprintf(stderr, "merge %d: %s + %s -> %s, want %s + %s -> %s\n", r, l, rt, res,
                    want[r][0], want[r][1], want[r][2]);
            CHECK(0);
        }
    }
    const char *l, *rt, *res;
    CHECK(bpe_merge(b, n, &l, &rt, &res) == -1);
    CHECK(!strcmp(segmented(b, "lowest newer low"), "lo" M " w" M " est new" M " er low"));
    CHECK(!strcmp(segmented(b, "a Z ."), "a Z ."));
    bpe_free(b);
    /* a vocabulary of the alphabet and 3 merges stops after 3 */
    o = options(2 * 94 + 3);
    b = bpe_learn(c, &o);
    CHECK(bpe_num_merges(b) == 3);
    bpe_free(b);
    bpe_counter_free(c);
}

/* Han runs: adjacent Han tokens are one word, so merges make words; without it, none. */
static void test_han_runs(void)
{
    static const char *const line[] = {"我", "喜", "中", "国", "。", "中", "国", "很", "大"};
    for (int runs = 0; runs < 2; runs++) {
        bpe_counter *c = bpe_counter_new(runs);
        const char *tok[] = {"中", "国", "人", "。", "中", "国", "iPhone", "中", "国"};
        for (int i = 0; i < 3; i++) bpe_counter_add_tokens(c, tok, 9);
        CHECK(bpe_counter_count(c, "中国人", strlen("中国人")) == (runs ? 3 : 0));
        CHECK(bpe_counter_count(c, "中", strlen("中")) == (runs ? 0 : 9));
        bpe_options o = options(400);
        bpe *b = bpe_learn(c, &o);
        CHECK(bpe_han_runs(b) == runs);
        if (runs) {
            CHECK(!strcmp(segmented(b, "中 国 。 中 国 人"), "中国 。 中国人"));
            /* 人 was only seen ending a word: elsewhere it falls back to bytes */
            CHECK(!strcmp(segmented(b, "人 中 国"), "\xe2\x8c\xa9" "E4\xe2\x8c\xaa" M " \xe2\x8c\xa9" "BA\xe2\x8c\xaa" M
                                                  " \xe2\x8c\xa9" "BA\xe2\x8c\xaa" M " 中国"));
        }
        else CHECK(!strcmp(segmented(b, "中 国 。 中 国 人"), "中 国 。 中 国 人"));
        bpe_units u;
        bpe_tokens t;
        bpe_units_init(&u);
        bpe_tokens_init(&t);
        CHECK(round_trips(b, line, 9, &u, &t));
        bpe_units_free(&u);
        bpe_tokens_free(&t);
        bpe_free(b);
        bpe_counter_free(c);
    }
}

/* Reads the column (0 or 1) of every line of a TSV file; NULL when the file is absent. */
static char **read_column(const char *path, int column, long *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char **lines = NULL, *buf = NULL;
    size_t cap = 0;
    long k, have = 0;
    *n = 0;
    while ((k = read_line(f, &buf, &cap)) >= 0) {
        char *s = buf, *tab = strchr(buf, '\t');
        if (column == 1) s = tab ? tab + 1 : buf + k;
        char *end = strchr(s, '\t');
        if (end) *end = 0;
        if (*n == have) {
            have = have ? 2 * have : 1024;
            lines = xrealloc(lines, (size_t)have * sizeof *lines);
        }
        lines[(*n)++] = xstrdup(s);
    }
    free(buf);
    fclose(f);
    return lines;
}

static void free_lines(char **lines, long n)
{
    for (long i = 0; i < n; i++) free(lines[i]);
    free(lines);
}

static bpe *learn_lines(lang_t lang, char **lines, long n, int han_runs, int threads, int vocab)
{
    size_t *lens = xmalloc((size_t)n * sizeof *lens);
    for (long i = 0; i < n; i++) lens[i] = strlen(lines[i]);
    long refused;
    bpe_counter *c = bpe_count_lines(lang, (const char *const *)lines, lens, n, han_runs, threads,
                                     &refused);
    bpe_options o = options(vocab);
    o.threads = threads;
    bpe *b = bpe_learn(c, &o);
    bpe_counter_free(c);
    free(lens);
    return b;
}

static int same_bytes(const bpe *x, const bpe *y)
{
    size_t nx, ny;
    char *bx = bpe_serialize(x, &nx), *by = bpe_serialize(y, &ny);
    int same = nx == ny && !memcmp(bx, by, nx);
    free(bx);
    free(by);
    return same;
}

static void test_threads_give_the_same_merges(void)
{
    for (int side = 0; side < 2; side++) {
        long n;
        char **lines = read_column("data/corpus.tsv", side, &n);
        if (!lines) {
            printf("test_bpe: data/corpus.tsv missing (run from the repository root)\n");
            CHECK(0);
            return;
        }
        CHECK(n >= 1000);   /* enough for bpe_count_lines to use the threads */
        lang_t lang = side ? LANG_ZH : LANG_EN;
        bpe *one = learn_lines(lang, lines, n, side, 1, 1500);
        bpe *two = learn_lines(lang, lines, n, side, 2, 1500);
        CHECK(bpe_num_merges(one) > 100);
        CHECK(same_bytes(one, two));
        bpe_free(one);
        bpe_free(two);
        free_lines(lines, n);
    }
}

/* Every line of path's columns: tokenize -> segment -> join -> detokenize gives the same
 * text as tokenize -> detokenize (and the same tokens). Returns lines checked, -1 absent. */
static long check_file_round_trip(const char *path, const bpe *en, const bpe *zh, const bpe *zh_chars)
{
    long checked = 0;
    for (int side = 0; side < 2; side++) {
        long n;
        char **lines = read_column(path, side, &n);
        if (!lines) return -1;
        lang_t lang = side ? LANG_ZH : LANG_EN;
        token_list tl;
        bpe_units u;
        bpe_tokens t;
        token_list_init(&tl);
        bpe_units_init(&u);
        bpe_tokens_init(&t);
        long bad = 0;
        for (long i = 0; i < n; i++) {
            int k = text_tokenize(lang, lines[i], strlen(lines[i]), &tl);
            if (k < 0) continue;
            const char *const *tok = (const char *const *)tl.tok;
            const bpe *models[3] = {en, zh, zh_chars};
            for (int m = 0; m < 3; m++) {
                int nu = bpe_segment(models[m], tok, k, &u);
                bpe_join(models[m], u.unit, nu, &t);
                char *want = text_detokenize(lang, tok, k);
                char *got = text_detokenize(lang, (const char *const *)t.tok, t.n);
                if (strcmp(want, got) || t.n != k) {
                    if (bad++ < 3) fprintf(stderr, "%s:%ld: model %d: '%s' became '%s'\n", path, i + 1, m, want, got);
                }
                free(want);
                free(got);
            }
            checked++;
        }
        CHECK(bad == 0);
        token_list_free(&tl);
        bpe_units_free(&u);
        bpe_tokens_free(&t);
        free_lines(lines, n);
    }
    return checked;
}

static void test_dev_sets_round_trip(void)
{
    long n_en, n_zh;
    char **en_lines = read_column("data/corpus.tsv", 0, &n_en);
    char **zh_lines = read_column("data/corpus.tsv", 1, &n_zh);
    if (!en_lines || !zh_lines) {
        CHECK(0);
        return;
    }
    bpe *en = learn_lines(LANG_EN, en_lines, n_en, 0, 2, 2000);
    bpe *zh = learn_lines(LANG_ZH, zh_lines, n_zh, 1, 2, 2000);
    bpe *zh_chars = learn_lines(LANG_ZH, zh_lines, n_zh, 0, 2, 2000);
    static const char *const files[] = {"data/corpus.tsv", "data/dev.tsv",
                                        "/work/shared/data/tatoeba-cmn-eng/dev.tsv",
                                        "/work/shared/data/docs-en-zh/dev.tsv"};
    for (int f = 0; f < 4; f++) {
        long k = check_file_round_trip(files[f], en, zh, zh_chars);
        if (k < 0 && f < 2) CHECK(0);
        if (k < 0) printf("test_bpe: %s absent, its round trip skipped\n", files[f]);
        else CHECK(k > 0);
    }
    bpe_free(en);
    bpe_free(zh);
    bpe_free(zh_chars);
    free_lines(en_lines, n_en);
    free_lines(zh_lines, n_zh);
}

static void test_units_are_vocabulary_tokens(void)
{
    long n;
    char **lines = read_column("data/corpus.tsv", 1, &n);
    if (!lines) {
        CHECK(0);
        return;
    }
    bpe *b = learn_lines(LANG_ZH, lines, n, 1, 2, 1200);
    vocab_counter *vc = vocab_counter_new();
    const char *l, *r, *res;
    for (int i = 0; bpe_merge(b, i, &l, &r, &res) == 0; i++) {
        vocab_counter_add(vc, l);
        vocab_counter_add(vc, r);
        vocab_counter_add(vc, res);
    }
    /* and byte units, and the reserved characters that always go to bytes */
    const char *odd[] = {"a" M "b", "\xe2\x8c\xa9" "E4" "\xe2\x8c\xaa", "x\xe2\x8c\xa9", "\xf0\x9f\x98\x80"};
    bpe_units u;
    bpe_tokens t;
    bpe_units_init(&u);
    bpe_tokens_init(&t);
    int k = bpe_segment(b, odd, 4, &u);
    for (int i = 0; i < k; i++) vocab_counter_add(vc, u.unit[i]);
    CHECK(round_trips(b, odd, 4, &u, &t));
    vocab *v = vocab_build(vc, 1, 0), *w = NULL;
    size_t len;
    char *bytes = vocab_serialize(v, &len);
    CHECK(vocab_deserialize(bytes, len, &w) == 0);   /* refuses spaces, controls, bad UTF-8 */
    CHECK(w && vocab_size(w) == vocab_size(v));
    free(bytes);
    vocab_free(v);
    vocab_free(w);
    vocab_counter_free(vc);
    bpe_units_free(&u);
    bpe_tokens_free(&t);
    bpe_free(b);
    free_lines(lines, n);
}

static void test_join_takes_any_units(void)
{
    bpe_counter *c = bpe_counter_new(1);
    bpe_options o = options(100);
    bpe *b = bpe_learn(c, &o);
    bpe_tokens t;
    bpe_tokens_init(&t);
    const char *units[] = {"ab" M, "", "c", "<unk>", "x" M, "\xe2\x8c\xa9" "E4" "\xe2\x8c\xaa" M,
                           "\xe2\x8c\xa9" "FF" "\xe2\x8c\xaa", "中国" M, "人", "q" M};
    CHECK(bpe_join(b, units, 10, &t) == 7);
    if (t.n == 7) {
        CHECK(!strcmp(t.tok[0], "abc"));
        CHECK(!strcmp(t.tok[1], "<unk>"));
        CHECK(!strcmp(t.tok[2], "x\xef\xbf\xbd\xef\xbf\xbd"));   /* E4 FF: not UTF-8 */
        CHECK(!strcmp(t.tok[3], "中") && !strcmp(t.tok[4], "国") && !strcmp(t.tok[5], "人"));
        CHECK(!strcmp(t.tok[6], "q"));   /* an unfinished word is ended */
    }
    CHECK(bpe_join(b, units, 0, &t) == 0);
    bpe_tokens_free(&t);
    bpe_free(b);
    bpe_counter_free(c);
}

static void test_edge_cases(void)
{
    /* empty corpus: the alphabet alone; anything still segments and joins */
    bpe_counter *c = bpe_counter_new(0);
    bpe_options o = options(32000);
    bpe *b = bpe_learn(c, &o);
    CHECK(b && bpe_num_merges(b) == 0 && bpe_num_chars(b) == 2 * 94);
    CHECK(!strcmp(segmented(b, "hi 中"), "h" M " i \xe2\x8c\xa9" "E4\xe2\x8c\xaa" M " \xe2\x8c\xa9" "B8\xe2\x8c\xaa" M " \xe2\x8c\xa9" "AD\xe2\x8c\xaa"));
    bpe_free(b);
    /* one-character words: nothing to merge */
    bpe_counter_add_word(c, "a", 1, 100);
    bpe_counter_add_word(c, "中", strlen("中"), 100);
    b = bpe_learn(c, &o);
    CHECK(bpe_num_merges(b) == 0 && bpe_num_chars(b) == 2 * 94 + 1);
    CHECK(!strcmp(segmented(b, "中 a"), "中 a"));
    bpe_free(b);
    bpe_counter_free(c);
    /* a 5,000-character word, twice: merges stop at max_unit_chars; it round-trips */
    char *big = xmalloc(5000 * 3 + 1), *p = big;
    for (int i = 0; i < 5000; i++, p += 3) memcpy(p, i % 7 ? "中" : "国", 3);
    *p = 0;
    c = bpe_counter_new(1);
    bpe_counter_add_word(c, big, strlen(big), 2);
    o = options(400);
    b = bpe_learn(c, &o);
    CHECK(bpe_num_merges(b) > 0);
    const char *l, *r, *res;
    for (int i = 0; bpe_merge(b, i, &l, &r, &res) == 0; i++) CHECK(strlen(res) <= 16 * 3 + 3);
    const char **han = xmalloc(5000 * sizeof *han);
    for (int i = 0; i < 5000; i++) han[i] = i % 7 ? "中" : "国";
    bpe_units u;
    bpe_tokens t;
    bpe_units_init(&u);
    bpe_tokens_init(&t);
    CHECK(round_trips(b, han, 5000, &u, &t));
    CHECK(u.n < 5000 / 4);
    const char *one_big[] = {big};
    int k = bpe_segment(b, one_big, 1, &u);   /* as one token (not from the tokenizer) */
    CHECK(k > 0 && bpe_join(b, u.unit, k, &t) == 5000);
    bpe_free(b);
    bpe_counter_free(c);
    free(big);
    free(han);
    /* 100k one-token lines */
    long n = 100000;
    char **lines = xmalloc((size_t)n * sizeof *lines);
    for (long i = 0; i < n; i++) {
        char s[32];
        snprintf(s, sizeof s, "w%ld", i % 5000);
        lines[i] = xstrdup(s);
    }
    b = learn_lines(LANG_EN, lines, n, 0, 2, 1000);
    CHECK(bpe_num_merges(b) > 100);
    long ok = 0;
    for (long i = 0; i < n; i++) ok += round_trips(b, (const char *const *)&lines[i], 1, &u, &t);
    CHECK(ok == n);
    bpe_free(b);
    free_lines(lines, n);
    bpe_units_free(&u);
    bpe_tokens_free(&t);
}

static void test_options_checked(void)
{
    bpe_counter *c = bpe_counter_new(0);
    bpe_options o = options(0);
    silence_stderr();
    CHECK(bpe_learn(c, &o) == NULL);
    o = options(100);
    o.max_unit_chars = BPE_MAX_UNIT_CHARS + 1;
    CHECK(bpe_learn(c, &o) == NULL);
    o = options(100);
    o.char_coverage = 1.5;
    CHECK(bpe_learn(c, &o) == NULL);
    restore_stderr();
    bpe_counter_free(c);
}

/* ---- serialization ----------------------------------------------------------------------- */

static void put32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static int accepts(const unsigned char *buf, size_t len)
{
    bpe *b = NULL;
    silence_stderr();
    int rc = bpe_deserialize((const char *)buf, len, &b);
    restore_stderr();
    int ok = rc == 0 && b != NULL;
    if (rc != 0 && b != NULL) ok = -1;
    bpe_free(b);
    return ok;
}

/* A hand-made model: alphabet a (non-final), a$ , then merges given as id pairs. */
static size_t handmade(unsigned char *buf, uint32_t version, uint32_t flags, const uint32_t *merges,
                       int n_merges)
{
    put32(buf, version);
    put32(buf + 4, flags);
    put32(buf + 8, 2);
    put32(buf + 12, (uint32_t)n_merges);
    put32(buf + 16, 'a');
    put32(buf + 20, 'a' | 1u << 31);
    for (int i = 0; i < 2 * n_merges; i++) put32(buf + 24 + 4 * i, merges[i]);
    return 24 + 8 * (size_t)n_merges;
}

static void test_serialization(void)
{
    long n;
    char **lines = read_column("data/corpus.tsv", 0, &n);
    if (!lines) {
        CHECK(0);
        return;
    }
    bpe *b = learn_lines(LANG_EN, lines, n, 0, 2, 800), *back = NULL;
    size_t len;
    char *bytes = bpe_serialize(b, &len);
    CHECK(bpe_deserialize(bytes, len, &back) == 0);
    CHECK(back && same_bytes(b, back));
    CHECK(back && bpe_num_merges(back) == bpe_num_merges(b) && bpe_num_chars(back) == bpe_num_chars(b));
    /* the same segmentation */
    token_list tl;
    bpe_units u1, u2;
    token_list_init(&tl);
    bpe_units_init(&u1);
    bpe_units_init(&u2);
    long diff = 0;
    for (long i = 0; i < n && back; i++) {
        int k = text_tokenize(LANG_EN, lines[i], strlen(lines[i]), &tl);
        int k1 = bpe_segment(b, (const char *const *)tl.tok, k, &u1);
        int k2 = bpe_segment(back, (const char *const *)tl.tok, k, &u2);
        if (k1 != k2) diff++;
        for (int j = 0; j < k1 && k1 == k2; j++) diff += strcmp(u1.unit[j], u2.unit[j]) != 0;
    }
    CHECK(diff == 0);
    /* every truncation, and a stray byte, refused */
    int refused = 1;
    for (size_t cut = 0; cut < len; cut += cut < 64 ? 1 : 97)
        if (accepts((const unsigned char *)bytes, cut)) refused = 0;
    CHECK(refused);
    char *longer = xmalloc(len + 1);
    memcpy(longer, bytes, len);
    longer[len] = 0;
    CHECK(accepts((const unsigned char *)longer, len + 1) == 0);
    free(longer);
    free(bytes);
    token_list_free(&tl);
    bpe_units_free(&u1);
    bpe_units_free(&u2);
    bpe_free(b);
    bpe_free(back);
    free_lines(lines, n);

    unsigned char buf[2048];
    uint32_t good[] = {512, 512, 514, 513};   /* aa (non-final), aa + a$ = aaa$ */
    CHECK(accepts(buf, handmade(buf, 1, 0, good, 2)) == 1);
    CHECK(accepts(buf, handmade(buf, 1, 1, good, 2)) == 1);
    CHECK(accepts(buf, handmade(buf, 2, 0, good, 2)) == 0);   /* version */
    CHECK(accepts(buf, handmade(buf, 1, 2, good, 2)) == 0);   /* flags */
    uint32_t forward[] = {512, 515};
    CHECK(accepts(buf, handmade(buf, 1, 0, forward, 1)) == 0);
    uint32_t byte_side[] = {512, 7};
    CHECK(accepts(buf, handmade(buf, 1, 0, byte_side, 1)) == 0);
    uint32_t final_left[] = {513, 512};
    CHECK(accepts(buf, handmade(buf, 1, 0, final_left, 1)) == 0);
    uint32_t repeated[] = {512, 512, 512, 512};
    CHECK(accepts(buf, handmade(buf, 1, 0, repeated, 2)) == 0);
    uint32_t doubling[16];   /* a, aa, aaaa, ... 128 characters: too long */
    for (int i = 0; i < 8; i++) doubling[2 * i] = doubling[2 * i + 1] = (uint32_t)(i ? 513 + i : 512);
    CHECK(accepts(buf, handmade(buf, 1, 0, doubling, 7)) == 0);
    CHECK(accepts(buf, handmade(buf, 1, 0, doubling, 6)) == 1);   /* 64: the limit */
    handmade(buf, 1, 0, good, 2);
    put32(buf + 20, 'a');                                         /* duplicate character */
    CHECK(accepts(buf, 24 + 16) == 0);
    handmade(buf, 1, 0, good, 2);
    put32(buf + 20, 0xFE6B);                                      /* the mark itself */
    CHECK(accepts(buf, 24 + 16) == 0);
    put32(buf + 20, ' ');
    CHECK(accepts(buf, 24 + 16) == 0);
    put32(buf + 20, 0xD800);
    CHECK(accepts(buf, 24 + 16) == 0);
    handmade(buf, 1, 0, good, 2);
    put32(buf + 8, 0xffffffffu);                                  /* counts past the buffer */
    CHECK(accepts(buf, 24 + 16) == 0);
}

int main(void)
{
    RUN_TEST(test_hand_checked_merges);
    RUN_TEST(test_han_runs);
    RUN_TEST(test_threads_give_the_same_merges);
    RUN_TEST(test_dev_sets_round_trip);
    RUN_TEST(test_units_are_vocabulary_tokens);
    RUN_TEST(test_join_takes_any_units);
    RUN_TEST(test_edge_cases);
    RUN_TEST(test_options_checked);
    RUN_TEST(test_serialization);
    return TEST_SUMMARY("test_bpe");
}
