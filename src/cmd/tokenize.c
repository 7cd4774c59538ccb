/* seqtrans tokenize: text to tokens (or ids), or back with --detok; one output line per
 * input line, whatever the line holds. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "text/subwords.h"
#include "text/text.h"
#include "sys/util.h"
#include "store/model_file.h"
#include "text/vocab.h"

typedef struct {
    int lang;                /* -l: index in "en|zh" */
    int side;                /* --side: 0 src, 1 tgt */
    int detok;
    int ids;                 /* vocabulary ids instead of tokens (needs a vocabulary) */
    const char *model;       /* -m: the model's tokenizer and vocabulary */
    lang_t text_lang;        /* the tokenizer used: -l's, or the model side's */
    const vocab *vocab;      /* the chosen side's vocabulary, NULL without -m */
    const bpe *subword;      /* the chosen side's subword units, NULL: words */
} tokenize_options;

/* Per-run state shared by all lines: reused buffers and the warning budget. */
typedef struct {
    token_list tokens;
    subwords units;          /* the tokens as the model's units, and back */
    const char **pieces;     /* --detok: the tokens of one line */
    int pieces_cap;
    long warnings;
} tokenize_state;

enum { MAX_WARNINGS = 10 };

/* Input lines longer than this are cut (with a warning) rather than held whole, so that
 * memory stays bounded whatever the input: a line of gigabytes, or /dev/zero. */
#define TOKENIZE_MAX_LINE 8388608   /* 8 MiB */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static void tokenize_defaults(void *store)
{
    *(tokenize_options *)store = (tokenize_options){.lang = 0};
}

#define AT(field) offsetof(tokenize_options, field)
static const opt_spec tokenize_opts[] = {
    {"lang", 'l', OPT_CHOICE, AT(lang), NULL, "en|zh", 0, 0, NULL, "the language's tokenizer",
     NULL},
    {"model", 'm', OPT_FILE, AT(model), "FILE", "*.model", 0, 0, NULL,
     "use the model's tokenizer, subword units and vocabulary for one side", NULL},
    {"side", 0, OPT_CHOICE, AT(side), NULL, "src|tgt", 0, 0, NULL, "which side of the model",
     NULL},
    {"ids", 0, OPT_FLAG, AT(ids), NULL, NULL, 0, 0, NULL,
     "print vocabulary ids instead of tokens (needs -m)", NULL},
    {"detok", 0, OPT_FLAG, AT(detok), NULL, NULL, 0, 0, NULL,
     "the reverse: tokens (or ids) in, natural text out", NULL},
};
#undef AT

const opt_command tokenize_command = {
    .name = "tokenize",
    .summary = "split text into tokens, or join tokens back (--detok)",
    .synopsis = "[-l en|zh] [-m MODEL --side src|tgt] [--ids] [--detok] [FILE...]",
    .description = "Writes one line of space-separated tokens per input line (stdin without "
                   "FILE; '-' is stdin).",
    .opts = tokenize_opts,
    .n_opts = sizeof tokenize_opts / sizeof tokenize_opts[0],
    .store_size = sizeof(tokenize_options),
    .init = tokenize_defaults,
    .operand_glob = NULL,
};

static void warn_line(tokenize_state *st, const char *name, long line, const char *what)
{
    if (st->warnings < MAX_WARNINGS) st_warn("%s:%ld: %s", name, line, what);
    else if (st->warnings == MAX_WARNINGS) st_warn("further warnings suppressed");
    st->warnings++;
}

static void write_tokens(const tokenize_options *o, tokenize_state *st, FILE *out)
{
    subwords *u = &st->units;
    subwords_split(u, o->subword, (const char *const *)st->tokens.tok, st->tokens.n);
    for (int i = 0; i < u->n; i++) {
        if (i) putc(' ', out);
        if (o->ids) fprintf(out, "%d", vocab_lookup(o->vocab, u->unit[i]));
        else fputs(u->unit[i], out);
    }
}

/* Splits line in place at spaces and tabs into st->pieces; returns their number. */
static int split_at_spaces(tokenize_state *st, char *line)
{
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(line, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (n == st->pieces_cap) {
            st->pieces_cap = st->pieces_cap ? 2 * st->pieces_cap : 64;
            st->pieces = xrealloc(st->pieces, (size_t)st->pieces_cap * sizeof *st->pieces);
        }
        st->pieces[n++] = p;
    }
    return n;
}

/* --ids --detok: ids back to tokens, in place in st->pieces. Returns 0, or -1 when a piece
 * is not an id of the vocabulary. */
static int ids_to_tokens(const tokenize_options *o, tokenize_state *st, int n)
{
    for (int i = 0; i < n; i++) {
        char *end;
        errno = 0;
        long id = strtol(st->pieces[i], &end, 10);
        const char *tok = (*end || errno || id < 0 || id > 0x7fffffff)
                              ? NULL : vocab_token(o->vocab, (int)id);
        if (!tok) return -1;
        st->pieces[i] = tok;
    }
    return 0;
}

static void detokenize_line(const tokenize_options *o, tokenize_state *st, char *line,
                            const char *name, long lineno, FILE *out)
{
    int n = split_at_spaces(st, line);
    if (o->ids && ids_to_tokens(o, st, n) < 0) {
        warn_line(st, name, lineno, "not a vocabulary id");
        return;
    }
    n = subwords_join(&st->units, o->subword, st->pieces, n);
    char *text = text_detokenize(o->text_lang, st->units.unit, n);
    fputs(text, out);
    free(text);
}

/* One input line to one output line (without its newline). Lines that cannot be read give
 * an empty line and a warning, never a missing one. */
static void process_line(const tokenize_options *o, tokenize_state *st, char *line, size_t len,
                         const char *name, long lineno, FILE *out)
{
    if (memchr(line, '\0', len) || !utf8_valid(line, len)) {
        warn_line(st, name, lineno, memchr(line, '\0', len) ? "NUL byte" : "invalid UTF-8");
        return;
    }
    if (o->detok) detokenize_line(o, st, line, name, lineno, out);
    else if (text_tokenize(o->text_lang, line, len, &st->tokens) >= 0) write_tokens(o, st, out);
}

/* Returns 0, or 1 (message printed) when the file cannot be opened or read, or stdout fails. */
static int process_file(const tokenize_options *o, tokenize_state *st, const char *path)
{
    int from_stdin = !strcmp(path, "-");
    const char *name = from_stdin ? "<stdin>" : path;
    FILE *in = from_stdin ? stdin : fopen(path, "r");
    if (!in) {
        st_error("cannot open '%s': %s", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    long len, lineno = 0;
    int cropped;
    while ((len = read_line_bounded(in, &line, &cap, TOKENIZE_MAX_LINE, &cropped)) >= 0) {
        if (++lineno == 1) strip_bom(line, &len);
        if (cropped)
            warn_line(st, name, lineno,
                      "longer than " STRINGIFY(TOKENIZE_MAX_LINE) " bytes; only the start was used");
        process_line(o, st, line, (size_t)len, name, lineno, stdout);
        putchar('\n');
        if (ferror(stdout)) break;
    }
    int rc = 0;
    if (ferror(in)) {
        st_error("cannot read '%s': %s", name, strerror(errno));
        rc = 1;
    }
    free(line);
    if (!from_stdin) fclose(in);
    return rc;
}

/* Parses options into *o; returns OPT_CONTINUE to go on, else the exit status. */
static int parse_options(int argc, char **argv, tokenize_options *o, int *first_file)
{
    const opt_command *c = &tokenize_command;
    opt_result args;
    int rc = opt_parse(c, argc, argv, o, &args);
    if (rc != OPT_CONTINUE) return rc;
    int side = opt_given(c, &args, "side");
    if ((o->ids || side) && !o->model)
        return opt_usage_error(c, "%s needs -m MODEL", o->ids ? "--ids" : "--side");
    o->text_lang = o->lang ? LANG_ZH : LANG_EN;
    *first_file = args.first_operand;
    return OPT_CONTINUE;
}

/* Flushes stdout; returns 0, or 1 with a message when anything written to it was lost. */
static int finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        st_error("tokenize: write error on standard output: %s", strerror(errno ? errno : EIO));
        return 1;
    }
    return 0;
}

int cmd_tokenize(int argc, char **argv)
{
    tokenize_options o;
    tokenize_defaults(&o);
    int first_file = argc;
    int rc = parse_options(argc, argv, &o, &first_file);
    if (rc != OPT_CONTINUE) return rc;
    model *m = NULL;
    if (o.model) {
        if (model_file_read_only(o.model, &m) != 0) return 1;
        int tgt = o.side == 1;
        o.text_lang = (lang_t)(tgt ? m->cfg.tgt_lang : m->cfg.src_lang);
        o.vocab = tgt ? m->tgt_vocab : m->src_vocab;
        o.subword = tgt ? m->tgt_bpe : m->src_bpe;
    }
    tokenize_state st = {0};
    token_list_init(&st.tokens);
    subwords_init(&st.units);
    static char *const stdin_only[] = {"-"};
    char *const *files = first_file < argc ? argv + first_file : stdin_only;
    int n_files = first_file < argc ? argc - first_file : 1;
    rc = 0;
    for (int i = 0; i < n_files && !rc && !ferror(stdout); i++)
        rc = process_file(&o, &st, files[i]);
    if (finish_output()) rc = 1;
    token_list_free(&st.tokens);
    subwords_free(&st.units);
    free(st.pieces);
    model_free(m);
    return rc;
}
