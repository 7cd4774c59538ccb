#include "text/bpe.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "sys/parallel.h"
#include "sys/util.h"

/* Symbol ids: 0..511 are the byte units (byte * 2 + final), then the alphabet, then one id
 * per merge in rank order, so a merge's id is also its rank (offset by FIRST_CHAR + A). */
enum { NUM_BYTE_SYMS = 512, FIRST_CHAR = NUM_BYTE_SYMS, BPE_VERSION = 1 };
#define MARK_LEN 3
#define BYTE_OPEN "\xe2\x8c\xa9"   /* U+2329 */
#define BYTE_CLOSE "\xe2\x8c\xaa"  /* U+232A */

/* ---- hash maps ---------------------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* Byte-string keys (copied into one arena) to an int64 value. */
typedef struct {
    uint64_t hash;
    size_t off;     /* SIZE_MAX: empty slot */
    size_t len;
    int64_t value;
} smap_entry;

typedef struct {
    smap_entry *slots;
    size_t cap, n;  /* cap: a power of two, at most half full */
    char *keys;
    size_t keys_len, keys_cap;
} smap;

static void smap_init(smap *m)
{
    m->cap = 64;
    m->n = 0;
    m->slots = xmalloc(m->cap * sizeof *m->slots);
    for (size_t i = 0; i < m->cap; i++) m->slots[i].off = SIZE_MAX;
    m->keys = NULL;
    m->keys_len = m->keys_cap = 0;
}

static void smap_free(smap *m)
{
    free(m->slots);
    free(m->keys);
}

static smap_entry *smap_slot(const smap *m, smap_entry *slots, size_t cap, const char *s,
                             size_t len, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].off != SIZE_MAX &&
           (slots[i].hash != h || slots[i].len != len || memcmp(m->keys + slots[i].off, s, len)))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static smap_entry *smap_find(const smap *m, const char *s, size_t len)
{
    smap_entry *e = smap_slot(m, m->slots, m->cap, s, len, hash_bytes(s, len));
    return e->off == SIZE_MAX ? NULL : e;
}

static void smap_grow(smap *m)
{
    size_t cap = m->cap * 2;
    smap_entry *slots = xmalloc(cap * sizeof *slots);
    for (size_t i = 0; i < cap; i++) slots[i].off = SIZE_MAX;
    for (size_t i = 0; i < m->cap; i++) {
        smap_entry *e = &m->slots[i];
        if (e->off == SIZE_MAX) continue;
        size_t j = (size_t)e->hash & (cap - 1);
        while (slots[j].off != SIZE_MAX) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

/* The entry of key s, created with value 0 when absent. */
static smap_entry *smap_get(smap *m, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    smap_entry *e = smap_slot(m, m->slots, m->cap, s, len, h);
    if (e->off != SIZE_MAX) return e;
    if (m->keys_len + len > m->keys_cap) {
        m->keys_cap = 2 * (m->keys_len + len) + 256;
        m->keys = xrealloc(m->keys, m->keys_cap);
    }
    if (len) memcpy(m->keys + m->keys_len, s, len);
    *e = (smap_entry){h, m->keys_len, len, 0};
    m->keys_len += len;
    if (++m->n * 2 > m->cap) {
        smap_grow(m);
        e = smap_slot(m, m->slots, m->cap, s, len, h);
    }
    return e;
}

/* uint64 keys to an int64 value; keys are stored plus one, 0 marking an empty slot. Key and
 * value share a slot: one cache miss per lookup in the big pair tables. */
typedef struct {
    uint64_t key;
    int64_t val;
} umap_slot_t;

typedef struct {
    umap_slot_t *slots;
    size_t cap, n;
} umap;

static void umap_init(umap *m)
{
    m->cap = 64;
    m->n = 0;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
}

static void umap_free(umap *m) { free(m->slots); }

static size_t umap_slot(const umap *m, uint64_t key)
{
    size_t i = (size_t)hash_u64(key) & (m->cap - 1);
    while (m->slots[i].key && m->slots[i].key != key + 1) i = (i + 1) & (m->cap - 1);
    return i;
}

/* The value of key, or -1 when absent. */
static int64_t umap_lookup(const umap *m, uint64_t key)
{
    size_t i = umap_slot(m, key);
    return m->slots[i].key ? m->slots[i].val : -1;
}

static void umap_grow(umap *m)
{
    umap old = *m;
    m->cap *= 2;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key) m->slots[umap_slot(m, old.slots[i].key - 1)] = old.slots[i];
    umap_free(&old);
}

/* The value of key, created as init when absent. */
static int64_t *umap_get(umap *m, uint64_t key, int64_t init)
{
    size_t i = umap_slot(m, key);
    if (!m->slots[i].key) {
        if ((m->n + 1) * 2 > m->cap) {
            umap_grow(m);
            i = umap_slot(m, key);
        }
        m->slots[i] = (umap_slot_t){key + 1, init};
        m->n++;
    }
    return &m->slots[i].val;
}

/* ---- characters and words ---------------------------------------------------------------- */

/* The codepoint at s[0..n) into *cp; returns its length, or -1 when the bytes there are not
 * valid UTF-8. */
static int next_cp(const char *s, size_t n, int32_t *cp)
{
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          n > 4 ? 4 : (utf8proc_ssize_t)n, cp);
    return k > 0 ? (int)k : -1;
}

/* Characters that may be alphabet symbols: not space or control (so units are vocabulary
 * tokens) and not the marks reserved for unit strings. */
static int char_allowed(int32_t cp)
{
    if (cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return 0;
    if (cp == 0xFE6B || cp == 0x2329 || cp == 0x232A) return 0;
    return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

static uint64_t variant_key(int32_t cp, int final) { return (uint64_t)cp * 2 + (final != 0); }

/* A Han/kana/bopomofo character that starts a token: is_cjk and not a combining mark (the
 * kana voicing marks U+3099/U+309A are is_cjk but stay with the character before them). */
static int is_han_start(int32_t cp)
{
    if (!is_cjk(cp)) return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC && cat != UTF8PROC_CATEGORY_ME;
}

/* A token the Chinese tokenizer makes of a Han character: one is_han_start character, then
 * none (marks may follow). */
static int is_han_token(const char *t, size_t n)
{
    int32_t cp;
    int k = next_cp(t, n, &cp);
    if (k < 0 || !is_han_start(cp)) return 0;
    for (size_t i = (size_t)k; i < n; i += (size_t)k) {
        k = next_cp(t + i, n - i, &cp);
        if (k < 0 || is_han_start(cp)) return 0;
    }
    return 1;
}

typedef void (*word_fn)(void *ctx, const char *w, size_t len);

/* Calls fn on each word of tokens[0..n): a token, or a run of Han tokens joined in *buf. */
static void for_each_word(int han_runs, const char *const *tok, int n, char **buf, size_t *cap,
                          word_fn fn, void *ctx)
{
    size_t run = 0;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(tok[i]);
        if (k == 0) continue;
        if (han_runs && is_han_token(tok[i], k)) {
            if (run + k > *cap) {
                *cap = 2 * (run + k) + 64;
                *buf = xrealloc(*buf, *cap);
            }
            memcpy(*buf + run, tok[i], k);
            run += k;
            continue;
        }
        if (run) fn(ctx, *buf, run);
        run = 0;
        fn(ctx, tok[i], k);
    }
    if (run) fn(ctx, *buf, run);
}

/* ---- counting ---------------------------------------------------------------------------- */

struct bpe_counter {
    int han_runs;
    smap words;
    char *run;
    size_t run_cap;
};

bpe_counter *bpe_counter_new(int han_runs)
{
    bpe_counter *c = xcalloc(1, sizeof *c);
    c->han_runs = han_runs != 0;
    smap_init(&c->words);
    return c;
}

void bpe_counter_free(bpe_counter *c)
{
    if (!c) return;
    smap_free(&c->words);
    free(c->run);
    free(c);
}

void bpe_counter_add_word(bpe_counter *c, const char *word, size_t len, long count)
{
    if (len == 0 || count <= 0) return;
    smap_get(&c->words, word, len)->value += count;
}

static void count_word(void *ctx, const char *w, size_t len)
{
    bpe_counter_add_word(ctx, w, len, 1);
}

void bpe_counter_add_tokens(bpe_counter *c, const char *const *tokens, int n)
{
    for_each_word(c->han_runs, tokens, n, &c->run, &c->run_cap, count_word, c);
}

size_t bpe_counter_types(const bpe_counter *c) { return c->words.n; }

long bpe_counter_count(const bpe_counter *c, const char *word, size_t len)
{
    const smap_entry *e = smap_find(&c->words, word, len);
    return e ? (long)e->value : 0;
}

void bpe_counter_absorb(bpe_counter *into, const bpe_counter *from)
{
    for (size_t i = 0; i < from->words.cap; i++) {
        const smap_entry *e = &from->words.slots[i];
        if (e->off != SIZE_MAX)
            bpe_counter_add_word(into, from->words.keys + e->off, e->len, (long)e->value);
    }
}

typedef struct {
    lang_t lang;
    const char *const *lines;
    const size_t *lens;
    long n;
    int workers;
    bpe_counter **counters;
    long *refused;
} count_job;

static void count_share(void *ctx, int w)
{
    count_job *job = ctx;
    long begin, end;
    parallel_share(job->n, job->workers, w, &begin, &end);
    token_list t;
    token_list_init(&t);
    for (long i = begin; i < end; i++) {
        if (text_tokenize(job->lang, job->lines[i], job->lens[i], &t) < 0) {
            job->refused[w]++;
            continue;
        }
        bpe_counter_add_tokens(job->counters[w], (const char *const *)t.tok, t.n);
    }
    token_list_free(&t);
}

bpe_counter *bpe_count_lines(lang_t lang, const char *const *lines, const size_t *lens, long n,
                             int han_runs, int threads, long *refused)
{
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    if (n < 1000) threads = 1;   /* a thread is not worth it for a handful of lines */
    count_job job = {lang, lines, lens, n, threads, xmalloc((size_t)threads * sizeof(bpe_counter *)),
                     xcalloc((size_t)threads, sizeof(long))};
    for (int w = 0; w < threads; w++) job.counters[w] = bpe_counter_new(han_runs);
    parallel_run(threads, count_share, &job);
    long bad = 0;
    for (int w = 0; w < threads; w++) {
        bad += job.refused[w];
        if (w > 0) {
            bpe_counter_absorb(job.counters[0], job.counters[w]);
            bpe_counter_free(job.counters[w]);
        }
    }
    if (refused) *refused = bad;
    bpe_counter *c = job.counters[0];
    free(job.counters);
    free(job.refused);
    return c;
}

/* ---- the model --------------------------------------------------------------------------- */

struct bpe {
    int han_runs;
    int n_alpha, n_merges, n_sym;
    uint32_t *alpha;          /* codepoint | final << 31, for ids FIRST_CHAR.. */
    int32_t *left, *right;    /* merge r joins left[r] and right[r] */
    size_t merge_cap;
    umap char_id;             /* variant_key -> symbol id */
    umap merge_id;            /* left << 32 | right -> merged symbol id */
    /* per symbol, filled by model_finish: */
    unsigned char *final;
    int *nchars;
    char **text;              /* the characters (byte units: "〈E4〉") */
    char **unit;              /* text, then BPE_MARK unless final */
    char *text_arena, *unit_arena;
};

static uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t)(uint32_t)a << 32 | (uint32_t)b; }

static bpe *model_new(int han_runs)
{
    bpe *b = xcalloc(1, sizeof *b);
    b->han_runs = han_runs;
    umap_init(&b->char_id);
    umap_init(&b->merge_id);
    return b;
}

void bpe_free(bpe *b)
{
    if (!b) return;
    free(b->alpha);
    free(b->left);
    free(b->right);
    umap_free(&b->char_id);
    umap_free(&b->merge_id);
    free(b->final);
    free(b->nchars);
    free(b->text);
    free(b->unit);
    free(b->text_arena);
    free(b->unit_arena);
    free(b);
}

static int sym_final(const bpe *b, int32_t id)
{
    if (id < FIRST_CHAR) return id & 1;
    if (id < FIRST_CHAR + b->n_alpha) return (int)(b->alpha[id - FIRST_CHAR] >> 31);
    return sym_final(b, b->right[id - FIRST_CHAR - b->n_alpha]);
}

/* Appends merge (l, r) as the next symbol. */
static void model_add_merge(bpe *b, int32_t l, int32_t r)
{
    if ((size_t)b->n_merges == b->merge_cap) {
        b->merge_cap = b->merge_cap ? 2 * b->merge_cap : 1024;
        b->left = xrealloc(b->left, b->merge_cap * sizeof *b->left);
        b->right = xrealloc(b->right, b->merge_cap * sizeof *b->right);
    }
    b->left[b->n_merges] = l;
    b->right[b->n_merges] = r;
    *umap_get(&b->merge_id, pair_key(l, r), 0) = FIRST_CHAR + b->n_alpha + b->n_merges;
    b->n_merges++;
}

/* The text of every symbol and its unit string; n_sym set. */
static void model_finish(bpe *b)
{
    int n = b->n_sym = FIRST_CHAR + b->n_alpha + b->n_merges;
    b->final = xmalloc((size_t)n);
    b->nchars = xmalloc((size_t)n * sizeof *b->nchars);
    size_t *len = xmalloc((size_t)n * sizeof *len), total = 0;
    for (int id = 0; id < n; id++) {
        b->final[id] = (unsigned char)sym_final(b, id);
        if (id < FIRST_CHAR) {
            len[id] = 2 * 3 + 2;
            b->nchars[id] = 1;
        } else if (id < FIRST_CHAR + b->n_alpha) {
            unsigned char tmp[4];
            len[id] = (size_t)utf8proc_encode_char((int32_t)(b->alpha[id - FIRST_CHAR] & 0x7fffffff), tmp);
            b->nchars[id] = 1;
        } else {
            int r = id - FIRST_CHAR - b->n_alpha;
            len[id] = len[b->left[r]] + len[b->right[r]];
            b->nchars[id] = b->nchars[b->left[r]] + b->nchars[b->right[r]];
        }
        total += len[id] + 1;
    }
    b->text_arena = xmalloc(total);
    b->unit_arena = xmalloc(total + (size_t)n * MARK_LEN);
    b->text = xmalloc((size_t)n * sizeof *b->text);
    b->unit = xmalloc((size_t)n * sizeof *b->unit);
    char *t = b->text_arena, *u = b->unit_arena;
    for (int id = 0; id < n; id++) {
        b->text[id] = t;
        if (id < FIRST_CHAR) {
            static const char hex[] = "0123456789ABCDEF";
            int byte = id >> 1;
            memcpy(t, BYTE_OPEN, 3);
            t[3] = hex[byte >> 4];
            t[4] = hex[byte & 15];
            memcpy(t + 5, BYTE_CLOSE, 3);
        } else if (id < FIRST_CHAR + b->n_alpha) {
            utf8proc_encode_char((int32_t)(b->alpha[id - FIRST_CHAR] & 0x7fffffff), (unsigned char *)t);
        } else {
            int r = id - FIRST_CHAR - b->n_alpha;
            size_t k = len[b->left[r]];
            memcpy(t, b->text[b->left[r]], k);
            memcpy(t + k, b->text[b->right[r]], len[b->right[r]]);
        }
        t[len[id]] = 0;
        t += len[id] + 1;
        b->unit[id] = u;
        memcpy(u, b->text[id], len[id]);
        u += len[id];
        if (!b->final[id]) {
            memcpy(u, BPE_MARK, MARK_LEN);
            u += MARK_LEN;
        }
        *u++ = 0;
    }
    free(len);
}

int bpe_han_runs(const bpe *b) { return b->han_runs; }
int bpe_num_merges(const bpe *b) { return b->n_merges; }
int bpe_num_chars(const bpe *b) { return b->n_alpha; }

int bpe_merge(const bpe *b, int r, const char **left, const char **right, const char **result)
{
    if (r < 0 || r >= b->n_merges) return -1;
    *left = b->unit[b->left[r]];
    *right = b->unit[b->right[r]];
    *result = b->unit[FIRST_CHAR + b->n_alpha + r];
    return 0;
}

/* The initial symbols of word w[0..len) into out (room for len): alphabet characters, the
 * rest as bytes. Returns how many. */
static size_t word_symbols(const bpe *b, const char *w, size_t len, int32_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        int k = next_cp(w + i, len - i, &cp);
        int64_t id = -1;
        if (k > 0 && char_allowed(cp)) id = umap_lookup(&b->char_id, variant_key(cp, i + (size_t)k == len));
        if (k < 0) k = 1;
        if (id >= 0) {
            out[n++] = (int32_t)id;
        } else {
            for (int j = 0; j < k; j++)
                out[n++] = (unsigned char)w[i + (size_t)j] * 2 + (i + (size_t)j + 1 == len);
        }
        i += (size_t)k;
    }
    return n;
}

/* ---- learning ---------------------------------------------------------------------------- */

void bpe_options_default(bpe_options *o)
{
    o->vocab_size = 32000;
    o->char_coverage = 0.9999;
    o->max_unit_chars = 16;
    o->min_pair_count = 2;
    o->threads = 2;
}

typedef struct {
    uint64_t key;
    int64_t count;
} variant_count;

static int by_count_then_key(const void *pa, const void *pb)
{
    const variant_count *x = pa, *y = pb;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Counts every character variant of the counted words. */
static void count_variants(const bpe_counter *c, umap *counts, int64_t *total)
{
    *total = 0;
    for (size_t s = 0; s < c->words.cap; s++) {
        const smap_entry *e = &c->words.slots[s];
        if (e->off == SIZE_MAX) continue;
        const char *w = c->words.keys + e->off;
        for (size_t i = 0; i < e->len;) {
            int32_t cp;
            int k = next_cp(w + i, e->len - i, &cp);
            if (k < 0) k = 1;
            else if (char_allowed(cp)) *umap_get(counts, variant_key(cp, i + (size_t)k == e->len), 0) += e->value;
            *total += e->value;
            i += (size_t)k;
        }
    }
}

/* The alphabet: printable ASCII in both positions, then the most frequent variants until
 * they cover `coverage` of all characters or fill the vocabulary; ids by count then key. */
static void choose_alphabet(bpe *b, const bpe_counter *c, const bpe_options *o)
{
    umap counts;
    umap_init(&counts);
    int64_t total;
    count_variants(c, &counts, &total);
    for (int32_t cp = 0x21; cp < 0x7f; cp++)
        for (int f = 0; f < 2; f++) umap_get(&counts, variant_key(cp, f), 0);
    variant_count *v = xmalloc((counts.n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < counts.cap; i++)
        if (counts.slots[i].key) v[n++] = (variant_count){counts.slots[i].key - 1, counts.slots[i].val};
    qsort(v, n, sizeof *v, by_count_then_key);
    b->alpha = xmalloc((n + 1) * sizeof *b->alpha);
    int64_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t cp = (int32_t)(v[i].key >> 1);
        int ascii = cp < 0x7f;
        int wanted = (double)covered < o->char_coverage * (double)total && b->n_alpha < o->vocab_size;
        if (!ascii && !wanted) continue;
        covered += v[i].count;
        b->alpha[b->n_alpha] = (uint32_t)cp | (uint32_t)(v[i].key & 1) << 31;
        *umap_get(&b->char_id, v[i].key, 0) = FIRST_CHAR + b->n_alpha;
        b->n_alpha++;
    }
    free(v);
    umap_free(&counts);
}

/* What learning works on: every word type as a symbol sequence, and every adjacent pair
 * with its count and the words it occurs in (a list that may hold words that lost it). */
typedef struct {
    uint64_t key;
    int64_t count;
    int32_t *w;
    int32_t nw, capw;
    int32_t touched;     /* the last merge that created occurrences of the pair */
} pair_rec;

typedef struct {
    int64_t count;
    uint64_t key;
    int32_t rec;
} heap_entry;

typedef struct {
    size_t start;        /* in syms */
    int64_t count;
    int32_t len;
    int32_t stamp;       /* the last merge that visited the word */
} word_type;

typedef struct {
    bpe *b;
    size_t n_words;
    int32_t *syms;       /* all words' symbols */
    word_type *word;
    pair_rec *pairs;
    size_t n_pairs, pairs_cap;
    umap pair_index;     /* pair key -> index in pairs */
    heap_entry *heap;
    size_t heap_n, heap_cap;
    int32_t *touched;    /* pairs created by the current merge */
    size_t n_touched, touched_cap;
} learner;

static int heap_above(const heap_entry *x, const heap_entry *y)
{
    return x->count != y->count ? x->count > y->count : x->key < y->key;
}

static void heap_push(learner *L, heap_entry e)
{
    if (L->heap_n == L->heap_cap) {
        L->heap_cap = L->heap_cap ? 2 * L->heap_cap : 1024;
        L->heap = xrealloc(L->heap, L->heap_cap * sizeof *L->heap);
    }
    size_t i = L->heap_n++;
    while (i > 0 && heap_above(&e, &L->heap[(i - 1) / 2])) {
        L->heap[i] = L->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    L->heap[i] = e;
}

static heap_entry heap_pop(learner *L)
{
    heap_entry top = L->heap[0], last = L->heap[--L->heap_n];
    size_t i = 0, n = L->heap_n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap_above(&L->heap[c + 1], &L->heap[c])) c++;
        if (!heap_above(&L->heap[c], &last)) break;
        L->heap[i] = L->heap[c];
        i = c;
    }
    if (n) L->heap[i] = last;
    return top;
}

static int32_t pair_of(learner *L, uint64_t key)
{
    int64_t *idx = umap_get(&L->pair_index, key, -1);
    if (*idx < 0) {
        if (L->n_pairs == L->pairs_cap) {
            L->pairs_cap = L->pairs_cap ? 2 * L->pairs_cap : 4096;
            L->pairs = xrealloc(L->pairs, L->pairs_cap * sizeof *L->pairs);
        }
        L->pairs[L->n_pairs] = (pair_rec){key, 0, NULL, 0, 0, -1};
        *idx = (int64_t)L->n_pairs++;
    }
    return (int32_t)*idx;
}

/* Adds delta occurrences of pair (x, y) in word w; byte units take no part. */
static void pair_add(learner *L, int32_t x, int32_t y, int64_t delta, int32_t w, int32_t merge)
{
    if (x < FIRST_CHAR || y < FIRST_CHAR) return;
    int32_t r = pair_of(L, pair_key(x, y));
    pair_rec *p = &L->pairs[r];
    p->count += delta;
    if (delta <= 0) return;
    if (p->nw == 0 || p->w[p->nw - 1] != w) {
        if (p->nw == p->capw) {
            p->capw = p->capw ? 2 * p->capw : 2;
            p->w = xrealloc(p->w, (size_t)p->capw * sizeof *p->w);
        }
        p->w[p->nw++] = w;
    }
    if (merge >= 0 && p->touched != merge) {
        p->touched = merge;
        if (L->n_touched == L->touched_cap) {
            L->touched_cap = L->touched_cap ? 2 * L->touched_cap : 1024;
            L->touched = xrealloc(L->touched, L->touched_cap * sizeof *L->touched);
        }
        L->touched[L->n_touched++] = r;
    }
}

static void learner_init(learner *L, bpe *b, const bpe_counter *c)
{
    memset(L, 0, sizeof *L);
    L->b = b;
    umap_init(&L->pair_index);
    size_t n = c->words.n, total = 0;
    for (size_t s = 0; s < c->words.cap; s++)
        if (c->words.slots[s].off != SIZE_MAX) total += c->words.slots[s].len;
    L->syms = xmalloc((total + 1) * sizeof *L->syms);
    L->word = xmalloc((n + 1) * sizeof *L->word);
    size_t pos = 0;
    for (size_t s = 0; s < c->words.cap; s++) {
        const smap_entry *e = &c->words.slots[s];
        if (e->off == SIZE_MAX) continue;
        size_t w = L->n_words++;
        word_type *t = &L->word[w];
        *t = (word_type){pos, e->value, (int32_t)word_symbols(b, c->words.keys + e->off, e->len, L->syms + pos), -1};
        for (int32_t i = 0; i + 1 < t->len; i++)
            pair_add(L, L->syms[pos + i], L->syms[pos + i + 1], e->value, (int32_t)w, -1);
        pos += (size_t)t->len;
    }
    for (size_t r = 0; r < L->n_pairs; r++)
        heap_push(L, (heap_entry){L->pairs[r].count, L->pairs[r].key, (int32_t)r});
}

static void learner_free(learner *L)
{
    for (size_t r = 0; r < L->n_pairs; r++) free(L->pairs[r].w);
    free(L->pairs);
    umap_free(&L->pair_index);
    free(L->heap);
    free(L->touched);
    free(L->syms);
    free(L->word);
}

/* Replaces every occurrence of (a, b) in word w by c, updating the pair counts. */
static void merge_in_word(learner *L, int32_t w, int32_t a, int32_t bsym, int32_t c, int32_t merge)
{
    word_type *t = &L->word[w];
    int32_t *s = L->syms + t->start;
    int32_t n = t->len, j = 0;
    int64_t cnt = t->count;
    for (int32_t i = 0; i < n;) {
        if (i + 1 < n && s[i] == a && s[i + 1] == bsym) {
            if (j > 0) {
                pair_add(L, s[j - 1], a, -cnt, w, merge);
                pair_add(L, s[j - 1], c, cnt, w, merge);
            }
            if (i + 2 < n) {
                pair_add(L, bsym, s[i + 2], -cnt, w, merge);
                pair_add(L, c, s[i + 2], cnt, w, merge);
            }
            pair_add(L, a, bsym, -cnt, w, merge);
            s[j++] = c;
            i += 2;
        } else {
            s[j++] = s[i++];
        }
    }
    t->len = j;
}

/* The next merge, or -1 when none is left worth making. */
static int32_t best_pair(learner *L, const bpe_options *o, const int *nchars)
{
    while (L->heap_n) {
        heap_entry e = heap_pop(L);
        pair_rec *p = &L->pairs[e.rec];
        if (p->count != e.count) {   /* stale: the count fell since */
            if (p->count > 0) heap_push(L, (heap_entry){p->count, e.key, e.rec});
            continue;
        }
        if (e.count < o->min_pair_count) return -1;
        int32_t a = (int32_t)(e.key >> 32), b = (int32_t)(e.key & 0xffffffffu);
        if (nchars[a] + nchars[b] > o->max_unit_chars) continue;   /* too long: never */
        return e.rec;
    }
    return -1;
}

static void learn_merges(learner *L, const bpe_options *o)
{
    bpe *b = L->b;
    int target = o->vocab_size - b->n_alpha;
    size_t cap = (size_t)FIRST_CHAR + (size_t)b->n_alpha + (size_t)(target > 0 ? target : 0);
    int *nchars = xmalloc(cap * sizeof *nchars);
    for (size_t i = 0; i < cap; i++) nchars[i] = 1;
    while (b->n_merges < target) {
        int32_t r = best_pair(L, o, nchars);
        if (r < 0) break;
        uint64_t key = L->pairs[r].key;
        int32_t a = (int32_t)(key >> 32), bsym = (int32_t)(key & 0xffffffffu);
        int32_t c = FIRST_CHAR + b->n_alpha + b->n_merges, merge = b->n_merges;
        model_add_merge(b, a, bsym);
        nchars[c] = nchars[a] + nchars[bsym];
        /* the word list is read through a copy: new pairs may move the records, never this
         * pair's list (every new pair holds c) */
        int32_t *words = L->pairs[r].w, nw = L->pairs[r].nw;
        L->n_touched = 0;
        for (int32_t k = 0; k < nw; k++) {
            int32_t w = words[k];
            if (L->word[w].stamp == merge) continue;
            L->word[w].stamp = merge;
            merge_in_word(L, w, a, bsym, c, merge);
        }
        free(words);
        L->pairs[r].w = NULL;
        L->pairs[r].nw = L->pairs[r].capw = 0;
        for (size_t t = 0; t < L->n_touched; t++) {
            pair_rec *p = &L->pairs[L->touched[t]];
            if (p->count > 0) heap_push(L, (heap_entry){p->count, p->key, L->touched[t]});
        }
    }
    free(nchars);
}

bpe *bpe_learn(const bpe_counter *c, const bpe_options *o)
{
    if (o->vocab_size < 1 || o->char_coverage < 0 || o->char_coverage > 1 || o->max_unit_chars < 1 ||
        o->max_unit_chars > BPE_MAX_UNIT_CHARS || o->min_pair_count < 1 || o->threads < 1) {
        st_error("bpe: options out of range (vocabulary size %d, coverage %g, unit length %d, "
                 "minimum count %ld, threads %d)", o->vocab_size, o->char_coverage,
                 o->max_unit_chars, o->min_pair_count, o->threads);
        return NULL;
    }
    bpe *b = model_new(c->han_runs);
    choose_alphabet(b, c, o);
    learner L;
    learner_init(&L, b, c);
    learn_merges(&L, o);
    learner_free(&L);
    model_finish(b);
    return b;
}

/* ---- segmentation ------------------------------------------------------------------------ */

/* Segmented words: word bytes -> offset << 16 | symbol count into pool. Bounded: cleared
 * when full, so a stream of distinct words never grows it past CACHE_MAX_*. */
enum { CACHE_MAX_WORD = 256, CACHE_MAX_WORDS = 1 << 20, CACHE_MAX_SYMS = 1 << 23 };

typedef struct {
    smap words;
    int32_t *pool;
    size_t pool_len, pool_cap;
} word_cache;

static void cache_clear(word_cache *c)
{
    smap_free(&c->words);
    smap_init(&c->words);
    c->pool_len = 0;
}

void bpe_units_init(bpe_units *u) { memset(u, 0, sizeof *u); }

void bpe_units_free(bpe_units *u)
{
    word_cache *c = u->cache;
    if (c) {
        smap_free(&c->words);
        free(c->pool);
        free(c);
    }
    free(u->unit);
    free(u->word);
    free(u->sym);
    free(u->rank);
    memset(u, 0, sizeof *u);
}

static int merge_rank(const bpe *b, int32_t x, int32_t y)
{
    if (x < FIRST_CHAR || y < FIRST_CHAR || b->final[x]) return INT_MAX;
    int64_t id = umap_lookup(&b->merge_id, pair_key(x, y));
    return id < 0 ? INT_MAX : (int)id;
}

/* The standard BPE encoding of one word into sym (room for len): its characters, then the
 * merges in rank order, each applied to all its occurrences left to right. rank[i] is the
 * rank of pair (sym[i], sym[i+1]); only pairs next to a new symbol are looked up again. */
static size_t encode_word(const bpe *b, const char *w, size_t len, int32_t *sym, int *rank)
{
    size_t n = word_symbols(b, w, len, sym);
    for (size_t i = 0; i + 1 < n; i++) rank[i] = merge_rank(b, sym[i], sym[i + 1]);
    while (n > 1) {
        size_t best = 0;
        for (size_t i = 1; i + 1 < n; i++)
            if (rank[i] < rank[best]) best = i;
        int r = rank[best];
        if (r == INT_MAX) break;
        int32_t x = sym[best], y = sym[best + 1];
        size_t j = 0;
        for (size_t i = 0; i < n; j++) {
            if (i + 1 < n && sym[i] == x && sym[i + 1] == y) {
                sym[j] = r;
                i += 2;
            } else {
                sym[j] = sym[i];
                if (j > 0 && sym[j - 1] != r) rank[j - 1] = rank[i - 1];  /* both kept: as before */
                i++;
            }
            if (j > 0 && (sym[j - 1] == r || sym[j] == r)) rank[j - 1] = -1;  /* look up below */
        }
        n = j;
        for (size_t i = 0; i + 1 < n; i++)
            if (rank[i] == -1) rank[i] = merge_rank(b, sym[i], sym[i + 1]);
    }
    return n;
}

typedef struct {
    const bpe *b;
    bpe_units *out;
} segment_ctx;

static void push_units(bpe_units *u, const bpe *b, const int32_t *sym, size_t n)
{
    if ((size_t)u->n + n > (size_t)u->cap) {
        u->cap = (int)(2 * ((size_t)u->n + n) + 16);
        u->unit = xrealloc(u->unit, (size_t)u->cap * sizeof *u->unit);
    }
    for (size_t i = 0; i < n; i++) u->unit[u->n++] = b->unit[sym[i]];
}

static void segment_word(void *ctx, const char *w, size_t len)
{
    segment_ctx *s = ctx;
    bpe_units *u = s->out;
    word_cache *c = u->cache;
    if (len <= CACHE_MAX_WORD) {
        const smap_entry *e = smap_find(&c->words, w, len);
        if (e) {
            push_units(u, s->b, c->pool + (e->value >> 16), (size_t)(e->value & 0xffff));
            return;
        }
    }
    if (len > u->sym_cap) {
        u->sym_cap = 2 * len;
        u->sym = xrealloc(u->sym, u->sym_cap * sizeof *u->sym);
        u->rank = xrealloc(u->rank, u->sym_cap * sizeof *u->rank);
    }
    size_t n = encode_word(s->b, w, len, u->sym, u->rank);
    push_units(u, s->b, u->sym, n);
    if (len > CACHE_MAX_WORD) return;
    if (c->words.n >= CACHE_MAX_WORDS || c->pool_len + n > CACHE_MAX_SYMS) cache_clear(c);
    if (c->pool_len + n > c->pool_cap) {
        c->pool_cap = 2 * (c->pool_len + n) + 1024;
        c->pool = xrealloc(c->pool, c->pool_cap * sizeof *c->pool);
    }
    memcpy(c->pool + c->pool_len, u->sym, n * sizeof *u->sym);
    smap_get(&c->words, w, len)->value = (int64_t)c->pool_len << 16 | (int64_t)n;
    c->pool_len += n;
}

int bpe_segment(const bpe *b, const char *const *tokens, int n, bpe_units *out)
{
    if (!out->cache) {
        word_cache *c = xcalloc(1, sizeof *c);
        smap_init(&c->words);
        out->cache = c;
    }
    if (out->model != b) {
        cache_clear(out->cache);
        out->model = b;
    }
    out->n = 0;
    segment_ctx s = {b, out};
    for_each_word(b->han_runs, tokens, n, &out->word, &out->word_cap, segment_word, &s);
    return out->n;
}

/* ---- joining ----------------------------------------------------------------------------- */

void bpe_tokens_init(bpe_tokens *t) { memset(t, 0, sizeof *t); }

void bpe_tokens_free(bpe_tokens *t)
{
    free(t->tok);
    free(t->start);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static void buf_put(bpe_tokens *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->buf_cap) {
        t->buf_cap = 2 * (t->len + n + 1) + 256;
        t->buf = xrealloc(t->buf, t->buf_cap);
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

/* Ends the token begun at t->buf[from] (NUL-terminated in place). */
static void end_token(bpe_tokens *t, size_t from)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->start = xrealloc(t->start, (size_t)t->cap * sizeof *t->start);
    }
    t->start[t->n++] = from;
    buf_put(t, "", 0);
    t->buf[t->len++] = 0;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The byte a unit text "〈HH〉" stands for, or -1 when it is not a byte unit. */
static int byte_unit(const char *s, size_t n)
{
    if (n != 8 || memcmp(s, BYTE_OPEN, 3) || memcmp(s + 5, BYTE_CLOSE, 3)) return -1;
    int hi = hex_digit(s[3]), lo = hex_digit(s[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/* Turns the word w[0..n) into tokens: invalid UTF-8 bytes become U+FFFD; with han_runs a word
 * starting with a Han character is cut before each one (is_han_start). */
static void word_to_tokens(bpe_tokens *t, int han_runs, const char *w, size_t n)
{
    size_t from = t->len;
    int split = 0;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        int k = next_cp(w + i, n - i, &cp);
        if (k < 0) {
            buf_put(t, "\xef\xbf\xbd", 3);
            i++;
            continue;
        }
        if (i == 0) split = han_runs && is_han_start(cp);
        else if (split && is_han_start(cp)) {
            end_token(t, from);
            from = t->len;
        }
        buf_put(t, w + i, (size_t)k);
        i += (size_t)k;
    }
    end_token(t, from);
}

int bpe_join(const bpe *b, const char *const *units, int n, bpe_tokens *out)
{
    out->n = 0;
    out->len = 0;
    char *word = NULL;
    size_t wlen = 0, wcap = 0;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(units[i]);
        if (k == 0) continue;
        int more = k >= MARK_LEN && !memcmp(units[i] + k - MARK_LEN, BPE_MARK, MARK_LEN);
        if (more) k -= MARK_LEN;
        if (wlen + k > wcap) {
            wcap = 2 * (wlen + k) + 64;
            word = xrealloc(word, wcap);
        }
        int byte = byte_unit(units[i], k);
        if (byte >= 0) word[wlen++] = (char)byte;
        else if (k > 0) {   /* a bare BPE_MARK adds nothing */
            memcpy(word + wlen, units[i], k);
            wlen += k;
        }
        if (!more && wlen) {
            word_to_tokens(out, b->han_runs, word, wlen);
            wlen = 0;
        }
    }
    if (wlen) word_to_tokens(out, b->han_runs, word, wlen);
    free(word);
    if (out->n > 0) {
        out->tok = xrealloc(out->tok, (size_t)out->n * sizeof *out->tok);
        for (int i = 0; i < out->n; i++) out->tok[i] = out->buf + out->start[i];
    }
    return out->n;
}

/* ---- serialization ----------------------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

char *bpe_serialize(const bpe *b, size_t *len)
{
    size_t bytes = 16 + 4 * (size_t)b->n_alpha + 8 * (size_t)b->n_merges;
    unsigned char *buf = xmalloc(bytes), *p = buf;
    put_u32(p, BPE_VERSION);
    put_u32(p + 4, (uint32_t)b->han_runs);
    put_u32(p + 8, (uint32_t)b->n_alpha);
    put_u32(p + 12, (uint32_t)b->n_merges);
    p += 16;
    for (int i = 0; i < b->n_alpha; i++, p += 4) put_u32(p, b->alpha[i]);
    for (int r = 0; r < b->n_merges; r++, p += 8) {
        put_u32(p, (uint32_t)b->left[r]);
        put_u32(p + 4, (uint32_t)b->right[r]);
    }
    *len = bytes;
    return (char *)buf;
}

/* Reads the alphabet; 0, or -1 with an error printed. */
static int read_alphabet(bpe *b, const unsigned char *p, uint32_t n)
{
    b->alpha = xmalloc(((size_t)n + 1) * sizeof *b->alpha);
    for (uint32_t i = 0; i < n; i++, p += 4) {
        uint32_t e = get_u32(p);
        int32_t cp = (int32_t)(e & 0x7fffffff);
        if (!char_allowed(cp)) {
            st_error("bpe: alphabet entry %u: U+%04X cannot be a unit character", (unsigned)i,
                     (unsigned)cp);
            return -1;
        }
        int64_t *id = umap_get(&b->char_id, variant_key(cp, (int)(e >> 31)), -1);
        if (*id >= 0) {
            st_error("bpe: alphabet entry %u: U+%04X appears twice", (unsigned)i, (unsigned)cp);
            return -1;
        }
        *id = FIRST_CHAR + (int64_t)i;
        b->alpha[i] = e;
        b->n_alpha++;
    }
    return 0;
}

/* Reads the merges, checking each against the symbols before it; 0, or -1 with an error. */
static int read_merges(bpe *b, const unsigned char *p, uint32_t n)
{
    size_t cap = (size_t)FIRST_CHAR + (size_t)b->n_alpha + n;
    int *nchars = xmalloc(cap * sizeof *nchars);
    unsigned char *final = xmalloc(cap);
    for (size_t id = 0; id < (size_t)FIRST_CHAR + (size_t)b->n_alpha; id++) {
        nchars[id] = 1;
        final[id] = (unsigned char)sym_final(b, (int32_t)id);
    }
    int rc = 0;
    for (uint32_t r = 0; r < n && rc == 0; r++, p += 8) {
        uint32_t l = get_u32(p), rt = get_u32(p + 4);
        size_t id = (size_t)FIRST_CHAR + (size_t)b->n_alpha + r;
        rc = -1;
        if (l < FIRST_CHAR || rt < FIRST_CHAR || l >= id || rt >= id)
            st_error("bpe: merge %u joins symbols %u and %u, not both known units", (unsigned)r,
                     (unsigned)l, (unsigned)rt);
        else if (final[l])
            st_error("bpe: merge %u: its left side ends a word", (unsigned)r);
        else if (nchars[l] + nchars[rt] > BPE_MAX_UNIT_CHARS)
            st_error("bpe: merge %u makes a unit longer than %d characters", (unsigned)r,
                     BPE_MAX_UNIT_CHARS);
        else if (umap_lookup(&b->merge_id, pair_key((int32_t)l, (int32_t)rt)) >= 0)
            st_error("bpe: merge %u repeats an earlier one", (unsigned)r);
        else
            rc = 0;
        if (rc) break;
        nchars[id] = nchars[l] + nchars[rt];
        final[id] = final[rt];
        model_add_merge(b, (int32_t)l, (int32_t)rt);
    }
    free(nchars);
    free(final);
    return rc;
}

int bpe_deserialize(const char *buf, size_t len, bpe **out)
{
    *out = NULL;
    const unsigned char *u = (const unsigned char *)buf;
    if (len < 16) {
        st_error("bpe: %zu bytes is too short for a header", len);
        return -1;
    }
    uint32_t version = get_u32(u), flags = get_u32(u + 4), na = get_u32(u + 8), nm = get_u32(u + 12);
    if (version != BPE_VERSION) {
        st_error("bpe: version %u, this program reads version %d", (unsigned)version, BPE_VERSION);
        return -1;
    }
    if (flags > 1) {
        st_error("bpe: unknown flags 0x%x", (unsigned)flags);
        return -1;
    }
    if ((uint64_t)na * 4 + (uint64_t)nm * 8 != (uint64_t)len - 16 ||
        (uint64_t)na + nm + FIRST_CHAR > INT_MAX) {
        st_error("bpe: %u characters and %u merges do not fill %zu bytes", (unsigned)na,
                 (unsigned)nm, len);
        return -1;
    }
    bpe *b = model_new((int)flags);
    if (read_alphabet(b, u + 16, na) || read_merges(b, u + 16 + 4 * (size_t)na, nm)) {
        bpe_free(b);
        return -1;
    }
    model_finish(b);
    *out = b;
    return 0;
}
