/* One writer per model file: a second holder is refused while the first lives, and the lock
 * goes with the process, however it ends. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "store/lock.h"

static char dir[64], model_path[128];

/* A child that takes the lock, says so through a pipe, then waits to be killed. */
static pid_t child_holding(void)
{
    int p[2];
    if (pipe(p) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        model_lock l;
        char ok = model_lock_acquire(model_path, &l) == 0 ? 'y' : 'n';
        if (write(p[1], &ok, 1) != 1) _exit(1);
        for (;;) pause();
    }
    char ok = 0;
    close(p[1]);
    if (read(p[0], &ok, 1) != 1 || ok != 'y') {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        pid = -1;
    }
    close(p[0]);
    return pid;
}

static void test_second_writer_refused_until_the_first_dies(void)
{
    pid_t holder = child_holding();
    CHECK(holder > 0);
    model_lock l;
    fprintf(stderr, "(one expected error message follows)\n");
    CHECK(model_lock_acquire(model_path, &l) != 0 && l.fd == -1);
    kill(holder, SIGKILL); /* no chance to clean up: the kernel lets go */
    waitpid(holder, NULL, 0);
    CHECK(model_lock_acquire(model_path, &l) == 0 && l.fd >= 0);
    /* the lock file names its holder */
    char path[160], buf[32] = {0};
    snprintf(path, sizeof path, "%s.lock", model_path);
    FILE *f = fopen(path, "r");
    CHECK(f && fgets(buf, sizeof buf, f) && atol(buf) == (long)getpid());
    if (f) fclose(f);
    model_lock_release(&l);
    CHECK(l.fd == -1);
    CHECK(model_lock_acquire(model_path, &l) == 0); /* released: free again */
    model_lock_release(&l);
}

static void test_devices_need_no_lock(void)
{
    model_lock l;
    CHECK(model_lock_acquire("/dev/null", &l) == 0 && l.fd == -1);
    model_lock_release(&l);
    CHECK(access("/dev/null.lock", F_OK) != 0);
}

static void test_unwritable_directory_refused(void)
{
    model_lock l;
    fprintf(stderr, "(one expected error message follows)\n");
    CHECK(model_lock_acquire("/nonexistent-dir/x.model", &l) != 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/seqtrans-lock.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    snprintf(model_path, sizeof model_path, "%s/x.model", dir);
    RUN_TEST(test_second_writer_refused_until_the_first_dies);
    RUN_TEST(test_devices_need_no_lock);
    RUN_TEST(test_unwritable_directory_refused);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return TEST_SUMMARY("lock");
}
