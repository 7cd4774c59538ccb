#include "line_reader.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

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

/* Reads one chunk; returns bytes read, 0 at end of input. */
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
            st_error("read error: %s", strerror(errno));
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
    line[n] = '\0';
    r->pos = next;
    if (r->line_no++ == 0 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
        line += 3;
        n -= 3;
    }
    *len = n;
    return line;
}

char *line_reader_next(line_reader *r, size_t *len, int block)
{
    for (;;) {
        char *nl = r->len > r->pos ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
        if (nl) return cut_line(r, (size_t)(nl - r->buf), (size_t)(nl - r->buf) + 1, len);
        if (r->eof) {
            if (r->len > r->pos) return cut_line(r, r->len, r->len, len);
            return NULL;
        }
        if (!block) return NULL;
        /* Blocking read: earlier lines are no longer in use, so the buffer may move. */
        line_reader_compact(r);
        fill(r);
    }
}

int line_reader_ready(const line_reader *r)
{
    if (r->eof) return 1;
    struct pollfd p = {r->fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}
