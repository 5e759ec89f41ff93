/* Structured logging: one JSON object per line on stderr, written with a single write(2) so
 * lines from concurrent worker threads never interleave. */
#include "searchd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

double ofsd_now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void iso_now(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

static void emit(json_t *o)
{
    if (!o)
        return;
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!s)
        return;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return;
    }
    line[n] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n + 1);
    (void)w; /* nothing sensible to do when stderr is gone */
    free(line);
}

void ofsd_log_request(const ofsd_server *srv, const ofsd_request *rq, double duration_ms)
{
    char now[40];
    iso_now(now, sizeof now);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f}", "time", now, "level",
                          rq->status >= 500 ? "error" : "info", "method", rq->method, "route",
                          ofsd_route_name(rq->route), "status", rq->status, "duration_ms",
                          duration_ms);
    if (!o)
        return;
    if (rq->hits >= 0)
        json_object_set_new(o, "hits", json_integer(rq->hits));
    if (srv->cfg->log_queries && rq->q) {
        json_t *q = json_string(rq->q); /* NULL when the (truncated) text is not UTF-8 */
        if (q)
            json_object_set_new(o, "q", q);
    }
    emit(o);
}

void ofsd_log_event(const char *level, const char *event, const char *msg)
{
    char now[40];
    iso_now(now, sizeof now);
    json_t *o = json_pack("{s:s, s:s, s:s}", "time", now, "level", level, "event", event);
    if (o && msg) {
        json_t *m = json_string(msg);
        json_object_set_new(o, "message", m ? m : json_string("(message not UTF-8)"));
    }
    emit(o);
}
