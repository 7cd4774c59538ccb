/* Beam search against the training path: the score of every decoded sentence must be the
 * log-probability that the teacher-forced loss gives the same output, and translating
 * sentences together must give what translating each alone gives. */
#include <stdlib.h>
#include <string.h>

#include "sys/arena.h"
#include "sys/blas.h"
#include "check.h"
#include "search/decode.h"
#include "nn/model.h"
#include "nn/seq2seq.h"
#include "text/vocab.h"

static model *tiny_model(int cell, int bidir, int layers)
{
    model_config cfg = {.src_vocab = 12, .tgt_vocab = 9, .emb = 6, .hidden = 8, .layers = layers,
                        .bidir = bidir, .cell = cell};
    model *m = model_new(&cfg, NULL, NULL);
    rng_t r;
    rng_seed(&r, 5);
    model_init_weights(m, &r);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] *= 20; /* peaked distributions */
    return m;
}

static const int S1[] = {4, 5, 6}, S2[] = {7}, S3[] = {8, 9, 10, 11, 4}, S4[] = {5, 5};
static const int *const SRC[] = {S1, S2, S3, S4};
static const int LEN[] = {3, 1, 5, 2};

/* -log p(tokens, </s> | src) by the training code path. */
static double teacher_forced_nll(const model *m, const int *src, int sl, const hypothesis *h)
{
    int T = h->len + 1;
    int *tin = xmalloc(T * sizeof(int)), *tout = xmalloc(T * sizeof(int));
    for (int t = 0; t < T; t++) {
        tin[t] = t == 0 ? VOCAB_BOS : h->tokens[t - 1];
        tout[t] = t < h->len ? h->tokens[t] : VOCAB_EOS;
    }
    int srcl = sl, tl = T;
    batch bt = {1, sl, T, (int *)src, &srcl, tin, tout, &tl, T};
    loss_options o = {0, 0, NULL, 0};
    arena ar = {0};
    batch_loss bl = seq2seq_loss(m, &bt, &o, NULL, &ar);
    arena_free(&ar);
    free(tin);
    free(tout);
    return bl.nll;
}

static void check_scores_and_batching(int cell, int bidir, int layers, int beam)
{
    model *m = tiny_model(cell, bidir, layers);
    decode_options o = {.beam = beam, .len_alpha = 1.0f};
    arena ar = {0};
    hypothesis together[4];
    memset(together, 0, sizeof together);
    decode_sentences(m, SRC, LEN, 4, &o, &ar, together);
    for (int i = 0; i < 4; i++) {
        hypothesis alone;
        memset(&alone, 0, sizeof alone);
        arena_reset(&ar);
        decode_sentences(m, SRC + i, LEN + i, 1, &o, &ar, &alone);
        CHECK(alone.len == together[i].len);
        CHECK(alone.len >= 0 && alone.len <= decode_max_len(LEN[i]));
        for (int t = 0; t < alone.len && t < together[i].len; t++) CHECK(alone.tokens[t] == together[i].tokens[t]);
        if (beam > 1 && together[i].len < decode_max_len(LEN[i]) - 1)
            CHECK_NEAR(-together[i].score, teacher_forced_nll(m, SRC[i], LEN[i], &together[i]), 2e-3);
        for (int t = 0; t < together[i].len; t++) {
            CHECK(together[i].tokens[t] != VOCAB_PAD && together[i].tokens[t] != VOCAB_BOS);
            CHECK(together[i].src_pos[t] >= 0 && together[i].src_pos[t] < LEN[i]);
        }
        hypothesis_free(&alone);
        hypothesis_free(&together[i]);
    }
    arena_free(&ar);
    model_free(m);
}

static void test_greedy_uni(void) { check_scores_and_batching(CELL_LSTM, 0, 1, 1); }
static void test_beam_uni(void) { check_scores_and_batching(CELL_LSTM, 0, 1, 4); }
static void test_beam_bi_two_layers(void) { check_scores_and_batching(CELL_LSTM, 1, 2, 3); }
static void test_gru_greedy_uni(void) { check_scores_and_batching(CELL_GRU, 0, 1, 1); }
static void test_gru_beam_uni(void) { check_scores_and_batching(CELL_GRU, 0, 1, 4); }
static void test_gru_beam_bi_two_layers(void) { check_scores_and_batching(CELL_GRU, 1, 2, 3); }

/* The n best: the first is the 1-best, ranked by normalised score, all different, each
 * scored as the training path scores it; attention rows are distributions whose argmax is
 * the hard alignment; greedy search with logprob reports true log-probabilities. */
static void check_nbest(int cell)
{
    model *m = tiny_model(cell, 1, 1);
    enum { N = 3, K = 4 };
    decode_options one = {.beam = K, .len_alpha = 1.0f}, many = one;
    many.nbest = N;
    many.attention = 1;
    arena ar = {0};
    hypothesis best[4], list[4 * N];
    memset(best, 0, sizeof best);
    memset(list, 0, sizeof list);
    decode_sentences(m, SRC, LEN, 4, &one, &ar, best);
    arena_reset(&ar);
    decode_sentences(m, SRC, LEN, 4, &many, &ar, list);
    for (int i = 0; i < 4; i++) {
        hypothesis *l = list + i * N;
        CHECK(l[0].len == best[i].len && l[0].score == best[i].score);
        for (int t = 0; t < l[0].len && t < best[i].len; t++) CHECK(l[0].tokens[t] == best[i].tokens[t]);
        for (int j = 0; j < N && l[j].tokens; j++) {
            if (j) CHECK(l[j].norm <= l[j - 1].norm);
            for (int q = 0; q < j; q++)
                CHECK(l[q].len != l[j].len || memcmp(l[q].tokens, l[j].tokens, l[j].len * sizeof(int)));
            if (l[j].len < decode_max_len(LEN[i]) - 1)
                CHECK_NEAR(-l[j].score, teacher_forced_nll(m, SRC[i], LEN[i], &l[j]), 2e-3);
            for (int t = 0; t <= l[j].len; t++) {
                const float *row = l[j].attention + (size_t)t * LEN[i];
                double sum = 0;
                int arg = 0;
                for (int s = 0; s < LEN[i]; s++) sum += row[s], arg = row[s] > row[arg] ? s : arg;
                CHECK_NEAR(sum, 1.0, 1e-5);
                if (t < l[j].len) CHECK(arg == l[j].src_pos[t]);
            }
        }
        hypothesis_free(&best[i]);
        for (int j = 0; j < N; j++) hypothesis_free(&l[j]);
    }
    /* greedy with true log-probabilities: the same tokens, scored as the training path does */
    decode_options greedy = {.beam = 1, .len_alpha = 1.0f, .logprob = 1};
    for (int i = 0; i < 4; i++) {
        hypothesis g;
        memset(&g, 0, sizeof g);
        arena_reset(&ar);
        decode_sentences(m, SRC + i, LEN + i, 1, &greedy, &ar, &g);
        if (g.len < decode_max_len(LEN[i]) - 1)
            CHECK_NEAR(-g.score, teacher_forced_nll(m, SRC[i], LEN[i], &g), 2e-3);
        hypothesis_free(&g);
    }
    arena_free(&ar);
    model_free(m);
}

static void test_nbest_lstm(void) { check_nbest(CELL_LSTM); }
static void test_nbest_gru(void) { check_nbest(CELL_GRU); }

int main(void)
{
    blas_set_threads(1);
    RUN_TEST(test_greedy_uni);
    RUN_TEST(test_beam_uni);
    RUN_TEST(test_beam_bi_two_layers);
    RUN_TEST(test_gru_greedy_uni);
    RUN_TEST(test_gru_beam_uni);
    RUN_TEST(test_gru_beam_bi_two_layers);
    RUN_TEST(test_nbest_lstm);
    RUN_TEST(test_nbest_gru);
    return TEST_SUMMARY("decode");
}
