/* Making and queueing answers: responses from buffers, fixed documents and JSON, the headers
 * every answer gets (nosniff, CORS on the API, Retry-After on 503, Connection: close while
 * draining), and the JSON error body {error:{code,message}}. An answer made on a search worker
 * is left in the request record for libmicrohttpd's thread to send (server.c). */
#include "respond.h"

#include "jsonout.h"
#include "meili_request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string for library output; invalid UTF-8 (should not happen) becomes U+FFFD. */
json_t *ofsd_jstr(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    if (ofsd_valid_utf8(s, n))
        return json_stringn(s, n);
    char *buf = malloc(n * 3 + 1), *o = buf;
    if (!buf)
        return json_null();
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        while (len <= 4 && i + len <= n && !ofsd_valid_utf8(s + i, len))
            len++;
        if (len <= 4 && i + len <= n) {
            memcpy(o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(buf, (size_t)(o - buf));
    free(buf);
    return j;
}

struct MHD_Response *ofsd_buffer_response(char *s, size_t n, const char *type)
{
    struct MHD_Response *resp =
        s ? MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(s);
        return NULL;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    return resp;
}

struct MHD_Response *ofsd_static_response(const char *body, size_t n, const char *type)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (resp)
        MHD_add_response_header(resp, "Content-Type", type);
    return resp;
}

struct MHD_Response *ofsd_json_text_response(char *s, size_t n)
{
    struct MHD_Response *resp = ofsd_buffer_response(s, n, "application/json; charset=utf-8");
    if (resp)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    return resp;
}

static struct MHD_Response *json_response(json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(body);
    return s ? ofsd_json_text_response(s, strlen(s)) : NULL;
}

void ofsd_html_headers(struct MHD_Response *resp, const char *csp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
}

void ofsd_public_origin(const ofsd_state *st, struct MHD_Connection *c, char *buf, size_t size)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    const char *proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    const char *scheme = proto && strcmp(proto, "https") == 0 ? "https" : "http";
    size_t n = h ? strlen(h) : 0;
    int ok = n > 0 && n < 256;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)h[i]) || strchr(".-:[]", h[i]);
    if (ok)
        snprintf(buf, size, "%s://%s", scheme, h);
    else
        snprintf(buf, size, "%s://127.0.0.1:%d", scheme, st->port);
}

/* ---- queueing ---- */

/* CORS on API routes: echo the origin only when it is on the allow-list. */
static void add_cors(const ofsd_state *st, struct MHD_Connection *c, const ofsd_request *rq,
                     struct MHD_Response *resp)
{
    if (!ofsd_route_is_api(rq->route) || st->cfg->ncors == 0)
        return;
    MHD_add_response_header(resp, "Vary", "Origin");
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    int any;
    if (!origin || !ofsd_config_origin_allowed(st->cfg, origin, &any))
        return;
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", any ? "*" : origin);
}

enum MHD_Result ofsd_queue(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq,
                           int status, struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    add_cors(st, c, rq, resp);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (atomic_load_explicit(&st->draining, memory_order_relaxed))
        MHD_add_response_header(resp, "Connection", "close"); /* keep-alive would delay exit */
    rq->status = status;
    if (rq->deferred) { /* on a worker: libmicrohttpd's thread queues it when resumed */
        rq->pending = resp;
        return MHD_YES;
    }
    enum MHD_Result r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

enum MHD_Result ofsd_respond_json(const ofsd_state *st, struct MHD_Connection *c,
                                  ofsd_request *rq, int status, json_t *body)
{
    return ofsd_queue(st, c, rq, status, json_response(body));
}

enum MHD_Result ofsd_respond_error(const ofsd_state *st, struct MHD_Connection *c,
                                   ofsd_request *rq, int status, const char *code,
                                   const char *message)
{
    struct MHD_Response *resp;
    if (ofsd_route_is_meili(rq->route)) { /* Meilisearch's clients read its error format */
        meili_error e = {status, meili_code_of(code), ""};
        snprintf(e.message, sizeof e.message, "%s", message);
        char *s = meili_error_json(&e);
        resp = s ? ofsd_json_text_response(s, strlen(s)) : NULL;
    } else {
        json_t *body =
            json_pack("{s:{s:s, s:o}}", "error", "code", code, "message", ofsd_jstr(message));
        resp = json_response(body);
    }
    if (resp && status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, "Allow", OFSD_ALLOW_METHODS);
    if (resp && status == MHD_HTTP_SERVICE_UNAVAILABLE && strcmp(code, "overloaded") == 0)
        MHD_add_response_header(resp, "Connection", "close");
    return ofsd_queue(st, c, rq, status, resp);
}
