/* line_reader: lines from a file descriptor without hiding what has arrived.
 * stdio buffers input, so a program cannot tell whether more lines are already waiting;
 * this reader reads raw chunks and says when nothing more is available right now, which
 * is what lets `translate` batch bulk input yet answer an interactive line at once. */
#ifndef SEQTRANS_LINE_READER_H
#define SEQTRANS_LINE_READER_H
#include <stddef.h>

typedef struct {
    int fd;
    char *buf;
    size_t len, pos, cap;
    int eof;
    long line_no;    /* lines returned so far */
    size_t max_line; /* longer lines are cropped to about this many bytes; 0: no limit */
    int cropped;     /* the line last returned was longer than max_line and was cut */
    int error;       /* errno of a read error that ended the input (eof is then set), else 0 */
    int discarding;  /* private: skipping the rest of an over-long line */
} line_reader;

void line_reader_init(line_reader *r, int fd);
void line_reader_free(line_reader *r);

/* Next complete line (without "\n" / "\r\n", NUL-terminated in place; *len excludes the
 * terminator; a BOM on the first line is removed), or NULL when no complete line is
 * buffered. With block != 0 it reads until a line or end of input; at end of input a last
 * line without "\n" is returned too. Returns NULL with r->eof set at the end. The pointer
 * stays valid until the next call with block != 0 or line_reader_compact().
 * A line longer than max_line bytes is cut at the last character boundary at or before
 * max_line and r->cropped set; the rest of it is read and dropped, so memory stays bounded.
 * A read error ends the input like end of file, with r->error set (nothing is printed). */
char *line_reader_next(line_reader *r, size_t *len, int block);

/* 1 when the descriptor has input ready (or is at end), 0 when a read would wait. */
int line_reader_ready(const line_reader *r);

/* Makes room by moving unread bytes to the front: call only when no returned line is in use. */
void line_reader_compact(line_reader *r);

#endif
