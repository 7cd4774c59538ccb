/* The table of subcommands, shared by the dispatcher, the man pages and the completion. */
#include "cmd/commands.h"

#include <string.h>

const command_entry seqtrans_commands[] = {
    {&tokenize_command, cmd_tokenize, 0},
    {&train_command, cmd_train, 0},
    {&eval_command, cmd_eval, 0},
    {&translate_command, cmd_translate, 1},
    {&quantize_command, cmd_quantize, 0},
    {&info_command, cmd_info, 0},
};
const int seqtrans_n_commands = sizeof seqtrans_commands / sizeof seqtrans_commands[0];

const command_entry *command_find(const char *name)
{
    for (int i = 0; i < seqtrans_n_commands; i++)
        if (!strcmp(seqtrans_commands[i].doc->name, name)) return &seqtrans_commands[i];
    return NULL;
}
