#include "sys/blas.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/parallel.h"
#include "sys/util.h"

/* OpenBLAS fixes its kernel (OPENBLAS_CORETYPE) and its thread pool (OPENBLAS_NUM_THREADS)
 * when it initialises, which for a linked library is before main(). Loading it here
 * instead lets seqtrans choose both first, without re-executing itself: the best kernel
 * for the CPU, and no pool threads, which would otherwise spin on a core for the first
 * tenth of a second of every run while seqtrans's own threads do the work. */
static struct {
    __typeof__(&cblas_sgemm) sgemm;
    __typeof__(&cblas_sgemv) sgemv;
    char *(*corename)(void);
    char *(*config)(void);
} ob;
static pthread_once_t ob_once = PTHREAD_ONCE_INIT;
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

/* What went wrong loading, reported by the first thread that needs OpenBLAS (the loader
 * thread itself must not exit: exit waits for it). */
static char load_error[256];

static void *symbol(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (!p && !load_error[0]) snprintf(load_error, sizeof load_error, "OpenBLAS lacks %s: %s", name, dlerror());
    return p;
}

/* Sets OpenBLAS's environment. Only before other threads run: setenv races with getenv. */
static void choose_kernel_and_threads(void)
{
    static int chosen;
    if (chosen) return;
    chosen = 1;
    const char *want = blas_preferred_kernel();
    if (!getenv("OPENBLAS_CORETYPE") && want) {
        setenv("OPENBLAS_CORETYPE", want, 1);
        kernel_selected_by_us = 1;
    }
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
}

static void *load_openblas(void *unused)
{
    (void)unused;
    void *lib = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) lib = dlopen("libopenblas.so", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error, "cannot load OpenBLAS: %s (install libopenblas0)", dlerror());
        return NULL;
    }
    ob.sgemm = (__typeof__(ob.sgemm))symbol(lib, "cblas_sgemm");
    ob.sgemv = (__typeof__(ob.sgemv))symbol(lib, "cblas_sgemv");
    ob.corename = (char *(*)(void))symbol(lib, "openblas_get_corename");
    ob.config = (char *(*)(void))symbol(lib, "openblas_get_config");
    return NULL;
}

/* Linking OpenBLAS takes a few milliseconds, which a translator spends reading its model
 * meanwhile: blas_init starts the loading on a thread, and the first use waits for it. */
static pthread_t loader;
static int loader_started;

static void finish_loading(void)
{
    if (loader_started) pthread_join(loader, NULL);
    else {
        choose_kernel_and_threads();
        load_openblas(NULL);
    }
}

static void ensure_loaded(void)
{
    pthread_once(&ob_once, finish_loading);
    if (load_error[0]) {
        st_error("%s", load_error);
        exit(1);
    }
}

/* exit() must not run library destructors while the loader is inside dlopen. */
static void finish_loading_at_exit(void) { pthread_once(&ob_once, finish_loading); }

void blas_init(void)
{
    if (loader_started) return;
    choose_kernel_and_threads();
    loader_started = pthread_create(&loader, NULL, load_openblas, NULL) == 0;
    if (loader_started) atexit(finish_loading_at_exit); /* else the first use loads it */
}

const char *blas_kernel(void)
{
    ensure_loaded();
    return ob.corename();
}

const char *blas_description(void)
{
    static char buf[512];
    ensure_loaded();
    snprintf(buf, sizeof buf, "%s; kernel %s (%s)", ob.config(), ob.corename(),
             kernel_selected_by_us ? "selected by seqtrans"
             : getenv("OPENBLAS_CORETYPE") ? "from OPENBLAS_CORETYPE"
                                           : "OpenBLAS's own choice");
    return buf;
}

static int blas_threads = 1;

int blas_set_threads(int n)
{
    int before = blas_threads;
    blas_threads = n > 0 ? n : 1;
    return before;
}

/* One row, or a few, times a large matrix: a sentence's or a beam's hypotheses at one
 * decoding step. sgemm would pack all of B for a handful of rows. One row goes to sgemv;
 * a few go in slices of columns of at most SMALL_PRODUCT multiply-adds, which OpenBLAS
 * multiplies with kernels that read B in place (1.5-2x faster for 2 to 8 rows).
 * Those kernels walk B down its columns, which the hardware prefetcher cannot follow, and
 * a few rows are too little work to hide memory latency: B streams in at a third of the
 * memory bandwidth. So B is taken in bands of rows of about WARM_BYTES, each first read
 * through in address order, which pulls it into cache at full speed (2x faster products). */
#define FEW_ROWS 8
#define SMALL_PRODUCT 1000000L
#define WARM_BYTES (384L << 10)
#define WORTH_A_THREAD (1L << 20) /* multiply-adds: less is done before a thread starts */

typedef struct {
    int ta, tb, M, N, K;
    float alpha, beta;
    const float *A, *B;
    float *C;
    int lda, ldb, ldc, parts;
} columns_job;

/* Reads one float of each cache line of rows x cols floats (row stride ld). */
static void warm(const float *p, int rows, int cols, int ld)
{
    float sink = 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c += 16) sink += p[(size_t)r * ld + c];
    __asm__ volatile("" : : "x"(sink)); /* keeps the reads */
}

/* C[:, lo..hi) for rows k0..k0+kc of B, added to beta * C. */
static void product_band(const columns_job *j, int lo, int hi, int k0, int kc, float beta)
{
    const float *B = j->B + (size_t)k0 * j->ldb;
    warm(B + lo, kc, hi - lo, j->ldb);
    int cols = (int)(SMALL_PRODUCT / ((long)j->M * kc)) / 16 * 16;
    if (cols < 16) cols = 16;
    for (int c = lo; c < hi; c += cols)
        ob.sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->M, hi - c < cols ? hi - c : cols, kc,
                 j->alpha, j->A + k0, j->lda, B + c, j->ldb, beta, j->C + c, j->ldc);
}

/* Columns [lo, hi) of C. */
static void product_columns(const columns_job *j, int lo, int hi)
{
    if (j->M == 1) {
        const float *b = j->tb ? j->B + (size_t)lo * j->ldb : j->B + lo;
        ob.sgemv(CblasRowMajor, j->tb ? CblasNoTrans : CblasTrans, j->tb ? hi - lo : j->K,
                 j->tb ? j->K : hi - lo, j->alpha, b, j->ldb, j->A, j->ta ? j->lda : 1, j->beta,
                 j->C + lo, 1);
        return;
    }
    int band = (int)(WARM_BYTES / ((long)(hi - lo) * (long)sizeof(float)));
    if (band < 8) band = 8;
    for (int k = 0; k < j->K; k += band)
        product_band(j, lo, hi, k, j->K - k < band ? j->K - k : band, k ? 1.0f : j->beta);
}

static void product_part(void *ctx, int w)
{
    const columns_job *j = ctx;
    long begin, end;
    parallel_share((j->N + 15) / 16, j->parts, w, &begin, &end);
    int hi = (int)end * 16 < j->N ? (int)end * 16 : j->N;
    if (begin * 16 < hi) product_columns(j, (int)begin * 16, hi);
}

/* The columns are independent, so blas_set_threads' threads share them out. */
static void gemm_few_rows(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                          int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    columns_job j = {ta, tb, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc, blas_threads};
    long work = (long)M * N * K;
    if (j.parts > work / WORTH_A_THREAD) j.parts = (int)(work / WORTH_A_THREAD);
    if (j.parts > (N + 15) / 16) j.parts = (N + 15) / 16;
    if (j.parts <= 1) product_columns(&j, 0, N);
    else parallel_run(j.parts, product_part, &j);
}

void gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    ensure_loaded();
    if (K > 0 && (M == 1 || (!ta && !tb && M <= FEW_ROWS && (long)M * N * K > SMALL_PRODUCT))) {
        gemm_few_rows(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    ob.sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
             M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemv(int ta, int M, int N, float alpha, const float *A, int lda, const float *x,
          float beta, float *y)
{
    if (M <= 0 || N <= 0) return;
    ensure_loaded();
    ob.sgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, M, N, alpha, A, lda, x, 1, beta, y, 1);
}
