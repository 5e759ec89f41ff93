/* ofsearchd's metrics (metrics.c): request counters and latency histograms per route, kept with
 * relaxed atomics (no lock on the request path), rendered in Prometheus text format beside
 * gauges the caller reads at render time. A leaf but for the route names (routes.c). */
#ifndef OFSD_METRICS_H
#define OFSD_METRICS_H

#include "routes.h"

#include <stddef.h>

typedef struct ofsd_metrics ofsd_metrics;
/* NULL when out of memory. */
ofsd_metrics *ofsd_metrics_new(void);
void ofsd_metrics_free(ofsd_metrics *m);
/* A finished request: its route, status (0: none was sent) and seconds from start to end. */
void ofsd_metrics_observe(ofsd_metrics *m, ofsd_route r, int status, double seconds);

/* The state /metrics shows beside the counters, as the caller found it. */
typedef struct {
    int in_flight;                /* requests being handled */
    int connections;              /* open client connections */
    unsigned long inline_answers; /* suggestions answered on libmicrohttpd's thread */
    int index_up;                 /* the last load of the index answered */
    long documents, sections;
    double built_at;              /* epoch seconds; 0 unknown */
    unsigned generation;          /* the index generation the workers serve */
    unsigned long reloads, reload_failures;
} ofsd_gauges;

/* The /metrics body (malloc'd, *len bytes), or NULL when out of memory. */
char *ofsd_metrics_render(ofsd_metrics *m, const ofsd_gauges *g, size_t *len);

#endif
