/* seqtrans translate: one translation per input line, in order, flushed as soon as no more
 * input is waiting. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/blas.h"
#include "cmd/commands.h"
#include "data/line_reader.h"
#include "store/model_file.h"
#include "search/translator.h"
#include "sys/util.h"

typedef struct {
    const char *model_path;
    int beam, batch, threads;
    float alpha;
    int nbest, scores;      /* --n-best N (0: one line per input), --scores */
    alignment_kind alignment;
} translate_options;

static void usage(FILE *out)
{
    fprintf(out,
        "usage: seqtrans translate [-m MODEL] [--beam N] [--batch N] [FILE...]\n"
        "Translates each line of the FILEs (or stdin; '-' is stdin) and writes one line per\n"
        "input line to stdout; an empty line gives an empty line.\n\n"
        "  -m, --model FILE   model (default $SEQTRANS_MODEL or seqtrans.model)\n"
        "      --beam N       beam size; 1 is greedy search (5)\n"
        "      --alpha F      length normalisation exponent (1.0)\n"
        "      --batch N      most lines read before translating; fewer when no more input\n"
        "                     is waiting (256)\n"
        "      --threads N    worker threads (number of cores)\n"
        "      --n-best N     the N best translations of each line, one per output line:\n"
        "                     ID ||| translation ||| score, ID the 0-based input line\n"
        "                     (the beam is widened to N when narrower)\n"
        "      --scores       append ' ||| score' to each line: the length-normalised\n"
        "                     log-probability\n"
        "      --alignment hard|soft  append ' ||| ' and the attention alignment over the\n"
        "                     model's tokens (see tokenize -m): hard, Moses 'i-j' pairs\n"
        "                     (source i, output j); soft, for each output token and the end\n"
        "                     of sentence, comma-separated weights over the source tokens\n"
        "  -h, --help         this help\n");
}

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

static int parse_args(int argc, char **argv, translate_options *o)
{
    static const struct option longs[] = {
        {"model", required_argument, 0, 'm'}, {"beam", required_argument, 0, 'b'},
        {"batch", required_argument, 0, 'B'}, {"threads", required_argument, 0, 't'},
        {"alpha", required_argument, 0, 'a'}, {"n-best", required_argument, 0, 'n'},
        {"scores", no_argument, 0, 's'}, {"alignment", required_argument, 0, 'A'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", longs, NULL)) != -1) {
        long v = 0;
        char *end = NULL;
        int bad = 0;
        switch (c) {
        case 'm': o->model_path = optarg; break;
        case 'b': bad = parse_long(optarg, 1, 100, &v); o->beam = (int)v; break;
        case 'B': bad = parse_long(optarg, 1, 100000, &v); o->batch = (int)v; break;
        case 't': bad = parse_long(optarg, 1, 1024, &v); o->threads = (int)v; break;
        case 'a':
            o->alpha = strtof(optarg, &end);
            bad = *end || end == optarg || !(o->alpha >= 0 && o->alpha <= 10);
            break;
        case 'n': bad = parse_long(optarg, 1, 100, &v); o->nbest = (int)v; break;
        case 's': o->scores = 1; break;
        case 'A':
            if (!strcmp(optarg, "hard")) o->alignment = ALIGN_HARD;
            else if (!strcmp(optarg, "soft")) o->alignment = ALIGN_SOFT;
            else {
                st_error("translate: --alignment: '%s' is not one of hard, soft", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            st_error("translate: bad value '%s' (--beam 1..100, --batch 1..100000, "
                     "--threads 1..1024, --alpha 0..10)", optarg);
            return 2;
        }
    }
    return -1;
}

int cmd_translate(int argc, char **argv)
{
    translate_options o = {NULL, 5, 256, (int)sysconf(_SC_NPROCESSORS_ONLN), 1.0f, 0, 0, ALIGN_NONE};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) return rc;
    blas_set_threads(1); /* the translator's workers split each batch instead */
    model *m;
    if (model_file_read_only(o.model_path ? o.model_path : model_default_path(), &m) != 0) return 1;
    decode_options dopt = {.beam = o.beam > o.nbest ? o.beam : o.nbest, .len_alpha = o.alpha,
                           .nbest = o.nbest, .logprob = o.scores || o.nbest,
                           .attention = o.alignment == ALIGN_SOFT};
    translator tr;
    translator_init(&tr, m, &dopt);
    tr.alignment = o.alignment;
    translator_set_workers(&tr, o.threads);
    rc = 0;
    long next_id = 0;
    if (optind == argc) rc = translate_stream(&tr, 0, "<stdin>", &o, &next_id);
    for (int i = optind; i < argc && rc == 0; i++) {
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
