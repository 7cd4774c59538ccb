#include "decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "attention.h"
#include "blas.h"
#include "embedding.h"
#include "encoder.h"
#include "output.h"
#include "vocab.h"

int decode_max_len(int src_len) { return 2 * src_len + 10; }

/* A candidate continuation: row r extended by token, with total log-probability score. */
typedef struct {
    float score;
    int row, token;
} candidate;

/* Everything one batch of searches needs; rows r = b * K + k hold sentence b's hypotheses. */
typedef struct {
    const model *m;
    int n, K, R, S, maxlen;
    float alpha;
    int *src_len;
    encoder_state enc;
    float *keys;
    float *h[MODEL_MAX_LAYERS], *c[MODEL_MAX_LAYERS], *state_tmp;
    float *x, *work, *ctx, *att, *logp;
    int *argpos;
    float *alive;              /* [R] score of each live hypothesis, -INFINITY when none */
    int *hist, *hist_pos, *hist_tmp;  /* [R][maxlen] tokens and attended positions */
    candidate *cand;           /* [K * 2K] */
    int *done;                 /* [n] */
    hypothesis *best;          /* [n] best finished so far */
    float *best_norm;          /* [n] */
    int *finished;             /* [n] count */
} search;

static float normalized(const search *s, float score, int len)
{
    return score / powf((float)(len > 0 ? len : 1), s->alpha);
}

static void search_alloc(search *s, arena *ar)
{
    const model_config *c = &s->m->cfg;
    int R = s->R, H = c->hidden;
    for (int l = 0; l < c->layers; l++) {
        s->h[l] = arena_alloc(ar, (size_t)R * H);
        s->c[l] = arena_alloc(ar, (size_t)R * H);
    }
    s->state_tmp = arena_alloc(ar, (size_t)R * H);
    s->x = arena_alloc(ar, (size_t)R * (c->emb > H ? c->emb : H));
    s->work = arena_alloc(ar, (size_t)R * 4 * H);
    s->ctx = arena_alloc(ar, (size_t)R * H);
    s->att = arena_alloc(ar, (size_t)R * H);
    s->logp = arena_alloc(ar, (size_t)R * c->tgt_vocab);
    s->argpos = arena_alloc_int(ar, R);
    s->alive = arena_alloc(ar, R);
    s->hist = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->hist_pos = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->hist_tmp = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->cand = (candidate *)arena_alloc(ar, (size_t)s->K * 2 * s->K * 3);
    s->done = arena_alloc_int(ar, s->n);
    s->finished = arena_alloc_int(ar, s->n);
    s->best_norm = arena_alloc(ar, s->n);
}

/* Encodes the batch and starts every sentence with one live hypothesis. */
static void search_start(search *s, const int *const *src, const int *src_len, arena *ar)
{
    const model_config *c = &s->m->cfg;
    int n = s->n, S = s->S, H = c->hidden, K = s->K;
    int *ids = arena_alloc_int(ar, (size_t)S * n);
    s->src_len = arena_alloc_int(ar, n);
    for (int b = 0; b < n; b++) {
        s->src_len[b] = src_len[b] > 0 ? src_len[b] : 1;
        for (int t = 0; t < S; t++) ids[t * n + b] = t < src_len[b] ? src[b][t] : VOCAB_PAD;
    }
    encoder_forward(s->m, &s->enc, ar, ids, s->src_len, S, n, 0, NULL);
    s->keys = arena_alloc(ar, (size_t)S * n * H);
    attention_keys(s->m->w.attn_wa, s->enc.outputs[c->layers - 1], S * n, H, s->keys);
    search_alloc(s, ar);
    for (int r = 0; r < s->R; r++) {
        int b = r / K;
        for (int l = 0; l < c->layers; l++) {
            memcpy(s->h[l] + (size_t)r * H, s->enc.final_h[l] + (size_t)b * H, H * sizeof(float));
            memcpy(s->c[l] + (size_t)r * H, s->enc.final_c[l] + (size_t)b * H, H * sizeof(float));
        }
        s->alive[r] = r % K == 0 ? 0 : -INFINITY;
    }
    for (int b = 0; b < n; b++) {
        s->done[b] = 0;
        s->finished[b] = 0;
        s->best_norm[b] = -INFINITY;
        memset(&s->best[b], 0, sizeof s->best[b]);
    }
}

/* Attention for one row: context, and the most attended source position. */
static void attend_row(search *s, int r, const float *h, float *scores)
{
    int n = s->n, H = s->m->cfg.hidden, b = r / s->K, len = s->src_len[b];
    const float *enc = s->enc.outputs[s->m->cfg.layers - 1];
    gemv(0, len, H, 1, s->keys + (size_t)b * H, n * H, h, 0, scores);
    masked_softmax(scores, len, len);
    int arg = 0;
    for (int j = 1; j < len; j++) arg = scores[j] > scores[arg] ? j : arg;
    s->argpos[r] = arg;
    gemv(1, len, H, 1, enc + (size_t)b * H, n * H, scores, 0, s->ctx + (size_t)r * H);
}

/* One decoder step for every row: log-probabilities of the next token in s->logp. */
static void step_rows(search *s, int t)
{
    const model *m = s->m;
    const model_config *c = &m->cfg;
    int R = s->R, H = c->hidden, V = c->tgt_vocab;
    int *prev = (int *)s->work; /* reused before the LSTM needs work */
    for (int r = 0; r < R; r++)
        prev[r] = s->alive[r] == -INFINITY ? VOCAB_PAD /* an empty row: any valid id */
                  : t == 0 ? VOCAB_BOS : s->hist[(size_t)r * s->maxlen + t - 1];
    embedding_forward(m->w.tgt_emb, c->emb, prev, R, s->x);
    const float *in = s->x;
    for (int l = 0; l < c->layers; l++) {
        lstm_step(&m->w.dec[l], R, in, s->h[l], s->c[l], s->work);
        in = s->h[l];
    }
    float scores[s->S];
    for (int r = 0; r < R; r++)
        if (s->alive[r] > -INFINITY) attend_row(s, r, in + (size_t)r * H, scores);
        else memset(s->ctx + (size_t)r * H, 0, H * sizeof(float));
    gemm(0, 0, R, H, H, 1, s->ctx, H, m->w.attn_wc, H, 0, s->att, H);
    gemm(0, 0, R, H, H, 1, in, H, m->w.attn_wc + (size_t)H * H, H, 1, s->att, H);
    tanh_inplace(s->att, (long)R * H);
    output_logits(m->w.out_w, m->w.out_b, s->att, R, H, V, s->logp);
    for (int r = 0; r < R; r++) {
        float *row = s->logp + (size_t)r * V;
        log_softmax(row, V);
        row[VOCAB_PAD] = row[VOCAB_BOS] = -INFINITY;
    }
}

/* Inserts (score, row, token) into the descending list c[0..*n) holding at most cap. */
static void keep_top(candidate *c, int *n, int cap, float score, int row, int token)
{
    if (*n == cap && score <= c[cap - 1].score) return;
    int i = *n < cap ? (*n)++ : cap - 1;
    while (i > 0 && c[i - 1].score < score) {
        c[i] = c[i - 1];
        i--;
    }
    c[i] = (candidate){score, row, token};
}

static void record_finished(search *s, int b, int row, int t, float score)
{
    int len = t; /* tokens before </s> */
    float norm = normalized(s, score, len + 1);
    s->finished[b]++;
    if (norm <= s->best_norm[b]) return;
    s->best_norm[b] = norm;
    hypothesis *h = &s->best[b];
    h->tokens = xrealloc(h->tokens, (len ? len : 1) * sizeof(int));
    h->src_pos = xrealloc(h->src_pos, (len ? len : 1) * sizeof(int));
    memcpy(h->tokens, s->hist + (size_t)row * s->maxlen, len * sizeof(int));
    memcpy(h->src_pos, s->hist_pos + (size_t)row * s->maxlen, len * sizeof(int));
    h->len = len;
    h->score = score;
}

/* No live hypothesis can still beat the best finished one (log-probabilities only fall). */
static int search_can_stop(const search *s, int b, int maxlen_b)
{
    if (s->finished[b] >= s->K) return 1;
    if (s->best_norm[b] == -INFINITY) return 0;
    for (int k = 0; k < s->K; k++) {
        float a = s->alive[b * s->K + k];
        if (a > -INFINITY && normalized(s, a, maxlen_b) > s->best_norm[b]) return 0;
    }
    return 1;
}

/* Chooses sentence b's next hypotheses; new_row[r] = the row it continues (-1: none). */
static void select_sentence(search *s, int b, int t, int *new_row, int *new_tok, float *new_score)
{
    int K = s->K, V = s->m->cfg.tgt_vocab, n = 0, cap = 2 * K, maxlen_b = decode_max_len(s->src_len[b]);
    for (int k = 0; k < K; k++) {
        int r = b * K + k;
        if (s->alive[r] == -INFINITY) continue;
        const float *lp = s->logp + (size_t)r * V;
        for (int v = 0; v < V; v++) keep_top(s->cand, &n, cap, s->alive[r] + lp[v], r, v);
    }
    int kept = 0;
    for (int i = 0; i < n && kept < K; i++) {
        candidate cd = s->cand[i];
        if (cd.token == VOCAB_EOS || t + 1 >= maxlen_b) {
            record_finished(s, b, cd.row, t, cd.score);
            continue;
        }
        int r = b * K + kept++;
        new_row[r] = cd.row;
        new_tok[r] = cd.token;
        new_score[r] = cd.score;
    }
    for (int k = kept; k < K; k++) new_row[b * K + k] = -1;
}

/* Moves the chosen hypotheses' states and histories into their new rows. */
static void reorder_rows(search *s, int t, const int *new_row, const int *new_tok, const float *new_score)
{
    const model_config *c = &s->m->cfg;
    int R = s->R, H = c->hidden, ml = s->maxlen;
    for (int l = 0; l < c->layers; l++) {
        float *bufs[2] = {s->h[l], s->c[l]};
        for (int q = 0; q < 2; q++) {
            for (int r = 0; r < R; r++)
                if (new_row[r] >= 0)
                    memcpy(s->state_tmp + (size_t)r * H, bufs[q] + (size_t)new_row[r] * H, H * sizeof(float));
            for (int r = 0; r < R; r++)
                if (new_row[r] >= 0) memcpy(bufs[q] + (size_t)r * H, s->state_tmp + (size_t)r * H, H * sizeof(float));
        }
    }
    int *pos_new = s->hist_tmp;
    for (int pass = 0; pass < 2; pass++) {
        int *src = pass ? s->hist_pos : s->hist;
        for (int r = 0; r < R; r++)
            if (new_row[r] >= 0) {
                memcpy(pos_new + (size_t)r * ml, src + (size_t)new_row[r] * ml, t * sizeof(int));
                pos_new[(size_t)r * ml + t] = pass ? s->argpos[new_row[r]] : new_tok[r];
            }
        for (int r = 0; r < R; r++)
            if (new_row[r] >= 0) memcpy(src + (size_t)r * ml, pos_new + (size_t)r * ml, (t + 1) * sizeof(int));
    }
    for (int r = 0; r < R; r++) s->alive[r] = new_row[r] >= 0 ? new_score[r] : -INFINITY;
}

void decode_sentences(const model *m, const int *const *src, const int *src_len, int n,
                      const decode_options *o, arena *ar, hypothesis *out)
{
    if (n <= 0) return;
    search s;
    memset(&s, 0, sizeof s);
    s.m = m; s.n = n; s.K = o->beam > 0 ? o->beam : 1; s.R = n * s.K;
    s.alpha = o->len_alpha;
    s.S = 1;
    for (int b = 0; b < n; b++) s.S = src_len[b] > s.S ? src_len[b] : s.S;
    s.maxlen = decode_max_len(s.S);
    s.best = out;
    search_start(&s, src, src_len, ar);
    int *new_row = arena_alloc_int(ar, s.R), *new_tok = arena_alloc_int(ar, s.R);
    float *new_score = arena_alloc(ar, s.R);
    for (int t = 0; t < s.maxlen; t++) {
        int active = 0;
        for (int b = 0; b < n; b++) active += !s.done[b];
        if (!active) break;
        step_rows(&s, t);
        for (int b = 0; b < n; b++) {
            if (s.done[b]) {
                for (int k = 0; k < s.K; k++) new_row[b * s.K + k] = -1;
                continue;
            }
            select_sentence(&s, b, t, new_row, new_tok, new_score);
        }
        reorder_rows(&s, t, new_row, new_tok, new_score);
        for (int b = 0; b < n; b++)
            if (!s.done[b] && search_can_stop(&s, b, decode_max_len(s.src_len[b]))) s.done[b] = 1;
    }
}

void hypothesis_free(hypothesis *h)
{
    free(h->tokens);
    free(h->src_pos);
    memset(h, 0, sizeof *h);
}
