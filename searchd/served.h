/* The index ofsearchd serves (served.c): its generation, the snapshot of what it holds, the
 * reload that refreshes both, and the searcher each reload opens for libmicrohttpd's thread.
 * Below the endpoints and the workers, above the library only. */
#ifndef OFSD_SERVED_H
#define OFSD_SERVED_H

#include "config.h"
#include "metrics.h"

#include <ofsearch/search.h>

#include <stddef.h>

typedef struct ofsd_served ofsd_served;

/* The index cfg names (cfg must outlive it), not yet loaded: generation 1, not ok. NULL when
 * out of memory. */
ofsd_served *ofsd_served_new(const ofsd_config *cfg);
/* After every thread that searches has ended. */
void ofsd_served_free(ofsd_served *sv);

/* Loads the index on the calling thread (the main thread: only it reloads): reads its stats,
 * probes a query, publishes the snapshot and, if bump and it answered, a new generation, and
 * logs the outcome (reload, refresh or reload_failed, with why). Returns 0 when it answered. */
int ofsd_served_reload(ofsd_served *sv, int bump, const char *why);

/* Any thread. The generation workers should serve: they reopen when it moves. */
unsigned ofsd_served_generation(const ofsd_served *sv);
/* 1 when the last load answered. */
int ofsd_served_ok(const ofsd_served *sv);
/* The index file and the search settings every searcher opens with. */
const char *ofsd_served_db_path(const ofsd_served *sv);
const ofs_search_config *ofsd_served_search_config(const ofsd_served *sv);
/* The /api/stats body (malloc'd); NULL when the index is not ok, with *why (malloc'd; NULL when
 * out of memory) saying why. */
char *ofsd_served_stats_json(ofsd_served *sv, char **why);
/* Why the last load failed, or dflt, into buf (cut to size). */
void ofsd_served_error(ofsd_served *sv, const char *dflt, char *buf, size_t size);
/* Fills g's index fields: index_up, documents, sections, built_at, generation and the reload
 * counters. */
void ofsd_served_gauges(ofsd_served *sv, ofsd_gauges *g);

/* On libmicrohttpd's thread only: the searcher the latest reload opened and probed (NULL before
 * any index answered), closing the one it replaces. */
ofs_searcher *ofsd_served_http_searcher(ofsd_served *sv);

#endif
