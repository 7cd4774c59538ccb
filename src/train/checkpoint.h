/* checkpoint: what training writes to the model file, and the weights it waits to write.
 *
 * The model file holds the kept model (the best by dev score when there is a dev set, else
 * the current one) and, in its state section, the training state that --resume reads:
 * everything that decides what the run does next. Version 2, little-endian, at these byte
 * offsets (P = the parameter count):
 *     0  u32 version (1)     4  u32 epochs done     8  u32 best epoch   12  u32 bad epochs
 *    16  i64 step           24  i64 batch in epoch 32  i64 target tokens
 *    40  u64[4] data generator, 72 u64[4] epoch generator, 104 u64[4] dropout generator
 *   136  f64 elapsed seconds (kept only by an interrupted run: --time goes on counting)
 *   144  f64 best dev BLEU  152  f64 best dev loss
 *   160  f32 learning rate  164  u32 batch size   168  u32 seed        172  f32 dropout
 *   176  u32 batches per step (--accumulate)
 *   180  f32[P] current weights, f32[P] Adam first moments, f32[P] Adam second moments
 * Version 1 (until --accumulate) lacks the field at 176, its weights starting there: it
 * reads as one batch per step. The batch size, batches per step, seed and dropout only say
 * which run this is (resuming with others warns).
 * Apart from that time, the same run gives the same bytes however it was split. */
#ifndef SEQTRANS_CHECKPOINT_H
#define SEQTRANS_CHECKPOINT_H
#include <stddef.h>

#include "nn/model.h"
#include "nn/optim.h"
#include "sys/util.h"

#define CHECKPOINT_STATE_VERSION 2
#define CHECKPOINT_HEADER_BYTES 180 /* of version 2 */

/* Where the run is, besides the weights and Adam's moments and learning rate. */
typedef struct {
    int epoch;              /* epochs completed */
    int best_epoch, bad_epochs;
    long step, batch_in_epoch, tgt_tokens;
    rng_t data_rng, epoch_rng, drop_rng; /* epoch_rng: data_rng as the epoch began */
    double elapsed;         /* seconds of training before this process */
    double best_bleu, best_dev_loss;
} run_state;

/* The settings that make two runs the same run. */
typedef struct {
    int batch, seed;
    float dropout;
    int accumulate;
} run_settings;

typedef struct checkpoint checkpoint;

/* Checkpoints of the model at model_path. */
checkpoint *checkpoint_new(const char *model_path);
void checkpoint_free(checkpoint *ck);

/* Keeps a copy of params[0..n) as the best weights, to be written in place of the current
 * ones. They wait in an unlinked temporary file beside the model, or in memory where no
 * such file can be made. */
void checkpoint_keep_best(checkpoint *ck, const float *params, size_t n);
int checkpoint_has_best(const checkpoint *ck);

/* Writes the model file: the best weights if kept, else m's, with the training state of
 * m's weights, opt and rs (rs->elapsed as given: a run passes 0 unless interrupted).
 * Returns 0, or -1 with an error printed. */
int checkpoint_save(checkpoint *ck, const model *m, const adam *opt, const run_state *rs,
                    const run_settings *settings);

/* The training state bytes (CHECKPOINT_HEADER_BYTES) for rs, opt and settings. */
void checkpoint_encode_header(unsigned char *out, const run_state *rs, const adam *opt,
                              const run_settings *settings);

/* Restores the state read from the model file at path (buf[0..len), NULL: none) into m's
 * weights, opt (sized for m) and rs, after checking all of it: a wrong length, version or
 * value leaves everything as it was and returns -1 with an error printed. With keep_best,
 * m's weights as read (the kept model) are first kept as the best. Warns when settings
 * differ from the run's. */
int checkpoint_restore(checkpoint *ck, const void *buf, size_t len, const char *path, model *m,
                       adam *opt, run_state *rs, const run_settings *settings, int keep_best);

#endif
