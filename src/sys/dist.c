#include "sys/dist.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sys/util.h"

/* Open MPI's handles are the addresses of its predefined objects (MPI_COMM_WORLD is
 * &ompi_mpi_comm_world and so on), so the library's own symbols stand in for mpi.h: the
 * few functions used are declared here with opaque pointers. */
typedef void *mpi_handle;
typedef void *mpi_request;
enum { MPI_THREAD_FUNNELED = 1 };

static struct {
    int rank, size, local_size;
    void *lib;
    mpi_handle comm, byte, int_type, op_max;
    int (*init_thread)(int *, char ***, int, int *);
    int (*finalize)(void);
    int (*comm_rank)(mpi_handle, int *);
    int (*comm_size)(mpi_handle, int *);
    int (*isend)(const void *, int, mpi_handle, int, int, mpi_handle, mpi_request *);
    int (*irecv)(void *, int, mpi_handle, int, int, mpi_handle, mpi_request *);
    int (*waitall)(int, mpi_request *, void *);
    int (*allgather)(const void *, int, mpi_handle, void *, int, mpi_handle, mpi_handle);
    int (*allreduce)(const void *, void *, int, mpi_handle, mpi_handle, mpi_handle);
    int (*bcast)(void *, int, mpi_handle, int, mpi_handle);
    int (*abort)(mpi_handle, int);
    int (*barrier)(mpi_handle);
} mpi = {0, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL};

/* For the tests, SEQTRANS_TEST_MPI_LIBRARY names another library: a machine without Open
 * MPI is the one case no mpirun can show. */
static const char *library(void)
{
    const char *test = getenv("SEQTRANS_TEST_MPI_LIBRARY");
    return test ? test : "libmpi.so.40";
}

static int env_int(const char *name, int fallback)
{
    const char *s = getenv(name);
    long v;
    return s && parse_long(s, 1, INT_MAX, &v) == 0 ? (int)v : fallback;
}

static int find(void **out, const char *name)
{
    *out = dlsym(mpi.lib, name);
    if (*out) return 0;
    st_error("%s has no symbol %s: distributed training needs Open MPI 4 or later", library(), name);
    return -1;
}

#define FIND(field, name) (find((void **)&mpi.field, name) != 0)

static int load(void)
{
    mpi.lib = dlopen(library(), RTLD_NOW | RTLD_GLOBAL); /* its components need its symbols */
    if (!mpi.lib) {
        st_error("started by mpirun, but %s cannot be loaded (%s): install Open MPI "
                 "(apt-get install openmpi-bin)", library(), dlerror());
        return -1;
    }
    if (FIND(comm, "ompi_mpi_comm_world") || FIND(byte, "ompi_mpi_byte") ||
        FIND(int_type, "ompi_mpi_int") || FIND(op_max, "ompi_mpi_op_max") ||
        FIND(init_thread, "MPI_Init_thread") || FIND(finalize, "MPI_Finalize") ||
        FIND(comm_rank, "MPI_Comm_rank") || FIND(comm_size, "MPI_Comm_size") ||
        FIND(isend, "MPI_Isend") || FIND(irecv, "MPI_Irecv") || FIND(waitall, "MPI_Waitall") ||
        FIND(allgather, "MPI_Allgather") || FIND(allreduce, "MPI_Allreduce") ||
        FIND(bcast, "MPI_Bcast") || FIND(abort, "MPI_Abort") || FIND(barrier, "MPI_Barrier"))
        return -1;
    return 0;
}

int dist_init(void)
{
    if (env_int("OMPI_COMM_WORLD_SIZE", 1) <= 1) return 0;
    if (load() != 0) return -1;
    int provided = 0;
    if (mpi.init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != 0) {
        st_error("MPI_Init_thread failed");
        return -1;
    }
    mpi.comm_rank(mpi.comm, &mpi.rank);
    mpi.comm_size(mpi.comm, &mpi.size);
    mpi.local_size = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
    return 0;
}

void dist_finalize(void)
{
    if (mpi.size > 1) mpi.finalize();
    mpi.size = 1;
    mpi.rank = 0;
}

int dist_rank(void) { return mpi.rank; }
int dist_size(void) { return mpi.size; }
int dist_local_size(void) { return mpi.local_size; }

/* MPI counts are ints: a message goes as pieces of at most 1 GiB, in order (messages between
 * two ranks with one tag are received in the order sent). */
enum { PIECE = 1 << 30 };

static int pieces(size_t bytes) { return (int)((bytes + PIECE - 1) / PIECE); }

static void post(int send, void *buf, size_t bytes, int peer, mpi_request *req)
{
    for (size_t off = 0; off < bytes; off += PIECE) {
        int n = (int)(bytes - off < PIECE ? bytes - off : PIECE);
        if (send)
            mpi.isend((char *)buf + off, n, mpi.byte, peer, 0, mpi.comm, req++);
        else
            mpi.irecv((char *)buf + off, n, mpi.byte, peer, 0, mpi.comm, req++);
    }
}

void dist_exchange(const int *to, int n_to, const void *send, size_t send_bytes, int from,
                   void *recv, size_t recv_bytes)
{
    int n_req = n_to * pieces(send_bytes) + (from >= 0 ? pieces(recv_bytes) : 0);
    mpi_request *req = xcalloc((size_t)n_req + 1, sizeof *req);
    int k = 0;
    if (from >= 0) {
        post(0, recv, recv_bytes, from, req);
        k = pieces(recv_bytes);
    }
    for (int i = 0; i < n_to; i++, k += pieces(send_bytes))
        post(1, (void *)send, send_bytes, to[i], req + k);
    if (n_req) mpi.waitall(n_req, req, NULL);
    free(req);
}

void dist_allgather(const void *mine, size_t bytes, void *all)
{
    if (mpi.size == 1) {
        memmove(all, mine, bytes);
        return;
    }
    if (bytes > INT_MAX) abort(); /* callers gather a few numbers per rank */
    mpi.allgather(mine, (int)bytes, mpi.byte, all, (int)bytes, mpi.byte, mpi.comm);
}

void dist_max_ints(int *v, int n)
{
    if (mpi.size == 1) return;
    int *in = xmalloc((size_t)n * sizeof *in);
    memcpy(in, v, (size_t)n * sizeof *in);
    mpi.allreduce(in, v, n, mpi.int_type, mpi.op_max, mpi.comm);
    free(in);
}

void dist_broadcast(void *buf, size_t bytes, int root)
{
    if (mpi.size == 1) return;
    for (size_t off = 0; off < bytes; off += PIECE)
        mpi.bcast((char *)buf + off, (int)(bytes - off < PIECE ? bytes - off : PIECE), mpi.byte,
                  root, mpi.comm);
}

void dist_barrier(void)
{
    if (mpi.size > 1) mpi.barrier(mpi.comm);
}

void dist_abort(int code)
{
    if (mpi.size > 1) mpi.abort(mpi.comm, code);
    exit(code);
}
