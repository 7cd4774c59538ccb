/* The fast exp, sigmoid and tanh against libm in double, over the whole useful range. */
#include "nn/activations.h"
#include "check.h"

static void test_exp_relative_error(void)
{
    double worst = 0;
    for (float x = -87.0f; x <= 88.0f; x += 0.000731f) {
        double ref = exp((double)x), err = fabs(fast_expf(x) - ref) / ref;
        worst = err > worst ? err : worst;
    }
    CHECK(worst < 3e-7); /* about 2.5 float ulp */
}

static void test_sigmoid_tanh_absolute_error(void)
{
    double ws = 0, wt = 0;
    for (float x = -40.0f; x <= 40.0f; x += 0.0001713f) {
        double s = 1 / (1 + exp(-(double)x)), t = tanh((double)x);
        ws = fmax(ws, fabs(sigmoid(x) - s));
        wt = fmax(wt, fabs(fast_tanhf(x) - t));
    }
    CHECK(ws < 3e-7);
    CHECK(wt < 5e-7);
}

static void test_extremes_stay_finite(void)
{
    float xs[] = {-1e30f, -1000, -88.5f, 88.5f, 1000, 1e30f, INFINITY, -INFINITY};
    for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        CHECK(isfinite(fast_expf(xs[i])));
        CHECK(sigmoid(xs[i]) >= 0 && sigmoid(xs[i]) <= 1);
        CHECK(fast_tanhf(xs[i]) >= -1 && fast_tanhf(xs[i]) <= 1);
    }
    CHECK(fast_expf(0) == 1.0f);
    CHECK(isnan(fast_expf(NAN)) && isnan(sigmoid(NAN)) && isnan(fast_tanhf(NAN)));
    CHECK(fast_tanhf(0) == 0.0f);
}

/* The lane-parallel row reductions against plain double loops, over lengths that do and do
 * not fill whole lanes, with masked (-inf) entries. */
static void test_row_reductions(void)
{
    int lens[] = {1, 5, 16, 17, 40, 2400};
    float x[2400];
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        int n = lens[k];
        for (int i = 0; i < n; i++) x[i] = (float)((i * 7919 % 1000) - 400) / 37.0f;
        if (n > 3) x[2] = -INFINITY;
        double max = -INFINITY, sum_exp = 0;
        for (int i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
        for (int i = 0; i < n; i++) sum_exp += exp((double)x[i] - max);
        CHECK(row_max(x, n) == (float)max);
        if (n > 3) x[2] = 0; /* a sum with -inf in it is -inf either way */
        double plain = 0;
        for (int i = 0; i < n; i++) plain += x[i];
        CHECK_NEAR(row_sum(x, n), plain, 1e-5 * n);
        if (n > 3) x[2] = -INFINITY;
        CHECK_NEAR(log_sum_exp(x, n), max + log(sum_exp), 1e-5);
    }
}

int main(void)
{
    RUN_TEST(test_exp_relative_error);
    RUN_TEST(test_sigmoid_tanh_absolute_error);
    RUN_TEST(test_extremes_stay_finite);
    RUN_TEST(test_row_reductions);
    return TEST_SUMMARY("activations");
}
