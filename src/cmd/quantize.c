/* seqtrans quantize: an int8 copy of a model, for translating (nn/quant.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "nn/quant.h"
#include "store/model_file.h"
#include "sys/util.h"

typedef struct {
    const char *out;
} quantize_options;

static void quantize_defaults(void *store) { *(quantize_options *)store = (quantize_options){0}; }

static const opt_spec quantize_opts[] = {
    {"output", 'o', OPT_FILE, offsetof(quantize_options, out), "FILE", "*.model", 0, 0, NULL,
     "where to write the int8 model (required)", NULL},
};

const opt_command quantize_command = {
    .name = "quantize",
    .summary = "write an int8 copy of a model for translating",
    .synopsis = "-o OUT [MODEL]",
    .description = "Writes an int8 copy of MODEL to OUT: the weight matrices of the encoder, "
                   "decoder, attention, combination and output layers and the embeddings as int8 "
                   "with one float scale per column, pre-packed for the int8 kernel; biases as "
                   "float; vocabularies, configuration and training record as they are; no "
                   "training state, so `train --resume` refuses it. `translate`, `eval` and "
                   "`tokenize -m` read it like any model. MODEL defaults to $SEQTRANS_MODEL, else "
                   "seqtrans.model.",
    .opts = quantize_opts,
    .n_opts = sizeof quantize_opts / sizeof quantize_opts[0],
    .store_size = sizeof(quantize_options),
    .init = quantize_defaults,
    .operand_glob = "*.model",
};

/* The int8 model of m (which keeps its vocabularies), or NULL with an error printed. */
static model *quantized(model *m, void **image)
{
    size_t len = quant_image_bytes(&m->cfg);
    if (!len) {
        st_error("quantize: the model is too large for the int8 kernel");
        return NULL;
    }
    if (posix_memalign(image, 64, len)) {
        st_error("out of memory (int8 model of %zu bytes)", len);
        exit(1);
    }
    model *q = NULL;
    if (quant_image_build(m, *image) == 0)
        q = quant_model_from_image(&m->cfg, m->src_vocab, m->tgt_vocab, *image, len);
    if (!q) free(*image);
    return q;
}

int cmd_quantize(int argc, char **argv)
{
    quantize_options o;
    quantize_defaults(&o);
    opt_result args;
    int rc = opt_parse(&quantize_command, argc, argv, &o, &args);
    if (rc != OPT_CONTINUE) return rc;
    if (argc - args.first_operand > 1) return opt_usage_error(&quantize_command, "one MODEL at most");
    if (!o.out) return opt_usage_error(&quantize_command, "-o OUT is required");
    const char *path = args.first_operand < argc ? argv[args.first_operand] : model_default_path();
    model *m;
    if (model_file_read_only(path, &m) != 0) return 1;
    if (m->qimage) {
        st_error("quantize: '%s' is already an int8 model", path);
        model_free(m);
        return 1;
    }
    void *image;
    model *q = quantized(m, &image);
    if (!q) {
        model_free(m);
        return 1;
    }
    q->storage = image;
    q->record = m->record;
    q->src_bpe = m->src_bpe;
    q->tgt_bpe = m->tgt_bpe;
    rc = model_file_write(o.out, q, NULL, 0) == 0 ? 0 : 1;
    q->record = NULL;
    q->src_vocab = q->tgt_vocab = NULL; /* m's */
    q->src_bpe = q->tgt_bpe = NULL;
    model_free(q);
    model_free(m);
    return rc;
}
