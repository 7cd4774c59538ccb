#include "train/checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store/files.h"
#include "store/model_file.h"

/* ---- the best weights ----
 * They are read only when a checkpoint is written, so they wait in an unlinked temporary
 * file beside the model, not in memory, and are mapped while a save writes them. Where no
 * such file can be made (the model path is a device, the file system has no O_TMPFILE, the
 * disk is full) they stay in memory. */

struct checkpoint {
    const char *model_path;
    int kept;           /* best weights are kept */
    int fd;             /* their file; -1: none (yet) */
    int failed;         /* the file could not be used: memory from now on */
    float *mem;         /* in memory */
    float *map;         /* the file's mapping during a save */
    size_t n;           /* floats */
};

checkpoint *checkpoint_new(const char *model_path)
{
    checkpoint *ck = xcalloc(1, sizeof *ck);
    ck->model_path = model_path;
    ck->fd = -1;
    return ck;
}

static void best_unmap(checkpoint *ck)
{
    if (ck->map) munmap(ck->map, ck->n * sizeof(float));
    ck->map = NULL;
}

void checkpoint_free(checkpoint *ck)
{
    if (!ck) return;
    best_unmap(ck);
    if (ck->fd >= 0) close(ck->fd);
    free(ck->mem);
    free(ck);
}

void checkpoint_keep_best(checkpoint *ck, const float *w, size_t n)
{
    if (ck->mem && n != ck->n) {
        free(ck->mem);
        ck->mem = NULL;
    }
    ck->kept = 1;
    ck->n = n;
    if (!ck->failed) {
        if (ck->fd < 0) ck->fd = file_temporary_beside(ck->model_path);
        if (ck->fd >= 0 && file_write_at(ck->fd, w, n * sizeof *w, 0) == 0) return;
        if (ck->fd >= 0) close(ck->fd);
        ck->fd = -1;
        ck->failed = 1;
    }
    if (!ck->mem) ck->mem = xmalloc(n * sizeof *w);
    memcpy(ck->mem, w, n * sizeof *w);
}

int checkpoint_has_best(const checkpoint *ck) { return ck->kept; }

/* The kept weights (read-only) until best_unmap(); NULL, with an error printed, on failure. */
static float *best_map(checkpoint *ck)
{
    if (ck->failed) return ck->mem;
    void *p = mmap(NULL, ck->n * sizeof(float), PROT_READ, MAP_SHARED, ck->fd, 0);
    if (p == MAP_FAILED) {
        st_error("cannot read back the best weights: %s", strerror(errno));
        return NULL;
    }
    return ck->map = p;
}

/* ---- the state's bytes ---- */

static unsigned char *put_u32(unsigned char *p, uint32_t x)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(x >> (8 * i));
    return p + 4;
}

static unsigned char *put_u64(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(x >> (8 * i));
    return p + 8;
}

static unsigned char *put_f32(unsigned char *p, float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return put_u32(p, u);
}

static unsigned char *put_f64(unsigned char *p, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return put_u64(p, u);
}

static unsigned char *put_rng(unsigned char *p, const rng_t *r)
{
    for (int i = 0; i < 4; i++) p = put_u64(p, r->s[i]);
    return p;
}

void checkpoint_encode_header(unsigned char *out, const run_state *rs, const adam *opt,
                              const run_settings *settings)
{
    unsigned char *p = out;
    p = put_u32(p, CHECKPOINT_STATE_VERSION);
    p = put_u32(p, (uint32_t)rs->epoch);
    p = put_u32(p, (uint32_t)rs->best_epoch);
    p = put_u32(p, (uint32_t)rs->bad_epochs);
    p = put_u64(p, (uint64_t)rs->step);
    p = put_u64(p, (uint64_t)rs->batch_in_epoch);
    p = put_u64(p, (uint64_t)rs->tgt_tokens);
    p = put_rng(p, &rs->data_rng);
    p = put_rng(p, &rs->epoch_rng);
    p = put_rng(p, &rs->drop_rng);
    p = put_f64(p, rs->elapsed);
    p = put_f64(p, rs->best_bleu);
    p = put_f64(p, rs->best_dev_loss);
    p = put_f32(p, opt->lr);
    p = put_u32(p, (uint32_t)settings->batch);
    p = put_u32(p, (uint32_t)settings->seed);
    p = put_f32(p, settings->dropout);
    put_u32(p, (uint32_t)settings->accumulate);
}

/* Writes the kept model (the best, else m) with the state: m's weights and Adam's moments
 * go straight from their buffers to the file. */
int checkpoint_save(checkpoint *ck, const model *m, const adam *opt, const run_state *rs,
                    const run_settings *settings)
{
    unsigned char header[CHECKPOINT_HEADER_BYTES];
    checkpoint_encode_header(header, rs, opt, settings);
    size_t n = m->n_params * sizeof(float);
    file_part state[] = {{header, sizeof header}, {m->params, n}, {opt->m, n}, {opt->v, n}};
    model kept = *m;
    if (ck->kept) {
        kept.params = best_map(ck);
        if (!kept.params) return -1;
        model_layout(&kept.cfg, kept.params, &kept.w);
    }
    int rc = model_file_write_parts(ck->model_path, &kept, state, 4);
    best_unmap(ck);
    return rc;
}

/* ---- reading the state back ---- */

static uint32_t get_u32(const unsigned char **p)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) x |= (uint32_t)(*p)[i] << (8 * i);
    *p += 4;
    return x;
}

static uint64_t get_u64(const unsigned char **p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x |= (uint64_t)(*p)[i] << (8 * i);
    *p += 8;
    return x;
}

static float get_f32(const unsigned char **p)
{
    uint32_t u = get_u32(p);
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static double get_f64(const unsigned char **p)
{
    uint64_t u = get_u64(p);
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* A generator whose state is all zeros would give only zeros. */
static int get_rng(const unsigned char **p, rng_t *r)
{
    for (int i = 0; i < 4; i++) r->s[i] = get_u64(p);
    return (r->s[0] | r->s[1] | r->s[2] | r->s[3]) != 0;
}

static int floats_finite(const unsigned char *p, size_t n)
{
    float x;
    for (size_t i = 0; i < n; i++) {
        memcpy(&x, p + i * sizeof x, sizeof x); /* the state may not be float-aligned */
        if (!isfinite(x)) return 0;
    }
    return 1;
}

/* What the header says, checked: 1 when every field is one a run can have written. */
static int decode_header(const unsigned char *p, run_state *rs, float *lr, run_settings *saved)
{
    uint32_t version = get_u32(&p); /* checked before */
    uint32_t epoch = get_u32(&p), best_epoch = get_u32(&p), bad_epochs = get_u32(&p);
    int64_t step = (int64_t)get_u64(&p), in_epoch = (int64_t)get_u64(&p), tokens = (int64_t)get_u64(&p);
    int rngs_ok = get_rng(&p, &rs->data_rng) & get_rng(&p, &rs->epoch_rng) & get_rng(&p, &rs->drop_rng);
    rs->elapsed = get_f64(&p);
    rs->best_bleu = get_f64(&p);
    rs->best_dev_loss = get_f64(&p);
    *lr = get_f32(&p);
    uint32_t batch = get_u32(&p), seed = get_u32(&p);
    saved->dropout = get_f32(&p);
    uint32_t accumulate = version >= 2 ? get_u32(&p) : 1;
    if (!rngs_ok || accumulate == 0 || accumulate > INT32_MAX || epoch > INT32_MAX || best_epoch > epoch || bad_epochs > epoch || step < 0 ||
        in_epoch < 0 || tokens < 0 || batch == 0 || batch > INT32_MAX)
        return 0;
    rs->epoch = (int)epoch;
    rs->best_epoch = (int)best_epoch;
    rs->bad_epochs = (int)bad_epochs;
    rs->step = (long)step;
    rs->batch_in_epoch = (long)in_epoch;
    rs->tgt_tokens = (long)tokens;
    saved->batch = (int)batch;
    saved->seed = (int)seed;
    saved->accumulate = (int)accumulate;
    /* BLEU is -1 before any dev evaluation; the dev loss 0 */
    return isfinite(rs->elapsed) && rs->elapsed >= 0 && rs->best_bleu >= -1 && rs->best_bleu <= 100 &&
           rs->best_dev_loss >= 0 && !isnan(rs->best_dev_loss) && isfinite(*lr) && *lr > 0 &&
           isfinite(saved->dropout) && saved->dropout >= 0 && saved->dropout <= 1;
}

int checkpoint_restore(checkpoint *ck, const void *buf, size_t len, const char *path, model *m,
                       adam *opt, run_state *rs, const run_settings *settings, int keep_best)
{
    size_t n = m->n_params;
    const unsigned char *b = buf, *v = b;
    uint32_t version = buf && len >= 4 ? get_u32(&v) : 0;
    size_t header = version == 1 ? CHECKPOINT_HEADER_BYTES - 4 : CHECKPOINT_HEADER_BYTES;
    if (!buf || len != header + 3 * n * sizeof(float)) {
        st_error("%s: holds no training state to resume", path);
        return -1;
    }
    if (version != 1 && version != CHECKPOINT_STATE_VERSION) {
        st_error("%s: training state version %u is not supported", path, version);
        return -1;
    }
    run_state got;
    run_settings saved;
    float lr;
    const unsigned char *floats = b + header;
    if (!decode_header(b, &got, &lr, &saved) || !floats_finite(floats, 3 * n)) {
        st_error("%s: corrupt training state", path);
        return -1;
    }
    if (keep_best) checkpoint_keep_best(ck, m->params, n); /* the kept model */
    memcpy(m->params, floats, n * sizeof(float));
    memcpy(opt->m, floats + n * sizeof(float), n * sizeof(float));
    memcpy(opt->v, floats + 2 * n * sizeof(float), n * sizeof(float));
    opt->step = got.step;
    opt->lr = lr;
    *rs = got;
    /* The run goes on as asked, but it is then no longer the same run. */
    if (saved.batch != settings->batch || saved.accumulate != settings->accumulate ||
        (uint32_t)saved.seed != (uint32_t)settings->seed || saved.dropout != settings->dropout)
        st_warn("%s: resuming with --batch %d --accumulate %d --seed %d --dropout %g; the run so "
                "far used %u, %u, %u, %g", path, settings->batch, settings->accumulate,
                settings->seed, settings->dropout, (unsigned)saved.batch,
                (unsigned)saved.accumulate, (unsigned)saved.seed, saved.dropout);
    return 0;
}
