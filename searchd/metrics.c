/* Request metrics with C11 relaxed atomics (no lock on the request path) and their rendering in
 * the Prometheus text exposition format, together with the gauges the caller passes: the metric
 * names and labels scrapers know are defined here and only here. */
#include "metrics.h"

#include <ofsearch/ofsearch.h>

#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const int statuses[] = {200, 204, 400, 403, 404, 405, 413, 414, 431, 500, 503, 504};
#define NSTATUS (sizeof statuses / sizeof *statuses)
#define STATUS_OTHER NSTATUS /* anything else, including requests that got no response */

/* Upper bounds in seconds; sub-millisecond buckets because suggest aims under 2 ms. */
static const double buckets[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                 0.1,    0.25,  0.5,   1,     2.5,  5,    10};
#define NBUCKETS (sizeof buckets / sizeof *buckets)

struct ofsd_metrics {
    atomic_ulong requests[OFSD_NROUTES][NSTATUS + 1];
    atomic_ulong bucket[OFSD_NROUTES][NBUCKETS + 1]; /* last: +Inf */
    atomic_ullong sum_us[OFSD_NROUTES];
    double started;
};

ofsd_metrics *ofsd_metrics_new(void)
{
    ofsd_metrics *m = calloc(1, sizeof *m);
    if (m)
        m->started = (double)time(NULL);
    return m;
}

void ofsd_metrics_free(ofsd_metrics *m)
{
    free(m);
}

void ofsd_metrics_observe(ofsd_metrics *m, ofsd_route r, int status, double seconds)
{
    size_t si = STATUS_OTHER;
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            si = i;
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&m->requests[r][si], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bucket[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[r], (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
}

typedef struct {
    char *s;
    size_t n, cap;
    int failed;
} buf;

static void bprintf(buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)k;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void render_requests(buf *b, ofsd_metrics *m)
{
    bprintf(b, "# HELP ofsearchd_requests_total HTTP requests handled, by route and status.\n"
               "# TYPE ofsearchd_requests_total counter\n");
    for (int r = 0; r < OFSD_NROUTES; r++)
        for (size_t s = 0; s <= NSTATUS; s++) {
            unsigned long v = atomic_load_explicit(&m->requests[r][s], memory_order_relaxed);
            if (v == 0 && !(r == OFSD_ROUTE_SEARCH && s == 0))
                continue;
            if (s < NSTATUS)
                bprintf(b, "ofsearchd_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
                        ofsd_route_name(r), statuses[s], v);
            else
                bprintf(b, "ofsearchd_requests_total{route=\"%s\",status=\"other\"} %lu\n",
                        ofsd_route_name(r), v);
        }
    bprintf(b, "# HELP ofsearchd_request_duration_seconds Time from request start to response "
               "sent, by route.\n"
               "# TYPE ofsearchd_request_duration_seconds histogram\n");
    for (int r = 0; r < OFSD_NROUTES; r++) {
        unsigned long cum = 0;
        for (size_t i = 0; i <= NBUCKETS; i++) {
            cum += atomic_load_explicit(&m->bucket[r][i], memory_order_relaxed);
            if (i < NBUCKETS)
                bprintf(b, "ofsearchd_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                        ofsd_route_name(r), buckets[i], cum);
            else
                bprintf(b, "ofsearchd_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                        ofsd_route_name(r), cum);
        }
        unsigned long long us = atomic_load_explicit(&m->sum_us[r], memory_order_relaxed);
        bprintf(b, "ofsearchd_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                ofsd_route_name(r), (double)us / 1e6);
        bprintf(b, "ofsearchd_request_duration_seconds_count{route=\"%s\"} %lu\n",
                ofsd_route_name(r), cum);
    }
}

static void gauge(buf *b, const char *name, const char *help, const char *type, double v)
{
    bprintf(b, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

char *ofsd_metrics_render(ofsd_metrics *m, const ofsd_gauges *g, size_t *len)
{
    buf b = {malloc(16384), 0, 16384, 0};
    if (!b.s)
        return NULL;
    render_requests(&b, m);
    gauge(&b, "ofsearchd_requests_in_flight", "Requests being handled.", "gauge", g->in_flight);
    gauge(&b, "ofsearchd_connections", "Open client connections.", "gauge", g->connections);
    gauge(&b, "ofsearchd_suggest_inline_total",
          "Suggestions answered on the HTTP thread, without a worker hand-off.", "counter",
          (double)g->inline_answers);
    double now = (double)time(NULL);
    gauge(&b, "ofsearchd_index_up", "1 when the index opened and answered a probe query.",
          "gauge", g->index_up);
    gauge(&b, "ofsearchd_index_documents", "Documents in the index.", "gauge", g->documents);
    gauge(&b, "ofsearchd_index_sections", "Sections in the index.", "gauge", g->sections);
    gauge(&b, "ofsearchd_index_age_seconds", "Seconds since the index was built.", "gauge",
          g->built_at > 0 ? now - g->built_at : 0);
    gauge(&b, "ofsearchd_index_generation", "Index generation the workers serve.", "gauge",
          g->generation);
    gauge(&b, "ofsearchd_reloads_total", "Index reloads that succeeded.", "counter",
          (double)g->reloads);
    gauge(&b, "ofsearchd_reload_failures_total", "Index loads that failed.", "counter",
          (double)g->reload_failures);
    gauge(&b, "ofsearchd_start_time_seconds", "Start time of the daemon since the epoch.",
          "gauge", m->started);
    bprintf(&b, "# HELP ofsearchd_build_info Version of ofsearchd.\n"
                "# TYPE ofsearchd_build_info gauge\n"
                "ofsearchd_build_info{version=\"%s\",schema=\"%d\"} 1\n",
            OFS_VERSION, OFS_SCHEMA_VERSION);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    *len = b.n;
    return b.s;
}
