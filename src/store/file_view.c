#include "store/file_view.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* A view's life, as the lease-break handler sees it. */
enum {
    FREE,    /* slot unused */
    OPENING, /* lease taken, mapping being made */
    BROKEN,  /* the lease broke while opening: the opener gives up */
    LEASED,  /* the file's own pages, protected by the lease */
    COPYING, /* the handler is replacing them with a private copy */
    PRIVATE, /* a private copy, no lease */
    CLOSING  /* being unmapped and its lease let go */
};

struct file_view {
    _Atomic int state;
    _Atomic int fd; /* read by the handlers in any thread */
    void *base;
    size_t len;
};

enum { MAX_VIEWS = 8 };
static struct file_view views[MAX_VIEWS];

static int cas(_Atomic int *state, int from, int to)
{
    return atomic_compare_exchange_strong(state, &from, to);
}

/* Ends the process from a signal handler, which may not use stdio. */
static void die_in_handler(const char *msg, size_t len)
{
    ssize_t ignored = write(2, msg, len);
    (void)ignored;
    _exit(1);
}

/* Must not fail: the writer waiting on the lease would otherwise truncate pages still in
 * use. Only system calls and memcpy, as a signal handler may. */
static void replace_with_copy(struct file_view *v)
{
    static const char msg[] = "seqtrans: cannot keep a copy of the model, whose file is being "
                              "rewritten (out of memory)\n";
    void *copy = mmap(NULL, v->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED) die_in_handler(msg, sizeof msg - 1);
    memcpy(copy, v->base, v->len);
    mprotect(copy, v->len, PROT_READ);
    /* In one step, so that threads reading the view never see a gap. */
    if (mremap(copy, v->len, v->len, MREMAP_MAYMOVE | MREMAP_FIXED, v->base) == MAP_FAILED)
        die_in_handler(msg, sizeof msg - 1);
}

/* The break of one view's lease; SIGIO, which the kernel sends instead when the signal
 * queue is full, does not say whose, so it counts for every view. */
static void on_lease_break(int sig, siginfo_t *info, void *context)
{
    (void)context;
    int saved_errno = errno;
    for (int i = 0; i < MAX_VIEWS; i++) {
        struct file_view *v = &views[i];
        if (sig != SIGIO && atomic_load(&v->fd) != info->si_fd) continue;
        if (cas(&v->state, OPENING, BROKEN)) {
            fcntl(v->fd, F_SETLEASE, F_UNLCK);
        } else if (cas(&v->state, LEASED, COPYING)) {
            replace_with_copy(v);
            fcntl(v->fd, F_SETLEASE, F_UNLCK);
            atomic_store(&v->state, PRIVATE);
        }
    }
    errno = saved_errno;
}

/* A process that cannot answer the lease-break signal in time (stopped, say, with Ctrl-Z)
 * loses the lease after /proc/sys/fs/lease-break-time seconds, and the writer may then
 * truncate the file under the view. Touching the lost pages is a bus error: reported as
 * what it is, not as a crash. Other bus errors go to the handler there was before. */
static struct sigaction bus_error_before;

static void on_bus_error(int sig, siginfo_t *info, void *context)
{
    const char *at = info->si_addr;
    for (int i = 0; i < MAX_VIEWS; i++) {
        struct file_view *v = &views[i];
        int state = atomic_load(&v->state);
        if ((state == LEASED || state == COPYING) && at >= (const char *)v->base &&
            at < (const char *)v->base + v->len) {
            static const char msg[] = "seqtrans: the model file was truncated or could not be "
                                      "read while in use (was this process stopped?); its "
                                      "model is lost\n";
            die_in_handler(msg, sizeof msg - 1);
        }
    }
    if (bus_error_before.sa_flags & SA_SIGINFO) {
        bus_error_before.sa_sigaction(sig, info, context);
        return;
    }
    if (bus_error_before.sa_handler != SIG_DFL && bus_error_before.sa_handler != SIG_IGN) {
        bus_error_before.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL); /* the fault repeats on return, now with the default action */
}

static int install(int sig, void (*handler)(int, siginfo_t *, void *), int flags,
                   struct sigaction *before)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, before);
}

static int lease_signal(void)
{
    static _Atomic int installed;
    int sig = SIGRTMIN;
    if (atomic_load(&installed)) return sig;
    if (install(SIGBUS, on_bus_error, 0, &bus_error_before) != 0 ||
        install(SIGIO, on_lease_break, SA_RESTART, NULL) != 0 ||
        install(sig, on_lease_break, SA_RESTART, NULL) != 0)
        return -1;
    atomic_store(&installed, 1);
    return sig;
}

static struct file_view *claim_slot(int fd)
{
    for (int i = 0; i < MAX_VIEWS; i++) {
        if (cas(&views[i].state, FREE, OPENING)) {
            atomic_store(&views[i].fd, fd);
            return &views[i];
        }
    }
    return NULL;
}

/* Gives up on a view whose file turned out not to be holdable. */
static file_view *abandon(struct file_view *v, void *mapped)
{
    if (mapped) munmap(mapped, v->len);
    fcntl(v->fd, F_SETLEASE, F_UNLCK);
    atomic_store(&v->fd, -1);
    atomic_store(&v->state, FREE);
    return NULL;
}

/* A lease binds only writers that go through this kernel: a file served by another
 * machine or process (network filesystems, FUSE) may change beneath it all the same. */
static int changes_only_here(int fd)
{
    static const long elsewhere[] = {
        0x65735546,          /* FUSE */
        0x6969,              /* NFS */
        0xff534d42,          /* CIFS */
        0xfe534d42,          /* SMB2 */
        0x517b,              /* SMB */
        0x01021997,          /* 9p */
        0x00c36400,          /* Ceph */
        0x47504653,          /* GPFS */
        0x0bd00bd0,          /* Lustre */
    };
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0) return 0;
    for (size_t i = 0; i < sizeof elsewhere / sizeof elsewhere[0]; i++)
        if ((long)(unsigned)fs.f_type == elsewhere[i]) return 0;
    return 1;
}

file_view *file_view_open(int fd, size_t len, const unsigned char **bytes)
{
    struct stat st;
    if (len == 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < len ||
        !changes_only_here(fd))
        return NULL;
    int sig = lease_signal();
    if (sig < 0) return NULL;
    struct file_view *v = claim_slot(fd);
    if (!v) return NULL;
    v->len = len;
    /* The slot is claimed before the lease, so that a break at any moment finds it. */
    if (fcntl(fd, F_SETSIG, sig) != 0 || fcntl(fd, F_SETLEASE, F_RDLCK) != 0) return abandon(v, NULL);
    /* Truncated between the size check and the lease (no writer left open to stop it)? Held
     * by the lease, the file can no longer shrink. */
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < len) return abandon(v, NULL);
    void *p = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) return abandon(v, NULL);
    v->base = p;
    /* A break before this point may already have let a writer change the file. */
    if (!cas(&v->state, OPENING, LEASED)) return abandon(v, p);
    *bytes = p;
    return v;
}

void file_view_close(file_view *v)
{
    if (!v) return;
    /* Waits out a handler copying in another thread (never this one: the handler returns
     * before the thread it interrupted goes on). */
    while (!cas(&v->state, LEASED, CLOSING) && !cas(&v->state, PRIVATE, CLOSING)) sched_yield();
    munmap(v->base, v->len);
    /* closing alone would not end the lease while another descriptor shares the file */
    fcntl(v->fd, F_SETLEASE, F_UNLCK);
    close(v->fd);
    atomic_store(&v->fd, -1);
    atomic_store(&v->state, FREE);
}
