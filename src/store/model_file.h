/* model_file: the self-contained model file.
 *   offset 0   header, 48 bytes: "SEQTRANS" magic, u32 format version (2), u32 flags (0),
 *              u64 model part length, u64 state part length,
 *              u32 CRC-32C of the model part, u32 CRC-32C of the state part, u64 0
 *   offset 48  model part (what translate needs), version 2: a directory, u32 section
 *              count (1..MODEL_FILE_MAX_SECTIONS), u32 0, then for each section u32 tag
 *              (four letters), u32 flags (bit 0: required; the others written 0 and
 *              ignored), u64 file offset, u64 length; then the sections in directory
 *              order, each at the first multiple of its alignment (at most 64) after the
 *              one before, the gaps zero; the last one ends the part. This version writes:
 *                CONF  configuration: u32 field count, then that many i32 fields in the
 *                      order of model_config_field_name (src_vocab tgt_vocab emb hidden
 *                      layers bidir src_lang tgt_lang cell); required
 *                SVOC  source vocabulary (vocab_serialize); required
 *                TVOC  target vocabulary; required
 *                PF32  the float32 parameters (model_layout order), 64-byte aligned so
 *                      that a mapped file is used in place; required, except that
 *                QI8W  an int8 model's parameters (seqtrans quantize; layout in
 *                      nn/quant.h), 64-byte aligned, takes its place: a file holds exactly
 *                      one of the two. Such a file has no training state.
 *              and a caller may add its own (model_file_write_sections).
 *   then       state part: the training state for --resume (opaque here; may be empty)
 * Version 1 (still read) had no directory: configuration (u32 count 8 + 8 i32; no cell,
 * so LSTM), u64 length + source vocabulary, u64 length + target vocabulary, u64 parameter
 * count, zeros to a 64-byte file offset, the float32 parameters to the end of the part.
 * Both are described by the one table of sections in model_part.c.
 * All integers and floats little-endian. The reader checks every length and offset against
 * the file before using it, every configuration field against its range, and refuses a
 * newer version, a section it does not know that is flagged required, a configuration with
 * fields it does not know, a bad checksum or non-finite weights; sections it does not know
 * that are not required are skipped.
 * Translating reads only the model part, and its parameters are used where they were
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

#define MODEL_FILE_VERSION 2
#define MODEL_FILE_HEADER_BYTES 48
#define MODEL_FILE_MAX_SECTIONS 32

/* A section tag from its four letters, as it is stored (little-endian u32). */
#define MODEL_FILE_TAG(a, b, c, d) \
    ((uint32_t)(unsigned char)(a) | (uint32_t)(unsigned char)(b) << 8 | \
     (uint32_t)(unsigned char)(c) << 16 | (uint32_t)(unsigned char)(d) << 24)

/* A section a caller adds to the model part: its tag (not one of the model's own), whether
 * it is required (a reader that does not know the tag then refuses the file; one that is
 * not required is skipped by such a reader), the alignment of its file offset (a power of
 * two, 1..64) and its bytes (borrowed while writing). */
typedef struct {
    uint32_t tag;
    int required;
    unsigned align;
    const void *p;
    size_t len;
} model_file_section;

/* extra: opaque training state (may be NULL / 0). Returns 0, or -1 with an error printed. */
int model_file_write(const char *path, const model *m, const void *extra, size_t extra_len);
int model_file_write_parts(const char *path, const model *m, const file_part *state, int n_parts);
/* The same with sections add[0..n_add) after the model's own in the model part. */
int model_file_write_sections(const char *path, const model *m, const model_file_section *add,
                              int n_add, const file_part *state, int n_parts);

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

/* The configuration's fields, as the file stores them, for printing: i in
 * 0..model_config_field_count()-1 (the name is NULL, the value 0 outside). */
int model_config_field_count(void);
const char *model_config_field_name(int i);
int model_config_field(const model_config *c, int i);

/* What a file holds, for `seqtrans info`, found by reading and checking both its parts as
 * model_file_read does (a corrupt training state fails it: info then says so). */
typedef struct {
    uint32_t tag;
    char tag_text[5];      /* the tag's letters ('?' for any that is not printable) */
    const char *name;      /* "configuration", ...; "unknown" for a tag not known here */
    int required;
    uint64_t offset, bytes;
} model_file_entry;

typedef struct {
    uint32_t version;
    uint64_t model_bytes, state_bytes; /* the two parts */
    model_config cfg;
    int n_sections;
    model_file_entry sections[MODEL_FILE_MAX_SECTIONS];
} model_file_info;
int model_file_describe(const char *path, model_file_info *info);

/* The path of the model when none is given: $SEQTRANS_MODEL, else "seqtrans.model". */
const char *model_default_path(void);

#endif
