/* Structured logging: one JSON object per line on stderr (events, and one line per request),
 * written with a single write(2) so lines from concurrent worker threads never interleave; and
 * the clocks: monotonic for durations, UTC wall time for the lines' time stamps. */
#include "log.h"

#include "jsonout.h"

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

/* Written with the search response's JSON writer rather than a jansson tree: one line per
 * request is on every request's path. */
void ofsd_log_request(const char *method, ofsd_route route, int status, double duration_ms,
                      long hits, const char *q)
{
    char now[40];
    iso_now(now, sizeof now);
    ofs_buf w = {0};
    ofs_buf_puts(&w, "{\"time\":");
    ofsd_json_str(&w, now);
    ofs_buf_puts(&w, status >= 500 ? ",\"level\":\"error\",\"method\":"
                                   : ",\"level\":\"info\",\"method\":");
    ofsd_json_str(&w, method);
    ofs_buf_puts(&w, ",\"route\":");
    ofsd_json_str(&w, ofsd_route_name(route));
    ofs_buf_puts(&w, ",\"status\":");
    ofsd_json_int(&w, status);
    ofs_buf_puts(&w, ",\"duration_ms\":");
    ofsd_json_num(&w, duration_ms);
    if (hits >= 0) {
        ofs_buf_puts(&w, ",\"hits\":");
        ofsd_json_int(&w, hits);
    }
    /* A (truncated) query that is not UTF-8 is left out, as jansson would refuse it. */
    if (q && ofsd_valid_utf8(q, strlen(q))) {
        ofs_buf_puts(&w, ",\"q\":");
        ofsd_json_str(&w, q);
    }
    ofs_buf_puts(&w, "}\n");
    if (!w.oom) {
        ssize_t k = write(STDERR_FILENO, w.s, w.n);
        (void)k; /* nothing sensible to do when stderr is gone */
    }
    free(w.s);
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
