/* For tests whose refusals print an error each: stderr to /dev/null and back, so that the
 * log stays readable. */
#ifndef SEQTRANS_QUIET_H
#define SEQTRANS_QUIET_H
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int saved_stderr = -1;

static inline void silence_stderr(void)
{
    fflush(stderr);
    saved_stderr = dup(2);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
}

static inline void restore_stderr(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
}

#endif
