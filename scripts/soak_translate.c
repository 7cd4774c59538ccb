/* soak_translate: drives `seqtrans translate` as a co-process, one line at a time (a line is
 * written only after the previous translation has been read), over N lines cycled from a
 * file, and reports the translator's resident memory and the per-line latency as it goes.
 *
 *   soak_translate SEQTRANS MODEL LINES.txt N [MAX_RSS_GROWTH_KB]
 *
 * Memory is read from /proc/PID/status (VmRSS) after the first 10% of the lines (at least
 * 1,000) and at the end; latency percentiles are of the first and of the last tenth. Exit 0
 * when every input got exactly one output line and, with MAX_RSS_GROWTH_KB, the growth after
 * the first tenth stays within it and the last tenth's median latency is within 2x the
 * first's (plus 1 ms, for a noisy host); 1 otherwise; 2 on usage or setup errors. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile p (0..100) of v[0..n), sorted in place. */
static double percentile(double *v, long n, double p)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    long i = (long)(p / 100 * (n - 1) + 0.5);
    return n ? v[i] : 0;
}

typedef struct {
    char **line;
    long n;
} input_lines;

static int load_lines(const char *path, input_lines *in)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    long cap_lines = 0;
    while ((len = getline(&buf, &cap, f)) >= 0) {
        if (len && buf[len - 1] == '\n') buf[--len] = 0;
        char *tab = strchr(buf, '\t'); /* a TSV gives its first column */
        if (tab) *tab = 0;
        if (in->n == cap_lines) in->line = realloc(in->line, (cap_lines = cap_lines * 2 + 64) * sizeof *in->line);
        in->line[in->n++] = strdup(buf);
    }
    free(buf);
    fclose(f);
    return in->n ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: soak_translate SEQTRANS MODEL LINES.txt N [MAX_RSS_GROWTH_KB]\n");
        return 2;
    }
    long n = atol(argv[4]), max_growth = argc > 5 ? atol(argv[5]) : -1, tenth = n / 10 > 1000 ? n / 10 : 1000;
    input_lines in = {0};
    if (n < 1 || tenth > n || load_lines(argv[3], &in) != 0) {
        fprintf(stderr, "soak_translate: need N >= 1000 and a readable, non-empty %s\n", argv[3]);
        return 2;
    }
    int to[2], from[2];
    if (pipe(to) || pipe(from)) return 2;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[1]);
        close(from[0]);
        execl(argv[1], argv[1], "translate", "-m", argv[2], (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    signal(SIGPIPE, SIG_IGN);
    FILE *w = fdopen(to[1], "w"), *r = fdopen(from[0], "r");
    double *first = malloc(tenth * sizeof *first), *last = malloc(tenth * sizeof *last);
    long rss_start = -1, rss_end = -1, answered = 0;
    char *out = NULL;
    size_t cap = 0;
    for (long i = 0; i < n; i++) {
        double t0 = now_ms();
        if (fprintf(w, "%s\n", in.line[i % in.n]) < 0 || fflush(w) != 0) break;
        if (getline(&out, &cap, r) < 0) break;
        double ms = now_ms() - t0;
        answered++;
        if (i < tenth) first[i] = ms;
        if (i >= n - tenth) last[i - (n - tenth)] = ms;
        if (i == tenth - 1) rss_start = rss_kb(pid);
    }
    rss_end = rss_kb(pid);
    fclose(w);
    int extra = getline(&out, &cap, r) >= 0; /* nothing more may come */
    int status = 0;
    waitpid(pid, &status, 0);
    double p50a = percentile(first, tenth, 50), p99a = percentile(first, tenth, 99);
    double p50b = percentile(last, tenth, 50), p99b = percentile(last, tenth, 99);
    printf("lines %ld, answered %ld; RSS %ld KiB after %ld lines, %ld KiB at the end (growth %ld KiB)\n",
           n, answered, rss_start, tenth, rss_end, rss_end - rss_start);
    printf("latency ms, first %ld lines: p50 %.3f p99 %.3f; last %ld: p50 %.3f p99 %.3f\n", tenth,
           p50a, p99a, tenth, p50b, p99b);
    int ok = answered == n && !extra && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (max_growth >= 0)
        ok = ok && rss_end - rss_start <= max_growth && p50b <= 2 * p50a + 1.0;
    printf("%s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
