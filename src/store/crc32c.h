/* crc32c: CRC-32C (Castagnoli), the checksum of the model file's two parts. The SSE4.2
 * crc32 instruction where the build has it (three interleaved streams over large buffers),
 * the same polynomial bit by bit elsewhere; both give the same values. */
#ifndef SEQTRANS_CRC32C_H
#define SEQTRANS_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* CRC-32C of p[0..n), continuing from crc (start with 0): crc32c(crc32c(0, a), b) is the
 * CRC of a followed by b. */
uint32_t crc32c(uint32_t crc, const void *p, size_t n);

#endif
