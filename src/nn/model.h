/* model: configuration, parameter layout and initialisation of the seq2seq model.
 * All parameters live in one flat float buffer described by model_layout(); gradients and
 * Adam moments use the same layout, so clipping, the optimizer and the model file are flat
 * loops over n_params floats. */
#ifndef SEQTRANS_MODEL_H
#define SEQTRANS_MODEL_H
#include <stddef.h>

#include "nn/cell.h"
#include "sys/util.h"
#include "text/bpe.h"
#include "text/vocab.h"

#define MODEL_MAX_LAYERS 8

typedef struct {
    int src_vocab, tgt_vocab; /* V sizes */
    int emb, hidden, layers;  /* E, H, recurrent layers of the encoder and of the decoder */
    int bidir;                /* encoder: each direction has H/2 units */
    int src_lang, tgt_lang;   /* lang_t of each side's tokenizer */
    int cell;                 /* cell_kind of every recurrent layer (0: LSTM) */
} model_config;

typedef struct {
    float *src_emb;                          /* [Vs x E] */
    float *tgt_emb;                          /* [Vt x E] */
    cell_weights enc[MODEL_MAX_LAYERS][2];   /* [layer][direction] */
    cell_weights dec[MODEL_MAX_LAYERS];
    float *attn_wa;                          /* [H x H] */
    float *attn_wc;                          /* [2H x H] */
    float *out_w;                            /* [H x Vt] */
    float *out_b;                            /* [Vt] */
    /* int8 models (nn/quant.h): what translation reads instead of the floats above (which
     * are then NULL, but for the biases, until quant_model_floats); else NULL. The keys'
     * matrix is Wa^T, so that keys = enc (Wa^T) is the kernel's x W. */
    const qmatrix *q_src_emb, *q_tgt_emb, *q_attn_keys, *q_attn_wc, *q_out_w;
} model_weights;

typedef struct {
    model_config cfg;
    vocab *src_vocab, *tgt_vocab;
    /* subword units of each side (text/subwords.h); NULL: word-level. Owned; with a joint
     * vocabulary both may be the same model. */
    bpe *src_bpe, *tgt_bpe;
    float *params;   /* NULL for an int8 model until quant_model_floats() */
    size_t n_params; /* the float layout's count, also for an int8 model */
    model_weights w;
    char *record;    /* how it was trained ("key=value" lines, see store/record.h), or NULL */
    void *storage;   /* when set, params point into it (a loaded file) and it is freed */
    void (*release)(void *storage); /* how, when not with free() */
    qmatrix *qmats;  /* int8 models (nn/quant.h): the views, into storage or the caller's image */
    float *qparams;  /* int8 models: params once dequantized, owned apart from storage */
    const void *qimage; /* int8 models: the QI8W image the views point into (nn/quant.h) */
    size_t qimage_len;
} model;

/* Checks sizes and combinations; prints what is wrong and returns -1. */
int model_config_check(const model_config *c);
/* Points w's tensors into base (which may be NULL to only count); returns the float count. */
size_t model_layout(const model_config *c, float *base, model_weights *w);
/* The embedding tables come first in the layout: the floats they take together. */
size_t model_embedding_floats(const model_config *c);
int model_encoder_directions(const model_config *c);
int model_encoder_units(const model_config *c); /* H per direction */
/* The cell of every recurrent layer. */
const cell_ops *model_cell(const model_config *c);

/* Allocates parameters for cfg (zeroed); the model takes ownership of the vocabularies. */
model *model_new(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab);
/* The same around existing parameters (model_layout(cfg) floats) inside storage, which the
 * model takes ownership of. */
model *model_wrap(const model_config *cfg, vocab *src_vocab, vocab *tgt_vocab, float *params,
                  void *storage);
/* Uniform(-0.1, 0.1) weights; the cells' biases as each kind wants them. */
void model_init_weights(model *m, rng_t *rng);
void model_free(model *m);

#endif
