/* dump_model: writes a seqtrans model's weights, one batch of sentence pairs as ids, and the
 * logits the library computes for that batch, for scripts/torch_check.py to compare with an
 * independent PyTorch implementation. Not part of the seqtrans binary or of `make test`.
 *
 *   make
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -I/usr/include/x86_64-linux-gnu/openblas-pthread \
 *      scripts/dump_model.c build/libseqtrans.a -lopenblas -lutf8proc -lm -lpthread \
 *      -o build/dump_model
 *   build/dump_model MODEL PAIRS.tsv OUTDIR
 *
 * PAIRS.tsv is read like a training corpus (column 1 source, column 2 target); when the
 * model translates the other way (its source language is that of column 2) the columns
 * are swapped. At most DUMP_MAX_PAIRS pairs, each cut to DUMP_MAX_LEN tokens a side.
 * OUTDIR (created if missing) receives, all numbers little-endian:
 *   weights.bin   every tensor of model_weights as float32, one after the other
 *   index.json    the configuration, and for each tensor its name, shape and byte offset
 *   batch.json    the batch, time-major: src [S][B], src_len [B], tgt_in [T][B],
 *                 tgt_out [T][B], tgt_len [B]; and the library's summed teacher-forced
 *                 negative log-likelihood of the batch (seq2seq_loss, no smoothing)
 *   logits.bin    float32 [T][B][V]: logits of every target position, padding included
 * The logits come from the library's layers run as seq2seq.c runs them without dropout:
 * encoder_forward, decoder_forward (its recurrent layers started from the encoder's final
 * states, then attention) and output_logits. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sys/arena.h"
#include "nn/attention.h"
#include "data/corpus.h"
#include "data/dataset.h"
#include "nn/embedding.h"
#include "nn/encoder.h"
#include "search/evaluate_corpus.h"
#include "nn/decoder.h"
#include "nn/model.h"
#include "store/model_file.h"
#include "nn/output.h"
#include "nn/seq2seq.h"
#include "text/text.h"

#define DUMP_MAX_PAIRS 64
#define DUMP_MAX_LEN 100

typedef struct {
    FILE *bin, *json;
    long offset; /* bytes written to bin */
    int first;
    int failed;
} tensor_writer;

static void write_tensor(tensor_writer *w, const char *name, const float *data, int rows, int cols)
{
    size_t n = (size_t)rows * (cols > 0 ? cols : 1); /* cols 0: a vector */
    if (fwrite(data, sizeof(float), n, w->bin) != n) w->failed = 1;
    if (cols > 0)
        fprintf(w->json, "%s\n    {\"name\": \"%s\", \"shape\": [%d, %d], \"offset\": %ld}",
                w->first ? "" : ",", name, rows, cols, w->offset);
    else
        fprintf(w->json, "%s\n    {\"name\": \"%s\", \"shape\": [%d], \"offset\": %ld}",
                w->first ? "" : ",", name, rows, w->offset);
    w->first = 0;
    w->offset += (long)(n * sizeof(float));
}

/* One recurrent layer: wx [in x G], wh [H x G], b [G], and bh [G] for cells that have it. */
static void write_cell(tensor_writer *w, const char *prefix, const cell_ops *cell, const cell_weights *l)
{
    char name[64];
    int G = cell->gates * l->hidden;
    snprintf(name, sizeof name, "%s.wx", prefix);
    write_tensor(w, name, l->wx, l->in, G);
    snprintf(name, sizeof name, "%s.wh", prefix);
    write_tensor(w, name, l->wh, l->hidden, G);
    snprintf(name, sizeof name, "%s.b", prefix);
    write_tensor(w, name, l->b, G, 0);
    if (!l->bh) return;
    snprintf(name, sizeof name, "%s.bh", prefix);
    write_tensor(w, name, l->bh, G, 0);
}

static FILE *open_out(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    if (!f) fprintf(stderr, "dump_model: cannot open '%s': %s\n", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *name)
{
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "dump_model: cannot write '%s'\n", name);
        return -1;
    }
    return 0;
}

static int dump_weights(const model *m, const char *dir)
{
    const model_config *c = &m->cfg;
    tensor_writer w = {open_out(dir, "weights.bin", "wb"), open_out(dir, "index.json", "w"), 0, 1, 0};
    if (!w.bin || !w.json) return -1;
    fprintf(w.json,
            "{\n  \"src_vocab\": %d, \"tgt_vocab\": %d, \"emb\": %d, \"hidden\": %d, \"layers\": %d,"
            " \"bidir\": %d, \"cell\": \"%s\",\n  \"src_lang\": \"%s\", \"tgt_lang\": \"%s\",\n"
            "  \"tensors\": [",
            c->src_vocab, c->tgt_vocab, c->emb, c->hidden, c->layers, c->bidir, model_cell(c)->name,
            lang_name((lang_t)c->src_lang), lang_name((lang_t)c->tgt_lang));
    const model_weights *mw = &m->w;
    write_tensor(&w, "src_emb", mw->src_emb, c->src_vocab, c->emb);
    write_tensor(&w, "tgt_emb", mw->tgt_emb, c->tgt_vocab, c->emb);
    char prefix[32];
    for (int l = 0; l < c->layers; l++)
        for (int d = 0; d < model_encoder_directions(c); d++) {
            snprintf(prefix, sizeof prefix, "enc.%d.%d", l, d);
            write_cell(&w, prefix, model_cell(c), &mw->enc[l][d]);
        }
    for (int l = 0; l < c->layers; l++) {
        snprintf(prefix, sizeof prefix, "dec.%d", l);
        write_cell(&w, prefix, model_cell(c), &mw->dec[l]);
    }
    write_tensor(&w, "attn_wa", mw->attn_wa, c->hidden, c->hidden);
    write_tensor(&w, "attn_wc", mw->attn_wc, 2 * c->hidden, c->hidden);
    write_tensor(&w, "out_w", mw->out_w, c->hidden, c->tgt_vocab);
    write_tensor(&w, "out_b", mw->out_b, c->tgt_vocab, 0);
    fprintf(w.json, "\n  ]\n}\n");
    int rc = close_out(w.bin, "weights.bin") | close_out(w.json, "index.json");
    if (w.failed) fprintf(stderr, "dump_model: short write to weights.bin\n");
    return rc || w.failed ? -1 : 0;
}

static void json_ints(FILE *f, const char *name, const int *v, int rows, int cols, int last)
{
    fprintf(f, "  \"%s\": [", name);
    for (int r = 0; r < rows; r++) {
        if (cols) fprintf(f, "%s[", r ? ", " : "");
        for (int k = 0; k < (cols ? cols : 1); k++)
            fprintf(f, "%s%d", (cols ? k : r) ? ", " : "", v[(size_t)r * (cols ? cols : 1) + k]);
        if (cols) fprintf(f, "]");
    }
    fprintf(f, "]%s\n", last ? "" : ",");
}

/* The forward pass of seq2seq.c without dropout, keeping every target position. */
static float *batch_logits(const model *m, const batch *bt, arena *ar)
{
    const model_config *c = &m->cfg;
    long rows = (long)bt->T * bt->B;
    encoder_state e;
    decoder_state d;
    encoder_forward(m, &e, ar, bt->src, bt->src_len, bt->S, bt->B, 0, NULL);
    decoder_forward(m, bt, &e, &d, ar, 0, NULL, NULL);
    float *logits = xmalloc((size_t)rows * c->tgt_vocab * sizeof(float));
    output_logits(m->w.out_w, m->w.out_b, d.attn.out, (int)rows, c->hidden, c->tgt_vocab, logits);
    return logits;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: dump_model MODEL PAIRS.tsv OUTDIR\n");
        return 2;
    }
    const char *dir = argv[3];
    uint32_t probe = 1;
    unsigned char first_byte;
    memcpy(&first_byte, &probe, 1);
    if (first_byte != 1) {
        fprintf(stderr, "dump_model: this host is not little-endian\n");
        return 1;
    }
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "dump_model: cannot create '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    model *m;
    if (model_file_read(argv[1], &m, NULL, NULL) < 0) return 1;
    corpus c;
    if (corpus_read(argv[2], 1, &c) < 0) return 1;
    if (m->cfg.src_lang != m->cfg.tgt_lang &&
        corpus_source_is_chinese(&c) != (m->cfg.src_lang == LANG_ZH))
        corpus_swap_sides(&c);

    dataset d;
    dataset_init(&d);
    pair_encoder pe;
    pair_encoder_init(&pe);
    int src[DUMP_MAX_LEN], tgt[DUMP_MAX_LEN], sl, tlen;
    for (size_t i = 0; i < c.n && d.n < DUMP_MAX_PAIRS; i++) {
        if (encode_pair(m, &c.pairs[i], &pe, src, &sl, tgt, &tlen, DUMP_MAX_LEN) < 0) {
            fprintf(stderr, "dump_model: %s:%ld: does not tokenize\n", argv[2], c.pairs[i].line);
            return 1;
        }
        dataset_add(&d, src, sl, tgt, tlen);
    }
    pair_encoder_free(&pe);
    long idx[DUMP_MAX_PAIRS];
    for (long i = 0; i < d.n; i++) idx[i] = i;
    arena ar = {0};
    batch bt;
    batch_fill(&bt, &d, idx, (int)d.n, &ar);

    int V = m->cfg.tgt_vocab;
    float *logits = batch_logits(m, &bt, &ar);
    /* The library's own loss of the batch, to tie these logits to the training path. */
    arena loss_ar = {0};
    loss_options opt = {0, 0, NULL, 0};
    batch_loss bl = seq2seq_loss(m, &bt, &opt, NULL, &loss_ar);
    arena_free(&loss_ar);
    double nll = 0;
    for (int t = 0; t < bt.T; t++)
        for (int b = 0; b < bt.B; b++) {
            if (t >= bt.tgt_len[b]) continue;
            const float *row = logits + ((size_t)t * bt.B + b) * V;
            double max = row[0], sum = 0;
            for (int v = 1; v < V; v++) max = row[v] > max ? row[v] : max;
            for (int v = 0; v < V; v++) sum += exp(row[v] - max);
            nll += max + log(sum) - row[bt.tgt_out[t * bt.B + b]];
        }
    if (fabs(nll - bl.nll) > 1e-4 * (1 + fabs(bl.nll))) {
        fprintf(stderr, "dump_model: the reproduced forward pass disagrees with seq2seq_loss "
                        "(nll %.6f vs %.6f)\n", nll, bl.nll);
        return 1;
    }

    if (dump_weights(m, dir) < 0) return 1;
    FILE *f = open_out(dir, "batch.json", "w");
    if (!f) return 1;
    fprintf(f, "{\n  \"B\": %d, \"S\": %d, \"T\": %d, \"tokens\": %ld, \"nll\": %.9g,\n", bt.B,
            bt.S, bt.T, bl.tokens, bl.nll);
    json_ints(f, "src", bt.src, bt.S, bt.B, 0);
    json_ints(f, "src_len", bt.src_len, bt.B, 0, 0);
    json_ints(f, "tgt_in", bt.tgt_in, bt.T, bt.B, 0);
    json_ints(f, "tgt_out", bt.tgt_out, bt.T, bt.B, 0);
    json_ints(f, "tgt_len", bt.tgt_len, bt.B, 0, 1);
    fprintf(f, "}\n");
    if (close_out(f, "batch.json") < 0) return 1;
    f = open_out(dir, "logits.bin", "wb");
    if (!f) return 1;
    size_t n = (size_t)bt.T * bt.B * V;
    size_t wrote = fwrite(logits, sizeof(float), n, f);
    if (close_out(f, "logits.bin") < 0 || wrote != n) return 1;
    printf("dumped %d pairs (S=%d, T=%d, V=%d, %ld target tokens, nll %.6f) to %s\n", bt.B,
           bt.S, bt.T, V, bl.tokens, bl.nll, dir);

    free(logits);
    arena_free(&ar);
    dataset_free(&d);
    corpus_free(&c);
    model_free(m);
    return 0;
}
