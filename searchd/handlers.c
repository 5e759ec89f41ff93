/* The endpoints: what each route answers, and the dispatch of a routed request to its handler by
 * route and method. The API (/api/search, /api/suggest, /api/stats), operations (/healthz,
 * /readyz, /metrics), the embedded page (/, /opensearch.xml) and the /doc/ pages (docs.c draws
 * them). A handler checks its arguments, calls the library with the answering thread's view of
 * the index (worker.c) and answers through respond.c: JSON or a fixed document, or a JSON
 * {error:{code,message}} with a fitting status. */
#include "handlers.h"

#include "assets.h"
#include "docs.h"
#include "jsonout.h"
#include "log.h"
#include "meili.h"
#include "respond.h"

#include <ofsearch/ofsearch.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define SUGGEST_DEFAULT 8
#define SUGGEST_MAX 50

/* ---- request arguments ---- */

/* The decoded value of a query-string argument; 0 when absent. */
static int get_arg(struct MHD_Connection *c, const char *key, const char **v, size_t *n)
{
    *v = NULL;
    *n = 0;
    if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, key, strlen(key), v, n) != MHD_YES)
        return 0;
    if (!*v) {
        *v = "";
        *n = 0;
    }
    return 1;
}

/* Non-negative decimal integer argument in [lo, hi]; def when absent. -1 when malformed. */
static int get_int_arg(struct MHD_Connection *c, const char *key, long lo, long hi, long def,
                       long *out)
{
    const char *v;
    size_t n;
    if (!get_arg(c, key, &v, &n) || n == 0) {
        *out = def;
        return 0;
    }
    if (n > 9)
        return -1;
    long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)v[i]))
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    if (x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Reads and checks q: 0 ok; otherwise an error response was queued (*r holds its result). */
static int get_query(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq,
                     const char **q, size_t *qn, enum MHD_Result *r)
{
    get_arg(c, "q", q, qn);
    if (*qn > st->cfg->max_query_bytes) {
        char msg[96];
        snprintf(msg, sizeof msg, "query too long: at most %zu bytes", st->cfg->max_query_bytes);
        *r = ofsd_respond_error(st, c, rq, MHD_HTTP_URI_TOO_LONG, "query_too_long", msg);
        return -1;
    }
    if (!ofsd_valid_utf8(*q, *qn)) {
        *r = ofsd_respond_error(st, c, rq, MHD_HTTP_BAD_REQUEST, "invalid_query",
                                "q must be valid UTF-8 text without NUL bytes");
        return -1;
    }
    if (st->cfg->log_queries && *qn) {
        size_t cut = *qn < 512 ? *qn : 512;
        while (cut < *qn && ((unsigned char)(*q)[cut] & 0xC0) == 0x80)
            cut--; /* keep whole characters */
        rq->q = strndup(*q, cut);
    }
    return 0;
}

/* An optional text argument: valid UTF-8 and short, else an error was queued. */
static int get_text_arg(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq,
                        const char *key, char *buf, size_t size, enum MHD_Result *r)
{
    const char *v;
    size_t n;
    buf[0] = '\0';
    if (!get_arg(c, key, &v, &n))
        return 0;
    if (n >= size || !ofsd_valid_utf8(v, n)) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s must be UTF-8 text of at most %zu bytes", key, size - 1);
        *r = ofsd_respond_error(st, c, rq, MHD_HTTP_BAD_REQUEST, "invalid_argument", msg);
        return -1;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    return 0;
}

static enum MHD_Result bad_arg(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq,
                               const char *msg)
{
    return ofsd_respond_error(st, c, rq, MHD_HTTP_BAD_REQUEST, "invalid_argument", msg);
}

/* A library failure as an HTTP answer. */
static enum MHD_Result library_error(const ofsd_state *st, struct MHD_Connection *c,
                                     ofsd_request *rq, int rc, const char *err)
{
    const char *msg = err ? err : ofs_strerror(rc);
    switch (rc) {
    case OFS_TOOLONG:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_URI_TOO_LONG, "query_too_long", msg);
    case OFS_INVALID:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_BAD_REQUEST, "invalid_query", msg);
    case OFS_TIMEOUT:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_GATEWAY_TIMEOUT, "timeout", msg);
    default:
        ofsd_log_event("error", "search_failed", msg);
        return ofsd_respond_error(st, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                                  "the search failed; see the server log");
    }
}

static ofs_searcher *searcher_or_503(const ofsd_state *st, ofsd_worker *wk,
                                     struct MHD_Connection *c, ofsd_request *rq,
                                     enum MHD_Result *r)
{
    ofs_searcher *s = ofsd_worker_searcher(wk);
    /* The reason (a file path, SQLite's words) is for the operator: the log has it, and
     * /readyz, which load balancers ask, says it. */
    if (!s)
        *r = ofsd_respond_error(st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "index_unavailable",
                                "the index is not available; retry later");
    return s;
}

/* ---- endpoints ---- */

/* How this thread links hits to /doc/ pages, or NULL when those pages are off. */
static ofsd_doc_links *doc_links(const ofsd_state *st, ofsd_worker *wk)
{
    return st->cfg->no_doc_pages ? NULL : ofsd_worker_doc_links(wk);
}

/* One hit of the search response. */
static void hit_write(ofs_buf *w, const ofs_hit *h, ofsd_doc_links *links)
{
    char *doc = ofsd_doc_link_hit(links, h->collection, h->path, h->url);
    ofs_buf_puts(w, "{");
    ofsd_json_member_str(w, 1, "collection", h->collection);
    ofsd_json_member_str(w, 0, "path", h->path);
    ofsd_json_member_str(w, 0, "url", doc ? doc : h->url);
    ofsd_json_member_str(w, 0, "title", h->title);
    ofsd_json_member_str(w, 0, "breadcrumb", h->breadcrumb);
    ofsd_json_member_str(w, 0, "kind", h->kind);
    ofs_buf_puts(w, ",\"score\":");
    ofsd_json_num(w, h->score);
    ofsd_json_member_str(w, 0, "snippet", h->snippet);
    ofs_buf_puts(w, "}");
    free(doc);
}

static enum MHD_Result handle_search(const ofsd_state *st, ofsd_worker *wk,
                                     struct MHD_Connection *c, ofsd_request *rq)
{
    enum MHD_Result r = MHD_YES;
    const char *q;
    size_t qn;
    char collection[256], kind[16];
    long limit, offset, prefix;
    if (get_query(st, c, rq, &q, &qn, &r) ||
        get_text_arg(st, c, rq, "collection", collection, sizeof collection, &r) ||
        get_text_arg(st, c, rq, "kind", kind, sizeof kind, &r))
        return r;
    if (get_int_arg(c, "limit", 1, st->cfg->max_limit, 10, &limit)) {
        char msg[80];
        snprintf(msg, sizeof msg, "limit must be an integer from 1 to %d", st->cfg->max_limit);
        return bad_arg(st, c, rq, msg);
    }
    if (get_int_arg(c, "offset", 0, OFS_MAX_WINDOW - limit, 0, &offset)) {
        char msg[96];
        snprintf(msg, sizeof msg, "offset must be an integer from 0 to %ld (offset + limit at most %d)",
                 OFS_MAX_WINDOW - limit, OFS_MAX_WINDOW);
        return bad_arg(st, c, rq, msg);
    }
    if (get_int_arg(c, "prefix", 0, 1, 0, &prefix))
        return bad_arg(st, c, rq, "prefix must be 0 or 1");
    if (kind[0] && strcmp(kind, "page") && strcmp(kind, "section") && strcmp(kind, "term") &&
        strcmp(kind, "faq"))
        return bad_arg(st, c, rq, "kind must be one of page, section, term, faq");

    double t0 = ofsd_now_mono();
    ofs_results *res = NULL;
    char *err = NULL;
    int rc = OFS_OK;
    if (!blank(q, qn)) {
        ofs_searcher *s = searcher_or_503(st, wk, c, rq, &r);
        if (!s)
            return r;
        ofs_query_request req = {
            .q = q, .qlen = qn, .limit = (int)limit, .offset = (int)offset,
            .collection = collection[0] ? collection : NULL, .kind = kind[0] ? kind : NULL,
            .prefix = (int)prefix, .snippet_mode = OFS_SNIPPET_HTML,
        };
        rc = ofs_search(s, &req, &res, &err);
    }
    double took = (ofsd_now_mono() - t0) * 1000.0;
    if (rc != OFS_OK) {
        r = library_error(st, c, rq, rc, err);
        free(err);
        return r;
    }
    ofsd_doc_links *links = res && res->nhits ? doc_links(st, wk) : NULL;
    rq->hits = res ? (long)res->nhits : 0;
    ofs_buf w = {0};
    ofs_buf_puts(&w, "{\"query\":");
    ofsd_json_strn(&w, q, qn);
    ofs_buf_puts(&w, ",\"hits\":[");
    for (size_t i = 0; res && i < res->nhits; i++) {
        if (i)
            ofs_buf_puts(&w, ",");
        hit_write(&w, &res->hits[i], links);
    }
    ofs_buf_puts(&w, "],\"total\":");
    ofsd_json_int(&w, res ? res->total : 0);
    ofs_buf_puts(&w, res && res->relaxed ? ",\"relaxed\":true" : ",\"relaxed\":false");
    ofs_buf_puts(&w, ",\"did_you_mean\":");
    ofsd_json_str(&w, res ? res->did_you_mean : NULL);
    ofs_buf_puts(&w, ",\"offset\":");
    ofsd_json_int(&w, offset);
    ofs_buf_puts(&w, ",\"limit\":");
    ofsd_json_int(&w, limit);
    ofs_buf_puts(&w, ",\"took_ms\":");
    ofsd_json_num(&w, took);
    ofs_buf_puts(&w, "}");
    ofs_results_free(res);
    if (w.oom) {
        free(w.s);
        return MHD_NO;
    }
    return ofsd_queue(st, c, rq, MHD_HTTP_OK, ofsd_json_text_response(w.s, w.n));
}

static enum MHD_Result handle_suggest(const ofsd_state *st, ofsd_worker *wk,
                                      struct MHD_Connection *c, ofsd_request *rq)
{
    enum MHD_Result r = MHD_YES;
    const char *q;
    size_t qn;
    long limit;
    int maxl = st->cfg->max_limit < SUGGEST_MAX ? st->cfg->max_limit : SUGGEST_MAX;
    if (get_query(st, c, rq, &q, &qn, &r))
        return r;
    if (get_int_arg(c, "limit", 1, maxl, SUGGEST_DEFAULT < maxl ? SUGGEST_DEFAULT : maxl,
                    &limit)) {
        char msg[80];
        snprintf(msg, sizeof msg, "limit must be an integer from 1 to %d", maxl);
        return bad_arg(st, c, rq, msg);
    }
    double t0 = ofsd_now_mono();
    ofs_suggestions *sg = NULL;
    char *err = NULL;
    if (!blank(q, qn)) {
        ofs_searcher *s = rq->searcher ? rq->searcher : searcher_or_503(st, wk, c, rq, &r);
        if (!s)
            return r;
        int rc = ofs_suggest(s, q, qn, (int)limit, &sg, &err);
        if (rc != OFS_OK) {
            r = library_error(st, c, rq, rc, err);
            free(err);
            return r;
        }
    }
    json_t *items = json_array();
    ofsd_doc_links *links = sg && sg->n ? doc_links(st, wk) : NULL;
    for (size_t i = 0; sg && i < sg->n; i++) {
        const char *url = sg->urls[i];
        char *doc = ofsd_doc_link_hit(links, sg->collections[i], sg->paths[i], url);
        json_array_append_new(items, json_pack("{s:o, s:o, s:o}", "text", ofsd_jstr(sg->items[i]),
                                               "url", ofsd_jstr(doc ? doc : url), "collection",
                                               ofsd_jstr(sg->collections[i])));
        free(doc);
    }
    rq->hits = sg ? (long)sg->n : 0;
    ofs_suggestions_free(sg);
    json_t *body = json_pack("{s:s%, s:o, s:f}", "query", q, qn, "suggestions", items, "took_ms",
                             (ofsd_now_mono() - t0) * 1000.0);
    return ofsd_respond_json(st, c, rq, MHD_HTTP_OK, body);
}

static enum MHD_Result handle_stats(const ofsd_state *st, struct MHD_Connection *c,
                                    ofsd_request *rq)
{
    char *why = NULL, *body = ofsd_served_stats_json(st->served, &why);
    if (!body) {
        enum MHD_Result r = ofsd_respond_error(st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
                                               "index_unavailable", why ? why : "no index");
        free(why);
        return r;
    }
    return ofsd_queue(st, c, rq, MHD_HTTP_OK, ofsd_json_text_response(body, strlen(body)));
}

static enum MHD_Result handle_readyz(const ofsd_state *st, struct MHD_Connection *c,
                                     ofsd_request *rq)
{
    if (!ofsd_served_ok(st->served)) {
        char msg[300];
        ofsd_served_error(st->served, "index not loaded", msg, sizeof msg);
        return ofsd_respond_error(st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "not_ready", msg);
    }
    /* Answered on libmicrohttpd's thread, with the searcher the last reload opened and probed
     * (index_ok says that reload succeeded). */
    ofs_searcher *s = ofsd_served_http_searcher(st->served);
    if (!s)
        return ofsd_respond_error(st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "not_ready",
                                  "the index cannot be opened");
    ofs_query_request probe = {.q = "readyz", .limit = 1, .no_snippets = 1};
    ofs_results *res = NULL;
    char *err = NULL;
    long docs = 0, secs = 0;
    int rc = ofs_search(s, &probe, &res, &err);
    ofs_results_free(res);
    if (rc == OFS_OK)
        rc = ofs_searcher_counts(s, &docs, &secs);
    if (rc != OFS_OK) {
        enum MHD_Result r = ofsd_respond_error(st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
                                               "not_ready", err ? err : ofs_strerror(rc));
        free(err);
        return r;
    }
    json_t *body = json_pack("{s:s, s:I, s:I, s:I}", "status", "ready", "generation",
                             (json_int_t)ofsd_served_generation(st->served), "documents",
                             (json_int_t)docs, "sections", (json_int_t)secs);
    return ofsd_respond_json(st, c, rq, MHD_HTTP_OK, body);
}

static enum MHD_Result handle_metrics(const ofsd_state *st, struct MHD_Connection *c,
                                      ofsd_request *rq)
{
    ofsd_gauges g = {
        .in_flight = atomic_load(&st->in_flight),
        .connections = atomic_load(&st->connections),
        .inline_answers = atomic_load(&st->inline_answers),
    };
    ofsd_served_gauges(st->served, &g);
    size_t n;
    char *text = ofsd_metrics_render(st->metrics, &g, &n);
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp =
        ofsd_buffer_response(text, n, "text/plain; version=0.0.4; charset=utf-8");
    if (resp)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    return ofsd_queue(st, c, rq, MHD_HTTP_OK, resp);
}

static enum MHD_Result handle_page(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq)
{
    struct MHD_Response *resp =
        ofsd_static_response(ofsd_page_html, ofsd_page_html_len, "text/html; charset=utf-8");
    if (!resp)
        return MHD_NO;
    ofsd_html_headers(resp, ofsd_page_csp);
    return ofsd_queue(st, c, rq, MHD_HTTP_OK, resp);
}

static enum MHD_Result handle_opensearch(const ofsd_state *st, struct MHD_Connection *c,
                                         ofsd_request *rq)
{
    char origin[300];
    ofsd_public_origin(st, c, origin, sizeof origin);
    char *xml = NULL;
    int n = asprintf(&xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
                     "  <ShortName>ofsearch</ShortName>\n"
                     "  <Description>Search the documentation</Description>\n"
                     "  <InputEncoding>UTF-8</InputEncoding>\n"
                     "  <Url type=\"text/html\" method=\"get\" template=\"%s/?q={searchTerms}\"/>\n"
                     "  <Url type=\"application/json\" method=\"get\" "
                     "template=\"%s/api/search?q={searchTerms}\"/>\n"
                     "</OpenSearchDescription>\n",
                     origin, origin);
    if (n < 0)
        return MHD_NO;
    return ofsd_queue(st, c, rq, MHD_HTTP_OK,
                      ofsd_buffer_response(xml, (size_t)n,
                                           "application/opensearchdescription+xml; charset=utf-8"));
}

/* OPTIONS: a CORS preflight on the API, or a plain Allow answer. */
static enum MHD_Result handle_options(const ofsd_state *st, struct MHD_Connection *c,
                                      ofsd_request *rq)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *want = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Access-Control-Request-Method");
    struct MHD_Response *resp;
    if (origin && want && ofsd_route_is_api(rq->route)) {
        int any;
        if (!ofsd_config_origin_allowed(st->cfg, origin, &any))
            return ofsd_respond_error(st, c, rq, MHD_HTTP_FORBIDDEN, "cors_denied",
                                      "this origin is not allowed");
        if (strcmp(want, "GET") && strcmp(want, "HEAD"))
            return ofsd_respond_error(st, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
                                      "method_not_allowed", "only GET and HEAD are allowed");
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Content-Type");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
    }
    MHD_add_response_header(resp, "Allow", OFSD_ALLOW_METHODS);
    return ofsd_queue(st, c, rq, MHD_HTTP_NO_CONTENT, resp);
}

/* GET /doc/<collection>/<path>: the target is checked before the index is asked for. */
static enum MHD_Result handle_doc(const ofsd_state *st, ofsd_worker *wk,
                                  struct MHD_Connection *c, ofsd_request *rq)
{
    char *collection, *path;
    if (ofsd_doc_target(rq->raw_uri, &collection, &path) != 0)
        return ofsd_respond_error(st, c, rq, MHD_HTTP_BAD_REQUEST, "invalid_path",
                                  "expected /doc/<collection>/<path> with plain path segments");
    const char *why = NULL;
    ofs_index *idx = ofsd_worker_index(wk, &why);
    enum MHD_Result r;
    if (idx)
        r = ofsd_doc_respond(st, c, rq, idx, collection, path);
    else
        r = ofsd_respond_error(st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "index_unavailable",
                               why ? why : "the index is not available");
    free(collection);
    free(path);
    return r;
}

enum MHD_Result ofsd_handle_request(const ofsd_state *st, ofsd_worker *wk,
                                    struct MHD_Connection *c, ofsd_request *rq,
                                    const char *method)
{
    if (ofsd_route_is_meili(rq->route)) /* its own methods, preflight and error format */
        return ofsd_meili_handle(st, wk, c, rq, method);
    if (rq->route == OFSD_ROUTE_OTHER)
        return ofsd_respond_error(st, c, rq, MHD_HTTP_NOT_FOUND, "not_found", "no such path");
    if (strcmp(method, "OPTIONS") == 0)
        return handle_options(st, c, rq);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return ofsd_respond_error(st, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                                  "only GET, HEAD and OPTIONS are allowed");
    switch (rq->route) {
    case OFSD_ROUTE_PAGE:
        return handle_page(st, c, rq);
    case OFSD_ROUTE_SEARCH:
        return handle_search(st, wk, c, rq);
    case OFSD_ROUTE_SUGGEST:
        return handle_suggest(st, wk, c, rq);
    case OFSD_ROUTE_STATS:
        return handle_stats(st, c, rq);
    case OFSD_ROUTE_HEALTHZ:
        return ofsd_respond_json(st, c, rq, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
    case OFSD_ROUTE_READYZ:
        return handle_readyz(st, c, rq);
    case OFSD_ROUTE_METRICS:
        return handle_metrics(st, c, rq);
    case OFSD_ROUTE_OPENSEARCH:
        return handle_opensearch(st, c, rq);
    case OFSD_ROUTE_DOC:
        if (st->cfg->no_doc_pages)
            return ofsd_respond_error(st, c, rq, MHD_HTTP_NOT_FOUND, "not_found",
                                      "no such path");
        return handle_doc(st, wk, c, rq);
    default:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_NOT_FOUND, "not_found", "no such path");
    }
}
