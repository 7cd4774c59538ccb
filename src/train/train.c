#include "train/train.h"

#include <math.h>
#include <signal.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/corpus.h"
#include "data/dataset.h"
#include "search/evaluate_corpus.h"
#include "store/crc32c.h"
#include "store/files.h"
#include "store/lock.h"
#include "store/model_file.h"
#include "sys/dist.h"
#include "text/text.h"
#include "text/vocab.h"
#include "train/checkpoint.h"
#include "train/progress.h"
#include "train/provenance.h"
#include "train/step.h"
#include "train/training_data.h"

void train_options_default(train_options *o)
{
    memset(o, 0, sizeof *o);
    o->batch = 64;
    o->accumulate = 1;
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
    o->subword = SUBWORD_AUTO;
    o->vocab_size = 8000;
    o->save_every = (period){0, 30 * 60};
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

/* ---- the run ----
 * Each part has one owner: the step its workers and gradients, the checkpoint the best
 * weights and the file, progress the clock and the reports. The run holds them together
 * for the loop; the functions below it take only the parts they use. */

typedef struct {
    const train_options *o;
    model *m;
    adam opt;
    run_state rs;
    run_settings settings;
    train_step *step;
    checkpoint *ck;
    progress pr;
    dataset train;
    corpus dev;
    int has_dev;
    epoch_plan plan;
    run_inputs inputs;    /* the corpus and dev set as the training record names them */
    int fresh_pass;       /* --new-data: this process began a pass over another corpus */
    long saved_step;      /* the step of the last good save in the file; -1: none */
    long attempts;        /* steps tried in this process, skipped ones included */
    long nonfinite_in_row;
    double last_eval_time, last_save_time; /* run seconds of the last --eval-every/--save-every */
} run;

/* Saves with the time used so far only when the run is not over (see checkpoint.h). Rank 0
 * alone writes in a distributed run: the others hold the same model. */
static int save(run *r, int keep_time)
{
    if (dist_rank() != 0) return 0;
    run_state rs = r->rs;
    rs.elapsed = keep_time ? progress_run_seconds(&r->pr) : 0;
    provenance_record(r->m, r->o, &r->inputs, &r->rs, r->train.n);
    if (checkpoint_has_best(r->ck)) train_step_release(r->step); /* the best come into memory */
    return checkpoint_save(r->ck, r->m, &r->opt, &rs, &r->settings);
}

static int out_of_budget(const train_options *o, const run_state *rs, const progress *pr)
{
    if (o->max_steps > 0 && rs->step >= o->max_steps) return 1;
    return o->time_limit > 0 && progress_run_seconds(pr) >= o->time_limit;
}

static int epochs_done(const train_options *o, const run_state *rs)
{
    int limit = o->epochs > 0 ? o->epochs : (o->time_limit > 0 || o->max_steps > 0) ? 0 : 10;
    if (limit && rs->epoch >= limit) return 1;
    return o->patience > 0 && rs->bad_epochs >= o->patience;
}

/* For the tests: SEQTRANS_TEST_NAN_STEPS=A-B makes the loss of the A-th to B-th step this
 * process tries not a number, which no small honest run can be relied on to produce. */
static int injected_fault(long attempt)
{
    const char *env = getenv("SEQTRANS_TEST_NAN_STEPS");
    long a, b;
    return env && sscanf(env, "%ld-%ld", &a, &b) == 2 && attempt >= a && attempt <= b;
}

/* One optimizer step on batch k of the epoch. Returns 1, 0 when the batch was skipped, or
 * -1 after too many bad steps. */
static int train_batch(run *r, long k)
{
    const train_options *o = r->o;
    long from = r->plan.start[k];
    step_batch b = {&r->train, r->plan.order + from, r->plan.start[k + 1] - from, o->dropout,
                    o->label_smoothing, o->accumulate};
    step_result s = train_step_compute(r->step, &b, &r->rs.drop_rng);
    if (injected_fault(++r->attempts)) s.loss.loss = NAN;
    if (!isfinite(s.loss.loss) || !isfinite(s.grad_norm)) {
        if (dist_rank() == 0) /* the ranks decide alike: one says so */
            st_warn("step %ld: non-finite loss or gradient; this batch is skipped", r->rs.step + 1);
        train_step_skip(r->step);
        if (++r->nonfinite_in_row >= 5) {
            if (dist_rank() == 0)
                st_error("training diverged: 5 non-finite steps in a row (try a lower --lr)");
            return -1;
        }
        return 0;
    }
    r->nonfinite_in_row = 0;
    train_step_apply(r->step, &r->opt, s.grad_norm, o->clip);
    r->rs.step++;
    r->rs.tgt_tokens += s.loss.tokens;
    progress_add_loss(&r->pr, s.loss.nll, s.loss.tokens);
    return 1;
}

/* The learning-rate schedule: an epoch that does not improve on the best dev score so far
 * multiplies the rate by lr_decay. Early on BLEU often sits at 0 for several epochs: a tie
 * is broken by the dev loss. Returns whether the epoch is the new best. */
static int schedule_by_dev(run_state *rs, adam *opt, float lr_decay, const eval_result *dev,
                           int have_best)
{
    if (!have_best || dev->scores.bleu > rs->best_bleu ||
        (dev->scores.bleu == rs->best_bleu && dev->loss < rs->best_dev_loss)) {
        rs->best_bleu = dev->scores.bleu;
        rs->best_dev_loss = dev->loss;
        rs->best_epoch = rs->epoch + (rs->batch_in_epoch > 0); /* the epoch it happened in */
        rs->bad_epochs = 0;
        return 1;
    }
    rs->bad_epochs++;
    opt->lr *= lr_decay;
    return 0;
}

/* Evaluates the dev set, keeps the weights if they are the best so far, and lets the
 * schedule decide; returns whether they are the best (dev->... filled). */
static int evaluate_dev(run *r, eval_result *dev)
{
    train_step_release(r->step); /* the evaluation uses that memory */
    evaluate_corpus(r->m, &r->dev, r->o->dev_beam, train_step_workers(r->step), dev, NULL);
    int best = schedule_by_dev(&r->rs, &r->opt, r->o->lr_decay, dev, checkpoint_has_best(r->ck));
    if (best) checkpoint_keep_best(r->ck, r->m->params, r->m->n_params);
    return best;
}

static int evaluates_each_epoch(const run *r)
{
    return r->has_dev && !r->o->eval_every.steps && !(r->o->eval_every.seconds > 0);
}

static void end_epoch(run *r)
{
    r->rs.epoch++;
    r->rs.batch_in_epoch = 0;
    eval_result dev;
    int each_epoch = evaluates_each_epoch(r);
    int best = each_epoch ? evaluate_dev(r, &dev) : 0;
    progress_end_epoch(&r->pr, &r->rs, r->opt.lr, each_epoch ? &dev : NULL, best);
}

/* A save during training that fails (disk full, quota, I/O error, file-size limit) is not
 * the end of the run: the file keeps the last good model (saves replace it atomically),
 * and the next save point tries again. A save within an epoch keeps the time used, as an
 * interrupted run's does: resumed after a crash, --time goes on counting. */
static void save_or_go_on(run *r, int within_epoch)
{
    r->last_save_time = progress_run_seconds(&r->pr);
    if (save(r, within_epoch) == 0) {
        r->saved_step = r->rs.step;
        progress_metrics(&r->pr, "saved", &r->rs, r->opt.lr, NULL);
        return;
    }
    if (r->saved_step >= 0)
        st_warn("the save at step %ld failed; training goes on, '%s' keeps the model of step %ld, "
                "and the next save tries again", r->rs.step, r->o->model_path, r->saved_step);
    else
        st_warn("the save at step %ld failed; training goes on, and the next save tries again",
                r->rs.step);
}

/* Whether to stop before the next step, agreed by all ranks so that they stop at the same
 * step: a signal any of them caught (*signal), or the budget spent by any one's clock. */
static int agree_to_stop(run *r, int *signal)
{
    int v[2] = {stop_signal, out_of_budget(r->o, &r->rs, &r->pr)};
    dist_max_ints(v, 2);
    *signal = v[0];
    return v[0] || v[1];
}

/* Whether period p comes round at this step; *last: the run time it last came round. */
static int period_due(const period *p, long step, const progress *pr, double last)
{
    if (p->steps > 0) return step % p->steps == 0;
    return p->seconds > 0 && progress_run_seconds(pr) - last >= p->seconds;
}

/* The same, agreed by all ranks: an evaluation changes the schedule on every one. */
static int period_due_everywhere(const period *p, long step, const progress *pr, double last)
{
    int due = period_due(p, step, pr, last);
    if (p->steps <= 0 && p->seconds > 0) dist_max_ints(&due, 1);
    return due;
}

/* The evaluations and saves of --eval-every and --save-every, after a step (no save at an
 * epoch's end, which saves anyway). Returns whether --patience ends the run. */
static int after_step(run *r, int epoch_ends)
{
    const train_options *o = r->o;
    if (r->has_dev && period_due_everywhere(&o->eval_every, r->rs.step, &r->pr, r->last_eval_time)) {
        r->last_eval_time = progress_run_seconds(&r->pr);
        eval_result dev;
        int best = evaluate_dev(r, &dev);
        progress_evaluation(&r->pr, &r->rs, r->opt.lr, &dev, best);
    }
    if (!epoch_ends && period_due(&o->save_every, r->rs.step, &r->pr, r->last_save_time))
        save_or_go_on(r, 1);
    return o->patience > 0 && r->rs.bad_epochs >= o->patience;
}

/* Returns 0 when finished, -1 on failure, or the signal number when interrupted. */
static int train_loop(run *r)
{
    int signal = 0;
    r->last_eval_time = r->last_save_time = progress_run_seconds(&r->pr);
    while (!epochs_done(r->o, &r->rs)) {
        if (agree_to_stop(r, &signal)) return signal;
        r->rs.data_rng = r->rs.epoch_rng;
        epoch_plan_make(&r->train, r->o->batch * r->o->accumulate, r->o->batch_tokens * r->o->accumulate,
                        &r->rs.data_rng, &r->plan);
        for (long k = r->rs.batch_in_epoch; k < r->plan.n_batches; k++) {
            if (agree_to_stop(r, &signal)) return signal;
            int stepped = train_batch(r, k);
            if (stepped < 0) return -1;
            r->rs.batch_in_epoch = k + 1;
            progress_report(&r->pr, &r->rs, r->plan.n_batches, r->opt.lr, 0);
            if (stepped && after_step(r, k + 1 == r->plan.n_batches)) return 0;
        }
        r->rs.epoch_rng = r->rs.data_rng;
        end_epoch(r);
        save_or_go_on(r, 0);
    }
    return 0;
}

/* ---- setup ---- */

static int new_model(const train_options *o, training_corpus *c, model **out, run_state *rs)
{
    model_config cfg = {0};
    cfg.emb = o->emb;
    cfg.hidden = o->hidden;
    cfg.layers = o->layers;
    cfg.bidir = o->bidir;
    cfg.cell = o->cell;
    vocab *sv, *tv;
    bpe *sb, *tb;
    if (training_vocabularies(c, o, &cfg, &sv, &tv, &sb, &tb) != 0) return -1;
    if (model_config_check(&cfg) != 0) {
        vocab_free(sv);
        vocab_free(tv);
        if (tb != sb) bpe_free(tb);
        bpe_free(sb);
        return -1;
    }
    *out = model_new(&cfg, sv, tv);
    (*out)->src_bpe = sb;
    (*out)->tgt_bpe = tb;
    rng_t init;
    rng_seed(&init, (uint64_t)o->seed);
    model_init_weights(*out, &init);
    rng_seed(&rs->epoch_rng, (uint64_t)o->seed * 2 + 1);
    rng_seed(&rs->drop_rng, (uint64_t)o->seed * 2 + 2);
    rs->best_bleu = -1;
    return 0;
}

static int given(const train_options *o, const char *option)
{
    for (int i = 0; i < o->n_given; i++)
        if (!strcmp(o->given[i], option)) return 1;
    return 0;
}

/* Returns 0, -1 with an error printed, or the exit status of a refused resume (2). */
static int setup_model(run *r, training_corpus *c)
{
    const train_options *o = r->o;
    if (!o->resume) {
        if (new_model(o, c, &r->m, &r->rs) != 0) return -1;
        adam_init(&r->opt, r->m->n_params, o->lr);
        return 0;
    }
    void *state = NULL;
    size_t len = 0;
    if (model_file_read(o->model_path, &r->m, &state, &len) != 0) return -1;
    if (r->m->qimage) {
        st_error("%s: an int8 model (seqtrans quantize) is for translating only: resume from "
                 "the float model it was made from", o->model_path);
        free(state);
        return -1;
    }
    adam_init(&r->opt, r->m->n_params, o->lr);
    int rc = checkpoint_restore(r->ck, state, len, o->model_path, r->m, &r->opt, &r->rs,
                                &r->settings, o->dev != NULL);
    free(state);
    if (rc == 0) rc = provenance_check_resume(r->m, o, &r->inputs, &r->fresh_pass);
    if (rc == 0 && r->fresh_pass) r->rs.batch_in_epoch = 0; /* a new pass over the new corpus */
    if (rc == 0 && given(o, "lr")) r->opt.lr = o->lr;
    return rc;
}

static void report_setup(const train_options *o, const model *m, long pairs, int has_dev, int threads)
{
    if (o->quiet) return;
    const model_config *c = &m->cfg;
    char ranks[32] = "";
    if (dist_size() > 1) snprintf(ranks, sizeof ranks, "%d ranks x ", dist_size());
    fprintf(stderr, "seqtrans: %s -> %s, %ld training pairs%s, vocabularies %d / %d, "
            "%zu parameters (emb %d, hidden %d, %d layer%s, %s encoder), %s%d thread%s\n",
            lang_name((lang_t)c->src_lang), lang_name((lang_t)c->tgt_lang), pairs,
            has_dev ? " (with dev set)" : "", c->src_vocab, c->tgt_vocab, m->n_params,
            c->emb, c->hidden, c->layers, c->layers > 1 ? "s" : "", c->bidir ? "bidirectional" : "unidirectional",
            ranks, threads, threads > 1 ? "s" : "");
}

/* Everything before the first step; 0, or -1 with an error printed, or the exit status of a
 * refused resume. */
static int setup(run *r)
{
    const train_options *o = r->o;
    training_corpus c;
    if (provenance_inputs(o, &r->inputs) != 0 || training_corpus_open(&c, o->corpus, o) != 0) return -1;
    int rc = setup_model(r, &c);
    if (rc == 0 && o->resume) training_corpus_orient_like_model(r->m, &c);
    if (rc == 0) rc = training_encode(r->m, &c, o, &r->train);
    training_corpus_close(&c);
    /* The corpus text was many small blocks, now free but kept by malloc inside its heap:
     * hand the pages back, or training keeps the text's memory for nothing. */
    malloc_trim(0);
    if (rc != 0) return rc;
    if (o->dev) {
        if (training_read(o->dev, o, &r->dev) != 0) return -1;
        if (o->resume) training_orient_like_model(r->m, &r->dev, o->dev);
        r->has_dev = 1;
    }
    if (progress_open(&r->pr, o) != 0) return -1;
    if (r->fresh_pass) progress_metrics(&r->pr, "new_data", &r->rs, r->opt.lr, NULL);
    r->step = train_step_new(r->m, o->threads, o->batch);
    report_setup(o, r->m, r->train.n, r->has_dev, train_step_workers(r->step));
    return 0;
}

static void run_free(run *r)
{
    train_step_free(r->step);
    checkpoint_free(r->ck);
    model_free(r->m);
    adam_free(&r->opt);
    dataset_free(&r->train);
    if (r->has_dev) corpus_free(&r->dev);
    epoch_plan_free(&r->plan);
    progress_close(&r->pr);
}

/* The share of the training time rank 0 spent summing gradients with the other ranks. */
static void report_communication(const run *r)
{
    if (dist_size() == 1 || r->o->quiet) return;
    double secs = progress_run_seconds(&r->pr) - r->rs.elapsed, comm = train_step_comm_seconds(r->step);
    double wait = train_step_wait_seconds(r->step), pct = secs > 0 ? 100 / secs : 0;
    long steps = r->attempts > 0 ? r->attempts : 1;
    fprintf(stderr, "seqtrans: communication: %.2fs of %.2fs (%.1f%%), %.0f bytes sent per step; "
            "waiting for other ranks %.1f%%, the rest %.1f%%\n", comm, secs, comm * pct,
            train_step_comm_bytes(r->step) / (double)steps, wait * pct, (comm - wait) * pct);
}

/* How the run ended: 0 done, 128 + the signal when interrupted (after saving). */
static int finish(run *r, int how)
{
    const train_options *o = r->o;
    progress_report(&r->pr, &r->rs, r->plan.n_batches, r->opt.lr, 1);
    if (!o->quiet && isatty(2)) fputc('\n', stderr);
    if (how < 0) return 1;
    if (save(r, how > 0) != 0) {
        if (r->saved_step >= 0)
            st_error("the final save failed: the last good model is still in '%s' (step %ld)",
                     o->model_path, r->saved_step);
        else
            st_error("the final save failed: no model of this run was saved");
        return 1;
    }
    progress_metrics(&r->pr, how ? "interrupted" : "done", &r->rs, r->opt.lr, NULL);
    if (how) {
        if (dist_rank() == 0)
            st_error("interrupted: checkpoint saved to '%s'; continue with --resume", o->model_path);
        return 128 + how;
    }
    report_communication(r);
    struct stat st;
    progress_summary(&r->pr, &r->rs, o->model_path, stat(o->model_path, &st) == 0 ? (long long)st.st_size : 0);
    return 0;
}

/* ---- the ranks of a distributed run ---- */

/* What differs between the ranks: rank 0 alone reports; a thread count not given shares the
 * machine's cores between the ranks on it. */
static void options_of_rank(train_options *o)
{
    if (dist_size() == 1) return;
    char label[32];
    snprintf(label, sizeof label, "rank %d: ", dist_rank());
    st_label_process(label);
    if (dist_rank() != 0) {
        o->quiet = 1;
        o->metrics_path = NULL;
    }
    if (!given(o, "threads")) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN) / dist_local_size();
        o->threads = cores > 1 ? (int)cores : 1;
    }
}

/* The status of the start on every rank: the worst of them, so that all go on or all stop.
 * Rank 0 names the ranks that failed (each has said why). */
static int agree_on_start(int rc)
{
    int ranks = dist_size(), mine = rc < 0 ? 1 : rc, worst = mine;
    if (ranks == 1) return rc;
    int *all = xmalloc((size_t)ranks * sizeof *all);
    dist_allgather(&mine, sizeof mine, all);
    for (int k = 0; k < ranks; k++) {
        if (all[k] && dist_rank() == 0 && !mine) st_error("rank %d of %d could not start: stopping", k, ranks);
        worst = all[k] > worst ? all[k] : worst;
    }
    free(all);
    return worst;
}

/* What every rank must hold alike before the first step: model, vocabularies, the encoded
 * corpus and the run's position. */
static uint32_t start_digest(const run *r)
{
    size_t len;
    uint32_t h = crc32c(0, r->m->params, r->m->n_params * sizeof(float));
    for (int side = 0; side < 2; side++) {
        char *v = vocab_serialize(side ? r->m->tgt_vocab : r->m->src_vocab, &len);
        h = crc32c(h, v, len);
        free(v);
    }
    h = dataset_digest(&r->train, h);
    long position[3] = {r->train.n, r->rs.step, r->rs.batch_in_epoch};
    return crc32c(h, position, sizeof position);
}

/* 0 when every rank holds what rank 0 does; 1 after naming those that do not. */
static int check_ranks_agree(const run *r)
{
    int ranks = dist_size(), differ = 0;
    if (ranks == 1) return 0;
    uint32_t mine = start_digest(r), *all = xmalloc((size_t)ranks * sizeof *all);
    dist_allgather(&mine, sizeof mine, all);
    for (int k = 1; k < ranks; k++)
        if (all[k] != all[0]) {
            differ = 1;
            if (dist_rank() == 0)
                st_error("rank %d read another corpus, vocabulary or model than rank 0: every rank "
                         "must read the same files", k);
        }
    free(all);
    return differ;
}

static int train_ranks(const train_options *o)
{
    model_lock lock; /* one writer per model file, for the whole run */
    int writer = dist_rank() == 0, rc = 0;
    if (writer && (model_file_check_writable(o->model_path) != 0 || model_lock_acquire(o->model_path, &lock) != 0))
        rc = 1;
    if (rc == 0 && writer) file_remove_stale_temporaries(o->model_path);
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.settings = (run_settings){o->batch, o->seed, o->dropout, o->accumulate};
    r.ck = checkpoint_new(o->model_path);
    r.saved_step = -1;
    if (rc == 0 && dist_size() > o->batch) {
        st_error("--batch %d is smaller than the %d ranks: each needs a share of it", o->batch, dist_size());
        rc = 1;
    }
    int locked = writer && rc == 0;
    if (rc == 0) rc = setup(&r);
    rc = agree_on_start(rc);
    if (rc == 0) rc = check_ranks_agree(&r);
    if (rc == 0 && o->resume) r.saved_step = r.rs.step; /* the file holds the run so far */
    if (rc == 0) {
        stop_signal = 0;
        catch_signals();
        progress_start(&r.pr, &r.rs);
        rc = finish(&r, train_loop(&r));
    } else if (rc < 0) {
        rc = 1;
    }
    run_free(&r);
    if (locked) model_lock_release(&lock);
    return rc;
}

int train_run(const train_options *given_options)
{
    if (dist_init() != 0) return 1;
    train_options o = *given_options;
    options_of_rank(&o);
    int rc = train_ranks(&o);
    dist_finalize();
    return rc;
}
