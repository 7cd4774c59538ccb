/* encoder: source embedding, dropout and the stack of (bi)directional LSTM layers.
 * Shared by training (forward and backward) and decoding (forward, no dropout). */
#ifndef SEQTRANS_ENCODER_H
#define SEQTRANS_ENCODER_H
#include "sys/arena.h"
#include "nn/model.h"

typedef struct {
    int S, B, H;
    const int *src;       /* [S][B] ids */
    const int *src_len;   /* [B] */
    float *emb;           /* [S][B][E] after dropout */
    float *emb_mask;
    float *inputs[MODEL_MAX_LAYERS];      /* input of each layer (layer 0: emb) */
    float *drop_mask[MODEL_MAX_LAYERS];   /* dropout between layers (l >= 1) */
    lstm_state lstm[MODEL_MAX_LAYERS][2];
    float *outputs[MODEL_MAX_LAYERS];     /* [S][B][H], both directions side by side */
    float *final_h[MODEL_MAX_LAYERS];     /* [B][H]: initial state of the decoder's layer */
    float *final_c[MODEL_MAX_LAYERS];
} encoder_state;

/* Runs the encoder for training, keeping what encoder_backward needs; every buffer comes
 * from the arena. */
void encoder_forward(const model *m, encoder_state *e, arena *ar, const int *src,
                     const int *src_len, int S, int B, float dropout, rng_t *rng);
/* Runs the encoder for translation: fills only outputs, final_h and final_c, in far less
 * memory (no per-step gates or cell states). */
void encoder_infer(const model *m, encoder_state *e, arena *ar, const int *src,
                   const int *src_len, int S, int B);

/* Given the gradients of the top layer's outputs and of every layer's final state
 * ([B][H] each, may be NULL), adds the encoder's parameter gradients into g. */
void encoder_backward(const model *m, model_weights *g, const encoder_state *e, arena *ar,
                      float *dtop, float *const *dfinal_h, float *const *dfinal_c, float dropout);

#endif
