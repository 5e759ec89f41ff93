/* ofsearchd's log (log.c): one JSON object per line on stderr, and the clocks its lines and the
 * request timings use. A leaf but for the route names (routes.c) and the JSON writer
 * (jsonout.c). */
#ifndef OFSD_LOG_H
#define OFSD_LOG_H

#include "routes.h"

/* Monotonic seconds, for durations and time budgets. */
double ofsd_now_mono(void);
/* One request's line. status 0: no response was sent; hits -1: not a search (left out); q: the
 * query text with --log-queries, else NULL (left out too when it is not UTF-8). */
void ofsd_log_request(const char *method, ofsd_route route, int status, double duration_ms,
                      long hits, const char *q);
/* level: "info", "warn", "error"; event: a short name; msg: free text (may be NULL). */
void ofsd_log_event(const char *level, const char *event, const char *msg);

#endif
