#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ALIGN_FLOATS 16 /* 64 bytes */

struct arena_block {
    arena_block *next;
    float *mem;
};

static void *aligned_floats(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (n ? n : 1) * sizeof(float))) {
        st_error("out of memory (allocating %zu floats)", n);
        exit(1);
    }
    return p;
}

void arena_reset(arena *a)
{
    if (a->overflow) {
        while (a->overflow) {
            arena_block *next = a->overflow->next;
            free(a->overflow->mem);
            free(a->overflow);
            a->overflow = next;
        }
        free(a->base);
        a->cap = a->high_water;
        a->base = aligned_floats(a->cap);
    }
    a->used = 0;
}

float *arena_alloc(arena *a, size_t floats)
{
    size_t n = (floats + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    a->used += n;
    if (a->used > a->high_water) a->high_water = a->used;
    if (a->used <= a->cap) return a->base + (a->used - n);
    arena_block *blk = xmalloc(sizeof *blk);
    blk->mem = aligned_floats(n);
    blk->next = a->overflow;
    a->overflow = blk;
    return blk->mem;
}

float *arena_zalloc(arena *a, size_t floats)
{
    float *p = arena_alloc(a, floats);
    memset(p, 0, floats * sizeof *p);
    return p;
}

int *arena_alloc_int(arena *a, size_t n)
{
    _Static_assert(sizeof(int) == sizeof(float), "ints share the float arena");
    return (int *)arena_alloc(a, n);
}

void arena_free(arena *a)
{
    arena_reset(a);
    free(a->base);
    memset(a, 0, sizeof *a);
}
