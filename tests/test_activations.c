/* The fast exp, sigmoid and tanh against libm in double, over the whole useful range. */
#include "activations.h"
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

int main(void)
{
    RUN_TEST(test_exp_relative_error);
    RUN_TEST(test_sigmoid_tanh_absolute_error);
    RUN_TEST(test_extremes_stay_finite);
    return TEST_SUMMARY("activations");
}
