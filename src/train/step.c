#include "train/step.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sys/arena.h"
#include "sys/blas.h"
#include "sys/dist.h"
#include "sys/parallel.h"
#include "train/ranks.h"

/* A step writes only the embedding rows of its batch's tokens, a few pages of tables that
 * are most of the parameters. So the gradients' leading whole pages of embedding rows (the
 * sparse floats) are tracked page by page: each worker marks the pages its batch can have
 * written, the passes over the gradient read only those, and afterwards the pages are
 * handed back instead of zeroed: they read as zeros again, and the next step makes resident
 * only the pages it writes. The rest of the gradient is dense: read, and cleared behind
 * the update.
 * In a distributed run (sys/dist.h) the batch is split between ranks * workers, worker w of
 * rank r being the global worker r * workers + w: its share of the batch, its dropout stream
 * and its range of the sum of squares are those of that worker in one process with as many
 * threads, and the per-worker results are gathered and added in that order. The parts are
 * first summed within the rank into worker 0's gradient, then across the ranks
 * (train/ranks.h), continuing the same tree. */

/* One worker's share of a step: a slice of the batch, its own gradient and scratch. */
typedef struct {
    batch_loss loss;
    double sum_sq;       /* of its range of the summed gradient */
} worker_result;

typedef struct {
    arena ar;
    model_weights g;     /* its gradient (train_step.grads[w]) */
    rng_t rng;
    worker_result out;
} worker_state;

struct train_step {
    model *m;
    int n_workers;
    int rank, ranks;      /* of the distributed run; 0 of 1 in one process */
    int n_parts;          /* the parts the passes over the gradient read: n_workers, or 1
                           * once summed across the ranks */
    ranks_sum *across;    /* with more than one rank */
    double gather_seconds; /* spent gathering the workers' results, so far */
    worker_state *workers;
    float **grads;        /* each worker's gradient, the step's is their sum; zero between
                           * steps */
    size_t page;          /* floats */
    size_t sparse_floats;
    unsigned char **written; /* [worker][page of the sparse floats]: its batch wrote there */
    const step_batch *batch; /* during train_step_compute() */
    long step_tokens;
    const adam *opt;      /* during train_step_apply() */
    float clip_scale;
};

train_step *train_step_new(model *m, int threads, int batch_size)
{
    train_step *s = xcalloc(1, sizeof *s);
    /* More workers than pairs per batch would only hold idle gradient buffers. */
    s->rank = dist_rank();
    s->ranks = dist_size();
    int n = threads > 0 ? threads : 1, per_rank = batch_size / s->ranks;
    n = n < per_rank ? n : per_rank > 0 ? per_rank : 1;
    s->m = m;
    s->n_workers = n;
    s->n_parts = n;
    s->workers = xcalloc(n, sizeof *s->workers);
    s->grads = xcalloc(n, sizeof *s->grads);
    s->written = xcalloc(n, sizeof *s->written);
    s->page = pages_floats();
    s->sparse_floats = model_embedding_floats(&m->cfg) / s->page * s->page;
    for (int w = 0; w < n; w++) {
        s->grads[w] = pages_alloc(m->n_params);
        model_layout(&m->cfg, s->grads[w], &s->workers[w].g);
        s->written[w] = xcalloc(s->sparse_floats / s->page + 1, 1);
    }
    if (s->ranks > 1) s->across = ranks_sum_new(m->n_params, s->sparse_floats / s->page);
    blas_set_threads(1);
    return s;
}

void train_step_free(train_step *s)
{
    if (!s) return;
    for (int w = 0; w < s->n_workers; w++) {
        pages_free(s->grads[w], s->m->n_params);
        free(s->written[w]);
        arena_free(&s->workers[w].ar);
    }
    ranks_sum_free(s->across);
    free(s->workers);
    free(s->grads);
    free(s->written);
    free(s);
}

int train_step_workers(const train_step *s) { return s->n_workers; }
double train_step_comm_seconds(const train_step *s)
{
    return s->across ? ranks_sum_seconds(s->across) + s->gather_seconds : 0;
}

double train_step_wait_seconds(const train_step *s) { return s->across ? ranks_sum_wait_seconds(s->across) : 0; }

double train_step_comm_bytes(const train_step *s) { return s->across ? ranks_sum_bytes_sent(s->across) : 0; }

void train_step_release(train_step *s)
{
    for (int w = 0; w < s->n_workers; w++) {
        arena_free(&s->workers[w].ar);
        pages_forget(s->grads[w], s->m->n_params);
    }
}

/* ---- forward and backward ---- */

/* Marks the pages of the embedding gradients that rows `ids` of the table at `offset` lie in. */
static void mark_rows(train_step *s, int w, size_t offset, const int *ids, long n)
{
    size_t page = s->page, E = (size_t)s->m->cfg.emb;
    for (long r = 0; r < n; r++) {
        size_t from = offset + (size_t)ids[r] * E;
        for (size_t q = from / page; q * page < from + E && q * page < s->sparse_floats; q++)
            s->written[w][q] = 1;
    }
}

/* The gradient of an embedding row is zero unless the batch holds its token (padding
 * included): the pages the batch's ids fall in are the only ones the step can have written. */
static void mark_written_pages(train_step *s, int w, const batch *bt)
{
    mark_rows(s, w, 0, bt->src, (long)bt->S * bt->B);
    mark_rows(s, w, (size_t)s->m->cfg.src_vocab * s->m->cfg.emb, bt->tgt_in, (long)bt->T * bt->B);
}

/* Pairs order[from..to) of the step: forward and backward, the gradient added to the
 * worker's, the loss to its result. */
static void worker_pass(train_step *s, int w, long from, long to)
{
    worker_state *ws = &s->workers[w];
    const step_batch *b = s->batch;
    batch bt;
    arena_reset(&ws->ar);
    batch_fill(&bt, b->data, b->order + from, (int)(to - from), &ws->ar);
    loss_options lo = {b->dropout, b->label_smoothing, &ws->rng, s->step_tokens};
    batch_loss l = seq2seq_loss(s->m, &bt, &lo, &ws->g, &ws->ar);
    ws->out.loss.loss += l.loss;
    ws->out.loss.nll += l.nll;
    ws->out.loss.tokens += l.tokens;
    mark_written_pages(s, w, &bt);
}

static int global_workers(const train_step *s) { return s->ranks * s->n_workers; }
static int global_worker(const train_step *s, int w) { return s->rank * s->n_workers + w; }

/* The step's pairs are b->passes runs of about equal counts, each shared by all workers:
 * a worker's activations are those of its share of one run, and as a run's pairs are of
 * similar lengths (the batch is sorted by length), the workers' shares weigh alike. */
static void worker_forward_backward(void *ctx, int w)
{
    train_step *s = ctx;
    const step_batch *b = s->batch;
    int passes = b->passes > 1 ? b->passes : 1;
    s->workers[w].out.loss = (batch_loss){0, 0, 0};
    memset(s->written[w], 0, s->sparse_floats / s->page);
    for (int k = 0; k < passes; k++) {
        long run, run_end, from, to;
        parallel_share(b->n, passes, k, &run, &run_end);
        parallel_share(run_end - run, global_workers(s), global_worker(s, w), &from, &to);
        if (to > from) worker_pass(s, w, run + from, run + to);
    }
}

/* Gives each worker of all ranks its own dropout stream for the step, drawn in global order. */
static void plan_step(train_step *s, const step_batch *b, rng_t *drop_rng)
{
    s->batch = b;
    s->step_tokens = 0;
    for (long i = 0; i < b->n; i++) s->step_tokens += b->data->tgt_len[b->order[i]] + 1;
    for (int g = 0; g < global_workers(s); g++) {
        uint64_t seed = rng_u64(drop_rng);
        int w = g - s->rank * s->n_workers;
        if (w >= 0 && w < s->n_workers) rng_seed(&s->workers[w].rng, seed);
    }
}

/* ---- passes over the summed gradient ---- */

/* The summed gradient over [i, i + n) of the sparse floats, page by page, from the parts
 * that wrote each page. */
static const float *sum_sparse(void *ctx, size_t i, size_t n, float *out)
{
    const train_step *s = ctx;
    float *parts[s->n_workers];
    for (size_t from = i, to; from < i + n; from = to) {
        size_t q = from / s->page;
        to = (q + 1) * s->page < i + n ? (q + 1) * s->page : i + n;
        for (int w = 0; w < s->n_parts; w++) parts[w] = s->written[w][q] ? s->grads[w] : NULL;
        gradient_parts_sum((gradient_parts){parts, s->n_parts}, from, to - from, out + (from - i));
    }
    return out;
}

/* Share w of `shares` of the passes over the whole gradient: one range of the sparse floats
 * (sparse = 1) or of the rest (0). The pages handed back fault in again as they are read,
 * and so are split between the workers too. */
static void share_range(const train_step *s, int w, int shares, int sparse, size_t *begin, size_t *end)
{
    size_t from = sparse ? 0 : s->sparse_floats, to = sparse ? s->sparse_floats : s->m->n_params;
    long b, e;
    parallel_share((long)(to - from), shares, w, &b, &e);
    *begin = from + (size_t)b;
    *end = from + (size_t)e;
}

static void worker_range(const train_step *s, int w, int sparse, size_t *begin, size_t *end)
{
    share_range(s, w, s->n_workers, sparse, begin, end);
}

/* The sum of squares is taken over the global worker's range: the same ranges, so the same
 * partial sums, whatever the ranks. */
static void worker_sum_squares(void *ctx, int w)
{
    train_step *s = ctx;
    size_t begin, end;
    share_range(s, global_worker(s, w), global_workers(s), 1, &begin, &end);
    s->workers[w].out.sum_sq = gradient_sum_squares_summed((gradient_sum){sum_sparse, s}, begin, end);
    share_range(s, global_worker(s, w), global_workers(s), 0, &begin, &end);
    s->workers[w].out.sum_sq += gradient_sum_squares((gradient_parts){s->grads, s->n_parts}, begin, end);
}

/* Worker w's range of the rank's parts summed into worker 0's gradient, the others' dense
 * floats cleared (their sparse pages are handed back after the update). */
static void worker_sum_into_first(void *ctx, int w)
{
    train_step *s = ctx;
    float buf[GRADIENT_BLOCK];
    float *parts[s->n_workers];
    size_t begin, end;
    worker_range(s, w, 1, &begin, &end);
    for (size_t i = begin / s->page * s->page; i < end; i += s->page) {
        size_t q = i / s->page, from = i > begin ? i : begin;
        size_t to = i + s->page < end ? i + s->page : end;
        int any = 0;
        for (int k = 0; k < s->n_workers; k++) {
            parts[k] = s->written[k][q] ? s->grads[k] : NULL;
            any |= s->written[k][q];
        }
        if (!any) continue;
        gradient_parts_sum((gradient_parts){parts, s->n_workers}, from, to - from, buf);
        memcpy(s->grads[0] + from, buf, (to - from) * sizeof *buf);
    }
    worker_range(s, w, 0, &begin, &end);
    for (size_t i = begin; i < end; i += GRADIENT_BLOCK) {
        size_t n = end - i < GRADIENT_BLOCK ? end - i : GRADIENT_BLOCK;
        gradient_parts_sum((gradient_parts){s->grads, s->n_workers}, i, n, buf);
        memcpy(s->grads[0] + i, buf, n * sizeof *buf);
        for (int k = 1; k < s->n_workers; k++) memset(s->grads[k] + i, 0, n * sizeof *buf);
    }
}

/* The rank's gradient summed with every other rank's into worker 0's. */
static void sum_across_ranks(train_step *s)
{
    size_t pages = s->sparse_floats / s->page;
    if (s->n_workers > 1) {
        parallel_run(s->n_workers, worker_sum_into_first, s);
        for (size_t q = 0; q < pages; q++)
            for (int k = 1; k < s->n_workers; k++) s->written[0][q] |= s->written[k][q];
    }
    rank_gradient g = {s->grads[0], s->written[0], s->m->n_params, pages, s->page};
    ranks_sum_gradient(s->across, g);
    s->n_parts = 1;
}

/* The workers' results of all ranks, added in global order. */
static step_result add_results(train_step *s)
{
    int n = global_workers(s);
    worker_result local[s->n_workers], *all = xmalloc((size_t)n * sizeof *all);
    for (int w = 0; w < s->n_workers; w++) local[w] = s->workers[w].out;
    double t0 = now_seconds();
    dist_allgather(local, sizeof local, all);
    s->gather_seconds += now_seconds() - t0;
    step_result r = {{0, 0, 0}, 0};
    double sum_sq = 0;
    for (int g = 0; g < n; g++) {
        r.loss.loss += all[g].loss.loss;
        r.loss.nll += all[g].loss.nll;
        r.loss.tokens += all[g].loss.tokens;
        sum_sq += all[g].sum_sq;
    }
    free(all);
    r.grad_norm = sqrt(sum_sq);
    return r;
}

step_result train_step_compute(train_step *s, const step_batch *b, rng_t *drop_rng)
{
    plan_step(s, b, drop_rng);
    parallel_run(s->n_workers, worker_forward_backward, s);
    if (s->ranks > 1) sum_across_ranks(s);
    parallel_run(s->n_workers, worker_sum_squares, s);
    s->batch = NULL;
    return add_results(s);
}

/* ---- the update ---- */

static void clear_sparse_gradients(train_step *s)
{
    for (int w = 0; w < s->n_workers; w++) pages_forget(s->grads[w], s->sparse_floats);
}

/* The dense floats are cleared behind the update, the sparse ones handed back afterwards. */
static void worker_update(void *ctx, int w)
{
    train_step *s = ctx;
    size_t begin, end;
    worker_range(s, w, 1, &begin, &end);
    adam_update_summed(s->opt, s->m->params, (gradient_sum){sum_sparse, s}, s->clip_scale, begin, end);
    worker_range(s, w, 0, &begin, &end);
    adam_update_range(s->opt, s->m->params, (gradient_parts){s->grads, s->n_parts}, s->clip_scale,
                      1, begin, end);
}

void train_step_apply(train_step *s, adam *opt, double grad_norm, float clip)
{
    s->clip_scale = clip > 0 && grad_norm > clip ? (float)(clip / grad_norm) : 1.0f;
    adam_begin_step(opt);
    s->opt = opt;
    parallel_run(s->n_workers, worker_update, s);
    s->opt = NULL;
    clear_sparse_gradients(s);
    s->n_parts = s->n_workers;
}

void train_step_skip(train_step *s)
{
    size_t sparse = s->sparse_floats;
    for (int w = 0; w < s->n_workers; w++)
        memset(s->grads[w] + sparse, 0, (s->m->n_params - sparse) * sizeof(float));
    clear_sparse_gradients(s);
    s->n_parts = s->n_workers;
}
