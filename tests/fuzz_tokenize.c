/* libFuzzer target: the tokenizers, the detokenizers and the vocabulary (de)serializer on
 * arbitrary bytes. Built by scripts/fuzz.sh. The first byte picks what the rest is:
 *   0 English text, 1 Chinese text: tokenize; a valid line without NUL must never be
 *     refused; its tokens must be non-empty, valid UTF-8 without spaces or control bytes
 *     (what the vocabulary file accepts); detokenize them and tokenize the result again;
 *     build a vocabulary of them and check that it survives serialization;
 *   2 a serialized vocabulary: deserialize; when accepted, serialize again to the same bytes;
 *   3 tokens separated by spaces: detokenize (English and Chinese) when valid UTF-8. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_checks.h"
#include "text/text.h"
#include "text/vocab.h"

static token_list tokens, again;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    token_list_init(&tokens);
    token_list_init(&again);
    if (!getenv("FUZZ_VERBOSE")) stderr = fopen("/dev/null", "w");
    return 0;
}

static void tokenize_text(lang_t lang, const char *s, size_t n)
{
    int k = text_tokenize(lang, s, n, &tokens);
    int valid = utf8_valid(s, n) && !memchr(s, 0, n);
    if (k < 0) {
        if (valid || tokens.n != 0) abort();
        return;
    }
    if (!valid || k != tokens.n) abort();
    vocab_counter *c = vocab_counter_new();
    for (int i = 0; i < k; i++) {
        check_token(tokens.tok[i]);
        vocab_counter_add(c, tokens.tok[i]);
    }
    for (int l = 0; l < 2; l++) {
        char *text = text_detokenize((lang_t)l, (const char *const *)tokens.tok, k);
        if (text_tokenize((lang_t)l, text, strlen(text), &again) < 0) abort();
        free(text);
    }
    vocab *v = vocab_build(c, 1, 0), *w = NULL;
    size_t len;
    char *bytes = vocab_serialize(v, &len);
    if (vocab_deserialize(bytes, len, &w) != 0 || vocab_size(w) != vocab_size(v)) abort();
    for (int i = 0; i < k; i++)
        if (vocab_lookup(w, tokens.tok[i]) != vocab_lookup(v, tokens.tok[i]) ||
            vocab_lookup(v, tokens.tok[i]) < VOCAB_NUM_SPECIALS)
            abort();
    free(bytes);
    vocab_free(v);
    vocab_free(w);
    vocab_counter_free(c);
}

static void vocabulary(const char *s, size_t n)
{
    vocab *v = NULL;
    if (vocab_deserialize(s, n, &v) != 0) {
        if (v) abort();
        return;
    }
    size_t len;
    char *bytes = vocab_serialize(v, &len);
    if (len != n || memcmp(bytes, s, n)) abort();
    for (int i = 0; i < vocab_size(v); i++)
        if (vocab_lookup(v, vocab_token(v, i)) != i) abort();
    free(bytes);
    vocab_free(v);
}

static void detokenize(const char *s, size_t n)
{
    if (memchr(s, 0, n) || !utf8_valid(s, n)) return;
    char *copy = malloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = 0;
    const char **toks = malloc((n / 2 + 2) * sizeof *toks);
    int k = 0;
    for (char *p = strtok(copy, " "); p; p = strtok(NULL, " ")) toks[k++] = p;
    for (int l = 0; l < 2; l++) free(text_detokenize((lang_t)l, toks, k));
    free(toks);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0: tokenize_text(LANG_EN, s, n); break;
    case 1: tokenize_text(LANG_ZH, s, n); break;
    case 2: vocabulary(s, n); break;
    default: detokenize(s, n); break;
    }
    return 0;
}
