/* What the BPE tests and the model file tests check about subword models. */
#ifndef SEQTRANS_BPE_CHECKS_H
#define SEQTRANS_BPE_CHECKS_H
#include <stdlib.h>
#include <string.h>

#include "text/bpe.h"

/* 1 when x and y serialize to the same bytes (NULL matches only NULL). */
static inline int bpe_same_bytes(const bpe *x, const bpe *y)
{
    if (!x || !y) return x == y;
    size_t nx, ny;
    char *bx = bpe_serialize(x, &nx), *by = bpe_serialize(y, &ny);
    int same = nx == ny && !memcmp(bx, by, nx);
    free(bx);
    free(by);
    return same;
}

#endif
