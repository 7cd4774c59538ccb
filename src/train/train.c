#include "train/train.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/blas.h"
#include "data/corpus.h"
#include "data/dataset.h"
#include "search/evaluate_corpus.h"
#include "store/model_file.h"
#include "nn/optim.h"
#include "sys/parallel.h"
#include "nn/seq2seq.h"
#include "text/text.h"
#include "text/vocab.h"

void train_options_default(train_options *o)
{
    memset(o, 0, sizeof *o);
    o->batch = 64;
    o->emb = 256;
    o->hidden = 512;
    o->layers = 1;
    o->bidir = 1;
    o->seed = 1;
    o->dropout = 0.2f;
    o->lr = 0.001f;
    o->clip = 5;
    o->label_smoothing = 0.1f;
    o->src_min_count = 2;
    o->tgt_min_count = 2;
    o->src_max_vocab = 30000;
    o->tgt_max_vocab = 30000;
    o->max_len = 100;
    o->dev_beam = 1;
    o->lr_decay = 0.5f;
    o->patience = 0;
}

/* ---- interruption ---- */

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* the terminal closed: save like SIGTERM */
}

/* ---- the best weights ----
 * The weights with the best dev score are read only when a checkpoint is written. They wait
 * in an unlinked temporary file beside the model, not in memory, and are mapped while a save
 * writes them. Where no such file can be made (the model path is a device, the file system
 * has no O_TMPFILE, the disk is full) they stay in memory. */

typedef struct {
    int kept;           /* weights are kept */
    int fd;             /* the file; -1: none (yet) */
    int failed;         /* the file could not be used: memory from now on */
    float *mem;         /* in memory */
    float *map;         /* the file's mapping during a save */
    size_t n;           /* floats */
} best_weights;

static void best_keep(best_weights *b, const float *w, size_t n, const char *model_path)
{
    b->kept = 1;
    b->n = n;
    if (!b->failed) {
        if (b->fd < 0) b->fd = file_temporary_beside(model_path);
        if (b->fd >= 0 && file_write_at(b->fd, w, n * sizeof *w, 0) == 0) return;
        if (b->fd >= 0) close(b->fd);
        b->fd = -1;
        b->failed = 1;
    }
    if (!b->mem) b->mem = xmalloc(n * sizeof *w);
    memcpy(b->mem, w, n * sizeof *w);
}

/* The kept weights (read-only) until best_unmap(); NULL, with an error printed, on failure. */
static float *best_map(best_weights *b)
{
    if (b->failed) return b->mem;
    void *p = mmap(NULL, b->n * sizeof(float), PROT_READ, MAP_SHARED, b->fd, 0);
    if (p == MAP_FAILED) {
        st_error("cannot read back the best weights: %s", strerror(errno));
        return NULL;
    }
    return b->map = p;
}

static void best_unmap(best_weights *b)
{
    if (b->map) munmap(b->map, b->n * sizeof(float));
    b->map = NULL;
}

static void best_free(best_weights *b)
{
    best_unmap(b);
    if (b->fd >= 0) close(b->fd);
    free(b->mem);
}

/* ---- the run's state ---- */

/* One worker's share of a step: a slice of the batch, its own gradient and scratch. */
typedef struct {
    arena ar;
    model_weights g;     /* its gradient (trainer.grads[w]) */
    rng_t rng;
    long from, to;       /* pairs plan.order[from..to) */
    batch_loss loss;
    double sum_sq;       /* of its range of the summed gradient */
} worker_state;

typedef struct {
    const train_options *o;
    model *m;
    best_weights best;    /* by dev score */
    int n_workers;
    worker_state *workers;
    float **grads;        /* each worker's gradient, the step's is their sum; zero between
                           * steps: the update clears them as it reads them */
    size_t sparse_floats; /* the gradients' leading whole pages of embedding rows */
    unsigned char **written; /* [worker][page of those]: the worker's batch wrote into it */
    float clip_scale;     /* of the step's gradient, 1 unless clipped */
    long step_tokens;
    adam opt;
    arena ar;
    dataset train, dev_ids;
    corpus dev;
    int has_dev;
    rng_t data_rng, epoch_rng, drop_rng; /* epoch_rng: data_rng as the epoch began */
    epoch_plan plan;
    long step, batch_in_epoch, tgt_tokens, nonfinite_in_row;
    long attempts;        /* steps tried in this process, skipped ones included */
    int epoch;            /* epochs completed */
    double elapsed;       /* training seconds before this process, when resumed */
    int interrupted;      /* by a signal: the checkpoint then keeps the time used so far */
    double t0, last_report;
    double loss_sum;      /* since the epoch began */
    long loss_tokens;
    double last_epoch_loss; /* reported when a run ends on an epoch boundary */
    long tokens_at_start; /* tgt_tokens when this process began, for its rate */
    double best_bleu, best_dev_loss;
    int best_epoch, bad_epochs;
    FILE *metrics;
} trainer;

/* The workers' scratch and gradients (zero between steps) are handed back where something
 * else is to use the memory: evaluating the dev set, writing the best weights. The steps
 * that follow make them resident again. */
static void release_scratch(trainer *tr)
{
    for (int w = 0; w < tr->n_workers; w++) {
        arena_free(&tr->workers[w].ar);
        pages_forget(tr->grads[w], tr->m->n_params);
    }
}

/* ---- languages and vocabularies ---- */

/* The side with more Han characters is Chinese. */
static void detect_languages(const corpus *c, model_config *cfg)
{
    int zh_first = corpus_source_is_chinese(c);
    cfg->src_lang = zh_first ? LANG_ZH : LANG_EN;
    cfg->tgt_lang = zh_first ? LANG_EN : LANG_ZH;
}

static int build_vocabularies(const corpus *c, const train_options *o, model_config *cfg,
                              vocab **sv, vocab **tv)
{
    vocab_counter *sc = vocab_counter_new(), *tc = vocab_counter_new();
    token_list tl;
    token_list_init(&tl);
    for (size_t i = 0; i < c->n; i++) {
        const corpus_pair *p = &c->pairs[i];
        if (text_tokenize((lang_t)cfg->src_lang, p->src, strlen(p->src), &tl) > 0)
            for (int k = 0; k < tl.n; k++) vocab_counter_add(sc, tl.tok[k]);
        if (text_tokenize((lang_t)cfg->tgt_lang, p->tgt, strlen(p->tgt), &tl) > 0)
            for (int k = 0; k < tl.n; k++) vocab_counter_add(tc, tl.tok[k]);
    }
    token_list_free(&tl);
    *sv = vocab_build(sc, o->src_min_count, o->src_max_vocab);
    *tv = vocab_build(tc, o->tgt_min_count, o->tgt_max_vocab);
    vocab_counter_free(sc);
    vocab_counter_free(tc);
    cfg->src_vocab = vocab_size(*sv);
    cfg->tgt_vocab = vocab_size(*tv);
    return 0;
}

/* Pairs as ids; pairs longer than max_len tokens on either side are left out, counted. */
static int encode_corpus(const model *m, const corpus *c, int max_len, dataset *d, const char *name)
{
    token_list tl;
    token_list_init(&tl);
    int *src = xmalloc((max_len + 1) * sizeof *src), *tgt = xmalloc((max_len + 1) * sizeof *tgt);
    long too_long = 0;
    for (size_t i = 0; i < c->n; i++) {
        int sl, tlen;
        if (encode_pair(m, &c->pairs[i], &tl, src, &sl, tgt, &tlen, max_len + 1) != 0) continue;
        if (sl > max_len || tlen > max_len || sl == 0 || tlen == 0) {
            too_long++;
            continue;
        }
        dataset_add(d, src, sl, tgt, tlen);
    }
    if (too_long)
        st_warn("%s: left out %ld pairs longer than %d tokens (--max-len) or empty after tokenization",
                name, too_long, max_len);
    free(src);
    free(tgt);
    token_list_free(&tl);
    if (d->n == 0) {
        st_error("%s: no usable sentence pairs", name);
        return -1;
    }
    return 0;
}

static int read_corpus(const char *path, const train_options *o, corpus *c)
{
    if (corpus_read(path, o->strict, c) != 0) return -1;
    if (o->reverse) corpus_swap_sides(c);
    return 0;
}

static double run_seconds(const trainer *tr) { return tr->elapsed + (now_seconds() - tr->t0); }

/* ---- training state for --resume ----
 * Everything that decides what the run does next: weights, Adam moments, step, position in
 * the epoch, the generators, the learning-rate schedule and the best dev score. Wall-clock
 * time is kept only in a checkpoint written on interruption (so --time goes on counting);
 * otherwise the same run gives the same bytes however it was split. */

enum { STATE_VERSION = 1 };
typedef struct {
    uint32_t version, epoch, best_epoch, bad_epochs;
    int64_t step, batch_in_epoch, tgt_tokens;
    uint64_t data_rng[4], epoch_rng[4], drop_rng[4];
    double elapsed, best_bleu, best_dev_loss;
    float lr;
    uint32_t batch, seed;
    float dropout;
} state_header;

static int floats_finite(const void *p, size_t n)
{
    const float *f = p;
    float x;
    for (size_t i = 0; i < n; i++) {
        memcpy(&x, f + i, sizeof x); /* the state may not be float-aligned */
        if (!isfinite(x)) return 0;
    }
    return 1;
}

static state_header state_describe(const trainer *tr)
{
    state_header h = {STATE_VERSION, (uint32_t)tr->epoch, (uint32_t)tr->best_epoch,
                      (uint32_t)tr->bad_epochs, tr->step, tr->batch_in_epoch, tr->tgt_tokens,
                      {0}, {0}, {0}, tr->interrupted ? run_seconds(tr) : 0, tr->best_bleu, tr->best_dev_loss,
                      tr->opt.lr, (uint32_t)tr->o->batch, (uint32_t)tr->o->seed, tr->o->dropout};
    memcpy(h.data_rng, tr->data_rng.s, sizeof h.data_rng);
    memcpy(h.epoch_rng, tr->epoch_rng.s, sizeof h.epoch_rng);
    memcpy(h.drop_rng, tr->drop_rng.s, sizeof h.drop_rng);
    return h;
}

static int state_restore(trainer *tr, const void *buf, size_t len, const char *path)
{
    size_t n = tr->m->n_params;
    state_header h;
    if (!buf || len != sizeof h + 3 * n * sizeof(float)) {
        st_error("%s: holds no training state to resume", path);
        return -1;
    }
    memcpy(&h, buf, sizeof h);
    if (h.version != STATE_VERSION) {
        st_error("%s: training state version %u is not supported", path, h.version);
        return -1;
    }
    const char *b = buf;
    if (!floats_finite(b + sizeof h, 3 * n) || h.lr != h.lr || h.lr <= 0 || h.step < 0 ||
        h.batch_in_epoch < 0 || h.tgt_tokens < 0) {
        st_error("%s: corrupt training state", path);
        return -1;
    }
    if (tr->o->dev) best_keep(&tr->best, tr->m->params, n, tr->o->model_path); /* the kept model */
    memcpy(tr->m->params, b + sizeof h, n * sizeof(float));
    memcpy(tr->opt.m, b + sizeof h + n * sizeof(float), n * sizeof(float));
    memcpy(tr->opt.v, b + sizeof h + 2 * n * sizeof(float), n * sizeof(float));
    tr->opt.step = h.step;
    tr->opt.lr = h.lr;
    tr->epoch = (int)h.epoch;
    tr->best_epoch = (int)h.best_epoch;
    tr->bad_epochs = (int)h.bad_epochs;
    tr->step = h.step;
    tr->batch_in_epoch = h.batch_in_epoch;
    tr->tgt_tokens = h.tgt_tokens;
    memcpy(tr->data_rng.s, h.data_rng, sizeof h.data_rng);
    memcpy(tr->epoch_rng.s, h.epoch_rng, sizeof h.epoch_rng);
    memcpy(tr->drop_rng.s, h.drop_rng, sizeof h.drop_rng);
    tr->elapsed = h.elapsed;
    tr->best_bleu = h.best_bleu;
    tr->best_dev_loss = h.best_dev_loss;
    /* The run goes on as asked, but it is then no longer the same run. */
    if (h.batch != (uint32_t)tr->o->batch || h.seed != (uint32_t)tr->o->seed || h.dropout != tr->o->dropout)
        st_warn("%s: resuming with --batch %d --seed %d --dropout %g; the run so far used %u, %u, %g",
                path, tr->o->batch, tr->o->seed, tr->o->dropout, h.batch, h.seed, h.dropout);
    return 0;
}

/* Writes the kept model (the best by dev BLEU, else the current one) with the state:
 * the current weights and Adam's moments go straight from their buffers to the file. */
static int save(trainer *tr)
{
    size_t n = tr->m->n_params * sizeof(float);
    state_header h = state_describe(tr);
    file_part state[] = {{&h, sizeof h}, {tr->m->params, n}, {tr->opt.m, n}, {tr->opt.v, n}};
    model kept = *tr->m;
    if (tr->has_dev && tr->best.kept) {
        release_scratch(tr); /* the best weights come into memory while they are written */
        kept.params = best_map(&tr->best);
        if (!kept.params) return -1;
        model_layout(&kept.cfg, kept.params, &kept.w);
    }
    int rc = model_file_write_parts(tr->o->model_path, &kept, state, 4);
    best_unmap(&tr->best);
    return rc;
}

/* ---- progress and metrics ---- */


/* This process's rate: a resumed run's earlier tokens took time it did not measure. */
static double tokens_per_second(const trainer *tr)
{
    double s = now_seconds() - tr->t0;
    return s > 0 ? (tr->tgt_tokens - tr->tokens_at_start) / s : 0;
}

static double train_loss(const trainer *tr)
{
    return tr->loss_tokens ? tr->loss_sum / tr->loss_tokens : tr->last_epoch_loss;
}

static void metrics_line(trainer *tr, const char *event, const eval_result *dev)
{
    if (!tr->metrics) return;
    FILE *f = tr->metrics;
    double loss = train_loss(tr);
    fprintf(f, "{\"event\":\"%s\",\"elapsed_s\":%.3f,\"epoch\":%d,\"step\":%ld,\"tgt_tokens\":%ld,"
            "\"tok_per_s\":%.1f,\"train_loss\":%.5f,\"lr\":%g",
            event, run_seconds(tr), tr->epoch, tr->step, tr->tgt_tokens, tokens_per_second(tr), loss,
            tr->opt.lr);
    if (dev)
        fprintf(f, ",\"dev_loss\":%.5f,\"dev_ppl\":%.3f,\"dev_bleu\":%.3f,\"dev_chrf\":%.3f",
                dev->loss, dev->ppl, dev->scores.bleu, dev->scores.chrf);
    if (!strcmp(event, "done")) {
        fputs(",\"model\":", f);
        json_write_string(f, tr->o->model_path);
    }
    fprintf(f, "}\n");
    fflush(f);
}

static void progress(trainer *tr, int force)
{
    double now = now_seconds();
    int tty = isatty(2);
    if (!force && now - tr->last_report < (tty ? 0.5 : 10)) return;
    tr->last_report = now;
    metrics_line(tr, "progress", NULL);
    if (tr->o->quiet) return;
    long nb = tr->plan.n_batches ? tr->plan.n_batches : 1;
    double loss = train_loss(tr);
    char left[64] = "";
    if (tr->o->time_limit > 0) snprintf(left, sizeof left, ", %.0fs left", tr->o->time_limit - run_seconds(tr));
    else if (tr->o->epochs > 0) {
        double done = tr->epoch + (double)tr->batch_in_epoch / nb;
        double rate = done > 0 ? run_seconds(tr) / done : 0;
        snprintf(left, sizeof left, ", %.0fs left", rate * (tr->o->epochs - done));
    }
    fprintf(stderr, "%sepoch %d %5.1f%%  step %ld  loss %.3f  %.0f tok/s%s%s", tty ? "\r" : "",
            tr->epoch + 1, 100.0 * tr->batch_in_epoch / nb, tr->step, loss, tokens_per_second(tr),
            left, tty ? "\033[K" : "\n");
}

/* ---- the loop ---- */

static int out_of_budget(const trainer *tr)
{
    const train_options *o = tr->o;
    if (o->max_steps > 0 && tr->step >= o->max_steps) return 1;
    if (o->time_limit > 0 && run_seconds(tr) >= o->time_limit) return 1;
    return 0;
}

/* Marks the pages of the embedding gradients that rows `ids` of the table at `offset` lie in. */
static void mark_rows(const trainer *tr, int w, size_t offset, const int *ids, long n)
{
    size_t page = pages_floats(), E = (size_t)tr->m->cfg.emb;
    for (long r = 0; r < n; r++) {
        size_t from = offset + (size_t)ids[r] * E;
        for (size_t q = from / page; q * page < from + E && q * page < tr->sparse_floats; q++)
            tr->written[w][q] = 1;
    }
}

/* The gradient of an embedding row is zero unless the batch holds its token (padding
 * included): the pages the batch's ids fall in are the only ones the step can have written. */
static void mark_written_pages(const trainer *tr, int w, const batch *bt)
{
    mark_rows(tr, w, 0, bt->src, (long)bt->S * bt->B);
    mark_rows(tr, w, (size_t)tr->m->cfg.src_vocab * tr->m->cfg.emb, bt->tgt_in, (long)bt->T * bt->B);
}

static void worker_forward_backward(void *ctx, int w)
{
    trainer *tr = ctx;
    worker_state *ws = &tr->workers[w];
    ws->loss = (batch_loss){0, 0, 0};
    memset(tr->written[w], 0, tr->sparse_floats / pages_floats());
    if (ws->to <= ws->from) return;
    batch bt;
    arena_reset(&ws->ar);
    batch_fill(&bt, &tr->train, tr->plan.order + ws->from, (int)(ws->to - ws->from), &ws->ar);
    loss_options lo = {tr->o->dropout, tr->o->label_smoothing, &ws->rng, tr->step_tokens};
    ws->loss = seq2seq_loss(tr->m, &bt, &lo, &ws->g, &ws->ar);
    mark_written_pages(tr, w, &bt);
}

static gradient_parts step_gradient(const trainer *tr)
{
    return (gradient_parts){tr->grads, tr->n_workers, (const unsigned char *const *)tr->written,
                            pages_floats(), tr->sparse_floats};
}

/* Worker w's share of the passes over the whole gradient: one range of the embedding pages
 * (sparse = 1) or of the rest (0). The pages handed back fault in again as they are read,
 * and so are split between the workers too. */
static void worker_range(const trainer *tr, int w, int sparse, size_t *begin, size_t *end)
{
    size_t from = sparse ? 0 : tr->sparse_floats, to = sparse ? tr->sparse_floats : tr->m->n_params;
    long b, e;
    parallel_share((long)(to - from), tr->n_workers, w, &b, &e);
    *begin = from + (size_t)b;
    *end = from + (size_t)e;
}

static void worker_sum_squares(void *ctx, int w)
{
    trainer *tr = ctx;
    tr->workers[w].sum_sq = 0;
    for (int sparse = 1; sparse >= 0; sparse--) {
        size_t begin, end;
        worker_range(tr, w, sparse, &begin, &end);
        tr->workers[w].sum_sq += gradient_sum_squares(step_gradient(tr), begin, end);
    }
}

/* The gradient is cleared behind the update, except for the embedding pages, which
 * clear_sparse_gradients() hands back afterwards. */
static void worker_update(void *ctx, int w)
{
    trainer *tr = ctx;
    for (int sparse = 1; sparse >= 0; sparse--) {
        size_t begin, end;
        worker_range(tr, w, sparse, &begin, &end);
        adam_update_range(&tr->opt, tr->m->params, step_gradient(tr), tr->clip_scale, !sparse, begin, end);
    }
}

/* A step writes only the embedding rows of its batch's tokens. Their pages are handed back
 * instead of zeroed: they read as zeros again, and the next step makes resident only the
 * pages it writes, not the whole tables. */
static void clear_sparse_gradients(trainer *tr)
{
    for (int w = 0; w < tr->n_workers; w++) pages_forget(tr->grads[w], tr->sparse_floats);
}

/* A skipped step leaves its gradient behind: cleared here instead of by the update. */
static void clear_gradients(trainer *tr)
{
    size_t sparse = tr->sparse_floats;
    for (int w = 0; w < tr->n_workers; w++)
        memset(tr->grads[w] + sparse, 0, (tr->m->n_params - sparse) * sizeof(float));
    clear_sparse_gradients(tr);
}

/* Splits batch k among the workers; each gets its own dropout stream for the step. */
static void plan_step(trainer *tr, long k)
{
    long from = tr->plan.start[k], to = tr->plan.start[k + 1];
    tr->step_tokens = 0;
    for (long i = from; i < to; i++) tr->step_tokens += tr->train.tgt_len[tr->plan.order[i]] + 1;
    for (int w = 0; w < tr->n_workers; w++) {
        long b, e;
        parallel_share(to - from, tr->n_workers, w, &b, &e);
        tr->workers[w].from = from + b;
        tr->workers[w].to = from + e;
        rng_seed(&tr->workers[w].rng, rng_u64(&tr->drop_rng));
    }
}

/* For the tests: SEQTRANS_TEST_NAN_STEPS=A-B makes the loss of the A-th to B-th step this
 * process tries not a number,
 * which no small honest run can be relied on to produce. */
static int injected_fault(long step)
{
    const char *env = getenv("SEQTRANS_TEST_NAN_STEPS");
    long a, b;
    return env && sscanf(env, "%ld-%ld", &a, &b) == 2 && step >= a && step <= b;
}

/* One optimizer step on batch k of the epoch. Returns 0, or -1 after too many bad steps. */
static int train_step(trainer *tr, long k)
{
    const train_options *o = tr->o;
    plan_step(tr, k);
    parallel_run(tr->n_workers, worker_forward_backward, tr);
    parallel_run(tr->n_workers, worker_sum_squares, tr);
    batch_loss bl = {0, 0, 0};
    double sum_sq = 0;
    for (int w = 0; w < tr->n_workers; w++) {
        bl.loss += tr->workers[w].loss.loss;
        bl.nll += tr->workers[w].loss.nll;
        bl.tokens += tr->workers[w].loss.tokens;
        sum_sq += tr->workers[w].sum_sq;
    }
    double norm = sqrt(sum_sq);
    if (injected_fault(++tr->attempts)) bl.loss = NAN;
    if (!isfinite(bl.loss) || !isfinite(norm)) {
        st_warn("step %ld: non-finite loss or gradient; this batch is skipped", tr->step + 1);
        clear_gradients(tr);
        if (++tr->nonfinite_in_row >= 5) {
            st_error("training diverged: 5 non-finite steps in a row (try a lower --lr)");
            return -1;
        }
        return 0;
    }
    tr->nonfinite_in_row = 0;
    tr->clip_scale = o->clip > 0 && norm > o->clip ? (float)(o->clip / norm) : 1.0f;
    adam_begin_step(&tr->opt);
    parallel_run(tr->n_workers, worker_update, tr);
    clear_sparse_gradients(tr);
    tr->step++;
    tr->tgt_tokens += bl.tokens;
    tr->loss_sum += bl.nll;
    tr->loss_tokens += bl.tokens;
    return 0;
}

static void evaluate_dev(trainer *tr)
{
    eval_result r;
    release_scratch(tr);
    evaluate_corpus(tr->m, &tr->dev, tr->o->dev_beam, tr->n_workers, &r, NULL);
    /* Early on BLEU often sits at 0 for several epochs: a tie is broken by the dev loss. */
    int improved = !tr->best.kept || r.scores.bleu > tr->best_bleu ||
                   (r.scores.bleu == tr->best_bleu && r.loss < tr->best_dev_loss);
    if (improved) {
        tr->best_bleu = r.scores.bleu;
        tr->best_dev_loss = r.loss;
        tr->best_epoch = tr->epoch;
        tr->bad_epochs = 0;
        best_keep(&tr->best, tr->m->params, tr->m->n_params, tr->o->model_path);
    } else {
        tr->bad_epochs++;
        tr->opt.lr *= tr->o->lr_decay;
    }
    if (!tr->o->quiet)
        fprintf(stderr, "%sepoch %d: train loss %.3f, dev loss %.3f, ppl %.2f, BLEU %.2f, chrF %.2f%s\n",
                isatty(2) ? "\r\033[K" : "", tr->epoch, train_loss(tr), r.loss, r.ppl, r.scores.bleu, r.scores.chrf, improved ? " (best)" : "");
    metrics_line(tr, "epoch", &r);
}

static void end_epoch(trainer *tr)
{
    tr->epoch++;
    tr->batch_in_epoch = 0;
    if (tr->has_dev) {
        evaluate_dev(tr);
    } else {
        if (!tr->o->quiet)
            fprintf(stderr, "%sepoch %d: train loss %.3f\n", isatty(2) ? "\r\033[K" : "", tr->epoch,
                    train_loss(tr));
        metrics_line(tr, "epoch", NULL);
    }
    tr->last_epoch_loss = train_loss(tr);
    tr->loss_sum = 0;
    tr->loss_tokens = 0;
}

static int epochs_done(const trainer *tr)
{
    const train_options *o = tr->o;
    int limit = o->epochs > 0 ? o->epochs : (o->time_limit > 0 || o->max_steps > 0) ? 0 : 10;
    if (limit && tr->epoch >= limit) return 1;
    return o->patience > 0 && tr->bad_epochs >= o->patience;
}

/* Returns 0 when finished, -1 on failure, or the signal number when interrupted. */
static int train_loop(trainer *tr)
{
    while (!epochs_done(tr) && !out_of_budget(tr)) {
        tr->data_rng = tr->epoch_rng;
        epoch_plan_make(&tr->train, tr->o->batch, tr->o->batch_tokens, &tr->data_rng, &tr->plan);
        for (long k = tr->batch_in_epoch; k < tr->plan.n_batches; k++) {
            if (stop_signal) return stop_signal;
            if (out_of_budget(tr)) return 0;
            if (train_step(tr, k) != 0) return -1;
            tr->batch_in_epoch = k + 1;
            progress(tr, 0);
        }
        tr->epoch_rng = tr->data_rng;
        end_epoch(tr);
        if (save(tr) != 0) return -1;
    }
    return 0;
}

/* ---- setup ---- */

static int setup_model(trainer *tr, const corpus *c)
{
    const train_options *o = tr->o;
    if (o->resume) {
        void *state = NULL;
        size_t len = 0;
        if (model_file_read(o->model_path, &tr->m, &state, &len) != 0) return -1;
        if (tr->m->qimage) {
            st_error("%s: an int8 model (seqtrans quantize) is for translating only: resume from "
                     "the float model it was made from", o->model_path);
            free(state);
            return -1;
        }
        adam_init(&tr->opt, tr->m->n_params, o->lr);
        int rc = state_restore(tr, state, len, o->model_path);
        free(state);
        return rc;
    }
    model_config cfg = {0};
    cfg.emb = o->emb;
    cfg.hidden = o->hidden;
    cfg.layers = o->layers;
    cfg.bidir = o->bidir;
    cfg.cell = o->cell;
    detect_languages(c, &cfg);
    vocab *sv, *tv;
    build_vocabularies(c, o, &cfg, &sv, &tv);
    if (model_config_check(&cfg) != 0) {
        vocab_free(sv);
        vocab_free(tv);
        return -1;
    }
    tr->m = model_new(&cfg, sv, tv);
    rng_t init;
    rng_seed(&init, (uint64_t)o->seed);
    model_init_weights(tr->m, &init);
    rng_seed(&tr->epoch_rng, (uint64_t)o->seed * 2 + 1);
    rng_seed(&tr->drop_rng, (uint64_t)o->seed * 2 + 2);
    adam_init(&tr->opt, tr->m->n_params, o->lr);
    tr->best_bleu = -1;
    return 0;
}

/* A resumed run reads its corpora the way the model translates, whatever --reverse says. */
static void orient_like_model(const trainer *tr, corpus *c, const char *name)
{
    if (corpus_source_is_chinese(c) == (tr->m->cfg.src_lang == LANG_ZH)) return;
    st_warn("%s: the model translates %s -> %s; reading the file the other way round", name,
            lang_name((lang_t)tr->m->cfg.src_lang), lang_name((lang_t)tr->m->cfg.tgt_lang));
    corpus_swap_sides(c);
}

static void report_setup(const trainer *tr)
{
    if (tr->o->quiet) return;
    const model_config *c = &tr->m->cfg;
    fprintf(stderr, "seqtrans: %s -> %s, %ld training pairs%s, vocabularies %d / %d, "
            "%zu parameters (emb %d, hidden %d, %d layer%s, %s encoder), %d thread%s\n",
            lang_name((lang_t)c->src_lang), lang_name((lang_t)c->tgt_lang), tr->train.n,
            tr->has_dev ? " (with dev set)" : "", c->src_vocab, c->tgt_vocab, tr->m->n_params,
            c->emb, c->hidden, c->layers, c->layers > 1 ? "s" : "", c->bidir ? "bidirectional" : "unidirectional",
            tr->n_workers, tr->n_workers > 1 ? "s" : "");
}

/* Workers split each batch; BLAS then runs single-threaded inside each of them. */
static void setup_workers(trainer *tr)
{
    /* More workers than pairs per batch would only hold idle gradient buffers. */
    int n = tr->o->threads > 0 ? tr->o->threads : 1;
    n = n < tr->o->batch ? n : tr->o->batch;
    tr->n_workers = n;
    tr->workers = xcalloc(n, sizeof *tr->workers);
    tr->grads = xcalloc(n, sizeof *tr->grads);
    tr->written = xcalloc(n, sizeof *tr->written);
    size_t page = pages_floats();
    tr->sparse_floats = model_embedding_floats(&tr->m->cfg) / page * page;
    for (int w = 0; w < n; w++) {
        tr->grads[w] = pages_alloc(tr->m->n_params);
        model_layout(&tr->m->cfg, tr->grads[w], &tr->workers[w].g);
        tr->written[w] = xcalloc(tr->sparse_floats / page + 1, 1);
    }
    blas_set_threads(1);
}

static void trainer_free(trainer *tr)
{
    for (int w = 0; w < tr->n_workers; w++) {
        pages_free(tr->grads[w], tr->m->n_params);
        free(tr->written[w]);
        arena_free(&tr->workers[w].ar);
    }
    model_free(tr->m);
    free(tr->workers);
    free(tr->grads);
    free(tr->written);
    best_free(&tr->best);
    adam_free(&tr->opt);
    dataset_free(&tr->train);
    if (tr->has_dev) corpus_free(&tr->dev);
    epoch_plan_free(&tr->plan);
    if (tr->metrics) fclose(tr->metrics);
}

static int open_metrics(trainer *tr)
{
    if (!tr->o->metrics_path) return 0;
    tr->metrics = fopen(tr->o->metrics_path, "a");
    if (!tr->metrics) {
        st_error("cannot open '%s': %s", tr->o->metrics_path, strerror(errno));
        return -1;
    }
    return 0;
}

int train_run(const train_options *o)
{
    trainer tr;
    memset(&tr, 0, sizeof tr);
    tr.o = o;
    tr.best.fd = -1; /* no file yet */
    if (model_file_check_writable(o->model_path) != 0) return 1;
    corpus c;
    if (read_corpus(o->corpus, o, &c) != 0) return 1;
    int rc = 1;
    if (setup_model(&tr, &c) != 0) goto out_corpus;
    if (o->resume) orient_like_model(&tr, &c, o->corpus);
    if (encode_corpus(tr.m, &c, o->max_len, &tr.train, o->corpus) != 0) goto out_corpus;
    corpus_free(&c);
    if (o->dev) {
        if (read_corpus(o->dev, o, &tr.dev) != 0) goto out;
        if (o->resume) orient_like_model(&tr, &tr.dev, o->dev);
        tr.has_dev = 1;
    }
    if (open_metrics(&tr) != 0) goto out;
    setup_workers(&tr);
    report_setup(&tr);
    stop_signal = 0;
    catch_signals();
    tr.t0 = tr.last_report = now_seconds();
    tr.tokens_at_start = tr.tgt_tokens;
    int how = train_loop(&tr);
    tr.interrupted = how > 0;
    progress(&tr, 1);
    if (!o->quiet && isatty(2)) fputc('\n', stderr);
    if (how < 0) goto out;
    if (save(&tr) != 0) goto out;
    metrics_line(&tr, how ? "interrupted" : "done", NULL);
    if (how) {
        st_error("interrupted: checkpoint saved to '%s'; continue with --resume", o->model_path);
        rc = 128 + how;
    } else {
        if (!o->quiet) fprintf(stderr, "seqtrans: model written to '%s'\n", o->model_path);
        rc = 0;
    }
    goto out;
out_corpus:
    corpus_free(&c);
out:
    trainer_free(&tr);
    return rc;
}
