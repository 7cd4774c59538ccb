#include "store/crc32c.h"

#include <string.h>

#define CRC32C_POLY 0x82F63B78u /* reflected */

/* CRC32C_PORTABLE builds the bitwise version even where SSE4.2 is there (its test does). */
#if defined(__SSE4_2__) && !defined(CRC32C_PORTABLE)
#include <nmmintrin.h>

/* a * b modulo the CRC polynomial, in the CRC's reflected bit order (bit 31 is x^0). */
static uint32_t crc_mul(uint32_t a, uint32_t b)
{
    uint32_t product = 0;
    for (int i = 0; i < 32; i++, a <<= 1) {
        if (a & 0x80000000u) product ^= b;
        b = (b >> 1) ^ (CRC32C_POLY & (0u - (b & 1)));
    }
    return product;
}

/* The CRC register after n zero bytes: the register times x^(8n). */
static uint32_t crc_skip_zeros(uint32_t reg, size_t n)
{
    uint32_t power = 0x00800000u; /* x^8 */
    for (; n; n >>= 1, power = crc_mul(power, power))
        if (n & 1) reg = crc_mul(reg, power);
    return reg;
}

static uint64_t crc_bytes(uint64_t reg, const unsigned char *b, size_t n)
{
    for (; n >= 8; n -= 8, b += 8) {
        uint64_t v;
        memcpy(&v, b, 8);
        reg = _mm_crc32_u64(reg, v);
    }
    for (; n; n--) reg = _mm_crc32_u8((uint32_t)reg, *b++);
    return reg;
}

/* The crc32 instruction takes 3 cycles and can start every cycle, so three independent
 * streams over three thirds of a large buffer run about three times as fast; their
 * registers are then joined by the identity crc(A B) = crc(A) x^(8|B|) + crc_0(B). */
static uint32_t crc_register(uint32_t reg, const unsigned char *b, size_t n)
{
    enum { MIN_SPLIT = 1 << 16 };
    if (n >= MIN_SPLIT) {
        size_t third = n / 3 / 8 * 8;
        const unsigned char *p0 = b, *p1 = b + third, *p2 = b + 2 * third;
        uint64_t r0 = reg, r1 = 0, r2 = 0;
        for (size_t i = 0; i < third; i += 8) {
            uint64_t v0, v1, v2;
            memcpy(&v0, p0 + i, 8);
            memcpy(&v1, p1 + i, 8);
            memcpy(&v2, p2 + i, 8);
            r0 = _mm_crc32_u64(r0, v0);
            r1 = _mm_crc32_u64(r1, v1);
            r2 = _mm_crc32_u64(r2, v2);
        }
        reg = crc_skip_zeros((uint32_t)r0, third) ^ (uint32_t)r1;
        reg = crc_skip_zeros(reg, third) ^ (uint32_t)r2;
        b += 3 * third;
        n -= 3 * third;
    }
    return (uint32_t)crc_bytes(reg, b, n);
}
#else
static uint32_t crc_register(uint32_t reg, const unsigned char *b, size_t n)
{
    while (n--) {
        reg ^= *b++;
        for (int k = 0; k < 8; k++) reg = (reg >> 1) ^ (CRC32C_POLY & (0u - (reg & 1)));
    }
    return reg;
}
#endif

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
    return ~crc_register(~crc, p, n);
}
