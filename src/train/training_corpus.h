/* training_corpus: the training corpus read a block at a time, so that its text need not
 * fit in memory. */
#ifndef SEQTRANS_TRAINING_CORPUS_H
#define SEQTRANS_TRAINING_CORPUS_H
#include "data/corpus.h"
#include "train/train.h"

/* Pairs per block of a training corpus. A corpus of at most this many is held whole. */
#define TRAINING_BLOCK (1L << 17)

/* The training corpus as setup passes over it: once to count words for BPE, once to count
 * units, once to encode. It is read a block at a time, the next block while the threads
 * work on this one, and a corpus larger than one block is read again from its file on each
 * pass, so its text is never all in memory (10M pairs are 3.5 GB of text). One that cannot
 * be read twice (stdin, a pipe) is held whole. Opening reads it through once: every bad line
 * is reported then, and each column's Han characters are counted (the side with more is
 * Chinese), so that the later passes are quiet and depend on nothing but the pairs. */
typedef struct {
    const char *name;
    corpus_reader rd;
    corpus first;             /* the first block: the whole corpus when held */
    corpus_mark after_first;
    int held;                 /* first is the whole corpus */
    int swapped;              /* columns exchanged (--reverse, or a resumed model's direction) */
    size_t pairs;             /* usable pairs */
    long lines;               /* lines of the file */
    long han[2];              /* Han/kana characters of column 1 and 2, as the pairs are read */
} training_corpus;

/* Opens the corpus at path and reads it through once (--strict, --reverse, --threads as o
 * says). 0, or -1 with an error printed. */
int training_corpus_open(training_corpus *tc, const char *path, const train_options *o);
void training_corpus_close(training_corpus *tc);
/* Calls fn(ctx, block) for every block in order. 0, or -1 with an error printed. */
int training_corpus_each(training_corpus *tc, void (*fn)(void *ctx, const corpus *block), void *ctx);

/* 1 when the source column holds more Han/kana characters than the target (it is Chinese). */
int training_corpus_source_is_chinese(const training_corpus *tc);
/* Exchanges the columns, of the block held and of those still to be read. */
void training_corpus_swap_sides(training_corpus *tc);

#endif
