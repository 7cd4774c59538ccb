/* lock: one writer per model file. `train -o X` holds an exclusive flock on "X.lock" beside X
 * for its whole run. The kernel lets go of it when the process ends, however it ends, so a
 * lock is never stale; the file itself stays (removing it could let a third process lock a
 * new file while a second still holds the old one). It holds the holder's pid, for the
 * message the next writer gets. Readers (translate, eval) never take it. */
#ifndef SEQTRANS_LOCK_H
#define SEQTRANS_LOCK_H

typedef struct {
    int fd; /* -1: nothing held */
} model_lock;

/* Takes the lock for writing model_path, or fails at once with a message naming the holder:
 * "seqtrans: 'X' is being written by another seqtrans train (pid N)". A model path that is
 * not a regular file (/dev/null) needs no lock. Returns 0, or -1 with the error printed. */
int model_lock_acquire(const char *model_path, model_lock *lock);
void model_lock_release(model_lock *lock);

#endif
