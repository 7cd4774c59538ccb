/* arena: scratch memory for one training or decoding step. Allocations are bumped out of
 * one buffer and all released at once by arena_reset(), or back to a mark by
 * arena_release() (a stack: what was allocated after the mark goes). When a step needs more
 * than the buffer holds, the excess comes from separate blocks, and the next reset grows the
 * buffer to the step's high-water mark: after the largest batch has been seen once, the
 * loops allocate nothing. Memory is zeroed only where asked (arena_zalloc).
 * The buffer and the blocks are mapped from the system directly, not taken from malloc: a
 * buffer given back then leaves the process, instead of staying behind as free heap. */
#ifndef SEQTRANS_ARENA_H
#define SEQTRANS_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct {
    float *base;
    size_t cap, used, high_water; /* in floats */
    arena_block *overflow;        /* newest first */
} arena;

void arena_reset(arena *a);
float *arena_alloc(arena *a, size_t floats);  /* 64-byte aligned */
float *arena_zalloc(arena *a, size_t floats);
int *arena_alloc_int(arena *a, size_t n);
void arena_free(arena *a);

/* A point in the arena to go back to: scratch that is dead before what was allocated
 * ahead of it can be handed back early, and its memory serves the next allocations. */
size_t arena_mark(const arena *a);
void arena_release(arena *a, size_t mark);

/* Zeroed memory straight from the system, for large long-lived buffers (64-byte aligned).
 * pages_forget() zeroes p[0..floats) by handing its whole pages back: it reads as zeros
 * again, and those pages cost memory only once written. */
float *pages_alloc(size_t floats);
size_t pages_floats(void); /* floats per page */
void pages_free(float *p, size_t floats);
void pages_forget(float *p, size_t floats);

#endif
