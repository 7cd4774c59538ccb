#include "search/decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/activations.h"
#include "nn/attention.h"
#include "sys/blas.h"
#include "nn/embedding.h"
#include "nn/encoder.h"
#include "nn/output.h"
#include "text/vocab.h"

int decode_max_len(int src_len) { return 2 * src_len + 10; }

/* A candidate continuation: row r extended by token, with total log-probability score. */
typedef struct {
    float score;
    int row, token;
} candidate;

/* Everything one batch of searches needs. Live hypotheses occupy rows [0, rows), those of
 * one sentence side by side, so finished sentences cost nothing in later steps. */
typedef struct {
    const model *m;
    int n, K, S, maxlen, rows;
    float alpha;
    int *src_len;
    encoder_state enc;
    float *keys;
    float *h[MODEL_MAX_LAYERS], *c[MODEL_MAX_LAYERS], *state_tmp;
    float *x, *work, *ctx_h, *att, *logp;
    int *argpos, *prev;
    int *row_sent;             /* [R] sentence of each row */
    int *first, *count;        /* [n] rows of sentence b: [first, first + count) */
    float *score;              /* [R] log-probability of each live hypothesis */
    float *lse;                /* [R] log of the softmax denominator of each row's logits */
    int *hist, *hist_pos, *hist_tmp;  /* [R][maxlen] tokens and attended positions */
    candidate *cand;           /* [2K] */
    int *done;                 /* [n] */
    hypothesis *best;          /* [n] best finished so far */
    float *best_norm;          /* [n] */
    int *finished;             /* [n] count */
    /* the next step's rows, built by select_sentence */
    int *new_row, *new_tok;
    float *new_score;
} search;

static float normalized(const search *s, float score, int len)
{
    return score / powf((float)(len > 0 ? len : 1), s->alpha);
}

static void search_alloc(search *s, arena *ar)
{
    const model_config *c = &s->m->cfg;
    int R = s->n * s->K, H = c->hidden, n = s->n;
    for (int l = 0; l < c->layers; l++) {
        s->h[l] = arena_alloc(ar, (size_t)R * H);
        s->c[l] = arena_alloc(ar, (size_t)R * H);
    }
    s->state_tmp = arena_alloc(ar, (size_t)R * H);
    s->x = arena_alloc(ar, (size_t)R * c->emb);
    s->work = arena_alloc(ar, lstm_step_floats(R, c->emb > H ? c->emb : H, H));
    s->ctx_h = arena_alloc(ar, (size_t)R * 2 * H);
    s->att = arena_alloc(ar, (size_t)R * H);
    s->logp = arena_alloc(ar, (size_t)R * c->tgt_vocab);
    s->argpos = arena_alloc_int(ar, R);
    s->prev = arena_alloc_int(ar, R);
    s->row_sent = arena_alloc_int(ar, R);
    s->score = arena_alloc(ar, R);
    s->lse = arena_alloc(ar, R);
    s->hist = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->hist_pos = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->hist_tmp = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->cand = (candidate *)arena_alloc(ar, (2 * (size_t)s->K * sizeof(candidate) + sizeof(float) - 1) / sizeof(float));
    s->first = arena_alloc_int(ar, n);
    s->count = arena_alloc_int(ar, n);
    s->done = arena_alloc_int(ar, n);
    s->finished = arena_alloc_int(ar, n);
    s->best_norm = arena_alloc(ar, n);
    s->new_row = arena_alloc_int(ar, R);
    s->new_tok = arena_alloc_int(ar, R);
    s->new_score = arena_alloc(ar, R);
}

/* Encodes the batch and starts every sentence with one live hypothesis. */
static void search_start(search *s, const int *const *src, const int *src_len, arena *ar)
{
    const model_config *c = &s->m->cfg;
    int n = s->n, S = s->S, H = c->hidden;
    int *ids = arena_alloc_int(ar, (size_t)S * n);
    s->src_len = arena_alloc_int(ar, n);
    for (int b = 0; b < n; b++) {
        s->src_len[b] = src_len[b] > 0 ? src_len[b] : 1;
        for (int t = 0; t < S; t++) ids[t * n + b] = t < src_len[b] ? src[b][t] : VOCAB_PAD;
    }
    encoder_infer(s->m, &s->enc, ar, ids, s->src_len, S, n);
    s->keys = arena_alloc(ar, (size_t)S * n * H);
    attention_keys(s->m->w.attn_wa, s->enc.outputs[c->layers - 1], S * n, H, s->keys);
    search_alloc(s, ar);
    for (int l = 0; l < c->layers; l++) {
        memcpy(s->h[l], s->enc.final_h[l], (size_t)n * H * sizeof(float));
        memcpy(s->c[l], s->enc.final_c[l], (size_t)n * H * sizeof(float));
    }
    s->rows = n;
    for (int b = 0; b < n; b++) {
        s->row_sent[b] = b;
        s->first[b] = b;
        s->count[b] = 1;
        s->score[b] = 0;
        s->done[b] = 0;
        s->finished[b] = 0;
        s->best_norm[b] = -INFINITY;
        memset(&s->best[b], 0, sizeof s->best[b]);
    }
}

/* Attention for one row: [context h] in s->ctx_h, and the most attended source position. */
static void attend_row(search *s, int r, const float *h, float *scores)
{
    int n = s->n, H = s->m->cfg.hidden, b = s->row_sent[r], len = s->src_len[b];
    const float *enc = s->enc.outputs[s->m->cfg.layers - 1];
    gemv(0, len, H, 1, s->keys + (size_t)b * H, n * H, h, 0, scores);
    masked_softmax(scores, len, len);
    int arg = 0;
    for (int j = 1; j < len; j++) arg = scores[j] > scores[arg] ? j : arg;
    s->argpos[r] = arg;
    gemv(1, len, H, 1, enc + (size_t)b * H, n * H, scores, 0, s->ctx_h + (size_t)r * 2 * H);
    memcpy(s->ctx_h + (size_t)r * 2 * H + H, h, H * sizeof(float));
}

/* One decoder step for the live rows: next-token logits in s->logp, and in s->lse what
 * turns them into log-probabilities (for greedy search 0: raw logits rank the same). */
static void step_rows(search *s, int t)
{
    const model *m = s->m;
    const model_config *c = &m->cfg;
    int R = s->rows, H = c->hidden, V = c->tgt_vocab;
    for (int r = 0; r < R; r++) s->prev[r] = t == 0 ? VOCAB_BOS : s->hist[(size_t)r * s->maxlen + t - 1];
    embedding_forward(m->w.tgt_emb, c->emb, s->prev, R, s->x);
    const float *in = s->x;
    for (int l = 0; l < c->layers; l++) {
        lstm_step(&m->w.dec[l], R, in, s->h[l], s->c[l], s->work);
        in = s->h[l];
    }
    float scores[s->S];
    for (int r = 0; r < R; r++) attend_row(s, r, in + (size_t)r * H, scores);
    /* attentional state tanh([context h] Wc), Wc being [2H x H] */
    gemm(0, 0, R, H, 2 * H, 1, s->ctx_h, 2 * H, m->w.attn_wc, H, 0, s->att, H);
    tanh_inplace(s->att, (long)R * H);
    output_logits(m->w.out_w, m->w.out_b, s->att, R, H, V, s->logp);
    for (int r = 0; r < R; r++) {
        float *row = s->logp + (size_t)r * V;
        s->lse[r] = s->K > 1 ? log_sum_exp(row, V) : 0;
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

/* Offers row r's continuations, scored base + logit, to the candidate list. Blocks of
 * tokens none of which beats the current cut are skipped with one vectorized test. */
static void offer_row(search *s, int r, float base, int *n, int cap)
{
    enum { BLOCK = 16 };
    int V = s->m->cfg.tgt_vocab, v = 0;
    const float *logit = s->logp + (size_t)r * V;
    for (; v + BLOCK <= V; v += BLOCK) {
        if (*n == cap) {
            float cut = s->cand[cap - 1].score;
            int any = 0;
            for (int j = 0; j < BLOCK; j++) any |= base + logit[v + j] > cut;
            if (!any) continue;
        }
        for (int j = 0; j < BLOCK; j++) keep_top(s->cand, n, cap, base + logit[v + j], r, v + j);
    }
    for (; v < V; v++) keep_top(s->cand, n, cap, base + logit[v], r, v);
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

/* No live hypothesis can still beat the best finished one: log-probabilities only fall,
 * so score / maxlen^alpha bounds what a live one can reach. */
static int search_can_stop(const search *s, int b, const float *live, int n_live)
{
    if (s->finished[b] >= s->K || n_live == 0) return 1;
    if (s->best_norm[b] == -INFINITY) return 0;
    for (int k = 0; k < n_live; k++)
        if (normalized(s, live[k], decode_max_len(s->src_len[b])) > s->best_norm[b]) return 0;
    return 1;
}

/* Chooses sentence b's hypotheses for the next step and appends them to the new rows;
 * returns how many were appended. */
static int select_sentence(search *s, int b, int t, int out)
{
    int K = s->K, n = 0, cap = 2 * K, maxlen_b = decode_max_len(s->src_len[b]);
    for (int r = s->first[b]; r < s->first[b] + s->count[b]; r++)
        offer_row(s, r, s->score[r] - s->lse[r], &n, cap);
    int kept = 0;
    for (int i = 0; i < n && kept < K; i++) {
        candidate cd = s->cand[i];
        if (cd.token == VOCAB_EOS || t + 1 >= maxlen_b) {
            record_finished(s, b, cd.row, t, cd.score);
            continue;
        }
        s->new_row[out + kept] = cd.row;
        s->new_tok[out + kept] = cd.token;
        s->new_score[out + kept++] = cd.score;
    }
    if (search_can_stop(s, b, s->new_score + out, kept)) {
        s->done[b] = 1;
        return 0;
    }
    s->first[b] = out;
    s->count[b] = kept;
    return kept;
}

/* Moves the chosen hypotheses' states and histories into rows [0, rows). */
static void reorder_rows(search *s, int t, int rows)
{
    const model_config *c = &s->m->cfg;
    int H = c->hidden, ml = s->maxlen;
    const int *from = s->new_row;
    for (int l = 0; l < c->layers; l++) {
        float *bufs[2] = {s->h[l], s->c[l]};
        for (int q = 0; q < 2; q++) {
            for (int r = 0; r < rows; r++)
                memcpy(s->state_tmp + (size_t)r * H, bufs[q] + (size_t)from[r] * H, H * sizeof(float));
            memcpy(bufs[q], s->state_tmp, (size_t)rows * H * sizeof(float));
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        int *hist = pass ? s->hist_pos : s->hist;
        for (int r = 0; r < rows; r++) {
            memcpy(s->hist_tmp + (size_t)r * ml, hist + (size_t)from[r] * ml, t * sizeof(int));
            s->hist_tmp[(size_t)r * ml + t] = pass ? s->argpos[from[r]] : s->new_tok[r];
        }
        for (int r = 0; r < rows; r++)
            memcpy(hist + (size_t)r * ml, s->hist_tmp + (size_t)r * ml, (t + 1) * sizeof(int));
    }
    for (int r = 0; r < rows; r++) s->score[r] = s->new_score[r];
    for (int b = 0; b < s->n; b++)
        if (!s->done[b])
            for (int r = s->first[b]; r < s->first[b] + s->count[b]; r++) s->row_sent[r] = b;
}

void decode_sentences(const model *m, const int *const *src, const int *src_len, int n,
                      const decode_options *o, arena *ar, hypothesis *out)
{
    if (n <= 0) return;
    search s;
    memset(&s, 0, sizeof s);
    s.m = m; s.n = n; s.K = o->beam > 0 ? o->beam : 1;
    s.alpha = o->len_alpha;
    s.S = 1;
    for (int b = 0; b < n; b++) s.S = src_len[b] > s.S ? src_len[b] : s.S;
    s.maxlen = decode_max_len(s.S);
    s.best = out;
    search_start(&s, src, src_len, ar);
    for (int t = 0; t < s.maxlen && s.rows > 0; t++) {
        step_rows(&s, t);
        int rows = 0;
        for (int b = 0; b < n; b++)
            if (!s.done[b]) rows += select_sentence(&s, b, t, rows);
        reorder_rows(&s, t, rows);
        s.rows = rows;
    }
}

void hypothesis_free(hypothesis *h)
{
    free(h->tokens);
    free(h->src_pos);
    memset(h, 0, sizeof *h);
}
