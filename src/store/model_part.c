#include "store/model_part.h"

#include "store/record.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/crc32c.h"
#include "text/bpe.h"
#include "text/vocab.h"

enum {
    HEADER_BYTES = MODEL_FILE_HEADER_BYTES,
    MAX_ALIGN = 64,        /* the most any section asks; version 2 gaps are shorter */
    DIRECTORY_AT = 8,      /* version 2: u32 count, u32 0, then the entries */
    ENTRY_BYTES = 24,      /* u32 tag, u32 flags, u64 offset, u64 length */
    FLAG_REQUIRED = 1,
};

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* ---- the configuration's fields ---- */

typedef struct {
    const char *name;
    size_t offset; /* of the int in model_config */
    int min, max;
    int absent;    /* the value in a file written before the field existed */
} config_field;

#define FIELD(f, lo, hi, absent) {#f, offsetof(model_config, f), lo, hi, absent}
/* In file order; new fields go at the end. */
static const config_field CONFIG[] = {
    FIELD(src_vocab, 4, 10000000, 0),
    FIELD(tgt_vocab, 4, 10000000, 0),
    FIELD(emb, 1, 8192, 0),
    FIELD(hidden, 2, 8192, 0),
    FIELD(layers, 1, MODEL_MAX_LAYERS, 0),
    FIELD(bidir, 0, 1, 0),
    FIELD(src_lang, 0, 1, 0),
    FIELD(tgt_lang, 0, 1, 0),
    FIELD(cell, 0, 1, 0), /* from version 2; a version 1 model is LSTM */
};
#undef FIELD
enum { N_CONFIG = sizeof CONFIG / sizeof CONFIG[0] };

/* How many fields a file of each version holds: version 1 exactly 8; version 2 at least
 * the 9 it started with, and a file with fields this reader does not know is newer. */
static const int CONFIG_MIN[] = {0, 8, 9}, CONFIG_MAX[] = {0, 8, N_CONFIG};
_Static_assert(sizeof CONFIG_MIN / sizeof CONFIG_MIN[0] == MODEL_FILE_VERSION + 1,
               "a new version says how many configuration fields its files hold");

int model_config_field_count(void) { return N_CONFIG; }

const char *model_config_field_name(int i) { return i >= 0 && i < N_CONFIG ? CONFIG[i].name : NULL; }

static int *field_in(model_config *c, int i) { return (int *)(void *)((char *)c + CONFIG[i].offset); }

int model_config_field(const model_config *c, int i)
{
    return i >= 0 && i < N_CONFIG ? *field_in((model_config *)c, i) : 0;
}

/* ---- the sections ---- */

enum { NEEDED = 1, WHEN_PRESENT = 2 };

/* The reader's state while it parses the sections of one part, in table order. */
typedef struct {
    const char *name;
    uint32_t version;
    part_contents *c;
} parsing;

struct section_kind {
    uint32_t tag;
    const char *name;
    int required;  /* NEEDED: flagged required (a reader that does not know the tag refuses
                      the file) and this one refuses a file without it; WHEN_PRESENT:
                      flagged so, but a file may lack it; 0: optional */
    unsigned align;
    int floats;    /* float32 weights: their range is checked in the checksum pass */
    /* how its bytes are checked (after the checksum): 0, or -1 with an error printed */
    int (*parse)(parsing *ps, const unsigned char *p, size_t n, const section_span *s);
    /* its bytes for m: *p and *n, and what to free afterwards (NULL when borrowed) */
    void *(*emit)(const model *m, const void **p, size_t *n);
};

static int corrupt(const parsing *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int corrupt(const parsing *ps, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    st_error("%s: corrupt model file (%s)", ps->name, why);
    return -1;
}

static int parse_config(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    uint64_t count = n >= 4 ? le(p, 4) : 0;
    if (n < 4 || n != 4 + 4 * count) return corrupt(ps, "configuration of %zu bytes", n);
    if (ps->version == MODEL_FILE_VERSION && count > N_CONFIG) {
        st_error("%s: the model's configuration has %llu fields, this seqtrans knows %d "
                 "(written by a newer seqtrans?)", ps->name, (unsigned long long)count, N_CONFIG);
        return -1;
    }
    if (count < (uint64_t)CONFIG_MIN[ps->version] || count > (uint64_t)CONFIG_MAX[ps->version])
        return corrupt(ps, "%llu configuration fields", (unsigned long long)count);
    model_config *c = &ps->c->cfg;
    for (int i = 0; i < N_CONFIG; i++) {
        int v = (uint64_t)i < count ? (int)(int32_t)le(p + 4 + 4 * i, 4) : CONFIG[i].absent;
        if (v < CONFIG[i].min || v > CONFIG[i].max)
            return corrupt(ps, "configuration %s = %d, outside %d..%d", CONFIG[i].name, v,
                           CONFIG[i].min, CONFIG[i].max);
        *field_in(c, i) = v;
    }
    if (model_config_check(c) != 0) return corrupt(ps, "bad configuration");
    return 0;
}

static void *emit_config(const model *m, const void **p, size_t *n)
{
    unsigned char *b = xmalloc(4 + 4 * N_CONFIG);
    put_le(b, N_CONFIG, 4);
    for (int i = 0; i < N_CONFIG; i++) put_le(b + 4 + 4 * i, (uint32_t)model_config_field(&m->cfg, i), 4);
    *p = b;
    *n = 4 + 4 * N_CONFIG;
    return b;
}

static int parse_vocab(parsing *ps, const unsigned char *p, size_t n, vocab **v, int want,
                       const char *what)
{
    if (vocab_deserialize((const char *)p, n, v) != 0) return corrupt(ps, "%s", what);
    if (vocab_size(*v) != want) {
        int have = vocab_size(*v);
        vocab_free(*v);
        *v = NULL;
        return corrupt(ps, "%s has %d entries, configuration says %d", what, have, want);
    }
    return 0;
}

static int parse_src_vocab(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    return parse_vocab(ps, p, n, &ps->c->src_vocab, ps->c->cfg.src_vocab, "source vocabulary");
}

static int parse_tgt_vocab(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    return parse_vocab(ps, p, n, &ps->c->tgt_vocab, ps->c->cfg.tgt_vocab, "target vocabulary");
}

static void *emit_vocab(const vocab *v, const void **p, size_t *n)
{
    char *b = vocab_serialize(v, n);
    *p = b;
    return b;
}

static void *emit_src_vocab(const model *m, const void **p, size_t *n) { return emit_vocab(m->src_vocab, p, n); }
static void *emit_tgt_vocab(const model *m, const void **p, size_t *n) { return emit_vocab(m->tgt_vocab, p, n); }

static int parse_params(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    size_t need = model_layout(&ps->c->cfg, NULL, NULL);
    if (n / 4 != need || n % 4)
        return corrupt(ps, "%zu bytes of parameters, configuration needs %zu floats", n, need);
    if (!s->in_range) return corrupt(ps, "non-finite weights, or beyond 2^50");
    ps->c->params = (float *)(void *)p;
    return 0;
}

/* An int8 model has no float parameters section: QI8W holds its weights. */
static void *emit_params(const model *m, const void **p, size_t *n)
{
    *p = m->qimage ? NULL : m->params;
    *n = m->qimage ? 0 : m->n_params * sizeof(float);
    return NULL;
}

static int parse_quant(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    if (ps->c->params) return corrupt(ps, "both float and int8 parameters");
    ps->c->qimage = p;
    ps->c->qimage_len = n;
    return 0;
}

static void *emit_quant(const model *m, const void **p, size_t *n)
{
    *p = m->qimage;
    *n = m->qimage_len;
    return NULL;
}

/* Subword units (text/bpe.h): a side without the section is word-level. */
static int parse_bpe(parsing *ps, const unsigned char *p, size_t n, bpe **out, const char *what)
{
    if (bpe_deserialize((const char *)p, n, out) != 0) return corrupt(ps, "%s", what);
    return 0;
}

static int parse_src_bpe(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    return parse_bpe(ps, p, n, &ps->c->src_bpe, "source subwords");
}

static int parse_tgt_bpe(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    return parse_bpe(ps, p, n, &ps->c->tgt_bpe, "target subwords");
}

static void *emit_bpe(const bpe *b, const void **p, size_t *n)
{
    char *bytes = b ? bpe_serialize(b, n) : NULL;
    if (!b) *n = 0;
    *p = bytes;
    return bytes;
}

static void *emit_src_bpe(const model *m, const void **p, size_t *n) { return emit_bpe(m->src_bpe, p, n); }
static void *emit_tgt_bpe(const model *m, const void **p, size_t *n) { return emit_bpe(m->tgt_bpe, p, n); }

static int parse_record(parsing *ps, const unsigned char *p, size_t n, const section_span *s)
{
    (void)s;
    if (!record_valid((const char *)p, n)) return corrupt(ps, "training record");
    ps->c->record = xmalloc(n + 1);
    memcpy(ps->c->record, p, n);
    ps->c->record[n] = 0;
    return 0;
}

/* A model without a record gets no section. */
static void *emit_record(const model *m, const void **p, size_t *n)
{
    *p = m->record;
    *n = m->record ? strlen(m->record) : 0;
    return NULL;
}

/* Positions in SECTIONS, for the version 1 layout, which has no tags; a model holds exactly
 * one of PF32 and QI8W, both flagged required. */
enum { CONF, SVOC, TVOC, PF32, QI8W };

/* The sections of the model part, in the order they are parsed and written (a section may
 * use what those before it found). Tags are four letters. */
static const section_kind SECTIONS[] = {
    {MODEL_FILE_TAG('C', 'O', 'N', 'F'), "configuration", 1, 4, 0, parse_config, emit_config},
    {MODEL_FILE_TAG('S', 'V', 'O', 'C'), "source vocabulary", 1, 1, 0, parse_src_vocab, emit_src_vocab},
    {MODEL_FILE_TAG('T', 'V', 'O', 'C'), "target vocabulary", 1, 1, 0, parse_tgt_vocab, emit_tgt_vocab},
    {MODEL_FILE_TAG('P', 'F', '3', '2'), "parameters (float32)", 1, 64, 1, parse_params, emit_params},
    {MODEL_FILE_TAG('Q', 'I', '8', 'W'), "parameters (int8)", 1, 64, 0, parse_quant, emit_quant},
    {MODEL_FILE_TAG('T', 'R', 'I', 'N'), "training record", 0, 1, 0, parse_record, emit_record},
    {MODEL_FILE_TAG('S', 'B', 'P', 'E'), "source subwords (BPE)", WHEN_PRESENT, 4, 0, parse_src_bpe, emit_src_bpe},
    {MODEL_FILE_TAG('T', 'B', 'P', 'E'), "target subwords (BPE)", WHEN_PRESENT, 4, 0, parse_tgt_bpe, emit_tgt_bpe},
};
enum { N_SECTIONS = sizeof SECTIONS / sizeof SECTIONS[0] };

static const section_kind *kind_of(uint32_t tag)
{
    for (int k = 0; k < N_SECTIONS; k++)
        if (SECTIONS[k].tag == tag) return &SECTIONS[k];
    return NULL;
}

const char *part_section_name(uint32_t tag)
{
    const section_kind *k = kind_of(tag);
    return k ? k->name : NULL;
}

/* ---- finding the sections ---- */

static int unfound(section_map *map, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int unfound(section_map *map, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(map->why, sizeof map->why, fmt, ap);
    va_end(ap);
    return -1;
}

void part_tag_text(uint32_t tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)(tag >> (8 * i));
        out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[4] = '\0';
}

static int all_zero(const unsigned char *p, size_t n)
{
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) any |= p[i];
    return !any;
}

/* Adds the section of kind k at part offset at (length n) to map. */
static void add_span(section_map *map, const section_kind *k, uint32_t tag, int required,
                     size_t at, uint64_t n)
{
    map->s[map->n++] = (section_span){k, tag, required, HEADER_BYTES + at, n, 1};
}

/* Version 1 has no directory: the configuration (u32 count + count i32), the vocabularies
 * (each u64 length + bytes), a u64 parameter count, zeros to a 64-byte file offset, the
 * float32 parameters to the end. The same sections, framed by their lengths. */
static int locate_v1(const unsigned char *part, size_t len, section_map *map)
{
    size_t pos = 0;
    if (len < 4 || le(part, 4) > (len - 4) / 4) return unfound(map, "truncated or corrupt model file (configuration)");
    add_span(map, &SECTIONS[CONF], SECTIONS[CONF].tag, 1, 0, 4 + 4 * le(part, 4));
    pos = 4 + 4 * le(part, 4);
    for (int k = SVOC; k <= TVOC; k++) {
        if (len - pos < 8 || le(part + pos, 8) > len - pos - 8)
            return unfound(map, "truncated or corrupt model file (%s)", SECTIONS[k].name);
        add_span(map, &SECTIONS[k], SECTIONS[k].tag, 1, pos + 8, le(part + pos, 8));
        pos += 8 + le(part + pos, 8);
    }
    if (len - pos < 8) return unfound(map, "truncated or corrupt model file (parameters)");
    uint64_t count = le(part + pos, 8);
    pos += 8;
    size_t pad = (MAX_ALIGN - (HEADER_BYTES + pos) % MAX_ALIGN) % MAX_ALIGN;
    if (len - pos < pad || !all_zero(part + pos, pad)) return unfound(map, "truncated or corrupt model file (padding)");
    pos += pad;
    if ((len - pos) % 4 || (len - pos) / 4 != count)
        return unfound(map, "truncated or corrupt model file (%zu bytes of parameters for %llu)",
                       len - pos, (unsigned long long)count);
    add_span(map, &SECTIONS[PF32], SECTIONS[PF32].tag, 1, pos, len - pos);
    return 0;
}

/* Version 2: one directory entry e, of the section that follows the one ending at *end
 * (a part offset), checked against the part before it is used. */
static int locate_entry(const unsigned char *part, size_t len, const unsigned char *e, size_t *end,
                        section_map *map)
{
    uint32_t tag = (uint32_t)le(e, 4);
    int required = (le(e + 4, 4) & FLAG_REQUIRED) != 0;
    uint64_t at = le(e + 8, 8), length = le(e + 16, 8); /* at: a file offset */
    const section_kind *k = kind_of(tag);
    char t[5];
    part_tag_text(tag, t);
    if (at < HEADER_BYTES + *end || at - HEADER_BYTES - *end >= MAX_ALIGN || at - HEADER_BYTES > len ||
        length > len - (at - HEADER_BYTES))
        return unfound(map, "truncated or corrupt model file (section '%s' at %llu, %llu bytes)", t,
                       (unsigned long long)at, (unsigned long long)length);
    size_t from = (size_t)(at - HEADER_BYTES);
    if (!all_zero(part + *end, from - *end)) return unfound(map, "corrupt model file (padding before '%s')", t);
    if (k && (at % k->align || (k->floats && length % 4)))
        return unfound(map, "corrupt model file (section '%s' misaligned)", t);
    for (int j = 0; j < map->n; j++)
        if (map->s[j].tag == tag) return unfound(map, "corrupt model file (two '%s' sections)", t);
    if (!k && required)
        return unfound(map, "the model needs a section '%s' this seqtrans does not know (written by "
                            "a newer seqtrans?)", t);
    add_span(map, k, tag, required, from, length);
    *end = from + (size_t)length;
    return 0;
}

/* Version 2: the directory (see model_file.h), then each of its entries. */
static int locate_v2(const unsigned char *part, size_t len, section_map *map)
{
    if (len < DIRECTORY_AT) return unfound(map, "truncated or corrupt model file (section directory)");
    uint64_t n = le(part, 4);
    if (n == 0 || n > MODEL_FILE_MAX_SECTIONS || le(part + 4, 4) != 0)
        return unfound(map, "corrupt model file (section directory of %llu entries)", (unsigned long long)n);
    if ((len - DIRECTORY_AT) / ENTRY_BYTES < n) return unfound(map, "truncated or corrupt model file (section directory)");
    size_t end = DIRECTORY_AT + (size_t)n * ENTRY_BYTES;
    for (size_t i = 0; i < n; i++)
        if (locate_entry(part, len, part + DIRECTORY_AT + i * ENTRY_BYTES, &end, map) != 0) return -1;
    if (end != len) return unfound(map, "corrupt model file (%zu bytes after the last section)", len - end);
    return 0;
}

int part_locate(uint32_t version, const unsigned char *part, size_t len, section_map *map)
{
    map->n = 0;
    map->why[0] = '\0';
    int rc = version == 1 ? locate_v1(part, len, map) : locate_v2(part, len, map);
    if (rc != 0) map->n = 0;
    return rc;
}

/* ---- checking ---- */

/* Every weight finite and |w| <= 2^50. The bound keeps every sum of products in the forward
 * pass finite (at most 8192 terms of two weights: 2^13 * 2^100 < 2^128), so an accepted
 * model can never turn into Inf or NaN while translating; training never comes near it.
 * As bit patterns, |w| > 2^50, Inf and NaN are exactly the values above 0x58800000; no early
 * exit, so the loop vectorizes. */
int part_floats_in_range(const float *w, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &w[i], sizeof u);
        bad |= (u & 0x7fffffffu) > 0x58800000u;
    }
    return !bad;
}

/* For a model that is mapped, each pass over memory is a tenth of the time it takes to
 * translate a sentence: the checksum and the range go together, a block at a time. The
 * float sections start 64-byte aligned and hold whole floats (part_locate checked), and a
 * block starts 16 bytes past an aligned offset, so each piece is whole floats. */
uint32_t part_verify(const unsigned char *part, size_t len, section_map *map)
{
    enum { BLOCK = 64 << 10 };
    uint32_t crc = 0;
    for (size_t at = 0; at < len; at += BLOCK) {
        size_t n = len - at < BLOCK ? len - at : BLOCK;
        crc = crc32c(crc, part + at, n);
        for (int i = 0; map && i < map->n; i++) {
            section_span *s = &map->s[i];
            if (!s->kind || !s->kind->floats) continue;
            size_t from = (size_t)(s->offset - HEADER_BYTES), to = from + (size_t)s->length;
            size_t lo = at > from ? at : from, hi = at + n < to ? at + n : to;
            if (lo < hi) s->in_range &= part_floats_in_range((const float *)(const void *)(part + lo), (hi - lo) / 4);
        }
    }
    return crc;
}

int part_parse(const char *name, uint32_t version, unsigned char *part, const section_map *map,
               part_contents *out)
{
    memset(out, 0, sizeof *out);
    parsing ps = {name, version, out};
    for (int k = 0; k < N_SECTIONS; k++) {
        const section_span *s = NULL;
        for (int i = 0; i < map->n && !s; i++)
            if (map->s[i].kind == &SECTIONS[k]) s = &map->s[i];
        int either = k == PF32 || k == QI8W;
        if (!s && SECTIONS[k].required == NEEDED && !either) {
            corrupt(&ps, "no %s section", SECTIONS[k].name);
            goto fail;
        }
        if (k == QI8W && !s && !out->params) {
            corrupt(&ps, "no parameters section (PF32 or QI8W)");
            goto fail;
        }
        if (s && SECTIONS[k].parse(&ps, part + (s->offset - HEADER_BYTES), (size_t)s->length, s) != 0) goto fail;
    }
    return 0;
fail:
    vocab_free(out->src_vocab);
    vocab_free(out->tgt_vocab);
    bpe_free(out->src_bpe);
    bpe_free(out->tgt_bpe);
    free(out->record);
    memset(out, 0, sizeof *out);
    return -1;
}

/* ---- writing ---- */

static void add_piece(part_image *img, const void *p, size_t n, int *cap)
{
    if (img->n_pieces == *cap) {
        *cap = *cap * 2 + 8;
        img->pieces = xrealloc(img->pieces, (size_t)*cap * sizeof *img->pieces);
    }
    img->pieces[img->n_pieces++] = (file_part){p, n};
    img->crc = crc32c(img->crc, p, n);
    img->len += n;
}

static int check_added(const char *path, const model_file_section *add, int n_add)
{
    if (n_add < 0 || n_add > MODEL_FILE_MAX_SECTIONS - N_SECTIONS) {
        st_error("internal error: %d sections added to '%s'", n_add, path);
        return -1;
    }
    for (int i = 0; i < n_add; i++) {
        int clash = kind_of(add[i].tag) != NULL;
        for (int j = 0; j < i; j++) clash |= add[j].tag == add[i].tag;
        unsigned a = add[i].align;
        if (clash || a == 0 || a > MAX_ALIGN || (a & (a - 1)) || (add[i].len && !add[i].p)) {
            char t[5];
            part_tag_text(add[i].tag, t);
            st_error("internal error: section '%s' cannot be added to '%s'", t, path);
            return -1;
        }
    }
    return 0;
}

int part_build(const char *path, const model *m, const model_file_section *add, int n_add,
               part_image *img)
{
    memset(img, 0, sizeof *img);
    if (m->params && !part_floats_in_range(m->params, m->n_params)) {
        st_error("refusing to write '%s': the model has non-finite weights (or beyond 2^50)", path);
        return -1;
    }
    if (check_added(path, add, n_add) != 0) return -1;
    /* every section's tag, flags and bytes, the model's then the caller's; an optional
     * section the model has nothing for (its emit gives no bytes) is left out */
    int n = 0;
    model_file_section all[MODEL_FILE_MAX_SECTIONS];
    for (int k = 0; k < N_SECTIONS; k++) {
        const void *p;
        size_t len;
        img->owned[k] = SECTIONS[k].emit(m, &p, &len);
        if ((SECTIONS[k].required == NEEDED && k != PF32 && k != QI8W) || p)
            all[n++] = (model_file_section){SECTIONS[k].tag, SECTIONS[k].required != 0, SECTIONS[k].align, p, len};
    }
    for (int i = 0; i < n_add; i++) all[n++] = add[i];
    /* the directory, then each section at the next multiple of its alignment */
    size_t dir_len = DIRECTORY_AT + (size_t)n * ENTRY_BYTES;
    unsigned char *dir = xcalloc(1, dir_len);
    img->owned[N_SECTIONS] = dir;
    put_le(dir, (uint64_t)n, 4);
    uint64_t at = HEADER_BYTES + dir_len;
    uint64_t pads[MODEL_FILE_MAX_SECTIONS];
    for (int i = 0; i < n; i++) {
        unsigned char *e = dir + DIRECTORY_AT + (size_t)i * ENTRY_BYTES;
        pads[i] = (all[i].align - at % all[i].align) % all[i].align;
        at += pads[i];
        put_le(e, all[i].tag, 4);
        put_le(e + 4, all[i].required ? FLAG_REQUIRED : 0, 4);
        put_le(e + 8, at, 8);
        put_le(e + 16, all[i].len, 8);
        at += all[i].len;
    }
    static const unsigned char zeros[MAX_ALIGN];
    int cap = 0;
    add_piece(img, dir, dir_len, &cap);
    for (int i = 0; i < n; i++) {
        if (pads[i]) add_piece(img, zeros, (size_t)pads[i], &cap);
        if (all[i].len) add_piece(img, all[i].p, all[i].len, &cap);
    }
    return 0;
}

void part_image_free(part_image *img)
{
    for (int i = 0; i <= MODEL_FILE_MAX_SECTIONS; i++) free(img->owned[i]);
    free(img->pieces);
    memset(img, 0, sizeof *img);
}
