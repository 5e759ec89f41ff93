/* A Meilisearch search request read from outside (meili_request.c): a JSON body of POST
 * /indexes/{uid}/search or one query of POST /multi-search, or the query string of GET
 * /indexes/{uid}/search, checked field by field into one record, and the error Meilisearch
 * would answer for it. A leaf over the library's filter parser and jansson; no HTTP here, so
 * the fuzz target (tests/fuzz/fuzz_meili.c) drives it as the daemon does. */
#ifndef OFSD_MEILI_REQUEST_H
#define OFSD_MEILI_REQUEST_H

#include <ofsearch/filter.h>

#include <jansson.h>
#include <stddef.h>

/* The attributes of a hit, in the order a hit shows them: ofsearch's own, then DocSearch's. */
enum {
    MEILI_A_OBJECTID, MEILI_A_COLLECTION, MEILI_A_KIND, MEILI_A_PATH, MEILI_A_TITLE,
    MEILI_A_BREADCRUMB, MEILI_A_URL, MEILI_A_ANCHOR, MEILI_A_CONTENT, MEILI_A_TYPE,
    MEILI_A_LVL0, /* hierarchy_lvl0 … hierarchy_lvl6 follow */
    MEILI_NATTRS = MEILI_A_LVL0 + 7
};
#define MEILI_ALL_ATTRS ((1u << MEILI_NATTRS) - 1)
/* "objectID", "collection", …, "hierarchy_lvl6". */
const char *meili_attr_name(int a);

/* Meilisearch's defaults. */
#define MEILI_DEFAULT_LIMIT 20
#define MEILI_DEFAULT_CROP_LENGTH 10
#define MEILI_MAX_FACETS 8

typedef struct {
    char *index_uid;            /* multi-search: the query's indexUid (required there) */
    char *q;                    /* NULL: no q (a placeholder search) */
    size_t qlen;
    long offset, limit;         /* limit/offset pagination (default 0, 20) */
    int paged;                  /* page or hitsPerPage was given: page pagination */
    long page, hits_per_page;   /* default 1, 20 */
    ofs_filter *filter;         /* NULL: none */
    int facets[MEILI_MAX_FACETS]; /* facetable field indexes, each once */
    size_t nfacets;
    int facets_given;           /* facets was given (facetDistribution is answered, even {}) */
    unsigned retrieve;          /* attribute bits (MEILI_A_*) */
    unsigned highlight;
    unsigned crop;
    long crop_length;           /* cropLength, or content's own from "content:N" */
    char *pre_tag, *post_tag, *crop_marker;
    int show_matches_position;
    int all_words;              /* matchingStrategy "all" */
} meili_query;

/* What Meilisearch answers for a bad request: HTTP status, its error code ("invalid_search_q",
 * "bad_request", …; static) and a message. The type and link follow from the code. */
typedef struct {
    int status;
    const char *code;
    char message[640];
} meili_error;

/* The error's type: "invalid_request", "auth", "internal" or "system". */
const char *meili_error_type(const char *code);
/* Meilisearch's error object for e, {message, code, type, link}, as JSON text (malloc'd; NULL
 * when out of memory). Codes of Meilisearch's own link to its error page's entry for them;
 * ofsearch's codes (read_only_index, not_supported, …) to that page's top. */
char *meili_error_json(const meili_error *e);
/* The Meilisearch code for one of the daemon's own error codes (respond.c's): payload_too_large
 * for body_too_large, too_many_search_requests for overloaded, …; others unchanged. */
const char *meili_code_of(const char *ofsd_code);

void meili_query_init(meili_query *mq);
void meili_query_clear(meili_query *mq);

/* Reads a search request from a JSON object (multi: one query of /multi-search, which must
 * name its indexUid and may carry federationOptions). Unknown fields are errors (bad_request,
 * listing the known ones); fields ofsearch does not do (sort, distinct, vector, hybrid, …) are
 * errors with their own code saying so; wrong types and values are the field's invalid_search_*
 * code. where prefixes messages ("Inside `.queries[1]`: "); may be NULL. max_query_bytes bounds
 * q. 0, or -1 with *err filled and mq cleared. */
int meili_query_from_json(meili_query *mq, json_t *obj, int multi, const char *where,
                          size_t max_query_bytes, meili_error *err);
/* The same from a query string's decoded arguments (keys[i] = values[i], n of them): numbers,
 * booleans and comma-separated lists as text; filter as text, or as a JSON array when it parses
 * as one. */
int meili_query_from_args(meili_query *mq, const char *const *keys, const char *const *values,
                          size_t n, size_t max_query_bytes, meili_error *err);

/* Parses a request body (n bytes, any bytes) as JSON into *out (a new reference); malformed
 * payloads are errors as Meilisearch words them. */
int meili_parse_body(const char *body, size_t n, json_t **out, meili_error *err);

#endif
