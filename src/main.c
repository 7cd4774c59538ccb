/* seqtrans: dispatch table of subcommands; nothing else lives here. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sys/blas.h"
#include "cmd/commands.h"
#include "sys/util.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"tokenize", cmd_tokenize, "split text into tokens, or join tokens back (--detok)"},
    {"train", cmd_train, "train a model on a TSV corpus"},
    {"eval", cmd_eval, "score a model on a TSV test set, or translations against references"},
    {"translate", cmd_translate, "translate lines from files or stdin"},
    {"info", cmd_info, "show what a model file holds and how it was trained"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: seqtrans [--help | --version] <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'seqtrans <command> --help' for the options of one command.\n");
}

static void version(void)
{
    printf("seqtrans %s\n", SEQTRANS_VERSION);
    printf("blas: %s\n", blas_description());
}

int main(int argc, char **argv)
{
    /* Past a file-size limit, a write should fail with EFBIG and be reported, not kill us
     * halfway through writing a model. */
    signal(SIGXFSZ, SIG_IGN);
    blas_init();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        version();
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    st_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return 2;
}
