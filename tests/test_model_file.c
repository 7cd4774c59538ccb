/* Model file: round trip, and refusal of every kind of damaged, foreign or unwritable file.
 * The loader must never crash, never allocate what the file cannot back, and never hand back
 * a model from bytes it has not checked; the writer must never leave a half-written or
 * non-finite model behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpe_checks.h"
#include "check.h"
#include "nn/quant.h"
#include "store/model_file.h"
#include "search/translator.h"
#include "text/vocab.h"

static char dir[] = "/tmp/seqtrans-test-model-file-XXXXXX";
static char path[256];

/* ---- helpers ---- */

static char *in_dir(const char *name)
{
    static char buf[4][256];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static vocab *make_vocab(const char *const *toks, int n)
{
    vocab_counter *c = vocab_counter_new();
    for (int i = 0; i < n; i++)
        for (int k = 0; k <= i; k++) vocab_counter_add(c, toks[i]);
    vocab *v = vocab_build(c, 1, 0);
    vocab_counter_free(c);
    return v;
}

static model *tiny_cell_model(int cell, int layers, int bidir, uint64_t seed);
static model *tiny_model(int layers, int bidir, uint64_t seed) { return tiny_cell_model(0, layers, bidir, seed); }

static model *tiny_cell_model(int cell, int layers, int bidir, uint64_t seed)
{
    static const char *const en[] = {"the", "cat", "sat", "on", "mat", ".", "don", "'t"};
    static const char *const zh[] = {"猫", "坐", "在", "垫", "子", "上", "。"};
    vocab *sv = make_vocab(en, 8), *tv = make_vocab(zh, 7);
    model_config cfg = {vocab_size(sv), vocab_size(tv), 4, 6, layers, bidir, 0, 1, cell};
    CHECK(model_config_check(&cfg) == 0);
    model *m = model_new(&cfg, sv, tv);
    rng_t rng;
    rng_seed(&rng, seed);
    model_init_weights(m, &rng);
    return m;
}

static unsigned char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, k;
    unsigned char *buf = malloc(cap);
    while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static void spit(const char *p, const void *buf, size_t len)
{
    FILE *f = fopen(p, "wb");
    if (!f) return;
    if (len) fwrite(buf, 1, len, f);
    fclose(f);
}

/* stderr goes to an in-memory file while the library prints its expected complaints. */
static int saved_stderr = -1, capture_fd = -1;
static char captured[8192];

static void quiet_begin(void)
{
    fflush(stderr);
    if (capture_fd < 0) capture_fd = memfd_create("stderr", 0);
    if (ftruncate(capture_fd, 0) != 0) perror("ftruncate");
    lseek(capture_fd, 0, SEEK_SET);
    saved_stderr = dup(2);
    dup2(capture_fd, 2);
}

/* Restores stderr; captured[] holds (the start of) what was printed. */
static const char *quiet_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    ssize_t n = pread(capture_fd, captured, sizeof captured - 1, 0);
    captured[n > 0 ? n : 0] = '\0';
    return captured;
}

static int parse_quietly(const unsigned char *buf, size_t len)
{
    model *m = NULL;
    void *extra = NULL;
    size_t extra_len = 0;
    quiet_begin();
    int rc = model_file_parse("x.model", buf, len, &m, &extra, &extra_len);
    quiet_end();
    if (rc != 0) CHECK(m == NULL && extra == NULL);
    model_free(m);
    free(extra);
    return rc;
}

enum { HDR = MODEL_FILE_HEADER_BYTES };

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* Makes the header agree with the sections again (state length and both checksums; the
 * model section keeps its length), so that the structural checks behind the checksums are
 * what a change meets. */
static void fix_header(unsigned char *buf, size_t len)
{
    if (len < HDR) return;
    uint64_t model_len = get_le(buf + 16, 8);
    if (model_len > len - HDR) model_len = len - HDR;
    put_le(buf + 24, len - HDR - model_len, 8);
    put_le(buf + 32, crc32c(0, buf + HDR, model_len), 4);
    put_le(buf + 36, crc32c(0, buf + HDR + model_len, len - HDR - model_len), 4);
}

static int same_model(const model *a, const model *b)
{
    if (memcmp(&a->cfg, &b->cfg, sizeof a->cfg) || a->n_params != b->n_params) return 0;
    if (memcmp(a->params, b->params, a->n_params * sizeof(float))) return 0;
    const vocab *va[2] = {a->src_vocab, a->tgt_vocab}, *vb[2] = {b->src_vocab, b->tgt_vocab};
    for (int s = 0; s < 2; s++) {
        if (vocab_size(va[s]) != vocab_size(vb[s])) return 0;
        for (int i = 0; i < vocab_size(va[s]); i++)
            if (strcmp(vocab_token(va[s], i), vocab_token(vb[s], i))) return 0;
    }
    return 1;
}

/* Files in the test directory whose name contains ".tmp." (left-over temporaries). */
static int temporaries_left(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) n++;
    if (d) closedir(d);
    return n;
}

/* The reference file, written once by the first test. */
static unsigned char *good;
static size_t good_len;
static model *reference;
static const char state[] = "training state: opaque bytes \x00\x01\x02";

/* ---- version 2 files taken apart and put together by hand, from the layout documented in
 * model_file.h (not with the library's writer) ---- */

enum { DIR_AT = HDR + 8, ENTRY = 24 };
#define TAG(s) ((uint32_t)(unsigned char)(s)[0] | (uint32_t)(unsigned char)(s)[1] << 8 | \
                (uint32_t)(unsigned char)(s)[2] << 16 | (uint32_t)(unsigned char)(s)[3] << 24)

/* The directory entry (its file offset) of the section tagged tag, or 0. */
static size_t entry_of(const unsigned char *buf, size_t len, const char *tag)
{
    if (len < DIR_AT) return 0;
    uint64_t n = get_le(buf + HDR, 4);
    for (uint64_t i = 0; i < n && DIR_AT + (i + 1) * ENTRY <= len; i++)
        if (get_le(buf + DIR_AT + i * ENTRY, 4) == TAG(tag)) return DIR_AT + i * ENTRY;
    return 0;
}

/* The file offset of section tag's bytes (its length in *n), or 0. */
static size_t section_of(const unsigned char *buf, size_t len, const char *tag, size_t *n)
{
    size_t e = entry_of(buf, len, tag);
    if (!e) return 0;
    if (n) *n = (size_t)get_le(buf + e + 16, 8);
    return (size_t)get_le(buf + e + 8, 8);
}

typedef struct {
    const char *tag;
    uint32_t flags;
    unsigned align;
    const void *p;
    size_t len;
} crafted;

/* A version 2 file of the given sections, in order, and state; malloc'd, *len its size. */
static unsigned char *craft(const crafted *s, int n, const void *st, size_t st_len, size_t *len)
{
    size_t at = DIR_AT + (size_t)n * ENTRY, cap = at + st_len;
    for (int i = 0; i < n; i++) cap += s[i].len + 64;
    unsigned char *b = calloc(1, cap);
    memcpy(b, "SEQTRANS", 8);
    put_le(b + 8, 2, 4);
    put_le(b + HDR, (uint64_t)n, 4);
    for (int i = 0; i < n; i++) {
        at += (s[i].align - at % s[i].align) % s[i].align;
        unsigned char *e = b + DIR_AT + (size_t)i * ENTRY;
        put_le(e, TAG(s[i].tag), 4);
        put_le(e + 4, s[i].flags, 4);
        put_le(e + 8, at, 8);
        put_le(e + 16, s[i].len, 8);
        if (s[i].len) memcpy(b + at, s[i].p, s[i].len);
        at += s[i].len;
    }
    if (st_len) memcpy(b + at, st, st_len);
    put_le(b + 16, at - HDR, 8);
    *len = at + st_len;
    fix_header(b, *len);
    return b;
}

/* The four sections of the reference file, to craft others from. */
static crafted own[4];
static void take_own_sections(void)
{
    static const char *const tags[] = {"CONF", "SVOC", "TVOC", "PF32"};
    static const unsigned aligns[] = {4, 1, 1, 64};
    for (int i = 0; i < 4; i++) {
        size_t n = 0, at = section_of(good, good_len, tags[i], &n);
        CHECK(at != 0);
        own[i] = (crafted){tags[i], 1, aligns[i], good + at, n};
    }
}

/* ---- tests ---- */

static void test_round_trip(void)
{
    reference = tiny_model(1, 1, 42);
    CHECK(model_file_write(path, reference, state, sizeof state) == 0);
    CHECK(temporaries_left() == 0);
    good = slurp(path, &good_len);
    CHECK(good != NULL && good_len > 64);
    CHECK(good && !memcmp(good, "SEQTRANS", 8));

    model *m = NULL;
    void *extra = NULL;
    size_t extra_len = 0;
    CHECK(model_file_read(path, &m, &extra, &extra_len) == 0);
    CHECK(m && same_model(m, reference));
    CHECK(extra_len == sizeof state && extra && !memcmp(extra, state, sizeof state));
    model_free(m);
    free(extra);

    /* the same from memory, and without asking for the state */
    CHECK(model_file_parse("mem", good, good_len, &m, NULL, NULL) == 0);
    CHECK(m && same_model(m, reference));
    model_free(m);

    /* no state: extra comes back NULL / 0 */
    CHECK(model_file_write(in_dir("nostate.model"), reference, NULL, 0) == 0);
    extra = (void *)1;
    CHECK(model_file_read(in_dir("nostate.model"), &m, &extra, &extra_len) == 0);
    CHECK(m && same_model(m, reference) && extra == NULL && extra_len == 0);
    model_free(m);

    /* the parameters are 64-byte aligned in the file */
    uint64_t n = (uint64_t)reference->n_params * 4;
    CHECK(good_len > n + 16 + sizeof state);
    size_t params_at = good_len - sizeof state - n;
    CHECK(params_at % 64 == 0);
    CHECK(!memcmp(good + params_at, reference->params, 4));
}

static void test_other_shapes(void)
{
    for (int cell = 0; cell <= 1; cell++)
    for (int layers = 1; layers <= 3; layers++)
        for (int bidir = 0; bidir <= 1; bidir++) {
            model *a = tiny_cell_model(cell, layers, bidir, (uint64_t)(layers * 10 + bidir)), *b = NULL;
            CHECK(model_file_write(in_dir("shape.model"), a, NULL, 0) == 0);
            CHECK(model_file_read(in_dir("shape.model"), &b, NULL, NULL) == 0);
            CHECK(b && same_model(a, b));
            model_free(a);
            model_free(b);
        }
}

static void test_every_truncation(void)
{
    int accepted = 0;
    for (size_t n = 0; n < good_len; n += n < 4096 ? 1 : 61)
        if (parse_quietly(good, n) == 0) accepted++;
    CHECK(accepted == 0);
    /* and one byte too many */
    unsigned char *longer = malloc(good_len + 1);
    memcpy(longer, good, good_len);
    longer[good_len] = 0;
    CHECK(parse_quietly(longer, good_len + 1) != 0);
    /* with the header rewritten to match, the byte belongs to the (opaque) training state,
     * which comes back one byte longer for its reader to refuse */
    fix_header(longer, good_len + 1);
    model *lm = NULL;
    void *lx = NULL;
    size_t lx_len = 0;
    CHECK(model_file_parse("x.model", longer, good_len + 1, &lm, &lx, &lx_len) == 0);
    CHECK(lx_len == sizeof state + 1);
    model_free(lm);
    free(lx);
    free(longer);
    /* a truncated file on disk names the sizes */
    spit(in_dir("cut.model"), good, good_len / 2);
    model *m = NULL;
    quiet_begin();
    CHECK(model_file_read(in_dir("cut.model"), &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "truncated") != NULL);
    CHECK(m == NULL);
}

static void test_every_byte_corrupted(void)
{
    unsigned char *bad = malloc(good_len);
    int accepted = 0;
    for (size_t i = 0; i < good_len; i++) {
        memcpy(bad, good, good_len);
        bad[i] ^= (unsigned char)(1u << (i % 8));
        if (parse_quietly(bad, good_len) == 0) accepted++;
    }
    CHECK(accepted == 0);
    /* one message names the cause */
    memcpy(bad, good, good_len);
    bad[good_len / 2] ^= 0x40;
    quiet_begin();
    model *m = NULL;
    CHECK(model_file_parse("x.model", bad, good_len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "checksum") != NULL);
    /* the header's flags and reserved bytes are named */
    memcpy(bad, good, good_len);
    bad[13] = 1;
    quiet_begin();
    CHECK(model_file_parse("x.model", bad, good_len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "header flags 0x100") != NULL);
    memcpy(bad, good, good_len);
    bad[44] = 7;
    quiet_begin();
    CHECK(model_file_parse("x.model", bad, good_len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "reserved header bytes") != NULL);
    free(bad);
}

/* With the checksum repaired, every change to the structure (header, configuration,
 * vocabularies, counts, padding, state length) is either refused or gives a consistent
 * model: this is what a crafted file meets. */
static void test_structure_behind_the_checksum(void)
{
    unsigned char *bad = malloc(good_len);
    size_t params_at = good_len - sizeof state - reference->n_params * 4;
    static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x09};
    for (size_t i = HDR; i < good_len; i++) {
        if (i >= params_at && i < params_at + reference->n_params * 4) continue; /* weights */
        for (size_t v = 0; v < sizeof values; v++) {
            if (good[i] == values[v]) continue;
            memcpy(bad, good, good_len);
            bad[i] = values[v];
            fix_header(bad, good_len);
            model *m = NULL;
            quiet_begin();
            int rc = model_file_parse("x.model", bad, good_len, &m, NULL, NULL);
            quiet_end();
            if (rc == 0) {
                CHECK(m && m->n_params == model_layout(&m->cfg, NULL, NULL));
                CHECK(m && vocab_size(m->src_vocab) == m->cfg.src_vocab);
                CHECK(m && vocab_size(m->tgt_vocab) == m->cfg.tgt_vocab);
            }
            model_free(m);
        }
    }
    free(bad);
}

static void test_sizes_checked_before_trusted(void)
{
    unsigned char *bad = malloc(good_len);
    size_t conf = section_of(good, good_len, "CONF", NULL);
    CHECK(conf != 0 && get_le(good + conf, 4) == 9);
    /* the configuration asks for a huge model, or is out of range: refused before any
     * allocation (field i at conf + 4 + 4 i; the count at conf) */
    static const struct { int offset; uint32_t value; } huge[] = {
        {4, 10000000}, {8, 10000000}, {12, 8192}, {16, 8192}, {20, 8}, {4, 0x7fffffff},
        {12, 0x80000000u}, {16, 0xffffffffu}, {20, 9}, {24, 2}, {28, 2}, {32, 0xffffffffu},
        {36, 2}, {36, 0xffffffffu}, {0, 0xffffffffu}, {0, 7}, {0, 8}, {0, 0}};
    for (size_t k = 0; k < sizeof huge / sizeof huge[0]; k++) {
        memcpy(bad, good, good_len);
        put_le(bad + conf + huge[k].offset, huge[k].value, 4);
        fix_header(bad, good_len);
        CHECK(parse_quietly(bad, good_len) != 0);
    }
    /* huge offsets and lengths in every directory entry, the section count, and the
     * header's part lengths */
    static const uint64_t lengths[] = {UINT64_MAX, UINT64_MAX - 31, UINT64_MAX - HDR + 1, 1ULL << 62,
                                       1ULL << 32, 0x7fffffffffffffffULL, 0};
    uint64_t n_sections = get_le(good + HDR, 4);
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        for (uint64_t i = 0; i < n_sections; i++)
            for (int field = 8; field <= 16; field += 8) {
                memcpy(bad, good, good_len);
                put_le(bad + DIR_AT + i * ENTRY + field, lengths[k], 8);
                fix_header(bad, good_len);
                CHECK(parse_quietly(bad, good_len) != 0);
            }
        memcpy(bad, good, good_len);
        put_le(bad + HDR, lengths[k], 4);
        fix_header(bad, good_len);
        CHECK(parse_quietly(bad, good_len) != 0);
        for (int at = 16; at <= 24; at += 8) {
            memcpy(bad, good, good_len);
            put_le(bad + at, lengths[k], 8);
            CHECK(parse_quietly(bad, good_len) != 0);
        }
    }
    free(bad);
}

/* The section directory: what a reader of this version skips, refuses and names. */
static void test_sections(void)
{
    take_own_sections();
    size_t len;
    /* sections in another order, and an optional one this reader does not know: read */
    static const char note[] = "provenance: a note a later seqtrans may write";
    crafted shuffled[] = {own[3], {"ZZZZ", 0, 8, note, sizeof note}, own[1], own[0], own[2]};
    unsigned char *f = craft(shuffled, 5, state, sizeof state, &len);
    model *m = NULL;
    void *extra = NULL;
    size_t extra_len = 0;
    CHECK(model_file_parse("x.model", f, len, &m, &extra, &extra_len) == 0);
    CHECK(m && same_model(m, reference));
    CHECK(extra_len == sizeof state && extra && !memcmp(extra, state, sizeof state));
    model_free(m);
    free(extra);
    free(f);
    /* the same section flagged required: refused, and named as newer */
    shuffled[1].flags = 1;
    f = craft(shuffled, 5, NULL, 0, &len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "needs a section 'ZZZZ' this seqtrans does not know") != NULL);
    free(f);
    /* each required section missing; one twice */
    for (int drop = 0; drop < 4; drop++) {
        crafted some[3];
        for (int i = 0, j = 0; i < 4; i++)
            if (i != drop) some[j++] = own[i];
        f = craft(some, 3, NULL, 0, &len);
        quiet_begin();
        CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
        static const char *const says[] = {"no configuration section", "no source vocabulary section",
                                           "no target vocabulary section", "no parameters section (PF32 or QI8W)"};
        CHECK(strstr(quiet_end(), says[drop]) != NULL);
        free(f);
    }
    crafted twice[] = {own[0], own[1], own[2], own[3], own[1]};
    f = craft(twice, 5, NULL, 0, &len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "two 'SVOC' sections") != NULL);
    free(f);
    /* the parameters not 64-byte aligned, and a gap that is not zeros */
    crafted moved[] = {own[0], own[1], own[2], own[3]};
    moved[3].align = 4;
    f = craft(moved, 4, NULL, 0, &len);
    if (section_of(f, len, "PF32", NULL) % 64) {
        quiet_begin();
        CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
        CHECK(strstr(quiet_end(), "'PF32' misaligned") != NULL);
    }
    free(f);
    f = craft(own, 4, NULL, 0, &len);
    size_t pf = section_of(f, len, "PF32", NULL);
    CHECK(pf % 64 == 0 && f[pf - 1] == 0);
    f[pf - 1] = 1;
    fix_header(f, len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "padding before 'PF32'") != NULL);
    free(f);
    /* a configuration with a field this seqtrans does not know is newer; one with cell 1 (GRU)
     * is in range, but these parameters are an LSTM's, too many for a GRU; 2 is no cell */
    unsigned char conf[4 + 4 * 10];
    memcpy(conf, own[0].p, own[0].len);
    put_le(conf, 10, 4);
    put_le(conf + 4 + 4 * 9, 0, 4);
    crafted newer[] = {{"CONF", 1, 4, conf, sizeof conf}, own[1], own[2], own[3]};
    f = craft(newer, 4, NULL, 0, &len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "configuration has 10 fields, this seqtrans knows 9") != NULL);
    free(f);
    newer[0].len = 4 + 4 * 9;
    put_le(conf, 9, 4);
    for (int cell = 1; cell <= 2; cell++) {
        put_le(conf + 4 + 4 * 8, (uint64_t)cell, 4);
        f = craft(newer, 4, NULL, 0, &len);
        m = NULL;
        quiet_begin();
        int rc = model_file_parse("x.model", f, len, &m, NULL, NULL);
        const char *msg = quiet_end();
        CHECK(rc != 0 && strstr(msg, cell == 1 ? "parameters" : "cell = 2, outside 0..1") != NULL);
        model_free(m);
        free(f);
    }
}

static bpe *small_bpe(int han_runs)
{
    bpe_counter *c = bpe_counter_new(han_runs);
    bpe_counter_add_word(c, "low", 3, 5);
    bpe_counter_add_word(c, "newest", 6, 6);
    bpe_counter_add_word(c, "猫坐", 6, 3);
    bpe_options o;
    bpe_options_default(&o);
    bpe *b = bpe_learn(c, &o);
    bpe_counter_free(c);
    return b;
}

/* Subword models (SBPE, TBPE) round-trip, each side apart, flagged required; a model
 * without them stays word-level and its file has no such section; damaged ones are refused. */
static void test_subwords(void)
{
    size_t n = 0;
    CHECK(section_of(good, good_len, "SBPE", &n) == 0 && section_of(good, good_len, "TBPE", &n) == 0);
    model *m = NULL;
    CHECK(model_file_parse("mem", good, good_len, &m, NULL, NULL) == 0);
    CHECK(m && !m->src_bpe && !m->tgt_bpe);
    model_free(m);
    for (int sides = 1; sides <= 3; sides++) {
        model *w = tiny_model(1, 1, 7);
        w->src_bpe = sides & 1 ? small_bpe(0) : NULL;
        w->tgt_bpe = sides & 2 ? small_bpe(1) : NULL;
        CHECK(model_file_write(in_dir("bpe.model"), w, state, sizeof state) == 0);
        size_t len = 0;
        unsigned char *f = slurp(in_dir("bpe.model"), &len);
        CHECK(f != NULL);
        if (!f) return;
        m = NULL;
        CHECK(model_file_read(in_dir("bpe.model"), &m, NULL, NULL) == 0);
        CHECK(m && same_model(m, w) && bpe_same_bytes(m->src_bpe, w->src_bpe) && bpe_same_bytes(m->tgt_bpe, w->tgt_bpe));
        model_free(m);
        /* the section is there, flagged required, and its bytes are checked */
        size_t at = section_of(f, len, sides & 1 ? "SBPE" : "TBPE", &n);
        CHECK(at != 0 && n >= 16);
        size_t e = entry_of(f, len, sides & 1 ? "SBPE" : "TBPE");
        CHECK(e && get_le(f + e + 4, 4) == 1);
        if (at && n >= 16) {
            f[at] ^= 0x40; /* the version */
            fix_header(f, len);
            quiet_begin();
            CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
            CHECK(strstr(quiet_end(), "subwords") != NULL);
        }
        free(f);
        model_free(w);
    }
    /* joint: the same model on both sides, written twice and freed once */
    model *w = tiny_model(1, 1, 8);
    w->src_bpe = w->tgt_bpe = small_bpe(1);
    CHECK(model_file_write(in_dir("joint.model"), w, NULL, 0) == 0);
    CHECK(model_file_read(in_dir("joint.model"), &m, NULL, NULL) == 0);
    CHECK(m && bpe_same_bytes(m->src_bpe, w->src_bpe) && bpe_same_bytes(m->tgt_bpe, w->src_bpe));
    model_free(m);
    model_free(w);
}

/* A caller's own sections go into the model part; a reader skips one that is not required
 * and refuses one that is; sections that cannot be laid out are refused on writing. */
/* The int8 form (nn/quant.h): QI8W instead of PF32, read back as int8 views with no float
 * copy (biases read in place), and on demand as dequantized floats, each within half a step
 * of the float weight it came from (the attention keys' matrix stored transposed); refused
 * truncated, in the first layout, and beside PF32. */
static void test_int8(void)
{
    take_own_sections();
    size_t qlen = quant_image_bytes(&reference->cfg);
    void *image = NULL;
    CHECK(qlen > 0 && posix_memalign(&image, 64, qlen) == 0);
    CHECK(quant_image_build(reference, image) == 0);
    crafted int8[] = {own[0], own[1], own[2], {"QI8W", 1, 64, image, qlen}};
    size_t len;
    unsigned char *f = craft(int8, 4, NULL, 0, &len);
    model *m = NULL;
    CHECK(model_file_parse("q.model", f, len, &m, NULL, NULL) == 0);
    CHECK(m && m->qimage && m->w.q_out_w && m->w.q_attn_wc && m->w.q_attn_keys && m->w.q_src_emb &&
          m->w.q_tgt_emb && m->w.dec[0].qx && m->w.dec[0].qh && m->w.enc[0][0].qx && m->w.enc[0][0].qh);
    CHECK(m && m->n_params == reference->n_params && !m->params && !m->w.out_w && !m->w.src_emb);
    const model_config *c = &reference->cfg;
    CHECK(m && !memcmp(m->w.out_b, reference->w.out_b, (size_t)c->tgt_vocab * sizeof(float)));
    if (m) quant_model_floats(m);
    CHECK(m && m->params && m->w.q_out_w && m->w.enc[0][0].qx);
    int worst = 0;
    for (int k = 0; m && k < c->hidden; k++)
        for (int j = 0; j < c->tgt_vocab; j++) {
            size_t at = (size_t)k * c->tgt_vocab + j;
            float step = m->w.q_out_w->scales[j];
            worst |= fabsf(m->w.out_w[at] - reference->w.out_w[at]) > 0.5f * step * 1.001f;
            worst |= m->w.out_w[at] != (float)qmatrix_weight(m->w.q_out_w, k, j) * step;
        }
    for (int i = 0; m && i < c->hidden; i++)
        for (int k = 0; k < c->hidden; k++) { /* keys = enc Wa^T: w_q[k][i] is Wa[i][k] */
            size_t at = (size_t)i * c->hidden + k;
            worst |= fabsf(m->w.attn_wa[at] - reference->w.attn_wa[at]) > 0.5f * m->w.q_attn_keys->scales[i] * 1.001f;
        }
    CHECK(!worst);
    CHECK(m && !memcmp(m->w.out_b, reference->w.out_b, (size_t)c->tgt_vocab * sizeof(float)));
    CHECK(m && !memcmp(m->w.dec[0].b, reference->w.dec[0].b, 4 * (size_t)c->hidden * sizeof(float)));
    /* written again from the int8 model: the same bytes */
    CHECK(m && model_file_write(in_dir("q.model"), m, NULL, 0) == 0);
    size_t again_len;
    unsigned char *again = slurp(in_dir("q.model"), &again_len);
    CHECK(again && again_len == len && !memcmp(again, f, len));
    free(again);
    model_free(m);
    model *mapped = NULL;
    CHECK(model_file_read_only(in_dir("q.model"), &mapped) == 0 && mapped && mapped->w.q_out_w);
    model_free(mapped);
    int accepted = 0;
    for (size_t n = 0; n < len; n += n < 4096 ? 1 : 61)
        if (parse_quietly(f, n) == 0) accepted++;
    CHECK(accepted == 0);
    free(f);
    /* both kinds of parameters: refused */
    crafted both[] = {own[0], own[1], own[2], own[3], {"QI8W", 1, 64, image, qlen}};
    f = craft(both, 5, NULL, 0, &len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "both float and int8 parameters") != NULL);
    free(f);
    /* a section one matrix short: refused */
    crafted shorter[] = {own[0], own[1], own[2], {"QI8W", 1, 64, image, qlen - 64}};
    f = craft(shorter, 4, NULL, 0, &len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "int8 parameters") != NULL);
    free(f);
    /* the size of the first layout, one [Wx; Wh] matrix per cell (the reference: LSTM, one
     * layer, a bidirectional encoder of 2 x 3 units over emb 4, a decoder of 6): named */
    size_t old = qlen - 2 * (qmatrix_bytes(4, 12) + qmatrix_bytes(3, 12)) - qmatrix_bytes(4, 24) -
                 qmatrix_bytes(6, 24) + 2 * qmatrix_bytes(7, 12) + qmatrix_bytes(10, 24);
    void *first = NULL;
    CHECK(old != qlen && posix_memalign(&first, 64, old) == 0);
    memset(first, 0, old);
    crafted fused[] = {own[0], own[1], own[2], {"QI8W", 1, 64, first, old}};
    f = craft(fused, 4, NULL, 0, &len);
    quiet_begin();
    CHECK(model_file_parse("x.model", f, len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "quantize the float model again") != NULL);
    free(f);
    free(first);
    free(image);
}

static void test_added_sections(void)
{
    static const char merges[] = "t h\nth e\n";
    model_file_section add[] = {{MODEL_FILE_TAG('X', 'M', 'R', 'G'), 0, 64, merges, sizeof merges},
                                {MODEL_FILE_TAG('X', 'E', 'M', 'P'), 0, 1, NULL, 0}};
    const char *p = in_dir("added.model");
    file_part st = {state, sizeof state};
    CHECK(model_file_write_sections(p, reference, add, 2, &st, 1) == 0);
    model *m = NULL;
    void *extra = NULL;
    size_t extra_len = 0;
    CHECK(model_file_read(p, &m, &extra, &extra_len) == 0 && m && same_model(m, reference));
    CHECK(extra_len == sizeof state);
    model_free(m);
    free(extra);
    model_file_info info;
    CHECK(model_file_describe(p, &info) == 0);
    CHECK(info.version == MODEL_FILE_VERSION && info.n_sections == 6 && info.state_bytes == sizeof state);
    const model_file_entry *e = &info.sections[4];
    CHECK(!strcmp(e->tag_text, "XMRG") && !strcmp(e->name, "unknown") && !e->required);
    CHECK(e->bytes == sizeof merges && e->offset % 64 == 0);
    size_t len = 0;
    unsigned char *bytes = slurp(p, &len);
    CHECK(bytes && e->offset + e->bytes <= len && !memcmp(bytes + e->offset, merges, sizeof merges));
    free(bytes);
    /* required: written, and refused by a reader that does not know it */
    add[0].required = 1;
    CHECK(model_file_write_sections(p, reference, add, 1, NULL, 0) == 0);
    quiet_begin();
    CHECK(model_file_read_only(p, &m) != 0);
    CHECK(strstr(quiet_end(), "'XMRG' this seqtrans does not know") != NULL);
    /* a tag of the model's own, the same tag twice, an alignment that is no power of two */
    model_file_section wrong[][2] = {
        {{MODEL_FILE_TAG('C', 'O', 'N', 'F'), 0, 4, merges, 4}, add[1]},
        {add[1], add[1]},
        {{MODEL_FILE_TAG('X', 'A', 'L', 'N'), 0, 3, merges, 4}, add[1]},
        {{MODEL_FILE_TAG('X', 'A', 'L', 'N'), 0, 128, merges, 4}, add[1]},
    };
    for (size_t k = 0; k < sizeof wrong / sizeof wrong[0]; k++) {
        quiet_begin();
        CHECK(model_file_write_sections(in_dir("wrong.model"), reference, wrong[k], 2, NULL, 0) != 0);
        CHECK(strstr(quiet_end(), "internal error") != NULL);
    }
    CHECK(access(in_dir("wrong.model"), F_OK) != 0);
}

/* What `seqtrans info` prints: the configuration's fields by name, the sections by name. */
static void test_describe(void)
{
    model_file_info info;
    CHECK(model_file_describe(path, &info) == 0);
    CHECK(info.version == 2 && info.n_sections == 4);
    CHECK(info.model_bytes + info.state_bytes + HDR == good_len);
    static const char *const names[] = {"src_vocab", "tgt_vocab", "emb", "hidden", "layers",
                                        "bidir", "src_lang", "tgt_lang", "cell"};
    CHECK(model_config_field_count() == 9);
    for (int i = 0; i < 9; i++) CHECK(model_config_field_name(i) && !strcmp(model_config_field_name(i), names[i]));
    CHECK(model_config_field_name(9) == NULL && model_config_field_name(-1) == NULL);
    const model_config *c = &reference->cfg;
    int want[] = {c->src_vocab, c->tgt_vocab, c->emb, c->hidden, c->layers, c->bidir, c->src_lang,
                  c->tgt_lang, c->cell};
    for (int i = 0; i < 9; i++) CHECK(model_config_field(&info.cfg, i) == want[i]);
    uint64_t sum = 0;
    for (int i = 0; i < info.n_sections; i++) {
        sum += info.sections[i].bytes;
        CHECK(info.sections[i].required && strcmp(info.sections[i].name, "unknown"));
    }
    CHECK(!strcmp(info.sections[3].tag_text, "PF32") && info.sections[3].bytes == reference->n_params * 4);
    CHECK(!strcmp(info.sections[0].name, "configuration"));
    CHECK(sum < info.model_bytes && info.model_bytes - sum < 8 + 4 * 24 + 4 * 64);
    quiet_begin();
    CHECK(model_file_describe(in_dir("nope.model"), &info) != 0);
    quiet_end();
}

/* tests/fixtures/lstm-v1.model, written before the sections: read by every path, as an LSTM
 * (version 1 has no cell field); and refused when damaged, like a version 2 file. */
static void test_version_1(void)
{
    const char *v1 = "tests/fixtures/lstm-v1.model";
    size_t len = 0;
    unsigned char *buf = slurp(v1, &len);
    CHECK(buf != NULL && len > HDR && get_le(buf + 8, 4) == 1);
    if (!buf || len <= HDR) {
        free(buf);
        return;
    }
    model *a = NULL, *b = NULL, *c = NULL;
    CHECK(model_file_read(v1, &a, NULL, NULL) == 0);
    CHECK(model_file_read_only(v1, &b) == 0);
    CHECK(model_file_parse(v1, buf, len, &c, NULL, NULL) == 0);
    CHECK(a && b && c && same_model(a, b) && same_model(a, c));
    CHECK(a && a->cfg.cell == 0 && a->n_params == model_layout(&a->cfg, NULL, NULL));
    model_file_info info;
    CHECK(model_file_describe(v1, &info) == 0);
    CHECK(info.version == 1 && info.n_sections == 4 && info.cfg.cell == 0);
    CHECK(a && info.sections[3].bytes == a->n_params * 4 && info.sections[3].offset % 64 == 0);
    /* written again, it is a version 2 file of the same model */
    CHECK(a && model_file_write(in_dir("from-v1.model"), a, NULL, 0) == 0);
    model *d = NULL;
    CHECK(model_file_read(in_dir("from-v1.model"), &d, NULL, NULL) == 0 && a && d && same_model(a, d));
    CHECK(model_file_describe(in_dir("from-v1.model"), &info) == 0 && info.version == 2);
    model_free(a);
    model_free(b);
    model_free(c);
    model_free(d);
    /* truncations, and the structure behind the checksum: every byte before the parameters */
    int accepted = 0;
    for (size_t n = 0; n < len; n += n < 2048 ? 1 : 997)
        if (parse_quietly(buf, n) == 0) accepted++;
    CHECK(accepted == 0);
    unsigned char *bad = malloc(len);
    size_t params_at = info.sections[3].offset;
    static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x09};
    for (size_t i = HDR; i < params_at; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            if (buf[i] == values[v]) continue;
            memcpy(bad, buf, len);
            bad[i] = values[v];
            fix_header(bad, len);
            model *m = NULL;
            quiet_begin();
            int rc = model_file_parse("x.model", bad, len, &m, NULL, NULL);
            quiet_end();
            if (rc == 0) {
                CHECK(m && m->n_params == model_layout(&m->cfg, NULL, NULL));
                CHECK(m && vocab_size(m->src_vocab) == m->cfg.src_vocab && m->cfg.cell == 0);
            }
            model_free(m);
        }
    /* a version 1 configuration has exactly 8 fields */
    memcpy(bad, buf, len);
    put_le(bad + HDR, 9, 4);
    fix_header(bad, len);
    CHECK(parse_quietly(bad, len) != 0);
    /* a non-finite weight */
    memcpy(bad, buf, len);
    put_le(bad + params_at + 4 * 100, 0x7f800000, 4);
    fix_header(bad, len);
    quiet_begin();
    CHECK(model_file_parse("x.model", bad, len, &a, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "non-finite") != NULL);
    free(bad);
    free(buf);
}

static void test_foreign_and_empty(void)
{
    static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06";
    static const char text[] = "Whose map is this?\t这是谁的地图？\n";
    static const char gguf[] = "GGUF\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    struct { const char *name; const void *p; size_t n; const char *says; } cases[] = {
        {"empty.model", "", 0, "empty"},
        {"png.model", png, sizeof png - 1, "not a seqtrans model file"},
        {"text.model", text, sizeof text - 1, "not a seqtrans model file"},
        {"gguf.model", gguf, sizeof gguf - 1, "not a seqtrans model file"},
        {"magic.model", "SEQTRANS", 8, "truncated"},
        {"short.model", "SEQ", 3, "not a seqtrans model file"},
        {"header.model", good, 32, "truncated"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *p = in_dir(cases[k].name);
        spit(p, cases[k].p, cases[k].n);
        model *m = NULL;
        quiet_begin();
        CHECK(model_file_read(p, &m, NULL, NULL) != 0);
        const char *msg = quiet_end();
        CHECK(m == NULL);
        CHECK(strstr(msg, cases[k].says) != NULL);
        CHECK(strstr(msg, cases[k].name) != NULL);   /* names the file */
        if (!strstr(msg, cases[k].says)) fprintf(stderr, "  %s: %s", cases[k].name, msg);
    }
}

static void test_newer_version(void)
{
    unsigned char *v = malloc(good_len);
    static const uint32_t versions[] = {3, 4, 0xffffffffu, 0};
    for (size_t k = 0; k < sizeof versions / sizeof versions[0]; k++) {
        memcpy(v, good, good_len);
        put_le(v + 8, versions[k], 4);
        model *m = NULL;
        quiet_begin();
        CHECK(model_file_parse("new.model", v, good_len, &m, NULL, NULL) != 0);
        const char *msg = quiet_end();
        CHECK(m == NULL);
        CHECK(strstr(msg, "version") != NULL && strstr(msg, "not supported") != NULL);
        /* a newer version is named as such even when its layout differs (other length) */
        CHECK(parse_quietly(v, 40) != 0);
    }
    memcpy(v, good, good_len);
    put_le(v + 8, 3, 4);
    spit(in_dir("v3.model"), v, good_len / 3);
    model *m = NULL;
    quiet_begin();
    CHECK(model_file_read(in_dir("v3.model"), &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "version 3 is not supported") != NULL);
    free(v);
}

static void test_non_finite_weights(void)
{
    static const float bad_values[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 3; k++) {
        model *m = tiny_model(1, 1, 42);
        m->params[m->n_params / 2] = bad_values[k];
        quiet_begin();
        CHECK(model_file_write(path, m, state, sizeof state) != 0);
        CHECK(strstr(quiet_end(), "non-finite") != NULL);
        model_free(m);
        size_t len = 0;
        unsigned char *now = slurp(path, &len);   /* the previous file is intact */
        CHECK(now && len == good_len && !memcmp(now, good, len));
        free(now);
        CHECK(temporaries_left() == 0);
    }
    /* a file that holds a NaN (checksum and all) is refused too */
    unsigned char *bad = malloc(good_len);
    memcpy(bad, good, good_len);
    size_t params_at = good_len - sizeof state - reference->n_params * 4;
    put_le(bad + params_at + 4 * 3, 0x7fc00000, 4);
    fix_header(bad, good_len);
    model *m = NULL;
    quiet_begin();
    CHECK(model_file_parse("nan.model", bad, good_len, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "non-finite") != NULL);
    free(bad);
}

/* Reading a file checks the checksum and the weights' range in one pass, block by block:
 * a bad weight is found wherever it lies, first or last, at a block's edge or not, by the
 * reader that copies and by the one that maps. */
static void test_bad_weight_found_anywhere_in_a_file(void)
{
    vocab *sv = make_vocab((const char *const[]){"a", "b"}, 2), *tv = make_vocab((const char *const[]){"x"}, 1);
    model_config cfg = {vocab_size(sv), vocab_size(tv), 32, 64, 1, 1, 0, 1, 0};
    model *m = model_new(&cfg, sv, tv);
    CHECK(m->n_params * 4 > 3 * 65536); /* more than one block */
    size_t at[] = {0, 1, 16383, 16384, 16385, 40000, m->n_params - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        memset(m->params, 0, m->n_params * sizeof(float));
        CHECK(model_file_write(in_dir("block.model"), m, NULL, 0) == 0);
        size_t len = 0;
        unsigned char *bytes = slurp(in_dir("block.model"), &len);
        put_le(bytes + len - (m->n_params - at[k]) * 4, 0x7f800000, 4); /* +Inf */
        fix_header(bytes, len);
        spit(in_dir("block.model"), bytes, len);
        free(bytes);
        for (int mapped = 0; mapped < 2; mapped++) {
            model *back = NULL;
            quiet_begin();
            CHECK((mapped ? model_file_read_only(in_dir("block.model"), &back)
                          : model_file_read(in_dir("block.model"), &back, NULL, NULL)) != 0);
            CHECK(strstr(quiet_end(), "non-finite") != NULL);
            CHECK(back == NULL);
        }
    }
    memset(m->params, 0, m->n_params * sizeof(float));
    CHECK(model_file_write(in_dir("block.model"), m, NULL, 0) == 0);
    model *back = NULL;
    CHECK(model_file_read_only(in_dir("block.model"), &back) == 0);
    CHECK(back && back->n_params == m->n_params);
    model_free(back);
    model_free(m);
}

/* Found by fuzzing (tests/fuzz_model_file.c): a weight of 3.4e38 is finite, so the file was
 * accepted, but decoding overflowed to Inf - Inf = NaN and translated every sentence into a
 * run of one repeated word. Weights beyond 2^50 are now refused on reading and writing; at
 * the bound itself every sum of products stays finite, so a model of nothing but +-2^50
 * still translates (the sanitizer build checks that no NaN reaches an integer conversion). */
static void test_weights_out_of_range(void)
{
    static const uint32_t bits[] = {0x7f7fffff /* FLT_MAX */, 0xff7fffff, 0x58800001, 0x60000000};
    size_t params_at = good_len - sizeof state - reference->n_params * 4;
    unsigned char *bad = malloc(good_len);
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++) {
        memcpy(bad, good, good_len);
        put_le(bad + params_at + 4 * (reference->n_params / 3), bits[k], 4);
        fix_header(bad, good_len);
        model *m = NULL;
        quiet_begin();
        CHECK(model_file_parse("huge.model", bad, good_len, &m, NULL, NULL) != 0);
        CHECK(strstr(quiet_end(), "beyond 2^50") != NULL);
        CHECK(m == NULL);
        float f;
        memcpy(&f, &bits[k], 4);
        m = tiny_model(1, 1, 42);
        m->params[k] = f;
        quiet_begin();
        CHECK(model_file_write(in_dir("huge.model"), m, NULL, 0) != 0);
        quiet_end();
        model_free(m);
    }
    free(bad);
    CHECK(access(in_dir("huge.model"), F_OK) != 0);

    model *m = tiny_model(2, 1, 5);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] = i % 3 ? 0x1p50f : -0x1p50f;
    CHECK(model_file_write(in_dir("edge.model"), m, NULL, 0) == 0);
    model_free(m);
    m = NULL;
    CHECK(model_file_read(in_dir("edge.model"), &m, NULL, NULL) == 0 && m);
    if (m) {
        static const char *const lines[] = {"the cat sat on the mat .", "don't", ""};
        decode_options o = {.beam = 3, .len_alpha = 1.0f};
        translator tr;
        translator_init(&tr, m, &o);
        char *out[3];
        translate_lines(&tr, lines, 3, out, NULL);
        for (int i = 0; i < 3; i++) {
            CHECK(out[i] && utf8_valid(out[i], strlen(out[i])));
            free(out[i]);
        }
        translator_free(&tr);
        model_free(m);
    }
}

static void test_write_failures(void)
{
    model *m = NULL;
    /* a directory that does not exist */
    quiet_begin();
    CHECK(model_file_write(in_dir("missing/dir/x.model"), reference, NULL, 0) != 0);
    CHECK(strstr(quiet_end(), "missing/dir/x.model") != NULL);   /* the real name, not a temp */
    /* the path is a directory */
    quiet_begin();
    CHECK(model_file_write(dir, reference, NULL, 0) != 0);
    quiet_end();
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));

    /* a full device: written in place (a link to /dev/full stays a link; the device is never
     * renamed over), and the failure reported */
    if (access("/dev/full", W_OK) == 0) {
        const char *full = in_dir("full.model");
        CHECK(symlink("/dev/full", full) == 0);
        quiet_begin();
        CHECK(model_file_write(full, reference, state, sizeof state) != 0);
        CHECK(strstr(quiet_end(), "No space left") != NULL);
        CHECK(lstat(full, &st) == 0 && S_ISLNK(st.st_mode));
        unlink(full);
    }
    if (access("/dev/null", W_OK) == 0) {
        const char *null = in_dir("null.model");
        CHECK(symlink("/dev/null", null) == 0);
        CHECK(model_file_write(null, reference, NULL, 0) == 0);
        CHECK(lstat(null, &st) == 0 && S_ISLNK(st.st_mode));
        unlink(null);
    }

    /* a disk that fills up halfway: the file size limit makes write() fail with EFBIG */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 1000;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    if (good_len > 1000 && setrlimit(RLIMIT_FSIZE, &lim) == 0) {
        model *other = tiny_model(1, 1, 7);
        quiet_begin();
        int rc = model_file_write(path, other, state, sizeof state);
        setrlimit(RLIMIT_FSIZE, &old);
        CHECK(rc != 0);
        CHECK(strstr(quiet_end(), path) != NULL);
        model_free(other);
        size_t len = 0;
        unsigned char *now = slurp(path, &len);
        CHECK(now && len == good_len && !memcmp(now, good, len));   /* old file intact */
        free(now);
        CHECK(temporaries_left() == 0);
    }
    signal(SIGXFSZ, prev);

    /* replacing a file keeps its permissions */
    CHECK(chmod(path, 0640) == 0);
    CHECK(model_file_write(path, reference, state, sizeof state) == 0);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK(model_file_read(path, &m, NULL, NULL) == 0 && m && same_model(m, reference));
    model_free(m);
}

static void test_read_failures(void)
{
    model *m = NULL;
    quiet_begin();
    CHECK(model_file_read(in_dir("nope.model"), &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "No such file") != NULL);
    quiet_begin();
    CHECK(model_file_read(dir, &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "directory") != NULL);
    /* endless input is not read to its end */
    if (access("/dev/zero", R_OK) == 0) {
        quiet_begin();
        CHECK(model_file_read("/dev/zero", &m, NULL, NULL) != 0);
        CHECK(strstr(quiet_end(), "not a seqtrans model file") != NULL);
    }
    /* a header that promises far more than the file holds */
    unsigned char *bad = malloc(good_len);
    memcpy(bad, good, good_len);
    put_le(bad + 16, 1ULL << 40, 8);
    spit(in_dir("promise.model"), bad, good_len);
    quiet_begin();
    CHECK(model_file_read(in_dir("promise.model"), &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "truncated") != NULL);
    /* data after the end */
    spit(in_dir("long.model"), good, good_len);
    FILE *f = fopen(in_dir("long.model"), "ab");
    fputs("more", f);
    fclose(f);
    quiet_begin();
    CHECK(model_file_read(in_dir("long.model"), &m, NULL, NULL) != 0);
    CHECK(strstr(quiet_end(), "header says") != NULL);
    free(bad);
    CHECK(m == NULL);
}

/* Writing over a model while another copy of it is being read never exposes a mixture. */
static void test_replace_is_atomic(void)
{
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    model *other = tiny_model(2, 0, 99);
    CHECK(model_file_write(path, other, NULL, 0) == 0);
    /* the descriptor opened before still reads the old file, whole */
    unsigned char *old = malloc(good_len + 1);
    ssize_t n = read(fd, old, good_len + 1);
    CHECK(n == (ssize_t)good_len && !memcmp(old, good, good_len));
    close(fd);
    free(old);
    model *m = NULL;
    CHECK(model_file_read(path, &m, NULL, NULL) == 0 && m && same_model(m, other));
    model_free(m);
    model_free(other);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/m.model", dir);
    RUN_TEST(test_round_trip);
    if (!good) return TEST_SUMMARY("model_file");
    RUN_TEST(test_other_shapes);
    RUN_TEST(test_every_truncation);
    RUN_TEST(test_every_byte_corrupted);
    RUN_TEST(test_structure_behind_the_checksum);
    RUN_TEST(test_sizes_checked_before_trusted);
    RUN_TEST(test_sections);
    RUN_TEST(test_int8);
    RUN_TEST(test_subwords);
    RUN_TEST(test_added_sections);
    RUN_TEST(test_describe);
    RUN_TEST(test_version_1);
    RUN_TEST(test_foreign_and_empty);
    RUN_TEST(test_newer_version);
    RUN_TEST(test_non_finite_weights);
    RUN_TEST(test_weights_out_of_range);
    RUN_TEST(test_bad_weight_found_anywhere_in_a_file);
    RUN_TEST(test_write_failures);
    RUN_TEST(test_read_failures);
    RUN_TEST(test_replace_is_atomic);
    model_free(reference);
    free(good);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return TEST_SUMMARY("model_file");
}
