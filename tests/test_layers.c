/* Forward of every layer against a naive double-precision reference, and finite-difference
 * checks of every backward, then of the whole model at tiny sizes, with each cell kind
 * (the cells themselves: tests/test_cells.c). */
#include <stdlib.h>
#include <string.h>

#include "sys/arena.h"
#include "nn/attention.h"
#include "sys/blas.h"
#include "check.h"
#include "gradcheck.h"
#include "nn/embedding.h"
#include "nn/encoder.h"
#include "nn/model.h"
#include "nn/output.h"
#include "nn/seq2seq.h"


/* ---- encoder for translation ---- */

/* encoder_infer keeps only the top outputs and the final states, in memory it allocates
 * first (the rest is handed back): they must be what the training encoder computes, for
 * one and two layers, one and two directions, with padded sentences. */
static void test_encoder_infer_matches_forward(void)
{
    for (int cell = CELL_LSTM; cell <= CELL_GRU; cell++)
    for (int layers = 1; layers <= 2; layers++)
        for (int bidir = 0; bidir < 2; bidir++) {
            model_config cfg = {11, 7, 5, 6, layers, bidir, 0, 1, cell};
            model *m = model_new(&cfg, NULL, NULL);
            model_init_weights(m, &R);
            enum { S = 9, B = 3 };
            int len[B] = {9, 4, 1}, src[S * B];
            for (int t = 0; t < S; t++)
                for (int b = 0; b < B; b++) src[t * B + b] = t < len[b] ? 4 + (int)rng_below(&R, 7) : 0;
            arena a1 = {0}, a2 = {0};
            encoder_state train, infer;
            memset(&train, 0, sizeof train);
            encoder_forward(m, &train, &a1, src, len, S, B, 0, NULL);
            encoder_infer(m, &infer, &a2, src, len, S, B);
            arena_reset(&a2); /* now one buffer, as in a translator's later searches */
            encoder_infer(m, &infer, &a2, src, len, S, B);
            /* what comes after reuses the memory handed back: it must not overlap */
            float *after = arena_alloc(&a2, (size_t)S * B * cfg.hidden);
            for (size_t i = 0; i < (size_t)S * B * cfg.hidden; i++) after[i] = NAN;
            for (int t = 0; t < S; t++)
                for (int b = 0; b < B; b++)
                    if (t < len[b])
                        for (int k = 0; k < cfg.hidden; k++) {
                            size_t i = ((size_t)t * B + b) * cfg.hidden + k;
                            CHECK_NEAR(infer.outputs[layers - 1][i], train.outputs[layers - 1][i], 1e-6);
                        }
            for (int l = 0; l < layers; l++)
                for (int k = 0; k < model_cell(&cfg)->carries; k++)
                    for (int i = 0; i < B * cfg.hidden; i++) CHECK_NEAR(infer.final[l][k][i], train.final[l][k][i], 1e-6);
            arena_free(&a1);
            arena_free(&a2);
            model_free(m);
        }
}

/* ---- attention ---- */

typedef struct {
    int S, T, B, H;
    int src_len[3];
    float *wa, *wc, *enc, *dec, *dout, *mem;
    attention_state a;
} attn_case;

static double attn_loss(void *p)
{
    attn_case *c = p;
    attention_state_init(&c->a, c->mem, c->S, c->T, c->B, c->H, c->src_len);
    attention_forward(c->wa, c->wc, &c->a, c->enc, c->dec);
    return dot_d(c->a.out, c->dout, (size_t)c->T * c->B * c->H);
}

static void attn_case_init(attn_case *c)
{
    c->S = 5; c->T = 4; c->B = 3; c->H = 6;
    c->src_len[0] = 5; c->src_len[1] = 3; c->src_len[2] = 1;
    c->wa = randv(36, 0.5f); c->wc = randv(72, 0.5f);
    c->enc = randv(c->S * c->B * c->H, 1); c->dec = randv(c->T * c->B * c->H, 1);
    c->dout = randv(c->T * c->B * c->H, 1);
    c->mem = xmalloc(attention_state_floats(c->S, c->T, c->B, c->H) * 4);
}

static void test_attention_forward(void)
{
    attn_case c;
    attn_case_init(&c);
    attn_loss(&c);
    int H = c.H;
    for (int t = 0; t < c.T; t++)
        for (int b = 0; b < c.B; b++) {
            const float *h = c.dec + (t * c.B + b) * H;
            double sc[5], mx = -1e30, sum = 0, ctx[6] = {0};
            for (int j = 0; j < c.src_len[b]; j++) {
                const float *s = c.enc + (j * c.B + b) * H;
                sc[j] = 0;
                for (int p = 0; p < H; p++)
                    for (int q = 0; q < H; q++) sc[j] += h[p] * (double)c.wa[p * H + q] * s[q];
                mx = fmax(mx, sc[j]);
            }
            for (int j = 0; j < c.src_len[b]; j++) sum += (sc[j] = exp(sc[j] - mx));
            for (int j = 0; j < c.src_len[b]; j++)
                for (int q = 0; q < H; q++) ctx[q] += sc[j] / sum * c.enc[(j * c.B + b) * H + q];
            for (int k = 0; k < H; k++) {
                double v = 0;
                for (int q = 0; q < H; q++) v += ctx[q] * c.wc[q * H + k] + h[q] * (double)c.wc[(H + q) * H + k];
                CHECK_NEAR(c.a.out[(t * c.B + b) * H + k], tanh(v), 1e-5);
            }
        }
    float *p[] = {c.wa, c.wc, c.enc, c.dec, c.dout, c.mem};
    for (int i = 0; i < 6; i++) free(p[i]);
}

static void test_attention_backward(void)
{
    attn_case c;
    attn_case_init(&c);
    attn_loss(&c);
    int H = c.H;
    float *dwa = xcalloc(H * H, 4), *dwc = xcalloc(2 * H * H, 4);
    float *denc = xcalloc(c.S * c.B * H, 4), *ddec = xcalloc(c.T * c.B * H, 4);
    float *work = xmalloc(attention_backward_floats(c.S, c.T, c.B, H) * 4);
    attention_backward(c.wa, c.wc, &c.a, c.enc, c.dec, c.dout, dwa, dwc, denc, ddec, work);
    CHECK(grad_check("wa", c.wa, dwa, H * H, attn_loss, &c, H * H, 1e-2) == 0);
    CHECK(grad_check("wc", c.wc, dwc, 2 * H * H, attn_loss, &c, 2 * H * H, 1e-2) == 0);
    CHECK(grad_check("enc", c.enc, denc, c.S * c.B * H, attn_loss, &c, c.S * c.B * H, 1e-2) == 0);
    CHECK(grad_check("dec", c.dec, ddec, c.T * c.B * H, attn_loss, &c, c.T * c.B * H, 1e-2) == 0);
    /* padded source positions get no gradient */
    for (int j = 1; j < c.S; j++)
        for (int k = 0; k < H; k++) CHECK(denc[(j * c.B + 2) * H + k] == 0);
    float *p[] = {c.wa, c.wc, c.enc, c.dec, c.dout, c.mem, dwa, dwc, denc, ddec, work};
    for (int i = 0; i < 11; i++) free(p[i]);
}

/* ---- output + softmax cross-entropy ---- */

typedef struct {
    int N, H, V;
    int targets[4];
    float eps;
    float *wo, *bo, *x, *logits;
} out_case;

static double out_loss(void *p)
{
    out_case *c = p;
    return output_forward_loss(c->wo, c->bo, c->x, c->N, c->H, c->V, c->targets, c->eps, 1, c->logits).loss;
}

/* V = 37 also takes the softmax's vectorized lanes, and a tail after them. */
static void test_output_backward(void)
{
    for (int run = 0; run < 4; run++) {
        int smooth = run & 1, V = run < 2 ? 7 : 37;
        out_case c = {4, 5, V, {0, 3, 6, 3 + 30 * (V > 30)}, smooth ? 0.1f : 0, NULL, NULL, NULL, NULL};
        c.wo = randv(c.H * c.V, 1); c.bo = randv(c.V, 1); c.x = randv(c.N * c.H, 1);
        c.logits = xmalloc(c.N * c.V * 4);
        double loss = out_loss(&c);
        /* reference loss in double */
        double ref = 0;
        for (int r = 0; r < c.N; r++) {
            double z[37], mx = -1e30, s = 0;
            for (int v = 0; v < c.V; v++) {
                z[v] = c.bo[v];
                for (int k = 0; k < c.H; k++) z[v] += c.x[r * c.H + k] * (double)c.wo[k * c.V + v];
                mx = fmax(mx, z[v]);
            }
            for (int v = 0; v < c.V; v++) s += exp(z[v] - mx);
            for (int v = 0; v < c.V; v++) {
                double lp = z[v] - mx - log(s);
                ref -= (c.eps / c.V + (v == c.targets[r] ? 1 - c.eps : 0)) * lp;
            }
        }
        CHECK_NEAR(loss, ref, 1e-4);
        float *dwo = xcalloc(c.H * c.V, 4), *dbo = xcalloc(c.V, 4), *dx = xcalloc(c.N * c.H, 4);
        output_backward(c.wo, dwo, dbo, c.x, c.N, c.H, c.V, c.logits, dx);
        CHECK(grad_check("wo", c.wo, dwo, c.H * c.V, out_loss, &c, c.H * c.V, 1e-2) == 0);
        CHECK(grad_check("bo", c.bo, dbo, c.V, out_loss, &c, c.V, 1e-2) == 0);
        CHECK(grad_check("x", c.x, dx, c.N * c.H, out_loss, &c, c.N * c.H, 1e-2) == 0);
        float *p[] = {c.wo, c.bo, c.x, c.logits, dwo, dbo, dx};
        for (int i = 0; i < 7; i++) free(p[i]);
    }
}

/* ---- embedding ---- */

typedef struct {
    float *table, *out, *dout;
    int ids[5];
} emb_case;

static double emb_loss(void *p)
{
    emb_case *c = p;
    embedding_forward(c->table, 3, c->ids, 5, c->out);
    return dot_d(c->out, c->dout, 15);
}

static void test_embedding_backward(void)
{
    emb_case c = {randv(12, 1), xmalloc(60), randv(15, 1), {1, 3, 1, 0, 2}};
    float *g = xcalloc(12, 4);
    emb_loss(&c);
    CHECK(c.out[3] == c.table[9] && c.out[6] == c.table[3]);
    embedding_backward(g, 3, c.ids, 5, c.dout);
    CHECK(grad_check("emb", c.table, g, 12, emb_loss, &c, 12, 1e-2) == 0);
    free(c.table); free(c.out); free(c.dout); free(g);
}

/* ---- dropout ---- */

static void test_dropout(void)
{
    long n = 100000;
    float *x = xmalloc(n * 4), *mask = xmalloc(n * 4);
    for (long i = 0; i < n; i++) x[i] = 1;
    dropout_forward(x, mask, n, 0.25f, &R);
    double sum = 0;
    long zeros = 0;
    for (long i = 0; i < n; i++) sum += x[i], zeros += x[i] == 0;
    CHECK_NEAR(sum / n, 1.0, 0.02);
    CHECK_NEAR((double)zeros / n, 0.25, 0.01);
    free(x); free(mask);
}

/* ---- whole model ---- */

typedef struct {
    model *m;
    batch bt;
    loss_options opt;
    rng_t drop_rng;
    arena ar;
    int output_rows; /* positions per pass of the output layer */
} model_case;

static double model_loss(void *p)
{
    model_case *c = p;
    rng_t r = c->drop_rng; /* the same dropout masks every time */
    loss_options o = c->opt;
    o.rng = &r;
    arena_reset(&c->ar);
    /* The gradient is of the mean loss: compare the same. */
    batch_loss bl = seq2seq_loss_in_passes(c->m, &c->bt, &o, NULL, &c->ar, c->output_rows);
    return bl.loss / bl.tokens;
}

/* Training reads the embedding gradients only in the rows of the batch's ids (padding
 * included): every other row must be zero. */
static int only_batch_rows(const float *dtable, int V, int E, const int *ids, int n)
{
    int ok = 1;
    for (int v = 0; v < V; v++) {
        int used = 0;
        for (int r = 0; r < n; r++) used |= ids[r] == v;
        for (int k = 0; k < E && !used; k++) ok &= dtable[v * E + k] == 0;
    }
    return ok;
}

static void whole_model_check(int cell, int bidir, int layers, float dropout, int output_rows)
{
    model_config cfg = {.src_vocab = 9, .tgt_vocab = 8, .emb = 4, .hidden = 6,
                        .layers = layers, .bidir = bidir, .cell = cell};
    model_case c;
    memset(&c, 0, sizeof c);
    c.m = model_new(&cfg, NULL, NULL);
    model_init_weights(c.m, &R);
    for (size_t i = 0; i < c.m->n_params; i++) c.m->params[i] *= 5; /* livelier gradients */
    int src[4 * 3] = {4, 5, 6, 7, 8, 4, 5, 0, 0, 6, 0, 0};   /* S=4, B=3, lens 4 2 1... */
    int src_len[3] = {4, 3, 1};
    int tin[3 * 3] = {2, 2, 2, 4, 5, 6, 5, 0, 0};
    int tout[3 * 3] = {4, 5, 6, 5, 3, 0, 3, 0, 0};
    int tlen[3] = {3, 2, 1};
    /* src is [S][B]: rebuild from per-sentence rows so padding lines up with src_len */
    int s_rows[3][4] = {{4, 5, 6, 7}, {8, 4, 5, 0}, {6, 0, 0, 0}};
    for (int t = 0; t < 4; t++)
        for (int b = 0; b < 3; b++) src[t * 3 + b] = s_rows[b][t];
    c.bt = (batch){3, 4, 3, src, src_len, tin, tout, tlen, 6};
    c.opt.dropout = dropout;
    c.opt.label_smoothing = 0.1f;
    c.output_rows = output_rows;
    rng_seed(&c.drop_rng, 7);
    float *grad = xcalloc(c.m->n_params, 4);
    model_weights g;
    model_layout(&cfg, grad, &g);
    /* the mean-loss gradient with dropout masks drawn from the same generator state */
    rng_t r = c.drop_rng;
    loss_options o = c.opt;
    o.rng = &r;
    o.dropout = dropout;
    arena_reset(&c.ar);
    seq2seq_loss_in_passes(c.m, &c.bt, &o, &g, &c.ar, output_rows);
    CHECK(only_batch_rows(g.src_emb, cfg.src_vocab, cfg.emb, c.bt.src, c.bt.S * c.bt.B));
    CHECK(only_batch_rows(g.tgt_emb, cfg.tgt_vocab, cfg.emb, c.bt.tgt_in, c.bt.T * c.bt.B));
    CHECK(grad_check("model", c.m->params, grad, c.m->n_params, model_loss, &c, 400, 2e-2) == 0);
    free(grad);
    arena_free(&c.ar);
    model_free(c.m);
}

static void test_whole_model_uni(void) { whole_model_check(CELL_LSTM, 0, 1, 0, SEQ2SEQ_OUTPUT_ROWS); }
static void test_whole_model_bi_two_layers(void) { whole_model_check(CELL_LSTM, 1, 2, 0, SEQ2SEQ_OUTPUT_ROWS); }
/* Six target positions: passes of 4 and 2, dropout masks drawn in two parts. */
static void test_whole_model_dropout(void) { whole_model_check(CELL_LSTM, 1, 2, 0.3f, 4); }
static void test_whole_model_gru_uni(void) { whole_model_check(CELL_GRU, 0, 1, 0, SEQ2SEQ_OUTPUT_ROWS); }
static void test_whole_model_gru_bi_two_layers(void) { whole_model_check(CELL_GRU, 1, 2, 0, SEQ2SEQ_OUTPUT_ROWS); }
static void test_whole_model_gru_dropout(void) { whole_model_check(CELL_GRU, 1, 2, 0.3f, 4); }

/* Loss and gradient with dropout, output layer in passes of `rows` positions. */
static batch_loss passes_run(const model *m, const batch *bt, int rows, float *grad, arena *ar)
{
    model_weights g;
    model_layout(&m->cfg, grad, &g);
    memset(grad, 0, m->n_params * sizeof *grad);
    rng_t r;
    rng_seed(&r, 11);
    loss_options o = {0.3f, 0.1f, &r, 0};
    arena_reset(ar);
    return seq2seq_loss_in_passes(m, bt, &o, &g, ar, rows);
}

/* However the output layer is cut into passes, loss and gradient agree up to rounding. */
static void test_output_passes_agree(void)
{
    model_config cfg = {.src_vocab = 9, .tgt_vocab = 30, .emb = 4, .hidden = 6, .layers = 1};
    model *m = model_new(&cfg, NULL, NULL);
    model_init_weights(m, &R);
    enum { S = 3, T = 4, B = 5 };
    int src[S * B], src_len[B] = {3, 2, 3, 1, 2}, tin[T * B], tout[T * B], tlen[B] = {4, 3, 1, 4, 2};
    long tokens = 0;
    for (int b = 0; b < B; b++) {
        tokens += tlen[b];
        for (int s = 0; s < S; s++) src[s * B + b] = s < src_len[b] ? 4 + (int)rng_below(&R, 5) : 0;
        for (int t = 0; t < T; t++) {
            tin[t * B + b] = t == 0 ? 2 : t < tlen[b] ? 4 + (int)rng_below(&R, 26) : 0;
            tout[t * B + b] = t < tlen[b] ? 4 + (int)rng_below(&R, 26) : 0;
        }
    }
    batch bt = {B, S, T, src, src_len, tin, tout, tlen, tokens};
    float *whole = xmalloc(m->n_params * sizeof *whole), *cut = xmalloc(m->n_params * sizeof *cut);
    arena ar = {0};
    batch_loss a = passes_run(m, &bt, 1000, whole, &ar);
    for (int rows = 1; rows <= 5; rows += 2) {
        batch_loss b = passes_run(m, &bt, rows, cut, &ar);
        CHECK(b.tokens == a.tokens);
        CHECK_NEAR(b.loss, a.loss, 1e-9 * fabs(a.loss));
        CHECK_NEAR(b.nll, a.nll, 1e-9 * fabs(a.nll));
        double err = 0, norm = 0;
        for (size_t i = 0; i < m->n_params; i++)
            err = fmax(err, fabs(cut[i] - whole[i])), norm = fmax(norm, fabs(whole[i]));
        CHECK(norm > 0 && err <= 1e-5 * norm);
    }
    arena_free(&ar);
    free(whole);
    free(cut);
    model_free(m);
}

int main(void)
{
    rng_seed(&R, 42);
    blas_set_threads(1);
    RUN_TEST(test_encoder_infer_matches_forward);
    RUN_TEST(test_attention_forward);
    RUN_TEST(test_attention_backward);
    RUN_TEST(test_output_backward);
    RUN_TEST(test_embedding_backward);
    RUN_TEST(test_dropout);
    RUN_TEST(test_output_passes_agree);
    RUN_TEST(test_whole_model_uni);
    RUN_TEST(test_whole_model_bi_two_layers);
    RUN_TEST(test_whole_model_dropout);
    RUN_TEST(test_whole_model_gru_uni);
    RUN_TEST(test_whole_model_gru_bi_two_layers);
    RUN_TEST(test_whole_model_gru_dropout);
    return TEST_SUMMARY("layers");
}
