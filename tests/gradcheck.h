/* Shared by the layer tests: random tensors, dot products in double, and the central-
 * difference check of an analytic gradient. Every draw comes from the test's generator R. */
#ifndef SEQTRANS_GRADCHECK_H
#define SEQTRANS_GRADCHECK_H
#include <math.h>
#include <stdio.h>

#include "sys/util.h"

static rng_t R;

static float *randv(size_t n, float scale)
{
    float *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = scale * (2 * rng_uniform(&R) - 1);
    return v;
}

static double dot_d(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

typedef double (*loss_fn)(void *ctx);

/* Central-difference check of up to `samples` random entries of x against grad: returns
 * how many disagree by more than tol (relative, with a floor of 1e-2), printing the first. */
static int grad_check(const char *name, float *x, const float *grad, size_t n, loss_fn f,
                      void *ctx, int samples, double tol)
{
    int bad = 0;
    for (int k = 0; k < samples; k++) {
        size_t i = (n <= (size_t)samples) ? (size_t)k : rng_below(&R, n);
        if (i >= n) break;
        float orig = x[i], h = 1e-2f * (fabsf(orig) > 1 ? fabsf(orig) : 1);
        x[i] = orig + h; double lp = f(ctx);
        x[i] = orig - h; double lm = f(ctx);
        x[i] = orig;
        double num = (lp - lm) / (2.0 * h), ana = grad[i];
        double err = fabs(num - ana) / fmax(fmax(fabs(num), fabs(ana)), 1e-2);
        if (err > tol && bad++ < 3) fprintf(stderr, "%s[%zu]: numeric %.6g analytic %.6g\n", name, i, num, ana);
    }
    return bad;
}

#endif
