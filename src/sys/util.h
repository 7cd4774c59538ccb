/* util: diagnostics, checked allocation, seeded random numbers, clocks, line reading.
 * Library code reports a problem with st_error() and returns an error code; only
 * main() and cmd_*() decide the exit status. */
#ifndef SEQTRANS_UTIL_H
#define SEQTRANS_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SEQTRANS_VERSION "0.1.0"

/* "seqtrans: <message>\n" on stderr. */
void st_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "seqtrans: warning: <message>\n" on stderr. */
void st_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Put after "seqtrans: " in every message from now on ("rank 1: " in a distributed run). */
void st_label_process(const char *label);

/* Allocation that never returns NULL: out of memory is reported and exits 1. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* xoshiro256** seeded through splitmix64: every random draw in seqtrans comes from one
 * of these, owned by the caller, so the same seed gives the same bytes. */
typedef struct { uint64_t s[4]; } rng_t;
void rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_u64(rng_t *r);
float rng_uniform(rng_t *r);          /* [0, 1) */
uint64_t rng_below(rng_t *r, uint64_t n); /* uniform in [0, n) */

double now_seconds(void);             /* monotonic clock */

/* Reads one line into *buf (growing it), without its "\n" or "\r\n".
 * Returns the length, or -1 at end of input. The line may contain NUL bytes:
 * use the returned length, not strlen. */
long read_line(FILE *f, char **buf, size_t *cap);

/* Reads one line (without its "\n" or "\r\n") into *buf, keeping at most max bytes of it:
 * the rest is read and dropped, the cut made at a character boundary and *cropped set, so
 * a megabyte line or binary garbage never grows memory past max. Returns the kept length,
 * or -1 at end of input. */
long read_line_bounded(FILE *f, char **buf, size_t *cap, size_t max, int *cropped);

/* Removes a UTF-8 byte-order mark at the start of s (length *len) in place. */
void strip_bom(char *s, long *len);

/* An integer option: the whole of s in [lo, hi]. Returns 0 with *out set, or -1 (nothing
 * printed: the caller names the option). */
int parse_long(const char *s, long lo, long hi, long *out);

/* Writes s as a JSON string literal, quotes and escapes included. */
void json_write_string(FILE *out, const char *s);

/* Parses "90s", "30m", "2h", "1.5h" or plain seconds; returns -1 when malformed. */
double parse_duration(const char *s);

/* How often something recurs in a run: every `steps` optimizer steps, or every `seconds`
 * of training time; both 0: only at the end of each epoch. */
typedef struct {
    long steps;
    double seconds;
} period;

/* Parses "epoch", a step count ("2000") or a duration with its unit ("90s", "30m", "2h").
 * A plain number is steps here: seconds must say so. Returns 0, or -1 when malformed. */
int parse_period(const char *s, period *out);

#endif
