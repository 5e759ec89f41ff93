/* The route table: which request paths ofsearchd answers, and per route its name and kind. One
 * table, so a new endpoint is added in one place (then given a handler in handlers.c). */
#include "routes.h"

#include <string.h>

#define API 1u    /* JSON API: CORS applies */
#define WORKER 2u /* reads the index: answered by a search worker */

static const struct {
    const char *name; /* the label in metrics and log lines */
    unsigned kind;
} routes[OFSD_NROUTES] = {
    [OFSD_ROUTE_PAGE] = {"/", 0},
    [OFSD_ROUTE_SEARCH] = {"/api/search", API | WORKER},
    [OFSD_ROUTE_SUGGEST] = {"/api/suggest", API | WORKER},
    [OFSD_ROUTE_STATS] = {"/api/stats", API},
    [OFSD_ROUTE_HEALTHZ] = {"/healthz", 0},
    [OFSD_ROUTE_READYZ] = {"/readyz", 0},
    [OFSD_ROUTE_METRICS] = {"/metrics", 0},
    [OFSD_ROUTE_OPENSEARCH] = {"/opensearch.xml", 0},
    [OFSD_ROUTE_DOC] = {"/doc/", WORKER},
    [OFSD_ROUTE_OTHER] = {"other", 0},
};

/* Exact paths; "/doc/" is a prefix. */
static const struct {
    const char *path;
    ofsd_route route;
} paths[] = {
    {"/", OFSD_ROUTE_PAGE},
    {"/index.html", OFSD_ROUTE_PAGE},
    {"/api/search", OFSD_ROUTE_SEARCH},
    {"/api/suggest", OFSD_ROUTE_SUGGEST},
    {"/api/stats", OFSD_ROUTE_STATS},
    {"/healthz", OFSD_ROUTE_HEALTHZ},
    {"/readyz", OFSD_ROUTE_READYZ},
    {"/metrics", OFSD_ROUTE_METRICS},
    {"/opensearch.xml", OFSD_ROUTE_OPENSEARCH},
};

ofsd_route ofsd_route_of(const char *url)
{
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (strcmp(url, paths[i].path) == 0)
            return paths[i].route;
    if (strncmp(url, "/doc/", 5) == 0)
        return OFSD_ROUTE_DOC;
    return OFSD_ROUTE_OTHER;
}

const char *ofsd_route_name(ofsd_route r)
{
    return r < OFSD_NROUTES ? routes[r].name : "other";
}

int ofsd_route_is_api(ofsd_route r)
{
    return r < OFSD_NROUTES && (routes[r].kind & API);
}

int ofsd_route_on_worker(ofsd_route r)
{
    return r < OFSD_NROUTES && (routes[r].kind & WORKER);
}
