/* seqtrans train: option parsing for train_run(). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "nn/cell.h"
#include "store/model_file.h"
#include "train/train.h"
#include "sys/util.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: seqtrans train [options] CORPUS.tsv\n"
        "Trains a translation model on CORPUS (TSV: source<TAB>target[<TAB>ignored...]).\n\n"
        "  -o, --model FILE     model to write (default $SEQTRANS_MODEL or seqtrans.model)\n"
        "      --dev FILE.tsv   development set, evaluated after every epoch; the best model\n"
        "                       by dev BLEU is the one kept\n"
        "      --reverse        train column 2 -> column 1\n"
        "      --epochs N       stop after N epochs (default 10 when no other limit is given)\n"
        "      --time DURATION  stop after this much training time (90s, 30m, 2h)\n"
        "      --max-steps N    stop after N optimizer steps\n"
        "      --batch N        sentence pairs per step (64)\n"
        "      --emb N          embedding size (256)\n"
        "      --hidden N       LSTM size (512)\n"
        "      --layers N       LSTM layers of the encoder and of the decoder (1)\n"
        "      --encoder uni|bi unidirectional or bidirectional encoder (bi)\n"
        "      --cell lstm|gru  recurrent cell of the encoder and decoder (lstm)\n"
        "      --dropout P      dropout (0.2)\n"
        "      --lr F           Adam learning rate (0.001)\n"
        "      --lr-decay F     learning rate factor when dev BLEU does not improve (0.5)\n"
        "      --patience N     stop after N epochs without dev improvement (0: never)\n"
        "      --clip F         gradient-norm clip (5)\n"
        "      --label-smoothing F  (0.1)\n"
        "      --min-count N    keep tokens seen at least N times (2)\n"
        "      --max-vocab N    vocabulary size cap per side (30000)\n"
        "      --max-len N      leave out pairs with more tokens than this (100)\n"
        "      --seed N         all randomness: init, shuffling, dropout (1)\n"
        "      --threads N      worker threads (number of cores)\n"
        "      --resume         continue the run stored in the model file\n"
        "      --strict         stop at the first unusable corpus line\n"
        "      --metrics FILE   append one JSON object per line of progress\n"
        "  -q, --quiet          no progress output\n"
        "  -h, --help           this help\n");
}

enum {
    OPT_DEV = 256, OPT_REVERSE, OPT_EPOCHS, OPT_TIME, OPT_MAX_STEPS, OPT_BATCH, OPT_EMB,
    OPT_HIDDEN, OPT_LAYERS, OPT_ENCODER, OPT_DROPOUT, OPT_LR, OPT_CLIP, OPT_SEED, OPT_THREADS,
    OPT_RESUME, OPT_METRICS, OPT_LS, OPT_MIN_COUNT, OPT_MAX_VOCAB, OPT_MAX_LEN, OPT_STRICT,
    OPT_LR_DECAY, OPT_PATIENCE, OPT_CELL
};

static const struct option long_options[] = {
    {"model", required_argument, 0, 'o'}, {"dev", required_argument, 0, OPT_DEV},
    {"reverse", no_argument, 0, OPT_REVERSE}, {"epochs", required_argument, 0, OPT_EPOCHS},
    {"time", required_argument, 0, OPT_TIME}, {"max-steps", required_argument, 0, OPT_MAX_STEPS},
    {"batch", required_argument, 0, OPT_BATCH}, {"emb", required_argument, 0, OPT_EMB},
    {"hidden", required_argument, 0, OPT_HIDDEN}, {"layers", required_argument, 0, OPT_LAYERS},
    {"encoder", required_argument, 0, OPT_ENCODER}, {"dropout", required_argument, 0, OPT_DROPOUT},
    {"lr", required_argument, 0, OPT_LR}, {"clip", required_argument, 0, OPT_CLIP},
    {"seed", required_argument, 0, OPT_SEED}, {"threads", required_argument, 0, OPT_THREADS},
    {"resume", no_argument, 0, OPT_RESUME}, {"metrics", required_argument, 0, OPT_METRICS},
    {"label-smoothing", required_argument, 0, OPT_LS}, {"min-count", required_argument, 0, OPT_MIN_COUNT},
    {"max-vocab", required_argument, 0, OPT_MAX_VOCAB}, {"max-len", required_argument, 0, OPT_MAX_LEN},
    {"strict", no_argument, 0, OPT_STRICT}, {"lr-decay", required_argument, 0, OPT_LR_DECAY},
    {"patience", required_argument, 0, OPT_PATIENCE}, {"cell", required_argument, 0, OPT_CELL},
    {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};

/* Integer option in [lo, hi]; prints the problem and returns -1 when malformed. */
static int parse_int(const char *name, const char *s, long lo, long hi, long *out)
{
    if (parse_long(s, lo, hi, out) == 0) return 0;
    st_error("train: --%s wants an integer in %ld..%ld, not '%s'", name, lo, hi, s);
    return -1;
}

static int parse_float(const char *name, const char *s, double lo, double hi, float *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi)) {
        st_error("train: --%s wants a number in %g..%g, not '%s'", name, lo, hi, s);
        return -1;
    }
    *out = (float)v;
    return 0;
}

static int set_option(train_options *o, int c, const char *arg)
{
    long v = 0;
    int rc = 0;
    switch (c) {
    case 'o': o->model_path = arg; break;
    case OPT_DEV: o->dev = arg; break;
    case OPT_REVERSE: o->reverse = 1; break;
    case OPT_EPOCHS: rc = parse_int("epochs", arg, 1, 1000000, &v); o->epochs = (int)v; break;
    case OPT_TIME:
        o->time_limit = parse_duration(arg);
        if (o->time_limit <= 0) st_error("train: --time wants a duration like 90s, 30m or 2h, not '%s'", arg), rc = -1;
        break;
    case OPT_MAX_STEPS: rc = parse_int("max-steps", arg, 1, 1L << 50, &v); o->max_steps = v; break;
    case OPT_BATCH: rc = parse_int("batch", arg, 1, 100000, &v); o->batch = (int)v; break;
    case OPT_EMB: rc = parse_int("emb", arg, 1, 8192, &v); o->emb = (int)v; break;
    case OPT_HIDDEN: rc = parse_int("hidden", arg, 2, 8192, &v); o->hidden = (int)v; break;
    case OPT_LAYERS: rc = parse_int("layers", arg, 1, 8, &v); o->layers = (int)v; break;
    case OPT_ENCODER:
        if (!strcmp(arg, "uni")) o->bidir = 0;
        else if (!strcmp(arg, "bi")) o->bidir = 1;
        else st_error("train: --encoder wants uni or bi, not '%s'", arg), rc = -1;
        break;
    case OPT_CELL:
        if ((o->cell = cell_kind_named(arg)) < 0) st_error("train: --cell wants %s, not '%s'", cell_names(), arg), rc = -1;
        break;
    case OPT_DROPOUT: rc = parse_float("dropout", arg, 0, 0.95, &o->dropout); break;
    case OPT_LR: rc = parse_float("lr", arg, 1e-9, 10, &o->lr); break;
    case OPT_LR_DECAY: rc = parse_float("lr-decay", arg, 0.01, 1, &o->lr_decay); break;
    case OPT_PATIENCE: rc = parse_int("patience", arg, 0, 1000000, &v); o->patience = (int)v; break;
    case OPT_CLIP: rc = parse_float("clip", arg, 0, 1e9, &o->clip); break;
    case OPT_LS: rc = parse_float("label-smoothing", arg, 0, 0.99, &o->label_smoothing); break;
    case OPT_SEED: rc = parse_int("seed", arg, 0, 2147483647, &v); o->seed = (int)v; break;
    case OPT_THREADS: rc = parse_int("threads", arg, 1, 1024, &v); o->threads = (int)v; break;
    case OPT_RESUME: o->resume = 1; break;
    case OPT_STRICT: o->strict = 1; break;
    case OPT_METRICS: o->metrics_path = arg; break;
    case OPT_MIN_COUNT: rc = parse_int("min-count", arg, 1, 1L << 30, &v); o->src_min_count = o->tgt_min_count = (int)v; break;
    case OPT_MAX_VOCAB: rc = parse_int("max-vocab", arg, 5, 10000000, &v); o->src_max_vocab = o->tgt_max_vocab = (int)v; break;
    case OPT_MAX_LEN: rc = parse_int("max-len", arg, 1, 100000, &v); o->max_len = (int)v; break;
    case 'q': o->quiet = 1; break;
    default: return -2;
    }
    return rc;
}

int cmd_train(int argc, char **argv)
{
    train_options o;
    train_options_default(&o);
    o.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", long_options, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        int rc = set_option(&o, c, optarg);
        if (rc == -2) {
            usage(stderr);
            return 2;
        }
        if (rc) return 2;
    }
    if (optind != argc - 1) {
        st_error("train: expected one CORPUS.tsv argument");
        usage(stderr);
        return 2;
    }
    o.corpus = argv[optind];
    if (!o.model_path) o.model_path = model_default_path();
    return train_run(&o);
}
