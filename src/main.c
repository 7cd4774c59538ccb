/* seqtrans: dispatch to the subcommands of cmd/commands.h; nothing else lives here. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "nn/qgemm.h"
#include "sys/blas.h"
#include "cmd/commands.h"
#include "cmd/docs.h"
#include "sys/util.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: seqtrans [--help | --version] <command> [options]\n\ncommands:\n");
    for (int i = 0; i < seqtrans_n_commands; i++)
        fprintf(out, "  %-10s %s\n", seqtrans_commands[i].doc->name, seqtrans_commands[i].doc->summary);
    fprintf(out, "\nRun 'seqtrans <command> --help' for the options of one command.\n");
}

static void version(void)
{
    printf("seqtrans %s\n", SEQTRANS_VERSION);
    printf("blas: %s\n", blas_description());
    printf("int8 kernel: %s\n", qgemm_kernel_name());
}

/* An unknown command or option, with the nearest known one when it looks like a typo. */
static int unknown(const char *word)
{
    const char *commands[16];
    int n = 0;
    for (int i = 0; i < seqtrans_n_commands && n < 16; i++) commands[n++] = seqtrans_commands[i].doc->name;
    static const char *const options[] = {"--help", "--version"};
    int dashed = word[0] == '-';
    const char *const *names = dashed ? options : commands;
    int near = opt_nearest(word, names, dashed ? 2 : n);
    const char *what = dashed ? "option" : "command";
    if (near >= 0) st_error("unknown %s '%s'; did you mean '%s'?", what, word, names[near]);
    else st_error("unknown %s '%s'", what, word);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    /* Past a file-size limit, a write should fail with EFBIG and be reported, not kill us
     * halfway through writing a model. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    /* Hidden: what `make install` writes from the option tables (no BLAS needed). */
    if (!strcmp(argv[1], "--man") && argc <= 3) return docs_man(argv[2], stdout);
    if (!strcmp(argv[1], "--bash-completion") && argc == 2) return docs_bash_completion(stdout);
    const command_entry *e = command_find(argv[1]);
    if (!e || !e->starts_blas) blas_init();
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        version();
        return 0;
    }
    if (e) return e->run(argc - 1, argv + 1);
    return unknown(argv[1]);
}
