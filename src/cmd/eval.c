/* seqtrans eval: score a model on a TSV test set, or translations against references. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/evaluate.h"
#include "text/metrics.h"
#include "store/model_file.h"
#include "sys/util.h"

typedef struct {
    const char *model, *hyp;
    int beam, threads, tokenize, lowercase, json;
} eval_options;

/* --tokenize's words, in the order of its choices */
static const bleu_tokenizer tokenizers[] = {BLEU_TOK_13A, BLEU_TOK_ZH, BLEU_TOK_CHAR, BLEU_TOK_NONE};

static void eval_defaults(void *store)
{
    eval_options *o = store;
    *o = (eval_options){.beam = SEQTRANS_DEFAULT_BEAM, .tokenize = -1};
}

#define AT(field) offsetof(eval_options, field)
static const opt_spec eval_opts[] = {
    {"model", 'm', OPT_FILE, AT(model), "FILE", "*.model", 0, 0,
     "$SEQTRANS_MODEL or seqtrans.model", "model (first form)", NULL},
    {"beam", 0, OPT_INT, AT(beam), "N", NULL, 1, 100, NULL, "beam size; 1 is greedy search", NULL},
    {"threads", 0, OPT_INT, AT(threads), "N", NULL, 1, 1024, "number of cores", "worker threads",
     NULL},
    {"hyp", 0, OPT_FILE, AT(hyp), "FILE", NULL, 0, 0, NULL,
     "the translations to score, one per line (second form)", NULL},
    {"tokenize", 0, OPT_CHOICE, AT(tokenize), NULL, "13a|zh|char|none", 0, 0,
     "zh when the references contain Chinese (Han) or Japanese kana characters, else 13a",
     "BLEU tokenizer", NULL},
    {"lowercase", 0, OPT_FLAG, AT(lowercase), NULL, NULL, 0, 0, NULL,
     "case-insensitive BLEU (chrF stays case-sensitive, as in sacreBLEU)", NULL},
    {"json", 0, OPT_FLAG, AT(json), NULL, NULL, 0, 0, NULL,
     "print one JSON object instead of the text report", NULL},
};
#undef AT

const opt_command eval_command = {
    .name = "eval",
    .summary = "score a model on a TSV test set, or translations against references",
    .synopsis = "[-m MODEL] [--beam N] [--threads N] [--json] TEST.tsv\n"
                "--hyp HYP.txt [--tokenize 13a|zh|char|none] [--lowercase] [--json] "
                "REF.txt [REF2.txt ...]",
    .description = "The first form translates column 1 of TEST.tsv with the model and scores the "
                   "output against column 2; it also reports the model's cross-entropy and "
                   "perplexity, and the share of each side's units (words or subwords) that "
                   "the model's vocabularies lack (<unk>).\n\n"
                   "The second form scores translations, one per line, against one or more "
                   "reference files with the same number of lines. BLEU and chrF are computed "
                   "as sacreBLEU 2.x does by default (chrF2; BLEU with 'exp' smoothing). "
                   "A FILE of '-' is stdin.",
    .opts = eval_opts,
    .n_opts = sizeof eval_opts / sizeof eval_opts[0],
    .store_size = sizeof(eval_options),
    .init = eval_defaults,
    .operand_glob = "*.tsv",
    .operand_any_with = "hyp",
};

static int score_files(const char *hyp_path, char **ref_paths, int nrefs, int have_tok,
                       bleu_tokenizer tok, int lowercase, int json)
{
    int rc = 1;
    text_lines hyp = {0};
    text_lines *refs = xcalloc((size_t)nrefs, sizeof *refs);
    const char **row = xcalloc((size_t)nrefs, sizeof *row);
    metrics *m = NULL;

    if (text_lines_load(hyp_path, &hyp)) goto out;
    for (int r = 0; r < nrefs; r++)
        if (text_lines_load(ref_paths[r], &refs[r])) goto out;
    const char *hname = strcmp(hyp_path, "-") ? hyp_path : "<stdin>";
    for (int r = 0; r < nrefs; r++) {
        const char *rname = strcmp(ref_paths[r], "-") ? ref_paths[r] : "<stdin>";
        if (refs[r].n < hyp.n) {
            st_error("%s:%ld: reference ends after %ld lines, but hypothesis %s has %ld",
                     rname, refs[r].n + 1, refs[r].n, hname, hyp.n);
            goto out;
        }
        if (refs[r].n > hyp.n) {
            st_error("%s:%ld: hypothesis ends after %ld lines, but reference %s has %ld",
                     hname, hyp.n + 1, hyp.n, rname, refs[r].n);
            goto out;
        }
    }
    if (!have_tok) {
        tok = BLEU_TOK_13A;
        for (int r = 0; r < nrefs && tok == BLEU_TOK_13A; r++)
            for (long i = 0; i < refs[r].n; i++)
                if (metrics_has_cjk(refs[r].lines[i])) {
                    tok = BLEU_TOK_ZH;
                    break;
                }
    }
    m = metrics_new(tok, lowercase, nrefs);
    for (long i = 0; i < hyp.n; i++) {
        for (int r = 0; r < nrefs; r++) row[r] = refs[r].lines[i];
        metrics_add(m, hyp.lines[i], row);
    }
    metrics_result res;
    metrics_result_get(m, &res);
    metrics_print(stdout, &res, json, NULL, NULL);
    if (fflush(stdout) || ferror(stdout)) {
        st_error("error writing the report: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    metrics_free(m);
    text_lines_free(&hyp);
    for (int r = 0; r < nrefs; r++) text_lines_free(&refs[r]);
    free(refs);
    free(row);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    const opt_command *c = &eval_command;
    eval_options o;
    eval_defaults(&o);
    opt_result args;
    int rc = opt_parse(c, argc, argv, &o, &args);
    if (rc != OPT_CONTINUE) return rc;
    int npos = argc - args.first_operand;
    char **pos = argv + args.first_operand;
    int have_tok = o.tokenize >= 0;
    bleu_tokenizer tok = have_tok ? tokenizers[o.tokenize] : BLEU_TOK_13A;

    if (o.hyp) {
        if (opt_given(c, &args, "model") || opt_given(c, &args, "beam") ||
            opt_given(c, &args, "threads"))
            return opt_usage_error(c, "-m/--model, --beam and --threads do not go with --hyp");
        if (npos < 1) return opt_usage_error(c, "--hyp needs at least one reference file");
        int stdin_uses = !strcmp(o.hyp, "-");
        for (int i = 0; i < npos; i++) stdin_uses += !strcmp(pos[i], "-");
        if (stdin_uses > 1) return opt_usage_error(c, "stdin ('-') can be read only once");
        return score_files(o.hyp, pos, npos, have_tok, tok, o.lowercase, o.json);
    }

    if (have_tok || o.lowercase)
        return opt_usage_error(c, "--tokenize and --lowercase go with --hyp only");
    if (npos != 1)
        return opt_usage_error(c, "%s", npos ? "one TEST.tsv only" : "missing TEST.tsv (or --hyp)");
    return eval_model_tsv(o.model ? o.model : model_default_path(), pos[0], o.beam, o.json,
                          o.threads);
}
