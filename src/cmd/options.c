/* options: the table-driven parser and help text (see options.h). */
#include "cmd/options.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

enum {
    HELP_COLUMN = 26,   /* where every help text starts, in every command */
    HELP_WIDTH = 79,
    LONG_ONLY = 256,    /* getopt value of opts[i] without a letter: LONG_ONLY + i */
};

/* ---- typos ---- */

/* Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1 (so "tarin" is 1 from "train"). Words longer than 63 bytes are
 * nobody's typo of an option. */
static int edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n >= MAX || m >= MAX) return MAX;
    int d[MAX][MAX];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

int opt_nearest(const char *word, const char *const *names, int n)
{
    /* One edit in three characters is still a typo; more is another word. */
    int limit = (int)strlen(word) / 3;
    if (limit < 1) limit = 1;
    int best = -1, best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        int d = edit_distance(word, names[i]);
        if (d < best_d && d < (int)strlen(names[i])) best = i, best_d = d;
    }
    return best;
}

/* ---- the table ---- */

static int takes_argument(const opt_spec *s) { return s->kind != OPT_FLAG; }

static int getopt_value(const opt_command *c, int i)
{
    return c->opts[i].letter ? c->opts[i].letter : LONG_ONLY + i;
}

/* The index of the option getopt reported as val, or -1. */
static int option_of_value(const opt_command *c, int val)
{
    if (val >= LONG_ONLY && val < LONG_ONLY + c->n_opts) return val - LONG_ONLY;
    for (int i = 0; i < c->n_opts; i++)
        if (c->opts[i].letter && c->opts[i].letter == val) return i;
    return -1;
}

static int option_of_name(const opt_command *c, const char *name)
{
    for (int i = 0; i < c->n_opts; i++)
        if (!strcmp(c->opts[i].name, name)) return i;
    return -1;
}

int opt_given(const opt_command *c, const opt_result *r, const char *name)
{
    int i = option_of_name(c, name);
    return i >= 0 && (r->given >> i & 1);
}

/* The n-th word of "a|b|c" into buf; returns buf, or NULL when there are fewer words. */
static const char *choice_word(const char *choices, int n, char *buf, size_t size)
{
    const char *p = choices;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '|');
        if (p) p++;
    }
    if (!p) return NULL;
    size_t len = strcspn(p, "|");
    if (len >= size) len = size - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    return buf;
}

static int choice_index(const char *choices, const char *word)
{
    char buf[64];
    for (int i = 0; choice_word(choices, i, buf, sizeof buf); i++)
        if (!strcmp(buf, word)) return i;
    return -1;
}

/* ---- messages ---- */

static void usage_message(const opt_command *c, const char *fmt, va_list ap)
{
    fprintf(stderr, "seqtrans: %s: ", c->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

/* One line naming the option and the problem with its value; returns 2. */
static int bad_value(const opt_command *c, const opt_spec *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad_value(const opt_command *c, const opt_spec *s, const char *fmt, ...)
{
    fprintf(stderr, "seqtrans: %s: --%s: ", c->name, s->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

int opt_usage_error(const opt_command *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    usage_message(c, fmt, ap);
    va_end(ap);
    opt_print_usage(c, stderr);
    fprintf(stderr, "Run 'seqtrans %s --help' for the options.\n", c->name);
    return 2;
}

static void print_range(FILE *out, const opt_spec *s)
{
    if (s->kind == OPT_FLOAT) fprintf(out, "%g..%g", s->lo, s->hi);
    else fprintf(out, "%lld..%lld", (long long)s->lo, (long long)s->hi);
}

/* When word is the start of several names, says which ones and returns 2; else 0. */
static int ambiguous(const opt_command *c, const char *word, const char *const *names, int n)
{
    size_t len = strlen(word);
    int matches = 0;
    for (int i = 0; i < n; i++) matches += len && !strncmp(names[i], word, len);
    if (matches < 2) return 0;
    fprintf(stderr, "seqtrans: %s: option '--%s' is ambiguous; it could be", c->name, word);
    for (int i = 0, k = 0; i < n; i++)
        if (!strncmp(names[i], word, len)) {
            k++;
            fprintf(stderr, "%s '--%s'", k == 1 ? "" : k == matches ? " or" : ",", names[i]);
        }
    fputc('\n', stderr);
    return 2;
}

/* An argument getopt did not know: unknown, ambiguous, or a value given to a flag. */
static int unknown_option(const opt_command *c, char **argv, int next)
{
    if (optopt) {   /* a letter getopt does not know, or a flag given "--flag=value" */
        int i = option_of_value(c, optopt);
        if (i >= 0 && !takes_argument(&c->opts[i]))
            return bad_value(c, &c->opts[i], "takes no argument");
        if (optopt == 'h' && !strncmp(argv[next - 1], "--", 2))
            return bad_value(c, &(opt_spec){.name = "help"}, "takes no argument");
        return opt_usage_error(c, "unknown option '-%c'", optopt);
    }
    const char *arg = argv[next - 1];   /* getopt has stepped over the unknown long option */
    char word[128];
    snprintf(word, sizeof word, "%s", arg + (arg[0] == '-' && arg[1] == '-' ? 2 : 1));
    word[strcspn(word, "=")] = 0;
    const char *names[OPT_MAX_OPTIONS + 1];
    int n = 0;
    for (int i = 0; i < c->n_opts; i++) names[n++] = c->opts[i].name;
    names[n++] = "help";
    if (ambiguous(c, word, names, n)) return 2;
    int near = opt_nearest(word, names, n);
    if (near >= 0)
        return opt_usage_error(c, "unknown option '--%s'; did you mean '--%s'?", word, names[near]);
    return opt_usage_error(c, "unknown option '--%s'", word);
}

/* ---- values ---- */

static int store_value(const opt_command *c, const opt_spec *s, const char *arg, void *store)
{
    char *at = (char *)store + s->offset;
    switch (s->kind) {
    case OPT_FLAG: *(int *)at = 1; return 0;
    case OPT_FILE: *(const char **)at = arg; return 0;
    case OPT_INT:
    case OPT_LONG: {
        long v;
        if (parse_long(arg, (long)s->lo, (long)s->hi, &v)) break;
        if (s->kind == OPT_INT) *(int *)at = (int)v;
        else *(long *)at = v;
        return 0;
    }
    case OPT_FLOAT: {
        char *end;
        double v = strtod(arg, &end);
        if (!*arg || isspace((unsigned char)*arg) || *end || !(v >= s->lo && v <= s->hi)) break;
        *(float *)at = (float)v;
        return 0;
    }
    case OPT_CHOICE: {
        int i = choice_index(s->choices, arg);
        if (i < 0) {
            fprintf(stderr, "seqtrans: %s: --%s: '%s' is not one of ", c->name, s->name, arg);
            char buf[64];
            for (int k = 0; choice_word(s->choices, k, buf, sizeof buf); k++)
                fprintf(stderr, "%s%s", k ? ", " : "", buf);
            fputc('\n', stderr);
            return 2;
        }
        *(int *)at = i;
        return 0;
    }
    case OPT_DURATION: {
        double v = parse_duration(arg);
        if (!(v > 0))
            return bad_value(c, s, "'%s' is not a duration like 90s, 30m or 2h", arg);
        *(double *)at = v;
        return 0;
    }
    case OPT_PERIOD:
        if (parse_period(arg, (period *)at) != 0)
            return bad_value(c, s, "'%s' is not 'epoch', a number of steps or a duration like 30m", arg);
        return 0;
    }
    fprintf(stderr, "seqtrans: %s: --%s: '%s' is not in ", c->name, s->name, arg);
    print_range(stderr, s);
    fputc('\n', stderr);
    return 2;
}

/* ---- parsing ---- */

int opt_parse(const opt_command *c, int argc, char **argv, void *store, opt_result *r)
{
    if (c->n_opts > OPT_MAX_OPTIONS) {
        st_error("%s: %d options, more than the parser holds", c->name, c->n_opts);
        return 2;
    }
    struct option longs[OPT_MAX_OPTIONS + 2];
    char shorts[2 * OPT_MAX_OPTIONS + 4] = ":h";
    size_t ns = strlen(shorts);
    for (int i = 0; i < c->n_opts; i++) {
        const opt_spec *s = &c->opts[i];
        longs[i] = (struct option){s->name, takes_argument(s) ? required_argument : no_argument,
                                   NULL, getopt_value(c, i)};
        if (s->letter) {
            shorts[ns++] = s->letter;
            if (takes_argument(s)) shorts[ns++] = ':';
        }
    }
    shorts[ns] = 0;
    longs[c->n_opts] = (struct option){"help", no_argument, NULL, 'h'};
    longs[c->n_opts + 1] = (struct option){NULL, 0, NULL, 0};

    r->given = 0;
    optind = 0;   /* full re-initialisation: another command may have parsed before */
    opterr = 0;   /* our own messages */
    int val;
    while ((val = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (val == 'h') {
            opt_print_help(c, stdout);
            return 0;
        }
        if (val == '?') return unknown_option(c, argv, optind);
        int missing = val == ':';
        int i = option_of_value(c, missing ? optopt : val);
        if (i < 0) return opt_usage_error(c, "unknown option '-%c'", optopt);
        if (missing) return bad_value(c, &c->opts[i], "needs an argument");
        int rc = store_value(c, &c->opts[i], optarg, store);
        if (rc) return rc;
        r->given |= 1ull << i;
    }
    r->first_operand = optind;
    return OPT_CONTINUE;
}

/* ---- help ---- */

/* Writes text word by word from column *col, breaking lines before HELP_WIDTH and going
 * on at column indent. */
static void wrap(FILE *out, const char *text, int *col, int indent)
{
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            fputc('\n', out);
            *col = 0;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        int len = (int)strcspn(p, " \n");
        int fresh = *col <= indent;
        if (!fresh && *col + 1 + len > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            *col = indent;
            fresh = 1;
        }
        if (*col < indent) {
            fprintf(out, "%*s", indent - *col, "");
            *col = indent;
        }
        if (!fresh) fputc(' ', out), (*col)++;
        fwrite(p, 1, (size_t)len, out);
        *col += len;
        p += len;
    }
}

void opt_print_usage(const opt_command *c, FILE *out)
{
    const char *p = c->synopsis;
    for (int first = 1; *p; first = 0) {
        size_t len = strcspn(p, "\n");
        fprintf(out, "%s seqtrans %s %.*s\n", first ? "usage:" : "      ", c->name, (int)len, p);
        p += len + (p[len] == '\n');
    }
}

const char *opt_default_text(const opt_spec *s, const void *defaults, char *buf, size_t size)
{
    if (s->def) return s->def;
    const char *at = (const char *)defaults + s->offset;
    buf[0] = 0;
    switch (s->kind) {
    case OPT_FLAG: break;
    case OPT_INT: snprintf(buf, size, "%d", *(const int *)at); break;
    case OPT_LONG: snprintf(buf, size, "%ld", *(const long *)at); break;
    case OPT_FLOAT: snprintf(buf, size, "%g", *(const float *)at); break;
    case OPT_CHOICE:
        if (!choice_word(s->choices, *(const int *)at, buf, size)) buf[0] = 0;
        break;
    case OPT_DURATION:
        if (*(const double *)at > 0) snprintf(buf, size, "%gs", *(const double *)at);
        break;
    case OPT_PERIOD: {
        const period *p = (const period *)at;
        if (p->steps) snprintf(buf, size, "%ld", p->steps);
        else if (p->seconds > 0 && (long)p->seconds % 60 == 0) snprintf(buf, size, "%ldm", (long)p->seconds / 60);
        else if (p->seconds > 0) snprintf(buf, size, "%gs", p->seconds);
        else snprintf(buf, size, "epoch");
        break;
    }
    case OPT_FILE:
        if (*(const char *const *)at) snprintf(buf, size, "%s", *(const char *const *)at);
        break;
    }
    return buf;
}

/* "  -o, --model FILE" */
static int print_option_names(FILE *out, char letter, const char *name, const char *arg)
{
    int n = letter ? fprintf(out, "  -%c, --%s", letter, name) : fprintf(out, "      --%s", name);
    if (arg) n += fprintf(out, " %s", arg);
    return n;
}

static void print_option(FILE *out, const opt_spec *s, const char *def)
{
    int col = print_option_names(out, s->letter, s->name,
                                 s->kind == OPT_CHOICE ? s->choices : s->arg);
    if (col + 2 > HELP_COLUMN) {
        fputc('\n', out);
        col = 0;
    }
    wrap(out, s->help, &col, HELP_COLUMN);
    if (*def) {
        char text[256];
        snprintf(text, sizeof text, "(default: %s)", def);
        wrap(out, text, &col, HELP_COLUMN);
    }
    fputc('\n', out);
}

void opt_print_help(const opt_command *c, FILE *out)
{
    opt_print_usage(c, out);
    int col = 0;
    fputc('\n', out);
    wrap(out, c->description, &col, 0);
    fputs(col ? "\n" : "", out);
    void *defaults = xcalloc(1, c->store_size);
    c->init(defaults);
    for (int i = 0; i < c->n_opts; i++) {
        const opt_spec *s = &c->opts[i];
        if (i == 0 || s->group) fprintf(out, "\n%s:\n", s->group ? s->group : "options");
        char buf[128];
        print_option(out, s, opt_default_text(s, defaults, buf, sizeof buf));
    }
    free(defaults);
    print_option(out, &(opt_spec){.name = "help", .letter = 'h', .help = "show this help"}, "");
}
