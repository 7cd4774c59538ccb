#include "commands.h"
#include "util.h"
int cmd_tokenize(int argc, char **argv)
{
    (void)argc; (void)argv;
    st_error("tokenize: not implemented yet");
    return 1;
}
