/* arena: scratch memory for one training or decoding step. Allocations are bumped out of
 * one buffer and all released at once by arena_reset(). When a step needs more than the
 * buffer holds, the excess comes from separate blocks, and the next reset grows the buffer
 * to the step's high-water mark: after the largest batch has been seen once, the loops
 * allocate nothing. Memory is zeroed only where asked (arena_zalloc). */
#ifndef SEQTRANS_ARENA_H
#define SEQTRANS_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct {
    float *base;
    size_t cap, used, high_water; /* in floats */
    arena_block *overflow;
} arena;

void arena_reset(arena *a);
float *arena_alloc(arena *a, size_t floats);  /* 64-byte aligned */
float *arena_zalloc(arena *a, size_t floats);
int *arena_alloc_int(arena *a, size_t n);
void arena_free(arena *a);

#endif
