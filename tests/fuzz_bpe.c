/* libFuzzer target: the BPE deserializer, segmenter and joiner on arbitrary bytes. Built by
 * scripts/fuzz.sh. The first byte picks what the rest is:
 *   0 a serialized model: deserialize; when accepted, serialize again to the same bytes and
 *     segment and join a fixed line through it (must round-trip);
 *   1 Chinese text, 2 English text: learn a small model from its words (Han runs on for 1),
 *     segment the tokens, check every unit is a valid vocabulary token and that joining
 *     gives the tokens back, and that the model survives serialization;
 *   3 units separated by spaces: join them (any strings must be taken). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_checks.h"
#include "text/bpe.h"
#include "text/text.h"

static token_list tokens;
static bpe_units units;
static bpe_tokens joined;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    token_list_init(&tokens);
    bpe_units_init(&units);
    bpe_tokens_init(&joined);
    if (!getenv("FUZZ_VERBOSE")) stderr = fopen("/dev/null", "w");
    return 0;
}

/* Segments tokens[0..n) with b and aborts unless the join gives them back. */
static void round_trip(const bpe *b, const char *const *tok, int n)
{
    int k = bpe_segment(b, tok, n, &units);
    for (int i = 0; i < k; i++) check_token(units.unit[i]);
    if (bpe_join(b, units.unit, k, &joined) != n) abort();
    for (int i = 0; i < n; i++)
        if (strcmp(joined.tok[i], tok[i])) abort();
}

static void model(const char *s, size_t n)
{
    bpe *b = NULL;
    if (bpe_deserialize(s, n, &b) != 0) {
        if (b) abort();
        return;
    }
    size_t len;
    char *bytes = bpe_serialize(b, &len);
    if (len != n || memcmp(bytes, s, n)) abort();
    free(bytes);
    static const char line[] = "我有3个iPhone，你呢？ Don't say \"hello\" to U.S. 3,000 ...";
    lang_t lang = bpe_han_runs(b) ? LANG_ZH : LANG_EN;
    int k = text_tokenize(lang, line, sizeof line - 1, &tokens);
    round_trip(b, (const char *const *)tokens.tok, k);
    bpe_free(b);
}

static void learn(lang_t lang, const char *s, size_t n)
{
    int k = text_tokenize(lang, s, n, &tokens);
    if (k < 0) return;
    bpe_counter *c = bpe_counter_new(lang == LANG_ZH);
    for (int r = 0; r < 2; r++) bpe_counter_add_tokens(c, (const char *const *)tokens.tok, k);
    bpe_options o;
    bpe_options_default(&o);
    o.vocab_size = 2 * 94 + 40;
    o.max_unit_chars = 6;
    bpe *b = bpe_learn(c, &o), *back = NULL;
    if (!b) abort();
    round_trip(b, (const char *const *)tokens.tok, k);
    size_t len;
    char *bytes = bpe_serialize(b, &len);
    if (bpe_deserialize(bytes, len, &back) != 0 || bpe_num_merges(back) != bpe_num_merges(b)) abort();
    round_trip(back, (const char *const *)tokens.tok, k);
    free(bytes);
    bpe_free(back);
    bpe_free(b);
    bpe_counter_free(c);
}

static void join(const char *s, size_t n)
{
    if (memchr(s, 0, n)) return;
    char *copy = malloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = 0;
    const char **u = malloc((n / 2 + 2) * sizeof *u);
    int k = 0;
    for (char *p = strtok(copy, " "); p; p = strtok(NULL, " ")) u[k++] = p;
    bpe_counter *c = bpe_counter_new(n & 1);
    bpe_options o;
    bpe_options_default(&o);
    bpe *b = bpe_learn(c, &o);
    int t = bpe_join(b, u, k, &joined);
    for (int i = 0; i < t; i++)
        if (!utf8_valid(joined.tok[i], strlen(joined.tok[i])) || !joined.tok[i][0]) abort();
    bpe_free(b);
    bpe_counter_free(c);
    free(u);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0: model(s, n); break;
    case 1: learn(LANG_ZH, s, n); break;
    case 2: learn(LANG_EN, s, n); break;
    default: join(s, n); break;
    }
    return 0;
}
