/* seqtrans train: the options of train_run(), from the table below. */
#include <stddef.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "store/model_file.h"
#include "train/train.h"

static void train_defaults(void *store)
{
    train_options *o = store;
    train_options_default(o);
    o->threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define AT(field) offsetof(train_options, field)
static const opt_spec train_opts[] = {
    {"model", 'o', OPT_FILE, AT(model_path), "FILE", "*.model", 0, 0,
     "$SEQTRANS_MODEL or seqtrans.model", "model to write", "files"},
    {"dev", 0, OPT_FILE, AT(dev), "FILE.tsv", "*.tsv", 0, 0, NULL,
     "development set, evaluated after every epoch (or --eval-every); the best model by dev "
     "BLEU is the one kept",
     NULL},
    {"resume", 0, OPT_FLAG, AT(resume), NULL, NULL, 0, 0, NULL,
     "continue the interrupted or finished run stored in the model file; options that fix "
     "the model's shape or vocabulary must agree with it, and the corpus must be the one it "
     "was trained on", NULL},
    {"new-data", 0, OPT_FLAG, AT(new_data), NULL, NULL, 0, 0, NULL,
     "with --resume: the corpus is another one on purpose; keep the weights, optimizer state "
     "and step count and start a fresh pass over it", NULL},
    {"metrics", 0, OPT_FILE, AT(metrics_path), "FILE", NULL, 0, 0, NULL,
     "append one JSON object per line of progress", NULL},
    {"quiet", 'q', OPT_FLAG, AT(quiet), NULL, NULL, 0, 0, NULL, "no progress output", NULL},

    {"reverse", 0, OPT_FLAG, AT(reverse), NULL, NULL, 0, 0, NULL,
     "swap the columns: train column 2 -> column 1", "corpus"},
    {"strict", 0, OPT_FLAG, AT(strict), NULL, NULL, 0, 0, NULL,
     "stop at the first unusable corpus line", NULL},
    {"min-count", 0, OPT_INT, AT(src_min_count), "N", NULL, 1, 1 << 30, NULL,
     "keep tokens seen at least N times", NULL},
    {"max-vocab", 0, OPT_INT, AT(src_max_vocab), "N", NULL, 5, 10000000, NULL,
     "vocabulary size cap per side", NULL},
    {"max-len", 0, OPT_INT, AT(max_len), "N", NULL, 1, 100000, NULL,
     "leave out pairs with more tokens than this", NULL},
    {"subword", 0, OPT_CHOICE, AT(subword), NULL, "none|bpe|bpe-chars", 0, 0,
     "none below " STRINGIFY(SUBWORD_AUTO_PAIRS) " pairs, bpe-chars from there",
     "units of the vocabularies: words, or byte-pair-encoding subwords learnt from the corpus "
     "(English: merges over the words; Chinese: over characters, or with bpe-chars none, so "
     "that Chinese stays characters while its Latin words get merges). Tatoeba en->zh (27k "
     "pairs, 2 threads, dev BLEU, beam 5): 6-minute runs none 24.4, bpe-chars 23.2; 3-minute "
     "runs none 7.1, bpe-chars 7.4, bpe 0.7. Docs (994k pairs, 15 minutes, 1 thread, 500 dev "
     "pairs): en->zh none 10.6, bpe-chars 19.6; zh->en none 15.0, bpe-chars 24.3", NULL},
    {"vocab-size", 0, OPT_INT, AT(vocab_size), "N", NULL, 200, 1000000, NULL,
     "with BPE units: symbols (characters and merges) per side, or of the joint one", NULL},
    {"joint-vocab", 0, OPT_FLAG, AT(joint_vocab), NULL, NULL, 0, 0, NULL,
     "with BPE units: one BPE and one vocabulary for both sides", NULL},

    {"epochs", 0, OPT_INT, AT(epochs), "N", NULL, 1, 1000000, "10 when no other limit is given",
     "stop after N epochs", "when to stop (the first limit reached)"},
    {"time", 0, OPT_DURATION, AT(time_limit), "DURATION", NULL, 0, 0, NULL,
     "stop after this much training time (90s, 30m, 2h)", NULL},
    {"max-steps", 0, OPT_LONG, AT(max_steps), "N", NULL, 1, (double)(1L << 50), "",
     "stop after N optimizer steps", NULL},
    {"patience", 0, OPT_INT, AT(patience), "N", NULL, 0, 1000000, NULL,
     "stop after N dev evaluations without improvement; 0 never stops", NULL},
    {"eval-every", 0, OPT_PERIOD, AT(eval_every), "WHEN", NULL, 0, 0, NULL,
     "evaluate the dev set every N steps, every DURATION (30m) or each epoch; the "
     "learning-rate decay and --patience count these evaluations (steps keep a run "
     "reproducible, a duration does not)", NULL},
    {"save-every", 0, OPT_PERIOD, AT(save_every), "WHEN", NULL, 0, 0, NULL,
     "also save a resumable checkpoint every N steps or every DURATION, besides each "
     "epoch's end: a crash loses at most this much", NULL},

    {"emb", 0, OPT_INT, AT(emb), "N", NULL, 1, 8192, NULL, "embedding size", "model"},
    {"hidden", 0, OPT_INT, AT(hidden), "N", NULL, 2, 8192, NULL,
     "state size of the recurrent cells", NULL},
    {"layers", 0, OPT_INT, AT(layers), "N", NULL, 1, 8, NULL,
     "recurrent layers of the encoder and of the decoder", NULL},
    {"encoder", 0, OPT_CHOICE, AT(bidir), NULL, "uni|bi", 0, 0, NULL,
     "unidirectional or bidirectional encoder", NULL},
    {"cell", 0, OPT_CHOICE, AT(cell), NULL, "lstm|gru", 0, 0, NULL,
     "recurrent cell of the encoder and decoder", NULL},

    {"batch", 0, OPT_INT, AT(batch), "N", NULL, 1, 100000, NULL, "sentence pairs per step",
     "optimisation"},
    {"batch-tokens", 0, OPT_LONG, AT(batch_tokens), "N", NULL, 1, 1e9, "no limit",
     "also at most N padded tokens per step (pairs x the longest side), so that long "
     "paragraphs do not blow memory and short sentences fill a step", NULL},
    {"accumulate", 0, OPT_INT, AT(accumulate), "N", NULL, 1, 1024, NULL,
     "a step takes N batches (N x --batch pairs, N x --batch-tokens) and computes them "
     "one after another, summing their gradients: the update of a batch N times larger in "
     "the memory of one, and N times fewer exchanges between MPI ranks", NULL},
    {"lr", 0, OPT_FLOAT, AT(lr), "F", NULL, 1e-9, 10, NULL, "Adam learning rate", NULL},
    {"lr-decay", 0, OPT_FLOAT, AT(lr_decay), "F", NULL, 0.01, 1, NULL,
     "learning rate factor when dev BLEU does not improve", NULL},
    {"clip", 0, OPT_FLOAT, AT(clip), "F", NULL, 0, 1e9, NULL, "gradient-norm clip", NULL},
    {"dropout", 0, OPT_FLOAT, AT(dropout), "P", NULL, 0, 0.95, NULL, "dropout", NULL},
    {"label-smoothing", 0, OPT_FLOAT, AT(label_smoothing), "F", NULL, 0, 0.99, NULL,
     "share of the target probability spread over the vocabulary", NULL},
    {"seed", 0, OPT_INT, AT(seed), "N", NULL, 0, 2147483647, NULL,
     "all randomness: init, shuffling, dropout", NULL},
    {"threads", 0, OPT_INT, AT(threads), "N", NULL, 1, 1024, "number of cores", "worker threads",
     NULL},
};
#undef AT

const opt_command train_command = {
    .name = "train",
    .summary = "train a model on a TSV corpus",
    .synopsis = "[options] CORPUS.tsv",
    .description = "Trains a translation model on CORPUS (TSV: source<TAB>target[<TAB>ignored...]) "
                   "and writes it to the model file.",
    .opts = train_opts,
    .n_opts = sizeof train_opts / sizeof train_opts[0],
    .store_size = sizeof(train_options),
    .init = train_defaults,
    .operand_glob = "*.tsv",
};

int cmd_train(int argc, char **argv)
{
    train_options o;
    train_defaults(&o);
    opt_result args;
    int rc = opt_parse(&train_command, argc, argv, &o, &args);
    if (rc != OPT_CONTINUE) return rc;
    if (args.first_operand != argc - 1)
        return opt_usage_error(&train_command, "expected one CORPUS.tsv argument");
    /* --min-count and --max-vocab are one setting for both sides. */
    o.tgt_min_count = o.src_min_count;
    o.tgt_max_vocab = o.src_max_vocab;
    o.corpus = argv[args.first_operand];
    for (int i = 0; i < train_command.n_opts && o.n_given < (int)(sizeof o.given / sizeof o.given[0]); i++)
        if (opt_given(&train_command, &args, train_command.opts[i].name)) o.given[o.n_given++] = train_command.opts[i].name;
    if (o.new_data && !o.resume) return opt_usage_error(&train_command, "--new-data goes with --resume");
    if (o.subword == SUBWORD_NONE && (opt_given(&train_command, &args, "vocab-size") || o.joint_vocab))
        return opt_usage_error(&train_command,
                               "--vocab-size and --joint-vocab are for BPE units, not --subword none");
    if (!o.model_path) o.model_path = model_default_path();
    return train_run(&o);
}
