/* Subwords: a tokenized line as a model's units and back (text/subwords.h): a hand-checked
 * segmentation, placeholders kept whole on both ways, word-level models untouched, and every
 * line of the dev sets through mask -> tokenize -> BPE -> join -> detokenize -> restore
 * giving what the word-level path gives (the normalized input). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/corpus.h"
#include "text/spans.h"
#include "text/subwords.h"
#include "text/text.h"

#define M BPE_MARK
#define PH1 "\xee\x80\x81" /* placeholder 1, U+E001 */
#define PH2 "\xee\x80\x82"

/* Sennrich et al.'s example corpus (test_bpe.c checks its merges by hand). */
static bpe *sennrich_model(void)
{
    bpe_counter *c = bpe_counter_new(0);
    bpe_counter_add_word(c, "low", 3, 5);
    bpe_counter_add_word(c, "lower", 5, 2);
    bpe_counter_add_word(c, "newest", 6, 6);
    bpe_counter_add_word(c, "widest", 6, 3);
    bpe_options o;
    bpe_options_default(&o);
    o.vocab_size = 1000;
    bpe *b = bpe_learn(c, &o);
    bpe_counter_free(c);
    return b;
}

/* s's space-separated pieces into tok (pointing into copy); their number. */
static int pieces(const char *s, char *copy, size_t cap, const char **tok, int most)
{
    int n = 0;
    snprintf(copy, cap, "%s", s);
    for (char *p = strtok(copy, " "); p && n < most; p = strtok(NULL, " ")) tok[n++] = p;
    return n;
}

/* The strings joined by single spaces, in a static buffer. */
static const char *spaced(const char *const *s, int n)
{
    static char out[4096];
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i) strcat(out, " ");
        strcat(out, s[i]);
    }
    return out;
}

/* The space-separated pieces of s split into units (join: joined into tokens) under b,
 * spaced. */
static const char *units_of(subwords *sw, const bpe *b, const char *s, int join)
{
    char copy[1024];
    const char *tok[64];
    int n = pieces(s, copy, sizeof copy, tok, 64);
    if (join) subwords_join(sw, b, tok, n);
    else subwords_split(sw, b, tok, n);
    return spaced(sw->unit, sw->n);
}

static const char *split_text(subwords *sw, const bpe *b, const char *tokens) { return units_of(sw, b, tokens, 0); }
static const char *join_text(subwords *sw, const bpe *b, const char *units) { return units_of(sw, b, units, 1); }

static void test_hand_checked_segmentation(void)
{
    bpe *b = sennrich_model();
    subwords sw;
    subwords_init(&sw);
    /* merges: lo+w -> low, es+t -> est, new+est ...; "lowest" is lo w est, worked by hand */
    CHECK(!strcmp(split_text(&sw, b, "lowest newer low"), "lo" M " w" M " est new" M " er low"));
    CHECK(!strcmp(join_text(&sw, b, "lo" M " w" M " est new" M " er low"), "lowest newer low"));
    /* a word-level model: units are the tokens, both ways */
    CHECK(!strcmp(split_text(&sw, NULL, "lowest newer"), "lowest newer"));
    CHECK(!strcmp(join_text(&sw, NULL, "lo" M " w"), "lo" M " w"));
    subwords_free(&sw);
    bpe_free(b);
}

static void test_placeholders_stay_whole(void)
{
    CHECK(subwords_is_placeholder(PH1) && subwords_is_placeholder(PH2));
    CHECK(!subwords_is_placeholder("\xee\x80\x80") && !subwords_is_placeholder(PH1 "x"));
    CHECK(!subwords_is_placeholder("a") && !subwords_is_placeholder(""));
    bpe *b = sennrich_model();
    subwords sw;
    subwords_init(&sw);
    /* never segmented (U+E001 is not in the alphabet: BPE alone would give 3 byte units) */
    CHECK(!strcmp(split_text(&sw, b, PH1 " lowest " PH2 " " PH1), PH1 " lo" M " w" M " est " PH2 " " PH1));
    /* a placeholder after an unfinished word (a decoder's output) is not glued to it */
    CHECK(!strcmp(join_text(&sw, b, "lo" M " " PH1 " w" M " est"), "lo " PH1 " west"));
    CHECK(!strcmp(join_text(&sw, b, PH2 " " PH2 " new" M), PH2 " " PH2 " new"));
    subwords_free(&sw);
    bpe_free(b);
}

/* The words of one side of c (masked as training masks them) counted into a BPE model. */
static bpe *learn_side(const corpus *c, int tgt, lang_t lang, int han_runs)
{
    const char **lines = malloc((c->n ? c->n : 1) * sizeof *lines);
    size_t *lens = malloc((c->n ? c->n : 1) * sizeof *lens);
    for (size_t i = 0; i < c->n; i++) {
        lines[i] = tgt ? c->pairs[i].tgt : c->pairs[i].src;
        lens[i] = strlen(lines[i]);
    }
    bpe_counter *k = bpe_count_lines(lang, lines, lens, (long)c->n, han_runs, 2, NULL);
    bpe_options o;
    bpe_options_default(&o);
    o.vocab_size = 4000;
    bpe *b = bpe_learn(k, &o);
    bpe_counter_free(k);
    free(lines);
    free(lens);
    return b;
}

/* One line the way translate sees it: masked, tokenized, through b (NULL: words) and back,
 * detokenized, spans restored. malloc'd, NULL when the line does not tokenize. */
static char *through(const char *line, lang_t lang, const bpe *b, token_list *tl, subwords *split,
                     subwords *joined)
{
    masked_line m = {0};
    const char *text = line;
    if (spans_mask(line, strlen(line), &m) >= 0) text = m.text;
    char *out = NULL;
    if (text_tokenize(lang, text, strlen(text), tl) >= 0) {
        subwords_split(split, b, (const char *const *)tl->tok, tl->n);
        subwords_join(joined, b, split->unit, split->n);
        char *words = text_detokenize(lang, joined->unit, joined->n);
        out = m.text ? spans_restore(lang, words, strlen(words), &m, NULL) : NULL;
        if (out) free(words);
        else out = words;
    }
    masked_line_free(&m);
    return out;
}

/* Every line of both sides of path through BPE (learnt on the file itself; Chinese both with
 * merges over characters and with characters alone) gives the word-level result. Returns
 * the lines checked, or -1 when the file is absent. */
static long check_dev_set(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    fclose(f);
    corpus c;
    if (corpus_read(path, 0, &c) != 0) return -1;
    int zh_first = corpus_source_is_chinese(&c);
    token_list tl;
    token_list_init(&tl);
    subwords split, joined;
    subwords_init(&split);
    subwords_init(&joined);
    long checked = 0, bad = 0;
    for (int side = 0; side < 2; side++) {
        lang_t lang = (side == 0) == zh_first ? LANG_ZH : LANG_EN;
        bpe *models[2] = {learn_side(&c, side, lang, lang == LANG_ZH), lang == LANG_ZH ? learn_side(&c, side, lang, 0) : NULL};
        for (size_t i = 0; i < c.n; i++) {
            const char *line = side ? c.pairs[i].tgt : c.pairs[i].src;
            char *want = through(line, lang, NULL, &tl, &split, &joined);
            for (int k = 0; k < 2 && models[k]; k++) {
                char *got = through(line, lang, models[k], &tl, &split, &joined);
                if ((want == NULL) != (got == NULL) || (want && strcmp(want, got))) {
                    if (bad++ < 3) fprintf(stderr, "%s:%zu: '%s' became '%s'\n", path, i + 1, want, got);
                }
                free(got);
            }
            free(want);
            checked++;
        }
        bpe_free(models[0]);
        bpe_free(models[1]);
    }
    CHECK(bad == 0);
    subwords_free(&split);
    subwords_free(&joined);
    token_list_free(&tl);
    corpus_free(&c);
    return checked;
}

static void test_dev_sets_round_trip(void)
{
    static const char *const files[] = {"data/dev.tsv", "../shared/data/tatoeba-cmn-eng/dev.tsv",
                                        "../shared/data/docs-en-zh/dev.tsv"};
    for (int f = 0; f < 3; f++) {
        long k = check_dev_set(files[f]);
        if (k < 0 && f == 0) CHECK(0);
        if (k < 0) printf("test_subwords: %s absent, its round trip skipped\n", files[f]);
        else printf("test_subwords: %s: %ld lines round-tripped\n", files[f], k);
        CHECK(k != 0);
    }
}

int main(void)
{
    RUN_TEST(test_hand_checked_segmentation);
    RUN_TEST(test_placeholders_stay_whole);
    RUN_TEST(test_dev_sets_round_trip);
    return TEST_SUMMARY("subwords");
}
