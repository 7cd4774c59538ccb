/* qgemm: C = A * dequant(W) with W stored as pre-packed int8, for decoding with int8 models.
 *
 * W is a float matrix [K x N], row-major, used as y = x W (output layer [H x V], LSTM
 * [in x 4H], attention [H x H]). qmatrix_pack() quantizes it symmetrically per output column
 * (sw_j = max_k |W[k][j]| / 127, w_q = round(W / sw_j) in [-127, 127]) and writes it, once,
 * in the one layout every kernel variant reads, so no call repacks weights. The packed form
 * is a flat byte buffer that may live in a mapped model file; qmatrix_view() checks and
 * wraps it. Activations are quantized per row at each call (symmetric, see qgemm.c),
 * products are summed exactly in int32, the output is float.
 *
 * Packed layout (all little-endian, version 1), total qmatrix_bytes(K, N), every part
 * starting at a multiple of 64 bytes from the start of the buffer:
 *   header   64 bytes: char magic[4] "SQ8W", uint32 version 1, uint32 K, uint32 N,
 *            zero up to 64 bytes;
 *   weights  Kp * Np int8, Kp = K rounded up to 4, Np = N rounded up to 16: panel p
 *            (columns 16p .. 16p+15) is Kp * 16 contiguous bytes; in it, group g (rows
 *            4g .. 4g+3) is 64 bytes, byte 4c + t = w_q[4g + t][16p + c]. One group is one
 *            AVX-512 register of 16 columns x 4 rows (the operand of vpdpbusd), or two AVX2
 *            registers of 8 columns. Padding rows and columns are 0;
 *   scales   Np float, sw_j (1 for padding and all-zero columns);
 *   colsums  Np int32, sum_k w_q[k][j] (the correction of the unsigned-activation trick).
 *
 * Limits: 1 <= K <= QGEMM_MAX_K (int32 sums cannot overflow), 1 <= N <= QGEMM_MAX_N.
 * Kernels: "avx512vnni", "avxvnni", "avx2", "portable", the best the CPU runs chosen at
 * first use; SEQTRANS_QGEMM=<name> forces one (a warning and the best one if the CPU lacks
 * it). The
 * kernels are single-threaded and reentrant; qgemm_cols() computes a column range so a
 * caller can split the columns between threads. */
#ifndef SEQTRANS_QGEMM_H
#define SEQTRANS_QGEMM_H
#include <stddef.h>
#include <stdint.h>

#define QGEMM_MAX_K 131072   /* K * 127 * 127 < 2^31 */
#define QGEMM_MAX_N (1 << 24)

typedef struct {
    int K, N, Kp, Np;
    const int8_t *weights;   /* panels as above */
    const float *scales;     /* Np */
    const int32_t *colsums;  /* Np */
} qmatrix;

/* Bytes of the packed form of a [K x N] matrix; 0 if K or N is out of range. */
size_t qmatrix_bytes(int K, int N);
/* Quantizes W [K x N] (row stride ldw >= N) into out, qmatrix_bytes(K, N) bytes, 64-byte
 * aligned. Returns 0, or -1 with st_error() for bad sizes, a misaligned out or a
 * non-finite weight. */
int qmatrix_pack(const float *W, int K, int N, int ldw, void *out);
/* Wraps size bytes at bytes (64-byte aligned, e.g. a mapped file section) as *m after
 * checking the header, the size and that the scales are finite. Returns 0, or -1 with
 * st_error(). */
int qmatrix_view(const void *bytes, size_t size, qmatrix *m);
/* The quantized weight w_q[k][j] (for tests and tools). */
int qmatrix_weight(const qmatrix *m, int k, int j);
/* Row k dequantized: out[j] = w_q[k][j] * sw_j for j < N (an int8 embedding's lookup). */
void qmatrix_row(const qmatrix *m, int k, float *out);

/* C[M x N] = beta * C + A[M x K] * dequant(W) + bias (bias may be NULL; with beta == 0,
 * C is only written, so it may hold anything). lda >= K, ldc >= N. */
void qgemm(int M, const float *A, int lda, const qmatrix *W, const float *bias, float beta,
           float *C, int ldc);
/* The same for columns n0 <= j < n1 only (0 <= n0 <= n1 <= N); C still points at column 0.
 * Ranges split at multiples of 16 share no packed panel. */
void qgemm_cols(int M, const float *A, int lda, const qmatrix *W, const float *bias,
                float beta, float *C, int ldc, int n0, int n1);

/* The kernel in use, e.g. "avx512vnni" (for seqtrans --version). */
const char *qgemm_kernel_name(void);
/* Forces kernel name ("portable", "avx2", "avxvnni", "avx512vnni"); call before starting threads.
 * Returns 0, or -1 if the name is unknown or this CPU cannot run it (kernel unchanged). */
int qgemm_set_kernel(const char *name);

#endif
