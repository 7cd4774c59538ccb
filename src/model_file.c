#include "model_file.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vocab.h"

static const char MAGIC[8] = {'S', 'E', 'Q', 'T', 'R', 'A', 'N', 'S'};
enum { HEADER_BYTES = 32, CONFIG_FIELDS = 8 };

const char *model_default_path(void)
{
    const char *env = getenv("SEQTRANS_MODEL");
    return env && *env ? env : "seqtrans.model";
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* ---- writing: a growable little-endian byte buffer ---- */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} bytes;

static void put(bytes *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 4096;
        b->p = xrealloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u32(bytes *b, uint32_t v)
{
    unsigned char x[4] = {v, v >> 8, v >> 16, v >> 24};
    put(b, x, 4);
}

static void put_u64(bytes *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_blob(bytes *b, const void *p, size_t n)
{
    put_u64(b, n);
    put(b, p, n);
}

static void config_fields(const model_config *c, int32_t f[CONFIG_FIELDS])
{
    int32_t v[CONFIG_FIELDS] = {c->src_vocab, c->tgt_vocab, c->emb, c->hidden,
                                c->layers, c->bidir, c->src_lang, c->tgt_lang};
    memcpy(f, v, sizeof v);
}

static int weights_finite(const model *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i])) return 0;
    return 1;
}

static void serialize(const model *m, const void *extra, size_t extra_len, bytes *out)
{
    bytes b = {0};
    int32_t f[CONFIG_FIELDS];
    config_fields(&m->cfg, f);
    put_u32(&b, CONFIG_FIELDS);
    for (int i = 0; i < CONFIG_FIELDS; i++) put_u32(&b, (uint32_t)f[i]);
    size_t n;
    char *v = vocab_serialize(m->src_vocab, &n);
    put_blob(&b, v, n);
    free(v);
    v = vocab_serialize(m->tgt_vocab, &n);
    put_blob(&b, v, n);
    free(v);
    put_u64(&b, m->n_params);
    static const unsigned char zeros[64];
    put(&b, zeros, (64 - (HEADER_BYTES + b.len) % 64) % 64);
    for (size_t i = 0; i < m->n_params; i++) {
        uint32_t u;
        memcpy(&u, &m->params[i], 4);
        put_u32(&b, u);
    }
    put_blob(&b, extra, extra_len);
    put(out, MAGIC, 8);
    put_u32(out, MODEL_FILE_VERSION);
    put_u32(out, 0);
    put_u64(out, b.len);
    put_u64(out, fnv1a64(b.p, b.len));
    put(out, b.p, b.len);
    free(b.p);
}

static int write_all(const char *tmp, const bytes *b)
{
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        st_error("cannot write '%s': %s", tmp, strerror(errno));
        return -1;
    }
    int ok = fwrite(b->p, 1, b->len, f) == b->len && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) ok = 0, saved = errno;
    if (!ok) {
        st_error("cannot write '%s': %s", tmp, strerror(saved));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len)
{
    if (!weights_finite(m)) {
        st_error("refusing to write '%s': the model has non-finite weights", path);
        return -1;
    }
    bytes b = {0};
    serialize(m, extra, extra_len, &b);
    size_t n = strlen(path) + 32;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int rc = write_all(tmp, &b);
    if (rc == 0 && rename(tmp, path) != 0) {
        st_error("cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        rc = -1;
    }
    free(tmp);
    free(b.p);
    return rc;
}

/* ---- reading: a cursor that refuses to step past the end ---- */

typedef struct {
    const unsigned char *p;
    size_t len, pos;
    const char *name;
    int failed;
} reader;

static const unsigned char *take(reader *r, size_t n, const char *what)
{
    if (r->failed) return NULL;
    if (n > r->len - r->pos) {
        st_error("%s: truncated or corrupt model file (%s)", r->name, what);
        r->failed = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint32_t get_u32(reader *r, const char *what)
{
    const unsigned char *p = take(r, 4, what);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

static uint64_t get_u64(reader *r, const char *what)
{
    uint64_t lo = get_u32(r, what);
    return lo | (uint64_t)get_u32(r, what) << 32;
}

static const unsigned char *get_blob(reader *r, size_t *n, const char *what)
{
    uint64_t len = get_u64(r, what);
    if (r->failed) return NULL;
    if (len > r->len - r->pos) {
        st_error("%s: truncated or corrupt model file (%s)", r->name, what);
        r->failed = 1;
        return NULL;
    }
    *n = (size_t)len;
    return take(r, *n, what);
}

static int read_header(reader *r)
{
    const unsigned char *magic = take(r, 8, "header");
    if (!magic || memcmp(magic, MAGIC, 8) != 0) {
        st_error("%s: not a seqtrans model file", r->name);
        return -1;
    }
    uint32_t version = get_u32(r, "header");
    get_u32(r, "header");
    uint64_t payload = get_u64(r, "header"), sum = get_u64(r, "header");
    if (r->failed) return -1;
    if (version > MODEL_FILE_VERSION || version == 0) {
        st_error("%s: model file version %u is not supported (this seqtrans reads version %d; "
                 "a newer seqtrans wrote it?)", r->name, version, MODEL_FILE_VERSION);
        return -1;
    }
    if (payload != r->len - r->pos) {
        st_error("%s: truncated or corrupt model file (size %zu, header says %llu)", r->name,
                 r->len, (unsigned long long)(payload + HEADER_BYTES));
        return -1;
    }
    if (fnv1a64(r->p + r->pos, r->len - r->pos) != sum) {
        st_error("%s: corrupt model file (checksum mismatch)", r->name);
        return -1;
    }
    return 0;
}

static int read_config(reader *r, model_config *c)
{
    uint32_t n = get_u32(r, "configuration");
    if (r->failed) return -1;
    if (n != CONFIG_FIELDS) {
        st_error("%s: corrupt model file (%u configuration fields)", r->name, n);
        return -1;
    }
    int32_t f[CONFIG_FIELDS];
    for (int i = 0; i < CONFIG_FIELDS; i++) f[i] = (int32_t)get_u32(r, "configuration");
    if (r->failed) return -1;
    *c = (model_config){f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]};
    if ((c->bidir != 0 && c->bidir != 1) || c->src_lang < 0 || c->src_lang > 1 ||
        c->tgt_lang < 0 || c->tgt_lang > 1 || model_config_check(c) != 0) {
        st_error("%s: corrupt model file (bad configuration)", r->name);
        return -1;
    }
    return 0;
}

static int read_vocab(reader *r, vocab **v, int expected_size, const char *what)
{
    size_t n;
    const unsigned char *p = get_blob(r, &n, what);
    if (!p) return -1;
    if (vocab_deserialize((const char *)p, n, v) != 0) {
        st_error("%s: corrupt model file (%s)", r->name, what);
        return -1;
    }
    if (vocab_size(*v) != expected_size) {
        st_error("%s: corrupt model file (%s has %d entries, configuration says %d)", r->name,
                 what, vocab_size(*v), expected_size);
        vocab_free(*v);
        *v = NULL;
        return -1;
    }
    return 0;
}

static int read_params(reader *r, model *m)
{
    uint64_t n = get_u64(r, "parameters");
    if (r->failed) return -1;
    if (n != m->n_params) {
        st_error("%s: corrupt model file (%llu parameters, configuration needs %zu)", r->name,
                 (unsigned long long)n, m->n_params);
        return -1;
    }
    take(r, (64 - r->pos % 64) % 64, "padding");
    const unsigned char *p = take(r, m->n_params * 4, "parameters");
    if (!p) return -1;
    for (size_t i = 0; i < m->n_params; i++) {
        uint32_t u = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
                     (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
        memcpy(&m->params[i], &u, 4);
    }
    if (!weights_finite(m)) {
        st_error("%s: corrupt model file (non-finite weights)", r->name);
        return -1;
    }
    return 0;
}

int model_file_parse(const char *name, const unsigned char *buf, size_t len, model **out,
                     void **extra, size_t *extra_len)
{
    reader r = {buf, len, 0, name, 0};
    model_config cfg;
    vocab *sv = NULL, *tv = NULL;
    *out = NULL;
    if (extra) *extra = NULL;
    if (read_header(&r) || read_config(&r, &cfg) || read_vocab(&r, &sv, cfg.src_vocab, "source vocabulary") ||
        read_vocab(&r, &tv, cfg.tgt_vocab, "target vocabulary")) {
        vocab_free(sv);
        return -1;
    }
    /* The parameters must fit in what is left of the file before we allocate for them. */
    if (model_layout(&cfg, NULL, NULL) > (r.len - r.pos) / 4) {
        st_error("%s: truncated or corrupt model file (parameters)", name);
        vocab_free(sv);
        vocab_free(tv);
        return -1;
    }
    model *m = model_new(&cfg, sv, tv);
    size_t n;
    const unsigned char *state;
    if (read_params(&r, m) || !(state = get_blob(&r, &n, "training state"))) {
        model_free(m);
        return -1;
    }
    if (r.pos != r.len) {
        st_error("%s: corrupt model file (trailing bytes)", name);
        model_free(m);
        return -1;
    }
    if (extra && n) {
        *extra = xmalloc(n);
        memcpy(*extra, state, n);
    }
    if (extra_len) *extra_len = extra && n ? n : 0;
    *out = m;
    return 0;
}

int model_file_read(const char *path, model **out, void **extra, size_t *extra_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        st_error("cannot open model '%s': %s", path, strerror(errno));
        return -1;
    }
    bytes b = {0};
    unsigned char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) put(&b, chunk, got);
    int err = ferror(f);
    fclose(f);
    if (err) {
        st_error("cannot read model '%s'", path);
        free(b.p);
        return -1;
    }
    int rc = model_file_parse(path, b.p ? b.p : (const unsigned char *)"", b.len, out, extra, extra_len);
    free(b.p);
    return rc;
}
