/* encoder: source embedding, dropout and the stack of (bi)directional recurrent layers.
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
    cell_seq rnn[MODEL_MAX_LAYERS][2];
    float *outputs[MODEL_MAX_LAYERS];     /* [S][B][H], both directions side by side */
    /* [B][H] each: the carries of each layer's final state, the initial state of the
     * decoder's layer */
    float *final[MODEL_MAX_LAYERS][CELL_MAX_CARRIES];
} encoder_state;

/* Runs the encoder for training, keeping what encoder_backward needs; every buffer comes
 * from the arena. */
void encoder_forward(const model *m, encoder_state *e, arena *ar, const int *src,
                     const int *src_len, int S, int B, float dropout, rng_t *rng);
/* Runs the encoder for translation: fills only the top outputs and final, in far less
 * memory (no per-step gates or cell states). */
void encoder_infer(const model *m, encoder_state *e, arena *ar, const int *src,
                   const int *src_len, int S, int B);

/* The gradients of the encoder's final states, [layer][carry] of [B][H] (entries may be NULL). */
typedef float *encoder_final_grads[MODEL_MAX_LAYERS][CELL_MAX_CARRIES];

/* Given the gradients of the top layer's outputs and of every layer's final state (dfinal
 * may be NULL), adds the encoder's parameter gradients into g. */
void encoder_backward(const model *m, model_weights *g, const encoder_state *e, arena *ar,
                      float *dtop, encoder_final_grads *dfinal, float dropout);

#endif
