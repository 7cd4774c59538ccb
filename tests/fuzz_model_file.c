/* libFuzzer target: the model file parser (model_file_parse) on arbitrary bytes. Built by
 * scripts/fuzz.sh. Every input is parsed up to three times: as it is; with the header made
 * to agree with the rest (magic, version 1 or 2 as the input says, else 2, flags, part
 * lengths and CRCs repaired), so that the fuzzer gets past the checksums to the structure
 * behind them; and, for version 2, with the section directory's offsets also recomputed
 * from its lengths, so that a changed length reaches the section's own checks.
 * A model that is accepted must be consistent (sizes agree with the configuration, weights
 * finite) and must translate a sentence without a fault. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/quant.h"
#include "store/model_file.h"
#include "search/translator.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!getenv("FUZZ_VERBOSE")) stderr = fopen("/dev/null", "w");
    return 0;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The float weights are finite; an int8 model (no float copy) is given its dequantized
 * floats first. */
static void check_floats(model *m)
{
    quant_model_floats(m);
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i])) abort();
}

static void use(model *m, const void *extra, size_t extra_len)
{
    const model_config *c = &m->cfg;
    if (m->n_params != model_layout(c, NULL, NULL)) abort();
    if (vocab_size(m->src_vocab) != c->src_vocab || vocab_size(m->tgt_vocab) != c->tgt_vocab) abort();
    if ((m->params == NULL) != (m->qimage != NULL)) abort();
    if ((extra == NULL) != (extra_len == 0)) abort();
    if (c->cell < 0 || c->cell > 1) abort();
    if (m->n_params > 2000000) { /* big enough to be slow */
        check_floats(m);
        return;
    }
    static const char *const lines[] = {"the cat sat on the mat .", "", "猫坐在垫子上。"};
    decode_options o = {.beam = 2, .len_alpha = 1.0f};
    translator tr;
    translator_init(&tr, m, &o);
    char *out[3];
    int status[3];
    translate_lines(&tr, lines, 3, out, status);
    for (int i = 0; i < 3; i++) {
        if (!out[i] || !utf8_valid(out[i], strlen(out[i]))) abort();
        free(out[i]);
    }
    translator_free(&tr);
    check_floats(m); /* after translating: an int8 model translated from its int8 views only */
}

static void parse(const unsigned char *buf, size_t len)
{
    model *m = NULL;
    void *extra = NULL;
    size_t extra_len = 0;
    if (model_file_parse("fuzz.model", buf, len, &m, &extra, &extra_len) == 0) {
        if (!m) abort();
        use(m, extra, extra_len);
        model_free(m);
        free(extra);
    } else if (m || extra) {
        abort();
    }
}

enum { HDR = MODEL_FILE_HEADER_BYTES };

/* The header made to agree: the model part keeps its stated length where the input can hold
 * it, the state part is the rest, both checksums repaired. */
static void fix_header(unsigned char *b, size_t size, uint32_t version)
{
    uint64_t model_len = get_le(b + 16, 8);
    if (model_len > size - HDR) model_len = size - HDR;
    memcpy(b, "SEQTRANS", 8);
    put_le(b + 8, version, 4);
    put_le(b + 12, 0, 4);
    put_le(b + 16, model_len, 8);
    put_le(b + 24, size - HDR - model_len, 8);
    put_le(b + 32, crc32c(0, b + HDR, model_len), 4);
    put_le(b + 36, crc32c(0, b + HDR + model_len, size - HDR - model_len), 4);
    put_le(b + 40, 0, 8);
}

/* Version 2: each directory entry's offset put where the layout says (after the one before,
 * aligned as its tag asks, the gap zeros), each length cut to what the part holds, the last
 * one running to the end of the part. Returns 0 when there is no directory to repair. */
static int fix_directory(unsigned char *b, size_t size)
{
    uint64_t model_len = get_le(b + 16, 8), n = size >= HDR + 8 ? get_le(b + HDR, 4) : 0;
    if (n == 0 || n > MODEL_FILE_MAX_SECTIONS || 8 + n * 24 > model_len) return 0;
    uint64_t at = HDR + 8 + n * 24, end = HDR + model_len;
    for (uint64_t i = 0; i < n; i++) {
        unsigned char *e = b + HDR + 8 + i * 24;
        uint32_t tag = (uint32_t)get_le(e, 4);
        unsigned align = tag == MODEL_FILE_TAG('P', 'F', '3', '2') ? 64 : tag == MODEL_FILE_TAG('C', 'O', 'N', 'F') ? 4 : 1;
        uint64_t gap = (align - at % align) % align;
        if (gap > end - at) gap = end - at;
        memset(b + at, 0, gap);
        at += gap;
        uint64_t len = get_le(e + 16, 8);
        if (len > end - at || i == n - 1) len = end - at;
        put_le(e + 8, at, 8);
        put_le(e + 16, len, 8);
        at += len;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    if (size < HDR) return 0;
    unsigned char *fixed = malloc(size);
    memcpy(fixed, data, size);
    uint32_t version = (uint32_t)get_le(fixed + 8, 4);
    if (version != 1) version = MODEL_FILE_VERSION;
    fix_header(fixed, size, version);
    parse(fixed, size);
    if (version == 2 && fix_directory(fixed, size)) {
        fix_header(fixed, size, version);
        parse(fixed, size);
    }
    free(fixed);
    return 0;
}
