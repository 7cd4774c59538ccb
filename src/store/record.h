/* record: how a model was trained, kept in its file (section TRIN) for `seqtrans info` and
 * for `train --resume` to know what it resumes: "key=value" lines, one per fact, in the
 * order written. Keys are lowercase letters, digits and '_'; values are UTF-8 without
 * control characters. Text, so that a newer seqtrans can add facts an older one shows. */
#ifndef SEQTRANS_RECORD_H
#define SEQTRANS_RECORD_H
#include <stddef.h>

#define RECORD_MAX_BYTES 65536

/* 1 when p[0..n) is a well-formed record (every line "key=value\n"), else 0. */
int record_valid(const char *p, size_t n);

/* The value of key in record (NULL: none), malloc'd; NULL when absent. */
char *record_get(const char *record, const char *key);

/* Sets key to the printf-formatted value in *record (malloc'd, may start NULL), replacing
 * an earlier line of the key. A value with a newline or control character has it replaced
 * by a space. */
void record_set(char **record, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Calls fn for each key and value, in order. */
void record_each(const char *record, void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

#endif
