/* seqtrans translate: one translation per input line, in order, flushed as soon as no more
 * input is waiting. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/blas.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "data/line_reader.h"
#include "store/model_file.h"
#include "search/translator.h"
#include "sys/util.h"

typedef struct {
    const char *model_path;
    int beam, batch, threads;
    float alpha;
    int nbest, scores;      /* --n-best N (0: one line per input), --scores */
    int alignment;          /* alignment_kind */
} translate_options;

/* Input lines longer than this are cropped (with a warning) before they are tokenized:
 * the translator only looks at the first TRANSLATOR_MAX_SRC_TOKENS tokens anyway, and memory
 * stays bounded whatever the input holds. */
#define TRANSLATE_MAX_LINE_BYTES (1 << 20)

/* What was wrong with a line as read, before translation. */
enum { LINE_OK, LINE_NUL, LINE_CROPPED };

/* Lines read but not yet translated, with where they came from for warnings. */
typedef struct {
    char **lines;
    long *line_no;
    int *defect;     /* LINE_* */
    int n, cap;
    const char *file;
    const translate_options *o;
    long next_id;    /* --n-best: the 0-based number of the next input line, over all inputs */
} pending;

/* One output line: the translation with what was asked for after it. */
static void write_translation(const pending *p, long id, const translation *t)
{
    if (p->o->nbest) printf("%ld ||| ", id);
    fputs(t->text, stdout);
    if (t->alignment) printf(" ||| %s", t->alignment);
    if (p->o->nbest || p->o->scores) printf(" ||| %.6f", t->score);
    fputc('\n', stdout);
}

static int flush_pending(translator *tr, pending *p)
{
    if (p->n == 0) return fflush(stdout);
    int k = p->o->nbest > 1 ? p->o->nbest : 1;
    translation *out = xmalloc((size_t)p->n * k * sizeof *out);
    int *status = xmalloc(p->n * sizeof *status), *found = xmalloc(p->n * sizeof *found);
    translate_lines_full(tr, (const char *const *)p->lines, p->n, out, found, status);
    for (int i = 0; i < p->n; i++) {
        if (p->defect[i] == LINE_NUL)
            st_warn("%s:%ld: NUL byte; output line left empty", p->file, p->line_no[i]);
        else if (status[i] < 0)
            st_warn("%s:%ld: invalid UTF-8; output line left empty", p->file, p->line_no[i]);
        else if (p->defect[i] == LINE_CROPPED)
            st_warn("%s:%ld: longer than %d bytes; only the start was translated", p->file,
                    p->line_no[i], TRANSLATE_MAX_LINE_BYTES);
        else if (status[i] > 0)
            st_warn("%s:%ld: longer than %d tokens; only the first %d were translated", p->file,
                    p->line_no[i], TRANSLATOR_MAX_SRC_TOKENS, TRANSLATOR_MAX_SRC_TOKENS);
        for (int q = 0; q < found[i]; q++) {
            write_translation(p, p->next_id, &out[(size_t)i * k + q]);
            translation_free(&out[(size_t)i * k + q]);
        }
        p->next_id++;
        free(p->lines[i]);
    }
    free(out);
    free(status);
    free(found);
    p->n = 0;
    return fflush(stdout);
}

static void push(pending *p, const char *line, size_t len, const line_reader *r)
{
    if (p->n == p->cap) {
        p->cap = p->cap * 2 + 16;
        p->lines = xrealloc(p->lines, p->cap * sizeof *p->lines);
        p->line_no = xrealloc(p->line_no, p->cap * sizeof *p->line_no);
        p->defect = xrealloc(p->defect, p->cap * sizeof *p->defect);
    }
    /* A NUL inside the line would cut it short silently: make it invalid instead. */
    char *copy = xmalloc(len + 1);
    memcpy(copy, line, len);
    copy[len] = 0;
    int nul = memchr(line, 0, len) != NULL;
    if (nul) copy[0] = (char)0xFF;
    p->lines[p->n] = copy;
    p->defect[p->n] = nul ? LINE_NUL : r->cropped ? LINE_CROPPED : LINE_OK;
    p->line_no[p->n++] = r->line_no;
}

static int translate_stream(translator *tr, int fd, const char *name, const translate_options *o,
                            long *next_id)
{
    int batch = o->batch;
    line_reader r;
    line_reader_init(&r, fd);
    r.max_line = TRANSLATE_MAX_LINE_BYTES;
    pending p = {0};
    p.file = name;
    p.o = o;
    p.next_id = *next_id;
    int rc = 0;
    size_t len;
    char *line;
    for (;;) {
        while (rc == 0 && (line = line_reader_next(&r, &len, 0))) {
            push(&p, line, len, &r);
            if (p.n >= batch) rc = flush_pending(tr, &p);
        }
        if (rc != 0 || r.eof) break;
        if (p.n > 0 && !line_reader_ready(&r)) rc = flush_pending(tr, &p);
        if (rc == 0 && (line = line_reader_next(&r, &len, 1))) {
            push(&p, line, len, &r);
            if (p.n >= batch) rc = flush_pending(tr, &p);
        }
    }
    if (rc == 0) rc = flush_pending(tr, &p);
    if (rc == 0 && r.error) {
        /* Every line read before the error has been translated and written. */
        st_error("cannot read '%s': %s", name, strerror(r.error));
        rc = 1;
    }
    *next_id = p.next_id;
    for (int i = 0; i < p.n; i++) free(p.lines[i]);
    free(p.lines);
    free(p.line_no);
    free(p.defect);
    line_reader_free(&r);
    return rc;
}

static void translate_defaults(void *store)
{
    translate_options *o = store;
    *o = (translate_options){.beam = SEQTRANS_DEFAULT_BEAM, .batch = 256,
                             .threads = (int)sysconf(_SC_NPROCESSORS_ONLN), .alpha = 1.0f};
}

#define AT(field) offsetof(translate_options, field)
static const opt_spec translate_opts[] = {
    {"model", 'm', OPT_FILE, AT(model_path), "FILE", "*.model", 0, 0,
     "$SEQTRANS_MODEL or seqtrans.model", "model", NULL},
    {"beam", 0, OPT_INT, AT(beam), "N", NULL, 1, 100, NULL, "beam size; 1 is greedy search", NULL},
    {"alpha", 0, OPT_FLOAT, AT(alpha), "F", NULL, 0, 10, NULL, "length normalisation exponent",
     NULL},
    {"batch", 0, OPT_INT, AT(batch), "N", NULL, 1, 100000, NULL,
     "most lines read before translating; fewer when no more input is waiting", NULL},
    {"threads", 0, OPT_INT, AT(threads), "N", NULL, 1, 1024, "number of cores", "worker threads",
     NULL},
    {"n-best", 0, OPT_INT, AT(nbest), "N", NULL, 1, 100, "",
     "the N best translations of each line, one per output line: ID ||| translation ||| "
     "score, ID the 0-based input line (the beam is widened to N when narrower)", "output"},
    {"scores", 0, OPT_FLAG, AT(scores), NULL, NULL, 0, 0, NULL,
     "append ' ||| score', the length-normalised log-probability", NULL},
    {"alignment", 0, OPT_CHOICE, AT(alignment), NULL, "none|hard|soft", 0, 0, NULL,
     "append ' ||| ' and the attention alignment over the model's tokens (tokenize -m shows "
     "them): hard, Moses 'i-j' pairs (source i, output j); soft, for each output token and "
     "the end of the sentence, comma-separated weights over the source tokens", NULL},
};
#undef AT

const opt_command translate_command = {
    .name = "translate",
    .summary = "translate lines from files or stdin",
    .synopsis = "[-m MODEL] [--beam N] [--batch N] [FILE...]",
    .description = "Translates each line of the FILEs (or stdin; '-' is stdin) and writes one "
                   "line per input line to stdout; an empty line gives an empty line. Lines are "
                   "translated in batches, and every line read is translated and written as "
                   "soon as no more input is waiting.",
    .opts = translate_opts,
    .n_opts = sizeof translate_opts / sizeof translate_opts[0],
    .store_size = sizeof(translate_options),
    .init = translate_defaults,
    .operand_glob = NULL,
};

/* Whether the model file may be a float one: no QI8W tag in its first kilobyte, where a
 * version 2 file's section directory is. Only a hint, so that OpenBLAS loads while a float
 * model is read; the model read decides (a wrong hint costs time, not correctness). */
static int may_be_float(const char *path)
{
    char head[1024];
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return !memmem(head, n, "QI8W", 4);
}

int cmd_translate(int argc, char **argv)
{
    translate_options o;
    translate_defaults(&o);
    opt_result args;
    int rc = opt_parse(&translate_command, argc, argv, &o, &args);
    if (rc != OPT_CONTINUE) return rc;
    blas_set_threads(1); /* the translator's workers split each batch instead */
    model *m;
    const char *path = o.model_path ? o.model_path : model_default_path();
    /* An int8 model's translation runs no BLAS product: loading OpenBLAS would only cost
     * time. No thread has started yet, as blas_init needs. */
    if (may_be_float(path)) blas_init();
    if (model_file_read_only(path, &m) != 0) return 1;
    if (!m->qimage) blas_init(); /* if the hint was wrong (nothing when it already ran) */
    decode_options dopt = {.beam = o.beam > o.nbest ? o.beam : o.nbest, .len_alpha = o.alpha,
                           .nbest = o.nbest, .logprob = o.scores || o.nbest,
                           .attention = o.alignment == ALIGN_SOFT};
    translator tr;
    translator_init(&tr, m, &dopt);
    tr.alignment = (alignment_kind)o.alignment;
    translator_set_workers(&tr, o.threads);
    rc = 0;
    long next_id = 0;
    if (args.first_operand == argc) rc = translate_stream(&tr, 0, "<stdin>", &o, &next_id);
    for (int i = args.first_operand; i < argc && rc == 0; i++) {
        int stdin_arg = !strcmp(argv[i], "-");
        int fd = stdin_arg ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0) {
            st_error("cannot open '%s': %s", argv[i], strerror(errno));
            rc = 1;
            break;
        }
        rc = translate_stream(&tr, fd, stdin_arg ? "<stdin>" : argv[i], &o, &next_id);
        if (!stdin_arg) close(fd);
    }
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) rc = -1;
    if (rc < 0 || (rc && ferror(stdout))) {
        st_error("cannot write output: %s", strerror(errno));
        rc = 1;
    }
    translator_free(&tr);
    model_free(m);
    return rc ? 1 : 0;
}
