/* Vocabulary: counting, deterministic build order, caps, lookup, and a serialized form that
 * survives a round trip and refuses every malformed buffer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "check.h"
#include "quiet.h"
#include "text/vocab.h"

/* Adds tok to c n times. */
static void add_times(vocab_counter *c, const char *tok, int n)
{
    while (n-- > 0) vocab_counter_add(c, tok);
}

/* A counter holding: the 5, cat 3, dog 3, a 3, zebra 1, "<unk>" 9 (a literal in the text). */
static vocab_counter *sample_counter(void)
{
    vocab_counter *c = vocab_counter_new();
    add_times(c, "cat", 3);
    add_times(c, "zebra", 1);
    add_times(c, "the", 5);
    add_times(c, "dog", 3);
    add_times(c, "a", 3);
    add_times(c, "<unk>", 9);
    return c;
}

static int has_tokens(const vocab *v, const char *const *want, int n)
{
    if (vocab_size(v) != n) return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(vocab_token(v, i), want[i])) return 0;
    return 1;
}

static void test_specials(void)
{
    CHECK(VOCAB_PAD == 0 && VOCAB_UNK == 1 && VOCAB_BOS == 2 && VOCAB_EOS == 3);
    vocab_counter *c = vocab_counter_new();
    vocab *v = vocab_build(c, 1, 0);
    const char *want[] = {"<pad>", "<unk>", "<s>", "</s>"};
    CHECK(has_tokens(v, want, 4));
    CHECK(vocab_lookup(v, "</s>") == VOCAB_EOS && vocab_lookup(v, "<pad>") == VOCAB_PAD);
    CHECK(vocab_lookup(v, "anything") == VOCAB_UNK);
    CHECK(vocab_token(v, -1) == NULL && vocab_token(v, 4) == NULL);
    vocab_free(v);
    vocab_counter_free(c);
}

static void test_counter(void)
{
    vocab_counter *c = sample_counter();
    CHECK(vocab_counter_count(c, "the") == 5);
    CHECK(vocab_counter_count(c, "zebra") == 1);
    CHECK(vocab_counter_count(c, "horse") == 0);
    CHECK(vocab_counter_count(c, "") == 0);
    vocab_counter_free(c);
    vocab_counter_free(NULL);
}

static void test_build_order(void)
{
    vocab_counter *c = sample_counter();
    vocab *v = vocab_build(c, 1, 0);
    /* count descending, ties bytewise ascending; the literal "<unk>" is not added twice */
    const char *want[] = {"<pad>", "<unk>", "<s>", "</s>", "the", "a", "cat", "dog", "zebra"};
    CHECK(has_tokens(v, want, 9));
    CHECK(vocab_lookup(v, "cat") == 6 && vocab_lookup(v, "zebra") == 8);
    CHECK(vocab_lookup(v, "<unk>") == VOCAB_UNK);
    CHECK(vocab_lookup(v, "Cat") == VOCAB_UNK && vocab_lookup(v, "") == VOCAB_UNK);
    vocab_free(v);
    vocab_counter_free(c);
}

static void test_min_count_and_cap(void)
{
    vocab_counter *c = sample_counter();
    vocab *v = vocab_build(c, 3, 0);
    const char *min3[] = {"<pad>", "<unk>", "<s>", "</s>", "the", "a", "cat", "dog"};
    CHECK(has_tokens(v, min3, 8));
    vocab_free(v);
    v = vocab_build(c, 1, 6);   /* max_size counts the specials */
    CHECK(has_tokens(v, min3, 6));
    vocab_free(v);
    v = vocab_build(c, 1, 2);   /* below 4: the specials all the same */
    CHECK(vocab_size(v) == 4);
    vocab_free(v);
    v = vocab_build(c, 6, 100);
    CHECK(vocab_size(v) == 4);
    vocab_free(v);
    v = vocab_build(c, 0, 1000);
    CHECK(vocab_size(v) == 9);
    vocab_free(v);
    vocab_counter_free(c);
}

static void test_many_tokens(void)
{
    /* enough distinct tokens to grow both hash tables several times */
    vocab_counter *c = vocab_counter_new();
    char tok[32];
    for (int i = 0; i < 50000; i++) {
        snprintf(tok, sizeof tok, "w%d", i);
        add_times(c, tok, 1 + i % 3);
    }
    vocab *v = vocab_build(c, 1, 0);
    CHECK(vocab_size(v) == 50004);
    int all_found = 1;
    for (int i = 0; i < 50000; i++) {
        snprintf(tok, sizeof tok, "w%d", i);
        int id = vocab_lookup(v, tok);
        all_found &= id >= 4 && !strcmp(vocab_token(v, id), tok);
    }
    CHECK(all_found);
    /* the order: count descending, then bytewise ascending */
    int ordered = 1;
    for (int id = 5; id < vocab_size(v); id++) {
        long before = vocab_counter_count(c, vocab_token(v, id - 1));
        long now = vocab_counter_count(c, vocab_token(v, id));
        ordered &= before > now || (before == now &&
                                    strcmp(vocab_token(v, id - 1), vocab_token(v, id)) < 0);
    }
    CHECK(ordered);
    CHECK(!strcmp(vocab_token(v, 4), "w10001"));   /* smallest of the count-3 tokens */
    CHECK(vocab_counter_count(c, "w49999") == 2);
    vocab_free(v);
    vocab_counter_free(c);
}

static void test_build_is_deterministic(void)
{
    /* same counts added in a different order: same vocabulary */
    vocab_counter *a = vocab_counter_new(), *b = vocab_counter_new();
    const char *words[] = {"x", "y", "z", "\xE4\xB8\xAD", "Y", "yy"};
    for (int i = 0; i < 6; i++) add_times(a, words[i], 2);
    for (int i = 5; i >= 0; i--) add_times(b, words[i], 2);
    vocab *va = vocab_build(a, 1, 0), *vb = vocab_build(b, 1, 0);
    size_t la, lb;
    char *sa = vocab_serialize(va, &la), *sb = vocab_serialize(vb, &lb);
    CHECK(la == lb && !memcmp(sa, sb, la));
    CHECK(!strcmp(vocab_token(va, 4), "Y") && !strcmp(vocab_token(va, 9), "\xE4\xB8\xAD"));
    free(sa);
    free(sb);
    vocab_free(va);
    vocab_free(vb);
    vocab_counter_free(a);
    vocab_counter_free(b);
}

static void test_merge_equals_one_count(void)
{
    /* a corpus counted in three parts and merged: the counts, and so the vocabulary, of
     * one count over all of it (enough tokens that the merged table grows) */
    vocab_counter *whole = vocab_counter_new(), *part[3];
    for (int k = 0; k < 3; k++) part[k] = vocab_counter_new();
    char tok[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(tok, sizeof tok, "w%d", (i * 7919) % 1009);
        vocab_counter_add(whole, tok);
        vocab_counter_add(part[i % 3], tok);
    }
    vocab_counter_merge(part[0], part[1]);
    vocab_counter_merge(part[0], part[2]);
    CHECK(vocab_counter_count(part[0], "w5") == vocab_counter_count(whole, "w5"));
    CHECK(vocab_counter_count(part[0], "w5") > 1);
    vocab *a = vocab_build(whole, 2, 500), *b = vocab_build(part[0], 2, 500);
    size_t la, lb;
    char *sa = vocab_serialize(a, &la), *sb = vocab_serialize(b, &lb);
    CHECK(la == lb && !memcmp(sa, sb, la));
    free(sa);
    free(sb);
    vocab_free(a);
    vocab_free(b);
    vocab_counter_free(whole);
    for (int k = 0; k < 3; k++) vocab_counter_free(part[k]);
}

static void test_serialize_round_trip(void)
{
    vocab_counter *c = sample_counter();
    add_times(c, "\xE4\xB8\xAD\xE6\x96\x87", 2);
    vocab *v = vocab_build(c, 1, 0);
    size_t len;
    char *buf = vocab_serialize(v, &len);
    CHECK(len >= 4 && (unsigned char)buf[0] == 10 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0);
    CHECK(!memcmp(buf + 4, "<pad>\0<unk>\0<s>\0</s>\0the\0", 25));
    vocab *w = NULL;
    CHECK(vocab_deserialize(buf, len, &w) == 0 && w);
    if (w) {
        CHECK(vocab_size(w) == vocab_size(v));
        for (int i = 0; i < vocab_size(v); i++) {
            CHECK(!strcmp(vocab_token(w, i), vocab_token(v, i)));
            CHECK(vocab_lookup(w, vocab_token(v, i)) == i);
        }
    }
    vocab_free(w);
    free(buf);
    vocab_free(v);
    vocab_counter_free(c);
}

/* Serialized bytes for a u32 count and the given tokens (NULs supplied). */
static size_t make_buffer(char *buf, uint32_t count, const char *const *toks, int n)
{
    for (int k = 0; k < 4; k++) buf[k] = (char)(count >> (8 * k));
    size_t pos = 4;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(toks[i]) + 1;
        memcpy(buf + pos, toks[i], k);
        pos += k;
    }
    return pos;
}

static int refuses(const char *buf, size_t len)
{
    vocab *v = (vocab *)1;
    silence_stderr();
    int rc = vocab_deserialize(buf, len, &v);
    restore_stderr();
    if (rc == 0) vocab_free(v);
    return rc == -1 && v == NULL;
}

static void test_deserialize_rejects_truncation(void)
{
    vocab_counter *c = sample_counter();
    vocab *v = vocab_build(c, 1, 0);
    size_t len;
    char *buf = vocab_serialize(v, &len);
    int all_refused = 1;
    for (size_t k = 0; k < len; k++) {
        /* a fresh copy of exactly k bytes, so ASan catches any read past the end */
        char *cut = malloc(k ? k : 1);
        memcpy(cut, buf, k);
        all_refused &= refuses(cut, k);
        free(cut);
    }
    CHECK(all_refused);
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 'x';
    CHECK(refuses(longer, len + 1));           /* trailing bytes */
    longer[len] = '\0';
    CHECK(refuses(longer, len + 1));
    free(longer);
    free(buf);
    vocab_free(v);
    vocab_counter_free(c);
}

static void test_deserialize_rejects_malformed(void)
{
    char buf[256];
    const char *ok[] = {"<pad>", "<unk>", "<s>", "</s>", "a", "b"};
    size_t len = make_buffer(buf, 6, ok, 6);
    vocab *v = NULL;
    CHECK(vocab_deserialize(buf, len, &v) == 0 && vocab_size(v) == 6);
    vocab_free(v);

    CHECK(refuses(buf, make_buffer(buf, 5, ok, 6)));           /* count too small for bytes */
    CHECK(refuses(buf, make_buffer(buf, 7, ok, 6)));           /* count too large */
    CHECK(refuses(buf, make_buffer(buf, 0xFFFFFFFFu, ok, 6)));
    CHECK(refuses(buf, make_buffer(buf, 0x80000000u, ok, 6)));
    CHECK(refuses(buf, make_buffer(buf, 3, ok, 3)));           /* fewer than the specials */
    CHECK(refuses(buf, make_buffer(buf, 0, ok, 0)));
    const char *dup[] = {"<pad>", "<unk>", "<s>", "</s>", "a", "a"};
    CHECK(refuses(buf, make_buffer(buf, 6, dup, 6)));
    const char *dup_special[] = {"<pad>", "<unk>", "<s>", "</s>", "<unk>"};
    CHECK(refuses(buf, make_buffer(buf, 5, dup_special, 5)));
    const char *wrong_order[] = {"<unk>", "<pad>", "<s>", "</s>"};
    CHECK(refuses(buf, make_buffer(buf, 4, wrong_order, 4)));
    const char *empty[] = {"<pad>", "<unk>", "<s>", "</s>", "", "ab"};
    CHECK(refuses(buf, make_buffer(buf, 6, empty, 6)));
    const char *spaced[] = {"<pad>", "<unk>", "<s>", "</s>", "a b"};
    CHECK(refuses(buf, make_buffer(buf, 5, spaced, 5)));
    const char *control[] = {"<pad>", "<unk>", "<s>", "</s>", "a\n"};
    CHECK(refuses(buf, make_buffer(buf, 5, control, 5)));
    const char *bad_utf8[] = {"<pad>", "<unk>", "<s>", "</s>", "\xE4\xB8"};
    CHECK(refuses(buf, make_buffer(buf, 5, bad_utf8, 5)));
    CHECK(refuses(NULL, 0) && refuses(buf, 3));
}

static void test_deserialize_survives_corruption(void)
{
    /* flip every byte of a valid buffer to a few values: never a crash, and whatever is
     * accepted is a consistent vocabulary */
    vocab_counter *c = sample_counter();
    vocab *v = vocab_build(c, 1, 0);
    size_t len;
    char *buf = vocab_serialize(v, &len);
    char *copy = malloc(len);
    static const unsigned char values[] = {0x00, 0x01, 0x20, 0x41, 0x7F, 0x80, 0xFF};
    int consistent = 1;
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof values; k++) {
            memcpy(copy, buf, len);
            copy[i] = (char)values[k];
            vocab *w = NULL;
            silence_stderr();
            int rc = vocab_deserialize(copy, len, &w);
            restore_stderr();
            if (rc == 0) {
                for (int id = 0; id < vocab_size(w); id++)
                    consistent &= vocab_lookup(w, vocab_token(w, id)) == id;
                vocab_free(w);
            }
        }
    }
    CHECK(consistent);
    free(copy);
    free(buf);
    vocab_free(v);
    vocab_counter_free(c);
}

int main(void)
{
    RUN_TEST(test_specials);
    RUN_TEST(test_counter);
    RUN_TEST(test_build_order);
    RUN_TEST(test_min_count_and_cap);
    RUN_TEST(test_many_tokens);
    RUN_TEST(test_build_is_deterministic);
    RUN_TEST(test_merge_equals_one_count);
    RUN_TEST(test_serialize_round_trip);
    RUN_TEST(test_deserialize_rejects_truncation);
    RUN_TEST(test_deserialize_rejects_malformed);
    RUN_TEST(test_deserialize_survives_corruption);
    return TEST_SUMMARY("vocab");
}
