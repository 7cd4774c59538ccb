/* libFuzzer target: the corpus reader (src/corpus.c) on arbitrary file contents, in normal
 * and strict mode, then the tokenizers on the first pairs it accepts. Built by
 * scripts/fuzz.sh. Invariants checked beyond "no crash, no sanitizer report": every accepted
 * side is non-empty, valid UTF-8, without NUL, tab, C0, DEL or C1 controls, and tokenizes;
 * line numbers are in file order; strict mode never accepts more than normal mode, and
 * accepts whatever normal mode read without skipping a line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "data/corpus.h"
#include "text/text.h"

static int fd = -1;
static char path[64];
static token_list tokens;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fd = memfd_create("corpus", 0);
    if (fd < 0) abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    token_list_init(&tokens);
    /* the reader's warnings would drown libFuzzer's output; sanitizers write to fd 2 */
    if (!getenv("FUZZ_VERBOSE")) stderr = fopen("/dev/null", "w");
    return 0;
}

/* tokenize: the first few pairs only (fuzz_tokenize covers the tokenizers in depth) */
static void check_side(const char *s, int tokenize)
{
    size_t n = strlen(s);
    if (n == 0 || !utf8_valid(s, n) || strchr(s, '\t')) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
            ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] >= 0x80 &&
             (unsigned char)s[i + 1] <= 0x9F))
            abort();
    for (int lang = 0; tokenize && lang < 2; lang++) {
        if (text_tokenize((lang_t)lang, s, n, &tokens) < 0) abort();   /* valid text: never refused */
        char *back = text_detokenize((lang_t)lang, (const char *const *)tokens.tok, tokens.n);
        if (text_tokenize((lang_t)lang, back, strlen(back), &tokens) < 0) abort();
        free(back);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    corpus c;
    int rc = corpus_read(path, 0, &c);
    size_t n = 0, skipped = 0;
    if (rc == 0) {
        if (c.n == 0) abort();
        n = c.n;
        skipped = c.skipped;
        long last = 0;
        for (size_t i = 0; i < c.n; i++) {
            if (c.pairs[i].line <= last) abort();   /* in file order, numbered from 1 */
            last = c.pairs[i].line;
            check_side(c.pairs[i].src, i < 4);
            check_side(c.pairs[i].tgt, i < 4);
        }
        if ((size_t)last > n + skipped) abort();   /* every line accounted for */
        corpus_free(&c);
    } else if (c.n != 0 || c.pairs != NULL) {
        abort();
    }
    corpus strict;
    int src = corpus_read(path, 1, &strict);
    if (src == 0) {
        if (rc != 0 || strict.n != n) abort();   /* strict accepts a subset of what normal does */
        corpus_free(&strict);
    } else if (rc == 0 && skipped == 0) {
        abort();                                  /* nothing was wrong, yet strict refused */
    }
    return 0;
}
