#include "data/line_reader.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/util.h"

void line_reader_init(line_reader *r, int fd)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
}

void line_reader_free(line_reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

void line_reader_compact(line_reader *r)
{
    if (r->pos == 0) return;
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
}

/* Reads one chunk; returns bytes read, 0 at end of input or after a read error (recorded in
 * r->error; the caller names the file in its message). */
static long fill(line_reader *r)
{
    if (r->cap - r->len < 65536) {
        r->cap = r->cap * 2 + 65536;
        r->buf = xrealloc(r->buf, r->cap + 1);
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n >= 0) {
            r->len += (size_t)n;
            if (n == 0) r->eof = 1;
            return (long)n;
        }
        if (errno != EINTR) {
            r->error = errno;
            r->eof = 1;
            return 0;
        }
    }
}

static char *cut_line(line_reader *r, size_t end, size_t next, size_t *len)
{
    char *line = r->buf + r->pos;
    size_t n = end - r->pos;
    if (n > 0 && line[n - 1] == '\r') n--;
    r->cropped = 0;
    if (r->max_line && (n > r->max_line || r->discarding)) {
        /* Cut at a character boundary: back over at most 3 continuation bytes. */
        size_t keep = n < r->max_line ? n : r->max_line;
        for (int k = 0; k < 3 && keep > 0 && ((unsigned char)line[keep] & 0xC0) == 0x80; k++)
            keep--;
        n = keep;
        r->cropped = 1;
        r->discarding = 0;
    }
    line[n] = '\0';
    r->pos = next;
    if (r->line_no++ == 0 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
        line += 3;
        n -= 3;
    }
    *len = n;
    return line;
}

/* Over-long line: keep its first max_line + 1 bytes (one more than the limit, so that a
 * '\r' before the newline is never mistaken for content) and drop the rest as it arrives. */
static void start_discarding(line_reader *r)
{
    r->len = r->pos + r->max_line + 1;
    r->discarding = 1;
}

/* Drops the bytes at [from, len) up to the next newline, which then follows the kept part. */
static void discard_new_bytes(line_reader *r, size_t from)
{
    char *nl = r->len > from ? memchr(r->buf + from, '\n', r->len - from) : NULL;
    if (!nl) {
        r->len = from;
        return;
    }
    size_t rest = r->len - (size_t)(nl - r->buf);
    memmove(r->buf + from, nl, rest);
    r->len = from + rest;
}

char *line_reader_next(line_reader *r, size_t *len, int block)
{
    for (;;) {
        char *nl = r->len > r->pos ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
        if (nl) return cut_line(r, (size_t)(nl - r->buf), (size_t)(nl - r->buf) + 1, len);
        if (r->max_line && !r->discarding && r->len - r->pos > r->max_line + 1) start_discarding(r);
        if (r->eof) {
            if (r->len > r->pos) return cut_line(r, r->len, r->len, len);
            return NULL;
        }
        if (!block) return NULL;
        /* Blocking read: earlier lines are no longer in use, so the buffer may move. */
        line_reader_compact(r);
        size_t old_len = r->len;
        fill(r);
        if (r->discarding) discard_new_bytes(r, old_len);
    }
}

int line_reader_ready(const line_reader *r)
{
    if (r->eof) return 1;
    struct pollfd p = {r->fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}
