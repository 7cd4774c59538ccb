/* file_view: the start of a file, mapped read-only, that stays valid and unchanged however
 * the file is changed afterwards.
 *
 * Copying a model out of the page cache into fresh memory costs more than everything else
 * a one-sentence translation does; mapping the cached pages costs almost nothing. A plain
 * mapping, though, would show a later in-place rewrite of the file (cp, a text editor) and
 * crash on a truncation. So the view holds a read lease on the file: whoever opens it for
 * writing or truncates it waits until the lease-break signal has replaced the mapping, at
 * the same address, with a private copy, and the lease is let go (milliseconds).
 * Where no lease can be had (another user's file, a file already open for writing, not a
 * regular file), or where one would not bind every writer (network filesystems, FUSE),
 * file_view_open says so and the caller reads. */
#ifndef SEQTRANS_FILE_VIEW_H
#define SEQTRANS_FILE_VIEW_H
#include <stddef.h>

typedef struct file_view file_view;

/* A view of the first len bytes of the file open read-only on fd. On success the view
 * owns fd (file_view_close closes it) and *bytes is the page-aligned start of the view.
 * Returns NULL, with nothing printed and fd still the caller's, when the file cannot be
 * held as described above. */
file_view *file_view_open(int fd, size_t len, const unsigned char **bytes);
void file_view_close(file_view *v);

#endif
