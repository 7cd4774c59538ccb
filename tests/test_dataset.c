/* The epoch plan: every pair once per epoch, batches within their limits of pairs and of
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

int main(void)
{
    RUN_TEST(test_pairs_limit);
    RUN_TEST(test_token_budget);
    RUN_TEST(test_same_generator_same_plan);
    return TEST_SUMMARY("dataset");
}
