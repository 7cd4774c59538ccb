/* evaluate: the model form of `seqtrans eval` (see docs/CLI.md).
 *
 * eval_model_tsv() translates column 1 of tsv_path ("-" is stdin) with the model in
 * model_path (honouring the model's direction), scores the output against column 2 with
 * the metrics library (tokenizer zh when the target language is Chinese, else 13a),
 * computes the model's cross-entropy and perplexity on the pairs, and prints the report
 * with metrics_print() (json: one JSON object, adding "loss", "ppl" and
 * "src_unknown", "tgt_unknown": the share of <unk> among each side's units, of the first
 * 200 units of each sentence, as the loss sees them).
 * beam: beam size, 0 for the project's default (1 is greedy search).
 * threads: worker threads, 0 for the number of cores.
 * Returns the exit status: 0 success, 1 runtime failure (reported with st_error). */
#ifndef SEQTRANS_EVALUATE_H
#define SEQTRANS_EVALUATE_H
int eval_model_tsv(const char *model_path, const char *tsv_path, int beam, int json, int threads);
#endif
