/* qgemm: int8 products over pre-packed weights; layout and API in qgemm.h.
 *
 * Activations: symmetric per row, sa = max_k |a_k| / 127, q = round(a / sa) in [-127, 127].
 * Symmetric because the decoder's inputs (embeddings, LSTM outputs h = o * tanh(c), attention
 * contexts) are centred on zero, so a zero point would buy almost no resolution, while
 * symmetric codes keep 0 exact and need no per-row correction term. vpdpbusd wants one
 * unsigned operand: the VNNI kernels feed q + 128 (in [1, 255]) and subtract 128 * colsum_j.
 * Their running sums may pass 2^31 (up to K * 255 * 127) and wrap, but int32 addition is
 * arithmetic modulo 2^32, so the corrected sum is still exact once it fits, as it does:
 *
 * Exactness: every kernel computes s_ij = sum_k q_ik * w_q[k][j] exactly in int32
 * (|s| <= K * 127 * 127 < 2^31 for K <= QGEMM_MAX_K), then C_ij = float(s_ij) * (sa_i * sw_j)
 * (+ bias_j) (+ beta * C_ij), rounded in the same order by every variant.
 *
 * Error bound (checked by tests/test_qgemm.c): write a_k = sa (q_k + e_k), w_k = sw (p_k + f_k)
 * with |e_k|, |f_k| <= 1/2 (rounding to the nearest code; the scales are rounded up so no
 * code is clamped). Then
 *   a_k w_k - sa q_k sw p_k = a_k sw f_k + w_k sa e_k - sa sw e_k f_k,
 * so |y_j - sa sw s_j| <= sw/2 sum_k |a_k| + sa/2 sum_k |w_kj| + K sa sw / 4,
 * plus the float roundings above: 3 in float(s) * (sa * sw) (float(s) is exact below 2^24),
 * each <= 2^-24 relative to |sa sw s_j| <= sum_k |a_k w_kj| + the bound, and one for each
 * addition of bias and beta * C; where sa * sw is subnormal, an absolute 2^-150 per unit
 * of |s_j| instead. The codes themselves are computed in float (1 / sa, a * (1 / sa)), so
 * |e_k| may exceed 1/2 by about 127 * 2^-23; the test allows 1/2 + 1e-5.
 *
 * Kernels (chosen once, see qgemm.h):
 *   avx512vnni: vpdpbusd, 4 rows x 4 panels (16 zmm accumulators) per tile;
 *   avxvnni: vpdpbusd on 256-bit registers (AVX-VNNI without AVX-512), 4 rows x 1 panel,
 *         codes + 128 as for avx512vnni;
 *   avx2: vpmaddubsw on |w| and sign(q, w): each int16 pair sum is at most 2 * 127 * 127 =
 *         32258 < 32767 because neither operand is ever -128, so it cannot saturate;
 *         vpmaddwd by 1 widens the pairs to int32. 4 rows x 1 panel per tile;
 *   portable: plain C over the same layout. */
#include "nn/qgemm.h"

#include <cpuid.h>
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

enum { HEADER = 64, PANEL = 16, GROUP = 4, VERSION = 1 };
static const char MAGIC[4] = {'S', 'Q', '8', 'W'};

static int round_up(int x, int m) { return (x + m - 1) / m * m; }

size_t qmatrix_bytes(int K, int N)
{
    if (K < 1 || K > QGEMM_MAX_K || N < 1 || N > QGEMM_MAX_N) return 0;
    size_t Kp = round_up(K, GROUP), Np = round_up(N, PANEL);
    return HEADER + Kp * Np + Np * sizeof(float) + Np * sizeof(int32_t);
}

/* Points m's arrays into a packed buffer of a [K x N] matrix. */
static void layout(const void *bytes, int K, int N, qmatrix *m)
{
    m->K = K, m->N = N, m->Kp = round_up(K, GROUP), m->Np = round_up(N, PANEL);
    const char *p = (const char *)bytes + HEADER;
    m->weights = (const int8_t *)p;
    p += (size_t)m->Kp * m->Np;
    m->scales = (const float *)p;
    m->colsums = (const int32_t *)(p + (size_t)m->Np * sizeof(float));
}

/* The scale of a vector with largest magnitude amax: amax / 127, rounded up so that
 * |x| / scale <= 127 for every element (no code is clamped, |error| <= scale / 2); 1 for a
 * zero vector (all codes 0). */
static float scale_for(float amax)
{
    if (amax == 0) return 1;
    float s = (float)(amax / 127.0);
    if ((double)s * 127.0 < amax) s = nextafterf(s, INFINITY);
    return s;
}

/* Byte offset of w_q[k][j] in the weights. */
static size_t weight_at(const qmatrix *m, int k, int j)
{
    return (size_t)(j / PANEL) * m->Kp * PANEL + (size_t)(k / GROUP) * GROUP * PANEL +
           (size_t)(j % PANEL) * GROUP + (size_t)(k % GROUP);
}

static void pack_column(const float *W, int K, int ldw, int j, qmatrix *m)
{
    float amax = 0;
    for (int k = 0; k < K; k++) amax = fmaxf(amax, fabsf(W[(size_t)k * ldw + j]));
    float s = scale_for(amax);
    double inv = 1.0 / s;
    int32_t sum = 0;
    for (int k = 0; k < K; k++) {
        int q = (int)lrint(W[(size_t)k * ldw + j] * inv);
        ((int8_t *)m->weights)[weight_at(m, k, j)] = (int8_t)q;
        sum += q;
    }
    ((float *)m->scales)[j] = s;
    ((int32_t *)m->colsums)[j] = sum;
}

int qmatrix_pack(const float *W, int K, int N, int ldw, void *out)
{
    size_t bytes = qmatrix_bytes(K, N);
    if (!bytes || ldw < N) {
        st_error("qmatrix_pack: bad size %d x %d (row stride %d)", K, N, ldw);
        return -1;
    }
    if ((uintptr_t)out % 64) {
        st_error("qmatrix_pack: output buffer not 64-byte aligned");
        return -1;
    }
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++)
            if (!isfinite(W[(size_t)k * ldw + j])) {
                st_error("qmatrix_pack: weight [%d][%d] is not finite", k, j);
                return -1;
            }
    memset(out, 0, bytes);
    uint32_t head[4] = {0, VERSION, (uint32_t)K, (uint32_t)N};
    memcpy(head, MAGIC, 4);
    memcpy(out, head, sizeof head);
    qmatrix m;
    layout(out, K, N, &m);
    for (int j = m.N; j < m.Np; j++) ((float *)m.scales)[j] = 1;
    for (int j = 0; j < N; j++) pack_column(W, K, ldw, j, &m);
    return 0;
}

int qmatrix_view(const void *bytes, size_t size, qmatrix *m)
{
    uint32_t head[4];
    if (size < HEADER || (uintptr_t)bytes % 64) {
        st_error("int8 matrix: %s", size < HEADER ? "truncated header" : "not 64-byte aligned");
        return -1;
    }
    memcpy(head, bytes, sizeof head);
    if (memcmp(head, MAGIC, 4) || head[1] != VERSION) {
        st_error("int8 matrix: bad magic or unknown layout version");
        return -1;
    }
    if (head[2] > QGEMM_MAX_K || head[3] > QGEMM_MAX_N ||
        qmatrix_bytes((int)head[2], (int)head[3]) != size) {
        st_error("int8 matrix: size %zu does not match %u x %u", size, head[2], head[3]);
        return -1;
    }
    layout(bytes, (int)head[2], (int)head[3], m);
    for (int j = 0; j < m->Np; j++)
        if (!isfinite(m->scales[j])) {
            st_error("int8 matrix: scale of column %d is not finite", j);
            return -1;
        }
    return 0;
}

int qmatrix_weight(const qmatrix *m, int k, int j) { return m->weights[weight_at(m, k, j)]; }

void qmatrix_row(const qmatrix *m, int k, float *out)
{
    const int8_t *w = m->weights + weight_at(m, k, 0);
    for (int p = 0; p * PANEL < m->N; p++, w += (size_t)m->Kp * PANEL) {
        int n = m->N - p * PANEL < PANEL ? m->N - p * PANEL : PANEL;
        for (int c = 0; c < n; c++) out[p * PANEL + c] = (float)w[c * GROUP] * m->scales[p * PANEL + c];
    }
}

/* ---- activations ---- */

/* M rows quantized: codes (+ the kernel's offset) in rows of Kp bytes, padding = offset. */
typedef struct {
    int M, Kp;
    const uint8_t *q;
    const float *scale;
} qrows;

/* Where a product goes: columns n0 <= j < n1 of C. */
typedef struct {
    const float *bias;
    float beta;
    float *C;
    int ldc, n0, n1;
} dest;

/* max |a_k| as the bit pattern of a float: for non-negative floats, and for infinity and
 * NaN above them all, unsigned order is numeric order, and an integer maximum vectorizes
 * (fmaxf is a call into libm here, and a float ?: maximum does not vectorize). */
static uint32_t abs_max_bits(const float *a, int K)
{
    uint32_t m = 0;
    for (int k = 0; k < K; k++) {
        uint32_t b;
        memcpy(&b, a + k, 4);
        b &= 0x7fffffffu;
        m = b > m ? b : m;
    }
    return m;
}

/* Quantizes one row of K floats to Kp bytes; returns its scale (NaN if a value is not
 * finite, so that row's outputs are NaN rather than silently wrong). */
static float quantize_row(const float *a, int K, int Kp, int offset, uint8_t *q)
{
    uint32_t bits = abs_max_bits(a, K);
    float amax;
    memcpy(&amax, &bits, 4);
    memset(q + K, offset, Kp - K);
    if (bits >= 0x7f800000u) { /* infinity or NaN */
        memset(q, offset, K);
        return NAN;
    }
    float s = scale_for(amax);
    if (s < 1e-37f) { /* 1 / s would overflow float: the rare tiny row, in double */
        for (int k = 0; k < K; k++) q[k] = (uint8_t)(lrint(a[k] / (double)s) + offset);
        return s;
    }
    float inv = 1 / s;
    for (int k = 0; k < K; k++) {
        float x = a[k] * inv;
        x = x < -127 ? -127 : x > 127 ? 127 : x; /* a * (1 / s) may pass 127 by an ulp */
        /* Adding and removing 1.5 * 2^23 rounds |x| < 2^22 to the nearest integer (ties to
         * even) in the current rounding mode, and vectorizes, unlike lrintf. -ffast-math
         * would fold it away (truncation; test_qgemm's bound check fails then). */
        int c = (int)((x + 12582912.0f) - 12582912.0f);
        q[k] = (uint8_t)(c + offset);
    }
    return s;
}

/* ---- shared epilogue ----
 * Every variant rounds the same operations in the same order, with explicit fused
 * multiply-adds (nothing left for the compiler to contract, whatever -ffp-contract), so
 * all variants give bit-identical outputs. */

/* Writes the int32 sums s[0 .. count) of row r, columns j0 .. j0+count, clipped to
 * [n0, n1). */
static void store_sums(const dest *d, const qmatrix *W, float sa, int r, int j0,
                       const int32_t *s, int count)
{
    int lo = j0 > d->n0 ? j0 : d->n0, hi = j0 + count < d->n1 ? j0 + count : d->n1;
    float *c = d->C + (size_t)r * d->ldc;
    for (int j = lo; j < hi; j++) {
        float v = fmaf((float)s[j - j0], sa * W->scales[j], d->bias ? d->bias[j] : 0);
        c[j] = d->beta == 0 ? v : fmaf(d->beta, c[j], v);
    }
}

/* ---- portable ---- */

static void run_portable(const qrows *a, const qmatrix *W, const dest *d)
{
    int groups = W->Kp / GROUP;
    for (int p = d->n0 / PANEL; p * PANEL < d->n1; p++) {
        const int8_t *w = W->weights + (size_t)p * W->Kp * PANEL;
        for (int r = 0; r < a->M; r++) {
            const int8_t *q = (const int8_t *)a->q + (size_t)r * a->Kp;
            int32_t s[PANEL] = {0};
            for (int g = 0; g < groups; g++) {
                const int8_t *x = q + g * GROUP, *wg = w + (size_t)g * GROUP * PANEL;
                for (int c = 0; c < PANEL; c++) /* columns innermost: vectorizable */
                    s[c] += x[0] * wg[4 * c] + x[1] * wg[4 * c + 1] + x[2] * wg[4 * c + 2] +
                            x[3] * wg[4 * c + 3];
            }
            store_sums(d, W, a->scale[r], r, p * PANEL, s, PANEL);
        }
    }
}

/* ---- AVX2 ---- */

#define TARGET_AVX2 __attribute__((target("avx2,fma")))
enum { MR = 4, NP512 = 4 };

/* The tiles below take their shape (mr rows, np panels) as arguments that are constants
 * at every call (always_inline), so their loops unroll and the accumulators stay in
 * registers; a product of one row does not pay for MR. */
#define INLINE static inline __attribute__((always_inline))

static void tile_rows(const qrows *a, int r0, int mr, const uint8_t *row[MR])
{
    for (int i = 0; i < mr; i++) row[i] = a->q + (size_t)(r0 + i) * a->Kp;
}

/* Calls tile(rows) with rows = min(MR, M - r0) as a constant. */
#define BY_ROWS(rows, tile) \
    switch (rows) { case 1: tile(1); break; case 2: tile(2); break; case 3: tile(3); break; default: tile(MR); }

static int32_t load4(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Stores 8 sums of columns j0 .. j0+7; offset 128: undo the +128 of the activation codes
 * (sum (q + 128) w = s + 128 colsum). */
TARGET_AVX2 static void store_avx2(const dest *d, const qmatrix *W, float sa, int r, int j0,
                                   __m256i s, int offset)
{
    if (offset)
        s = _mm256_sub_epi32(s, _mm256_slli_epi32(_mm256_load_si256((const __m256i *)(W->colsums + j0)), 7));
    if (j0 < d->n0 || j0 + 8 > d->n1) {
        int32_t v[8];
        _mm256_storeu_si256((__m256i *)v, s);
        store_sums(d, W, sa, r, j0, v, 8);
        return;
    }
    __m256 scale = _mm256_mul_ps(_mm256_set1_ps(sa), _mm256_loadu_ps(W->scales + j0));
    __m256 bias = d->bias ? _mm256_loadu_ps(d->bias + j0) : _mm256_setzero_ps();
    __m256 v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), scale, bias);
    float *c = d->C + (size_t)r * d->ldc + j0;
    if (d->beta != 0) v = _mm256_fmadd_ps(_mm256_set1_ps(d->beta), _mm256_loadu_ps(c), v);
    _mm256_storeu_ps(c, v);
}

TARGET_AVX2 INLINE void tile_avx2(const qrows *a, const qmatrix *W, int r0, int p, int mr,
                                  const dest *d)
{
    const uint8_t *row[MR];
    tile_rows(a, r0, mr, row);
    const int8_t *w = W->weights + (size_t)p * W->Kp * PANEL;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc[MR][2];
    for (int i = 0; i < mr; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
    for (int g = 0; g < W->Kp / GROUP; g++) {
        __m256i w0 = _mm256_load_si256((const __m256i *)(w + g * 64));
        __m256i w1 = _mm256_load_si256((const __m256i *)(w + g * 64 + 32));
        __m256i u0 = _mm256_abs_epi8(w0), u1 = _mm256_abs_epi8(w1);
        for (int i = 0; i < mr; i++) {
            __m256i x = _mm256_set1_epi32(load4(row[i] + g * GROUP));
            __m256i p0 = _mm256_maddubs_epi16(u0, _mm256_sign_epi8(x, w0));
            __m256i p1 = _mm256_maddubs_epi16(u1, _mm256_sign_epi8(x, w1));
            acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(p0, ones));
            acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(p1, ones));
        }
    }
    for (int i = 0; i < mr; i++) {
        store_avx2(d, W, a->scale[r0 + i], r0 + i, p * PANEL, acc[i][0], 0);
        store_avx2(d, W, a->scale[r0 + i], r0 + i, p * PANEL + 8, acc[i][1], 0);
    }
}

TARGET_AVX2 static void run_avx2(const qrows *a, const qmatrix *W, const dest *d)
{
    for (int p = d->n0 / PANEL; p * PANEL < d->n1; p++)
        for (int r0 = 0; r0 < a->M; r0 += MR) {
#define TILE(mr) tile_avx2(a, W, r0, p, mr, d)
            BY_ROWS(a->M - r0, TILE)
#undef TILE
        }
}

/* ---- AVX-VNNI: vpdpbusd on 256-bit registers (CPUs with it but without AVX-512) ---- */

#define TARGET_AVXVNNI __attribute__((target("avx2,fma,avxvnni")))

TARGET_AVXVNNI INLINE void tile_avxvnni(const qrows *a, const qmatrix *W, int r0, int p, int mr,
                                        const dest *d)
{
    const uint8_t *row[MR];
    tile_rows(a, r0, mr, row);
    const int8_t *w = W->weights + (size_t)p * W->Kp * PANEL;
    __m256i acc[MR][2];
    for (int i = 0; i < mr; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
    for (int g = 0; g < W->Kp / GROUP; g++) {
        __m256i w0 = _mm256_load_si256((const __m256i *)(w + g * 64));
        __m256i w1 = _mm256_load_si256((const __m256i *)(w + g * 64 + 32));
        for (int i = 0; i < mr; i++) {
            __m256i x = _mm256_set1_epi32(load4(row[i] + g * GROUP));
            acc[i][0] = _mm256_dpbusd_avx_epi32(acc[i][0], x, w0);
            acc[i][1] = _mm256_dpbusd_avx_epi32(acc[i][1], x, w1);
        }
    }
    for (int i = 0; i < mr; i++) {
        store_avx2(d, W, a->scale[r0 + i], r0 + i, p * PANEL, acc[i][0], 128);
        store_avx2(d, W, a->scale[r0 + i], r0 + i, p * PANEL + 8, acc[i][1], 128);
    }
}

TARGET_AVXVNNI static void run_avxvnni(const qrows *a, const qmatrix *W, const dest *d)
{
    for (int p = d->n0 / PANEL; p * PANEL < d->n1; p++)
        for (int r0 = 0; r0 < a->M; r0 += MR) {
#define TILE(mr) tile_avxvnni(a, W, r0, p, mr, d)
            BY_ROWS(a->M - r0, TILE)
#undef TILE
        }
}

/* ---- AVX-512 VNNI ---- */

#define TARGET_512 __attribute__((target("avx512f,avx512bw,avx512vnni,fma")))

/* What the output stage of one panel needs, the same for every row of a tile. */
typedef struct {
    __mmask16 keep;   /* the panel's columns inside n0 .. n1 */
    __m512i offset;   /* 128 colsum: undoes the +128 of the activation codes */
    __m512 scale, bias;
} panel_out;

TARGET_512 INLINE panel_out panel_out_512(const dest *d, const qmatrix *W, int p)
{
    int j0 = p * PANEL, lo = d->n0 - j0, hi = d->n1 - j0;
    panel_out o;
    o.keep = (__mmask16)((hi >= 16 ? 0xffff : (1u << hi) - 1) & (lo <= 0 ? 0xffff : ~((1u << lo) - 1)));
    o.offset = _mm512_slli_epi32(_mm512_load_si512(W->colsums + j0), 7);
    o.scale = _mm512_load_ps(W->scales + j0);
    o.bias = d->bias ? _mm512_maskz_loadu_ps(o.keep, d->bias + j0) : _mm512_setzero_ps();
    return o;
}

/* Row r of panel p: sum (q + 128) w = s + 128 colsum, scaled by both scales, plus bias. */
TARGET_512 INLINE void store_512(const dest *d, const panel_out *o, float sa, int r, int p, __m512i acc)
{
    __m512i s = _mm512_sub_epi32(acc, o->offset);
    __m512 v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(_mm512_set1_ps(sa), o->scale), o->bias);
    float *c = d->C + (size_t)r * d->ldc + p * PANEL;
    if (d->beta != 0) v = _mm512_fmadd_ps(_mm512_set1_ps(d->beta), _mm512_maskz_loadu_ps(o->keep, c), v);
    _mm512_mask_storeu_ps(c, o->keep, v);
}

TARGET_512 INLINE void tile_512(const qrows *a, const qmatrix *W, int r0, int p0, int mr, int np,
                                const dest *d)
{
    const uint8_t *row[MR];
    tile_rows(a, r0, mr, row);
    const int8_t *w[NP512];
    for (int j = 0; j < np; j++) w[j] = W->weights + (size_t)(p0 + j) * W->Kp * PANEL;
    __m512i acc[MR][NP512];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < np; j++) acc[i][j] = _mm512_setzero_si512();
    for (int g = 0; g < W->Kp / GROUP; g++) {
        __m512i wv[NP512];
        for (int j = 0; j < np; j++) wv[j] = _mm512_load_si512(w[j] + g * 64);
        for (int i = 0; i < mr; i++) {
            __m512i x = _mm512_set1_epi32(load4(row[i] + g * GROUP));
            for (int j = 0; j < np; j++) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], x, wv[j]);
        }
    }
    panel_out o[NP512];
    for (int j = 0; j < np; j++) o[j] = panel_out_512(d, W, p0 + j);
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < np; j++) store_512(d, &o[j], a->scale[r0 + i], r0 + i, p0 + j, acc[i][j]);
}

TARGET_512 static void run_512(const qrows *a, const qmatrix *W, const dest *d)
{
    int p = d->n0 / PANEL, p1 = (d->n1 + PANEL - 1) / PANEL;
    /* Panels outer: a group of panels (4 * Kp * 16 bytes) stays in cache for all rows. */
    for (; p + NP512 <= p1; p += NP512)
        for (int r0 = 0; r0 < a->M; r0 += MR) {
#define TILE(mr) tile_512(a, W, r0, p, mr, NP512, d)
            BY_ROWS(a->M - r0, TILE)
#undef TILE
        }
    for (; p < p1; p++)
        for (int r0 = 0; r0 < a->M; r0 += MR) {
#define TILE(mr) tile_512(a, W, r0, p, mr, 1, d)
            BY_ROWS(a->M - r0, TILE)
#undef TILE
        }
}

/* ---- choice ---- */

typedef struct {
    const char *name;
    int offset; /* added to the activation codes */
    void (*run)(const qrows *, const qmatrix *, const dest *);
    int (*runs_here)(void);
} kernel;

static int has_512(void)
{
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("fma");
}
static int has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
/* CPUID leaf 7.1 EAX bit 4 directly: clang 14's __builtin_cpu_supports lacks "avxvnni".
 * The avx2 test covers the OS saving the ymm registers. */
static int has_avxvnni(void)
{
    unsigned a, b, c, d;
    return has_avx2() && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a >> 4 & 1);
}
static int always(void) { return 1; }

/* Best first. */
static const kernel KERNELS[] = {
    {"avx512vnni", 128, run_512, has_512},
    {"avxvnni", 128, run_avxvnni, has_avxvnni},
    {"avx2", 0, run_avx2, has_avx2},
    {"portable", 0, run_portable, always},
};
enum { NKERNELS = sizeof KERNELS / sizeof KERNELS[0] };

static const kernel *chosen;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static const kernel *find(const char *name)
{
    for (int i = 0; i < NKERNELS; i++)
        if (!strcmp(KERNELS[i].name, name)) return &KERNELS[i];
    return NULL;
}

static void choose(void)
{
    __builtin_cpu_init();
    const char *want = getenv("SEQTRANS_QGEMM");
    const kernel *k = want && *want ? find(want) : NULL;
    if (want && *want && (!k || !k->runs_here())) {
        st_warn("SEQTRANS_QGEMM=%s: %s; using the best kernel", want,
                k ? "this CPU cannot run it" : "unknown (portable, avx2, avxvnni, avx512vnni)");
        k = NULL;
    }
    for (int i = 0; !k && i < NKERNELS; i++)
        if (KERNELS[i].runs_here()) k = &KERNELS[i];
    chosen = k;
}

static const kernel *current(void)
{
    pthread_once(&choose_once, choose);
    return chosen;
}

const char *qgemm_kernel_name(void) { return current()->name; }

int qgemm_set_kernel(const char *name)
{
    current();
    const kernel *k = find(name);
    if (!k || !k->runs_here()) return -1;
    chosen = k;
    return 0;
}

/* ---- entry points ---- */

void qgemm_cols(int M, const float *A, int lda, const qmatrix *W, const float *bias,
                float beta, float *C, int ldc, int n0, int n1)
{
    if (M < 1 || n0 >= n1) return;
    const kernel *k = current();
    /* Codes on the stack for the usual few rows; larger products pay one allocation. */
    _Alignas(64) uint8_t local[16384];
    float local_scale[64];
    size_t need = (size_t)M * W->Kp;
    uint8_t *q = need <= sizeof local ? local : xmalloc(need);
    float *scale = M <= 64 ? local_scale : xmalloc((size_t)M * sizeof *scale);
    for (int r = 0; r < M; r++)
        scale[r] = quantize_row(A + (size_t)r * lda, W->K, W->Kp, k->offset, q + (size_t)r * W->Kp);
    qrows a = {M, W->Kp, q, scale};
    dest d = {bias, beta, C, ldc, n0, n1};
    k->run(&a, W, &d);
    if (q != local) free(q);
    if (scale != local_scale) free(scale);
}

void qgemm(int M, const float *A, int lda, const qmatrix *W, const float *bias, float beta,
           float *C, int ldc)
{
    qgemm_cols(M, A, lda, W, bias, beta, C, ldc, 0, W->N);
}
