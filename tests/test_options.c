/* The option tables' parser: every kind of value stored where its table says, each bad value
 * refused with exit status 2 and one message that names the option and its own range, typos
 * answered with the nearest option, the help in one layout with the defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cmd/commands.h"
#include "cmd/options.h"

typedef struct {
    int count, flag, choice;
    long big;
    float ratio;
    double time;
    const char *file;
} demo_options;

static void demo_defaults(void *store)
{
    *(demo_options *)store = (demo_options){.count = 7, .ratio = 0.25f, .choice = 1};
}

#define AT(field) offsetof(demo_options, field)
static const opt_spec demo_opts[] = {
    {"count", 'c', OPT_INT, AT(count), "N", NULL, 1, 100, NULL, "how many", "numbers"},
    {"big", 0, OPT_LONG, AT(big), "N", NULL, 1, 1e15, "", "a large count", NULL},
    {"ratio", 0, OPT_FLOAT, AT(ratio), "F", NULL, 0, 0.5, NULL, "a share", NULL},
    {"shape", 0, OPT_CHOICE, AT(choice), NULL, "round|square|flat", 0, 0, NULL, "the shape",
     "others"},
    {"time", 0, OPT_DURATION, AT(time), "DURATION", NULL, 0, 0, NULL, "how long", NULL},
    {"file", 'f', OPT_FILE, AT(file), "FILE", "*.txt", 0, 0, NULL, "where", NULL},
    {"flag", 0, OPT_FLAG, AT(flag), NULL, NULL, 0, 0, NULL, "a switch", NULL},
};
#undef AT

static const opt_command demo = {
    .name = "demo", .summary = "a test command", .synopsis = "[options] FILE...",
    .description = "Only for the tests.", .opts = demo_opts,
    .n_opts = sizeof demo_opts / sizeof demo_opts[0], .store_size = sizeof(demo_options),
    .init = demo_defaults,
};

static char err_text[4096], out_text[8192];

/* Reads what fd 2 (or 1) wrote into a temporary file back into buf. */
static void capture(int fd, int *saved, FILE **tmp)
{
    fflush(fd == 1 ? stdout : stderr);
    *tmp = tmpfile();
    *saved = dup(fd);
    dup2(fileno(*tmp), fd);
}

static void release(int fd, int saved, FILE *tmp, char *buf, size_t size)
{
    fflush(fd == 1 ? stdout : stderr);
    dup2(saved, fd);
    close(saved);
    rewind(tmp);
    size_t n = fread(buf, 1, size - 1, tmp);
    buf[n] = 0;
    fclose(tmp);
}

/* Parses the NULL-terminated words after "demo"; the messages land in err_text/out_text. */
static int parse(demo_options *o, opt_result *r, ...)
{
    char *argv[32] = {"demo"};
    int argc = 1;
    va_list ap;
    va_start(ap, r);
    for (char *w; (w = va_arg(ap, char *)) && argc < 31;) argv[argc++] = w;
    va_end(ap);
    demo_defaults(o);
    int saved_err, saved_out;
    FILE *err, *out;
    capture(2, &saved_err, &err);
    capture(1, &saved_out, &out);
    int rc = opt_parse(&demo, argc, argv, o, r);
    release(1, saved_out, out, out_text, sizeof out_text);
    release(2, saved_err, err, err_text, sizeof err_text);
    return rc;
}

static int said(const char *text) { return strstr(err_text, text) != NULL; }

static void test_values_stored(void)
{
    demo_options o;
    opt_result r;
    int rc = parse(&o, &r, "--count", "42", "x", "--big=1000000000000", "--ratio", "0.5",
                   "--shape", "flat", "--time", "2m", "-f", "a.txt", "--flag", "y", NULL);
    CHECK(rc == OPT_CONTINUE);
    CHECK(o.count == 42 && o.big == 1000000000000L && o.ratio == 0.5f && o.choice == 2);
    CHECK(o.time == 120 && o.file && !strcmp(o.file, "a.txt") && o.flag == 1);
    CHECK(err_text[0] == 0);
    /* the operands, after the options once getopt has moved them */
    CHECK(r.first_operand == 13);
    CHECK(opt_given(&demo, &r, "count") && opt_given(&demo, &r, "flag"));
    rc = parse(&o, &r, "-c8", "--", "--flag", NULL);
    CHECK(rc == OPT_CONTINUE && o.count == 8 && o.flag == 0 && r.first_operand == 3);
    CHECK(opt_given(&demo, &r, "count") && !opt_given(&demo, &r, "flag"));
    CHECK(!opt_given(&demo, &r, "no-such-name"));
    /* a unique prefix is the option, as getopt_long has it */
    rc = parse(&o, &r, "--sh", "round", NULL);
    CHECK(rc == OPT_CONTINUE && o.choice == 0);
}

static void test_bad_values(void)
{
    demo_options o;
    opt_result r;
    CHECK(parse(&o, &r, "--count", "0", NULL) == 2);
    CHECK(said("seqtrans: demo: --count: '0' is not in 1..100\n"));
    CHECK(!said("ratio") && !said("usage"));   /* its own range only */
    CHECK(parse(&o, &r, "--count", "12x", NULL) == 2 && said("'12x' is not in 1..100"));
    CHECK(parse(&o, &r, "--count", "4294967297", NULL) == 2 && said("--count: "));
    CHECK(parse(&o, &r, "--big", "1000000000000001", NULL) == 2 &&
          said("--big: '1000000000000001' is not in 1..1000000000000000"));
    CHECK(parse(&o, &r, "--ratio", "0.6", NULL) == 2 && said("--ratio: '0.6' is not in 0..0.5"));
    CHECK(parse(&o, &r, "--ratio", "nan", NULL) == 2 && said("'nan' is not in 0..0.5"));
    CHECK(parse(&o, &r, "--ratio", "", NULL) == 2);
    CHECK(parse(&o, &r, "--ratio", " 0.1", NULL) == 2);
    CHECK(parse(&o, &r, "--shape", "oval", NULL) == 2 &&
          said("--shape: 'oval' is not one of round, square, flat\n"));
    CHECK(parse(&o, &r, "--time", "5x", NULL) == 2 && said("--time: '5x' is not a duration"));
    CHECK(parse(&o, &r, "--time", "0", NULL) == 2);
    CHECK(parse(&o, &r, "--count", NULL) == 2 && said("seqtrans: demo: --count: needs an argument"));
    CHECK(parse(&o, &r, "-c", NULL) == 2 && said("--count: needs an argument"));
    CHECK(parse(&o, &r, "--flag=1", NULL) == 2 && said("--flag: takes no argument"));
    CHECK(parse(&o, &r, "--help=1", NULL) == 2 && said("seqtrans: demo: --help: takes no argument"));
}

static void test_unknown_options(void)
{
    demo_options o;
    opt_result r;
    CHECK(parse(&o, &r, "--cuont", "3", NULL) == 2);
    CHECK(said("unknown option '--cuont'; did you mean '--count'?"));
    CHECK(said("usage: seqtrans demo [options] FILE..."));
    CHECK(parse(&o, &r, "--shaep=round", NULL) == 2 && said("did you mean '--shape'?"));
    CHECK(parse(&o, &r, "--frobnicate", NULL) == 2 && said("unknown option '--frobnicate'\n"));
    CHECK(parse(&o, &r, "-z", NULL) == 2 && said("unknown option '-z'"));
    CHECK(parse(&o, &r, "--f", NULL) == 2 && said("'--f' is ambiguous; it could be '--file' or '--flag'"));
}

static void test_nearest(void)
{
    const char *names[] = {"beam", "batch", "threads", "alpha", "model", "help"};
    CHECK(opt_nearest("bem", names, 6) == 0);
    CHECK(opt_nearest("baem", names, 6) == 0);   /* a swap is one edit */
    CHECK(opt_nearest("thraeds", names, 6) == 2);
    CHECK(opt_nearest("bacth", names, 6) == 1);
    CHECK(opt_nearest("x", names, 6) == -1);
    CHECK(opt_nearest("banana", names, 6) == -1);
    CHECK(opt_nearest("", names, 6) == -1);
    const char *commands[] = {"tokenize", "train", "eval", "translate"};
    CHECK(opt_nearest("tarin", commands, 4) == 1);
    CHECK(opt_nearest("evla", commands, 4) == 2);
    CHECK(opt_nearest("frobnicate", commands, 4) == -1);
}

/* Every option line's help starts in one column, with the defaults of the init function. */
static void test_help_layout(void)
{
    demo_options o;
    opt_result r;
    CHECK(parse(&o, &r, "--count", "9", "--help", NULL) == 0);
    CHECK(!strncmp(out_text, "usage: seqtrans demo [options] FILE...\n", 39));
    CHECK(strstr(out_text, "\nnumbers:\n") && strstr(out_text, "\nothers:\n"));
    CHECK(strstr(out_text, "  -c, --count N           how many (default: 7)\n"));
    CHECK(strstr(out_text, "      --big N             a large count\n"));
    CHECK(strstr(out_text, "      --ratio F           a share (default: 0.25)\n"));
    CHECK(strstr(out_text, "      --shape round|square|flat\n                          the shape (default: square)\n"));
    CHECK(strstr(out_text, "      --flag              a switch\n"));
    CHECK(strstr(out_text, "  -h, --help              show this help\n"));
    CHECK(err_text[0] == 0);
}

/* The real commands: help on stdout with every option of the table, and within 79 columns. */
static void test_commands_help(void)
{
    for (int i = 0; i < seqtrans_n_commands; i++) {
        const opt_command *c = seqtrans_commands[i].doc;
        int saved;
        FILE *tmp;
        capture(1, &saved, &tmp);
        opt_print_help(c, stdout);
        release(1, saved, tmp, out_text, sizeof out_text);
        for (int k = 0; k < c->n_opts; k++) {
            char name[80];
            snprintf(name, sizeof name, "--%s ", c->opts[k].name);
            char flag[80];
            snprintf(flag, sizeof flag, "--%s\n", c->opts[k].name);
            CHECK(strstr(out_text, name) || strstr(out_text, flag));
        }
        CHECK(c->n_opts <= OPT_MAX_OPTIONS);
        /* the option lines that are not the usage lines fit in 79 columns */
        for (char *line = strchr(out_text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
            size_t len = strcspn(line + 1, "\n");
            if (strncmp(line + 1, "       seqtrans", 15)) CHECK(len <= 79);
        }
    }
}

int main(void)
{
    RUN_TEST(test_values_stored);
    RUN_TEST(test_bad_values);
    RUN_TEST(test_unknown_options);
    RUN_TEST(test_nearest);
    RUN_TEST(test_help_layout);
    RUN_TEST(test_commands_help);
    return TEST_SUMMARY("options");
}
