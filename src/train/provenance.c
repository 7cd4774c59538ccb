#include "train/provenance.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cell.h"
#include "store/record.h"
#include "sys/util.h"

static const struct {
    const char *option;
    resume_rule rule;
} RULES[] = {
    /* the model's shape and vocabulary */
    {"emb", RESUME_FIXED}, {"hidden", RESUME_FIXED}, {"layers", RESUME_FIXED},
    {"encoder", RESUME_FIXED}, {"cell", RESUME_FIXED}, {"min-count", RESUME_FIXED},
    {"max-vocab", RESUME_FIXED}, {"max-len", RESUME_FIXED}, {"subword", RESUME_FIXED},
    {"vocab-size", RESUME_FIXED}, {"joint-vocab", RESUME_FIXED},
    /* the run: limits, schedule, output, resources */
    {"model", RESUME_APPLIED}, {"dev", RESUME_APPLIED}, {"resume", RESUME_APPLIED},
    {"new-data", RESUME_APPLIED}, {"metrics", RESUME_APPLIED}, {"quiet", RESUME_APPLIED},
    {"reverse", RESUME_APPLIED}, {"strict", RESUME_APPLIED}, {"epochs", RESUME_APPLIED},
    {"time", RESUME_APPLIED}, {"max-steps", RESUME_APPLIED}, {"patience", RESUME_APPLIED},
    {"eval-every", RESUME_APPLIED}, {"save-every", RESUME_APPLIED},
    {"batch", RESUME_APPLIED}, {"batch-tokens", RESUME_APPLIED}, {"accumulate", RESUME_APPLIED}, {"lr", RESUME_APPLIED},
    {"lr-decay", RESUME_APPLIED}, {"clip", RESUME_APPLIED}, {"dropout", RESUME_APPLIED},
    {"label-smoothing", RESUME_APPLIED}, {"seed", RESUME_APPLIED}, {"threads", RESUME_APPLIED},
};
enum { N_RULES = sizeof RULES / sizeof RULES[0] };

int resume_rule_of(const char *option)
{
    for (int i = 0; i < N_RULES; i++)
        if (!strcmp(RULES[i].option, option)) return (int)RULES[i].rule;
    return -1;
}

int provenance_inputs(const train_options *o, run_inputs *in)
{
    memset(in, 0, sizeof *in);
    int rc = file_fingerprint_of(o->corpus, &in->corpus);
    if (rc < 0) return -1;
    in->has_corpus = rc == 0;
    if (o->dev) {
        rc = file_fingerprint_of(o->dev, &in->dev);
        if (rc < 0) return -1;
        in->has_dev = rc == 0;
    }
    return 0;
}

static void record_file(model *m, const char *key, const char *path, const file_fingerprint *fp, int has)
{
    char k[32];
    record_set(&m->record, key, "%s", path);
    if (!has) return;
    snprintf(k, sizeof k, "%s_bytes", key);
    record_set(&m->record, k, "%" PRIu64, fp->size);
    snprintf(k, sizeof k, "%s_lines", key);
    record_set(&m->record, k, "%" PRIu64, fp->lines);
    snprintf(k, sizeof k, "%s_hash", key);
    record_set(&m->record, k, "%016" PRIx64, fp->hash);
}

void provenance_record(model *m, const train_options *o, const run_inputs *in,
                       const run_state *rs, long pairs)
{
    /* No clock time: the same run writes the same bytes (info shows the file's time). */
    record_set(&m->record, "seqtrans_version", "%s", SEQTRANS_VERSION);
    record_file(m, "corpus", o->corpus, &in->corpus, in->has_corpus);
    record_set(&m->record, "pairs_used", "%ld", pairs);
    if (o->dev) record_file(m, "dev", o->dev, &in->dev, in->has_dev);
    record_set(&m->record, "min_count", "%d", o->src_min_count);
    record_set(&m->record, "max_vocab", "%d", o->src_max_vocab);
    record_set(&m->record, "max_len", "%d", o->max_len);
    record_set(&m->record, "seed", "%d", o->seed);
    char *had = record_get(m->record, "vocab_size");
    /* a word-level model's record stays as it was; a resumed run keeps what was learnt */
    if ((m->src_bpe || m->tgt_bpe) && !had) {
        record_set(&m->record, "vocab_size", "%d", o->vocab_size);
        record_set(&m->record, "joint_vocab", "%d", o->joint_vocab);
    }
    free(had);
    record_set(&m->record, "epochs", "%d", rs->epoch);
    record_set(&m->record, "steps", "%ld", rs->step);
    record_set(&m->record, "target_tokens", "%ld", rs->tgt_tokens);
    if (rs->best_bleu >= 0) {
        record_set(&m->record, "best_dev_bleu", "%.2f", rs->best_bleu);
        record_set(&m->record, "best_epoch", "%d", rs->best_epoch);
    }
}

/* The record's value of key as a number, or -1 when absent. */
static long long recorded(const model *m, const char *key)
{
    char *v = record_get(m->record, key);
    long long x = v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return x;
}

/* 1 when the corpus on the command line is the one recorded (or nothing is recorded). */
static int same_corpus(const model *m, const run_inputs *in, char *why, size_t n)
{
    long long bytes = recorded(m, "corpus_bytes"), lines = recorded(m, "corpus_lines");
    char *hash = record_get(m->record, "corpus_hash"), now[32];
    int same = 1;
    if (hash && in->has_corpus) {
        snprintf(now, sizeof now, "%016" PRIx64, in->corpus.hash);
        if ((uint64_t)bytes != in->corpus.size || (uint64_t)lines != in->corpus.lines || strcmp(hash, now)) {
            snprintf(why, n, "%lld bytes in %lld lines then, %" PRIu64 " bytes in %" PRIu64 " lines now%s",
                     bytes, lines, in->corpus.size, in->corpus.lines,
                     (uint64_t)bytes == in->corpus.size && (uint64_t)lines == in->corpus.lines ? ", other content" : "");
            same = 0;
        }
    }
    free(hash);
    return same;
}

/* A fixed option's value on the command line and in the model, as text; 0 when they agree. */
static int fixed_disagrees(const model *m, const train_options *o, const char *name, char *given,
                           char *model_value, size_t n)
{
    const model_config *c = &m->cfg;
    long g, v;
    if (!strcmp(name, "emb")) g = o->emb, v = c->emb;
    else if (!strcmp(name, "hidden")) g = o->hidden, v = c->hidden;
    else if (!strcmp(name, "layers")) g = o->layers, v = c->layers;
    else if (!strcmp(name, "min-count")) g = o->src_min_count, v = (long)recorded(m, "min_count");
    else if (!strcmp(name, "max-vocab")) g = o->src_max_vocab, v = (long)recorded(m, "max_vocab");
    else if (!strcmp(name, "max-len")) g = o->max_len, v = (long)recorded(m, "max_len");
    else if (!strcmp(name, "vocab-size")) g = o->vocab_size, v = (long)recorded(m, "vocab_size");
    else if (!strcmp(name, "joint-vocab")) g = o->joint_vocab, v = m->src_bpe ? (long)recorded(m, "joint_vocab") : 0;
    else if (!strcmp(name, "subword")) {
        static const char *const names[] = {"none", "bpe", "bpe-chars"};
        const bpe *zh = c->src_lang == LANG_ZH ? m->src_bpe : m->tgt_bpe;
        int has = !m->src_bpe ? SUBWORD_NONE : zh && !bpe_han_runs(zh) ? SUBWORD_BPE_CHARS : SUBWORD_BPE;
        int want = o->subword == SUBWORD_AUTO ? SUBWORD_NONE : o->subword;
        snprintf(given, n, "%s", names[want]);
        snprintf(model_value, n, "%s", names[has]);
        return want != has;
    }
    else if (!strcmp(name, "encoder")) {
        snprintf(given, n, "%s", o->bidir ? "bi" : "uni");
        snprintf(model_value, n, "%s", c->bidir ? "bi" : "uni");
        return o->bidir != c->bidir;
    } else if (!strcmp(name, "cell")) {
        snprintf(given, n, "%s", cell_of(o->cell)->name);
        snprintf(model_value, n, "%s", model_cell(c)->name);
        return o->cell != c->cell;
    } else {
        return 0;
    }
    snprintf(given, n, "%ld", g);
    if (v < 0) snprintf(model_value, n, "not recorded");
    else snprintf(model_value, n, "%ld", v);
    return v >= 0 && g != v;
}

int provenance_check_resume(const model *m, const train_options *o, const run_inputs *in,
                            int *fresh_pass)
{
    *fresh_pass = 0;
    for (int i = 0; i < o->n_given; i++) {
        char given[64], model_value[64];
        if (resume_rule_of(o->given[i]) == RESUME_FIXED &&
            fixed_disagrees(m, o, o->given[i], given, model_value, sizeof given)) {
            st_error("train: --resume: --%s %s conflicts with the model, which has %s; train a new "
                     "model (without --resume) to change it", o->given[i], given, model_value);
            return 2;
        }
    }
    char why[200];
    if (!same_corpus(m, in, why, sizeof why)) {
        char *was = record_get(m->record, "corpus");
        if (!o->new_data) {
            st_error("train: --resume: '%s' is not the corpus '%s' was trained on ('%s': %s); "
                     "to go on training it on this corpus, add --new-data", o->corpus,
                     o->model_path, was ? was : "?", why);
            free(was);
            return 2;
        }
        st_warn("--new-data: going on from '%s' (weights, optimizer state and step count) with a "
                "fresh pass over '%s', instead of '%s'", o->model_path, o->corpus, was ? was : "?");
        free(was);
        *fresh_pass = 1;
    }
    if (o->quiet) return 0;
    char list[512] = "";
    for (int i = 0; i < o->n_given; i++)
        if (resume_rule_of(o->given[i]) == RESUME_APPLIED && strcmp(o->given[i], "resume") &&
            strlen(list) + strlen(o->given[i]) + 4 < sizeof list) {
            strcat(list, list[0] ? ", --" : "--");
            strcat(list, o->given[i]);
        }
    if (list[0]) fprintf(stderr, "seqtrans: resuming '%s' with %s as given\n", o->model_path, list);
    return 0;
}
