#include "search/decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/activations.h"
#include "nn/decoder.h"
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
    int n, K, N, S, maxlen, rows;  /* N: finished hypotheses kept per sentence */
    float alpha;
    int logprob, attention;
    int *src_len;
    encoder_state enc;
    decoder_rows dec;          /* the decoder's state of every live row */
    float *logp;
    int *prev;
    int *first, *count;        /* [n] rows of sentence b: [first, first + count) */
    float *score;              /* [R] log-probability of each live hypothesis */
    float *lse;                /* [R] log of the softmax denominator of each row's logits */
    int *hist, *hist_pos, *hist_tmp;  /* [R][maxlen] tokens and attended positions */
    float *hist_att, *att_tmp; /* [R][maxlen][S] attention weights, when kept */
    candidate *cand;           /* [2K] */
    int *done;                 /* [n] */
    hypothesis *best;          /* [n][N] best finished so far, best first */
    int *kept;                 /* [n] how many of them there are */
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
    int R = s->n * s->K, n = s->n;
    s->logp = arena_alloc(ar, (size_t)R * c->tgt_vocab);
    s->prev = arena_alloc_int(ar, R);
    s->score = arena_alloc(ar, R);
    s->lse = arena_alloc(ar, R);
    s->hist = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->hist_pos = arena_alloc_int(ar, (size_t)R * s->maxlen);
    s->hist_tmp = arena_alloc_int(ar, (size_t)R * s->maxlen);
    if (s->attention) {
        s->hist_att = arena_alloc(ar, (size_t)R * s->maxlen * s->S);
        s->att_tmp = arena_alloc(ar, (size_t)R * s->maxlen * s->S);
    }
    s->cand = (candidate *)arena_alloc(ar, (2 * (size_t)s->K * sizeof(candidate) + sizeof(float) - 1) / sizeof(float));
    s->first = arena_alloc_int(ar, n);
    s->count = arena_alloc_int(ar, n);
    s->done = arena_alloc_int(ar, n);
    s->finished = arena_alloc_int(ar, n);
    s->kept = arena_alloc_int(ar, n);
    s->new_row = arena_alloc_int(ar, R);
    s->new_tok = arena_alloc_int(ar, R);
    s->new_score = arena_alloc(ar, R);
}

/* Encodes the batch and starts every sentence with one live hypothesis. */
static void search_start(search *s, const int *const *src, const int *src_len, arena *ar)
{
    int n = s->n, S = s->S;
    int *ids = arena_alloc_int(ar, (size_t)S * n);
    s->src_len = arena_alloc_int(ar, n);
    for (int b = 0; b < n; b++) {
        s->src_len[b] = src_len[b] > 0 ? src_len[b] : 1;
        for (int t = 0; t < S; t++) ids[t * n + b] = t < src_len[b] ? src[b][t] : VOCAB_PAD;
    }
    encoder_infer(s->m, &s->enc, ar, ids, s->src_len, S, n);
    decoder_rows_start(&s->dec, s->m, &s->enc, s->src_len, n * s->K, ar);
    if (s->attention) s->dec.weights = arena_alloc(ar, (size_t)n * s->K * S);
    search_alloc(s, ar);
    s->rows = n;
    for (int b = 0; b < n; b++) {
        s->first[b] = b;
        s->count[b] = 1;
        s->score[b] = 0;
        s->done[b] = 0;
        s->finished[b] = 0;
        s->kept[b] = 0;
        memset(&s->best[(size_t)b * s->N], 0, s->N * sizeof *s->best);
    }
}

/* One decoder step for the live rows: next-token logits in s->logp, and in s->lse what
 * turns them into log-probabilities (for greedy search 0: raw logits rank the same). */
static void step_rows(search *s, int t)
{
    int R = s->rows, V = s->m->cfg.tgt_vocab;
    for (int r = 0; r < R; r++) s->prev[r] = t == 0 ? VOCAB_BOS : s->hist[(size_t)r * s->maxlen + t - 1];
    decoder_rows_step(&s->dec, s->prev, s->logp);
    for (int r = 0; r < R; r++) {
        float *row = s->logp + (size_t)r * V;
        s->lse[r] = s->K > 1 || s->logprob ? log_sum_exp(row, V) : 0;
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

/* The normalised score a finished hypothesis of sentence b must beat to be kept. */
static float keep_bar(const search *s, int b)
{
    return s->kept[b] < s->N ? -INFINITY : s->best[(size_t)b * s->N + s->N - 1].norm;
}

/* Copies row's history (t tokens, and the attention of each step and of step t) into h. */
static void fill_hypothesis(const search *s, hypothesis *h, int b, int row, int t)
{
    int len = t, S = s->S, Sb = s->src_len[b];
    h->tokens = xrealloc(h->tokens, (len ? len : 1) * sizeof(int));
    h->src_pos = xrealloc(h->src_pos, (len ? len : 1) * sizeof(int));
    memcpy(h->tokens, s->hist + (size_t)row * s->maxlen, len * sizeof(int));
    memcpy(h->src_pos, s->hist_pos + (size_t)row * s->maxlen, len * sizeof(int));
    h->len = len;
    if (!s->attention) return;
    h->attention = xrealloc(h->attention, (size_t)(len + 1) * Sb * sizeof(float));
    for (int i = 0; i < len; i++)
        memcpy(h->attention + (size_t)i * Sb, s->hist_att + ((size_t)row * s->maxlen + i) * S, Sb * sizeof(float));
    memcpy(h->attention + (size_t)len * Sb, s->dec.weights + (size_t)row * S, Sb * sizeof(float));
}

/* The kept hypothesis of sentence b with row's first t tokens, or -1. Two can end alike: at
 * the length limit, continuations of one row that differ only in the token cut off. */
static int kept_twin(const search *s, int b, int row, int t)
{
    const hypothesis *list = s->best + (size_t)b * s->N;
    const int *tokens = s->hist + (size_t)row * s->maxlen;
    for (int i = 0; i < s->kept[b]; i++)
        if (list[i].len == t && !memcmp(list[i].tokens, tokens, t * sizeof *tokens)) return i;
    return -1;
}

/* Row `row` of sentence b ends at step t with total log-probability score: kept among the
 * sentence's best N, in order, if it is good enough and not one of them already. */
static void record_finished(search *s, int b, int row, int t, float score)
{
    float norm = normalized(s, score, t + 1);
    s->finished[b]++;
    if (norm <= keep_bar(s, b)) return;
    hypothesis *list = s->best + (size_t)b * s->N;
    int twin = s->N > 1 ? kept_twin(s, b, row, t) : -1;
    if (twin >= 0) {
        if (norm <= list[twin].norm) return;
        hypothesis gone = list[twin]; /* the worse twin leaves; its buffers go last */
        for (int i = twin; i + 1 < s->kept[b]; i++) list[i] = list[i + 1];
        list[--s->kept[b]] = gone;
    }
    int at = s->kept[b] < s->N ? s->kept[b]++ : s->N - 1;
    hypothesis spare = list[at]; /* the one dropped, its buffers reused */
    for (; at > 0 && list[at - 1].norm < norm; at--) list[at] = list[at - 1];
    list[at] = spare;
    fill_hypothesis(s, &list[at], b, row, t);
    list[at].score = score;
    list[at].norm = norm;
}

/* No live hypothesis can still make the best N finished ones: log-probabilities only fall,
 * so score / maxlen^alpha bounds what a live one can reach. */
static int search_can_stop(const search *s, int b, const float *live, int n_live)
{
    if (s->finished[b] >= s->K || n_live == 0) return 1;
    float bar = keep_bar(s, b);
    if (bar == -INFINITY) return 0;
    for (int k = 0; k < n_live; k++)
        if (normalized(s, live[k], decode_max_len(s->src_len[b])) > bar) return 0;
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
    int ml = s->maxlen;
    const int *from = s->new_row;
    for (int pass = 0; pass < 2; pass++) {
        int *hist = pass ? s->hist_pos : s->hist;
        for (int r = 0; r < rows; r++) {
            memcpy(s->hist_tmp + (size_t)r * ml, hist + (size_t)from[r] * ml, t * sizeof(int));
            s->hist_tmp[(size_t)r * ml + t] = pass ? s->dec.attended[from[r]] : s->new_tok[r];
        }
        for (int r = 0; r < rows; r++)
            memcpy(hist + (size_t)r * ml, s->hist_tmp + (size_t)r * ml, (t + 1) * sizeof(int));
    }
    if (s->attention) {
        size_t per = (size_t)ml * s->S;
        for (int r = 0; r < rows; r++) {
            memcpy(s->att_tmp + r * per, s->hist_att + from[r] * per, (size_t)t * s->S * sizeof(float));
            memcpy(s->att_tmp + r * per + (size_t)t * s->S, s->dec.weights + (size_t)from[r] * s->S, s->S * sizeof(float));
        }
        memcpy(s->hist_att, s->att_tmp, rows * per * sizeof(float));
    }
    for (int r = 0; r < rows; r++) s->score[r] = s->new_score[r];
    decoder_rows_select(&s->dec, from, rows);
}

void decode_sentences(const model *m, const int *const *src, const int *src_len, int n,
                      const decode_options *o, arena *ar, hypothesis *out)
{
    if (n <= 0) return;
    search s;
    memset(&s, 0, sizeof s);
    s.m = m; s.n = n; s.K = o->beam > 0 ? o->beam : 1;
    s.N = o->nbest > 1 ? o->nbest : 1; /* more than the beam: no more than K are found */
    s.alpha = o->len_alpha;
    s.logprob = o->logprob;
    s.attention = o->attention;
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
    free(h->attention);
    memset(h, 0, sizeof *h);
}
