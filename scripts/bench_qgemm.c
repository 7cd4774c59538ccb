/* bench_qgemm: time per call of qgemm (each kernel variant this CPU runs) against
 * cblas_sgemm at decoding shapes, single thread. Not part of `make test`.
 *
 *   cc -O3 -march=native -std=c11 -D_GNU_SOURCE -Isrc \
 *      -I/usr/include/x86_64-linux-gnu/openblas-pthread -o build/bench_qgemm \
 *      scripts/bench_qgemm.c src/nn/qgemm.c src/sys/util.c -lopenblas -lm -lpthread
 *   OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 build/bench_qgemm SECONDS REPS \
 *      NAME:M:N:K ...
 *
 * For each shape C[M x N] = A[M x K] * W[K x N] (row-major, beta 1, as the layers call
 * sgemm; qgemm with beta 1 and a bias), the calls are interleaved: per repetition, each
 * method runs until SECONDS have passed. Prints per shape and method the median
 * microseconds per call over REPS, and the ratio sgemm / method of the medians:
 *
 *   NAME M N K  sgemm US  VARIANT US RATIO ...
 *
 * qgemm's time includes quantizing the activations; packing W is done once, outside. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/qgemm.h"

static const char *VARIANTS[] = {"avx512vnni", "avxvnni", "avx2", "portable"};
enum { NV = 4, MAXREPS = 51 };

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

static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static float *filled(size_t n, unsigned *seed)
{
    float *p = malloc(n * sizeof *p);
    if (!p) exit(1);
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        p[i] = ((*seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return p;
}

typedef struct {
    int M, N, K, variant; /* variant -1: sgemm */
    const float *A, *W, *bias;
    const qmatrix *q;
    float *C;
} call;

static void run(const call *c)
{
    if (c->variant < 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->M, c->N, c->K, 1, c->A, c->K,
                    c->W, c->N, 1, c->C, c->N);
    else
        qgemm(c->M, c->A, c->K, c->q, c->bias, 1, c->C, c->N);
}

/* Microseconds per call, over at least seconds. */
static double time_call(const call *c, double seconds)
{
    if (c->variant >= 0) qgemm_set_kernel(VARIANTS[c->variant]);
    run(c);
    long n = 0;
    double t0 = now(), t;
    do {
        run(c);
        n++;
    } while ((t = now() - t0) < seconds);
    return t / n * 1e6;
}

static void bench_shape(const char *name, int M, int N, int K, double seconds, int reps)
{
    unsigned seed = 777;
    float *A = filled((size_t)M * K, &seed), *W = filled((size_t)K * N, &seed);
    float *bias = filled(N, &seed), *C = filled((size_t)M * N, &seed);
    void *bytes = aligned_alloc(64, (qmatrix_bytes(K, N) + 63) / 64 * 64);
    qmatrix q;
    if (!bytes || qmatrix_pack(W, K, N, N, bytes) || qmatrix_view(bytes, qmatrix_bytes(K, N), &q)) exit(1);
    int methods[NV + 1], nm = 0;
    methods[nm++] = -1;
    for (int v = 0; v < NV; v++)
        if (qgemm_set_kernel(VARIANTS[v]) == 0) methods[nm++] = v;
    double t[NV + 1][MAXREPS];
    for (int r = 0; r < reps; r++)
        for (int m = 0; m < nm; m++) {
            call c = {M, N, K, methods[m], A, W, bias, &q, C};
            t[m][r] = time_call(&c, seconds);
        }
    printf("%s %d %d %d", name, M, N, K);
    double base = median(t[0], reps);
    printf("  sgemm %.1f", base);
    for (int m = 1; m < nm; m++) {
        double med = median(t[m], reps);
        printf("  %s %.1f %.2f", VARIANTS[methods[m]], med, base / med);
    }
    printf("\n");
    fflush(stdout);
    free(A); free(W); free(bias); free(C); free(bytes);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_qgemm SECONDS REPS NAME:M:N:K ...\n");
        return 2;
    }
    double seconds = atof(argv[1]);
    int reps = atoi(argv[2]);
    if (seconds <= 0 || reps < 1 || reps > MAXREPS) {
        fprintf(stderr, "bench_qgemm: bad SECONDS or REPS\n");
        return 2;
    }
    printf("openblas %s threads %d, qgemm default %s\n", openblas_get_corename(),
           openblas_get_num_threads(), qgemm_kernel_name());
    for (int a = 3; a < argc; a++) {
        char name[64];
        int M, N, K;
        if (sscanf(argv[a], "%63[^:]:%d:%d:%d", name, &M, &N, &K) != 4 || M < 1 || N < 1 ||
            K < 1 || !qmatrix_bytes(K, N)) {
            fprintf(stderr, "bench_qgemm: bad shape '%s' (want NAME:M:N:K)\n", argv[a]);
            return 2;
        }
        bench_shape(name, M, N, K, seconds, reps);
    }
    return 0;
}
