/* The search workers' job queue: one FIFO shared by every worker, so no core idles while a
 * request waits and requests are served in arrival order whatever connection they came on.
 * (libmicrohttpd's own thread pool gives each thread its connections for life: with 32 clients
 * the split is uneven, one thread's queue grows while the other core idles, and the slowest
 * decile of answers took twice as long as with one queue.) The queue is a bounded ring of
 * sequence-numbered slots (Dmitry Vyukov's MPMC design): pushing and popping are one
 * compare-and-swap each and take no lock; a semaphore counts the jobs so idle workers sleep. */
#include "jobs.h"

#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

struct ofsd_jobs {
    struct slot {
        atomic_size_t seq;
        void *job;
    } *slots;
    size_t mask;
    atomic_size_t head; /* next slot to fill */
    atomic_size_t tail; /* next slot to take */
    sem_t ready;        /* jobs pushed and not yet taken */
};

ofsd_jobs *ofsd_jobs_new(size_t capacity)
{
    size_t n = 2;
    while (n < capacity)
        n *= 2;
    ofsd_jobs *q = calloc(1, sizeof *q);
    if (!q || !(q->slots = calloc(n, sizeof *q->slots)) || sem_init(&q->ready, 0, 0) != 0) {
        if (q)
            free(q->slots);
        free(q);
        return NULL;
    }
    q->mask = n - 1;
    for (size_t i = 0; i < n; i++)
        atomic_init(&q->slots[i].seq, i);
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    return q;
}

void ofsd_jobs_free(ofsd_jobs *q)
{
    if (!q)
        return;
    sem_destroy(&q->ready);
    free(q->slots);
    free(q);
}

int ofsd_jobs_push(ofsd_jobs *q, void *job)
{
    size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
    struct slot *s;
    for (;;) {
        s = &q->slots[pos & q->mask];
        size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        intptr_t diff = (intptr_t)seq - (intptr_t)pos;
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return -1; /* full */
        } else {
            pos = atomic_load_explicit(&q->head, memory_order_relaxed);
        }
    }
    s->job = job;
    atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
    sem_post(&q->ready);
    return 0;
}

/* Takes one job without waiting; NULL when none is ready. */
static void *try_pop(ofsd_jobs *q)
{
    size_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
    struct slot *s;
    for (;;) {
        s = &q->slots[pos & q->mask];
        size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        intptr_t diff = (intptr_t)seq - (intptr_t)(pos + 1);
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (diff < 0) {
            return NULL; /* empty */
        } else {
            pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
        }
    }
    void *job = s->job;
    atomic_store_explicit(&s->seq, pos + q->mask + 1, memory_order_release);
    return job;
}

void *ofsd_jobs_pop(ofsd_jobs *q)
{
    while (sem_wait(&q->ready) != 0 && errno == EINTR)
        ;
    /* The count says a job is published; with several producers an earlier slot may still be
     * being filled, and FIFO order makes the taker wait for it: a moment, never a lost job. */
    void *job;
    while (!(job = try_pop(q)))
        sched_yield();
    return job;
}
