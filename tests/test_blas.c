/* The kernel seqtrans selects, and that it multiplies correctly: every transposition and
 * stride the layers use, against double-precision loops, on one thread and split between
 * two. Runs blas_init() like main() does, so this binary gets the kernel seqtrans picks. */
#include <stdlib.h>
#include <string.h>

#include "sys/blas.h"
#include "check.h"
#include "sys/util.h"

static rng_t R;

static float *randv(size_t n)
{
    float *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = 2 * rng_uniform(&R) - 1;
    return v;
}

static void check_gemm(int ta, int tb, int M, int N, int K, float beta)
{
    int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5, ldc = N + 2;
    float *A = randv((size_t)(ta ? K : M) * lda), *B = randv((size_t)(tb ? N : K) * ldb);
    float *C = randv((size_t)M * ldc), *C0 = xmalloc((size_t)M * ldc * sizeof(float));
    memcpy(C0, C, (size_t)M * ldc * sizeof(float));
    gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, beta, C, ldc);
    double worst = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++)
                s += (double)(ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
            double want = 0.5 * s + beta * C0[i * ldc + j];
            worst = fmax(worst, fabs(C[i * ldc + j] - want));
        }
    CHECK(worst < 1e-4 * K);
    free(A); free(B); free(C); free(C0);
}

static void test_gemm_all_forms(void)
{
    /* the last three take the few-rows path: one row, or a few by a large matrix */
    int shapes[][3] = {{1, 1, 1}, {1, 57, 40}, {7, 13, 5}, {64, 96, 33}, {130, 70, 257}, {3, 300, 64},
                       {1, 2100, 700}, {5, 2400, 512}, {8, 700, 300}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                check_gemm(ta, tb, shapes[s][0], shapes[s][1], shapes[s][2], 0);
                check_gemm(ta, tb, shapes[s][0], shapes[s][1], shapes[s][2], 1);
                check_gemm(ta, tb, shapes[s][0], shapes[s][1], shapes[s][2], 0.5f);
            }
}

static void test_gemv(void)
{
    int M = 37, N = 53, lda = 60;
    float *A = randv((size_t)M * lda), *x = randv(M > N ? M : N), *y = randv(M > N ? M : N);
    for (int t = 0; t < 2; t++) {
        int rows = t ? N : M, cols = t ? M : N;
        gemv(t, M, N, 1, A, lda, x, 0, y);
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int k = 0; k < cols; k++) s += (double)(t ? A[k * lda + i] : A[i * lda + k]) * x[k];
            CHECK_NEAR(y[i], s, 1e-4);
        }
    }
    free(A); free(x); free(y);
}

/* The fallback kernels are never left in place on a CPU that has a better one. */
static void test_kernel_selected(void)
{
    const char *want = blas_preferred_kernel(), *have = blas_kernel(), *user = getenv("OPENBLAS_CORETYPE");
    printf("blas: %s\n", blas_description());
    if (user) CHECK(!strcasecmp(have, user) || want == NULL);
    else if (want) CHECK(strcasecmp(have, "Prescott") && strcasecmp(have, "Core2") && strcasecmp(have, "Nehalem"));
}

int main(void)
{
    blas_init();
    rng_seed(&R, 11);
    RUN_TEST(test_kernel_selected);
    RUN_TEST(test_gemm_all_forms);
    RUN_TEST(test_gemv);
    for (int threads = 1; threads <= 2; threads++) {
        blas_set_threads(threads);
        RUN_TEST(test_gemm_all_forms);
    }
    return TEST_SUMMARY("blas");
}
