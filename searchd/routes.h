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
    OFSD_ROUTE_OTHER,
    OFSD_NROUTES
} ofsd_route;

/* The route of a decoded request path (without its query string). */
ofsd_route ofsd_route_of(const char *url);
/* "/api/search", …, "other". */
const char *ofsd_route_name(ofsd_route r);
/* 1 for the JSON API (/api/…), where CORS applies. */
int ofsd_route_is_api(ofsd_route r);
/* 1 for routes whose GET and HEAD read the index (search, suggest, /doc/): a search worker
 * answers them, not libmicrohttpd's thread. */
int ofsd_route_on_worker(ofsd_route r);

#endif
