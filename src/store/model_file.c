#include "store/model_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/crc32c.h"
#include "store/file_view.h"
#include "store/files.h"
#include "text/vocab.h"

#define HUGE_PAGE ((size_t)2 << 20)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model files hold little-endian float32 weights that are used where they are read"
#endif

static const char MAGIC[8] = {'S', 'E', 'Q', 'T', 'R', 'A', 'N', 'S'};
enum { HEADER_BYTES = MODEL_FILE_HEADER_BYTES, CONFIG_FIELDS = 8, MAX_PARTS = 16 };

const char *model_default_path(void)
{
    const char *env = getenv("SEQTRANS_MODEL");
    return env && *env ? env : "seqtrans.model";
}

/* ---- writing ---- */

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

/* Every weight finite and |w| <= 2^50. The bound keeps every sum of products in the forward
 * pass finite (at most 8192 terms of two weights: 2^13 * 2^100 < 2^128), so an accepted
 * model can never turn into Inf or NaN while translating; training never comes near it.
 * As bit patterns, |w| > 2^50, Inf and NaN are exactly the values above 0x58800000; no early
 * exit, so the loop vectorizes. */
static int weights_in_range(const float *w, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &w[i], sizeof u);
        bad |= (u & 0x7fffffffu) > 0x58800000u;
    }
    return !bad;
}

/* The model section up to its parameters: configuration, vocabularies, count, padding. */
static void model_prefix(const model *m, bytes *b)
{
    const model_config *c = &m->cfg;
    int32_t f[CONFIG_FIELDS] = {c->src_vocab, c->tgt_vocab, c->emb, c->hidden,
                                c->layers, c->bidir, c->src_lang, c->tgt_lang};
    put_u32(b, CONFIG_FIELDS);
    for (int i = 0; i < CONFIG_FIELDS; i++) put_u32(b, (uint32_t)f[i]);
    size_t n;
    char *v = vocab_serialize(m->src_vocab, &n);
    put_blob(b, v, n);
    free(v);
    v = vocab_serialize(m->tgt_vocab, &n);
    put_blob(b, v, n);
    free(v);
    put_u64(b, m->n_params);
    static const unsigned char zeros[64];
    put(b, zeros, (64 - (HEADER_BYTES + b->len) % 64) % 64);
}

static void make_header(bytes *h, uint64_t model_len, uint64_t state_len, uint32_t model_crc,
                        uint32_t state_crc)
{
    put(h, MAGIC, 8);
    put_u32(h, MODEL_FILE_VERSION);
    put_u32(h, 0);
    put_u64(h, model_len);
    put_u64(h, state_len);
    put_u32(h, model_crc);
    put_u32(h, state_crc);
    put_u64(h, 0);
}

int model_file_check_writable(const char *path) { return file_check_writable(path); }

int model_file_write_parts(const char *path, const model *m, const file_part *state, int n_parts)
{
    if (!weights_in_range(m->params, m->n_params)) {
        st_error("refusing to write '%s': the model has non-finite weights (or beyond 2^50)", path);
        return -1;
    }
    if (n_parts > MAX_PARTS - 3) {
        st_error("internal error: too many parts for '%s'", path);
        return -1;
    }
    bytes prefix = {0}, header = {0};
    model_prefix(m, &prefix);
    size_t params_len = m->n_params * sizeof(float);
    uint32_t model_crc = crc32c(crc32c(0, prefix.p, prefix.len), m->params, params_len);
    uint32_t state_crc = 0;
    uint64_t state_len = 0;
    for (int i = 0; i < n_parts; i++) {
        state_crc = crc32c(state_crc, state[i].p, state[i].len);
        state_len += state[i].len;
    }
    make_header(&header, prefix.len + params_len, state_len, model_crc, state_crc);
    file_part parts[MAX_PARTS] = {{header.p, header.len}, {prefix.p, prefix.len}, {m->params, params_len}};
    for (int i = 0; i < n_parts; i++) parts[3 + i] = state[i];
    int rc = file_replace(path, parts, 3 + n_parts);
    free(prefix.p);
    free(header.p);
    return rc;
}

int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len)
{
    file_part state = {extra, extra_len};
    return model_file_write_parts(path, m, &state, extra_len ? 1 : 0);
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

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static uint32_t get_u32(reader *r, const char *what)
{
    const unsigned char *p = take(r, 4, what);
    return p ? (uint32_t)le(p, 4) : 0;
}

static uint64_t get_u64(reader *r, const char *what)
{
    const unsigned char *p = take(r, 8, what);
    return p ? le(p, 8) : 0;
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

typedef struct {
    uint64_t model_len, state_len;
    uint32_t model_crc, state_crc;
} header_info;

/* Checks the header at p (have bytes of it available) of a file of size bytes: magic,
 * version, and the section lengths against the size. Returns 0, or -1 with an error printed. */
static int check_header(const char *name, const unsigned char *p, size_t have, uint64_t size,
                        header_info *h)
{
    if (size == 0) {
        st_error("%s: empty file, not a seqtrans model", name);
        return -1;
    }
    if (have < sizeof MAGIC || memcmp(p, MAGIC, sizeof MAGIC) != 0) {
        st_error("%s: not a seqtrans model file", name);
        return -1;
    }
    if (have < 12) {
        st_error("%s: truncated model file (%llu bytes, the header alone needs %d)", name,
                 (unsigned long long)size, HEADER_BYTES);
        return -1;
    }
    uint32_t version = (uint32_t)le(p + 8, 4);
    if (version > MODEL_FILE_VERSION || version == 0) {
        st_error("%s: model file version %u is not supported (this seqtrans reads version %d; "
                 "a newer seqtrans wrote it?)", name, version, MODEL_FILE_VERSION);
        return -1;
    }
    if (have < HEADER_BYTES || size < HEADER_BYTES) {
        st_error("%s: truncated model file (%llu bytes, the header alone needs %d)", name,
                 (unsigned long long)size, HEADER_BYTES);
        return -1;
    }
    uint32_t flags = (uint32_t)le(p + 12, 4);
    if (flags != 0) { /* version 1 writes 0: anything else is damage */
        st_error("%s: corrupt or unsupported model file (header flags %#x)", name, flags);
        return -1;
    }
    if (le(p + 40, 8) != 0) {
        /* also what a file in the single-section layout of earlier development builds shows */
        st_error("%s: corrupt or unsupported model file (reserved header bytes 40-47 are not "
                 "zero; written by an older development build?)", name);
        return -1;
    }
    h->model_len = le(p + 16, 8);
    h->state_len = le(p + 24, 8);
    h->model_crc = (uint32_t)le(p + 32, 4);
    h->state_crc = (uint32_t)le(p + 36, 4);
    uint64_t room = size - HEADER_BYTES;
    if (h->model_len > room || h->state_len != room - h->model_len) {
        int overflow = h->model_len > UINT64_MAX - HEADER_BYTES - h->state_len;
        st_error("%s: truncated or corrupt model file (size %llu, header says %llu)", name,
                 (unsigned long long)size,
                 overflow ? (unsigned long long)UINT64_MAX
                          : (unsigned long long)(HEADER_BYTES + h->model_len + h->state_len));
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
    *c = (model_config){f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], 0};
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

/* Whether the floats from byte `from` of a section on are all in range. */
typedef struct {
    size_t from;
    int in_range;
} range_verdict;

/* Parses a model section held at sec (which starts at file offset HEADER_BYTES and lies in
 * storage, handed to the model on success). The parameters stay where they are. pre is the
 * range check already made from the byte where they should start. */
static int parse_model_section(const char *name, unsigned char *sec, size_t len, void *storage,
                               const range_verdict *pre, model **out)
{
    reader r = {sec, len, 0, name, 0};
    model_config cfg;
    vocab *sv = NULL, *tv = NULL;
    if (read_config(&r, &cfg) || read_vocab(&r, &sv, cfg.src_vocab, "source vocabulary") ||
        read_vocab(&r, &tv, cfg.tgt_vocab, "target vocabulary")) {
        vocab_free(sv);
        return -1;
    }
    size_t need = model_layout(&cfg, NULL, NULL);
    uint64_t n = get_u64(&r, "parameters");
    take(&r, (64 - (HEADER_BYTES + r.pos) % 64) % 64, "padding");
    int ok = !r.failed;
    if (ok && n != need) {
        st_error("%s: corrupt model file (%llu parameters, configuration needs %zu)", name,
                 (unsigned long long)n, need);
        ok = 0;
    }
    if (ok && (len - r.pos) / 4 != need) {
        st_error("%s: truncated or corrupt model file (%zu bytes of parameters for %zu)", name,
                 len - r.pos, need);
        ok = 0;
    }
    if (ok && (len - r.pos) % 4) {
        st_error("%s: corrupt model file (trailing bytes)", name);
        ok = 0;
    }
    float *params = (float *)(void *)(sec + r.pos);
    if (ok && !(pre->from == r.pos ? pre->in_range : weights_in_range(params, need))) {
        st_error("%s: corrupt model file (non-finite weights, or beyond 2^50)", name);
        ok = 0;
    }
    if (!ok) {
        vocab_free(sv);
        vocab_free(tv);
        return -1;
    }
    *out = model_wrap(&cfg, sv, tv, params, storage);
    return 0;
}

/* Room for a model section whose parameters land 64-byte aligned: the section starts at
 * file offset HEADER_BYTES, so it starts HEADER_BYTES past an aligned address. */
static unsigned char *section_storage(size_t len, void **storage)
{
    /* Large models land in transparent huge pages where the kernel offers them: reading
     * 27 MB into 4 KiB pages costs 7,000 page faults, about half the load time. */
    size_t align = len >= HUGE_PAGE ? HUGE_PAGE : 64;
    void *p = NULL;
    if (posix_memalign(&p, align, len + 64)) {
        st_error("out of memory (model of %zu bytes)", len);
        exit(1);
    }
#ifdef MADV_HUGEPAGE
    if (align == HUGE_PAGE) madvise(p, (len + 64) / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
#endif
    *storage = p;
    return (unsigned char *)p + HEADER_BYTES % 64;
}

static int crc_mismatch(const char *name, const char *what)
{
    st_error("%s: corrupt model file (checksum mismatch in the %s)", name, what);
    return -1;
}

static int check_crc(const char *name, const void *p, size_t n, uint32_t want, const char *what)
{
    return crc32c(0, p, n) == want ? 0 : crc_mismatch(name, what);
}

/* Where the parameters of a well-formed section start, from its lengths alone (nothing
 * checked or printed): the parse below confirms it. len when the lengths do not fit. */
static size_t params_offset(const unsigned char *sec, size_t len)
{
    size_t pos = 4 + 4 * CONFIG_FIELDS;
    for (int vocabulary = 0; vocabulary < 2; vocabulary++) {
        if (len < 8 || pos > len - 8 || le(sec + pos, 8) > len - pos - 8) return len;
        pos += 8 + (size_t)le(sec + pos, 8);
    }
    pos += 8 + (64 - (HEADER_BYTES + pos + 8) % 64) % 64;
    return pos < len ? pos : len;
}

/* The checksum and the parameters' range are checked in one pass, a block at a time while
 * it is in cache: for a model that is mapped, each pass over memory is a tenth of the time
 * it takes to translate a sentence. Then the section is parsed. */
static int check_and_parse(const char *name, unsigned char *sec, size_t len, uint32_t want_crc,
                           void *storage, model **out)
{
    enum { BLOCK = 64 << 10 };
    range_verdict pre = {params_offset(sec, len), 1};
    uint32_t crc = 0;
    for (size_t at = 0; at < len; at += BLOCK) {
        size_t n = len - at < BLOCK ? len - at : BLOCK, lo = at > pre.from ? at : pre.from;
        crc = crc32c(crc, sec + at, n);
        if (lo < at + n) pre.in_range &= weights_in_range((const float *)(void *)(sec + lo), (at + n - lo) / 4);
    }
    if (crc != want_crc) return crc_mismatch(name, "model");
    return parse_model_section(name, sec, len, storage, &pre, out);
}

int model_file_parse(const char *name, const unsigned char *buf, size_t len, model **out,
                     void **extra, size_t *extra_len)
{
    header_info h;
    *out = NULL;
    if (extra) *extra = NULL;
    if (extra_len) *extra_len = 0;
    if (check_header(name, buf, len, len, &h) != 0) return -1;
    const unsigned char *msec = buf + HEADER_BYTES, *ssec = msec + h.model_len;
    void *storage;
    unsigned char *sec = section_storage(h.model_len, &storage);
    memcpy(sec, msec, h.model_len);
    if (check_and_parse(name, sec, h.model_len, h.model_crc, storage, out) != 0) {
        free(storage);
        return -1;
    }
    if (check_crc(name, ssec, h.state_len, h.state_crc, "training state") != 0) {
        model_free(*out);
        *out = NULL;
        return -1;
    }
    if (extra && h.state_len) {
        *extra = xmalloc(h.state_len);
        memcpy(*extra, ssec, h.state_len);
        if (extra_len) *extra_len = h.state_len;
    }
    return 0;
}

/* Reads up to n bytes of fd into p; returns the count read (short only at end of file),
 * or -1 with errno set. */
static long read_fully(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, p + got, n - got < (1u << 24) ? n - got : (1u << 24));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) break;
        got += (size_t)k;
    }
    return (long)got;
}

/* A section of len bytes. */
static int read_section(int fd, const char *path, size_t len, const char *what, unsigned char *dst)
{
    long got = read_fully(fd, dst, len);
    if (got < 0) {
        st_error("cannot read model '%s': %s", path, strerror(errno));
        return -1;
    }
    if ((size_t)got < len) {
        st_error("%s: truncated model file (the %s ends early)", path, what);
        return -1;
    }
    return 0;
}

static int open_model(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st_error("cannot open model '%s': %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) == 0 && S_ISDIR(st->st_mode)) {
        st_error("cannot read model '%s': %s", path, strerror(EISDIR));
        close(fd);
        return -1;
    }
    return fd;
}

/* The model section, read into aligned memory of its own: the model never depends on the
 * file again, so the file may be replaced, truncated or rewritten while a translator runs.
 * (model_file_read_only maps the file instead where a lease keeps it unchanged.) */
static unsigned char *read_model_section(int fd, int sized, const char *path, const header_info *h,
                                         void **storage)
{
    /* An input of unknown size (a pipe) is not trusted with a huge allocation. */
    if (!sized && (h->model_len > (1ULL << 32) || h->state_len > (1ULL << 34))) {
        st_error("%s: corrupt model file (sections of %llu and %llu bytes)", path,
                 (unsigned long long)h->model_len, (unsigned long long)h->state_len);
        return NULL;
    }
    unsigned char *sec = section_storage(h->model_len, storage);
    if (read_section(fd, path, h->model_len, "model", sec) != 0) {
        free(*storage);
        *storage = NULL;
        return NULL;
    }
    return sec;
}

/* The state section, which follows the model section just read. */
static int read_state(int fd, const char *path, const header_info *h, void **extra, size_t *extra_len)
{
    if (!h->state_len) return 0;
    unsigned char *state = xmalloc(h->state_len);
    if (read_section(fd, path, h->state_len, "training state", state) != 0 ||
        check_crc(path, state, h->state_len, h->state_crc, "training state") != 0) {
        free(state);
        return -1;
    }
    *extra = state;
    if (extra_len) *extra_len = h->state_len;
    return 0;
}

int model_file_read(const char *path, model **out, void **extra, size_t *extra_len)
{
    *out = NULL;
    if (extra) *extra = NULL;
    if (extra_len) *extra_len = 0;
    struct stat st;
    int fd = open_model(path, &st);
    if (fd < 0) return -1;
    int sized = S_ISREG(st.st_mode);
    unsigned char head[HEADER_BYTES];
    long got = read_fully(fd, head, HEADER_BYTES);
    header_info h;
    int rc = -1;
    if (got < 0) {
        st_error("cannot read model '%s': %s", path, strerror(errno));
        goto out;
    }
    /* The size of an input that is not a regular file is taken from its header; reading
     * then shows whether it was true. */
    uint64_t size = sized ? (uint64_t)st.st_size
                  : got >= 32 ? HEADER_BYTES + le(head + 16, 8) + le(head + 24, 8) : (uint64_t)got;
    if (!sized && got >= 32 && (le(head + 16, 8) > size || le(head + 24, 8) > size)) size = UINT64_MAX;
    if (check_header(path, head, (size_t)got, size, &h) != 0) goto out;
    void *storage = NULL;
    unsigned char *sec = read_model_section(fd, sized, path, &h, &storage);
    if (!sec) goto out;
    if (check_and_parse(path, sec, h.model_len, h.model_crc, storage, out) != 0) {
        free(storage);
        goto out;
    }
    if (extra && read_state(fd, path, &h, extra, extra_len) != 0) {
        model_free(*out);
        *out = NULL;
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

static void close_view(void *view) { file_view_close(view); }

/* The model section in a view of the file on fd (which stays the caller's). Returns 1,
 * with nothing printed, when the file cannot be viewed: the caller reads it instead. */
static int view_model(int fd, const char *path, uint64_t size, model **out)
{
    unsigned char head[HEADER_BYTES];
    header_info h;
    if (pread(fd, head, HEADER_BYTES, 0) != HEADER_BYTES) return 1;
    if (check_header(path, head, HEADER_BYTES, size, &h) != 0) return -1;
    if (h.model_len > SIZE_MAX - HEADER_BYTES) return 1;
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* the view's, closed with it */
    if (own < 0) return 1;
    const unsigned char *bytes;
    file_view *v = file_view_open(own, HEADER_BYTES + h.model_len, &bytes);
    if (!v) {
        close(own);
        return 1;
    }
    /* rewritten between reading the header and taking the lease: read what is there now */
    if (memcmp(bytes, head, HEADER_BYTES) != 0) {
        file_view_close(v);
        return 1;
    }
    unsigned char *sec = (unsigned char *)bytes + HEADER_BYTES; /* never written */
    if (check_and_parse(path, sec, h.model_len, h.model_crc, NULL, out) != 0) {
        file_view_close(v);
        return -1;
    }
    (*out)->storage = v;
    (*out)->release = close_view;
    return 0;
}

int model_file_read_only(const char *path, model **out)
{
    *out = NULL;
    struct stat st;
    int fd = open_model(path, &st);
    if (fd < 0) return -1;
    int rc = 1;
    if (S_ISREG(st.st_mode) && st.st_size >= HEADER_BYTES) rc = view_model(fd, path, (uint64_t)st.st_size, out);
    close(fd);
    return rc == 1 ? model_file_read(path, out, NULL, NULL) : rc;
}
