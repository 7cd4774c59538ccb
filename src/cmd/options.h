/* options: one table per subcommand describes its options; one parser, one help layout,
 * the man pages and the bash completion are all made from these tables, so they cannot
 * drift apart.
 *
 * Values are stored at an offset into the command's own options struct, which the caller
 * fills with its defaults first; the help text shows those defaults (taken from a fresh
 * struct the command's init function fills), unless an option gives its own default text.
 *
 * Usage errors are one line on stderr naming the option and what it accepts:
 *   seqtrans: translate: --beam: '0' is not in 1..100
 *   seqtrans: train: --encoder: 'x' is not one of uni, bi
 *   seqtrans: eval: --hyp: needs an argument
 *   seqtrans: translate: unknown option '--bem'; did you mean '--beam'?
 */
#ifndef SEQTRANS_OPTIONS_H
#define SEQTRANS_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
    OPT_FLAG,      /* no argument; stores int 1 */
    OPT_INT,       /* integer in lo..hi; stores int */
    OPT_LONG,      /* integer in lo..hi; stores long */
    OPT_FLOAT,     /* number in lo..hi; stores float */
    OPT_CHOICE,    /* one of the '|'-separated words in choices; stores its index as int */
    OPT_DURATION,  /* 90s, 30m, 2h or plain seconds, more than 0; stores double seconds */
    OPT_PERIOD,    /* "epoch", N steps or a duration (30m); stores period (sys/util.h) */
    OPT_FILE,      /* a path; stores const char * (argv's own string) */
} opt_kind;

typedef struct {
    const char *name;     /* long name without the dashes */
    char letter;          /* short option letter, 0 for none */
    opt_kind kind;
    size_t offset;        /* where the value goes in the options struct */
    const char *arg;      /* argument name in help (N, FILE); NULL for flags and choices */
    const char *choices;  /* OPT_CHOICE: "uni|bi"; OPT_FILE: the glob it completes (NULL: any) */
    double lo, hi;        /* OPT_INT, OPT_LONG, OPT_FLOAT: accepted range */
    const char *def;      /* default as text; NULL: taken from the defaults; "": none shown */
    const char *help;
    const char *group;    /* non-NULL: this option starts a group with this heading */
} opt_spec;

typedef struct {
    const char *name;         /* "train" */
    const char *summary;      /* one line for `seqtrans --help` and the man page NAME */
    const char *synopsis;     /* after "seqtrans NAME "; several forms separated by '\n' */
    const char *description;  /* paragraphs separated by "\n\n"; lines are wrapped */
    const opt_spec *opts;
    int n_opts;
    size_t store_size;
    void (*init)(void *store);  /* fills the defaults */
    const char *operand_glob;   /* what the operands complete to (NULL: any file) */
    const char *operand_any_with;  /* after this option, operands complete to any file */
} opt_command;

enum { OPT_MAX_OPTIONS = 64, OPT_CONTINUE = -1 };

typedef struct {
    int first_operand;            /* argv index of the first non-option argument */
    unsigned long long given;     /* bit i: opts[i] was on the command line */
} opt_result;

/* Parses argv (argv[0] is the command name) into store, which the caller has filled with
 * the defaults. Returns OPT_CONTINUE, 0 after printing the help for -h/--help, or 2 after
 * printing a usage error. Operands are argv[r->first_operand..argc-1]. */
int opt_parse(const opt_command *c, int argc, char **argv, void *store, opt_result *r);

/* Whether the option called name was given; name must be in c's table. */
int opt_given(const opt_command *c, const opt_result *r, const char *name);

/* A usage error found after parsing: "seqtrans: NAME: message" and the synopsis on stderr.
 * Returns 2. */
int opt_usage_error(const opt_command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The help text: usage, description, options in one layout. */
void opt_print_help(const opt_command *c, FILE *out);

/* The usage lines alone. */
void opt_print_usage(const opt_command *c, FILE *out);

/* The name in names[0..n-1] nearest to word by Damerau-Levenshtein distance when it is
 * close enough to be a likely typo, else -1. */
int opt_nearest(const char *word, const char *const *names, int n);

/* The option's default as shown in help and man page, written to buf; "" when none. */
const char *opt_default_text(const opt_spec *s, const void *defaults, char *buf, size_t size);

#endif
