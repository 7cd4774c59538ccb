/* bench_bpe: times BPE learning and segmentation on a text file (one sentence a line).
 *   cc -std=c11 -O3 -march=native -D_GNU_SOURCE -Isrc scripts/bench_bpe.c build/libseqtrans.a \
 *      -lutf8proc -lm -lpthread -ldl -o build/bench_bpe
 *   build/bench_bpe learn LANG VOCAB THREADS HAN_RUNS TRAIN.txt MODEL.bpe
 *       counts words, learns, writes the serialized merges; prints the times
 *   build/bench_bpe segment MODEL.bpe LANG TEXT.txt [OUT.txt]
 *       tokenizes every line (timed apart), segments the tokens (timed), prints input tokens
 *       per second of segmentation, and writes the units (space-separated) to OUT.txt */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"
#include "text/bpe.h"
#include "text/text.h"

typedef struct {
    char **line;
    size_t *len;
    long n;
} lines;

static int read_lines(const char *path, lines *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_bpe: cannot open %s\n", path);
        return -1;
    }
    long cap = 0;
    char *buf = NULL;
    size_t bcap = 0;
    long k;
    out->n = 0;
    out->line = NULL;
    out->len = NULL;
    while ((k = read_line(f, &buf, &bcap)) >= 0) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 1024;
            out->line = xrealloc(out->line, (size_t)cap * sizeof *out->line);
            out->len = xrealloc(out->len, (size_t)cap * sizeof *out->len);
        }
        out->line[out->n] = xmalloc((size_t)k + 1);
        memcpy(out->line[out->n], buf, (size_t)k + 1);
        out->len[out->n++] = (size_t)k;
    }
    free(buf);
    fclose(f);
    return 0;
}

static int learn(int argc, char **argv)
{
    if (argc != 8) return 2;
    lang_t lang;
    if (lang_parse(argv[2], &lang)) return 2;
    bpe_options o;
    bpe_options_default(&o);
    o.vocab_size = atoi(argv[3]);
    o.threads = atoi(argv[4]);
    lines L;
    if (read_lines(argv[6], &L)) return 1;
    double t0 = now_seconds();
    long refused;
    bpe_counter *c = bpe_count_lines(lang, (const char *const *)L.line, L.len, L.n, atoi(argv[5]),
                                     o.threads, &refused);
    double t1 = now_seconds();
    bpe *b = bpe_learn(c, &o);
    double t2 = now_seconds();
    if (!b) return 1;
    printf("lines %ld refused %ld types %zu chars %d merges %d count %.2f s learn %.2f s total %.2f s\n",
           L.n, refused, bpe_counter_types(c), bpe_num_chars(b), bpe_num_merges(b), t1 - t0,
           t2 - t1, t2 - t0);
    size_t len;
    char *bytes = bpe_serialize(b, &len);
    FILE *f = fopen(argv[7], "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f)) return 1;
    free(bytes);
    bpe_free(b);
    bpe_counter_free(c);
    return 0;
}

static int segment(int argc, char **argv)
{
    if (argc != 5 && argc != 6) return 2;
    lines M, L;
    lang_t lang;
    if (lang_parse(argv[3], &lang) || read_lines(argv[4], &L)) return 2;
    FILE *f = fopen(argv[2], "rb");
    if (!f) return 1;
    char *buf = xmalloc(1 << 26);
    size_t len = fread(buf, 1, 1 << 26, f);
    fclose(f);
    bpe *b;
    if (bpe_deserialize(buf, len, &b)) return 1;
    (void)M;
    /* tokenize everything first, so that only segmentation is timed */
    token_list t;
    token_list_init(&t);
    char ***toks = xmalloc((size_t)L.n * sizeof *toks);
    int *nt = xmalloc((size_t)L.n * sizeof *nt);
    long ntok = 0;
    double t0 = now_seconds();
    for (long i = 0; i < L.n; i++) {
        int k = text_tokenize(lang, L.line[i], L.len[i], &t);
        if (k < 0) k = 0;
        nt[i] = k;
        toks[i] = xmalloc(((size_t)k + 1) * sizeof **toks);
        for (int j = 0; j < k; j++) toks[i][j] = xstrdup(t.tok[j]);
        ntok += k;
    }
    double t1 = now_seconds();
    bpe_units u;
    bpe_units_init(&u);
    long nunits = 0;
    for (long i = 0; i < L.n; i++) nunits += bpe_segment(b, (const char *const *)toks[i], nt[i], &u);
    double t2 = now_seconds();
    printf("lines %ld tokens %ld units %ld tokenize %.3f s segment %.3f s = %.2f M tokens/s\n", L.n,
           ntok, nunits, t1 - t0, t2 - t1, ntok / (t2 - t1) / 1e6);
    if (argc == 6) {
        FILE *o = fopen(argv[5], "w");
        for (long i = 0; i < L.n && o; i++) {
            int k = bpe_segment(b, (const char *const *)toks[i], nt[i], &u);
            for (int j = 0; j < k; j++) fprintf(o, j ? " %s" : "%s", u.unit[j]);
            fputc('\n', o);
        }
        if (o) fclose(o);
    }
    bpe_units_free(&u);
    bpe_free(b);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc > 1 && !strcmp(argv[1], "learn")) rc = learn(argc, argv);
    else if (argc > 1 && !strcmp(argv[1], "segment")) rc = segment(argc, argv);
    if (rc == 2) fprintf(stderr, "usage: see scripts/bench_bpe.c\n");
    return rc;
}
