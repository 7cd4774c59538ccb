/* corpus: parallel sentence pairs from a TSV file (column 1 source, column 2 target, further
 * columns ignored). A UTF-8 byte-order mark on the first line and CRLF line ends are
 * accepted; each side is trimmed of surrounding spaces (ASCII, U+00A0, U+3000).
 *
 * A line that cannot be used is skipped with a warning "FILE:LINE: reason" (the first
 * CORPUS_MAX_WARNINGS, then "further warnings suppressed"): longer than CORPUS_MAX_LINE
 * bytes, a NUL byte, invalid UTF-8, a control character other than tab (C0, DEL or C1),
 * no tab, an empty source or target. A blank line (nothing but spaces and tabs) is skipped
 * without a warning, as a separator rather than an error, but still counted. When anything
 * was skipped a final warning says "FILE: skipped N of M lines (K blank)". */
#ifndef SEQTRANS_CORPUS_H
#define SEQTRANS_CORPUS_H
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define CORPUS_MAX_LINE 4096     /* bytes, line end excluded */
#define CORPUS_MAX_WARNINGS 10

typedef struct {
    char *src, *tgt;   /* separately malloc'd, NUL-terminated, trimmed, never empty */
    long line;         /* 1-based line number in the file */
} corpus_pair;

typedef struct {
    corpus_pair *pairs;
    size_t n, cap;
    size_t skipped;    /* lines not used, blank lines included */
} corpus;

/* Reads path ("-": stdin). strict != 0 makes the first unusable line an error (blank lines
 * are still only skipped). Returns 0, or -1 with an error already printed: cannot open or
 * read, a bad line in strict mode, or no usable pair at all. *out is empty after -1. */
int corpus_read(const char *path, int strict, corpus *out);
void corpus_free(corpus *c);

/* A corpus read a block of pairs at a time, so that one larger than memory can be read, and
 * read again from a mark, without holding its text. Lines are reported (warnings, errors in
 * strict mode) the first time they are read only. */
typedef struct {
    FILE *f;
    const char *name;
    int strict, from_stdin, quiet;
    long lines;                    /* lines read so far */
    size_t skipped, blank, warnings;
    char *buf;
    size_t cap;
} corpus_reader;

/* Where a reader is, to read again from there: a byte offset and the lines before it. */
typedef struct {
    off_t offset;
    long lines;
} corpus_mark;

/* 0, or -1 with an error printed. */
int corpus_reader_open(corpus_reader *r, const char *path, int strict);
/* Appends up to max_pairs more pairs to c. Returns 1 when more may follow, 0 at the end of
 * the input, -1 with an error printed (a read error, a bad line in strict mode). */
int corpus_reader_read(corpus_reader *r, corpus *c, size_t max_pairs);
/* The position reached, or -1 when the input cannot be read again (stdin, a pipe). */
int corpus_reader_mark(const corpus_reader *r, corpus_mark *m);
/* Goes back to m to read again (quietly); 0, or -1 with an error printed. */
int corpus_reader_rewind(corpus_reader *r, const corpus_mark *m);
/* After the whole input was read once: warns of the lines skipped; returns -1 with an error
 * printed when it gave no pairs at all, else 0. */
int corpus_reader_report(const corpus_reader *r, size_t pairs);
void corpus_reader_close(corpus_reader *r);

/* Exchanges the columns of every pair (for --reverse). */
void corpus_swap_sides(corpus *c);
/* 1 when column 1 holds more Han/kana characters than column 2 (it is the Chinese side). */
int corpus_source_is_chinese(const corpus *c);
/* Adds the Han/kana characters of pairs [from, to) to *src and *tgt, column by column. */
void corpus_count_han(const corpus *c, size_t from, size_t to, long *src, long *tgt);

#endif
