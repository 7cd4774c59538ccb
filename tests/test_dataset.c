/* The pairs' ids: 16-bit while they fit, int once one does not, the same ids either way.
 * The epoch plan: every pair once per epoch, batches within their limits of pairs and of
 * padded tokens, pairs of similar length together, the same plan from the same generator. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"

/* n pairs with sources of random lengths 1..max and targets about as long (every 97th source
 * far longer), ids irrelevant here. */
static void make_dataset(dataset *d, long n, int max, rng_t *r)
{
    dataset_init(d);
    int ids[600] = {0};
    for (long i = 0; i < n; i++) {
        int s = 1 + (int)rng_below(r, (uint64_t)max), t = s + (int)rng_below(r, 3);
        if (i % 97 == 0) s = 500; /* a long paragraph now and then */
        dataset_add(d, ids, s, ids, t);
    }
}

static long cost(const dataset *d, long pair)
{
    long s = d->src_len[pair], t = d->tgt_len[pair] + 1L;
    return s > t ? s : t;
}

static void check_plan(const dataset *d, const epoch_plan *p, int batch, long max_tokens)
{
    char *seen = calloc((size_t)d->n, 1);
    long total = 0, padded = 0, real = 0;
    CHECK(p->start[0] == 0 && p->start[p->n_batches] == d->n);
    for (long k = 0; k < p->n_batches; k++) {
        long from = p->start[k], to = p->start[k + 1], widest = 0;
        CHECK(to > from && to - from <= batch);
        for (long i = from; i < to; i++) {
            long pair = p->order[i];
            CHECK(pair >= 0 && pair < d->n && !seen[pair]);
            if (pair >= 0 && pair < d->n) seen[pair] = 1;
            widest = cost(d, pair) > widest ? cost(d, pair) : widest;
            real += cost(d, pair);
        }
        if (max_tokens > 0 && to - from > 1) CHECK((to - from) * widest <= max_tokens);
        padded += (to - from) * widest;
        total += to - from;
    }
    CHECK(total == d->n);
    /* similar lengths go together: padding is a small part of what a step computes */
    CHECK(padded < 2 * real);
    free(seen);
}

static void test_pairs_limit(void)
{
    rng_t r;
    rng_seed(&r, 3);
    dataset d;
    make_dataset(&d, 5000, 60, &r);
    epoch_plan p = {0};
    epoch_plan_make(&d, 64, 0, &r, &p);
    check_plan(&d, &p, 64, 0);
    CHECK(p.n_batches == (5000 + 63) / 64);
    epoch_plan_free(&p);
    dataset_free(&d);
}

static void test_token_budget(void)
{
    rng_t r;
    rng_seed(&r, 4);
    dataset d;
    make_dataset(&d, 5000, 60, &r);
    epoch_plan p = {0};
    epoch_plan_make(&d, 1000, 800, &r, &p);
    check_plan(&d, &p, 1000, 800);
    /* short sentences fill a step with many pairs; the 500-token ones stand alone */
    long most = 0, alone = 0;
    for (long k = 0; k < p.n_batches; k++) {
        long n = p.start[k + 1] - p.start[k];
        most = n > most ? n : most;
        alone += n == 1 && cost(&d, p.order[p.start[k]]) == 500;
    }
    CHECK(most > 64);
    CHECK(alone == (5000 + 96) / 97);
    epoch_plan_free(&p);
    dataset_free(&d);
}

static void test_same_generator_same_plan(void)
{
    rng_t r;
    rng_seed(&r, 5);
    dataset d;
    make_dataset(&d, 3000, 40, &r);
    for (long budget = 0; budget <= 1500; budget += 1500) {
        epoch_plan a = {0}, b = {0};
        rng_t ra, rb;
        rng_seed(&ra, 9);
        rng_seed(&rb, 9);
        epoch_plan_make(&d, 32, budget, &ra, &a);
        epoch_plan_make(&d, 32, budget, &rb, &b);
        CHECK(a.n_batches == b.n_batches);
        CHECK(!memcmp(a.order, b.order, d.n * sizeof(long)));
        CHECK(!memcmp(a.start, b.start, (a.n_batches + 1) * sizeof(long)));
        CHECK(!memcmp(&ra, &rb, sizeof ra)); /* and the generator is left the same */
        epoch_plan_free(&a);
        epoch_plan_free(&b);
    }
    dataset_free(&d);
}

/* Pair p: source ids p*7 .. (+ p % 5 + 1), target ids the same plus `top` (from p == 3 on). */
static void add_pair(dataset *d, long p, int top)
{
    int src[8], tgt[8], sl = (int)(p % 5) + 1, tl = (int)(p % 3) + 1;
    for (int i = 0; i < sl; i++) src[i] = (int)(p * 7 + i);
    for (int i = 0; i < tl; i++) tgt[i] = (int)(p * 7 + i) + (p >= 3 ? top : 0);
    dataset_add(d, src, sl, tgt, tl);
}

static int holds_pairs(const dataset *d, long n, int top)
{
    int ok = d->n == n;
    for (long p = 0; ok && p < n; p++) {
        long s = d->src_off[p];
        ok = d->src_len[p] == (int)(p % 5) + 1 && d->tgt_len[p] == (int)(p % 3) + 1;
        for (int i = 0; ok && i < d->src_len[p]; i++) ok = dataset_id(d, s + i) == (int)(p * 7 + i);
        for (int i = 0; ok && i < d->tgt_len[p]; i++)
            ok = dataset_id(d, s + d->src_len[p] + i) == (int)(p * 7 + i) + (p >= 3 ? top : 0);
    }
    return ok;
}

static void test_id_widths(void)
{
    dataset narrow, wide, joined;
    dataset_init(&narrow);
    dataset_init(&wide);
    for (long p = 0; p < 2000; p++) add_pair(&narrow, p, 65535 - 14000); /* ids up to 65,530 */
    for (long p = 0; p < 2000; p++) add_pair(&wide, p, 70000);
    CHECK(!narrow.wide && wide.wide); /* wide from pair 3 on, the first 3 converted */
    CHECK(holds_pairs(&narrow, 2000, 65535 - 14000) && holds_pairs(&wide, 2000, 70000));
    /* 16-bit pairs appended after int ones, and int ones after 16-bit ones */
    for (int order = 0; order < 2; order++) {
        dataset_init(&joined);
        for (long p = 0; p < 3; p++) add_pair(&joined, p, 0);
        dataset_append(&joined, order ? &wide : &narrow);
        CHECK(joined.n == 2003 && joined.wide == order);
        dataset_trim(&joined);
        long s = joined.src_off[3];
        CHECK(dataset_id(&joined, s) == 0 && joined.src_len[3] == 1);
        CHECK(dataset_id(&joined, joined.src_off[2002] + joined.src_len[2002]) == 1999 * 7 + (order ? 70000 : 51535));
        dataset_free(&joined);
    }
    /* the digest follows the ids */
    dataset again;
    dataset_init(&again);
    for (long p = 0; p < 2000; p++) add_pair(&again, p, 65535 - 14000);
    CHECK(dataset_digest(&again, 0) == dataset_digest(&narrow, 0));
    CHECK(dataset_digest(&again, 0) != dataset_digest(&wide, 0));
    dataset_free(&again);
    dataset_free(&narrow);
    dataset_free(&wide);
}

int main(void)
{
    RUN_TEST(test_id_widths);
    RUN_TEST(test_pairs_limit);
    RUN_TEST(test_token_budget);
    RUN_TEST(test_same_generator_same_plan);
    return TEST_SUMMARY("dataset");
}
