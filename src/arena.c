#include "arena.h"

#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define ALIGN_FLOATS 16 /* 64 bytes */

struct arena_block {
    arena_block *next;
    float *mem;
    size_t floats;
    size_t start; /* the arena offset it stands for: released with everything after it */
};

float *pages_alloc(size_t floats)
{
    size_t bytes = (floats ? floats : 1) * sizeof(float);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        st_error("out of memory (allocating %zu floats)", floats);
        exit(1);
    }
    return p;
}

void pages_free(float *p, size_t floats)
{
    if (p) munmap(p, (floats ? floats : 1) * sizeof(float));
}

void pages_forget(float *p, size_t floats)
{
    if (p && floats) madvise(p, floats * sizeof(float), MADV_DONTNEED);
}

/* Drops the pages of the buffer wholly past offset `from` (contents dead, reads give 0). */
static void forget_tail(arena *a, size_t from)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)(a->base + from) + page - 1) / page * page;
    uintptr_t end = (uintptr_t)(a->base + a->cap);
    if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
}

static void free_blocks_from(arena *a, size_t mark)
{
    while (a->overflow && a->overflow->start >= mark) {
        arena_block *next = a->overflow->next;
        pages_free(a->overflow->mem, a->overflow->floats);
        free(a->overflow);
        a->overflow = next;
    }
}

void arena_reset(arena *a)
{
    if (a->overflow) {
        free_blocks_from(a, 0);
        pages_free(a->base, a->cap);
        a->cap = a->high_water;
        a->base = pages_alloc(a->cap);
    }
    a->used = 0;
}

float *arena_alloc(arena *a, size_t floats)
{
    size_t n = (floats + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    a->used += n;
    if (a->used > a->high_water) a->high_water = a->used;
    if (a->used <= a->cap) return a->base + (a->used - n);
    /* The buffer's free tail, too short for this, would otherwise stay resident beside the
     * block that replaces it until the next reset. */
    if (a->used - n < a->cap) forget_tail(a, a->used - n);
    arena_block *blk = xmalloc(sizeof *blk);
    blk->mem = pages_alloc(n);
    blk->floats = n;
    blk->start = a->used - n;
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

size_t arena_mark(const arena *a) { return a->used; }

void arena_release(arena *a, size_t mark)
{
    if (mark >= a->used) return;
    free_blocks_from(a, mark);
    a->used = mark;
}

void arena_free(arena *a)
{
    free_blocks_from(a, 0);
    pages_free(a->base, a->cap);
    memset(a, 0, sizeof *a);
}
