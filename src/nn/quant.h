/* quant: int8 models for translation. A quantized model's weight matrices are stored as
 * qmatrix (nn/qgemm.h, pre-packed, per-column scales) in one byte image, the model file's
 * QI8W section; the biases follow as float32. The image's layout follows from the
 * configuration alone (quant_image_bytes), so the reader needs no directory of its own:
 *   for every matrix in this order: each cell's Wx then Wh (encoder layers and directions,
 *   then decoder layers), the attention keys' Wa^T, combination Wc, output W, source then
 *   target embedding: qmatrix_bytes(K, N) bytes, each a multiple of 64; then every bias of
 *   the model_layout, in layout order (cells' b and bh, then the output layer's).
 * Wx and Wh are apart so that the input projection over a whole sequence, the recurrent
 * step and the GRU's separate candidate product each run on int8, with x and h quantized
 * with scales of their own. A model read from an image holds no float copy of its weights:
 * the views and the biases point into the image, translation runs every product on int8
 * and looks embeddings up by dequantizing one row; quant_model_floats() makes the float
 * layout for the paths that need it (eval's teacher-forced loss). */
#ifndef SEQTRANS_QUANT_H
#define SEQTRANS_QUANT_H
#include <stddef.h>

#include "nn/model.h"

/* Bytes of the QI8W image of a model of cfg; 0 if a matrix is beyond the kernel's limits. */
size_t quant_image_bytes(const model_config *cfg);
/* Writes m's image (quant_image_bytes, 64-byte aligned out). Returns 0, or -1 with st_error(). */
int quant_image_build(const model *m, void *out);
/* Makes an int8 model from an image: the views and biases point into image (which must
 * outlive the model; storage, when set, is the model's to free as model_wrap's), params is
 * NULL. Returns NULL with st_error() if the image is not well formed. */
model *quant_model_from_image(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab,
                              const void *image, size_t len);
/* Gives an int8 model its float layout, dequantized (once; nothing for other models). */
void quant_model_floats(model *m);
/* y = x W (+ beta y) with W float [K x N] row-major, or its int8 view q when q != NULL. */
void quant_matmul(int M, const float *A, int lda, const float *w, const qmatrix *q, int K, int N,
                  float beta, float *C, int ldc);

#endif
