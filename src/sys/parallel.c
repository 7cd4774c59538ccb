#include "sys/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

typedef void (*job_fn)(void *ctx, int worker);

/* Translating one sentence runs some thirty parallel products of a millisecond or less.
 * Starting a thread for each cost more than it saved: the new thread, busy at once, often
 * took the caller's core for milliseconds while the other core woke up. So the workers
 * stay: after a job each spins for a while (the next product follows at once), then
 * sleeps. One job at a time; a job started while one runs (a worker's own work splitting
 * further) gets threads of its own. */
enum { MAX_THREADS = 256, SPINS = 4000 /* pauses, about 0.2 ms */ };

static struct {
    pthread_mutex_t busy; /* held through a job */
    pthread_mutex_t lock; /* for the condition variables */
    pthread_cond_t start, finish;
    int workers;          /* started, besides the caller */
    _Atomic unsigned job; /* counts jobs: a change is the signal to start */
    _Atomic int running;  /* workers not yet done with the job */
    job_fn fn;
    void *ctx;
    int n;
    unsigned job_before_start[MAX_THREADS]; /* what each worker has seen when it starts */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, NULL, 0, {0}};

/* A moment of spinning; now and then the core is offered to any other thread that waits
 * for it, as when there are more threads than cores. */
static void pause_briefly(int i)
{
    if (i % 64 == 63) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static unsigned wait_for_job(unsigned seen)
{
    for (int i = 0; i < SPINS; i++) {
        unsigned job = atomic_load_explicit(&pool.job, memory_order_acquire);
        if (job != seen) return job;
        pause_briefly(i);
    }
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.job) == seen) pthread_cond_wait(&pool.start, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    return atomic_load(&pool.job);
}

static void *pool_worker(void *arg)
{
    int worker = (int)(long)arg;
    unsigned seen = pool.job_before_start[worker];
    for (;;) {
        seen = wait_for_job(seen);
        if (worker < pool.n) pool.fn(pool.ctx, worker);
        if (atomic_fetch_sub_explicit(&pool.running, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.finish);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    return NULL;
}

/* Starts workers up to n - 1, as far as threads can be had; returns how many there are. */
static int grow_pool(int n)
{
    while (pool.workers < n - 1 && pool.workers < MAX_THREADS - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        /* started now, it must still take the job about to be posted */
        pool.job_before_start[pool.workers + 1] = atomic_load(&pool.job);
        int rc = pthread_create(&t, &attr, pool_worker, (void *)(long)(pool.workers + 1));
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        pool.workers++;
    }
    return pool.workers;
}

static void wait_for_workers(void)
{
    for (int i = 0; i < SPINS; i++) {
        if (atomic_load_explicit(&pool.running, memory_order_acquire) == 0) return;
        pause_briefly(i);
    }
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.running) != 0) pthread_cond_wait(&pool.finish, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}

/* Every started worker takes part in every job (those numbered n or above do nothing), so
 * that each sees every job and the count of those still running starts at `workers`. */
static void run_in_pool(int n, job_fn fn, void *ctx)
{
    int workers = grow_pool(n);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    atomic_store(&pool.running, workers);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add_explicit(&pool.job, 1, memory_order_release);
    pthread_cond_broadcast(&pool.start);
    pthread_mutex_unlock(&pool.lock);
    fn(ctx, 0);
    /* Workers beyond what could be started run here, after worker 0: same result, slower. */
    for (int w = workers + 1; w < n; w++) fn(ctx, w);
    wait_for_workers();
}

typedef struct {
    job_fn fn;
    void *ctx;
    int worker;
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->fn(j->ctx, j->worker);
    return NULL;
}

static void run_in_new_threads(int n, job_fn fn, void *ctx)
{
    pthread_t tid[MAX_THREADS];
    job jobs[MAX_THREADS];
    int started = 1;
    for (int w = 1; w < n && w < MAX_THREADS; w++) {
        jobs[w] = (job){fn, ctx, w};
        if (pthread_create(&tid[w], NULL, run_job, &jobs[w]) != 0) break;
        started++;
    }
    fn(ctx, 0);
    for (int w = started; w < n; w++) fn(ctx, w);
    for (int w = 1; w < started; w++) pthread_join(tid[w], NULL);
}

void parallel_run(int n, void (*fn)(void *ctx, int worker), void *ctx)
{
    if (n <= 1) {
        fn(ctx, 0);
        return;
    }
    if (pthread_mutex_trylock(&pool.busy) != 0) {
        run_in_new_threads(n, fn, ctx);
        return;
    }
    run_in_pool(n, fn, ctx);
    pthread_mutex_unlock(&pool.busy);
}

void parallel_share(long n, int workers, int w, long *begin, long *end)
{
    *begin = n * w / workers;
    *end = n * (w + 1) / workers;
}
