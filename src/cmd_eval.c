#include "commands.h"
#include "util.h"
int cmd_eval(int argc, char **argv)
{
    (void)argc; (void)argv;
    st_error("eval: not implemented yet");
    return 1;
}
