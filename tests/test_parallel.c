/* parallel_run: every worker number runs exactly once per job, whether the pool's threads
 * are spinning, asleep or not started yet, and a job started from inside a job still runs. */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sys/parallel.h"

enum { MOST = 8 };

typedef struct {
    _Atomic int runs[MOST];
    _Atomic long sum;
} tally;

static void count_worker(void *ctx, int w)
{
    tally *t = ctx;
    atomic_fetch_add(&t->runs[w], 1);
    atomic_fetch_add(&t->sum, w + 1);
}

static int each_ran_once(tally *t, int n)
{
    for (int w = 0; w < MOST; w++)
        if (atomic_load(&t->runs[w]) != (w < n)) return 0;
    return atomic_load(&t->sum) == (long)n * (n + 1) / 2;
}

static void run_counted(int n, tally *t)
{
    memset(t, 0, sizeof *t);
    parallel_run(n, count_worker, t);
}

static void test_each_worker_once(void)
{
    tally t;
    for (int n = 1; n <= MOST; n++) {
        run_counted(n, &t);
        CHECK(each_ran_once(&t, n));
    }
    for (int n = MOST; n >= 1; n--) { /* fewer than the pool has */
        run_counted(n, &t);
        CHECK(each_ran_once(&t, n));
    }
}

static void test_many_jobs_back_to_back(void)
{
    tally t;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        run_counted(2 + i % 3, &t);
        bad += !each_ran_once(&t, 2 + i % 3);
    }
    CHECK(bad == 0);
}

static void test_jobs_after_the_workers_slept(void)
{
    tally t;
    for (int i = 0; i < 3; i++) {
        struct timespec pause = {0, 20 * 1000 * 1000}; /* far past the spinning */
        nanosleep(&pause, NULL);
        run_counted(3, &t);
        CHECK(each_ran_once(&t, 3));
    }
}

static void nested_worker(void *ctx, int w)
{
    tally *inner = (tally *)ctx + 1 + w;
    parallel_run(3, count_worker, inner);
}

static void test_job_inside_a_job(void)
{
    tally t[3];
    memset(t, 0, sizeof t);
    parallel_run(2, nested_worker, t);
    CHECK(each_ran_once(&t[1], 3));
    CHECK(each_ran_once(&t[2], 3));
}

int main(void)
{
    RUN_TEST(test_each_worker_once);
    RUN_TEST(test_many_jobs_back_to_back);
    RUN_TEST(test_jobs_after_the_workers_slept);
    RUN_TEST(test_job_inside_a_job);
    return TEST_SUMMARY("parallel");
}
