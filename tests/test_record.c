/* The training record: set and get, replaced in place, malformed text refused, and a model's
 * record through its file and back (a model without one gets no section). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/model_file.h"
#include "store/record.h"

static void test_set_get(void)
{
    char *r = NULL;
    record_set(&r, "corpus", "%s", "data/train.tsv");
    record_set(&r, "steps", "%d", 12);
    record_set(&r, "corpus", "%s", "other\nline\t.tsv"); /* replaced where it was; no newline */
    CHECK(!strcmp(r, "corpus=other line .tsv\nsteps=12\n"));
    char *v = record_get(r, "steps");
    CHECK(v && !strcmp(v, "12"));
    free(v);
    CHECK(record_get(r, "step") == NULL && record_get(NULL, "steps") == NULL);
    CHECK(record_valid(r, strlen(r)));
    free(r);
}

static void test_malformed_refused(void)
{
    static const char *const bad[] = {"x=1", "=1\n", "Key=1\n", "k 1\n", "k=\001\n", "k=\xff\n", "k=1\nj\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(!record_valid(bad[i], strlen(bad[i])));
    CHECK(record_valid("", 0) && record_valid("a_1=\n", 5));
}

static int same_record(const char *path, const char *want)
{
    model *m = NULL;
    int ok = model_file_read(path, &m, NULL, NULL) == 0 &&
             (want ? m->record && !strcmp(m->record, want) : m->record == NULL);
    model_free(m);
    return ok;
}

static void test_through_the_file(void)
{
    vocab_counter *c = vocab_counter_new();
    vocab_counter_add(c, "a");
    model_config cfg = {.src_vocab = 5, .tgt_vocab = 5, .emb = 2, .hidden = 4, .layers = 1};
    model *m = model_new(&cfg, vocab_build(c, 1, 5), vocab_build(c, 1, 5));
    vocab_counter_free(c);
    char path[64];
    snprintf(path, sizeof path, "/tmp/seqtrans-record.%ld.model", (long)getpid());
    CHECK(model_file_write(path, m, NULL, 0) == 0 && same_record(path, NULL));
    record_set(&m->record, "seed", "%d", 7);
    record_set(&m->record, "corpus", "%s", "语料.tsv");
    CHECK(model_file_write(path, m, NULL, 0) == 0 && same_record(path, "seed=7\ncorpus=语料.tsv\n"));
    model_file_info info;
    CHECK(model_file_describe(path, &info) == 0);
    int found = 0;
    for (int i = 0; i < info.n_sections; i++) found |= !strcmp(info.sections[i].tag_text, "TRIN");
    CHECK(found);
    unlink(path);
    model_free(m);
}

int main(void)
{
    RUN_TEST(test_set_get);
    RUN_TEST(test_malformed_refused);
    RUN_TEST(test_through_the_file);
    return TEST_SUMMARY("record");
}
