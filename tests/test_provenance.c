/* Every option of `train` has a resume rule, so that a new option cannot be forgotten: either
 * it fixes the model (and resume checks it) or it may change between runs. */
#include <string.h>

#include "check.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "train/provenance.h"

static void test_every_train_option_has_a_rule(void)
{
    for (int i = 0; i < train_command.n_opts; i++) {
        int rule = resume_rule_of(train_command.opts[i].name);
        if (rule < 0) fprintf(stderr, "train --%s has no resume rule\n", train_command.opts[i].name);
        CHECK(rule == RESUME_FIXED || rule == RESUME_APPLIED);
    }
    CHECK(resume_rule_of("hidden") == RESUME_FIXED && resume_rule_of("cell") == RESUME_FIXED);
    CHECK(resume_rule_of("time") == RESUME_APPLIED && resume_rule_of("lr") == RESUME_APPLIED);
    CHECK(resume_rule_of("no-such-option") == -1);
}

int main(void)
{
    RUN_TEST(test_every_train_option_has_a_rule);
    return TEST_SUMMARY("provenance");
}
