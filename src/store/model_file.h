/* model_file: the self-contained model file.
 *   offset 0   header, 48 bytes: "SEQTRANS" magic, u32 format version, u32 flags (0),
 *              u64 model section length, u64 state section length,
 *              u32 CRC-32C of the model section, u32 CRC-32C of the state section, u64 0
 *   offset 48  model section: u32 field count, then that many i32 configuration fields;
 *              u64 length + source vocabulary; u64 length + target vocabulary;
 *              u64 parameter count, zero padding to a 64-byte file offset, the float32
 *              parameters (which end the section)
 *   then       state section: the training state for --resume (opaque here; may be empty)
 * All integers and floats little-endian. The reader checks every length against the file
 * before using it, and refuses a newer version, a bad checksum or non-finite weights.
 * Translating reads only the model section, and its parameters are used where they were
 * read, or where the file's pages are (no copy): the training state costs a translator
 * neither time nor memory.
 * Writing goes to a temporary file that is flushed, synced and renamed over the target, so
 * a crash or a full disk leaves any previous file intact. */
#ifndef SEQTRANS_MODEL_FILE_H
#define SEQTRANS_MODEL_FILE_H
#include <stddef.h>
#include <stdint.h>

#include "nn/model.h"
#include "store/crc32c.h"
#include "store/files.h"

#define MODEL_FILE_VERSION 1
#define MODEL_FILE_HEADER_BYTES 48

/* extra: opaque training state (may be NULL / 0). Returns 0, or -1 with an error printed. */
int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len);
int model_file_write_parts(const char *path, const model *m, const file_part *state, int n_parts);

/* Checks early, by creating and removing the temporary file a write would use, that path
 * can be written (so that a long training run does not find out at its first save).
 * Returns 0, or -1 with an error printed. */
int model_file_check_writable(const char *path);

/* On success *out is the model and, when extra != NULL, *extra a malloc'd copy of the
 * training state (NULL when there is none). Returns 0, or -1 with an error printed. */
int model_file_read(const char *path, model **out, void **extra, size_t *extra_len);
/* The model alone, for translating and evaluating: its parameters must not be written.
 * They are the file's own cached pages where the file can be held unchanged (see
 * file_view.h), which saves a copy of the whole model; otherwise it is read as above.
 * Returns 0, or -1 with an error printed. */
int model_file_read_only(const char *path, model **out);
/* The same from bytes already in memory (name is used in messages); both sections are
 * checked. */
int model_file_parse(const char *name, const unsigned char *buf, size_t len, model **out,
                     void **extra, size_t *extra_len);

/* The path of the model when none is given: $SEQTRANS_MODEL, else "seqtrans.model". */
const char *model_default_path(void);

#endif
