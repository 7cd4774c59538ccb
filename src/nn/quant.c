#include "nn/quant.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/qgemm.h"
#include "sys/blas.h"

/* One matrix of the layout: where it starts in the float params, its shape, and where its
 * int8 view goes (NULL: only stored, dequantized when loaded). */
typedef struct {
    const float *w;
    int K, N;
    const qmatrix **view;
} quant_spec;

enum { MAX_SPECS = 4 * MODEL_MAX_LAYERS + 5 };

/* Every matrix of w, in image order. The cells' Wh follows Wx in the layout, so [Wx; Wh] is
 * one matrix, the operand of the step's fused product. */
static int quant_specs(const model_config *c, model_weights *w, quant_spec *s)
{
    int n = 0, G = model_cell(c)->gates;
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < model_encoder_directions(c); d++) {
            cell_weights *cw = &w->enc[l][d];
            s[n++] = (quant_spec){cw->wx, cw->in + cw->hidden, G * cw->hidden, &cw->q};
        }
    for (int l = 0; l < c->layers; l++) {
        cell_weights *cw = &w->dec[l];
        s[n++] = (quant_spec){cw->wx, cw->in + cw->hidden, G * cw->hidden, &cw->q};
    }
    int H = c->hidden;
    s[n++] = (quant_spec){w->attn_wa, H, H, NULL};
    s[n++] = (quant_spec){w->attn_wc, 2 * H, H, &w->q_attn_wc};
    s[n++] = (quant_spec){w->out_w, H, c->tgt_vocab, &w->q_out_w};
    s[n++] = (quant_spec){w->src_emb, c->src_vocab, c->emb, NULL};
    s[n++] = (quant_spec){w->tgt_emb, c->tgt_vocab, c->emb, NULL};
    return n;
}

/* Marks in covered[] the floats of params that the matrices hold. */
static unsigned char *covered_floats(const float *params, size_t n_params, const quant_spec *s, int n)
{
    unsigned char *covered = xcalloc(n_params ? n_params : 1, 1);
    for (int i = 0; i < n; i++) memset(covered + (s[i].w - params), 1, (size_t)s[i].K * s[i].N);
    return covered;
}

size_t quant_image_bytes(const model_config *c)
{
    model_weights w; /* only the shapes are used: its pointers are NULL */
    size_t n_params = model_layout(c, NULL, &w);
    quant_spec s[MAX_SPECS];
    int n = quant_specs(c, &w, s);
    size_t bytes = 0, in_mats = 0;
    for (int i = 0; i < n; i++) {
        size_t b = qmatrix_bytes(s[i].K, s[i].N);
        if (!b) return 0;
        bytes += b;
        in_mats += (size_t)s[i].K * s[i].N;
    }
    return bytes + (n_params - in_mats) * sizeof(float);
}

int quant_image_build(const model *m, void *out)
{
    model_weights w = m->w;
    quant_spec s[MAX_SPECS];
    int n = quant_specs(&m->cfg, &w, s);
    unsigned char *p = out;
    for (int i = 0; i < n; i++) {
        if (qmatrix_pack(s[i].w, s[i].K, s[i].N, s[i].N, p) != 0) return -1;
        p += qmatrix_bytes(s[i].K, s[i].N);
    }
    unsigned char *covered = covered_floats(m->params, m->n_params, s, n);
    for (size_t i = 0; i < m->n_params; i++)
        if (!covered[i]) {
            memcpy(p, &m->params[i], sizeof(float));
            p += sizeof(float);
        }
    free(covered);
    return 0;
}

/* Fills the matrix's floats from its view: w = w_q * scale of its column. It walks the
 * packed layout (qgemm.h: panels of 16 columns, groups of 4 rows, byte 4c + t) in order,
 * since every translator start dequantizes the whole model. */
static int dequantize(const qmatrix *q, float *w)
{
    for (int j = 0; j < q->N; j++)
        if (!isfinite(q->scales[j]) || fabsf(q->scales[j]) > 0x1p40f) return -1;
    const int8_t *b = q->weights;
    for (int p = 0; p < q->Np / 16; p++)
        for (int g = 0; g < q->Kp / 4; g++, b += 64)
            for (int c = 0; c < 16 && 16 * p + c < q->N; c++) {
                int j = 16 * p + c;
                for (int t = 0; t < 4 && 4 * g + t < q->K; t++)
                    w[(size_t)(4 * g + t) * q->N + j] = (float)b[4 * c + t] * q->scales[j];
            }
    return 0;
}

model *quant_model_from_image(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab,
                              const void *image, size_t len)
{
    if (len != quant_image_bytes(cfg) || (uintptr_t)image % 64) {
        st_error("int8 weights of %zu bytes, the configuration needs %zu", len, quant_image_bytes(cfg));
        return NULL;
    }
    size_t n_params = model_layout(cfg, NULL, NULL);
    model *m = model_wrap(cfg, src_vocab, tgt_vocab, xmalloc(n_params * sizeof(float)), NULL);
    m->qparams = m->params;
    m->qimage = image;
    m->qimage_len = len;
    quant_spec s[MAX_SPECS];
    int n = quant_specs(cfg, &m->w, s);
    m->qmats = xcalloc((size_t)n, sizeof *m->qmats);
    const unsigned char *p = image;
    for (int i = 0; i < n; i++) {
        size_t b = qmatrix_bytes(s[i].K, s[i].N);
        if (qmatrix_view(p, b, &m->qmats[i]) != 0 || m->qmats[i].K != s[i].K || m->qmats[i].N != s[i].N ||
            dequantize(&m->qmats[i], (float *)s[i].w) != 0) {
            st_error("int8 weights: matrix %d of %d is not a [%d x %d] int8 matrix with finite scales",
                     i + 1, n, s[i].K, s[i].N);
            m->src_vocab = m->tgt_vocab = NULL; /* still the caller's */
            model_free(m);
            return NULL;
        }
        if (s[i].view) *s[i].view = &m->qmats[i];
        p += b;
    }
    unsigned char *covered = covered_floats(m->params, n_params, s, n);
    int bad = 0;
    for (size_t i = 0; i < n_params; i++)
        if (!covered[i]) {
            memcpy(&m->params[i], p, sizeof(float));
            bad |= !isfinite(m->params[i]) || fabsf(m->params[i]) > 0x1p50f;
            p += sizeof(float);
        }
    free(covered);
    if (bad) {
        st_error("int8 weights: non-finite biases, or beyond 2^50");
        m->src_vocab = m->tgt_vocab = NULL;
        model_free(m);
        return NULL;
    }
    return m;
}

void quant_matmul(int M, const float *A, int lda, const float *w, const qmatrix *q, int K, int N,
                  float beta, float *C, int ldc)
{
    if (q) qgemm(M, A, lda, q, NULL, beta, C, ldc);
    else gemm(0, 0, M, N, K, 1, A, lda, w, N, beta, C, ldc);
}
