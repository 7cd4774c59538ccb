#include "commands.h"
#include "util.h"
int cmd_translate(int argc, char **argv)
{
    (void)argc; (void)argv;
    st_error("translate: not implemented yet");
    return 1;
}
