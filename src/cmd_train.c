#include "commands.h"
#include "util.h"
int cmd_train(int argc, char **argv)
{
    (void)argc; (void)argv;
    st_error("train: not implemented yet");
    return 1;
}
