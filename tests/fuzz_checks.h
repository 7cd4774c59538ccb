/* Checks the fuzz targets share; a failed one aborts, which the fuzzer reports. */
#ifndef SEQTRANS_FUZZ_CHECKS_H
#define SEQTRANS_FUZZ_CHECKS_H
#include <stdlib.h>
#include <string.h>

#include "text/text.h"

/* t is a token as the vocabulary takes it: non-empty UTF-8 without spaces or controls. */
static inline void check_token(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || !utf8_valid(t, n)) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f) abort();
}

#endif
