/* CRC-32C: the standard check value, and the three-stream path for large buffers against
 * a plain bitwise loop, over lengths and alignments around its split points, chained; the
 * portable version (what a build without SSE4.2 uses) is built here too and checked alike. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "store/crc32c.h"

/* The portable version under its own name, from the same source. */
#define CRC32C_PORTABLE
#define crc32c crc32c_portable
#include "../src/store/crc32c.c"
#undef crc32c

static uint32_t crc_bitwise(uint32_t crc, const unsigned char *b, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *b++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
    }
    return ~crc;
}

static unsigned char *random_bytes(size_t n)
{
    unsigned char *buf = malloc(n);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    return buf;
}

static void test_check_value(void)
{
    CHECK(crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(crc32c_portable(0, "123456789", 9) == 0xE3069283u);
    CHECK(crc32c(0, "", 0) == 0);
}

static void test_against_bitwise(void)
{
    size_t cap = (1 << 18) + 64;
    unsigned char *buf = random_bytes(cap);
    size_t lens[] = {0, 1, 7, 8, 65535, 65536, 65537, 65536 + 23, 200003, (1 << 18)};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        for (int off = 0; off < 3; off++) {
            uint32_t want = crc_bitwise(0, buf + off, lens[i]);
            CHECK(crc32c(0, buf + off, lens[i]) == want);
            CHECK(crc32c_portable(0, buf + off, lens[i]) == want);
            want = crc_bitwise(0x12345678u, buf + off, lens[i]);
            CHECK(crc32c(0x12345678u, buf + off, lens[i]) == want);
            CHECK(crc32c_portable(0x12345678u, buf + off, lens[i]) == want);
        }
    free(buf);
}

/* Any split of a buffer chains to the CRC of the whole. */
static void test_chained(void)
{
    size_t n = 3 * 65536 + 101;
    unsigned char *buf = random_bytes(n);
    uint32_t whole = crc32c(0, buf, n);
    size_t cuts[] = {0, 1, 4095, 65536, 100000, n - 1, n};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        CHECK(crc32c(crc32c(0, buf, cuts[i]), buf + cuts[i], n - cuts[i]) == whole);
    free(buf);
}

int main(void)
{
    RUN_TEST(test_check_value);
    RUN_TEST(test_against_bitwise);
    RUN_TEST(test_chained);
    return TEST_SUMMARY("crc32c");
}
