#include "train/progress.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int progress_open(progress *p, const train_options *o)
{
    memset(p, 0, sizeof *p);
    p->o = o;
    if (!o->metrics_path) return 0;
    p->metrics = fopen(o->metrics_path, "a");
    if (!p->metrics) {
        st_error("cannot open '%s': %s", o->metrics_path, strerror(errno));
        return -1;
    }
    return 0;
}

void progress_close(progress *p)
{
    if (p->metrics) fclose(p->metrics);
    p->metrics = NULL;
}

void progress_start(progress *p, const run_state *rs)
{
    p->t0 = p->last_report = now_seconds();
    p->elapsed_before = rs->elapsed;
    p->tokens_at_start = rs->tgt_tokens;
}

double progress_run_seconds(const progress *p) { return p->elapsed_before + (now_seconds() - p->t0); }

void progress_add_loss(progress *p, double nll, long tokens)
{
    p->loss_sum += nll;
    p->loss_tokens += tokens;
}

double progress_train_loss(const progress *p)
{
    return p->loss_tokens ? p->loss_sum / p->loss_tokens : p->last_epoch_loss;
}

/* This process's rate: a resumed run's earlier tokens took time it did not measure. */
static double tokens_per_second(const progress *p, const run_state *rs)
{
    double s = now_seconds() - p->t0;
    return s > 0 ? (rs->tgt_tokens - p->tokens_at_start) / s : 0;
}

void progress_metrics(progress *p, const char *event, const run_state *rs, float lr,
                      const eval_result *dev)
{
    FILE *f = p->metrics;
    if (!f) return;
    fprintf(f, "{\"event\":\"%s\",\"elapsed_s\":%.3f,\"epoch\":%d,\"step\":%ld,\"tgt_tokens\":%ld,"
            "\"tok_per_s\":%.1f,\"train_loss\":%.5f,\"lr\":%g",
            event, progress_run_seconds(p), rs->epoch, rs->step, rs->tgt_tokens,
            tokens_per_second(p, rs), progress_train_loss(p), lr);
    if (dev)
        fprintf(f, ",\"dev_loss\":%.5f,\"dev_ppl\":%.3f,\"dev_bleu\":%.3f,\"dev_chrf\":%.3f",
                dev->loss, dev->ppl, dev->scores.bleu, dev->scores.chrf);
    if (!strcmp(event, "done")) {
        fputs(",\"model\":", f);
        json_write_string(f, p->o->model_path);
    }
    fprintf(f, "}\n");
    fflush(f);
}

void progress_report(progress *p, const run_state *rs, long n_batches, float lr, int force)
{
    const train_options *o = p->o;
    double now = now_seconds();
    int tty = isatty(2);
    if (!force && now - p->last_report < (tty ? 0.5 : 10)) return;
    p->last_report = now;
    progress_metrics(p, "progress", rs, lr, NULL);
    if (o->quiet) return;
    long nb = n_batches ? n_batches : 1;
    char left[64] = "";
    if (o->time_limit > 0)
        snprintf(left, sizeof left, ", %.0fs left", o->time_limit - progress_run_seconds(p));
    else if (o->epochs > 0) {
        double done = rs->epoch + (double)rs->batch_in_epoch / nb;
        double rate = done > 0 ? progress_run_seconds(p) / done : 0;
        snprintf(left, sizeof left, ", %.0fs left", rate * (o->epochs - done));
    }
    char best[48] = "";
    if (rs->best_bleu >= 0) snprintf(best, sizeof best, "  best BLEU %.2f (epoch %d)", rs->best_bleu, rs->best_epoch);
    fprintf(stderr, "%sepoch %d %5.1f%%  step %ld  loss %.3f  %.0f tok/s%s%s%s", tty ? "\r" : "",
            rs->epoch + 1, 100.0 * rs->batch_in_epoch / nb, rs->step, progress_train_loss(p),
            tokens_per_second(p, rs), best, left, tty ? "\033[K" : "\n");
}

void progress_summary(const progress *p, const run_state *rs, const char *model_path, long long bytes)
{
    if (p->o->quiet) return;
    char best[64] = "";
    if (rs->best_bleu >= 0) snprintf(best, sizeof best, ", best epoch %d (dev BLEU %.2f)", rs->best_epoch, rs->best_bleu);
    long s = (long)(progress_run_seconds(p) + 0.5);
    char took[32];
    if (s >= 3600) snprintf(took, sizeof took, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else snprintf(took, sizeof took, "%ldm%02lds", s / 60, s % 60);
    fprintf(stderr, "seqtrans: done: %d epoch%s, %ld steps, %s%s; model '%s' (%.1f MB)\n",
            rs->epoch, rs->epoch == 1 ? "" : "s", rs->step, took, best, model_path, bytes / 1e6);
}

/* ", dev loss 1.234, ppl 3.43, BLEU 12.34, chrF 40.12 (best)" */
static void print_dev(const eval_result *dev, int improved)
{
    fprintf(stderr, ", dev loss %.3f, ppl %.2f, BLEU %.2f, chrF %.2f%s", dev->loss, dev->ppl,
            dev->scores.bleu, dev->scores.chrf, improved ? " (best)" : "");
}

void progress_end_epoch(progress *p, const run_state *rs, float lr, const eval_result *dev,
                        int improved)
{
    if (!p->o->quiet) {
        fprintf(stderr, "%sepoch %d: train loss %.3f", isatty(2) ? "\r\033[K" : "", rs->epoch,
                progress_train_loss(p));
        if (dev) print_dev(dev, improved);
        fputc('\n', stderr);
    }
    progress_metrics(p, "epoch", rs, lr, dev);
    p->last_epoch_loss = progress_train_loss(p);
    p->loss_sum = 0;
    p->loss_tokens = 0;
}

void progress_evaluation(progress *p, const run_state *rs, float lr, const eval_result *dev,
                         int improved)
{
    if (!p->o->quiet) {
        fprintf(stderr, "%sstep %ld (epoch %d): train loss %.3f", isatty(2) ? "\r\033[K" : "",
                rs->step, rs->epoch + 1, progress_train_loss(p));
        print_dev(dev, improved);
        fputc('\n', stderr);
    }
    progress_metrics(p, "eval", rs, lr, dev);
}
