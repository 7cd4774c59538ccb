#include "train/ranks.h"

#include <stdlib.h>
#include <string.h>

#include "sys/dist.h"
#include "sys/util.h"

/* Buffers for the messages of one level: a page map, the present pages packed, the dense
 * rest (sent from where it lies). */
struct ranks_sum {
    unsigned char *their_written;
    float *send, *recv;
    double seconds, wait_seconds, bytes_sent;
};

ranks_sum *ranks_sum_new(size_t n_floats, size_t pages)
{
    ranks_sum *s = xcalloc(1, sizeof *s);
    s->their_written = xcalloc(pages + 1, 1);
    s->send = xmalloc((n_floats + 1) * sizeof(float));
    s->recv = xmalloc((n_floats + 1) * sizeof(float));
    return s;
}

void ranks_sum_free(ranks_sum *s)
{
    if (!s) return;
    free(s->their_written);
    free(s->send);
    free(s->recv);
    free(s);
}

/* Who a rank exchanges with at one level (blocks of `block` ranks): the rank it receives
 * the sibling block's sum from (-1: no sibling block) and those it sends its own to. */
typedef struct {
    int from;
    int n_to;
    int *to;
} level_peers;

static int block_start(int rank, int block) { return rank & ~(block - 1); }

/* Where `rank` takes the sibling block's sum: its partner, else the block's first rank. */
static int source_of(int rank, int block, int ranks)
{
    int sibling = block_start(rank, block) ^ block;
    if (sibling >= ranks) return -1;
    return (rank ^ block) < ranks ? rank ^ block : sibling;
}

static void peers_at(int rank, int block, int ranks, level_peers *p)
{
    p->from = source_of(rank, block, ranks);
    p->n_to = 0;
    int sibling = block_start(rank, block) ^ block;
    for (int q = sibling; q < sibling + block && q < ranks; q++)
        if (source_of(q, block, ranks) == rank) p->to[p->n_to++] = q;
}

static size_t count_pages(const unsigned char *written, size_t pages)
{
    size_t k = 0;
    for (size_t q = 0; q < pages; q++) k += written[q] != 0;
    return k;
}

static size_t pack_pages(const rank_gradient *g, float *out)
{
    size_t k = 0;
    for (size_t q = 0; q < g->pages; q++)
        if (g->written[q]) {
            memcpy(out + k, g->grad + q * g->page, g->page * sizeof *out);
            k += g->page;
        }
    return k;
}

static void add(float *restrict to, const float *restrict from, size_t n)
{
    for (size_t j = 0; j < n; j++) to[j] += from[j];
}

/* Adds the sibling block's packed sum into g: a page only one side has is taken as it is. */
static void unpack_add(rank_gradient *g, const unsigned char *their_written, const float *in)
{
    size_t sparse = g->pages * g->page;
    for (size_t q = 0; q < g->pages; q++) {
        if (!their_written[q]) continue;
        float *page = g->grad + q * g->page;
        if (g->written[q])
            add(page, in, g->page);
        else
            memcpy(page, in, g->page * sizeof *in);
        g->written[q] = 1;
        in += g->page;
    }
    add(g->grad + sparse, in, g->n - sparse);
}

double ranks_sum_seconds(const ranks_sum *s) { return s->seconds; }
double ranks_sum_wait_seconds(const ranks_sum *s) { return s->wait_seconds; }
double ranks_sum_bytes_sent(const ranks_sum *s) { return s->bytes_sent; }

void ranks_sum_gradient(ranks_sum *s, rank_gradient g)
{
    int rank = dist_rank(), ranks = dist_size();
    int to[ranks > 1 ? ranks : 1];
    level_peers p = {-1, 0, to};
    double t0 = now_seconds();
    dist_barrier(); /* apart, for the figures: the time the others' steps took longer */
    s->wait_seconds += now_seconds() - t0;
    for (int block = 1; block < ranks; block *= 2) {
        peers_at(rank, block, ranks, &p);
        if (p.from < 0) continue; /* no block beside this one at this level */
        size_t sparse = g.pages * g.page, dense = (g.n - sparse) * sizeof(float);
        dist_exchange(p.to, p.n_to, g.written, g.pages, p.from, s->their_written, g.pages);
        size_t sent = pack_pages(&g, s->send) * sizeof(float);
        size_t coming = count_pages(s->their_written, g.pages) * g.page * sizeof(float);
        dist_exchange(p.to, p.n_to, s->send, sent, p.from, s->recv, coming);
        dist_exchange(p.to, p.n_to, g.grad + sparse, dense, p.from, (char *)s->recv + coming, dense);
        unpack_add(&g, s->their_written, s->recv);
        s->bytes_sent += (double)p.n_to * (double)(g.pages + sent + dense);
    }
    s->seconds += now_seconds() - t0;
}
