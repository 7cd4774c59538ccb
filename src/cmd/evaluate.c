/* The model form of `seqtrans eval`: translate a TSV test set, score it, report. */
#include "cmd/evaluate.h"

#include <stdio.h>
#include <unistd.h>

#include "sys/blas.h"
#include "data/corpus.h"
#include "nn/quant.h"
#include "search/evaluate_corpus.h"
#include "store/model_file.h"
#include "sys/util.h"
#include "cmd/commands.h"

static double share(long part, long whole) { return whole ? (double)part / whole : 0; }

int eval_model_tsv(const char *model_path, const char *tsv_path, int beam, int json, int threads)
{
    if (threads <= 0) threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    blas_set_threads(1); /* the workers split the sentences instead */
    model *m;
    if (model_file_read_only(model_path, &m) != 0) return 1;
    quant_model_floats(m); /* the teacher-forced loss runs the training path, on floats */
    corpus c;
    if (corpus_read(tsv_path, 0, &c) != 0) {
        model_free(m);
        return 1;
    }
    /* A model trained with --reverse reads the same test file the other way round. */
    if (corpus_source_is_chinese(&c) != (m->cfg.src_lang == LANG_ZH)) corpus_swap_sides(&c);
    eval_result r;
    evaluate_corpus(m, &c, beam > 0 ? beam : SEQTRANS_DEFAULT_BEAM, threads, &r, NULL);
    char extra_json[256], extra_text[256];
    double su = share(r.src_unknown, r.src_units), tu = share(r.tgt_unknown, r.tgt_units);
    snprintf(extra_json, sizeof extra_json,
             "\"loss\": %.6f, \"ppl\": %.4f, \"src_unknown\": %.6f, \"tgt_unknown\": %.6f", r.loss,
             r.ppl, su, tu);
    snprintf(extra_text, sizeof extra_text,
             "loss %.4f nats/token, perplexity %.3f\nunknown units: source %.2f%%, target %.2f%%", r.loss,
             r.ppl, 100 * su, 100 * tu);
    metrics_print(stdout, &r.scores, json, extra_json, extra_text);
    corpus_free(&c);
    model_free(m);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        st_error("cannot write output");
        return 1;
    }
    return 0;
}
