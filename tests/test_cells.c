/* Every recurrent cell kind through the one interface: forward against a naive
 * double-precision reference of its equations, finite-difference gradients over several steps
 * with padding in both directions, the step and the inference forms against the training form. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gradcheck.h"
#include "nn/cell.h"
#include "nn/qgemm.h"
#include "sys/blas.h"
#include "sys/util.h"


/* One layer over a padded batch: T 4, B 3 with lengths 4 2 1, input 5, H 6. */
typedef struct {
    const cell_ops *cell;
    int T, B, in, H, reverse;
    int len[3];
    cell_weights w, g;
    float *x, *init[CELL_MAX_CARRIES], *dout, *dfinal[CELL_MAX_CARRIES], *mem;
    cell_seq s;
} layer_case;

static double layer_loss(void *p)
{
    layer_case *c = p;
    cell_seq_init(c->cell, &c->s, c->mem, c->T, c->B, c->H, c->reverse, c->len);
    c->cell->forward(&c->w, &c->s, c->x, (const float *const *)c->init);
    size_t n = (size_t)c->B * c->H;
    double loss = dot_d(cell_outputs(&c->s), c->dout, (size_t)c->T * n);
    for (int k = 0; k < c->cell->carries; k++) loss += dot_d(cell_final(&c->s, k), c->dfinal[k], n);
    return loss;
}

static cell_weights weights(const cell_ops *cell, int in, int H, int zero)
{
    size_t G = (size_t)cell->gates * H;
    cell_weights w = {NULL, NULL, NULL, NULL, in, H, NULL, NULL};
    w.wx = zero ? xcalloc(in * G, 4) : randv(in * G, 0.5f);
    w.wh = zero ? xcalloc(H * G, 4) : randv(H * G, 0.5f);
    w.b = zero ? xcalloc(G, 4) : randv(G, 0.5f);
    if (cell->recurrent_bias) w.bh = zero ? xcalloc(G, 4) : randv(G, 0.5f);
    return w;
}

static void weights_free(cell_weights *w)
{
    free(w->wx); free(w->wh); free(w->b); free(w->bh);
}

static void layer_case_init(layer_case *c, const cell_ops *cell, int reverse, int T, const int *len)
{
    memset(c, 0, sizeof *c);
    c->cell = cell;
    c->T = T; c->B = 3; c->in = 5; c->H = 6; c->reverse = reverse;
    memcpy(c->len, len, sizeof c->len);
    c->w = weights(cell, c->in, c->H, 0);
    c->g = weights(cell, c->in, c->H, 1);
    c->x = randv((size_t)T * c->B * c->in, 1);
    for (int k = 0; k < cell->carries; k++) {
        c->init[k] = randv(c->B * c->H, 0.5f);
        c->dfinal[k] = randv(c->B * c->H, 1);
    }
    c->dout = randv((size_t)T * c->B * c->H, 1);
    c->mem = xmalloc(cell_seq_floats(cell, T, c->B, c->H) * sizeof(float));
}

static void layer_case_free(layer_case *c)
{
    weights_free(&c->w);
    weights_free(&c->g);
    for (int k = 0; k < CELL_MAX_CARRIES; k++) free(c->init[k]), free(c->dfinal[k]);
    free(c->x); free(c->dout); free(c->mem);
}

static double sigm(double x) { return 1 / (1 + exp(-x)); }

/* The cell's equations in double for one row: state (carries of H) advanced by input x. */
static void reference_step(const layer_case *c, const float *x, double *h, double *cc)
{
    int H = c->H, G = c->cell->gates * H;
    double gx[64], gh[64];
    for (int j = 0; j < G; j++) {
        gx[j] = c->w.b[j];
        gh[j] = c->w.bh ? c->w.bh[j] : 0;
        for (int k = 0; k < c->in; k++) gx[j] += x[k] * (double)c->w.wx[k * G + j];
        for (int k = 0; k < H; k++) gh[j] += h[k] * (double)c->w.wh[k * G + j];
    }
    if (!strcmp(c->cell->name, "lstm")) {
        for (int k = 0; k < H; k++) {
            double i = sigm(gx[k] + gh[k]), f = sigm(gx[H + k] + gh[H + k]);
            double g = tanh(gx[2 * H + k] + gh[2 * H + k]), o = sigm(gx[3 * H + k] + gh[3 * H + k]);
            cc[k] = f * cc[k] + i * g;
            h[k] = o * tanh(cc[k]);
        }
    } else { /* gru, as torch.nn.GRU */
        for (int k = 0; k < H; k++) {
            double r = sigm(gx[k] + gh[k]), z = sigm(gx[H + k] + gh[H + k]);
            double n = tanh(gx[2 * H + k] + r * gh[2 * H + k]);
            h[k] = (1 - z) * n + z * h[k];
        }
    }
}

/* The whole layer in double, padding handled by carrying the state. */
static void reference_layer(const layer_case *c, double *hout /*[T][B][H]*/)
{
    int H = c->H;
    for (int b = 0; b < c->B; b++) {
        double h[16], cc[16] = {0};
        for (int k = 0; k < H; k++) {
            h[k] = c->init[0][b * H + k];
            if (c->cell->carries > 1) cc[k] = c->init[1][b * H + k];
        }
        for (int step = 0; step < c->T; step++) {
            int t = c->reverse ? c->T - 1 - step : step;
            if (t < c->len[b]) reference_step(c, c->x + (t * c->B + b) * c->in, h, cc);
            for (int k = 0; k < H; k++) hout[(t * c->B + b) * H + k] = h[k];
        }
    }
}

static const int LEN4[3] = {4, 2, 1};

static void check_forward(const cell_ops *cell)
{
    for (int rev = 0; rev < 2; rev++) {
        layer_case c;
        layer_case_init(&c, cell, rev, 4, LEN4);
        layer_loss(&c);
        double ref[4 * 3 * 6];
        reference_layer(&c, ref);
        const float *out = cell_outputs(&c.s);
        for (int i = 0; i < c.T * c.B * c.H; i++) CHECK_NEAR(out[i], ref[i], 1e-5);
        layer_case_free(&c);
    }
}

static void check_backward(const cell_ops *cell)
{
    for (int rev = 0; rev < 2; rev++) {
        layer_case c;
        layer_case_init(&c, cell, rev, 4, LEN4);
        layer_loss(&c);
        size_t n = (size_t)c.B * c.H, G = (size_t)cell->gates * c.H;
        float *dx = xcalloc(c.T * c.B * c.in, 4), *dinit[CELL_MAX_CARRIES] = {NULL};
        for (int k = 0; k < cell->carries; k++) dinit[k] = xcalloc(n, 4);
        float *work = xmalloc(cell->backward_floats(c.T, c.B, c.H) * 4);
        cell->backward(&c.w, &c.g, &c.s, c.x, c.dout, (const float *const *)c.dfinal, dx, dinit, work);
        CHECK(grad_check("wx", c.w.wx, c.g.wx, c.in * G, layer_loss, &c, 60, 1e-2) == 0);
        CHECK(grad_check("wh", c.w.wh, c.g.wh, c.H * G, layer_loss, &c, 60, 1e-2) == 0);
        CHECK(grad_check("b", c.w.b, c.g.b, G, layer_loss, &c, (int)G, 1e-2) == 0);
        if (c.w.bh) CHECK(grad_check("bh", c.w.bh, c.g.bh, G, layer_loss, &c, (int)G, 1e-2) == 0);
        CHECK(grad_check("x", c.x, dx, c.T * c.B * c.in, layer_loss, &c, 60, 1e-2) == 0);
        for (int k = 0; k < cell->carries; k++)
            CHECK(grad_check("init", c.init[k], dinit[k], n, layer_loss, &c, (int)n, 1e-2) == 0);
        free(dx); free(work);
        for (int k = 0; k < cell->carries; k++) free(dinit[k]);
        layer_case_free(&c);
    }
}

/* The search's step, row by row, gives the training form's states; for the LSTM also with Wx
 * and Wh adjacent in memory (one product instead of two). */
static void check_step(const cell_ops *cell)
{
    static const int full[3] = {4, 4, 4};
    for (int adjacent = 0; adjacent < 2; adjacent++) {
        layer_case c;
        layer_case_init(&c, cell, 0, 4, full);
        layer_loss(&c);
        size_t G = (size_t)cell->gates * c.H, n = (size_t)c.B * c.H;
        float *both = xmalloc((size_t)(c.in + c.H) * G * sizeof(float));
        cell_weights w = c.w;
        if (adjacent) {
            memcpy(both, c.w.wx, (size_t)c.in * G * sizeof(float));
            memcpy(both + (size_t)c.in * G, c.w.wh, (size_t)c.H * G * sizeof(float));
            w.wx = both;
            w.wh = both + (size_t)c.in * G;
        }
        float *state[CELL_MAX_CARRIES] = {NULL};
        for (int k = 0; k < cell->carries; k++) {
            state[k] = xmalloc(n * sizeof(float));
            memcpy(state[k], c.init[k], n * sizeof(float));
        }
        float *work = xmalloc(cell->step_floats(c.B, c.in, c.H) * sizeof(float));
        for (int t = 0; t < c.T; t++) cell->step(&w, c.B, c.x + t * c.B * c.in, state, work);
        for (int k = 0; k < cell->carries; k++)
            for (size_t i = 0; i < n; i++) CHECK_NEAR(state[k][i], cell_final(&c.s, k)[i], 1e-6);
        for (int k = 0; k < cell->carries; k++) free(state[k]);
        free(work);
        free(both);
        layer_case_free(&c);
    }
}

/* The encoder's inference form gives the training form's outputs and final state (from a
 * zero initial state) in both directions, with padding, T beyond one block of input projections. */
static void check_infer(const cell_ops *cell)
{
    static const int lens[3] = {19, 11, 1};
    for (int rev = 0; rev < 2; rev++) {
        layer_case c;
        layer_case_init(&c, cell, rev, 19, lens);
        cell_seq_init(cell, &c.s, c.mem, c.T, c.B, c.H, rev, c.len);
        cell->forward(&c.w, &c.s, c.x, NULL);
        size_t n = (size_t)c.B * c.H;
        float *out = xmalloc(c.T * n * sizeof(float)), *fin[CELL_MAX_CARRIES] = {NULL};
        for (int k = 0; k < cell->carries; k++) fin[k] = xmalloc(n * sizeof(float));
        float *work = xmalloc(cell->infer_floats(c.B, c.H) * sizeof(float));
        cell->infer(&c.w, c.T, c.B, rev, c.len, c.x, out, fin, work);
        for (int t = 0; t < c.T; t++)
            for (int b = 0; b < c.B; b++)
                if (t < c.len[b])
                    for (int k = 0; k < c.H; k++) {
                        size_t i = (size_t)(t * c.B + b) * c.H + k;
                        CHECK_NEAR(out[i], cell_outputs(&c.s)[i], 1e-6);
                    }
        for (int k = 0; k < cell->carries; k++)
            for (size_t i = 0; i < n; i++) CHECK_NEAR(fin[k][i], cell_final(&c.s, k)[i], 1e-6);
        for (int k = 0; k < cell->carries; k++) free(fin[k]);
        free(out); free(work);
        layer_case_free(&c);
    }
}

/* An int8 matrix of W [K x N] (the caller frees *mem), and W's dequantized floats. */
static qmatrix int8_of(const float *W, int K, int N, void **mem, float **deq)
{
    size_t bytes = qmatrix_bytes(K, N);
    qmatrix q;
    CHECK(posix_memalign(mem, 64, bytes) == 0 && qmatrix_pack(W, K, N, N, *mem) == 0 &&
          qmatrix_view(*mem, bytes, &q) == 0);
    *deq = xmalloc((size_t)K * N * sizeof(float));
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) (*deq)[(size_t)k * N + j] = (float)qmatrix_weight(&q, k, j) * q.scales[j];
    return q;
}

/* With int8 weights, as an int8 model's encoder and decoder have them (no float matrices):
 * the inference form, in both directions, gives every row byte for byte what that row
 * gives alone; the step, from the zero state, gives the inference form's outputs byte for
 * byte; and both are near the float forms over the dequantized weights (only the
 * activations' quantization differs, a few 1e-3 at these sizes). */
static void check_int8(const cell_ops *cell)
{
    static const int lens[3] = {19, 11, 1};
    for (int rev = 0; rev < 2; rev++) {
        layer_case c;
        layer_case_init(&c, cell, rev, 19, lens);
        int G = cell->gates * c.H, T = c.T, B = c.B, H = c.H, in = c.in;
        void *mx, *mh;
        cell_weights q = c.w, f = c.w;
        qmatrix qx = int8_of(c.w.wx, in, G, &mx, &f.wx), qh = int8_of(c.w.wh, H, G, &mh, &f.wh);
        q.qx = &qx, q.qh = &qh, q.wx = q.wh = NULL;
        size_t n = (size_t)B * H;
        float *out = xmalloc(T * n * sizeof(float)), *ref = xmalloc(T * n * sizeof(float));
        float *one = xmalloc((size_t)T * H * sizeof(float)), *x1 = xmalloc((size_t)T * in * sizeof(float));
        float *fin[CELL_MAX_CARRIES] = {NULL}, *fin1[CELL_MAX_CARRIES] = {NULL}, *state[CELL_MAX_CARRIES] = {NULL};
        for (int k = 0; k < cell->carries; k++) {
            fin[k] = xmalloc(n * sizeof(float));
            fin1[k] = xmalloc(H * sizeof(float));
            state[k] = xcalloc(n, sizeof(float));
        }
        float *work = xmalloc(cell->infer_floats(B, H) * sizeof(float));
        cell->infer(&q, T, B, rev, c.len, c.x, out, fin, work);
        cell->infer(&f, T, B, rev, c.len, c.x, ref, fin, work);
        double worst = 0;
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
                for (int k = 0; k < H && t < c.len[b]; k++) {
                    size_t i = ((size_t)t * B + b) * H + k;
                    worst = fabs(out[i] - ref[i]) > worst ? fabs(out[i] - ref[i]) : worst;
                }
        CHECK(worst > 0 && worst < 0.02);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) memcpy(x1 + (size_t)t * in, c.x + ((size_t)t * B + b) * in, in * sizeof(float));
            cell->infer(&q, T, 1, rev, &c.len[b], x1, one, fin1, work);
            int same = 1;
            for (int t = 0; t < c.len[b]; t++)
                same &= !memcmp(one + (size_t)t * H, out + ((size_t)t * B + b) * H, H * sizeof(float));
            CHECK(same);
        }
        if (!rev) {
            float *step_work = xmalloc(cell->step_floats(B, in, H) * sizeof(float));
            int same = 1;
            for (int t = 0; t < T; t++) {
                cell->step(&q, B, c.x + (size_t)t * B * in, state, step_work);
                for (int b = 0; b < B; b++)
                    if (t < c.len[b]) same &= !memcmp(state[0] + (size_t)b * H, out + ((size_t)t * B + b) * H, H * sizeof(float));
            }
            CHECK(same);
            free(step_work);
        }
        for (int k = 0; k < cell->carries; k++) free(fin[k]), free(fin1[k]), free(state[k]);
        free(out); free(ref); free(one); free(x1); free(work);
        free(mx); free(mh); free(f.wx); free(f.wh);
        layer_case_free(&c);
    }
}

static void test_lstm_int8(void) { check_int8(cell_of(CELL_LSTM)); }
static void test_gru_int8(void) { check_int8(cell_of(CELL_GRU)); }

static void test_lstm_forward(void) { check_forward(cell_of(CELL_LSTM)); }
static void test_lstm_backward(void) { check_backward(cell_of(CELL_LSTM)); }
static void test_lstm_step(void) { check_step(cell_of(CELL_LSTM)); }
static void test_lstm_infer(void) { check_infer(cell_of(CELL_LSTM)); }
static void test_gru_forward(void) { check_forward(cell_of(CELL_GRU)); }
static void test_gru_backward(void) { check_backward(cell_of(CELL_GRU)); }
static void test_gru_step(void) { check_step(cell_of(CELL_GRU)); }
static void test_gru_infer(void) { check_infer(cell_of(CELL_GRU)); }

static void test_table(void)
{
    CHECK(cell_kind_named("lstm") == CELL_LSTM && cell_kind_named("gru") == CELL_GRU);
    CHECK(cell_kind_named("rnn") == -1 && cell_of(-1) == NULL && cell_of(2) == NULL);
    CHECK(!strcmp(cell_names(), "lstm|gru"));
    /* the LSTM's file layout: wx, wh, b; the GRU's adds bh, as torch.nn.GRU has */
    CHECK(cell_weight_floats(cell_of(CELL_LSTM), 5, 6) == (5 + 6) * 24 + 24);
    CHECK(cell_weight_floats(cell_of(CELL_GRU), 5, 6) == (5 + 6) * 18 + 2 * 18);
}

int main(void)
{
    rng_seed(&R, 42);
    blas_set_threads(1);
    RUN_TEST(test_table);
    RUN_TEST(test_lstm_forward);
    RUN_TEST(test_lstm_backward);
    RUN_TEST(test_lstm_step);
    RUN_TEST(test_lstm_infer);
    RUN_TEST(test_gru_forward);
    RUN_TEST(test_gru_backward);
    RUN_TEST(test_gru_step);
    RUN_TEST(test_gru_infer);
    RUN_TEST(test_lstm_int8);
    RUN_TEST(test_gru_int8);
    return TEST_SUMMARY("cells");
}
