#include "store/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/util.h"

char *path_directory(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return xstrdup(".");
    char *dir = xstrdup(path);
    dir[slash == path ? 1 : slash - path] = '\0';
    return dir;
}

/* Writes p[0..len) to fd at offset off, or where it stands when off < 0 (a pipe, a device),
 * retrying short writes and interruptions; -1 with errno set. */
static int write_fully(int fd, const void *p, size_t len, off_t off)
{
    const char *b = p;
    size_t done = 0;
    while (done < len) {
        ssize_t k = off < 0 ? write(fd, b + done, len - done) : pwrite(fd, b + done, len - done, off + (off_t)done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

static int write_parts(int fd, const file_part *parts, int n)
{
    for (int i = 0; i < n; i++)
        if (write_fully(fd, parts[i].p, parts[i].len, -1) != 0) return -1;
    return 0;
}

int file_write_at(int fd, const void *p, size_t len, off_t off) { return write_fully(fd, p, len, off); }

/* Makes a rename in the directory of path durable; best effort. */
static void sync_directory(const char *path)
{
    char *dir = path_directory(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

static int write_in_place(const char *path, const file_part *parts, int n)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) {
        st_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = write_parts(fd, parts, n);
    int saved = errno;
    if (close(fd) != 0 && rc == 0) rc = -1, saved = errno;
    if (rc != 0) st_error("cannot write '%s': %s", path, strerror(saved));
    errno = saved;
    return rc;
}

static char *temporary_name(const char *path)
{
    size_t len = strlen(path) + 32;
    char *tmp = xmalloc(len);
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    return tmp;
}

/* Whether name is "<base>.tmp.<pid>" of a process that no longer runs. */
static int stale_temporary(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) || strncmp(name + n, ".tmp.", 5)) return 0;
    long pid;
    if (parse_long(name + n + 5, 1, 1L << 30, &pid) != 0 || pid == (long)getpid()) return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int file_remove_stale_temporaries(const char *path)
{
    char *dir = path_directory(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    DIR *d = opendir(dir);
    int removed = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!stale_temporary(e->d_name, base)) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            st_warn("removed '%s/%s': a save left unfinished by a process that was killed", dir, e->d_name);
            removed++;
        }
    }
    if (d) closedir(d);
    free(dir);
    return removed;
}

static int refuse_directory(const char *path)
{
    st_error("cannot write '%s': %s", path, strerror(EISDIR));
    errno = EISDIR;
    return -1;
}

int file_check_writable(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return refuse_directory(path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return 0; /* a device: written in place */
    char *tmp = temporary_name(path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    int saved = errno;
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    if (fd < 0) {
        st_error("cannot write '%s': %s", path, strerror(saved));
        errno = saved;
        return -1;
    }
    return 0;
}

/* Writes to a temporary file next to path, syncs it and renames it over path. */
static int write_replacing(const char *path, const file_part *parts, int n, const struct stat *old)
{
    char *tmp = temporary_name(path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int saved = errno;
        st_error("cannot write '%s': %s", path, strerror(saved));
        free(tmp);
        errno = saved;
        return -1;
    }
    if (old) fchmod(fd, old->st_mode & 07777);
    int rc = write_parts(fd, parts, n) == 0 && fsync(fd) == 0 ? 0 : -1;
    int saved = errno;
    if (close(fd) != 0 && rc == 0) rc = -1, saved = errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1, saved = errno;
    if (rc != 0) {
        st_error("cannot write '%s': %s", path, strerror(saved));
        unlink(tmp);
    } else {
        sync_directory(path);
    }
    free(tmp);
    errno = saved;
    return rc;
}

int file_replace(const char *path, const file_part *parts, int n)
{
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return refuse_directory(path);
    if (exists && !S_ISREG(st.st_mode)) return write_in_place(path, parts, n);
    return write_replacing(path, parts, n, exists ? &st : NULL);
}

int file_temporary_beside(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return -1;
    char *dir = path_directory(path);
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    free(dir);
    return fd;
}
