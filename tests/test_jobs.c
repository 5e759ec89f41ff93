/* Tests for searchd/jobs.c, the search workers' queue: FIFO order, a full queue refuses, and
 * several consumers with a producer lose and duplicate nothing. */
#include "check.h"

#include "jobs.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define NJOBS 200000
#define NCONSUMERS 4

static ofsd_jobs *q;
static unsigned char seen[NJOBS + 1];
static int stop_token;

static void *consumer(void *arg)
{
    long *count = arg;
    for (;;) {
        void *job = ofsd_jobs_pop(q);
        if (job == &stop_token)
            return NULL;
        uintptr_t id = (uintptr_t)job;
        if (id >= 1 && id <= NJOBS)
            __atomic_add_fetch(&seen[id], 1, __ATOMIC_RELAXED);
        (*count)++;
    }
}

static void test_fifo_and_full(void)
{
    ofsd_jobs *f = ofsd_jobs_new(5); /* rounded up to 8 slots */
    CHECK(f != NULL);
    if (!f)
        return;
    int pushed = 0;
    while (ofsd_jobs_push(f, (void *)(uintptr_t)(pushed + 1)) == 0 && pushed < 100)
        pushed++;
    CHECK_MSG(pushed == 8, "capacity %d", pushed);
    for (int i = 1; i <= pushed; i++)
        CHECK((uintptr_t)ofsd_jobs_pop(f) == (uintptr_t)i);
    CHECK(ofsd_jobs_push(f, (void *)(uintptr_t)42) == 0); /* room again after taking */
    CHECK((uintptr_t)ofsd_jobs_pop(f) == 42);
    ofsd_jobs_free(f);
}

static void test_many_consumers(void)
{
    q = ofsd_jobs_new(64);
    CHECK(q != NULL);
    if (!q)
        return;
    pthread_t t[NCONSUMERS];
    long counts[NCONSUMERS] = {0};
    for (int i = 0; i < NCONSUMERS; i++)
        pthread_create(&t[i], NULL, consumer, &counts[i]);
    for (uintptr_t id = 1; id <= NJOBS; id++)
        while (ofsd_jobs_push(q, (void *)id) != 0)
            sched_yield(); /* full: the consumers are behind */
    for (int i = 0; i < NCONSUMERS; i++)
        while (ofsd_jobs_push(q, &stop_token) != 0)
            sched_yield();
    long total = 0;
    for (int i = 0; i < NCONSUMERS; i++) {
        pthread_join(t[i], NULL);
        total += counts[i];
    }
    CHECK_MSG(total == NJOBS, "%ld jobs taken of %d", total, NJOBS);
    int bad = 0;
    for (int id = 1; id <= NJOBS; id++)
        bad += seen[id] != 1;
    CHECK_MSG(bad == 0, "%d jobs lost or taken twice", bad);
    ofsd_jobs_free(q);
}

int main(void)
{
    test_fifo_and_full();
    test_many_consumers();
    return check_summary("jobs");
}
