/* The search workers' job queue (jobs.c): lock-free, FIFO, bounded. */
#ifndef OFSD_JOBS_H
#define OFSD_JOBS_H

#include <stddef.h>

typedef struct ofsd_jobs ofsd_jobs;
/* A queue for at least capacity jobs; NULL when out of memory. */
ofsd_jobs *ofsd_jobs_new(size_t capacity);
void ofsd_jobs_free(ofsd_jobs *q);
/* 0, or -1 when full. job must not be NULL. */
int ofsd_jobs_push(ofsd_jobs *q, void *job);
/* Waits for a job and takes it (in push order). */
void *ofsd_jobs_pop(ofsd_jobs *q);

#endif
