/* seqtrans eval: score a model on a TSV test set, or translations against references. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/evaluate.h"
#include "text/metrics.h"
#include "store/model_file.h"
#include "sys/util.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: seqtrans eval [-m MODEL] [--beam N] [--threads N] [--json] TEST.tsv\n"
        "       seqtrans eval --hyp HYP.txt [--tokenize 13a|zh|char|none] [--lowercase] [--json]\n"
        "                     REF.txt [REF2.txt ...]\n"
        "\n"
        "The first form translates column 1 of TEST.tsv with the model and scores the output\n"
        "against column 2; it also reports the model's cross-entropy and perplexity.\n"
        "The second form scores translations, one per line, against one or more reference\n"
        "files with the same number of lines. BLEU and chrF are computed as sacreBLEU 2.x\n"
        "does by default (chrF2; BLEU with 'exp' smoothing). A FILE of '-' is stdin.\n"
        "\n"
        "options:\n"
        "  -m, --model FILE    model (default: $SEQTRANS_MODEL if set, else seqtrans.model)\n"
        "      --beam N        beam size, 1 is greedy search (default: the project's choice)\n"
        "      --threads N     worker threads (default: the number of cores)\n"
        "      --hyp FILE      the translations to score (second form)\n"
        "      --tokenize TOK  BLEU tokenizer: 13a, zh, char or none; the default is zh when\n"
        "                      the references contain Chinese (Han) or Japanese kana\n"
        "                      characters, else 13a\n"
        "      --lowercase     case-insensitive BLEU (chrF stays case-sensitive, as in\n"
        "                      sacreBLEU)\n"
        "      --json          print one JSON object instead of the text report\n"
        "  -h, --help          show this help\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "seqtrans: eval: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    usage(stderr);
    return 2;
}

/* Positive int from s, or -1. */
/* The same limits as translate: a beam or thread count beyond them is a typo. */
static int parse_count(const char *s, long max)
{
    long v;
    return parse_long(s, 1, max, &v) ? -1 : (int)v;
}

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
    enum { OPT_BEAM = 256, OPT_THREADS, OPT_HYP, OPT_TOKENIZE, OPT_LOWERCASE, OPT_JSON };
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"model", required_argument, NULL, 'm'},
        {"beam", required_argument, NULL, OPT_BEAM},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"hyp", required_argument, NULL, OPT_HYP},
        {"tokenize", required_argument, NULL, OPT_TOKENIZE},
        {"lowercase", no_argument, NULL, OPT_LOWERCASE},
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    const char *model = NULL, *hyp = NULL;
    int beam = 0, threads = 0, json = 0, lowercase = 0, have_tok = 0, model_opts = 0;
    bleu_tokenizer tok = BLEU_TOK_13A;

    optind = 0; /* full re-initialisation of getopt, in case of an earlier call */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hm:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'm':
            model = optarg;
            model_opts = 1;
            break;
        case OPT_BEAM:
            if ((beam = parse_count(optarg, 100)) < 0)
                return usage_error("--beam needs an integer in 1..100, not '%s'", optarg);
            model_opts = 1;
            break;
        case OPT_THREADS:
            if ((threads = parse_count(optarg, 1024)) < 0)
                return usage_error("--threads needs an integer in 1..1024, not '%s'", optarg);
            model_opts = 1;
            break;
        case OPT_HYP:
            hyp = optarg;
            break;
        case OPT_TOKENIZE:
            if (bleu_tokenizer_parse(optarg, &tok))
                return usage_error("unknown tokenizer '%s' (13a, zh, char or none)", optarg);
            have_tok = 1;
            break;
        case OPT_LOWERCASE:
            lowercase = 1;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case ':':
            return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: {
            char shortopt[3] = {'-', (char)optopt, '\0'};
            return usage_error("unknown option '%s'", optopt ? shortopt : argv[optind - 1]);
        }
        }
    }
    int npos = argc - optind;
    char **pos = argv + optind;

    if (hyp) {
        if (model_opts)
            return usage_error("%s", "-m/--model, --beam and --threads do not go with --hyp");
        if (npos < 1) return usage_error("%s", "--hyp needs at least one reference file");
        int stdin_uses = !strcmp(hyp, "-");
        for (int i = 0; i < npos; i++) stdin_uses += !strcmp(pos[i], "-");
        if (stdin_uses > 1) return usage_error("%s", "stdin ('-') can be read only once");
        return score_files(hyp, pos, npos, have_tok, tok, lowercase, json);
    }

    if (have_tok || lowercase)
        return usage_error("%s", "--tokenize and --lowercase go with --hyp only");
    if (npos != 1)
        return usage_error("%s", npos ? "one TEST.tsv only" : "missing TEST.tsv (or --hyp)");
    return eval_model_tsv(model ? model : model_default_path(), pos[0], beam, json, threads);
}
