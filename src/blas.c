#include "blas.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define REEXEC_GUARD "SEQTRANS_BLAS_REEXEC"

static int kernel_selected_by_us;

const char *blas_preferred_kernel(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    if (__builtin_cpu_supports("avx")) return "Sandybridge";
#endif
    return NULL;
}

/* The kernels OpenBLAS falls back to when it does not know the CPU model. */
static int is_generic_kernel(const char *name)
{
    static const char *generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
                                    "Atom", "Katmai", "Coppermine", "Northwood", "Banias"};
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (!strcasecmp(name, generic[i])) return 1;
    return 0;
}

const char *blas_kernel(void) { return openblas_get_corename(); }

void blas_init(int argc, char **argv)
{
    (void)argc;
    if (getenv(REEXEC_GUARD)) {
        kernel_selected_by_us = 1;
        unsetenv(REEXEC_GUARD);
        return;
    }
    if (getenv("OPENBLAS_CORETYPE")) return;
    const char *want = blas_preferred_kernel();
    if (!want || !is_generic_kernel(blas_kernel())) return;
    setenv("OPENBLAS_CORETYPE", want, 1);
    setenv(REEXEC_GUARD, "1", 1);
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the slow kernel rather than not at all */
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv(REEXEC_GUARD);
}

const char *blas_description(void)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s; kernel %s (%s)", openblas_get_config(), blas_kernel(),
             kernel_selected_by_us ? "selected by seqtrans"
             : getenv("OPENBLAS_CORETYPE") ? "from OPENBLAS_CORETYPE"
                                           : "OpenBLAS's own choice");
    return buf;
}

void blas_set_threads(int n) { openblas_set_num_threads(n > 0 ? n : 1); }

/* A few rows times a large matrix (a beam's hypotheses at one decoding step): sgemm would
 * pack all of B for a handful of rows. OpenBLAS multiplies products of at most 100^3
 * multiply-adds with kernels that read B in place, so B goes in slices of columns that
 * small. Measured 1.5-2x faster for 2 to 8 rows (scripts/bench_gemm.c). */
#define FEW_ROWS 8
#define SMALL_PRODUCT 1000000L

static void gemm_few_rows(int M, int N, int K, float alpha, const float *A, int lda,
                          const float *B, int ldb, float beta, float *C, int ldc)
{
    int cols = (int)(SMALL_PRODUCT / ((long)M * K)) / 16 * 16;
    if (cols < 16) cols = 16;
    for (int j = 0; j < N; j += cols)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N - j < cols ? N - j : cols, K,
                    alpha, A, lda, B + j, ldb, beta, C + j, ldc);
}

void gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    if (M == 1 && K > 0) {
        /* One row (translating one sentence): sgemm would pack all of B for it. */
        cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? N : K, tb ? K : N, alpha,
                    B, ldb, A, ta ? lda : 1, beta, C, 1);
        return;
    }
    if (!ta && !tb && M <= FEW_ROWS && (long)M * N * K > SMALL_PRODUCT) {
        gemm_few_rows(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemv(int ta, int M, int N, float alpha, const float *A, int lda, const float *x,
          float beta, float *y)
{
    if (M <= 0 || N <= 0) return;
    cblas_sgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, M, N, alpha, A, lda, x, 1, beta, y, 1);
}
