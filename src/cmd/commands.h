/* The subcommands: each parses its options with its table (cmd/options.h), calls the
 * library, prints, and returns the exit status (0 success, 1 runtime failure, 2 usage
 * error). */
#ifndef SEQTRANS_COMMANDS_H
#define SEQTRANS_COMMANDS_H
#include "cmd/options.h"

/* translate's beam, and eval's: one default for both. */
#define SEQTRANS_DEFAULT_BEAM 5

int cmd_tokenize(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_quantize(int argc, char **argv);

extern const opt_command tokenize_command, train_command, eval_command, translate_command,
    info_command, quantize_command;

/* Every subcommand in the order `seqtrans --help` lists them. */
typedef struct {
    const opt_command *doc;
    int (*run)(int argc, char **argv);
    int starts_blas; /* calls blas_init itself (translate: only for a float model) */
} command_entry;

extern const command_entry seqtrans_commands[];
extern const int seqtrans_n_commands;

/* The command called name, or NULL. */
const command_entry *command_find(const char *name);
#endif
