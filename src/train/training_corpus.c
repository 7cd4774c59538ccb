#include "train/training_corpus.h"

#include <pthread.h>
#include <string.h>

#include "sys/util.h"

_Static_assert(TRAINING_BLOCK >= SUBWORD_AUTO_PAIRS,
               "the first block must tell whether a corpus is large enough for subwords");

int training_corpus_open(training_corpus *tc, const char *path, const train_options *o)
{
    memset(tc, 0, sizeof *tc);
    tc->name = path;
    if (corpus_reader_open(&tc->rd, path, o->strict) != 0) return -1;
    int rc = corpus_reader_read(&tc->rd, &tc->first, TRAINING_BLOCK);
    if (rc == 1 && corpus_reader_mark(&tc->rd, &tc->after_first) != 0)
        rc = corpus_reader_read(&tc->rd, &tc->first, SIZE_MAX); /* cannot be read twice: hold it */
    if (rc == 0) {
        tc->held = tc->complete = 1;
        tc->pairs = tc->first.n;
        rc = corpus_reader_report(&tc->rd, tc->pairs);
    }
    if (rc < 0) {
        training_corpus_close(tc);
        return -1;
    }
    if (o->reverse) training_corpus_swap_sides(tc);
    return 0;
}

void training_corpus_close(training_corpus *tc)
{
    corpus_reader_close(&tc->rd);
    corpus_free(&tc->first);
    memset(tc, 0, sizeof *tc);
}

size_t training_corpus_min_pairs(const training_corpus *tc)
{
    return tc->complete ? tc->pairs : tc->first.n;
}

void training_corpus_swap_sides(training_corpus *tc)
{
    tc->swapped = !tc->swapped;
    corpus_swap_sides(&tc->first);
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

/* After a pass over a streamed corpus of `pairs` pairs: 0, or -1 with an error printed. */
static int end_pass(training_corpus *tc, size_t pairs)
{
    if (!tc->complete) {
        tc->complete = 1;
        tc->pairs = pairs;
        return corpus_reader_report(&tc->rd, pairs);
    }
    if (pairs == tc->pairs) return 0;
    st_error("'%s' changed while it was read: %zu pairs, then %zu", tc->name, tc->pairs, pairs);
    return -1;
}

int training_corpus_each(training_corpus *tc, void (*fn)(void *ctx, const corpus *block), void *ctx)
{
    if (tc->held) {
        fn(ctx, &tc->first);
        return 0;
    }
    if (tc->complete && corpus_reader_rewind(&tc->rd, &tc->after_first) != 0) return -1;
    size_t pairs = tc->first.n;
    block_read next = {tc, {0}, 0, 0, 0};
    start_read(&next);
    fn(ctx, &tc->first);
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
        pairs += block.n;
        corpus_free(&block);
        if (!more) break;
    }
    return end_pass(tc, pairs);
}
