/* Tokenizer and detokenizer: NFKC, English and Chinese splitting, round trips, bad input. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "text/text.h"

static token_list toks;

/* The tokens of s joined by single spaces (static buffer), or "<invalid>". */
static const char *tokenized(lang_t lang, const char *s)
{
    static char out[4096];
    if (text_tokenize(lang, s, strlen(s), &toks) < 0) return "<invalid>";
    out[0] = '\0';
    for (int i = 0; i < toks.n; i++) {
        if (i) strcat(out, " ");
        strcat(out, toks.tok[i]);
    }
    return out;
}

static int check_tokens(lang_t lang, const char *s, const char *want)
{
    const char *got = tokenized(lang, s);
    if (strcmp(got, want)) {
        fprintf(stderr, "  tokenize(%s) \"%s\"\n    got  \"%s\"\n    want \"%s\"\n",
                lang_name(lang), s, got, want);
        return 0;
    }
    return 1;
}

/* detok(tok(s)), malloc'd. */
static char *round_trip(lang_t lang, const char *s)
{
    if (text_tokenize(lang, s, strlen(s), &toks) < 0) return NULL;
    return text_detokenize(lang, (const char *const *)toks.tok, toks.n);
}

static int check_detok(lang_t lang, const char *s, const char *want)
{
    char *got = round_trip(lang, s);
    int ok = got && !strcmp(got, want);
    if (!ok)
        fprintf(stderr, "  detok(tok(%s \"%s\"))\n    got  \"%s\"\n    want \"%s\"\n",
                lang_name(lang), s, got ? got : "(null)", want);
    free(got);
    return ok;
}

static int check_round_trip(lang_t lang, const char *s) { return check_detok(lang, s, s); }

static void test_lang_parse(void)
{
    lang_t l = LANG_ZH;
    CHECK(lang_parse("en", &l) == 0 && l == LANG_EN);
    CHECK(lang_parse("zh", &l) == 0 && l == LANG_ZH);
    CHECK(lang_parse("fr", &l) == -1);
    CHECK(lang_parse("", &l) == -1);
    CHECK(lang_parse("EN", &l) == -1);
    CHECK(!strcmp(lang_name(LANG_EN), "en") && !strcmp(lang_name(LANG_ZH), "zh"));
}

static void test_nfkc(void)
{
    /* full-width letters and digits become ASCII */
    CHECK(check_tokens(LANG_EN, "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3\xEF\xBC\x91\xEF\xBC\x92",
                       "ABC12"));
    /* full-width punctuation: Ｈｉ，ｙｏｕ！ */
    CHECK(check_tokens(LANG_EN, "\xEF\xBC\xA8\xEF\xBD\x89\xEF\xBC\x8C\xEF\xBD\x99\xEF\xBD\x8F"
                                "\xEF\xBD\x95\xEF\xBC\x81", "Hi , you !"));
    CHECK(check_tokens(LANG_ZH, "你好？（对）：是；", "你 好 ? ( 对 ) : 是 ;"));
    /* ideographic space separates like a space */
    CHECK(check_tokens(LANG_ZH, "我\xE3\x80\x80你", "我 你"));
    CHECK(check_tokens(LANG_EN, "a\xE3\x80\x80" "b\xC2\xA0" "c", "a b c"));
    /* ligature, circled digit, superscript */
    CHECK(check_tokens(LANG_EN, "\xEF\xAC\x81ne \xE2\x91\xA0 x\xC2\xB2", "fine 1 x2"));
    /* a decomposed accent is composed: e + U+0301 -> é, one word */
    CHECK(check_tokens(LANG_EN, "cafe\xCC\x81", "caf\xC3\xA9"));
    /* half-width katakana -> full-width, one token per character */
    CHECK(check_tokens(LANG_ZH, "\xEF\xBD\xB6\xEF\xBE\x80", "\xE3\x82\xAB \xE3\x82\xBF"));
    /* zero-width space and a stray BOM are dropped */
    CHECK(check_tokens(LANG_ZH, "请\xE2\x80\x8B\xE2\x80\x8B借", "请 借"));
    CHECK(check_tokens(LANG_EN, "\xEF\xBB\xBFHi", "Hi"));
    /* ellipsis becomes three dots, kept as one token */
    CHECK(check_tokens(LANG_EN, "Wait\xE2\x80\xA6", "Wait ..."));
}

static void test_whitespace_and_controls(void)
{
    CHECK(check_tokens(LANG_EN, "", ""));
    CHECK(check_tokens(LANG_EN, "   \t  ", ""));
    CHECK(text_tokenize(LANG_EN, "  ", 2, &toks) == 0 && toks.n == 0);
    CHECK(check_tokens(LANG_EN, "  a \t b  ", "a b"));
    CHECK(check_tokens(LANG_EN, "a\x01" "b\x7f" "c", "a b c"));
    CHECK(check_tokens(LANG_EN, "a\r\nb", "a b"));
}

static void test_english_words(void)
{
    CHECK(check_tokens(LANG_EN, "Hello, world!", "Hello , world !"));
    CHECK(check_tokens(LANG_EN, "Tom is Mary's ex-boyfriend.", "Tom is Mary 's ex-boyfriend ."));
    CHECK(check_tokens(LANG_EN, "a well-known mother-in-law", "a well-known mother-in-law"));
    CHECK(check_tokens(LANG_EN, "It costs $10.00!", "It costs $ 10.00 !"));
    CHECK(check_tokens(LANG_EN, "1,000 people, 3.5 hours at 10:30.",
                       "1,000 people , 3.5 hours at 10:30 ."));
    CHECK(check_tokens(LANG_EN, "He got 90% in English.", "He got 90 % in English ."));
    CHECK(check_tokens(LANG_EN, "The U.S. and e.g. a.m.", "The U.S . and e.g . a.m ."));
    CHECK(check_tokens(LANG_EN, "and/or AT&T user@example.com snake_case",
                       "and/or AT&T user@example.com snake_case"));
    CHECK(check_tokens(LANG_EN, "Wait... what?!", "Wait ... what ? !"));
    CHECK(check_tokens(LANG_EN, "wait -- what - no", "wait -- what - no"));
    CHECK(check_tokens(LANG_EN, "a, b:c", "a , b : c"));       /* ',' ':' join digits only */
    CHECK(check_tokens(LANG_EN, "x. y", "x . y"));
    CHECK(check_tokens(LANG_EN, "-", "-"));
    CHECK(check_tokens(LANG_EN, "(see [1])", "( see [ 1 ] )"));
    CHECK(check_tokens(LANG_EN, "He said, \"Hi.\"", "He said , \" Hi . \""));
    CHECK(check_tokens(LANG_EN, "CamelCase KEEPS case", "CamelCase KEEPS case"));
}

static void test_english_clitics(void)
{
    CHECK(check_tokens(LANG_EN, "I don't know.", "I do n't know ."));
    CHECK(check_tokens(LANG_EN, "can't won't isn't ain't", "ca n't wo n't is n't ai n't"));
    CHECK(check_tokens(LANG_EN, "I'm you're we've he'd she'll Tom's",
                       "I 'm you 're we 've he 'd she 'll Tom 's"));
    CHECK(check_tokens(LANG_EN, "DON'T I'M", "DO N'T I 'M"));
    CHECK(check_tokens(LANG_EN, "That\xE2\x80\x99s it", "That \xE2\x80\x99s it"));
    CHECK(check_tokens(LANG_EN, "couldn't've I'd've", "could n't 've I 'd 've"));
    CHECK(check_tokens(LANG_EN, "o'clock rock'n'roll ma'am y'all O'Brien",
                       "o'clock rock'n'roll ma'am y'all O'Brien"));
    CHECK(check_tokens(LANG_EN, "the 1880's", "the 1880 's"));
    CHECK(check_tokens(LANG_EN, "the boys' bikes", "the boys ' bikes"));
    CHECK(check_tokens(LANG_EN, "'tis", "' tis"));
    CHECK(check_tokens(LANG_EN, "'s n't", "' s n't"));   /* no stem: not split */
}

static void test_chinese(void)
{
    CHECK(check_tokens(LANG_ZH, "我有3个iPhone", "我 有 3 个 iPhone"));
    CHECK(check_tokens(LANG_ZH, "iPhone 15很好。", "iPhone 15 很 好 。"));
    CHECK(check_tokens(LANG_ZH, "现在是10:30，价格3,000元。", "现 在 是 10:30 , 价 格 3,000 元 。"));
    CHECK(check_tokens(LANG_ZH, "他说：“你好！”", "他 说 : “ 你 好 ! ”"));
    CHECK(check_tokens(LANG_ZH, "等等……好", "等 等 ...... 好"));
    CHECK(check_tokens(LANG_ZH, "T恤和T-shirt", "T 恤 和 T-shirt"));
    CHECK(check_tokens(LANG_ZH, "don't", "don't"));          /* no clitic splitting in zh */
    CHECK(check_tokens(LANG_ZH, "「书」、《书》", "「 书 」 、 《 书 》"));
    CHECK(check_tokens(LANG_ZH, "カタカナ", "カ タ カ ナ"));
    CHECK(check_tokens(LANG_ZH, "한국어 Москва", "한국어 Москва"));   /* alphabetic scripts: runs */
    CHECK(check_tokens(LANG_ZH, "𠀀𪚥", "𠀀 𪚥"));              /* extension B */
    CHECK(check_tokens(LANG_EN, "I like 中文.", "I like 中 文 ."));
    CHECK(is_cjk(0x4E00) && is_cjk(0x9FFF) && is_cjk(0x3400) && is_cjk(0x20000) &&
          is_cjk(0x3042) && is_cjk(0x30AB) && is_cjk(0x3007));
    CHECK(!is_cjk('A') && !is_cjk(0x3002) && !is_cjk(0xFF0C) && !is_cjk(0xAC00));
}

static void test_combining_marks(void)
{
    /* a mark that cannot compose stays with its base, in words and single characters */
    CHECK(check_tokens(LANG_EN, "q\xCC\x83q", "q\xCC\x83q"));
    CHECK(check_tokens(LANG_ZH, "中\xCC\x81文", "中\xCC\x81 文"));
    CHECK(check_tokens(LANG_EN, "\xCC\x81" "a", "\xCC\x81 a"));   /* a leading mark */
}

static void test_invalid_input(void)
{
    static const char *const bad[] = {
        "\xFF", "a\x80", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xE4\xB8", "\xF0\x9F\x98", "\xE4\x41\x41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!utf8_valid(bad[i], strlen(bad[i])));
        CHECK(text_tokenize(LANG_EN, bad[i], strlen(bad[i]), &toks) == -1 && toks.n == 0);
        CHECK(text_tokenize(LANG_ZH, bad[i], strlen(bad[i]), &toks) == -1);
    }
    CHECK(text_tokenize(LANG_EN, "a\0b", 3, &toks) == -1);   /* NUL byte */
    CHECK(utf8_valid("a\0b", 3));
    CHECK(utf8_valid("", 0));
    CHECK(utf8_valid("\xC2\x80\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80\xF4\x8F\xBF\xBF",
                     20));
    /* a truncated sequence at the very end of the given length */
    CHECK(!utf8_valid("\xE4\xB8\xAD", 2));
}

static void test_english_round_trips(void)
{
    static const char *const lines[] = {
        "Hello, world!", "I don't know.", "It's 3:30.", "I paid $200 in taxes.",
        "It only costs $10.00!", "He got 90% in English.", "That\xE2\x80\x99s what we heard.",
        "He said, \"Hi.\"", "\"He'd like a coffee.\" \"I would too.\"",
        "Where is the accent on the word 'Australia?'", "The boys' bicycle is in the garage.",
        "I get two hours' exercise every day.", "Germany adopted it in the 1880's.",
        "Wait... what?!", "Call me (if you can).", "See [1], {2}; and 3: done.",
        "You should've done it earlier. It can't be helped now.",
        "\xE2\x80\x9CYes,\xE2\x80\x9D she said.", "Tom is Mary's ex-boyfriend.",
        "School begins at 8:30 a.m.", "The U.S. is big.", "1,000,000 people, 3.5 hours.",
        "Is this a duty-free shop?", "'Hello,' he said.", "I couldn't've known.",
        "Meet me at #1 at 10:30.", "\xC2\xBFQu\xC3\xA9?", "He's here; she's not.",
        "A - B", "I like \xE4\xB8\xAD\xE6\x96\x87.", "\xC2\xAB" "bonjour" "\xC2\xBB", "",
        "Price: \xE2\x82\xAC" "5 or \xC2\xA3" "4."};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK(check_round_trip(LANG_EN, lines[i]));
}

static void test_english_detok_normalizes_spacing(void)
{
    CHECK(check_detok(LANG_EN, "Hello ,world !", "Hello, world!"));
    CHECK(check_detok(LANG_EN, "  a   b  ", "a b"));
    CHECK(check_detok(LANG_EN, "\xEF\xBC\xA8\xEF\xBD\x89\xEF\xBC\x81", "Hi!"));
}

static void test_chinese_round_trips(void)
{
    static const char *const lines[] = {
        "我有3个iPhone。", "你好，世界！", "现在是10:30，价格3,000元。", "他说：“你好！”",
        "（注意）这是什么？", "好；坏", "iPhone 15很好。", "等等……好吗？",
        "我喜欢Hello Kitty。", "他说Hello, world。", "「书」、《书》",
        "我住的地方，从前以雾闻名。", "Tom是加拿大人吗？", "温度是-5度。",
        "他用了3.5%的钱。", "A、B和C", "", "汤姆和Mary是朋友！"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK(check_round_trip(LANG_ZH, lines[i]));
}

static void test_chinese_detok_restores_fullwidth(void)
{
    /* ASCII input marks come back full-width, except inside numbers and between Latin words */
    CHECK(check_detok(LANG_ZH, "你好, 世界!", "你好，世界！"));
    CHECK(check_detok(LANG_ZH, "汤姆(Tom)留短发", "汤姆（Tom）留短发"));
    CHECK(check_detok(LANG_ZH, "他是一个 DJ 。", "他是一个DJ。"));
    CHECK(check_detok(LANG_ZH, "A,B", "A, B"));
    CHECK(check_detok(LANG_ZH, "用Mr.Smith的", "用Mr.Smith的"));   /* '.' joins the word */
    CHECK(check_detok(LANG_ZH, "用Mr. Smith的", "用Mr. Smith的"));
    CHECK(check_detok(LANG_ZH, "见A (B) C", "见A (B) C"));
}

static void test_detok_edge_cases(void)
{
    const char *none[] = {NULL};
    char *s = text_detokenize(LANG_EN, none, 0);
    CHECK(s && !strcmp(s, ""));
    free(s);
    s = text_detokenize(LANG_ZH, none, 0);
    CHECK(s && !strcmp(s, ""));
    free(s);
    const char *with_empty[] = {"", "a", "", ",", "", "b", ""};
    s = text_detokenize(LANG_EN, with_empty, 7);
    CHECK(s && !strcmp(s, "a, b"));
    free(s);
    s = text_detokenize(LANG_ZH, with_empty, 7);
    CHECK(s && !strcmp(s, "a, b"));
    free(s);
    const char *quotes[] = {"\"", "\"", "\"", "'"};   /* unbalanced quotes never crash */
    s = text_detokenize(LANG_EN, quotes, 4);
    CHECK(s && !strcmp(s, "\"\" \"'"));
    free(s);
}

static void test_token_list_reuse(void)
{
    token_list t;
    token_list_init(&t);
    CHECK(text_tokenize(LANG_EN, "one two three four", 18, &t) == 4);
    char *arena = t.arena;
    char **tok = t.tok;
    CHECK(text_tokenize(LANG_EN, "five six", 8, &t) == 2);
    CHECK(!strcmp(t.tok[0], "five") && !strcmp(t.tok[1], "six"));
    CHECK(t.arena == arena && t.tok == tok);      /* steady state: nothing reallocated */
    CHECK(text_tokenize(LANG_EN, "\xFF", 1, &t) == -1 && t.n == 0);
    token_list_free(&t);
    token_list_free(&t);                             /* freeing twice is harmless */
}

static void test_huge_line(void)
{
    size_t n = 3u << 20;   /* 3 MB: "ab " repeated, then one Chinese character */
    char *s = malloc(n + 4);
    for (size_t i = 0; i < n; i += 3) memcpy(s + i, "ab ", 3);
    memcpy(s + n, "中", 4);
    token_list t;
    token_list_init(&t);
    CHECK(text_tokenize(LANG_EN, s, n + 3, &t) == (int)(n / 3) + 1);
    CHECK(t.n > 0 && !strcmp(t.tok[t.n - 1], "中") && !strcmp(t.tok[0], "ab"));
    char *back = text_detokenize(LANG_EN, (const char *const *)t.tok, t.n);
    CHECK(back && !strcmp(back, s));
    free(back);
    /* one enormous word */
    memset(s, 'x', n);
    CHECK(text_tokenize(LANG_EN, s, n, &t) == 1 && strlen(t.tok[0]) == n);
    token_list_free(&t);
    free(s);
}

/* Placeholders (U+E001..U+E020) survive NFKC and stay tokens of their own; the codepoints
 * on either side of the range are ordinary symbols. */
static void test_placeholders(void)
{
    CHECK(text_placeholder_number(0xE000) == 0);
    CHECK(text_placeholder_number(0xE001) == 1);
    CHECK(text_placeholder_number(0xE020) == TEXT_PLACEHOLDER_MAX);
    CHECK(text_placeholder_number(0xE021) == 0);
    CHECK(check_tokens(LANG_EN, "see\xEE\x80\x81s", "see \xEE\x80\x81 s"));
    CHECK(check_tokens(LANG_ZH, "在\xEE\x80\xA0中", "在 \xEE\x80\xA0 中"));
    CHECK(check_tokens(LANG_EN, "a\xEE\x80\x82\xEE\x80\x82" "b", "a \xEE\x80\x82 \xEE\x80\x82 b"));
    /* a mark after a placeholder is not glued to it, unlike after another symbol */
    CHECK(check_tokens(LANG_EN, "\xEE\x80\x81\xCC\x81", "\xEE\x80\x81 \xCC\x81"));
    CHECK(check_tokens(LANG_EN, "\xEE\x80\xA1\xCC\x81", "\xEE\x80\xA1\xCC\x81"));
}

int main(void)
{
    token_list_init(&toks);
    RUN_TEST(test_lang_parse);
    RUN_TEST(test_nfkc);
    RUN_TEST(test_whitespace_and_controls);
    RUN_TEST(test_english_words);
    RUN_TEST(test_english_clitics);
    RUN_TEST(test_chinese);
    RUN_TEST(test_combining_marks);
    RUN_TEST(test_invalid_input);
    RUN_TEST(test_english_round_trips);
    RUN_TEST(test_english_detok_normalizes_spacing);
    RUN_TEST(test_chinese_round_trips);
    RUN_TEST(test_chinese_detok_restores_fullwidth);
    RUN_TEST(test_detok_edge_cases);
    RUN_TEST(test_token_list_reuse);
    RUN_TEST(test_huge_line);
    RUN_TEST(test_placeholders);
    token_list_free(&toks);
    return TEST_SUMMARY("text");
}
