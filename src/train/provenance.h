/* provenance: what a model file records of how it was trained (its training record, see
 * store/record.h), written at every save, and what `train --resume` checks against it:
 *   - the corpus and dev set it was trained on (path as given, size, line count, a hash):
 *     another corpus is refused unless --new-data says it is meant;
 *   - the options that fix the model's shape or vocabulary: one given with another value
 *     than the model's is refused, naming both values (exit 2);
 *   - every other option is applied, and those given are listed once in the log.
 * One table, resume_rules, says which option is which; every option of `train` is in it
 * (tests/test_provenance.c walks the command's option table). */
#ifndef SEQTRANS_PROVENANCE_H
#define SEQTRANS_PROVENANCE_H

#include "data/fingerprint.h"
#include "nn/model.h"
#include "train/checkpoint.h"
#include "train/train.h"

typedef enum {
    RESUME_FIXED,   /* fixed by the model: must agree with it */
    RESUME_APPLIED, /* may change between runs: applied */
} resume_rule;

/* The rule of the train option called name (long name); -1 for an option not in the table. */
int resume_rule_of(const char *option);

/* The files the run reads, as provenance records them. has_* 0: not fingerprinted (stdin). */
typedef struct {
    file_fingerprint corpus, dev;
    int has_corpus, has_dev;
} run_inputs;

/* Fingerprints o's corpus and dev set. 0, or -1 with an error printed. */
int provenance_inputs(const train_options *o, run_inputs *in);

/* Writes the run's facts into m->record (replacing earlier values of the same keys). */
void provenance_record(model *m, const train_options *o, const run_inputs *in,
                       const run_state *rs, long pairs);

/* The checks of a resumed run against the record of the model it resumes. Returns 0 to go
 * on (*fresh_pass set when --new-data starts a new pass), or the exit status (1 or 2) after
 * printing why not. Prints the applied options once. */
int provenance_check_resume(const model *m, const train_options *o, const run_inputs *in,
                            int *fresh_pass);

#endif
