#include "nn/quant.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/qgemm.h"
#include "sys/blas.h"

/* One matrix of the image: the float matrix it comes from ([K x N] row-major; when
 * transposed, the float matrix is [N x K] and the image holds its transpose), and where
 * the model's view of it goes. */
typedef struct {
    float *w;
    int K, N, transposed;
    const qmatrix **view;
} quant_spec;

enum { MAX_SPECS = 6 * MODEL_MAX_LAYERS + 5, MAX_BIASES = 6 * MODEL_MAX_LAYERS + 1 };

static int cell_specs(cell_weights *cw, int G, quant_spec *s)
{
    s[0] = (quant_spec){cw->wx, cw->in, G, 0, &cw->qx};
    s[1] = (quant_spec){cw->wh, cw->hidden, G, 0, &cw->qh};
    return 2;
}

/* Every matrix of w, in image order (only the shapes are used when w's floats are NULL). */
static int quant_specs(const model_config *c, model_weights *w, quant_spec *s)
{
    int n = 0, G = model_cell(c)->gates, H = c->hidden;
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < model_encoder_directions(c); d++)
            n += cell_specs(&w->enc[l][d], G * w->enc[l][d].hidden, s + n);
    for (int l = 0; l < c->layers; l++) n += cell_specs(&w->dec[l], G * H, s + n);
    s[n++] = (quant_spec){w->attn_wa, H, H, 1, &w->q_attn_keys};
    s[n++] = (quant_spec){w->attn_wc, 2 * H, H, 0, &w->q_attn_wc};
    s[n++] = (quant_spec){w->out_w, H, c->tgt_vocab, 0, &w->q_out_w};
    s[n++] = (quant_spec){w->src_emb, c->src_vocab, c->emb, 0, &w->q_src_emb};
    s[n++] = (quant_spec){w->tgt_emb, c->tgt_vocab, c->emb, 0, &w->q_tgt_emb};
    return n;
}

/* The floats in no matrix, the biases, in the layout's order (nn/model.c): where each
 * one's pointer is, and its length. */
typedef struct {
    float **at;
    size_t n;
} quant_bias;

static int cell_biases(const cell_ops *cell, cell_weights *cw, quant_bias *b)
{
    size_t G = (size_t)cell->gates * cw->hidden;
    b[0] = (quant_bias){&cw->b, G};
    if (cell->recurrent_bias) b[1] = (quant_bias){&cw->bh, G};
    return cell->recurrent_bias ? 2 : 1;
}

static int quant_biases(const model_config *c, model_weights *w, quant_bias *b)
{
    const cell_ops *cell = model_cell(c);
    int n = 0;
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < model_encoder_directions(c); d++) n += cell_biases(cell, &w->enc[l][d], b + n);
    for (int l = 0; l < c->layers; l++) n += cell_biases(cell, &w->dec[l], b + n);
    b[n++] = (quant_bias){&w->out_b, (size_t)c->tgt_vocab};
    return n;
}

static size_t bias_floats(const quant_bias *b, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++) total += b[i].n;
    return total;
}

/* The image's bytes; *fused: what the first layout (cells as one [Wx; Wh] matrix) took,
 * to name an image of it. */
static size_t image_bytes(const model_config *c, size_t *fused)
{
    model_weights w; /* shapes only: its pointers are NULL */
    model_layout(c, NULL, &w);
    quant_spec s[MAX_SPECS];
    quant_bias b[MAX_BIASES];
    int n = quant_specs(c, &w, s), cells = 2 * c->layers * (model_encoder_directions(c) + 1);
    size_t bytes = bias_floats(b, quant_biases(c, &w, b)) * sizeof(float), old = bytes;
    for (int i = 0; i < n; i++) {
        size_t one = qmatrix_bytes(s[i].K, s[i].N);
        if (!one) return 0;
        bytes += one;
        if (i >= cells) old += one;
        else if (i % 2) old += qmatrix_bytes(s[i - 1].K + s[i].K, s[i].N);
    }
    if (fused) *fused = old;
    return bytes;
}

size_t quant_image_bytes(const model_config *c) { return image_bytes(c, NULL); }

/* The matrix as the image holds it: itself, or its transpose in *tmp (freed by the caller). */
static const float *packed_source(const quant_spec *s, float **tmp)
{
    *tmp = NULL;
    if (!s->transposed) return s->w;
    *tmp = xmalloc((size_t)s->K * s->N * sizeof(float));
    for (int k = 0; k < s->K; k++)
        for (int j = 0; j < s->N; j++) (*tmp)[(size_t)k * s->N + j] = s->w[(size_t)j * s->K + k];
    return *tmp;
}

int quant_image_build(const model *m, void *out)
{
    model_weights w = m->w;
    quant_spec s[MAX_SPECS];
    quant_bias b[MAX_BIASES];
    int n = quant_specs(&m->cfg, &w, s), nb = quant_biases(&m->cfg, &w, b);
    unsigned char *p = out;
    for (int i = 0; i < n; i++) {
        float *tmp;
        int rc = qmatrix_pack(packed_source(&s[i], &tmp), s[i].K, s[i].N, s[i].N, p);
        free(tmp);
        if (rc != 0) return -1;
        p += qmatrix_bytes(s[i].K, s[i].N);
    }
    for (int i = 0; i < nb; i++) {
        memcpy(p, *b[i].at, b[i].n * sizeof(float));
        p += b[i].n * sizeof(float);
    }
    return 0;
}

/* Finite and within 2^50, as the float format asks of parameters. */
static int floats_in_range(const float *f, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) bad |= !(fabsf(f[i]) <= 0x1p50f);
    return !bad;
}

/* Scales within 2^40, so that every dequantized weight is within the float format's 2^50. */
static int scales_in_range(const qmatrix *q)
{
    int bad = 0;
    for (int j = 0; j < q->N; j++) bad |= !(fabsf(q->scales[j]) <= 0x1p40f);
    return !bad;
}

/* Points the model's views at the image's matrices and its biases into the image. */
static int view_image(model *m, const unsigned char *p)
{
    quant_spec s[MAX_SPECS];
    quant_bias b[MAX_BIASES];
    int n = quant_specs(&m->cfg, &m->w, s), nb = quant_biases(&m->cfg, &m->w, b);
    for (int i = 0; i < n; i++) {
        size_t bytes = qmatrix_bytes(s[i].K, s[i].N);
        if (qmatrix_view(p, bytes, &m->qmats[i]) != 0 || m->qmats[i].K != s[i].K || m->qmats[i].N != s[i].N ||
            !scales_in_range(&m->qmats[i])) {
            st_error("int8 weights: matrix %d of %d is not a [%d x %d] int8 matrix with finite scales within 2^40",
                     i + 1, n, s[i].K, s[i].N);
            return -1;
        }
        *s[i].view = &m->qmats[i];
        p += bytes;
    }
    /* Read only: translation never writes a weight. */
    const float *f = (const void *)p;
    for (int i = 0; i < nb; i++) {
        *b[i].at = (float *)f;
        if (!floats_in_range(f, b[i].n)) {
            st_error("int8 weights: non-finite biases, or beyond 2^50");
            return -1;
        }
        f += b[i].n;
    }
    return 0;
}

model *quant_model_from_image(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab,
                              const void *image, size_t len)
{
    size_t fused, need = image_bytes(cfg, &fused);
    if (len != need || (uintptr_t)image % 64) {
        if (len == fused && fused != need)
            st_error("int8 weights in the first layout (one matrix per cell), which this seqtrans "
                     "no longer reads: quantize the float model again");
        else
            st_error("int8 weights of %zu bytes, the configuration needs %zu", len, need);
        return NULL;
    }
    model *m = model_wrap(cfg, src_vocab, tgt_vocab, NULL, NULL);
    m->qimage = image;
    m->qimage_len = len;
    m->qmats = xcalloc(MAX_SPECS, sizeof *m->qmats);
    if (view_image(m, image) != 0) {
        m->src_vocab = m->tgt_vocab = NULL; /* still the caller's */
        model_free(m);
        return NULL;
    }
    return m;
}

/* Writes the float matrix of s from its view q: w = w_q * the scale of its column, walking
 * the packed layout (qgemm.h: panels of 16 columns, groups of 4 rows, byte 4c + t) in order. */
static void dequantize(const quant_spec *s, const qmatrix *q)
{
    size_t row = s->transposed ? 1 : (size_t)q->N, col = s->transposed ? (size_t)q->K : 1;
    const int8_t *b = q->weights;
    for (int p = 0; p < q->Np / 16; p++)
        for (int g = 0; g < q->Kp / 4; g++, b += 64)
            for (int c = 0; c < 16 && 16 * p + c < q->N; c++) {
                int j = 16 * p + c;
                for (int t = 0; t < 4 && 4 * g + t < q->K; t++)
                    s->w[(size_t)(4 * g + t) * row + j * col] = (float)b[4 * c + t] * q->scales[j];
            }
}

void quant_model_floats(model *m)
{
    if (!m->qimage || m->params) return;
    model_weights views = m->w;
    m->params = m->qparams = xmalloc(m->n_params * sizeof(float));
    model_layout(&m->cfg, m->params, &m->w);
    quant_spec s[MAX_SPECS], v[MAX_SPECS];
    quant_bias b[MAX_BIASES], from[MAX_BIASES];
    int n = quant_specs(&m->cfg, &m->w, s), nb = quant_biases(&m->cfg, &m->w, b);
    quant_specs(&m->cfg, &views, v);
    quant_biases(&m->cfg, &views, from);
    for (int i = 0; i < n; i++) {
        *s[i].view = *v[i].view;
        dequantize(&s[i], *s[i].view);
    }
    for (int i = 0; i < nb; i++) memcpy(*b[i].at, *from[i].at, b[i].n * sizeof(float));
}

void quant_matmul(int M, const float *A, int lda, const float *w, const qmatrix *q, int K, int N,
                  float beta, float *C, int ldc)
{
    if (q) qgemm(M, A, lda, q, NULL, beta, C, ldc);
    else gemm(0, 0, M, N, K, 1, A, lda, w, N, beta, C, ldc);
}
