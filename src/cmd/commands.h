/* The subcommands: each parses its own options, calls the library, prints, and returns the
 * exit status (0 success, 1 runtime failure, 2 usage error). */
#ifndef SEQTRANS_COMMANDS_H
#define SEQTRANS_COMMANDS_H
int cmd_tokenize(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_info(int argc, char **argv);
#endif
