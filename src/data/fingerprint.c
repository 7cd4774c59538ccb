#include "data/fingerprint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/util.h"

enum { CHUNK = 1 << 20 };

static uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

/* Four independent lanes over 32-byte blocks (a multiply's latency hides behind the other
 * three), folded together with the length at the end. */
uint64_t fingerprint_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t lane[4] = {h ^ 1, h ^ 2, h ^ 3, h ^ 4};
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++) {
            uint64_t w;
            memcpy(&w, b + i + 8 * k, 8);
            lane[k] = mix(lane[k], w);
        }
    uint64_t out = mix(mix(mix(mix(n, lane[0]), lane[1]), lane[2]), lane[3]);
    for (; i < n; i++) out = mix(out, b[i]);
    return out;
}

int file_fingerprint_of(const char *path, file_fingerprint *out)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(path, "-")) return 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st_error("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 1;
    }
    unsigned char *buf = xmalloc(CHUNK);
    int rc = 0;
    for (size_t k = 1; k > 0 && rc == 0;) {
        /* whole pieces, however read() splits them */
        for (k = 0; k < CHUNK;) {
            ssize_t got = read(fd, buf + k, CHUNK - k);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) {
                st_error("cannot read '%s': %s", path, strerror(errno));
                rc = -1;
            }
            if (got <= 0) break;
            k += (size_t)got;
        }
        for (const unsigned char *q = buf; k && (q = memchr(q, '\n', (size_t)(buf + k - q))); q++) out->lines++;
        if (k) out->hash = fingerprint_hash(out->hash, buf, k);
        out->size += k;
        if (k < CHUNK) break;
    }
    free(buf);
    close(fd);
    return rc;
}
