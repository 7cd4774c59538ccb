/* files: writing files so that a crash, a full disk or a kill at any moment leaves either the
 * old file or the new one, never a mix; and the small path helpers that needs.
 * Every function returns 0, or -1 with an error naming the path printed (st_error) and
 * errno kept, unless it says otherwise. */
#ifndef SEQTRANS_FILES_H
#define SEQTRANS_FILES_H
#include <stddef.h>
#include <sys/types.h>

/* A piece of a file, written in order without being copied together. */
typedef struct {
    const void *p;
    size_t len;
} file_part;

/* The directory of path: "dir" for "dir/x", "/" for "/x", "." for "x". malloc'd. */
char *path_directory(const char *path);

/* Replaces path by the concatenated parts: written to a temporary file beside it, synced,
 * renamed over it, and the directory synced. The replaced file's permissions are kept. A
 * path that exists and is not a regular file (/dev/null, a pipe) is written in place
 * instead: renaming over it would replace the device. */
int file_replace(const char *path, const file_part *parts, int n);

/* Removes what file_replace(path) leaves when its process is killed mid-write: the
 * temporary files beside path of processes that no longer run (warning for each). Call it
 * only as path's one writer (store/lock.h). Returns how many. */
int file_remove_stale_temporaries(const char *path);

/* Checks early that file_replace(path) can work, by creating and removing the temporary
 * file it would use, so that a long run does not find out at its first save. */
int file_check_writable(const char *path);

/* An unlinked temporary file (O_TMPFILE) in path's directory, open for reading and writing;
 * -1 with nothing printed when none can be made (path is a device, no O_TMPFILE, no room). */
int file_temporary_beside(const char *path);

/* Writes p[0..len) at offset off of fd, retrying short writes and interruptions; -1 with
 * errno set and nothing printed. */
int file_write_at(int fd, const void *p, size_t len, off_t off);

#endif
