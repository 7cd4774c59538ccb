#include "sys/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys/util.h"

#define ALIGN_FLOATS 16 /* 64 bytes */

struct arena_block {
    arena_block *next;
    float *mem;
    size_t floats;
    size_t start; /* the arena offset it stands for: released with everything after it */
};

#if defined(__SANITIZE_ADDRESS__)
#define PAGES_FROM_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAGES_FROM_MALLOC 1
#endif
#endif

#ifdef PAGES_FROM_MALLOC
/* Under AddressSanitizer the memory comes from malloc, which it watches: an access past
 * the end of a block is caught. Pages are then "handed back" by zeroing them. */
static void *system_alloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes)) return NULL;
    return memset(p, 0, bytes);
}
static void system_free(void *p, size_t bytes) { (void)bytes; free(p); }
static void system_drop(void *p, size_t bytes) { memset(p, 0, bytes); }
#else
static void *system_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}
static void system_free(void *p, size_t bytes) { munmap(p, bytes); }
/* Whole pages: they read as zeros afterwards, and cost memory only once written again. */
static void system_drop(void *p, size_t bytes) { madvise(p, bytes, MADV_DONTNEED); }
#endif

size_t pages_floats(void) { return (size_t)sysconf(_SC_PAGESIZE) / sizeof(float); }

float *pages_alloc(size_t floats)
{
    void *p = system_alloc((floats ? floats : 1) * sizeof(float));
    if (!p) {
        st_error("out of memory (allocating %zu floats)", floats);
        exit(1);
    }
    return p;
}

void pages_free(float *p, size_t floats)
{
    if (p) system_free(p, (floats ? floats : 1) * sizeof(float));
}

/* The whole pages of [from, to) are dropped; what of the range shares a page with memory
 * outside it is zeroed instead. */
static void zero_range(float *from, float *to)
{
    size_t page = pages_floats() * sizeof(float);
    uintptr_t a = (uintptr_t)from, b = (uintptr_t)to;
    uintptr_t first = (a + page - 1) / page * page, last = b / page * page;
    if (first >= last) {
        memset(from, 0, b - a);
        return;
    }
    memset(from, 0, first - a);
    system_drop((void *)first, last - first);
    memset((void *)last, 0, b - last);
}

void pages_forget(float *p, size_t floats)
{
    if (p && floats) zero_range(p, p + floats);
}

/* The buffer's free tail past offset `from` (dead contents) goes back to the system. */
static void forget_tail(arena *a, size_t from)
{
    zero_range(a->base + from, a->base + a->cap);
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
