/* Adam and the gradient's sum of squares over a gradient in parts (one per worker). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/optim.h"
#include "sys/util.h"

static rng_t R;
enum { N = 3000 }; /* a few blocks and a partial one */

static float *random_floats(size_t n)
{
    float *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = 2 * rng_uniform(&R) - 1;
    return v;
}

static void test_sum_squares_of_parts(void)
{
    float *a = random_floats(N), *b = random_floats(N);
    float *parts[2] = {a, b};
    double want = 0;
    for (int i = 0; i < N; i++) want += (double)(a[i] + b[i]) * (a[i] + b[i]);
    CHECK_NEAR(gradient_sum_squares((gradient_parts){parts, 2}, 0, N), want, 1e-4 * want);
    double split = gradient_sum_squares((gradient_parts){parts, 2}, 0, 1234) +
                   gradient_sum_squares((gradient_parts){parts, 2}, 1234, N);
    CHECK_NEAR(split, want, 1e-4 * want);
    CHECK(gradient_sum_squares((gradient_parts){parts, 1}, 5, 5) == 0);
    free(a);
    free(b);
}

/* The parts add up in one fixed tree, ((p0 + p1) + (p2 + p3)) + p4, bit for bit, an absent
 * (NULL) part adding nothing: the order distributed training continues across ranks. */
static void test_sum_tree_order(void)
{
    float *p[5], out[N];
    for (int k = 0; k < 5; k++) p[k] = random_floats(N);
    gradient_parts_sum((gradient_parts){p, 5}, 0, N, out);
    int same = 1;
    for (int i = 0; i < N; i++) same &= out[i] == ((p[0][i] + p[1][i]) + (p[2][i] + p[3][i])) + p[4][i];
    CHECK(same);
    float *absent[4] = {p[0], NULL, p[2], p[3]};
    gradient_parts_sum((gradient_parts){absent, 4}, 7, N - 7, out);
    same = 1;
    for (int i = 7; i < N; i++) same &= out[i - 7] == p[0][i] + (p[2][i] + p[3][i]);
    CHECK(same);
    float *none[2] = {NULL, NULL};
    out[0] = 1;
    gradient_parts_sum((gradient_parts){none, 2}, 0, 10, out);
    CHECK(out[0] == 0 && !signbit(out[0]));
    for (int k = 0; k < 5; k++) free(p[k]);
}

/* The textbook update on the summed, scaled gradient, element by element. */
static void reference_adam(const adam *a, float *p, float *m, float *v, const float *g0,
                           const float *g1, float scale)
{
    double c1 = 1 - pow(a->beta1, (double)a->step), c2 = 1 - pow(a->beta2, (double)a->step);
    for (int i = 0; i < N; i++) {
        double g = (double)(g0[i] + g1[i]) * scale;
        m[i] = (float)(a->beta1 * m[i] + (1 - a->beta1) * g);
        v[i] = (float)(a->beta2 * v[i] + (1 - a->beta2) * g * g);
        p[i] -= (float)(a->lr * (m[i] / c1) / (sqrt(v[i] / c2) + a->eps));
    }
}

static void test_adam_on_parts(void)
{
    adam a;
    adam_init(&a, N, 0.01f);
    float *p = random_floats(N), *ref_p = xmalloc(N * sizeof *ref_p);
    float *ref_m = xcalloc(N, sizeof *ref_m), *ref_v = xcalloc(N, sizeof *ref_v);
    memcpy(ref_p, p, N * sizeof *p);
    for (int step = 0; step < 3; step++) {
        float *g0 = random_floats(N), *g1 = random_floats(N);
        float *parts[2] = {g0, g1};
        float scale = step == 1 ? 0.5f : 1.0f;
        adam_begin_step(&a);
        reference_adam(&a, ref_p, ref_m, ref_v, g0, g1, scale);
        /* two ranges, one that keeps its gradient */
        adam_update_range(&a, p, (gradient_parts){parts, 2}, scale, 0, 0, 1500);
        adam_update_range(&a, p, (gradient_parts){parts, 2}, scale, 1, 1500, N);
        double err = 0;
        for (int i = 0; i < N; i++) err = fmax(err, fabs(p[i] - ref_p[i]));
        CHECK(err < 1e-5);
        int kept = 1, cleared = 1;
        for (int i = 0; i < 1500; i++) kept &= g0[i] != 0 || g1[i] != 0;
        for (int i = 1500; i < N; i++) cleared &= g0[i] == 0 && g1[i] == 0;
        CHECK(kept && cleared);
        free(g0);
        free(g1);
    }
    free(p); free(ref_p); free(ref_m); free(ref_v);
    adam_free(&a);
}

/* How the parameters are cut into ranges does not change a bit of the result. */
static void test_adam_ranges_exact(void)
{
    adam a, b;
    adam_init(&a, N, 0.001f);
    adam_init(&b, N, 0.001f);
    float *p = random_floats(N), *q = xmalloc(N * sizeof *q);
    memcpy(q, p, N * sizeof *p);
    float *g = random_floats(N), *h = xmalloc(N * sizeof *h);
    memcpy(h, g, N * sizeof *g);
    float *gp[1] = {g}, *hp[1] = {h};
    adam_begin_step(&a);
    adam_begin_step(&b);
    adam_update_range(&a, p, (gradient_parts){gp, 1}, 1, 1, 0, N);
    for (int i = 0; i < N; i += 700)
        adam_update_range(&b, q, (gradient_parts){hp, 1}, 1, 1, i, i + 700 < N ? i + 700 : N);
    CHECK(memcmp(p, q, N * sizeof *p) == 0);
    CHECK(memcmp(a.m, b.m, N * sizeof *p) == 0 && memcmp(a.v, b.v, N * sizeof *p) == 0);
    free(p); free(q); free(g); free(h);
    adam_free(&a);
    adam_free(&b);
}

/* A gradient summed by its owner: the passes read it only through sum(), block by block, in
 * the same blocks as the parts; here one that leaves out the pages a part marks unwritten
 * (as the training step does), so NaN there changes nothing, and is not cleared. */
enum { PAGE = 256, PAGED = 4 * PAGE };
typedef struct {
    float *parts[2];
    const unsigned char *written[2];
} paged_parts;

static const float *sum_written(void *ctx, size_t i, size_t n, float *out)
{
    const paged_parts *pp = ctx;
    for (size_t s = i, e; s < i + n; s = e) {
        e = s < PAGED ? (s / PAGE + 1) * PAGE : i + n;
        if (e > i + n) e = i + n;
        float *use[2];
        int k = 0;
        for (int p = 0; p < 2; p++)
            if (s >= PAGED || pp->written[p][s / PAGE]) use[k++] = pp->parts[p];
        gradient_parts_sum((gradient_parts){use, k}, s, e - s, out + (s - i));
    }
    return out;
}

static void test_summed_by_owner(void)
{
    float *a = random_floats(N), *b = random_floats(N), *za = xmalloc(N * sizeof *za), *zb = xmalloc(N * sizeof *zb);
    unsigned char wa[4] = {1, 0, 1, 0}, wb[4] = {0, 0, 1, 1};
    for (int i = 0; i < N; i++) {
        int q = i / PAGE;
        za[i] = i < PAGED && !wa[q] ? 0 : a[i];  /* what the parts hold, as zeros */
        zb[i] = i < PAGED && !wb[q] ? 0 : b[i];
        if (i < PAGED && !wa[q]) a[i] = NAN;     /* what must not be read */
        if (i < PAGED && !wb[q]) b[i] = NAN;
    }
    paged_parts pp = {{a, b}, {wa, wb}};
    float *zparts[2] = {za, zb};
    gradient_sum g = {sum_written, &pp};
    gradient_parts z = {zparts, 2};
    /* ranges that start inside pages, as the workers' do: the same blocks, the same bits */
    CHECK(gradient_sum_squares_summed(g, 100, N) == gradient_sum_squares(z, 100, N));
    adam x, y;
    adam_init(&x, N, 0.01f);
    adam_init(&y, N, 0.01f);
    float *p = random_floats(N), *q = xmalloc(N * sizeof *q);
    memcpy(q, p, N * sizeof *p);
    adam_begin_step(&x);
    adam_begin_step(&y);
    adam_update_summed(&x, p, g, 0.5f, 0, 300);
    adam_update_summed(&x, p, g, 0.5f, 300, N);
    adam_update_range(&y, q, z, 0.5f, 0, 0, N);
    CHECK(memcmp(p, q, N * sizeof *p) == 0);
    int untouched = 1;
    for (int i = 0; i < N; i++) {
        int q = i / PAGE;
        if (i < PAGED && !wa[q]) untouched &= isnan(a[i]) != 0; else untouched &= a[i] == za[i];
        if (i < PAGED && !wb[q]) untouched &= isnan(b[i]) != 0; else untouched &= b[i] == zb[i];
    }
    CHECK(untouched);
    float zeros[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    gradient_parts_sum((gradient_parts){NULL, 0}, 0, 8, zeros);
    CHECK(zeros[0] == 0 && zeros[7] == 0);
    free(a); free(b); free(za); free(zb); free(p); free(q);
    adam_free(&x);
    adam_free(&y);
}

int main(void)
{
    rng_seed(&R, 5);
    RUN_TEST(test_sum_squares_of_parts);
    RUN_TEST(test_sum_tree_order);
    RUN_TEST(test_adam_on_parts);
    RUN_TEST(test_adam_ranges_exact);
    RUN_TEST(test_summed_by_owner);
    return TEST_SUMMARY("optim");
}
