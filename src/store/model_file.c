#include "store/model_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nn/quant.h"
#include "store/crc32c.h"
#include "store/file_view.h"
#include "store/files.h"
#include "store/model_part.h"
#include "text/vocab.h"

#define HUGE_PAGE ((size_t)2 << 20)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model files hold little-endian float32 weights that are used where they are read"
#endif

static const char MAGIC[8] = {'S', 'E', 'Q', 'T', 'R', 'A', 'N', 'S'};
enum { HEADER_BYTES = MODEL_FILE_HEADER_BYTES };

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

const char *model_default_path(void)
{
    const char *env = getenv("SEQTRANS_MODEL");
    return env && *env ? env : "seqtrans.model";
}

/* ---- writing ---- */

static void make_header(unsigned char h[HEADER_BYTES], uint64_t model_len, uint64_t state_len,
                        uint32_t model_crc, uint32_t state_crc)
{
    memset(h, 0, HEADER_BYTES);
    memcpy(h, MAGIC, sizeof MAGIC);
    put_le(h + 8, MODEL_FILE_VERSION, 4);
    put_le(h + 16, model_len, 8);
    put_le(h + 24, state_len, 8);
    put_le(h + 32, model_crc, 4);
    put_le(h + 36, state_crc, 4);
}

int model_file_check_writable(const char *path) { return file_check_writable(path); }

int model_file_write_sections(const char *path, const model *m, const model_file_section *add,
                              int n_add, const file_part *state, int n_parts)
{
    part_image img;
    if (part_build(path, m, add, n_add, &img) != 0) {
        part_image_free(&img);
        return -1;
    }
    uint32_t state_crc = 0;
    uint64_t state_len = 0;
    for (int i = 0; i < n_parts; i++) {
        state_crc = crc32c(state_crc, state[i].p, state[i].len);
        state_len += state[i].len;
    }
    unsigned char header[HEADER_BYTES];
    make_header(header, img.len, state_len, img.crc, state_crc);
    int n = 1 + img.n_pieces + n_parts;
    file_part *parts = xmalloc((size_t)n * sizeof *parts);
    parts[0] = (file_part){header, HEADER_BYTES};
    memcpy(parts + 1, img.pieces, (size_t)img.n_pieces * sizeof *parts);
    if (n_parts) memcpy(parts + 1 + img.n_pieces, state, (size_t)n_parts * sizeof *parts);
    int rc = file_replace(path, parts, n);
    free(parts);
    part_image_free(&img);
    return rc;
}

int model_file_write_parts(const char *path, const model *m, const file_part *state, int n_parts)
{
    return model_file_write_sections(path, m, NULL, 0, state, n_parts);
}

int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len)
{
    file_part state = {extra, extra_len};
    return model_file_write_parts(path, m, &state, extra_len ? 1 : 0);
}

/* ---- reading ---- */

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

typedef struct {
    uint32_t version;
    uint64_t model_len, state_len;
    uint32_t model_crc, state_crc;
} header_info;

/* Checks the header at p (have bytes of it available) of a file of size bytes: magic,
 * version, and the part lengths against the size. Returns 0, or -1 with an error printed. */
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
        st_error("%s: model file version %u is not supported (this seqtrans reads versions 1 to %d; "
                 "a newer seqtrans wrote it?)", name, version, MODEL_FILE_VERSION);
        return -1;
    }
    if (have < HEADER_BYTES || size < HEADER_BYTES) {
        st_error("%s: truncated model file (%llu bytes, the header alone needs %d)", name,
                 (unsigned long long)size, HEADER_BYTES);
        return -1;
    }
    uint32_t flags = (uint32_t)le(p + 12, 4);
    if (flags != 0) { /* versions 1 and 2 write 0: anything else is damage */
        st_error("%s: corrupt or unsupported model file (header flags %#x)", name, flags);
        return -1;
    }
    if (le(p + 40, 8) != 0) {
        /* also what a file in the single-part layout of earlier development builds shows */
        st_error("%s: corrupt or unsupported model file (reserved header bytes 40-47 are not "
                 "zero; written by an older development build?)", name);
        return -1;
    }
    h->version = version;
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

/* Room for a model part whose 64-byte aligned sections land 64-byte aligned in memory: the
 * part starts at file offset HEADER_BYTES, so it starts HEADER_BYTES past an aligned address. */
static unsigned char *part_storage(size_t len, void **storage)
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

/* Checks the model part at sec (file offset HEADER_BYTES, len bytes, in storage, which is
 * handed to the model on success) and makes the model from it; its parameters stay where
 * they are. The sections are found first, silently, so that the one pass over the part that
 * computes its checksum also checks the weights' range; then the checksum, then what the
 * sections hold. map (may be NULL) receives where the sections are. */
static int check_and_parse(const char *name, const header_info *h, unsigned char *sec,
                           void *storage, model **out, section_map *map)
{
    section_map here;
    if (!map) map = &here;
    int located = part_locate(h->version, sec, h->model_len, map) == 0;
    if (part_verify(sec, h->model_len, located ? map : NULL) != h->model_crc) return crc_mismatch(name, "model");
    if (!located) {
        st_error("%s: %s", name, map->why);
        return -1;
    }
    part_contents c;
    if (part_parse(name, h->version, sec, map, &c) != 0) return -1;
    if (c.qimage) {
        *out = quant_model_from_image(&c.cfg, c.src_vocab, c.tgt_vocab, c.qimage, c.qimage_len);
        if (!*out) {
            st_error("%s: corrupt model file (int8 parameters)", name);
            vocab_free(c.src_vocab);
            vocab_free(c.tgt_vocab);
            free(c.record);
            return -1;
        }
        (*out)->storage = storage;
    } else {
        *out = model_wrap(&c.cfg, c.src_vocab, c.tgt_vocab, c.params, storage);
    }
    (*out)->record = c.record;
    return 0;
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
    unsigned char *sec = part_storage(h.model_len, &storage);
    memcpy(sec, msec, h.model_len);
    if (check_and_parse(name, &h, sec, storage, out, NULL) != 0) {
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

/* A part of len bytes. */
static int read_part(int fd, const char *path, size_t len, const char *what, unsigned char *dst)
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

/* The model part, read into aligned memory of its own: the model never depends on the
 * file again, so the file may be replaced, truncated or rewritten while a translator runs.
 * (model_file_read_only maps the file instead where a lease keeps it unchanged.) */
static unsigned char *read_model_part(int fd, int sized, const char *path, const header_info *h,
                                         void **storage)
{
    /* An input of unknown size (a pipe) is not trusted with a huge allocation. */
    if (!sized && (h->model_len > (1ULL << 32) || h->state_len > (1ULL << 34))) {
        st_error("%s: corrupt model file (parts of %llu and %llu bytes)", path,
                 (unsigned long long)h->model_len, (unsigned long long)h->state_len);
        return NULL;
    }
    unsigned char *sec = part_storage(h->model_len, storage);
    if (read_part(fd, path, h->model_len, "model", sec) != 0) {
        free(*storage);
        *storage = NULL;
        return NULL;
    }
    return sec;
}

/* The state part, which follows the model part just read. */
static int read_state(int fd, const char *path, const header_info *h, void **extra, size_t *extra_len)
{
    if (!h->state_len) return 0;
    unsigned char *state = xmalloc(h->state_len);
    if (read_part(fd, path, h->state_len, "training state", state) != 0 ||
        check_crc(path, state, h->state_len, h->state_crc, "training state") != 0) {
        free(state);
        return -1;
    }
    *extra = state;
    if (extra_len) *extra_len = h->state_len;
    return 0;
}

/* model_file_read, and where the sections are in map (may be NULL), and the header in
 * *hout (may be NULL). */
static int read_model(const char *path, model **out, void **extra, size_t *extra_len,
                      section_map *map, header_info *hout)
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
    unsigned char *sec = read_model_part(fd, sized, path, &h, &storage);
    if (!sec) goto out;
    if (check_and_parse(path, &h, sec, storage, out, map) != 0) {
        free(storage);
        goto out;
    }
    if (extra && read_state(fd, path, &h, extra, extra_len) != 0) {
        model_free(*out);
        *out = NULL;
        goto out;
    }
    if (hout) *hout = h;
    rc = 0;
out:
    close(fd);
    return rc;
}

int model_file_read(const char *path, model **out, void **extra, size_t *extra_len)
{
    return read_model(path, out, extra, extra_len, NULL, NULL);
}

int model_file_describe(const char *path, model_file_info *info)
{
    memset(info, 0, sizeof *info);
    section_map map;
    header_info h;
    model *m;
    void *state = NULL; /* read to check its checksum too: "resumable" must be true */
    size_t state_len = 0;
    if (read_model(path, &m, &state, &state_len, &map, &h) != 0) return -1;
    free(state);
    info->version = h.version;
    info->model_bytes = h.model_len;
    info->state_bytes = h.state_len;
    info->cfg = m->cfg;
    model_free(m);
    info->n_sections = map.n;
    for (int i = 0; i < map.n; i++) {
        const section_span *s = &map.s[i];
        model_file_entry *e = &info->sections[i];
        const char *name = part_section_name(s->tag);
        *e = (model_file_entry){s->tag, "", name ? name : "unknown", s->required, s->offset, s->length};
        part_tag_text(s->tag, e->tag_text);
    }
    return 0;
}

static void close_view(void *view) { file_view_close(view); }

/* The model part in a view of the file on fd (which stays the caller's). Returns 1,
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
    if (check_and_parse(path, &h, sec, NULL, out, NULL) != 0) {
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
