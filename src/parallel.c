#include "parallel.h"

#include <pthread.h>

#include "util.h"

typedef struct {
    void (*fn)(void *ctx, int worker);
    void *ctx;
    int worker;
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->fn(j->ctx, j->worker);
    return NULL;
}

void parallel_run(int n, void (*fn)(void *ctx, int worker), void *ctx)
{
    enum { MAX_THREADS = 256 };
    pthread_t tid[MAX_THREADS];
    job jobs[MAX_THREADS];
    int started = 1;
    for (int w = 1; w < n && w < MAX_THREADS; w++) {
        jobs[w] = (job){fn, ctx, w};
        if (pthread_create(&tid[w], NULL, run_job, &jobs[w]) != 0) break;
        started++;
    }
    /* Workers beyond what could be started run here, after worker 0: same result, slower. */
    fn(ctx, 0);
    for (int w = started; w < n; w++) fn(ctx, w);
    for (int w = 1; w < started; w++) pthread_join(tid[w], NULL);
}

void parallel_share(long n, int workers, int w, long *begin, long *end)
{
    *begin = n * w / workers;
    *end = n * (w + 1) / workers;
}
