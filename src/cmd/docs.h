/* docs: the man pages and the bash completion, written from the option tables of the
 * subcommands (cmd/commands.h), so that they say what --help says.
 *   seqtrans --man              seqtrans(1): the commands
 *   seqtrans --man COMMAND      seqtrans-COMMAND(1): its options
 *   seqtrans --bash-completion  the completion script for bash
 * Both return the exit status: 0, 1 when stdout fails, 2 for an unknown command. */
#ifndef SEQTRANS_DOCS_H
#define SEQTRANS_DOCS_H
#include <stdio.h>

int docs_man(const char *command, FILE *out);
int docs_bash_completion(FILE *out);
#endif
