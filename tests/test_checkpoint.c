/* checkpoint: the training state written with a model and read back for --resume, without
 * the CLI. Every field and float must come back as written; state that is short, long, of
 * another version or holds values no run writes must be refused with an error, leaving the
 * run as it was. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "store/model_file.h"
#include "text/vocab.h"
#include "train/checkpoint.h"

static char dir[] = "/tmp/seqtrans-test-checkpoint-XXXXXX";
static char path[256];
static rng_t R;

static vocab *make_vocab(const char *const *toks, int n)
{
    vocab_counter *c = vocab_counter_new();
    for (int i = 0; i < n; i++) vocab_counter_add(c, toks[i]);
    vocab *v = vocab_build(c, 1, 0);
    vocab_counter_free(c);
    return v;
}

static model *tiny_model(void)
{
    static const char *const en[] = {"a", "cat", "sat"};
    static const char *const zh[] = {"猫", "坐"};
    vocab *sv = make_vocab(en, 3), *tv = make_vocab(zh, 2);
    model_config cfg = {vocab_size(sv), vocab_size(tv), 4, 6, 1, 1, 0, 1, 0};
    CHECK(model_config_check(&cfg) == 0);
    model *m = model_new(&cfg, sv, tv);
    model_init_weights(m, &R);
    return m;
}

static void fill(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = rng_uniform(&R) - 0.5f;
}

static run_state some_state(void)
{
    run_state rs = {7, 5, 2, 1234, 17, 987654321L, {{1, 2, 3, 4}}, {{5, 6, 7, 8}},
                    {{UINT64_MAX, 10, 11, 12}}, 42.5, 12.25, 3.125};
    return rs;
}

static const run_settings settings = {64, 3, 0.25f, 2};

static int same_state(const run_state *a, const run_state *b)
{
    return a->epoch == b->epoch && a->best_epoch == b->best_epoch && a->bad_epochs == b->bad_epochs &&
           a->step == b->step && a->batch_in_epoch == b->batch_in_epoch && a->tgt_tokens == b->tgt_tokens &&
           !memcmp(&a->data_rng, &b->data_rng, sizeof a->data_rng) &&
           !memcmp(&a->epoch_rng, &b->epoch_rng, sizeof a->epoch_rng) &&
           !memcmp(&a->drop_rng, &b->drop_rng, sizeof a->drop_rng) && a->elapsed == b->elapsed &&
           a->best_bleu == b->best_bleu && a->best_dev_loss == b->best_dev_loss;
}

/* A model with Adam state mid-run, saved; the model file and its state section read back. */
typedef struct {
    model *m;
    adam opt;
    run_state rs;
    model *read;
    void *state;
    size_t len;
} saved_run;

static void save_and_read(saved_run *s, const float *best)
{
    s->m = tiny_model();
    adam_init(&s->opt, s->m->n_params, 0.0123f);
    fill(s->opt.m, s->m->n_params);
    fill(s->opt.v, s->m->n_params);
    s->opt.step = 1234;
    s->rs = some_state();
    checkpoint *ck = checkpoint_new(path);
    if (best) checkpoint_keep_best(ck, best, s->m->n_params);
    CHECK(checkpoint_has_best(ck) == (best != NULL));
    CHECK(checkpoint_save(ck, s->m, &s->opt, &s->rs, &settings) == 0);
    checkpoint_free(ck);
    s->read = NULL;
    s->state = NULL;
    CHECK(model_file_read(path, &s->read, &s->state, &s->len) == 0);
}

static void saved_free(saved_run *s)
{
    model_free(s->m);
    model_free(s->read);
    adam_free(&s->opt);
    free(s->state);
}

static void test_round_trip(void)
{
    saved_run s;
    save_and_read(&s, NULL);
    if (!s.read) return;
    size_t n = s.m->n_params, bytes = n * sizeof(float);
    CHECK(s.len == CHECKPOINT_HEADER_BYTES + 3 * bytes);
    CHECK(s.read->n_params == n && memcmp(s.read->params, s.m->params, bytes) == 0);
    adam opt;
    adam_init(&opt, n, 0.5f);
    run_state rs = {0};
    checkpoint *ck = checkpoint_new(path);
    fill(s.read->params, n); /* restoring must bring back the weights of the state */
    CHECK(checkpoint_restore(ck, s.state, s.len, path, s.read, &opt, &rs, &settings, 0) == 0);
    CHECK(same_state(&rs, &s.rs));
    CHECK(opt.lr == s.opt.lr && opt.step == s.rs.step);
    CHECK(memcmp(s.read->params, s.m->params, bytes) == 0);
    CHECK(memcmp(opt.m, s.opt.m, bytes) == 0 && memcmp(opt.v, s.opt.v, bytes) == 0);
    CHECK(!checkpoint_has_best(ck));
    checkpoint_free(ck);
    adam_free(&opt);
    saved_free(&s);
}

/* The layout checkpoint.h describes, little-endian at fixed offsets. */
static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t x = 0;
    for (int i = 0; i < bytes; i++) x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static void test_header_layout(void)
{
    run_state rs = some_state();
    adam opt = {0.0123f, 0.9f, 0.999f, 1e-8f, 0, 0, NULL, NULL};
    unsigned char h[CHECKPOINT_HEADER_BYTES];
    checkpoint_encode_header(h, &rs, &opt, &settings);
    CHECK(le(h, 4) == CHECKPOINT_STATE_VERSION && le(h + 4, 4) == 7 && le(h + 8, 4) == 5 && le(h + 12, 4) == 2);
    CHECK(le(h + 16, 8) == 1234 && le(h + 24, 8) == 17 && le(h + 32, 8) == 987654321);
    CHECK(le(h + 40, 8) == 1 && le(h + 64, 8) == 4 && le(h + 72, 8) == 5 && le(h + 104, 8) == UINT64_MAX);
    double d;
    float f;
    uint64_t u = le(h + 136, 8);
    memcpy(&d, &u, 8);
    CHECK(d == 42.5);
    u = le(h + 152, 8);
    memcpy(&d, &u, 8);
    CHECK(d == 3.125);
    uint32_t w = (uint32_t)le(h + 160, 4);
    memcpy(&f, &w, 4);
    CHECK(f == 0.0123f);
    CHECK(le(h + 164, 4) == 64 && le(h + 168, 4) == 3);
    w = (uint32_t)le(h + 172, 4);
    memcpy(&f, &w, 4);
    CHECK(f == 0.25f);
    CHECK(le(h + 176, 4) == 2); /* batches per step */
}

static int refused(saved_run *s, const void *buf, size_t len);

/* Version 1, from before --accumulate: the same header less its last field, the floats at
 * 176. It restores as written; one of version 1's length with version 2's is refused. */
static void test_version_1_read(void)
{
    saved_run s;
    save_and_read(&s, NULL);
    if (!s.read) return;
    size_t n = s.m->n_params, bytes = n * sizeof(float), len = s.len - 4;
    unsigned char *v1 = xmalloc(len);
    memcpy(v1, s.state, CHECKPOINT_HEADER_BYTES - 4);
    memcpy(v1 + CHECKPOINT_HEADER_BYTES - 4, (char *)s.state + CHECKPOINT_HEADER_BYTES, 3 * bytes);
    v1[0] = 1;
    adam opt;
    adam_init(&opt, n, 0.5f);
    run_state rs = {0};
    checkpoint *ck = checkpoint_new(path);
    fill(s.read->params, n);
    CHECK(checkpoint_restore(ck, v1, len, path, s.read, &opt, &rs, &settings, 0) == 0);
    CHECK(same_state(&rs, &s.rs) && opt.lr == s.opt.lr);
    CHECK(memcmp(s.read->params, s.m->params, bytes) == 0);
    CHECK(memcmp(opt.m, s.opt.m, bytes) == 0 && memcmp(opt.v, s.opt.v, bytes) == 0);
    checkpoint_free(ck);
    adam_free(&opt);
    v1[0] = 2;
    CHECK(refused(&s, v1, len));
    free(v1);
    saved_free(&s);
}

/* With best weights kept, they are the model; the state keeps the current ones. A restore
 * that keeps the best keeps the model as read. */
static void test_best_weights(void)
{
    saved_run s;
    model *other = tiny_model();
    save_and_read(&s, other->params);
    if (!s.read) return;
    size_t n = s.m->n_params, bytes = n * sizeof(float);
    CHECK(memcmp(s.read->params, other->params, bytes) == 0);
    CHECK(memcmp((char *)s.state + CHECKPOINT_HEADER_BYTES, s.m->params, bytes) == 0);
    adam opt;
    adam_init(&opt, n, 0.5f);
    run_state rs = {0};
    checkpoint *ck = checkpoint_new(path);
    CHECK(checkpoint_restore(ck, s.state, s.len, path, s.read, &opt, &rs, &settings, 1) == 0);
    CHECK(checkpoint_has_best(ck));
    CHECK(checkpoint_save(ck, s.read, &opt, &rs, &settings) == 0);
    model *again = NULL;
    CHECK(model_file_read(path, &again, NULL, NULL) == 0);
    CHECK(again && memcmp(again->params, other->params, bytes) == 0);
    model_free(again);
    checkpoint_free(ck);
    adam_free(&opt);
    model_free(other);
    saved_free(&s);
}

/* Refused, with everything left as it was. */
static int refused(saved_run *s, const void *buf, size_t len)
{
    size_t n = s->read->n_params, bytes = n * sizeof(float);
    adam opt;
    adam_init(&opt, n, 0.5f);
    run_state rs = {0}, zero = {0};
    float *before = xmalloc(bytes);
    memcpy(before, s->read->params, bytes);
    checkpoint *ck = checkpoint_new(path);
    int ok = checkpoint_restore(ck, buf, len, path, s->read, &opt, &rs, &settings, 1) == -1 &&
             !checkpoint_has_best(ck) && same_state(&rs, &zero) && opt.lr == 0.5f && opt.step == 0 &&
             memcmp(before, s->read->params, bytes) == 0;
    checkpoint_free(ck);
    adam_free(&opt);
    free(before);
    return ok;
}

/* The state with the bytes at off replaced by p[0..len). */
static int refused_with(saved_run *s, size_t off, const void *p, size_t len)
{
    unsigned char *b = xmalloc(s->len);
    memcpy(b, s->state, s->len);
    memcpy(b + off, p, len);
    int r = refused(s, b, s->len);
    free(b);
    return r;
}

static void test_bad_state_refused(void)
{
    saved_run s;
    save_and_read(&s, NULL);
    if (!s.read) return;
    size_t n = s.m->n_params, H = CHECKPOINT_HEADER_BYTES;
    CHECK(refused(&s, NULL, 0));
    for (size_t len = 0; len < s.len; len += len < H + 8 ? 1 : 97) CHECK(refused(&s, s.state, len));
    unsigned char *longer = xcalloc(s.len + 4, 1);
    memcpy(longer, s.state, s.len);
    CHECK(refused(&s, longer, s.len + 4));
    free(longer);
    uint32_t v3 = 3, big = 0x80000000u, zero32 = 0;
    int64_t minus = -1;
    uint64_t zeros[4] = {0};
    float nan = NAN, inf = INFINITY, lr0 = 0, drop = 1.5f;
    double dnan = NAN, bleu = 100.5;
    CHECK(refused_with(&s, 0, &v3, 4));                 /* a newer version */
    CHECK(refused_with(&s, 4, &big, 4));                /* epochs */
    CHECK(refused_with(&s, 8, &big, 4));                /* best epoch after the epochs done */
    CHECK(refused_with(&s, 12, &big, 4));               /* bad epochs */
    CHECK(refused_with(&s, 16, &minus, 8));             /* step */
    CHECK(refused_with(&s, 24, &minus, 8));             /* batch in epoch */
    CHECK(refused_with(&s, 32, &minus, 8));             /* tokens */
    CHECK(refused_with(&s, 40, zeros, 32));             /* a generator that is stuck */
    CHECK(refused_with(&s, 72, zeros, 32));
    CHECK(refused_with(&s, 104, zeros, 32));
    CHECK(refused_with(&s, 136, &dnan, 8));             /* elapsed */
    CHECK(refused_with(&s, 144, &bleu, 8));             /* BLEU */
    CHECK(refused_with(&s, 152, &dnan, 8));             /* dev loss */
    CHECK(refused_with(&s, 160, &lr0, 4) && refused_with(&s, 160, &nan, 4) && refused_with(&s, 160, &inf, 4));
    CHECK(refused_with(&s, 164, &zero32, 4));           /* batch size */
    CHECK(refused_with(&s, 172, &drop, 4));             /* dropout */
    CHECK(refused_with(&s, 176, &zero32, 4) && refused_with(&s, 176, &big, 4)); /* batches per step */
    size_t floats[] = {0, n - 1, n, 2 * n - 1, 2 * n, 3 * n - 1};
    for (int k = 0; k < 6; k++) CHECK(refused_with(&s, H + floats[k] * 4, k % 2 ? &inf : &nan, 4));
    /* any byte of the header changed: refused or restored, never a crash or a read out of range */
    unsigned char *b = xmalloc(s.len);
    for (size_t i = 0; i < H; i++) {
        memcpy(b, s.state, s.len);
        b[i] ^= 0xff;
        adam opt;
        adam_init(&opt, n, 0.5f);
        run_state rs;
        checkpoint *ck = checkpoint_new(path);
        int rc = checkpoint_restore(ck, b, s.len, path, s.read, &opt, &rs, &settings, 0);
        CHECK(rc == 0 || rc == -1);
        checkpoint_free(ck);
        adam_free(&opt);
    }
    free(b);
    saved_free(&s);
}

int main(void)
{
    rng_seed(&R, 11);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/c.model", dir);
    RUN_TEST(test_round_trip);
    RUN_TEST(test_header_layout);
    RUN_TEST(test_best_weights);
    RUN_TEST(test_version_1_read);
    RUN_TEST(test_bad_state_refused);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    return TEST_SUMMARY("checkpoint");
}
