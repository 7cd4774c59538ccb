#include "store/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"
#include "text/text.h"

static int key_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

int record_valid(const char *p, size_t n)
{
    if (n > RECORD_MAX_BYTES || !utf8_valid(p, n) || (n && p[n - 1] != '\n')) return 0;
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && key_char(p[k])) k++;
        if (k == i || k >= n || p[k] != '=') return 0;
        for (k++; p[k] != '\n'; k++)
            if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f) return 0;
        i = k + 1;
    }
    return 1;
}

/* The line of key in record: its start, or NULL. */
static const char *find_line(const char *record, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = record; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
        if (!strncmp(line, key, kl) && line[kl] == '=') return line;
    return NULL;
}

char *record_get(const char *record, const char *key)
{
    const char *line = record ? find_line(record, key) : NULL;
    if (!line) return NULL;
    const char *v = line + strlen(key) + 1, *end = strchr(v, '\n');
    size_t n = end ? (size_t)(end - v) : strlen(v);
    char *out = xmalloc(n + 1);
    memcpy(out, v, n);
    out[n] = 0;
    return out;
}

void record_set(char **record, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *value = xmalloc((size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(value, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
    for (char *c = value; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
    const char *old = *record ? *record : "";
    const char *line = find_line(old, key);
    size_t before = line ? (size_t)(line - old) : strlen(old);
    const char *after = line ? strchr(line, '\n') : NULL;
    after = after ? after + 1 : "";
    size_t len = before + strlen(key) + 1 + strlen(value) + 1 + strlen(after);
    char *out = xmalloc(len + 1);
    snprintf(out, len + 1, "%.*s%s=%s\n%s", (int)before, old, key, value, after);
    free(*record);
    free(value);
    *record = out;
}

void record_each(const char *record, void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    for (const char *line = record; line && *line;) {
        const char *eq = strchr(line, '='), *end = strchr(line, '\n');
        if (!eq || !end || eq > end) return;
        char *key = xmalloc((size_t)(eq - line) + 1), *value = xmalloc((size_t)(end - eq));
        memcpy(key, line, (size_t)(eq - line));
        key[eq - line] = 0;
        memcpy(value, eq + 1, (size_t)(end - eq - 1));
        value[end - eq - 1] = 0;
        fn(ctx, key, value);
        free(key);
        free(value);
        line = end + 1;
    }
}
