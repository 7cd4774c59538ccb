#include "store/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/util.h"

static char *lock_path(const char *model_path)
{
    size_t n = strlen(model_path) + 6;
    char *p = xmalloc(n);
    snprintf(p, n, "%s.lock", model_path);
    return p;
}

/* The pid the holder wrote into the lock file, or 0 when it cannot be read. */
static long holder_pid(int fd)
{
    char buf[32];
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    if (k <= 0) return 0;
    buf[k] = 0;
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

static void write_pid(int fd)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n) return;
    /* the pid is only for the message another writer gets: not worth failing for */
}

int model_lock_acquire(const char *model_path, model_lock *lock)
{
    lock->fd = -1;
    struct stat st;
    if (stat(model_path, &st) == 0 && !S_ISREG(st.st_mode)) return 0;
    char *path = lock_path(model_path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        st_error("cannot lock '%s': cannot open '%s': %s", model_path, path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        long pid = busy ? holder_pid(fd) : 0;
        if (busy && pid) st_error("'%s' is being written by another seqtrans train (pid %ld)", model_path, pid);
        else if (busy) st_error("'%s' is being written by another seqtrans train", model_path);
        else st_error("cannot lock '%s': %s", model_path, strerror(errno));
        close(fd);
        return -1;
    }
    write_pid(fd);
    lock->fd = fd;
    return 0;
}

void model_lock_release(model_lock *lock)
{
    if (lock->fd >= 0) close(lock->fd); /* closing lets go of the flock */
    lock->fd = -1;
}
