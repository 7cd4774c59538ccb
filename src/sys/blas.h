/* blas: OpenBLAS, loaded at run time with the kernel chosen for this CPU, and the matrix
 * products the layers use.
 * Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and falls back to a generic kernel
 * about ten times slower, so seqtrans names the kernel for the CPU's instruction set
 * (AVX-512: SkylakeX, AVX2 and FMA: Haswell, AVX: Sandybridge) before OpenBLAS starts.
 * A user's own OPENBLAS_CORETYPE always wins. OpenBLAS runs single-threaded: seqtrans
 * splits the work between its own threads. */
#ifndef SEQTRANS_BLAS_H
#define SEQTRANS_BLAS_H

/* Starts loading OpenBLAS on a thread of its own; call first thing in main(), before any
 * other thread starts (it sets OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS, which stay set).
 * Products wait for the loading, or load it themselves if blas_init was not called. */
void blas_init(void);
/* The kernel OpenBLAS now uses, e.g. "SkylakeX". */
const char *blas_kernel(void);
/* The kernel this CPU should use, or NULL when OpenBLAS's own choice is fine. */
const char *blas_preferred_kernel(void);
/* "OpenBLAS 0.3.21 ... kernel SkylakeX (selected by seqtrans)" for --version. */
const char *blas_description(void);
/* Threads a single product may use (1 by default): only products of a few rows by a large
 * matrix are split, for a chunk of work too small to split any other way. Returns the
 * number set before. */
int blas_set_threads(int n);

/* C = alpha * op(A) op(B) + beta * C, row-major; ta/tb: transpose A/B.
 * A is M x K (K x M when ta), B is K x N (N x K when tb); lda/ldb/ldc are row strides. */
void gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);

/* y = alpha * op(A) x + beta * y, row-major A (M x N, row stride lda). */
void gemv(int ta, int M, int N, float alpha, const float *A, int lda, const float *x,
          float beta, float *y);

#endif
