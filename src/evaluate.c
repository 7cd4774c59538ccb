/* Placeholder until the model form of eval is written; to be replaced. */
#include "evaluate.h"
#include "util.h"

int eval_model_tsv(const char *model_path, const char *tsv_path, int beam, int json, int threads)
{
    (void)model_path; (void)tsv_path; (void)beam; (void)json; (void)threads;
    st_error("eval: model form not implemented yet");
    return 1;
}
