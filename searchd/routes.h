/* ofsearchd's routes (routes.c): the paths it answers, each as an id with a name (the label in
 * metrics and request log lines) and what kind of answer it gets. A leaf: the server, the
 * endpoints, metrics and the log all read it, and it reads nothing. */
#ifndef OFSD_ROUTES_H
#define OFSD_ROUTES_H

typedef enum {
    OFSD_ROUTE_PAGE,
    OFSD_ROUTE_SEARCH,
    OFSD_ROUTE_SUGGEST,
    OFSD_ROUTE_STATS,
    OFSD_ROUTE_HEALTHZ,
    OFSD_ROUTE_READYZ,
    OFSD_ROUTE_METRICS,
    OFSD_ROUTE_OPENSEARCH,
    OFSD_ROUTE_DOC,
    /* Meilisearch's API (meili.c): search, multi-search, the index list and one index (its
     * stats, and the paths below it ofsearchd refuses), /stats, /health, /version, and the rest
     * of Meilisearch's top-level paths, which it refuses. */
    OFSD_ROUTE_MEILI_SEARCH,
    OFSD_ROUTE_MEILI_MULTI,
    OFSD_ROUTE_MEILI_INDEXES,
    OFSD_ROUTE_MEILI_STATS,
    OFSD_ROUTE_MEILI_HEALTH,
    OFSD_ROUTE_MEILI_VERSION,
    OFSD_ROUTE_MEILI_OTHER,
    OFSD_ROUTE_OTHER,
    OFSD_NROUTES
} ofsd_route;

/* The route of a decoded request path (without its query string). */
ofsd_route ofsd_route_of(const char *url);
/* "/api/search", …, "other". */
const char *ofsd_route_name(ofsd_route r);
/* 1 for the JSON APIs (/api/… and Meilisearch's), where CORS applies. */
int ofsd_route_is_api(ofsd_route r);
/* 1 for Meilisearch's routes (answered by meili.c, in its error format). */
int ofsd_route_is_meili(ofsd_route r);
/* 1 for routes that read a POST body (Meilisearch's search and multi-search). */
int ofsd_route_takes_body(ofsd_route r);
/* 1 for routes whose GET and HEAD (and POST, where it takes a body) read the index (search,
 * suggest, /doc/, Meilisearch's searches): a search worker answers them, not libmicrohttpd's
 * thread. */
int ofsd_route_on_worker(ofsd_route r);

#endif
