/* The corpus fingerprint: the same bytes give the same one; a byte changed, added or moved
 * anywhere gives another; sizes and line counts as wc counts them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "data/fingerprint.h"

static char path[64];

static void write_file(const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f)) fprintf(stderr, "cannot write %s\n", path);
}

static file_fingerprint of(const unsigned char *p, size_t n)
{
    write_file(p, n);
    file_fingerprint fp;
    CHECK(file_fingerprint_of(path, &fp) == 0);
    return fp;
}

static void test_changes_are_seen(void)
{
    size_t n = (5u << 20) / 2 + 123; /* two and a half pieces of 1 MiB */
    unsigned char *b = malloc(n);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) {
        b[i] = (unsigned char)(i % 61 == 60 ? '\n' : 'a' + i % 26);
        lines += b[i] == '\n';
    }
    file_fingerprint a = of(b, n), again = of(b, n);
    CHECK(a.size == n && a.lines == lines);
    CHECK(a.hash == again.hash);
    size_t at[] = {0, 31, 32, (1u << 20) - 1, 1u << 20, n - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        b[at[k]] ^= 1;
        CHECK(of(b, n).hash != a.hash);
        b[at[k]] ^= 1;
    }
    CHECK(of(b, n - 1).hash != a.hash);       /* one byte shorter */
    unsigned char t = b[100];                 /* two bytes swapped */
    b[100] = b[101], b[101] = t;
    CHECK(b[100] == b[101] || of(b, n).hash != a.hash);
    free(b);
}

static void test_what_cannot_be_fingerprinted(void)
{
    file_fingerprint fp;
    CHECK(file_fingerprint_of("-", &fp) == 1);
    CHECK(file_fingerprint_of("/dev/null", &fp) == 1);
    fprintf(stderr, "(one expected error message follows)\n");
    CHECK(file_fingerprint_of("/nonexistent/corpus.tsv", &fp) == -1);
    CHECK(of((const unsigned char *)"", 0).size == 0);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/seqtrans-fp.%ld", (long)getpid());
    RUN_TEST(test_changes_are_seen);
    RUN_TEST(test_what_cannot_be_fingerprinted);
    unlink(path);
    return TEST_SUMMARY("fingerprint");
}
