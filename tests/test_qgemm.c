/* qgemm: the packed layout as documented, exact int32 sums on integer-valued inputs, every
 * output within the error bound that quantization implies (derived in src/nn/qgemm.c)
 * against a double-precision product of the unquantized values, column ranges, strides,
 * bias and beta, odd sizes, extreme values; for every kernel variant this CPU runs, and
 * bit-identical results between the variants. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/qgemm.h"
#include "sys/util.h"

static rng_t R;
static const char *VARIANTS[] = {"portable", "avx2", "avxvnni", "avx512vnni"};
enum { NVARIANTS = 4 };
static int runnable[NVARIANTS];

static const int KS[] = {1, 3, 4, 17, 64, 255, 513};
static const int NS[] = {1, 7, 16, 33, 1000};
static const int MS[] = {1, 3, 4, 5, 17, 67};
#define COUNT(a) ((int)(sizeof(a) / sizeof(a)[0]))

static float uniform(double lo, double hi) { return (float)(lo + (hi - lo) * rng_uniform(&R)); }
static int code(void) { return (int)rng_below(&R, 255) - 127; }

/* A packed matrix in its own 64-byte aligned buffer. */
typedef struct {
    void *bytes;
    qmatrix m;
} packed;

static packed pack(const float *W, int K, int N, int ldw)
{
    packed p;
    size_t n = qmatrix_bytes(K, N);
    p.bytes = aligned_alloc(64, (n + 63) / 64 * 64);
    CHECK(qmatrix_pack(W, K, N, ldw, p.bytes) == 0);
    CHECK(qmatrix_view(p.bytes, n, &p.m) == 0);
    return p;
}

static void run_variant(int v, int M, const float *A, int lda, const packed *W,
                        const float *bias, float beta, float *C, int ldc)
{
    CHECK(qgemm_set_kernel(VARIANTS[v]) == 0);
    CHECK(!strcmp(qgemm_kernel_name(), VARIANTS[v]));
    qgemm(M, A, lda, &W->m, bias, beta, C, ldc);
}

/* Layout bytes found from the formula in qgemm.h, not through the library's accessors. */
static void test_layout_as_documented(void)
{
    int K = 6, N = 19, Kp = 8, Np = 32;
    float W[6 * 19];
    for (int i = 0; i < K * N; i++) W[i] = (float)(i % 23) - 11;
    for (int k = 0; k < K; k++) W[k * N + 5] = 0; /* an all-zero column */
    packed p = pack(W, K, N, N);
    const unsigned char *b = p.bytes;
    CHECK(qmatrix_bytes(K, N) == 64 + (size_t)Kp * Np + Np * 8);
    CHECK(!memcmp(b, "SQ8W", 4) && b[4] == 1 && b[8] == K && b[12] == N);
    const float *scales = (const float *)(b + 64 + Kp * Np);
    const int32_t *sums = (const int32_t *)(b + 64 + Kp * Np + Np * 4);
    CHECK(p.m.scales == scales && p.m.colsums == sums);
    for (int j = 0; j < Np; j++) {
        int32_t sum = 0, biggest = 0;
        float amax = 0;
        for (int k = 0; k < K && j < N; k++) amax = fmaxf(amax, fabsf(W[k * N + j]));
        for (int k = 0; k < Kp; k++) {
            size_t at = 64 + (size_t)(j / 16) * Kp * 16 + (k / 4) * 64 + (j % 16) * 4 + k % 4;
            int q = (signed char)b[at];
            if (k >= K || j >= N) {
                CHECK(q == 0);
                continue;
            }
            CHECK(q == qmatrix_weight(&p.m, k, j));
            CHECK(abs(q) <= 127);
            /* round(W / scale), the scale as stored */
            CHECK(fabs(W[k * N + j] / scales[j] - q) <= 0.5 + 1e-6);
            sum += q;
            biggest = abs(q) > biggest ? abs(q) : biggest;
        }
        CHECK(sums[j] == sum);
        if (j >= N || j == 5) CHECK(scales[j] == 1 && biggest == 0);
        else CHECK(biggest == 127 && (double)scales[j] * 127 >= amax &&
                   scales[j] <= amax / 127 * (1 + 1e-6));
    }
    free(p.bytes);
}

static void test_pack_and_view_reject_bad_input(void)
{
    float W[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    void *out = aligned_alloc(64, 4096);
    CHECK(qmatrix_bytes(0, 4) == 0 && qmatrix_bytes(4, 0) == 0);
    CHECK(qmatrix_bytes(QGEMM_MAX_K + 1, 4) == 0);
    fprintf(stderr, "(the following errors are expected)\n");
    CHECK(qmatrix_pack(W, 2, 4, 3, out) == -1);                  /* ldw < N */
    CHECK(qmatrix_pack(W, 2, 4, 4, (char *)out + 4) == -1);      /* misaligned */
    W[6] = NAN;
    CHECK(qmatrix_pack(W, 2, 4, 4, out) == -1);
    W[6] = INFINITY;
    CHECK(qmatrix_pack(W, 2, 4, 4, out) == -1);
    W[6] = 7;
    CHECK(qmatrix_pack(W, 2, 4, 4, out) == 0);
    size_t n = qmatrix_bytes(2, 4);
    qmatrix m;
    CHECK(qmatrix_view(out, n, &m) == 0 && m.K == 2 && m.N == 4);
    CHECK(qmatrix_view(out, n - 1, &m) == -1);
    CHECK(qmatrix_view(out, 32, &m) == -1);
    CHECK(qmatrix_view((char *)out + 16, n, &m) == -1);
    ((unsigned char *)out)[4] = 2; /* a future layout version */
    CHECK(qmatrix_view(out, n, &m) == -1);
    ((unsigned char *)out)[4] = 1;
    ((unsigned char *)out)[0] = 'X';
    CHECK(qmatrix_view(out, n, &m) == -1);
    free(out);
}

static void test_set_kernel(void)
{
    CHECK(qgemm_set_kernel("bogus") == -1);
    CHECK(runnable[0]);
    for (int v = 0; v < NVARIANTS; v++)
        if (runnable[v]) CHECK(qgemm_set_kernel(VARIANTS[v]) == 0);
}

/* Integer codes with one +-127 per row (column) make both scales exactly 1 (times a power
 * of two), so the kernel's output is its int32 sum; sums stay below 2^24, exact in float.
 * Both signs of +-127 everywhere is the worst case for 16-bit saturation. */
static void fill_codes(float *X, int rows, int cols, int ld, int by_row, float unit, int pattern)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            int c = pattern == 0 ? code() : pattern == 1 ? 127 : pattern == 2 ? -127
                  : ((i + j) % 2 ? 127 : -127);
            X[(size_t)i * ld + j] = c * unit;
        }
    if (pattern) return;
    int n = by_row ? rows : cols;
    for (int i = 0; i < n; i++) {
        int at = (int)rng_below(&R, by_row ? cols : rows);
        float v = (rng_below(&R, 2) ? 127 : -127) * unit;
        if (by_row) X[(size_t)i * ld + at] = v;
        else X[(size_t)at * ld + i] = v;
    }
}

static void check_exact(int M, int K, int N, int pattern)
{
    int lda = K + 3, ldc = N + 5;
    float *A = xcalloc((size_t)M * lda, sizeof *A), *W = xmalloc((size_t)K * N * sizeof *W);
    float *C = xmalloc((size_t)M * ldc * sizeof *C);
    fill_codes(A, M, K, lda, 1, 0.03125f, pattern);
    fill_codes(W, K, N, N, 0, 8.0f, pattern);
    if (M > 2) memset(A + lda, 0, K * sizeof *A); /* a zero row */
    packed p = pack(W, K, N, N);
    for (int v = 0; v < NVARIANTS; v++) {
        if (!runnable[v]) continue;
        for (size_t i = 0; i < (size_t)M * ldc; i++) C[i] = NAN; /* beta 0 must not read C */
        run_variant(v, M, A, lda, &p, NULL, 0, C, ldc);
        int bad = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                int64_t s = 0;
                for (int k = 0; k < K; k++)
                    s += (int64_t)lrintf(A[(size_t)i * lda + k] * 32) * lrintf(W[(size_t)k * N + j] / 8);
                bad += C[(size_t)i * ldc + j] != (float)s * 0.25f;
            }
        if (bad) fprintf(stderr, "%s M %d K %d N %d pattern %d: %d wrong\n", VARIANTS[v], M, K, N, pattern, bad);
        CHECK(bad == 0);
    }
    free(p.bytes); free(A); free(W); free(C);
}

static void test_int32_sums_exact(void)
{
    for (int a = 0; a < COUNT(KS); a++)
        for (int b = 0; b < COUNT(NS); b++)
            for (int c = 0; c < COUNT(MS); c += 2) check_exact(MS[c], KS[a], NS[b], 0);
    for (int pattern = 1; pattern <= 3; pattern++) check_exact(5, 1000, 33, pattern);
}

/* The largest K, all codes +-127: the +128 trick's int32 sums wrap around before the
 * correction and must still come out exact; +-K * 127^2 = +-16129 * 2^17 is exact in float. */
static void test_largest_k(void)
{
    int K = QGEMM_MAX_K, N = 4;
    float *A = xmalloc((size_t)K * sizeof *A), *W = xmalloc((size_t)K * N * sizeof *W);
    for (int k = 0; k < K; k++) {
        A[k] = 127;
        const float w[4] = {127, -127, k % 2 ? 127 : -127, k < K / 2 ? 127 : -127};
        memcpy(W + (size_t)k * N, w, sizeof w);
    }
    packed p = pack(W, K, N, N);
    const float want[4] = {16129.0f * K, -16129.0f * K, 0, 0};
    for (int v = 0; v < NVARIANTS; v++) {
        if (!runnable[v]) continue;
        float C[4];
        run_variant(v, 1, A, K, &p, NULL, 0, C, N);
        for (int j = 0; j < N; j++) CHECK(C[j] == want[j]);
    }
    free(p.bytes); free(A); free(W);
}

/* The bound of qgemm.c with the scales the kernel uses (recomputed here: max / 127,
 * rounded up), |e| and |f| allowed 1/2 + 1e-5 for the float rounding of the codes, plus
 * the float roundings of the result: 3 in float(s) * (sa * sw), 1 each for + bias and for
 * beta * C and its sum, so at most 6 * 2^-24 relative to the magnitudes involved; and where
 * sa * sw or the product falls below the normal range, an absolute 2^-150 per unit of
 * |s| <= K * 127^2 and 2^-149 for the product. */
static double row_scale(const float *a, int K)
{
    float amax = 0;
    for (int k = 0; k < K; k++) amax = fmaxf(amax, fabsf(a[k]));
    if (amax == 0) return 0;
    float s = (float)(amax / 127.0);
    if ((double)s * 127.0 < amax) s = nextafterf(s, INFINITY);
    return s;
}

typedef struct {
    int M, K, N, lda, ldc;
    const float *A, *W, *bias, *C0;
    float beta;
} problem;

/* Fails any output outside the bound; returns the worst error / bound. */
static double check_bound(const problem *P, const float *C, const packed *Wq)
{
    double worst = 0;
    int bad = 0;
    for (int i = 0; i < P->M; i++) {
        const float *a = P->A + (size_t)i * P->lda;
        double sa = row_scale(a, P->K), sum_a = 0;
        for (int k = 0; k < P->K; k++) sum_a += fabs(a[k]);
        for (int j = 0; j < P->N; j++) {
            double sw = Wq->m.scales[j], y = 0, sum_w = 0, sum_aw = 0;
            for (int k = 0; k < P->K; k++) {
                double w = P->W[(size_t)k * P->N + j];
                y += a[k] * w, sum_w += fabs(w), sum_aw += fabs(a[k] * w);
            }
            double h = 0.5 + 1e-5;
            double q = sw * h * sum_a + sa * h * sum_w + P->K * sa * sw * h * h;
            double extra = P->beta * P->C0[(size_t)i * P->ldc + j] + (P->bias ? P->bias[j] : 0);
            double want = y + extra;
            double bound = q + 6 * 0x1p-24 * (sum_aw + q + fabs(extra)) +
                           P->K * 16129.0 * 0x1p-150 + 0x1p-149;
            double err = fabs(C[(size_t)i * P->ldc + j] - want);
            if (!(err <= bound)) bad++;
            if (bound > 0) worst = fmax(worst, err / bound);
        }
    }
    if (bad) fprintf(stderr, "M %d K %d N %d: %d outputs outside the bound\n", P->M, P->K, P->N, bad);
    CHECK(bad == 0);
    return worst;
}

/* Runs every variant on P; checks the bound, that columns past N are untouched, and that
 * all variants agree bit for bit. Returns the worst error / bound. */
static double check_all_variants(const problem *P)
{
    size_t n = (size_t)P->M * P->ldc;
    float *C = xmalloc(n * sizeof *C), *first = xmalloc(n * sizeof *C);
    packed Wq = pack(P->W, P->K, P->N, P->N);
    double worst = 0;
    int have_first = 0;
    for (int v = 0; v < NVARIANTS; v++) {
        if (!runnable[v]) continue;
        memcpy(C, P->C0, n * sizeof *C);
        run_variant(v, P->M, P->A, P->lda, &Wq, P->bias, P->beta, C, P->ldc);
        worst = fmax(worst, check_bound(P, C, &Wq));
        for (int i = 0; i < P->M; i++)
            for (int j = P->N; j < P->ldc; j++) CHECK(C[(size_t)i * P->ldc + j] == P->C0[(size_t)i * P->ldc + j]);
        if (have_first) CHECK(!memcmp(C, first, n * sizeof *C));
        else memcpy(first, C, n * sizeof *C), have_first = 1;
    }
    free(C); free(first); free(Wq.bytes);
    return worst;
}

static float *random_matrix(int rows, int ld, float lo, float hi)
{
    float *X = xmalloc((size_t)rows * ld * sizeof *X);
    for (size_t i = 0; i < (size_t)rows * ld; i++) X[i] = uniform(lo, hi);
    return X;
}

static void test_within_bound_all_shapes(void)
{
    double worst = 0;
    for (int a = 0; a < COUNT(KS); a++)
        for (int b = 0; b < COUNT(NS); b++)
            for (int c = 0; c < COUNT(MS); c++) {
                int M = MS[c], K = KS[a], N = NS[b], with_bias = (a + b + c) % 2;
                problem P = {M, K, N, K + (c % 3) * 5, N + (b % 2) * 3, NULL, NULL, NULL, NULL,
                             (a + c) % 3 == 0 ? 0.5f : 0};
                float *A = random_matrix(M, P.lda, -2, 1.5f);
                float *W = random_matrix(K, N, -0.3f, 0.3f);
                float *bias = with_bias ? random_matrix(1, N, -1, 1) : NULL;
                float *C0 = random_matrix(M, P.ldc, -1, 1);
                if (M > 3) memset(A + 2 * P.lda, 0, K * sizeof *A);       /* zero row */
                if (N > 3) for (int k = 0; k < K; k++) W[k * N + 1] = 0; /* zero column */
                if (M > 4) A[4 * P.lda + K / 2] = 40;                    /* an outlier */
                P.A = A, P.W = W, P.bias = bias, P.C0 = C0;
                worst = fmax(worst, check_all_variants(&P));
                free(A); free(W); free(bias); free(C0);
            }
    /* A bound far above the errors would hide a wrong kernel behind the bound. */
    printf("qgemm: worst error / bound %.3f over all shapes\n", worst);
    CHECK(worst > 0.05 && worst <= 1);
}

/* Huge and subnormal magnitudes, one matrix each way. */
static void test_extreme_values(void)
{
    const float scales[][2] = {{1e30f, 1e-30f}, {1e-30f, 1e30f}, {1e-40f, 1.0f}, {3e38f, 1e-38f}, {1.0f, 1e-41f}};
    for (int s = 0; s < 5; s++) {
        int M = 5, K = 37, N = 21;
        float *A = random_matrix(M, K, -scales[s][0], scales[s][0]);
        float *W = random_matrix(K, N, -scales[s][1], scales[s][1]);
        float *C0 = random_matrix(M, N, -1, 1);
        A[3] = scales[s][0], W[4] = -scales[s][1];
        problem P = {M, K, N, K, N, A, W, NULL, C0, 0};
        check_all_variants(&P);
        free(A); free(W); free(C0);
    }
}

/* Column ranges: each of several splits, run piece by piece, gives the whole product bit for
 * bit and writes nothing outside its range. */
static void test_column_ranges(void)
{
    int M = 6, K = 45, N = 100;
    float *A = random_matrix(M, K, -1, 1), *W = random_matrix(K, N, -1, 1);
    float *bias = random_matrix(1, N, -1, 1);
    float *whole = xmalloc((size_t)M * N * sizeof *whole), *C = xmalloc((size_t)M * N * sizeof *C);
    packed p = pack(W, K, N, N);
    const int cuts[][4] = {{0, 16, 64, 100}, {0, 5, 37, 100}, {0, 1, 99, 100}, {0, 50, 50, 100}};
    for (int v = 0; v < NVARIANTS; v++) {
        if (!runnable[v]) continue;
        run_variant(v, M, A, K, &p, bias, 0, whole, N);
        for (int c = 0; c < 4; c++) {
            for (int piece = 0; piece < 3; piece++) {
                int n0 = cuts[c][piece], n1 = cuts[c][piece + 1];
                for (int i = 0; i < M * N; i++) C[i] = -12345;
                qgemm_cols(M, A, K, &p.m, bias, 0, C, N, n0, n1);
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++)
                        CHECK(j >= n0 && j < n1 ? C[i * N + j] == whole[i * N + j] : C[i * N + j] == -12345);
            }
        }
    }
    free(p.bytes); free(A); free(W); free(bias); free(whole); free(C);
}

/* A row with a NaN or an infinity gives NaN outputs in that row only. */
static void test_nonfinite_activations(void)
{
    int M = 3, K = 20, N = 17;
    float *A = random_matrix(M, K, -1, 1), *W = random_matrix(K, N, -1, 1);
    float C[3 * 17];
    packed p = pack(W, K, N, N);
    A[K + 3] = NAN;
    A[2 * K + 7] = INFINITY;
    for (int v = 0; v < NVARIANTS; v++) {
        if (!runnable[v]) continue;
        run_variant(v, M, A, K, &p, NULL, 0, C, N);
        for (int j = 0; j < N; j++) CHECK(isfinite(C[j]) && isnan(C[N + j]) && isnan(C[2 * N + j]));
    }
    free(p.bytes); free(A); free(W);
}

int main(void)
{
    /* The first use reads SEQTRANS_QGEMM. */
    setenv("SEQTRANS_QGEMM", "portable", 1);
    int env_forced = !strcmp(qgemm_kernel_name(), "portable");
    rng_seed(&R, 20261202);
    for (int v = 0; v < NVARIANTS; v++) runnable[v] = qgemm_set_kernel(VARIANTS[v]) == 0;
    printf("qgemm: variants run here:");
    for (int v = 0; v < NVARIANTS; v++) if (runnable[v]) printf(" %s", VARIANTS[v]);
    printf("\n");
    RUN_TEST(test_layout_as_documented);
    RUN_TEST(test_pack_and_view_reject_bad_input);
    RUN_TEST(test_set_kernel);
    RUN_TEST(test_int32_sums_exact);
    RUN_TEST(test_largest_k);
    RUN_TEST(test_within_bound_all_shapes);
    RUN_TEST(test_extreme_values);
    RUN_TEST(test_column_ranges);
    RUN_TEST(test_nonfinite_activations);
    if (!env_forced) fprintf(stderr, "SEQTRANS_QGEMM=portable was not honoured\n");
    tests_failed += !env_forced;
    return TEST_SUMMARY("test_qgemm");
}
