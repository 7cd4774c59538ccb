#include "text/vocab.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"
#include "sys/util.h"

const char *const vocab_special_tokens[VOCAB_NUM_SPECIALS] = {"<pad>", "<unk>", "<s>", "</s>"};

/* FNV-1a: short tokens, no adversary worth a keyed hash. */
static uint64_t hash_token(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Smallest power of two holding n entries at most half full. */
static size_t table_size_for(size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    return cap;
}

/* ---- counter --------------------------------------------------------------------------- */

typedef struct {
    char *tok;      /* NULL: empty slot */
    uint64_t hash;
    long count;
} count_entry;

struct vocab_counter {
    count_entry *slots;
    size_t cap, n;   /* cap is a power of two */
};

vocab_counter *vocab_counter_new(void)
{
    vocab_counter *c = xcalloc(1, sizeof *c);
    c->cap = table_size_for(0);
    c->slots = xcalloc(c->cap, sizeof *c->slots);
    return c;
}

static count_entry *counter_slot(count_entry *slots, size_t cap, const char *tok, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].tok && (slots[i].hash != h || strcmp(slots[i].tok, tok)))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void counter_grow(vocab_counter *c)
{
    size_t cap = c->cap * 2;
    count_entry *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].tok)
            *counter_slot(slots, cap, c->slots[i].tok, c->slots[i].hash) = c->slots[i];
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
}

static void counter_add_hashed(vocab_counter *c, const char *tok, uint64_t h, long n)
{
    count_entry *e = counter_slot(c->slots, c->cap, tok, h);
    if (e->tok) {
        e->count += n;
        return;
    }
    *e = (count_entry){xstrdup(tok), h, n};
    if (++c->n * 2 > c->cap) counter_grow(c);
}

void vocab_counter_add(vocab_counter *c, const char *tok) { counter_add_hashed(c, tok, hash_token(tok), 1); }

void vocab_counter_merge(vocab_counter *into, const vocab_counter *from)
{
    for (size_t i = 0; i < from->cap; i++)
        if (from->slots[i].tok)
            counter_add_hashed(into, from->slots[i].tok, from->slots[i].hash, from->slots[i].count);
}

long vocab_counter_count(const vocab_counter *c, const char *tok)
{
    const count_entry *e = counter_slot(c->slots, c->cap, tok, hash_token(tok));
    return e->tok ? e->count : 0;
}

void vocab_counter_free(vocab_counter *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->cap; i++) free(c->slots[i].tok);
    free(c->slots);
    free(c);
}

/* ---- vocabulary ------------------------------------------------------------------------ */

struct vocab {
    int n;
    char **tokens;    /* tokens[id], pointing into arena */
    char *arena;
    int *slots;       /* open addressing: id, or -1 for empty */
    size_t slot_mask;
};

static int *vocab_find_slot(const vocab *v, const char *tok)
{
    size_t i = (size_t)hash_token(tok) & v->slot_mask;
    while (v->slots[i] >= 0 && strcmp(v->tokens[v->slots[i]], tok))
        i = (i + 1) & v->slot_mask;
    return &v->slots[i];
}

/* A vocabulary of toks[0..n) in id order, or NULL (nothing printed) when two are equal;
 * *duplicate then names the second one's id. */
static vocab *vocab_from_tokens(const char *const *toks, int n, int *duplicate)
{
    size_t bytes = 0;
    for (int i = 0; i < n; i++) bytes += strlen(toks[i]) + 1;
    vocab *v = xcalloc(1, sizeof *v);
    v->tokens = xmalloc((size_t)n * sizeof *v->tokens);
    v->arena = xmalloc(bytes);
    size_t cap = table_size_for((size_t)n);
    v->slots = xmalloc(cap * sizeof *v->slots);
    memset(v->slots, 0xff, cap * sizeof *v->slots);   /* all -1 */
    v->slot_mask = cap - 1;
    char *p = v->arena;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(toks[i]) + 1;
        v->tokens[i] = memcpy(p, toks[i], k);
        p += k;
        int *slot = vocab_find_slot(v, v->tokens[i]);
        if (*slot >= 0) {
            *duplicate = i;
            vocab_free(v);
            return NULL;
        }
        *slot = i;
        v->n = i + 1;
    }
    return v;
}

static int is_special(const char *tok)
{
    for (int i = 0; i < VOCAB_NUM_SPECIALS; i++)
        if (!strcmp(tok, vocab_special_tokens[i])) return 1;
    return 0;
}

static int by_count_then_bytes(const void *a, const void *b)
{
    const count_entry *x = *(const count_entry *const *)a, *y = *(const count_entry *const *)b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->tok, y->tok);
}

vocab *vocab_build(const vocab_counter *c, int min_count, int max_size)
{
    const count_entry **kept = xmalloc((c->n + 1) * sizeof *kept);
    size_t n_kept = 0;
    for (size_t i = 0; i < c->cap; i++) {
        const count_entry *e = &c->slots[i];
        if (e->tok && e->count >= min_count && !is_special(e->tok)) kept[n_kept++] = e;
    }
    qsort(kept, n_kept, sizeof *kept, by_count_then_bytes);
    size_t limit = max_size > VOCAB_NUM_SPECIALS ? (size_t)max_size - VOCAB_NUM_SPECIALS : 0;
    if (max_size <= 0 || n_kept < limit) limit = n_kept;
    if (limit > (size_t)INT_MAX - VOCAB_NUM_SPECIALS) limit = (size_t)INT_MAX - VOCAB_NUM_SPECIALS;

    const char **toks = xmalloc((limit + VOCAB_NUM_SPECIALS) * sizeof *toks);
    for (int i = 0; i < VOCAB_NUM_SPECIALS; i++) toks[i] = vocab_special_tokens[i];
    for (size_t i = 0; i < limit; i++) toks[VOCAB_NUM_SPECIALS + i] = kept[i]->tok;
    int duplicate;
    vocab *v = vocab_from_tokens(toks, (int)limit + VOCAB_NUM_SPECIALS, &duplicate);
    free(toks);
    free(kept);
    return v;   /* never NULL: counted tokens are distinct and specials were left out */
}

int vocab_lookup(const vocab *v, const char *tok)
{
    int id = *vocab_find_slot(v, tok);
    return id >= 0 ? id : VOCAB_UNK;
}

const char *vocab_token(const vocab *v, int id)
{
    return id >= 0 && id < v->n ? v->tokens[id] : NULL;
}

int vocab_size(const vocab *v) { return v->n; }

void vocab_free(vocab *v)
{
    if (!v) return;
    free(v->tokens);
    free(v->arena);
    free(v->slots);
    free(v);
}

/* ---- serialization --------------------------------------------------------------------- */

char *vocab_serialize(const vocab *v, size_t *len)
{
    size_t bytes = 4;
    for (int i = 0; i < v->n; i++) bytes += strlen(v->tokens[i]) + 1;
    unsigned char *buf = xmalloc(bytes);
    uint32_t n = (uint32_t)v->n;
    for (int k = 0; k < 4; k++) buf[k] = (unsigned char)(n >> (8 * k));
    size_t pos = 4;
    for (int i = 0; i < v->n; i++) {
        size_t k = strlen(v->tokens[i]) + 1;
        memcpy(buf + pos, v->tokens[i], k);
        pos += k;
    }
    *len = bytes;
    return (char *)buf;
}

/* Why token tok (k bytes, without its NUL) cannot be in a vocabulary, or NULL if it can. */
static const char *token_defect(const char *tok, size_t k)
{
    if (k == 0) return "empty token";
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)tok[i] <= ' ' || tok[i] == 0x7f)
            return "token holds a space or control byte";
    if (!utf8_valid(tok, k)) return "token is not valid UTF-8";
    return NULL;
}

/* Splits buf into count NUL-terminated tokens (pointers into buf), checking each one.
 * Returns 0, or -1 with an error printed. */
static int split_serialized_tokens(const char *buf, size_t len, uint32_t count, const char **toks)
{
    size_t pos = 4;
    for (uint32_t i = 0; i < count; i++) {
        const char *end = pos < len ? memchr(buf + pos, '\0', len - pos) : NULL;
        if (!end) {
            st_error("vocabulary: token %u of %u runs past the end (%zu bytes)", (unsigned)i,
                     (unsigned)count, len);
            return -1;
        }
        size_t k = (size_t)(end - (buf + pos));
        const char *defect = token_defect(buf + pos, k);
        if (defect) {
            st_error("vocabulary: token %u: %s", (unsigned)i, defect);
            return -1;
        }
        if (i < VOCAB_NUM_SPECIALS && strcmp(buf + pos, vocab_special_tokens[i])) {
            st_error("vocabulary: id %u must be '%s'", (unsigned)i, vocab_special_tokens[i]);
            return -1;
        }
        toks[i] = buf + pos;
        pos += k + 1;
    }
    if (pos != len) {
        st_error("vocabulary: %zu stray bytes after the last token", len - pos);
        return -1;
    }
    return 0;
}

int vocab_deserialize(const char *buf, size_t len, vocab **out)
{
    *out = NULL;
    if (len < 4) {
        st_error("vocabulary: %zu bytes is too short for a header", len);
        return -1;
    }
    const unsigned char *u = (const unsigned char *)buf;
    uint32_t count = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
                     (uint32_t)u[3] << 24;
    /* every token takes at least 2 bytes: one character and its NUL */
    if (count < VOCAB_NUM_SPECIALS) {
        st_error("vocabulary: %u tokens cannot hold the %d special symbols", (unsigned)count,
                 VOCAB_NUM_SPECIALS);
        return -1;
    }
    if (count > (len - 4) / 2 || count > INT_MAX) {
        st_error("vocabulary: %u tokens do not fit in %zu bytes", (unsigned)count, len);
        return -1;
    }
    const char **toks = xmalloc(count * sizeof *toks);
    int duplicate, rc = -1;
    if (split_serialized_tokens(buf, len, count, toks) == 0) {
        *out = vocab_from_tokens(toks, (int)count, &duplicate);
        if (*out) rc = 0;
        else st_error("vocabulary: token %d ('%s') appears twice", duplicate, toks[duplicate]);
    }
    free(toks);
    return rc;
}
