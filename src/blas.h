/* blas: OpenBLAS kernel selection and the matrix products the layers use.
 * Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and falls back to a generic kernel
 * about ten times slower; blas_init() notices and re-executes the program with
 * OPENBLAS_CORETYPE set to the best kernel the CPU supports. A user's own
 * OPENBLAS_CORETYPE always wins. */
#ifndef SEQTRANS_BLAS_H
#define SEQTRANS_BLAS_H

/* Call first thing in main(). May not return (re-exec). */
void blas_init(int argc, char **argv);
/* The kernel OpenBLAS now uses, e.g. "SkylakeX". */
const char *blas_kernel(void);
/* The kernel this CPU should use, or NULL when OpenBLAS's own choice is fine. */
const char *blas_preferred_kernel(void);
/* "OpenBLAS 0.3.21 ... kernel SkylakeX (selected by seqtrans)" for --version. */
const char *blas_description(void);
void blas_set_threads(int n);

/* C = alpha * op(A) op(B) + beta * C, row-major; ta/tb: transpose A/B.
 * A is M x K (K x M when ta), B is K x N (N x K when tb); lda/ldb/ldc are row strides. */
void gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);

/* y = alpha * op(A) x + beta * y, row-major A (M x N, row stride lda). */
void gemv(int ta, int M, int N, float alpha, const float *A, int lda, const float *x,
          float beta, float *y);

#endif
