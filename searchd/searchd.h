/* ofsearchd, the HTTP search daemon: a map of its files, and the two records passed down
 * through them (the shared state and a request). Nothing here is public API; the daemon is a
 * thin front end over include/ofsearch/ (no SQL, no parsing of documents).
 *
 * Who calls whom (an arrow is a call; nothing calls back up, so there is no circle):
 *
 *   main.c --+--> config.c      options, environment, --listen's address
 *            +--> served.c      load at startup; reload on SIGHUP or a changed index file
 *            +--> server.c --+--> config.c     the address to bind
 *                            +--> routes.c     a path's route (id, name, kind)
 *                            +--> jobs.c       the queue to the search workers
 *                            +--> worker.c     one view of the index per thread (new, free)
 *                            +--> served.c     libmicrohttpd's thread's searcher
 *                            +--> respond.c    refusals before routing (400, 413, 501, 503, 504)
 *                            +--> metrics.c    each finished request
 *                            +--> handlers.c --+--> worker.c --+--> served.c  the generation
 *                                              |               +--> docs.c    /doc/ links
 *                                              +--> served.c    /api/stats, /readyz, /metrics
 *                                              +--> docs.c      /doc/ pages (given an index)
 *                                              +--> metrics.c   the /metrics text
 *                                              +--> respond.c   every answer
 *                                              +--> meili.c --+--> meili_request.c  requests
 *                                                             +--> worker.c, served.c, docs.c,
 *                                                                  respond.c (as above)
 *   docs.c --> respond.c --> config.c (the CORS list), routes.c (which routes are the API),
 *                            meili_request.c (Meilisearch's error format on its routes)
 *   log.c (events, request lines, the clock) and jsonout.c (JSON text) are called from most
 *   files; log.c calls only routes.c (route names) and jsonout.c, metrics.c only routes.c.
 *   Leaves: config.c, routes.c, jobs.c, jsonout.c; meili_request.c calls only jsonout.c and the
 *   library's filter parser. served.c, worker.c, handlers.c, meili.c and docs.c are the files
 *   that call the library.
 *
 * A search walks down once: server.c (on_request: its route, then the queue) -> a search
 * worker (server.c answer_job) -> handlers.c (arguments) -> worker.c (the searcher) ->
 * ofs_search -> docs.c (/doc/ links) -> respond.c (the answer, left in the request) -> back on
 * libmicrohttpd's thread, server.c sends it (queue_pending).
 *
 * Each file's opening comment says what it owns; each module has its header (config.h,
 * routes.h, jobs.h, jsonout.h, log.h, metrics.h, served.h, worker.h, docs.h, respond.h,
 * handlers.h, meili.h, meili_request.h, server.h; assets.h declares the embedded pages). */
#ifndef OFSD_SEARCHD_H
#define OFSD_SEARCHD_H

#include "config.h"
#include "metrics.h"
#include "routes.h"
#include "served.h"

#include <ofsearch/search.h>

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>

/* What every thread shares. server.c owns it: fills it at start and keeps the counters; the
 * endpoints and respond.c are handed it and only read it. */
typedef struct {
    const ofsd_config *cfg;
    ofsd_served *served;          /* the index, its generation and snapshot (main.c's) */
    ofsd_metrics *metrics;
    int port;                     /* the bound port */
    atomic_int in_flight;         /* requests being handled */
    atomic_int connections;       /* open TCP connections */
    atomic_int draining;          /* shutting down: answers close their connection */
    atomic_ulong inline_answers;  /* suggestions answered without a worker */
} ofsd_state;

/* One request, from libmicrohttpd's first sight of it to its completion. server.c creates and
 * frees it; the endpoints fill hits and q, respond.c status and pending. */
typedef struct {
    double t0;               /* monotonic start, seconds */
    ofsd_route route;
    int status;              /* status queued, 0 while none */
    long hits;               /* hits returned, -1 when not a search */
    size_t body_bytes;
    int body_too_large;
    char *body;              /* a POST body the route reads (malloc'd, NUL-terminated), or NULL */
    size_t body_len;
    int counted;             /* in_flight was incremented */
    char method[8];
    char *q;                 /* query text for the log, with --log-queries */
    char *raw_uri;           /* the request target as sent, before MHD decodes it (malloc'd) */
    int begun;               /* begin_request ran */
    /* Requests that search go to a worker: the connection is suspended meanwhile, and the
     * response the worker made waits here until libmicrohttpd's thread queues it. */
    struct MHD_Connection *conn;
    int deferred;            /* a worker is handling it, or has */
    struct MHD_Response *pending;
    ofs_searcher *searcher;  /* answered on libmicrohttpd's thread: the searcher to use */
} ofsd_request;

#endif
