/* ofsearchd internals: the configuration, the shared server state and the pieces (server, routes,
 * metrics, log) the daemon is cut into. Nothing here is public API; the daemon is a thin front end
 * over include/ofsearch/search.h. */
#ifndef OFSD_SEARCHD_H
#define OFSD_SEARCHD_H

#include <ofsearch/index.h>
#include <ofsearch/ofsearch.h>
#include <ofsearch/search.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "config.h"

#include "routes.h"
#include "metrics.h"
#include "served.h"
#include "jobs.h"

/* ---- the server (server.c) ---- */

typedef struct ofsd_server {
    const ofsd_config *cfg;
    ofsd_served *served;             /* the index, its generation and snapshot (main's) */
    ofsd_metrics *metrics;
    struct MHD_Daemon *mhd;
    int port;                        /* the bound port */
    pthread_key_t worker_key;        /* per-thread ofsd_worker (searcher) */

    atomic_int in_flight;            /* requests being handled */
    atomic_int connections;          /* open TCP connections */
    atomic_int draining;             /* shutting down: answers close their connection */

    ofsd_jobs *jobs;                 /* requests waiting for a search worker */
    pthread_t *workers;
    int nworkers;
    atomic_int workers_stopping;     /* set before the stop sentinels are queued */
    atomic_int pushing;              /* the HTTP thread is between that check and its push */

    /* libmicrohttpd's thread answers suggestions itself while the workers are idle. */
    double inline_since, inline_spent;    /* that thread's time budget (seconds): its only */
    atomic_int jobs_busy;                 /* requests queued for or on a worker */
    atomic_ulong inline_answers;          /* suggestions answered without a worker */
} ofsd_server;

/* Binds and starts the worker threads, serving the index served (which outlives the server).
 * Returns 0 or -1 with a message on stderr. */
int ofsd_server_start(ofsd_server *srv, const ofsd_config *cfg, ofsd_served *served);
/* Stops accepting, waits up to drain_ms for in-flight requests, stops the threads. */
void ofsd_server_stop(ofsd_server *srv, int drain_ms);

#include "jsonout.h"

/* ---- per-request state and the endpoints (handlers.c) ---- */

typedef struct {
    double t0;               /* monotonic start, seconds */
    ofsd_route route;
    int status;              /* status queued, 0 while none */
    long hits;               /* hits returned, -1 when not a search */
    size_t body_bytes;
    int body_too_large;
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

/* A response of n bytes at s (malloc'd: the response takes it, or frees it on failure) with
 * its Content-Type; NULL on OOM. */
struct MHD_Response *ofsd_buffer_response(char *s, size_t n, const char *type);
/* The headers every HTML page gets: its Content-Security-Policy, no framing, a strict referrer
 * policy, revalidation. */
void ofsd_html_headers(struct MHD_Response *resp, const char *csp);

/* Handles a complete request (headers read, body drained): queues exactly one response. */
enum MHD_Result ofsd_route_request(ofsd_server *srv, struct MHD_Connection *c, ofsd_request *rq,
                                   const char *url, const char *method);
/* Queues resp (destroyed here) with the common headers; NULL resp gives MHD_NO. */
enum MHD_Result ofsd_queue(ofsd_server *srv, struct MHD_Connection *c, ofsd_request *rq,
                           int status, struct MHD_Response *resp);
/* Queues a JSON error {error:{code,message}}. */
enum MHD_Result ofsd_respond_error(ofsd_server *srv, struct MHD_Connection *c, ofsd_request *rq,
                                   int status, const char *code, const char *message);

/* The calling worker thread's searcher for the current generation, reopening it if the index was
 * reloaded; NULL when no index can be opened (logged). When the newest index failed to open, the
 * older searcher is kept. */
ofs_searcher *ofsd_worker_searcher(ofsd_server *srv);

/* The calling worker thread's index handle for the current generation (for collections and
 * document sources), opened on first use; NULL with *why set when the index cannot be opened. */
ofs_index *ofsd_worker_index(ofsd_server *srv, const char **why);

/* ---- documents (docs.c): /doc/<collection>/<path> pages and the urls that lead to them ---- */

/* GET /doc/…: the collection's Markdown file rendered as a page (route OFSD_ROUTE_DOC). */
enum MHD_Result ofsd_handle_doc(ofsd_server *srv, struct MHD_Connection *c, ofsd_request *rq);

/* How hits of collections without a base URL are linked to /doc/ pages during one request. */
typedef struct ofsd_doc_links ofsd_doc_links;
/* NULL when doc pages are off, no collection lacks a base URL, or the index cannot be read:
 * urls are then left as they are. */
ofsd_doc_links *ofsd_doc_links_new(ofsd_server *srv);
void ofsd_doc_links_free(ofsd_doc_links *dl);
/* The calling worker's links for the current index generation (owned by the worker; the index
 * is read once per generation, not per request), or NULL. */
ofsd_doc_links *ofsd_worker_doc_links(ofsd_server *srv);
/* The /doc/ url for a search hit or a suggestion, or NULL to keep url (malloc'd). */
char *ofsd_doc_link_hit(ofsd_doc_links *dl, const char *collection, const char *path,
                        const char *url);

#include "log.h"

/* ---- misc ---- */

/* Embedded page (page_html.c, generated by embed.py). */
extern const char ofsd_page_html[];
extern const size_t ofsd_page_html_len;
extern const char ofsd_page_csp[];
/* The /doc/ page shell (doc_html.c, from doc.html): {{title}}, {{search}}, {{content}}. */
extern const char ofsd_doc_html[];
extern const size_t ofsd_doc_html_len;
extern const char ofsd_doc_csp[];

#endif
