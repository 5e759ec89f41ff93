/* The route table: which request paths ofsearchd answers, and per route its name and kind. One
 * table, so a new endpoint is added in one place (then given a handler in handlers.c). */
#include "routes.h"

#include <string.h>

#define API 1u    /* JSON API: CORS applies */
#define WORKER 2u /* reads the index: answered by a search worker */
#define MEILI 4u  /* Meilisearch's API (meili.c) */
#define BODY 8u   /* reads a POST body */

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
    [OFSD_ROUTE_MEILI_SEARCH] = {"/indexes/{uid}/search", API | WORKER | MEILI | BODY},
    [OFSD_ROUTE_MEILI_MULTI] = {"/multi-search", API | WORKER | MEILI | BODY},
    [OFSD_ROUTE_MEILI_INDEXES] = {"/indexes", API | MEILI},
    [OFSD_ROUTE_MEILI_STATS] = {"/stats", API | MEILI},
    [OFSD_ROUTE_MEILI_HEALTH] = {"/health", API | MEILI},
    [OFSD_ROUTE_MEILI_VERSION] = {"/version", API | MEILI},
    [OFSD_ROUTE_MEILI_OTHER] = {"meilisearch-other", API | MEILI},
    [OFSD_ROUTE_OTHER] = {"other", 0},
};

/* Exact paths; "/doc/", "/indexes/" and Meilisearch's other paths are prefixes. */
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
    {"/multi-search", OFSD_ROUTE_MEILI_MULTI},
    {"/indexes", OFSD_ROUTE_MEILI_INDEXES},
    {"/stats", OFSD_ROUTE_MEILI_STATS},
    {"/health", OFSD_ROUTE_MEILI_HEALTH},
    {"/version", OFSD_ROUTE_MEILI_VERSION},
};

/* Meilisearch's other top-level paths (and what is below them): refused in its error format
 * rather than a plain 404, so a client says why. */
static const char *const meili_other[] = {
    "/keys", "/tasks", "/batches", "/dumps", "/snapshots", "/swap-indexes",
    "/experimental-features", "/network", "/export", "/webhooks", "/chats", "/logs",
};

/* 1 when url is prefix itself or below it ("/keys", "/keys/x"). */
static int at_or_below(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(url, prefix, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

/* "/indexes/{uid}/search", one plain segment for uid. */
static int is_index_search(const char *url)
{
    const char *uid = url + strlen("/indexes/"), *slash = strchr(uid, '/');
    return slash && slash > uid && strcmp(slash, "/search") == 0;
}

ofsd_route ofsd_route_of(const char *url)
{
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (strcmp(url, paths[i].path) == 0)
            return paths[i].route;
    if (strncmp(url, "/doc/", 5) == 0)
        return OFSD_ROUTE_DOC;
    if (strncmp(url, "/indexes/", 9) == 0)
        return is_index_search(url) ? OFSD_ROUTE_MEILI_SEARCH : OFSD_ROUTE_MEILI_INDEXES;
    for (size_t i = 0; i < sizeof meili_other / sizeof *meili_other; i++)
        if (at_or_below(url, meili_other[i]))
            return OFSD_ROUTE_MEILI_OTHER;
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

int ofsd_route_is_meili(ofsd_route r)
{
    return r < OFSD_NROUTES && (routes[r].kind & MEILI);
}

int ofsd_route_takes_body(ofsd_route r)
{
    return r < OFSD_NROUTES && (routes[r].kind & BODY);
}

int ofsd_route_on_worker(ofsd_route r)
{
    return r < OFSD_NROUTES && (routes[r].kind & WORKER);
}
