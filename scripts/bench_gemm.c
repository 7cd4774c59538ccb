/* bench_gemm: GFLOP/s of cblas_sgemm at given shapes, the "ceiling" for seqtrans's model.
 *
 *   bench_gemm THREADS SECONDS REPS NAME:M:N:K[:TA:TB] ...
 *
 * For each shape C[MxN] = op(A)[MxK] * op(B)[KxN] (row-major, beta 1, as seqtrans calls it),
 * runs one untimed call, then REPS repetitions, each repeating the call until at least
 * SECONDS have passed, and prints one line:
 *
 *   NAME M N K TA TB MEDIAN_GFLOPS REP1 REP2 ...
 *
 * The first output line is "kernel NAME threads N" (what OpenBLAS selected; set
 * OPENBLAS_CORETYPE to choose, as seqtrans does). Built by scripts/bench.sh. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *filled(size_t n, unsigned *seed)
{
    float *p = malloc(n * sizeof *p);
    if (!p) {
        fprintf(stderr, "bench_gemm: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        p[i] = ((*seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_gemm THREADS SECONDS REPS NAME:M:N:K[:TA:TB] ...\n");
        return 2;
    }
    int threads = atoi(argv[1]);
    double seconds = atof(argv[2]);
    int reps = atoi(argv[3]);
    if (threads < 1 || seconds <= 0 || reps < 1 || reps > 100) {
        fprintf(stderr, "bench_gemm: bad THREADS, SECONDS or REPS\n");
        return 2;
    }
    openblas_set_num_threads(threads);
    printf("kernel %s threads %d\n", openblas_get_corename(), openblas_get_num_threads());
    fflush(stdout);
    unsigned seed = 12345;
    for (int a = 4; a < argc; a++) {
        char name[64];
        int M, N, K, ta = 0, tb = 0;
        int got = sscanf(argv[a], "%63[^:]:%d:%d:%d:%d:%d", name, &M, &N, &K, &ta, &tb);
        if (got != 4 && got != 6) {
            fprintf(stderr, "bench_gemm: bad shape '%s' (want NAME:M:N:K[:TA:TB])\n", argv[a]);
            return 2;
        }
        if (M < 1 || N < 1 || K < 1) {
            fprintf(stderr, "bench_gemm: bad shape '%s'\n", argv[a]);
            return 2;
        }
        float *A = filled((size_t)M * K, &seed), *B = filled((size_t)K * N, &seed);
        float *C = filled((size_t)M * N, &seed);
        int lda = ta ? M : K, ldb = tb ? K : N;
        double flops = 2.0 * M * N * K, g[100];
#define CALL()                                                                              \
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, \
                M, N, K, 1e-3f, A, lda, B, ldb, 1.0f, C, N)
        CALL(); /* warm-up: thread start, page faults */
        for (int r = 0; r < reps; r++) {
            long n = 0;
            double t0 = now(), t;
            do {
                CALL();
                n++;
            } while ((t = now() - t0) < seconds);
            g[r] = flops * n / t / 1e9;
        }
        printf("%s %d %d %d %d %d", name, M, N, K, ta, tb);
        double sorted[100];
        memcpy(sorted, g, reps * sizeof *g);
        qsort(sorted, reps, sizeof *sorted, cmp_double);
        double med = reps % 2 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
        printf(" %.2f", med);
        for (int r = 0; r < reps; r++) printf(" %.2f", g[r]);
        printf("\n");
        fflush(stdout);
        free(A);
        free(B);
        free(C);
    }
    return 0;
}
