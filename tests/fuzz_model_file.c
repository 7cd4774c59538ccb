/* libFuzzer target: the model file parser (model_file_parse) on arbitrary bytes. Built by
 * scripts/fuzz.sh. Every input is parsed twice: as it is, and with the header made to agree
 * with the rest (magic, version, flags, section lengths and CRCs repaired), so that the fuzzer
 * gets past the checksums to the configuration, vocabularies, counts and padding behind them.
 * A model that is accepted must be consistent (sizes agree with the configuration, weights
 * finite) and must translate a sentence without a fault. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void use(const model *m, const void *extra, size_t extra_len)
{
    const model_config *c = &m->cfg;
    if (m->n_params != model_layout(c, NULL, NULL)) abort();
    if (vocab_size(m->src_vocab) != c->src_vocab || vocab_size(m->tgt_vocab) != c->tgt_vocab) abort();
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i])) abort();
    if ((extra == NULL) != (extra_len == 0)) abort();
    if (m->n_params > 2000000) return;   /* big enough to be slow; the checks above ran */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { HDR = MODEL_FILE_HEADER_BYTES };
    parse(data, size);
    if (size < HDR) return 0;
    /* the header made to agree: the model section keeps its stated length where the input
     * can hold it, the state section is the rest, both checksums repaired */
    unsigned char *fixed = malloc(size);
    memcpy(fixed, data, size);
    uint64_t model_len = get_le(fixed + 16, 8);
    if (model_len > size - HDR) model_len = size - HDR;
    memcpy(fixed, "SEQTRANS", 8);
    put_le(fixed + 8, MODEL_FILE_VERSION, 4);
    put_le(fixed + 12, 0, 4);
    put_le(fixed + 16, model_len, 8);
    put_le(fixed + 24, size - HDR - model_len, 8);
    put_le(fixed + 32, crc32c(0, fixed + HDR, model_len), 4);
    put_le(fixed + 36, crc32c(0, fixed + HDR + model_len, size - HDR - model_len), 4);
    put_le(fixed + 40, 0, 8);
    parse(fixed, size);
    free(fixed);
    return 0;
}
