/* step: the parallel training step against the same step done plainly: one dense gradient
 * per worker's share of the batch, summed over the whole parameter range, then Adam. The
 * step leaves out the embedding pages its batch cannot have written; a page it missed would
 * show as a weight that differs. A skipped step must leave nothing behind; clipping scales
 * the gradient. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sys/parallel.h"
#include "train/step.h"

enum { V = 700, E = 8, H = 8, PAIRS = 6 };
static rng_t R;

static vocab *numbered_vocab(void)
{
    vocab_counter *c = vocab_counter_new();
    char tok[16];
    for (int i = 0; i < V - VOCAB_NUM_SPECIALS; i++) {
        snprintf(tok, sizeof tok, "t%d", i);
        vocab_counter_add(c, tok);
    }
    vocab *v = vocab_build(c, 1, 0);
    vocab_counter_free(c);
    return v;
}

static model *tiny_model(void)
{
    vocab *sv = numbered_vocab(), *tv = numbered_vocab();
    model_config cfg = {vocab_size(sv), vocab_size(tv), E, H, 1, 1, 0, 1, 0};
    CHECK(model_config_check(&cfg) == 0);
    model *m = model_new(&cfg, sv, tv);
    model_init_weights(m, &R);
    return m;
}

/* Pairs of a few tokens each, spread over the tables (some pages untouched). */
static void make_data(dataset *d)
{
    dataset_init(d);
    for (int p = 0; p < PAIRS; p++) {
        int src[5], tgt[4];
        for (int k = 0; k < 5; k++) src[k] = VOCAB_NUM_SPECIALS + (int)rng_below(&R, V / 3);
        for (int k = 0; k < 4; k++) tgt[k] = V - 1 - (int)rng_below(&R, 50);
        dataset_add(d, src, 3 + p % 3, tgt, 2 + p % 3);
    }
}

static long tokens(const dataset *d, const long *order, long n)
{
    long t = 0;
    for (long i = 0; i < n; i++) t += d->tgt_len[order[i]] + 1;
    return t;
}

/* The step done plainly: pairs order[0..n) in `passes` runs, the workers' shares of each
 * run added into their gradients; the gradient times scale. */
static void plain_step(model *m, adam *opt, const dataset *d, const long *order, long n, int workers,
                       int passes, float scale)
{
    float **parts = xcalloc(workers, sizeof *parts);
    rng_t unused;
    rng_seed(&unused, 1);
    for (int w = 0; w < workers; w++) {
        parts[w] = xcalloc(m->n_params, sizeof(float));
        model_weights g;
        model_layout(&m->cfg, parts[w], &g);
        for (int k = 0; k < passes; k++) {
            long rb, re, pb, pe;
            parallel_share(n, passes, k, &rb, &re);
            parallel_share(re - rb, workers, w, &pb, &pe);
            if (pe <= pb) continue;
            arena ar = {0};
            batch bt;
            batch_fill(&bt, d, order + rb + pb, (int)(pe - pb), &ar);
            loss_options lo = {0, 0.1f, &unused, tokens(d, order, n)};
            seq2seq_loss(m, &bt, &lo, &g, &ar);
            arena_free(&ar);
        }
    }
    adam_begin_step(opt);
    adam_update_range(opt, m->params, (gradient_parts){parts, workers}, scale, 0, 0, m->n_params);
    for (int w = 0; w < workers; w++) free(parts[w]);
    free(parts);
}

static void test_step_as_plain(int workers, int passes)
{
    model *a = tiny_model(), *b = model_new(&a->cfg, NULL, NULL);
    memcpy(b->params, a->params, a->n_params * sizeof(float));
    CHECK(model_embedding_floats(&a->cfg) > 4 * 1024); /* several pages of rows */
    dataset d;
    make_data(&d);
    long order[PAIRS] = {0, 1, 2, 3, 4, 5};
    adam oa, ob;
    adam_init(&oa, a->n_params, 0.01f);
    adam_init(&ob, b->n_params, 0.01f);
    train_step *s = train_step_new(a, workers, PAIRS);
    CHECK(train_step_workers(s) == workers);
    rng_t drop;
    rng_seed(&drop, 2);
    for (int round = 0; round < 3; round++) {
        long n = round == 1 ? 2 : PAIRS;
        step_batch sb = {&d, order + (round == 1 ? 3 : 0), n, 0, 0.1f, passes};
        step_result r = train_step_compute(s, &sb, &drop);
        CHECK(isfinite(r.loss.loss) && r.grad_norm > 0 && isfinite(r.grad_norm));
        if (round == 1) {
            train_step_skip(s); /* nothing of it may be left in the next step's gradient */
            continue;
        }
        /* the last round clipped to half the norm */
        float clip = round == 2 ? (float)(r.grad_norm / 2) : 0;
        train_step_apply(s, &oa, r.grad_norm, clip);
        plain_step(b, &ob, &d, sb.order, n, workers, passes, clip > 0 ? (float)(clip / r.grad_norm) : 1);
        CHECK(memcmp(a->params, b->params, a->n_params * sizeof(float)) == 0);
        CHECK(memcmp(oa.m, ob.m, a->n_params * sizeof(float)) == 0);
        if (round == 2) train_step_release(s);
    }
    train_step_free(s);
    adam_free(&oa);
    adam_free(&ob);
    dataset_free(&d);
    model_free(a);
    model_free(b);
}

static void test_one_worker(void) { test_step_as_plain(1, 1); }
static void test_two_workers(void) { test_step_as_plain(2, 1); }
static void test_three_workers(void) { test_step_as_plain(3, 1); }
/* --accumulate: a worker's share in runs, more of them than some shares have pairs */
static void test_passes(void)
{
    test_step_as_plain(1, 3);
    test_step_as_plain(2, 2);
    test_step_as_plain(3, 2);
}

int main(void)
{
    rng_seed(&R, 7);
    RUN_TEST(test_one_worker);
    RUN_TEST(test_two_workers);
    RUN_TEST(test_three_workers);
    RUN_TEST(test_passes);
    return TEST_SUMMARY("step");
}
