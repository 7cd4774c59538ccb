/* quant: int8 models for translation. A quantized model's weight matrices are stored as
 * qmatrix (nn/qgemm.h, pre-packed, per-column scales) in one byte image, the model file's
 * QI8W section; the floats that are not in a matrix (biases) follow as float32. The image's
 * layout follows from the configuration alone (quant_image_bytes), so the reader needs no
 * directory of its own:
 *   for every matrix in quant order (each cell's fused [Wx; Wh] of the encoder then the
 *   decoder, attention Wa, combination Wc, output W, source then target embedding):
 *   qmatrix_bytes(K, N) bytes, each a multiple of 64; then every other float of the
 *   model_layout, in layout order.
 * In memory the model keeps its whole float layout (dequantized once when loaded, so every
 * path that reads floats, e.g. eval's loss, still works), and the search's products (cell
 * step, combination, output layer) read the int8 views instead: model_weights' q fields. */
#ifndef SEQTRANS_QUANT_H
#define SEQTRANS_QUANT_H
#include <stddef.h>

#include "nn/model.h"

/* Bytes of the QI8W image of a model of cfg; 0 if a matrix is beyond the kernel's limits. */
size_t quant_image_bytes(const model_config *cfg);
/* Writes m's image (quant_image_bytes, 64-byte aligned out). Returns 0, or -1 with st_error(). */
int quant_image_build(const model *m, void *out);
/* Makes an int8 model from an image: params are dequantized into a new float layout, the
 * views point into image (which must outlive the model; storage, when set, is the model's
 * to free as model_wrap's). Returns NULL with st_error() if the image is not well formed. */
model *quant_model_from_image(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab,
                              const void *image, size_t len);
/* y = x W (+ beta y) with W float [K x N] row-major, or its int8 view q when q != NULL. */
void quant_matmul(int M, const float *A, int lda, const float *w, const qmatrix *q, int K, int N,
                  float beta, float *C, int ldc);

#endif
