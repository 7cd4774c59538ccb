/* model_file: the self-contained model file.
 *   offset 0   "SEQTRANS" magic, u32 format version, u32 reserved,
 *              u64 payload length, u64 FNV-1a 64 checksum of the payload
 *   payload    u32 field count, then that many i32 configuration fields;
 *              u64 length + source vocabulary; u64 length + target vocabulary;
 *              u64 parameter count, zero padding to a 64-byte file offset, the float32
 *              parameters; u64 length + training state (empty in a finished model).
 * All integers and floats little-endian. The reader checks every length against the file
 * before using it, and refuses a newer version, a bad checksum or non-finite weights.
 * Writing goes to a temporary file that is flushed, synced and renamed over the target, so
 * a crash or a full disk leaves any previous file intact. */
#ifndef SEQTRANS_MODEL_FILE_H
#define SEQTRANS_MODEL_FILE_H
#include <stddef.h>

#include "model.h"

#define MODEL_FILE_VERSION 1

/* extra: opaque training state (may be NULL / 0). Returns 0, or -1 with an error printed. */
int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len);
/* On success *out is the model and, when extra != NULL, *extra a malloc'd copy of the
 * training state (NULL when there is none). Returns 0, or -1 with an error printed. */
int model_file_read(const char *path, model **out, void **extra, size_t *extra_len);
/* The same from bytes already in memory (name is used in messages). */
int model_file_parse(const char *name, const unsigned char *buf, size_t len, model **out,
                     void **extra, size_t *extra_len);

/* The path of the model when none is given: $SEQTRANS_MODEL, else "seqtrans.model". */
const char *model_default_path(void);

#endif
