/* libFuzzer target: restoring the training state (checkpoint_restore) from arbitrary bytes,
 * for a fixed tiny model. Built by scripts/fuzz.sh. The first byte chooses how the rest is
 * used: 0 as the state itself (lengths); otherwise laid over a valid state of the right
 * length, so that the fuzzer reaches the checks of every field and float. A state that is
 * accepted must leave a run that can go on: finite weights and moments, a positive finite
 * learning rate, counts that are not negative. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/checkpoint.h"

static model *m;
static unsigned char *valid;
static size_t valid_len;

static vocab *make_vocab(const char *tok)
{
    vocab_counter *c = vocab_counter_new();
    vocab_counter_add(c, tok);
    vocab *v = vocab_build(c, 1, 0);
    vocab_counter_free(c);
    return v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!getenv("FUZZ_VERBOSE")) stderr = fopen("/dev/null", "w");
    vocab *sv = make_vocab("a"), *tv = make_vocab("b");
    model_config cfg = {vocab_size(sv), vocab_size(tv), 2, 2, 1, 1, 0, 1, 0};
    m = model_new(&cfg, sv, tv);
    rng_t r;
    rng_seed(&r, 1);
    model_init_weights(m, &r);
    run_state rs = {3, 2, 1, 40, 4, 900, {{1, 2, 3, 4}}, {{5, 6, 7, 8}}, {{9, 10, 11, 12}}, 0, 1.5, 2.5};
    adam opt = {0.001f, 0.9f, 0.999f, 1e-8f, 40, 0, NULL, NULL};
    run_settings st = {64, 1, 0.2f, 1};
    size_t bytes = m->n_params * sizeof(float);
    valid_len = CHECKPOINT_HEADER_BYTES + 3 * bytes;
    valid = calloc(valid_len, 1);
    checkpoint_encode_header(valid, &rs, &opt, &st);
    memcpy(valid + CHECKPOINT_HEADER_BYTES, m->params, bytes);
    return 0;
}

static void check_usable(const adam *opt, const run_state *rs)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i]) || !isfinite(opt->m[i]) || !isfinite(opt->v[i])) abort();
    if (!isfinite(opt->lr) || opt->lr <= 0 || opt->step < 0) abort();
    if (rs->epoch < 0 || rs->best_epoch > rs->epoch || rs->bad_epochs > rs->epoch) abort();
    if (rs->step < 0 || rs->batch_in_epoch < 0 || rs->tgt_tokens < 0 || !isfinite(rs->elapsed)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    unsigned char *buf;
    size_t len;
    if (data[0] == 0) {
        len = size - 1;
        buf = malloc(len ? len : 1);
        memcpy(buf, data + 1, len);
    } else {
        len = valid_len;
        buf = malloc(len);
        memcpy(buf, valid, len);
        memcpy(buf, data + 1, size - 1 < len ? size - 1 : len);
    }
    float *params = malloc(m->n_params * sizeof *params);
    memcpy(params, m->params, m->n_params * sizeof *params);
    adam opt;
    adam_init(&opt, m->n_params, 0.5f);
    run_state rs;
    run_settings st = {64, 1, 0.2f, 1};
    checkpoint *ck = checkpoint_new("/nonexistent-dir/fuzz.model"); /* best weights in memory */
    if (checkpoint_restore(ck, buf, len, "fuzz", m, &opt, &rs, &st, data[0] & 1) == 0) check_usable(&opt, &rs);
    memcpy(m->params, params, m->n_params * sizeof *params);
    checkpoint_free(ck);
    adam_free(&opt);
    free(params);
    free(buf);
    return 0;
}
