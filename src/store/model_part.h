/* model_part: the layout of a model file's model part (what translate needs), described
 * once, by two tables in model_part.c: its sections (tag, name, whether required, alignment,
 * how each is checked, how it is written) and the configuration's fields (name, range, the
 * value of a file written before the field existed). The writer, the reader and the
 * one-pass checksum/weight-range verification all work from them; model_file.c adds the
 * header, the state part and the ways of reading a file. Not for other callers: they use
 * model_file.h. */
#ifndef SEQTRANS_MODEL_PART_H
#define SEQTRANS_MODEL_PART_H
#include <stddef.h>
#include <stdint.h>

#include "store/model_file.h"

typedef struct section_kind section_kind;

/* One section where the part holds it. Offsets are file offsets: the part starts at
 * MODEL_FILE_HEADER_BYTES. */
typedef struct {
    const section_kind *kind; /* NULL: a tag this reader does not know (optional, skipped) */
    uint32_t tag;
    int required;
    uint64_t offset, length;
    int in_range;             /* float sections: every weight in range (set by part_verify) */
} section_span;

/* Where the sections of a part are, or why they cannot be found. */
typedef struct {
    int n;
    section_span s[MODEL_FILE_MAX_SECTIONS];
    char why[200];            /* when part_locate failed: what is wrong, for the message */
} section_map;

/* Finds the sections of the part part[0..len) of a file of the given version from their
 * lengths and offsets, each checked against len before it is used. Prints nothing (the
 * bytes are not yet known to be the ones written: a checksum mismatch is the better
 * message); returns 0, or -1 with map->why set. */
int part_locate(uint32_t version, const unsigned char *part, size_t len, section_map *map);

/* The CRC-32C of part[0..len) and, in the same pass, a block at a time while it is in
 * cache, the range of every float section of map (NULL: none located). */
uint32_t part_verify(const unsigned char *part, size_t len, section_map *map);

/* What the sections hold, parsed and checked against each other; the parameters point into
 * part. Returns 0, or -1 with an error naming name printed (nothing is then left to free). */
typedef struct {
    model_config cfg;
    vocab *src_vocab, *tgt_vocab;
    bpe *src_bpe, *tgt_bpe;      /* subwords (SBPE, TBPE), NULL without the section */
    float *params;
    char *record;  /* the training record (malloc'd), NULL without one */
    const unsigned char *qimage; /* an int8 model (QI8W, nn/quant.h): its image, in part */
    size_t qimage_len;           /* (params is then NULL) */
} part_contents;
int part_parse(const char *name, uint32_t version, unsigned char *part, const section_map *map,
               part_contents *out);

/* A model part ready to be written: the pieces in order (file_parts borrow the model's
 * parameters and the caller's sections, and point into owned), their length and CRC-32C. */
typedef struct {
    file_part *pieces;
    int n_pieces;
    uint64_t len;
    uint32_t crc;
    void *owned[MODEL_FILE_MAX_SECTIONS + 1];
} part_image;

/* Lays out m's sections, then the caller's (add[0..n_add)). Returns 0, or -1 with the
 * reason printed (a caller's section that clashes or cannot be laid out; out of range
 * weights). part_image_free releases it either way. */
int part_build(const char *path, const model *m, const model_file_section *add, int n_add,
               part_image *img);
void part_image_free(part_image *img);

/* Every weight finite and |w| <= 2^50 (see model_part.c). */
int part_floats_in_range(const float *w, size_t n);

/* The tag's four letters, '?' for any that is not printable. */
void part_tag_text(uint32_t tag, char out[5]);

/* The name of a section (from the table), or NULL for a tag it does not hold. */
const char *part_section_name(uint32_t tag);

#endif
