#include "sys/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char process_label[32];

void st_label_process(const char *label)
{
    snprintf(process_label, sizeof process_label, "%s", label ? label : "");
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
    flockfile(stderr); /* one line, even when another thread reports at the same time */
    fprintf(stderr, "seqtrans: %s%s", process_label, prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void st_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void st_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

static void out_of_memory(size_t n)
{
    st_error("out of memory (allocating %zu bytes)", n);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory(n);
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_u64(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float rng_uniform(rng_t *r) { return (float)(rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

uint64_t rng_below(rng_t *r, uint64_t n) { return n ? rng_u64(r) % n : 0; }

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

long read_line(FILE *f, char **buf, size_t *cap)
{
    ssize_t n = getline(buf, cap, f);
    if (n < 0) return -1;
    if (n > 0 && (*buf)[n - 1] == '\n') n--;
    if (n > 0 && (*buf)[n - 1] == '\r') n--;
    (*buf)[n] = '\0';
    return (long)n;
}

void strip_bom(char *s, long *len)
{
    if (*len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF) {
        memmove(s, s + 3, (size_t)*len - 3 + 1);
        *len -= 3;
    }
}

double parse_duration(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || !isfinite(v)) return -1;
    double unit = 1;
    if (*end == 's') unit = 1, end++;
    else if (*end == 'm') unit = 60, end++;
    else if (*end == 'h') unit = 3600, end++;
    return *end ? -1 : v * unit;
}

int parse_period(const char *s, period *out)
{
    *out = (period){0, 0};
    if (!strcmp(s, "epoch")) return 0;
    size_t len = strlen(s);
    if (len && strchr("smh", s[len - 1])) {
        out->seconds = parse_duration(s);
        return out->seconds > 0 ? 0 : -1;
    }
    return parse_long(s, 1, 1L << 50, &out->steps);
}

void json_write_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Reads one line (without its "\n" or "\r\n") into *buf, keeping at most max bytes of it:
 * the rest is read and dropped, the cut made at a character boundary and *cropped set.
 * Returns the kept length, or -1 at end of input. */
long read_line_bounded(FILE *f, char **buf, size_t *cap, size_t max, int *cropped)
{
    size_t n = 0;
    int c;
    *cropped = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (n > max) {   /* max + 1 bytes kept: the spare one may be the '\r' of "\r\n" */
            *cropped = 1;
            continue;
        }
        if (n + 2 > *cap) {
            *cap = *cap ? 2 * *cap : 256;
            if (*cap > max + 2) *cap = max + 2;
            *buf = xrealloc(*buf, *cap);
        }
        (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0) return -1;
    if (!*buf) *buf = xmalloc(*cap = 2); /* an empty first line still needs its '\0' */
    if (!*cropped && n > 0 && (*buf)[n - 1] == '\r') n--;
    if (n > max) *cropped = 1;
    if (*cropped) {
        n = max;
        for (int k = 0; k < 3 && n > 0 && ((unsigned char)(*buf)[n] & 0xC0) == 0x80; k++) n--;
    }
    (*buf)[n] = '\0';
    return (long)n;
}
