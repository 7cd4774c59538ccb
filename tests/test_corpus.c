/* Corpus reader: good lines in, every kind of bad line skipped with a warning (or refused
 * in strict mode), and no crash on huge lines or binary garbage. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "data/corpus.h"

static char dir[] = "/tmp/test_corpus_XXXXXX";
static char path[256];
static char messages[65536];   /* what the last read_capturing() printed on stderr */

/* Writes len bytes to a fresh file in dir; returns its path. */
static const char *write_file(const char *name, const char *data, size_t len)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static int saved_stderr;

/* Sends stderr to a file until end_capture(), which puts it into messages. */
static void begin_capture(void)
{
    char log[300];
    snprintf(log, sizeof log, "%s/stderr.log", dir);
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
}

static void end_capture(void)
{
    char log[300];
    snprintf(log, sizeof log, "%s/stderr.log", dir);
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *f = fopen(log, "r");
    size_t n = fread(messages, 1, sizeof messages - 1, f);
    messages[n] = '\0';
    fclose(f);
}

/* corpus_read with stderr captured into messages. */
static int read_capturing(const char *p, int strict, corpus *c)
{
    begin_capture();
    int rc = corpus_read(p, strict, c);
    end_capture();
    return rc;
}

static int said(const char *text)
{
    if (strstr(messages, text)) return 1;
    fprintf(stderr, "  expected \"%s\" in:\n%s", text, messages);
    return 0;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static int pair_is(const corpus *c, size_t i, const char *src, const char *tgt, long line)
{
    return i < c->n && !strcmp(c->pairs[i].src, src) && !strcmp(c->pairs[i].tgt, tgt) &&
           c->pairs[i].line == line;
}

static void test_plain(void)
{
    corpus c;
    const char *p = write_text("plain.tsv", "Hi.\t你好。\nRun!\t跑！\n");
    CHECK(read_capturing(p, 0, &c) == 0);
    CHECK(c.n == 2 && c.skipped == 0);
    CHECK(pair_is(&c, 0, "Hi.", "你好。", 1) && pair_is(&c, 1, "Run!", "跑！", 2));
    CHECK(messages[0] == '\0');
    corpus_free(&c);
    CHECK(c.n == 0 && c.pairs == NULL);
    corpus_free(&c);   /* twice is harmless */
}

static void test_bom_crlf_columns_trim(void)
{
    corpus c;
    const char *p = write_text("bom.tsv",
                               "\xEF\xBB\xBFHi.\t嗨。\tCC-BY 2.0 #538123\r\n"
                               "  Stop! \t\xE3\x80\x80住手！\xC2\xA0\tattribution\textra\r\n"
                               "Go.\t走。");   /* no newline at the end */
    CHECK(read_capturing(p, 1, &c) == 0);
    CHECK(c.n == 3 && c.skipped == 0);
    CHECK(pair_is(&c, 0, "Hi.", "嗨。", 1));
    CHECK(pair_is(&c, 1, "Stop!", "住手！", 2));
    CHECK(pair_is(&c, 2, "Go.", "走。", 3));
    corpus_free(&c);
}

static void test_bad_lines_skipped(void)
{
    static const char data[] =
        "good one\tok\n"             /* 1 */
        "no tab here\n"              /* 2 */
        "\tempty source\n"           /* 3 */
        "empty target\t  \n"         /* 4 */
        "bad \xFF utf8\tx\n"         /* 5 */
        "nul \0 byte\tx\n"           /* 6 */
        "bell \x07\tx\n"             /* 7 */
        "c1 \xC2\x85\tx\n"           /* 8 */
        "\n"                         /* 9: blank */
        "  \t \n"                    /* 10: blank */
        "cr\rinside\tx\n"            /* 11 */
        "good two\tfine\n";          /* 12 */
    corpus c;
    const char *p = write_file("bad.tsv", data, sizeof data - 1);
    CHECK(read_capturing(p, 0, &c) == 0);
    CHECK(c.n == 2 && c.skipped == 10);
    CHECK(pair_is(&c, 0, "good one", "ok", 1) && pair_is(&c, 1, "good two", "fine", 12));
    char want[512];
    snprintf(want, sizeof want, "%s:2: no tab", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:3: empty source", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:4: empty target", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:5: invalid UTF-8", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:6: NUL byte", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:7: control character", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:8: control character", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s:11: control character", p);
    CHECK(said(want));
    snprintf(want, sizeof want, "%s: skipped 10 of 12 lines (2 blank)", p);
    CHECK(said(want));
    CHECK(!strstr(messages, ":9:") && !strstr(messages, ":10:"));   /* blank: no warning */
    corpus_free(&c);
}

static void test_warnings_capped(void)
{
    char data[4096] = "";
    for (int i = 0; i < 30; i++) strcat(data, "bad line\n");
    strcat(data, "a\tb\n");
    corpus c;
    const char *p = write_text("many.tsv", data);
    CHECK(read_capturing(p, 0, &c) == 0 && c.n == 1 && c.skipped == 30);
    CHECK(said("further warnings suppressed"));
    CHECK(said("skipped 30 of 31 lines (0 blank)"));
    /* 10 line warnings, the suppression notice, the total */
    CHECK(count_lines(messages) == CORPUS_MAX_WARNINGS + 2);
    corpus_free(&c);
}

static void test_long_lines(void)
{
    /* exactly the limit is fine, one byte more is not; CRLF does not count */
    size_t n = CORPUS_MAX_LINE;
    char *data = malloc(3 * n + 64);
    size_t pos = 0;
    data[pos++] = 'a';
    data[pos++] = '\t';
    memset(data + pos, 'b', n - 2);
    pos += n - 2;
    memcpy(data + pos, "\r\n", 2);   /* line 1: 4096 bytes + CRLF */
    pos += 2;
    data[pos++] = 'a';
    data[pos++] = '\t';
    memset(data + pos, 'b', n - 1);
    pos += n - 1;
    data[pos++] = '\n';              /* line 2: 4097 bytes */
    memcpy(data + pos, "x\ty\n", 4);
    pos += 4;
    corpus c;
    const char *p = write_file("long.tsv", data, pos);
    CHECK(read_capturing(p, 0, &c) == 0);
    CHECK(c.n == 2 && c.skipped == 1);
    CHECK(c.n == 2 && strlen(c.pairs[0].tgt) == n - 2 && pair_is(&c, 1, "x", "y", 3));
    CHECK(said(":2: line longer than 4096 bytes"));
    corpus_free(&c);
    free(data);
}

static void test_huge_line_and_garbage(void)
{
    size_t n = 8u << 20;   /* 8 MB without a newline, then binary garbage, then a good line */
    char *data = malloc(n + 70000);
    memset(data, 'x', n);
    data[n] = '\n';
    size_t pos = n + 1;
    unsigned s = 12345;
    for (int i = 0; i < 65536; i++) {
        s = s * 1103515245u + 12345u;
        data[pos++] = (char)(s >> 16);
    }
    memcpy(data + pos, "\nfinal\tline\n", 12);
    pos += 12;
    corpus c;
    const char *p = write_file("huge.tsv", data, pos);
    CHECK(read_capturing(p, 0, &c) == 0);
    CHECK(c.n >= 1 && pair_is(&c, c.n - 1, "final", "line", c.pairs[c.n - 1].line));
    CHECK(said(":1: line longer than 4096 bytes"));
    corpus_free(&c);
    free(data);
}

static void test_unusable_corpora(void)
{
    corpus c;
    const char *p = write_text("empty.tsv", "");
    CHECK(read_capturing(p, 0, &c) == -1 && said("no usable sentence pairs"));
    CHECK(c.n == 0 && c.pairs == NULL);
    p = write_text("allbad.tsv", "one\ntwo\n\n");
    CHECK(read_capturing(p, 0, &c) == -1 && said("no usable sentence pairs"));
    p = write_text("blank.tsv", "\n\n  \n");
    CHECK(read_capturing(p, 0, &c) == -1 && said("no usable sentence pairs"));
    snprintf(path, sizeof path, "%s/missing.tsv", dir);
    CHECK(read_capturing(path, 0, &c) == -1);
    char want[512];
    snprintf(want, sizeof want, "seqtrans: cannot open '%s': No such file or directory", path);
    CHECK(said(want));
    CHECK(read_capturing(dir, 0, &c) == -1 && said("cannot read"));   /* a directory */
}

static void test_strict(void)
{
    corpus c;
    const char *p = write_text("strict.tsv", "a\tb\n\nc\td\nno tab\ne\tf\n");
    CHECK(read_capturing(p, 1, &c) == -1);
    char want[512];
    snprintf(want, sizeof want, "seqtrans: %s:4: no tab", p);
    CHECK(said(want));
    CHECK(!strstr(messages, "warning"));
    CHECK(c.n == 0 && c.pairs == NULL);
    CHECK(read_capturing(p, 0, &c) == 0 && c.n == 3 && c.skipped == 2);   /* lenient: fine */
    corpus_free(&c);
    p = write_text("strict_ok.tsv", "a\tb\n\n   \nc\td\n");   /* blank lines are no error */
    CHECK(read_capturing(p, 1, &c) == 0 && c.n == 2 && c.skipped == 2);
    corpus_free(&c);
}

static void test_stdin(void)
{
    const char *p = write_text("stdin.tsv", "from\tstdin\n");
    CHECK(freopen(p, "r", stdin) != NULL);
    corpus c;
    CHECK(read_capturing("-", 0, &c) == 0 && c.n == 1 && pair_is(&c, 0, "from", "stdin", 1));
    corpus_free(&c);
    p = write_text("stdin_bad.tsv", "nothing\n");
    CHECK(freopen(p, "r", stdin) != NULL);
    CHECK(read_capturing("-", 0, &c) == -1 && said("<stdin>:1: no tab"));
}

/* The same pairs read in blocks, and again from a mark, reporting each bad line once. */
static void test_blocks(void)
{
    static const char data[] =
        "a\t1\n"            /* 1 */
        "no tab\n"          /* 2 */
        "b\t2\n"            /* 3 */
        "c\t3\n"            /* 4 */
        "\n"                /* 5: blank */
        "d\t4\n"            /* 6 */
        "bell \x07\tx\n"    /* 7 */
        "e\t5";             /* 8, no newline */
    const char *p = write_text("blocks.tsv", data);
    corpus_reader r;
    corpus first = {0}, rest = {0}, again = {0};
    corpus_mark m;
    begin_capture();
    CHECK(corpus_reader_open(&r, p, 0) == 0);
    CHECK(corpus_reader_read(&r, &first, 2) == 1);
    CHECK(corpus_reader_mark(&r, &m) == 0 && m.lines == 3);
    CHECK(corpus_reader_read(&r, &rest, 2) == 1 && rest.n == 2);
    CHECK(corpus_reader_read(&r, &rest, 2) == 0 && rest.n == 3);
    CHECK(corpus_reader_report(&r, first.n + rest.n) == 0);
    CHECK(corpus_reader_rewind(&r, &m) == 0);
    CHECK(corpus_reader_read(&r, &again, 100) == 0);
    corpus_reader_close(&r);
    end_capture();
    CHECK(pair_is(&first, 0, "a", "1", 1) && pair_is(&first, 1, "b", "2", 3) && first.skipped == 1);
    CHECK(pair_is(&rest, 0, "c", "3", 4) && pair_is(&rest, 1, "d", "4", 6) && pair_is(&rest, 2, "e", "5", 8));
    CHECK(again.n == rest.n);
    for (size_t i = 0; i < again.n; i++)
        CHECK(pair_is(&again, i, rest.pairs[i].src, rest.pairs[i].tgt, rest.pairs[i].line));
    CHECK(said(":2: no tab") && said(":7: control character") && said("skipped 3 of 8 lines (1 blank)"));
    CHECK(count_lines(messages) == 3);   /* the second reading is quiet */
    corpus_free(&first);
    corpus_free(&rest);
    corpus_free(&again);

    /* a block that ends the input says so */
    CHECK(corpus_reader_open(&r, write_text("two.tsv", "a\t1\nb\t2\n"), 0) == 0);
    CHECK(corpus_reader_read(&r, &first, 2) == 0 && first.n == 2);
    corpus_reader_close(&r);
    corpus_free(&first);

    /* stdin cannot be read again */
    CHECK(freopen(p, "r", stdin) != NULL);
    CHECK(corpus_reader_open(&r, "-", 0) == 0);
    CHECK(corpus_reader_mark(&r, &m) == -1);
    corpus_reader_close(&r);
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN_TEST(test_plain);
    RUN_TEST(test_bom_crlf_columns_trim);
    RUN_TEST(test_bad_lines_skipped);
    RUN_TEST(test_warnings_capped);
    RUN_TEST(test_long_lines);
    RUN_TEST(test_huge_line_and_garbage);
    RUN_TEST(test_unusable_corpora);
    RUN_TEST(test_strict);
    RUN_TEST(test_stdin);
    RUN_TEST(test_blocks);
    remove_dir();
    return TEST_SUMMARY("corpus");
}
