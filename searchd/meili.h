/* Meilisearch's API in ofsearchd (meili.c): the read side of Meilisearch (search, multi-search,
 * indexes, stats, health, version) answered from the served index, in Meilisearch's request
 * and response formats, its error objects and its API key; its write side refused. Below the
 * dispatch (handlers.c); it calls worker.c, served.c, docs.c, respond.c and the library. What
 * is supported and what differs: docs/meilisearch-compat.md. */
#ifndef OFSD_MEILI_H
#define OFSD_MEILI_H

#include "searchd.h"
#include "worker.h"

/* Answers a request on one of Meilisearch's routes (ofsd_route_is_meili): any method, OPTIONS
 * preflights included. Queues exactly one response, or returns MHD_NO when out of memory. */
enum MHD_Result ofsd_meili_handle(const ofsd_state *st, ofsd_worker *wk,
                                  struct MHD_Connection *c, ofsd_request *rq,
                                  const char *method);

#endif
