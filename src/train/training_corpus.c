#include "train/training_corpus.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sys/parallel.h"
#include "sys/util.h"

void training_corpus_close(training_corpus *tc)
{
    corpus_reader_close(&tc->rd);
    corpus_free(&tc->first);
    memset(tc, 0, sizeof *tc);
}

int training_corpus_source_is_chinese(const training_corpus *tc)
{
    return tc->han[0] > tc->han[1];
}

void training_corpus_swap_sides(training_corpus *tc)
{
    tc->swapped = !tc->swapped;
    corpus_swap_sides(&tc->first);
    long t = tc->han[0];
    tc->han[0] = tc->han[1];
    tc->han[1] = t;
}

/* A block read in the background while the threads work on the one before it. */
typedef struct {
    training_corpus *tc;
    corpus block;
    int rc;           /* of corpus_reader_read */
    pthread_t thread;
    int threaded;
} block_read;

static void *read_block(void *arg)
{
    block_read *b = arg;
    b->rc = corpus_reader_read(&b->tc->rd, &b->block, TRAINING_BLOCK);
    if (b->tc->swapped) corpus_swap_sides(&b->block);
    return NULL;
}

static void start_read(block_read *b)
{
    memset(&b->block, 0, sizeof b->block);
    b->threaded = pthread_create(&b->thread, NULL, read_block, b) == 0;
    if (!b->threaded) read_block(b); /* no thread to be had: read it now */
}

static void finish_read(block_read *b)
{
    if (b->threaded) pthread_join(b->thread, NULL);
    b->threaded = 0;
}

/* The first block, then the rest read from the file, through fn in order; *pairs counts
 * them. 0, or -1 with an error printed. */
static int each_later_block(training_corpus *tc, void (*fn)(void *, const corpus *), void *ctx,
                            size_t *pairs)
{
    block_read next = {tc, {0}, 0, 0, 0};
    start_read(&next);
    fn(ctx, &tc->first);
    *pairs = tc->first.n;
    for (;;) {
        finish_read(&next);
        if (next.rc < 0) {
            corpus_free(&next.block);
            return -1;
        }
        corpus block = next.block;
        int more = next.rc == 1;
        if (more) start_read(&next);
        if (block.n) fn(ctx, &block);
        *pairs += block.n;
        corpus_free(&block);
        if (!more) return 0;
    }
}

int training_corpus_each(training_corpus *tc, void (*fn)(void *ctx, const corpus *block), void *ctx)
{
    if (tc->held) {
        fn(ctx, &tc->first);
        return 0;
    }
    size_t pairs;
    if (corpus_reader_rewind(&tc->rd, &tc->after_first) != 0 || each_later_block(tc, fn, ctx, &pairs) != 0)
        return -1;
    if (pairs == tc->pairs && tc->rd.lines == tc->lines) return 0;
    st_error("'%s' changed while it was read: %zu pairs in %ld lines, then %zu in %ld", tc->name,
             tc->pairs, tc->lines, pairs, tc->rd.lines);
    return -1;
}

/* The first pass: Han characters counted on the run's threads. */
typedef struct {
    const corpus *block;
    int workers;
    long (*han)[2];   /* [worker][column] */
} han_job;

static void count_han_share(void *ctx, int w)
{
    const han_job *job = ctx;
    long from, to;
    parallel_share((long)job->block->n, job->workers, w, &from, &to);
    corpus_count_han(job->block, (size_t)from, (size_t)to, &job->han[w][0], &job->han[w][1]);
}

static void count_han_block(void *ctx, const corpus *block)
{
    han_job *job = ctx;
    job->block = block;
    parallel_run(job->workers, count_han_share, job);
}

/* The pass of opening: the corpus read through (the rest of it, unless it is held), its
 * lines reported, its pairs and Han characters counted. 0, or -1 with an error printed. */
static int first_pass(training_corpus *tc, int threads)
{
    han_job job = {NULL, threads > 0 ? threads : 1, NULL};
    job.han = xcalloc((size_t)job.workers, sizeof *job.han);
    int rc = 0;
    if (tc->held) {
        count_han_block(&job, &tc->first);
        tc->pairs = tc->first.n;
    } else {
        rc = each_later_block(tc, count_han_block, &job, &tc->pairs);
    }
    for (int w = 0; w < job.workers; w++) tc->han[0] += job.han[w][0], tc->han[1] += job.han[w][1];
    free(job.han);
    tc->lines = tc->rd.lines;
    return rc == 0 ? corpus_reader_report(&tc->rd, tc->pairs) : -1;
}

int training_corpus_open(training_corpus *tc, const char *path, const train_options *o)
{
    memset(tc, 0, sizeof *tc);
    tc->name = path;
    if (corpus_reader_open(&tc->rd, path, o->strict) != 0) return -1;
    int rc = corpus_reader_read(&tc->rd, &tc->first, TRAINING_BLOCK);
    if (rc == 1 && corpus_reader_mark(&tc->rd, &tc->after_first) != 0)
        rc = corpus_reader_read(&tc->rd, &tc->first, SIZE_MAX); /* cannot be read twice: hold it */
    tc->held = rc == 0;
    if (rc >= 0) rc = first_pass(tc, o->threads);
    if (rc < 0) {
        training_corpus_close(tc);
        return -1;
    }
    if (o->reverse) training_corpus_swap_sides(tc);
    return 0;
}
