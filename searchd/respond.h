/* Making and queueing answers (respond.c): every response an endpoint or the server sends goes
 * through ofsd_queue, which adds the common headers. Below the endpoints; it reads the shared
 * state (the CORS list, whether the server is draining) and calls only config.c, routes.c,
 * jsonout.c and meili_request.c (errors on Meilisearch's routes are in its format). */
#ifndef OFSD_RESPOND_H
#define OFSD_RESPOND_H

#include "searchd.h"

#include <jansson.h>

/* The methods any route accepts (the Allow header of 405 and OPTIONS). */
#define OFSD_ALLOW_METHODS "GET, HEAD, OPTIONS"

/* A response of n bytes at s (malloc'd: the response takes it, or frees it on failure) with
 * its Content-Type; NULL on OOM (also when s is NULL). */
struct MHD_Response *ofsd_buffer_response(char *s, size_t n, const char *type);
/* A response of n bytes of a fixed document (not copied) with its Content-Type. */
struct MHD_Response *ofsd_static_response(const char *body, size_t n, const char *type);
/* A response of JSON text s (n bytes, malloc'd: the response takes it), not to be cached. */
struct MHD_Response *ofsd_json_text_response(char *s, size_t n);
/* The headers every HTML page gets: its Content-Security-Policy, no framing, a strict referrer
 * policy, revalidation. */
void ofsd_html_headers(struct MHD_Response *resp, const char *csp);
/* A JSON string for library output (NULL: null); invalid UTF-8 (should not happen) becomes
 * U+FFFD. */
json_t *ofsd_jstr(const char *s);

/* "scheme://host[:port]" clients reach this daemon at: the Host header if it looks like
 * host[:port] (else the bound address), https when X-Forwarded-Proto says so. */
void ofsd_public_origin(const ofsd_state *st, struct MHD_Connection *c, char *buf, size_t size);

/* Queues resp (destroyed here) with the common headers and records status in rq; on a search
 * worker (rq->deferred) leaves it in rq->pending instead. NULL resp gives MHD_NO. */
enum MHD_Result ofsd_queue(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq,
                           int status, struct MHD_Response *resp);
/* Queues body (a reference taken over; NULL: MHD_NO) as compact JSON. */
enum MHD_Result ofsd_respond_json(const ofsd_state *st, struct MHD_Connection *c,
                                  ofsd_request *rq, int status, json_t *body);
/* Queues a JSON error {error:{code,message}}. */
enum MHD_Result ofsd_respond_error(const ofsd_state *st, struct MHD_Connection *c,
                                   ofsd_request *rq, int status, const char *code,
                                   const char *message);

#endif
