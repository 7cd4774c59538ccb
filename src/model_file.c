#include "model_file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Writes all of b to fd, retrying short writes and interruptions. Returns 0, or -1 with
 * errno set. */
static int write_fd(int fd, const bytes *b)
{
    size_t done = 0;
    while (done < b->len) {
        ssize_t k = write(fd, b->p + done, b->len - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

/* Makes a rename in the directory of path durable; best effort. */
static void sync_directory(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrdup(path) : xstrdup(".");
    if (slash) dir[slash == path ? 1 : slash - path] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* A target that exists and is not a regular file (/dev/null, /dev/full, a pipe) is written
 * in place: renaming over it would replace the device. */
static int write_in_place(const char *path, const bytes *b)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) {
        st_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = write_fd(fd, b);
    int saved = errno;
    if (close(fd) != 0 && rc == 0) rc = -1, saved = errno;
    if (rc != 0) st_error("cannot write '%s': %s", path, strerror(saved));
    return rc;
}

/* Writes to a temporary file next to path, syncs it and renames it over path. */
static int write_replacing(const char *path, const bytes *b, const struct stat *old)
{
    size_t n = strlen(path) + 32;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        st_error("cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    if (old) fchmod(fd, old->st_mode & 07777);   /* keep the permissions of the file replaced */
    int rc = write_fd(fd, b) == 0 && fsync(fd) == 0 ? 0 : -1;
    int saved = errno;
    if (close(fd) != 0 && rc == 0) rc = -1, saved = errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1, saved = errno;
    if (rc != 0) {
        st_error("cannot write '%s': %s", path, strerror(saved));
        unlink(tmp);
    } else {
        sync_directory(path);
    }
    free(tmp);
    return rc;
}

int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len)
{
    if (!weights_finite(m)) {
        st_error("refusing to write '%s': the model has non-finite weights", path);
        return -1;
    }
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        st_error("cannot write '%s': %s", path, strerror(EISDIR));
        return -1;
    }
    bytes b = {0};
    serialize(m, extra, extra_len, &b);
    int rc = exists && !S_ISREG(st.st_mode) ? write_in_place(path, &b)
                                             : write_replacing(path, &b, exists ? &st : NULL);
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

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* Checks the header at p (have bytes of it available) of a file of size bytes: magic,
 * version, and the payload length against the size. Returns 0, or -1 with an error printed. */
static int check_header(const char *name, const unsigned char *p, size_t have, uint64_t size)
{
    if (size == 0) {
        st_error("%s: empty file, not a seqtrans model", name);
        return -1;
    }
    if (have < sizeof MAGIC || memcmp(p, MAGIC, sizeof MAGIC) != 0) {
        st_error("%s: not a seqtrans model file", name);
        return -1;
    }
    if (have < HEADER_BYTES || size < HEADER_BYTES) {
        st_error("%s: truncated model file (%llu bytes, the header alone needs %d)", name,
                 (unsigned long long)size, HEADER_BYTES);
        return -1;
    }
    uint32_t version = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 |
                       (uint32_t)p[11] << 24;
    if (version > MODEL_FILE_VERSION || version == 0) {
        st_error("%s: model file version %u is not supported (this seqtrans reads version %d; "
                 "a newer seqtrans wrote it?)", name, version, MODEL_FILE_VERSION);
        return -1;
    }
    uint32_t reserved = (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 |
                        (uint32_t)p[15] << 24;
    if (reserved != 0) {   /* version 1 writes 0: anything else is damage or a format we lack */
        st_error("%s: corrupt or unsupported model file (header flags %#x)", name, reserved);
        return -1;
    }
    uint64_t payload = le64(p + 16);
    if (payload != size - HEADER_BYTES) {
        st_error("%s: truncated or corrupt model file (size %llu, header says %llu)", name,
                 (unsigned long long)size,
                 payload > UINT64_MAX - HEADER_BYTES ? (unsigned long long)UINT64_MAX
                                                     : (unsigned long long)(payload + HEADER_BYTES));
        return -1;
    }
    return 0;
}

static int read_header(reader *r)
{
    if (check_header(r->name, r->p, r->len, r->len) != 0) return -1;
    uint64_t sum = le64(r->p + 24);
    r->pos = HEADER_BYTES;
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

/* Reads up to max bytes of fd into b (which may already hold some); stops at end of file. */
static int read_upto(int fd, bytes *b, size_t max)
{
    while (b->len < max) {
        size_t want = max - b->len < 1 << 20 ? max - b->len : 1 << 20;
        if (b->cap - b->len < want) {
            b->cap = b->len + want > 2 * b->cap ? b->len + want : 2 * b->cap;
            b->p = xrealloc(b->p, b->cap);
        }
        ssize_t k = read(fd, b->p + b->len, want);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) break;
        b->len += (size_t)k;
    }
    return 0;
}

int model_file_read(const char *path, model **out, void **extra, size_t *extra_len)
{
    *out = NULL;
    if (extra) *extra = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st_error("cannot open model '%s': %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        st_error("cannot read model '%s': %s", path, strerror(EISDIR));
        close(fd);
        return -1;
    }
    /* The header first; then no more than the payload length it states, plus one byte to
     * notice trailing data, so that a foreign or endless input (/dev/zero, a pipe) is never
     * read to its end. For a regular file whose size disagrees with the header, nothing more
     * is read: the parser reports the mismatch from the size alone. */
    bytes b = {0};
    int rc = read_upto(fd, &b, HEADER_BYTES);
    if (rc == 0 && b.len == HEADER_BYTES && !memcmp(b.p, MAGIC, sizeof MAGIC)) {
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            check_header(path, b.p, b.len, (uint64_t)st.st_size) != 0) {
            close(fd);
            free(b.p);
            return -1;
        }
        uint64_t payload = le64(b.p + 16);
        size_t limit = payload < SIZE_MAX - HEADER_BYTES - 1 ? HEADER_BYTES + (size_t)payload + 1
                                                              : SIZE_MAX;
        rc = read_upto(fd, &b, limit);
        if (rc == 0 && b.len == limit && limit != SIZE_MAX) {
            st_error("%s: corrupt model file (more data than the %llu bytes the header states)",
                     path, (unsigned long long)limit - 1);
            close(fd);
            free(b.p);
            return -1;
        }
    }
    int saved = errno;
    close(fd);
    if (rc != 0) {
        st_error("cannot read model '%s': %s", path, strerror(saved));
        free(b.p);
        return -1;
    }
    rc = model_file_parse(path, b.p ? b.p : (const unsigned char *)"", b.len, out, extra, extra_len);
    free(b.p);
    return rc;
}
