/* The scratch arena: alignment, growth to the high-water mark, release back to a mark, and
 * the page-backed buffers. */
#include <stdint.h>
#include <string.h>

#include "sys/arena.h"
#include "check.h"

static int aligned(const void *p) { return ((uintptr_t)p & 63) == 0; }

static void test_alloc_aligned_and_grows(void)
{
    arena a = {0};
    float *x = arena_alloc(&a, 3), *y = arena_zalloc(&a, 100);
    CHECK(aligned(x) && aligned(y));
    for (int i = 0; i < 100; i++) CHECK(y[i] == 0);
    CHECK(a.high_water >= 116);
    arena_reset(&a);
    CHECK(a.cap == a.high_water && a.overflow == NULL);
    float *z = arena_alloc(&a, 3);
    CHECK(z == a.base);
    arena_free(&a);
    CHECK(a.base == NULL && a.cap == 0);
}

static void test_release_reuses_memory(void)
{
    arena a = {0};
    arena_alloc(&a, 1000);
    arena_reset(&a);                  /* now 1000 floats (rounded up) in the buffer */
    size_t high = a.high_water;
    float *keep = arena_alloc(&a, 16);
    size_t mark = arena_mark(&a);
    float *scratch = arena_alloc(&a, 500);
    arena_release(&a, mark);
    float *again = arena_alloc(&a, 500);
    CHECK(again == scratch);
    CHECK(keep == a.base);
    CHECK(a.high_water == high);      /* unchanged: the release kept it within */
    arena_free(&a);
}

/* Past the buffer, blocks allocated after the mark go at release; older ones stay. */
static void test_release_frees_overflow_after_mark(void)
{
    arena a = {0};
    float *old = arena_alloc(&a, 64);
    old[63] = 7;
    size_t mark = arena_mark(&a);
    arena_alloc(&a, 4096);
    arena_alloc(&a, 4096);
    arena_release(&a, mark);
    CHECK(a.used == mark);
    CHECK(a.overflow != NULL);        /* the block that holds `old` */
    CHECK(old[63] == 7);
    CHECK(a.high_water == 64 + 2 * 4096);
    arena_release(&a, a.used + 5);    /* a mark ahead of the top changes nothing */
    CHECK(a.used == mark);
    arena_reset(&a);
    CHECK(a.cap == 64 + 2 * 4096);
    arena_free(&a);
}

/* An allocation that does not fit the buffer's rest goes to a block, and what the buffer
 * already holds is left as it was (its free tail is handed back to the system). */
static void test_straddling_keeps_contents(void)
{
    arena a = {0};
    arena_alloc(&a, 8 * 4096);
    arena_reset(&a);
    float *head = arena_alloc(&a, 1000);
    for (int i = 0; i < 1000; i++) head[i] = (float)i;
    float *big = arena_alloc(&a, 8 * 4096);
    CHECK(big < a.base || big >= a.base + a.cap);
    for (int i = 0; i < 8 * 4096; i++) big[i] = 1;
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= head[i] == (float)i;
    CHECK(same);
    arena_release(&a, 0);
    float *tail = arena_alloc(&a, 8 * 4096);  /* the buffer again, pages given back or not */
    CHECK(tail == a.base);
    for (int i = 0; i < 8 * 4096; i++) tail[i] = 2;
    arena_free(&a);
}

static void test_pages(void)
{
    size_t n = 3 * 4096 + 5;
    float *p = pages_alloc(n);
    CHECK(aligned(p));
    for (size_t i = 0; i < n; i++) CHECK(p[i] == 0);
    for (size_t i = 0; i < n; i++) p[i] = 1;
    pages_forget(p, n);
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i++) nonzero += p[i] != 0;
    CHECK(nonzero == 0);
    /* a range that starts and ends inside pages: only it is zeroed */
    for (size_t i = 0; i < n; i++) p[i] = 1;
    size_t from = 100, to = 2 * 4096 + 7;
    pages_forget(p + from, to - from);
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) wrong += p[i] != (i >= from && i < to ? 0 : 1);
    CHECK(wrong == 0);
    pages_forget(p + 5, 3);       /* within one page */
    CHECK(p[4] == 1 && p[5] == 0 && p[7] == 0 && p[8] == 1);
    pages_free(p, n);
}

int main(void)
{
    RUN_TEST(test_alloc_aligned_and_grows);
    RUN_TEST(test_release_reuses_memory);
    RUN_TEST(test_release_frees_overflow_after_mark);
    RUN_TEST(test_straddling_keeps_contents);
    RUN_TEST(test_pages);
    return TEST_SUMMARY("arena");
}
