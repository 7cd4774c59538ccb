/* fingerprint: what identifies a training file, so that `train --resume` can tell that it is
 * given the corpus it was trained on: its size, its line count and a 64-bit hash of its
 * bytes (not cryptographic: it tells an accidental change, not a forged one). */
#ifndef SEQTRANS_FINGERPRINT_H
#define SEQTRANS_FINGERPRINT_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t size, lines, hash;
} file_fingerprint;

/* Reads path through once. Returns 0; 1 when the file cannot be fingerprinted without being
 * consumed (stdin, a pipe: nothing printed); -1 with an error printed when it cannot be read. */
int file_fingerprint_of(const char *path, file_fingerprint *out);

/* The hash of p[0..n) continued from h (start with 0). A file is hashed in pieces of 1 MiB,
 * the last one shorter, so the result depends on the bytes alone. */
uint64_t fingerprint_hash(uint64_t h, const void *p, size_t n);

#endif
