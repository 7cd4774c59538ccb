#include "data/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "store/crc32c.h"
#include "text/vocab.h"

void dataset_init(dataset *d) { memset(d, 0, sizeof *d); }

void dataset_free(dataset *d)
{
    free(d->ids); free(d->src_off); free(d->src_len); free(d->tgt_len);
    dataset_init(d);
}

void dataset_clear(dataset *d)
{
    d->n = 0;
    d->used_ids = 0;
}

static size_t id_bytes(const dataset *d) { return d->wide ? sizeof(int) : sizeof(unsigned short); }

static void reserve_ids(dataset *d, long more)
{
    if (d->used_ids + more <= d->cap_ids) return;
    d->cap_ids = (d->used_ids + more) * 2 + 1024;
    d->ids = xrealloc(d->ids, (size_t)d->cap_ids * id_bytes(d));
}

/* From 16-bit ids to int, in place (from the end, so that nothing is overwritten unread). */
static void widen(dataset *d)
{
    if (d->wide) return;
    d->wide = 1;
    d->ids = xrealloc(d->ids, ((size_t)d->cap_ids + 1) * sizeof(int));
    const unsigned short *narrow = d->ids;
    int *wide = d->ids;
    for (long i = d->used_ids - 1; i >= 0; i--) wide[i] = narrow[i];
}

static void append_ids(dataset *d, const int *ids, int n)
{
    for (int i = 0; i < n && !d->wide; i++)
        if (ids[i] < 0 || ids[i] > 65535) widen(d);
    reserve_ids(d, n);
    if (d->wide) {
        memcpy((int *)d->ids + d->used_ids, ids, (size_t)n * sizeof *ids);
    } else {
        unsigned short *to = (unsigned short *)d->ids + d->used_ids;
        for (int i = 0; i < n; i++) to[i] = (unsigned short)ids[i];
    }
    d->used_ids += n;
}

static void reserve_pairs(dataset *d, long more)
{
    if (d->n + more <= d->cap_pairs) return;
    d->cap_pairs = (d->n + more) * 2 + 256;
    d->src_off = xrealloc(d->src_off, d->cap_pairs * sizeof(long));
    d->src_len = xrealloc(d->src_len, d->cap_pairs * sizeof(int));
    d->tgt_len = xrealloc(d->tgt_len, d->cap_pairs * sizeof(int));
}

void dataset_add(dataset *d, const int *src, int src_len, const int *tgt, int tgt_len)
{
    reserve_pairs(d, 1);
    d->src_off[d->n] = d->used_ids;
    d->src_len[d->n] = src_len;
    d->tgt_len[d->n] = tgt_len;
    d->n++;
    append_ids(d, src, src_len);
    append_ids(d, tgt, tgt_len);
}

void dataset_append(dataset *d, const dataset *from)
{
    if (from->wide) widen(d);
    reserve_ids(d, from->used_ids);
    if (d->wide == from->wide) {
        memcpy((char *)d->ids + (size_t)d->used_ids * id_bytes(d), from->ids, (size_t)from->used_ids * id_bytes(d));
    } else { /* 16-bit ids into int ones */
        int *to = (int *)d->ids + d->used_ids;
        for (long i = 0; i < from->used_ids; i++) to[i] = dataset_id(from, i);
    }
    reserve_pairs(d, from->n);
    for (long i = 0; i < from->n; i++) {
        d->src_off[d->n + i] = d->used_ids + from->src_off[i];
        d->src_len[d->n + i] = from->src_len[i];
        d->tgt_len[d->n + i] = from->tgt_len[i];
    }
    d->n += from->n;
    d->used_ids += from->used_ids;
}

void dataset_trim(dataset *d)
{
    d->cap_ids = d->used_ids;
    d->cap_pairs = d->n;
    d->ids = xrealloc(d->ids, ((size_t)d->cap_ids + 1) * id_bytes(d));
    d->src_off = xrealloc(d->src_off, ((size_t)d->cap_pairs + 1) * sizeof(long));
    d->src_len = xrealloc(d->src_len, ((size_t)d->cap_pairs + 1) * sizeof(int));
    d->tgt_len = xrealloc(d->tgt_len, ((size_t)d->cap_pairs + 1) * sizeof(int));
}

uint32_t dataset_digest(const dataset *d, uint32_t h)
{
    h = crc32c(h, &d->wide, sizeof d->wide);
    h = crc32c(h, d->ids, (size_t)d->used_ids * id_bytes(d));
    h = crc32c(h, d->src_len, (size_t)d->n * sizeof(int));
    return crc32c(h, d->tgt_len, (size_t)d->n * sizeof(int));
}

static void shuffle(long *a, long n, rng_t *rng)
{
    for (long i = n - 1; i > 0; i--) {
        long j = (long)rng_below(rng, (uint64_t)i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

typedef struct {
    int src_len, tgt_len;
    long pair;
} pair_key;

static int by_length(const void *pa, const void *pb)
{
    const pair_key *a = pa, *b = pb;
    if (a->src_len != b->src_len) return a->src_len - b->src_len;
    if (a->tgt_len != b->tgt_len) return a->tgt_len - b->tgt_len;
    return (a->pair > b->pair) - (a->pair < b->pair);
}

/* Sorts order[0..n) by source length, then target length, then pair number. */
static void sort_by_length(const dataset *d, long *order, long n)
{
    pair_key *key = xmalloc((n ? n : 1) * sizeof *key);
    for (long i = 0; i < n; i++) key[i] = (pair_key){d->src_len[order[i]], d->tgt_len[order[i]], order[i]};
    qsort(key, (size_t)n, sizeof *key, by_length);
    for (long i = 0; i < n; i++) order[i] = key[i].pair;
    free(key);
}

/* The padded size of a batch as the token budget counts it: pairs times the longest side of
 * any of them (target counting </s>), which is what its activations grow with. */
static long pair_cost(const dataset *d, long pair)
{
    long s = d->src_len[pair], t = d->tgt_len[pair] + 1L;
    return s > t ? s : t;
}

/* Cuts the sorted order into batches: at most batch_size pairs each and, with max_tokens,
 * at most max_tokens padded tokens (a pair alone over the budget is a batch of its own).
 * Writes the segment starts into cuts ([n + 1]) and returns their number. */
static long cut_batches(const dataset *d, const long *order, long n, int batch_size,
                        long max_tokens, long *cuts)
{
    long k = 0, longest = 0;
    for (long i = 0; i < n; i++) {
        long count = k ? i - cuts[k - 1] : 0, c = pair_cost(d, order[i]);
        long widest = c > longest ? c : longest;
        if (k == 0 || count == batch_size || (max_tokens > 0 && (count + 1) * widest > max_tokens)) {
            cuts[k++] = i;
            widest = c;
        }
        longest = widest;
    }
    cuts[k] = n;
    return k;
}

void epoch_plan_make(const dataset *d, int batch_size, long max_tokens, rng_t *rng, epoch_plan *p)
{
    long n = d->n, window = (long)batch_size * 50;
    p->order = xrealloc(p->order, (n ? n : 1) * sizeof(long));
    for (long i = 0; i < n; i++) p->order[i] = i;
    shuffle(p->order, n, rng);
    for (long w = 0; w < n; w += window) sort_by_length(d, p->order + w, n - w < window ? n - w : window);
    long *cuts = xmalloc((n + 1) * sizeof *cuts);
    p->n_batches = cut_batches(d, p->order, n, batch_size, max_tokens, cuts);
    p->start = xrealloc(p->start, (p->n_batches + 1) * sizeof(long));
    /* Shuffle the batches themselves, then lay out their starts. */
    long *perm = xmalloc((p->n_batches ? p->n_batches : 1) * sizeof(long));
    for (long k = 0; k < p->n_batches; k++) perm[k] = k;
    shuffle(perm, p->n_batches, rng);
    long *sorted = xmalloc((n ? n : 1) * sizeof(long)), pos = 0;
    for (long k = 0; k < p->n_batches; k++) {
        p->start[k] = pos;
        for (long i = cuts[perm[k]]; i < cuts[perm[k] + 1]; i++) sorted[pos++] = p->order[i];
    }
    p->start[p->n_batches] = pos;
    free(p->order);
    p->order = sorted;
    free(perm);
    free(cuts);
}

void epoch_plan_free(epoch_plan *p)
{
    free(p->order);
    free(p->start);
    memset(p, 0, sizeof *p);
}

void batch_fill(batch *bt, const dataset *d, const long *idx, int n, arena *ar)
{
    int S = 1, T = 1;
    for (int b = 0; b < n; b++) {
        if (d->src_len[idx[b]] > S) S = d->src_len[idx[b]];
        if (d->tgt_len[idx[b]] + 1 > T) T = d->tgt_len[idx[b]] + 1;
    }
    bt->B = n; bt->S = S; bt->T = T;
    bt->src = arena_alloc_int(ar, (size_t)S * n);
    bt->tgt_in = arena_alloc_int(ar, (size_t)T * n);
    bt->tgt_out = arena_alloc_int(ar, (size_t)T * n);
    bt->src_len = arena_alloc_int(ar, n);
    bt->tgt_len = arena_alloc_int(ar, n);
    bt->tgt_tokens = 0;
    for (int b = 0; b < n; b++) {
        long s = d->src_off[idx[b]];
        int sl = d->src_len[idx[b]], tl = d->tgt_len[idx[b]];
        long t = s + sl;
        bt->src_len[b] = sl > 0 ? sl : 1; /* an empty source still has one (padding) step */
        bt->tgt_len[b] = tl + 1;
        bt->tgt_tokens += tl + 1;
        for (int i = 0; i < S; i++) bt->src[i * n + b] = i < sl ? dataset_id(d, s + i) : VOCAB_PAD;
        for (int i = 0; i < T; i++) {
            bt->tgt_in[i * n + b] = i == 0 ? VOCAB_BOS : i <= tl ? dataset_id(d, t + i - 1) : VOCAB_PAD;
            bt->tgt_out[i * n + b] = i < tl ? dataset_id(d, t + i) : i == tl ? VOCAB_EOS : VOCAB_PAD;
        }
    }
}
