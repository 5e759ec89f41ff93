/* The MCP server's protocol: JSON-RPC 2.0 (parse error -32700, invalid request -32600, unknown
 * method -32601, invalid params -32602, unsupported protocol version -32022 with the versions
 * it speaks), the lifecycle of both eras — server/discover and a protocol version in each
 * request's _meta (2026-07-28), initialize/notifications/initialized (2025-11-25 and before) —
 * and the tools: `search` (query, collection, kind, filter, limit → hits with title,
 * breadcrumb, url, the section to read and a snippet) and `read_section` (a hit's url or
 * section → its Markdown). Tool failures an assistant can correct (bad arguments, nothing found)
 * are results with isError, as the protocol asks; protocol faults are JSON-RPC errors. */
#include "mcp.h"

#include "alloc.h"
#include "utf8.h"

#include "ofsearch/filter.h"
#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARSE_ERROR -32700
#define INVALID_REQUEST -32600
#define METHOD_NOT_FOUND -32601
#define INVALID_PARAMS -32602
#define INTERNAL_ERROR -32603
#define UNSUPPORTED_PROTOCOL_VERSION -32022

#define MODERN_VERSION "2026-07-28"
#define VERSION_KEY "io.modelcontextprotocol/protocolVersion"
static const char *const legacy_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                              "2024-11-05"};
#define NLEGACY (sizeof legacy_versions / sizeof *legacy_versions)

#define DEFAULT_HITS 8
#define MAX_HITS 50
#define MAX_QUERY_BYTES 1024
#define SECTION_MAX_BYTES (64 * 1024)

static const char instructions[] =
    "Search the documentation indexed by ofsearch. Call `search` with the user's question or "
    "its key words; each hit has a title, a breadcrumb, a url and a `section`. Call "
    "`read_section` with a hit's `section` (or url) to read that section's Markdown before "
    "answering, and cite the urls of the sections the answer comes from.";

struct mcp_server {
    ofs_searcher *searcher;
    ofs_index *index;
};

int mcp_server_open(const char *db, mcp_server **out, char **err)
{
    *out = NULL;
    mcp_server *m = ofsi_xcalloc(1, sizeof *m);
    if (db && (ofs_searcher_open(db, NULL, &m->searcher, err) != OFS_OK ||
               ofs_index_open(db, OFS_OPEN_READONLY, NULL, &m->index, err) != OFS_OK)) {
        mcp_server_close(m);
        return -1;
    }
    *out = m;
    return 0;
}

void mcp_server_close(mcp_server *m)
{
    if (!m)
        return;
    ofs_searcher_close(m->searcher);
    ofs_index_close(m->index);
    free(m);
}

/* ---- messages ------------------------------------------------------------------------------ */

static char *dump(json_t *msg)
{
    char *s = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    return s;
}

/* An error response; id NULL: null. data is taken (may be NULL). */
static char *error_response(json_t *id, int code, const char *message, json_t *data)
{
    json_t *err = json_pack("{s:i, s:s}", "code", code, "message", message);
    if (err && data)
        json_object_set_new(err, "data", data);
    else
        json_decref(data);
    return dump(json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                          "error", err));
}

static char *result_response(json_t *id, json_t *result)
{
    return dump(json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

char *mcp_oversized(size_t limit)
{
    char msg[96];
    snprintf(msg, sizeof msg, "Invalid Request: a message is at most %zu bytes", limit);
    return error_response(NULL, INVALID_REQUEST, msg, NULL);
}

static json_t *server_info(void)
{
    return json_pack("{s:s, s:s, s:s}", "name", "ofsearch", "title", "ofsearch documentation "
                     "search", "version", OFS_VERSION);
}

/* What a result of the modern era carries besides its own fields. */
static json_t *modern(json_t *result, int cacheable)
{
    json_object_set_new(result, "resultType", json_string("complete"));
    json_object_set_new(result, "_meta",
                        json_pack("{s:o}", "io.modelcontextprotocol/serverInfo", server_info()));
    if (cacheable) {
        json_object_set_new(result, "ttlMs", json_integer(0));
        json_object_set_new(result, "cacheScope", json_string("public"));
    }
    return result;
}

/* ---- the tools ----------------------------------------------------------------------------- */

static json_t *tools_list(void)
{
    return json_pack(
        "[{s:s, s:s, s:s, s:{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:[s,s,s,s], s:s},"
        " s:{s:s, s:s}, s:{s:s, s:i, s:i, s:i, s:s}}, s:[s], s:b}, s:{s:b, s:b}},"
        " {s:s, s:s, s:s, s:{s:s, s:{s:{s:s, s:s}}, s:[s], s:b}, s:{s:b, s:b}}]",
        "name", "search", "title", "Search the documentation", "description",
        "Full-text search of the indexed documentation. Returns the best sections, each with "
        "its title, breadcrumb, url, a snippet and a `section` to pass to read_section.",
        "inputSchema", "type", "object", "properties",
        "query", "type", "string", "description",
        "What to look for: words, \"a phrase\", -excluded, a OR b, prefix*",
        "collection", "type", "string", "description", "Only this collection",
        "kind", "type", "string", "enum", "page", "section", "term", "faq", "description",
        "Only sections of this kind",
        "filter", "type", "string", "description",
        "A Meilisearch filter on collection and kind, e.g. kind IN [term, faq]",
        "limit", "type", "integer", "minimum", 1, "maximum", MAX_HITS, "default", DEFAULT_HITS,
        "description", "How many hits (default 8)",
        "required", "query", "additionalProperties", 0,
        "annotations", "readOnlyHint", 1, "openWorldHint", 0,
        "name", "read_section", "title", "Read a section", "description",
        "The Markdown of one indexed section, from its heading to the next heading of its "
        "level: pass a search hit's `section` (collection:path#anchor) or its url.",
        "inputSchema", "type", "object", "properties", "section", "type", "string",
        "description", "A hit's section (collection:path#anchor or path#anchor) or url",
        "required", "section", "additionalProperties", 0,
        "annotations", "readOnlyHint", 1, "openWorldHint", 0);
}

/* A tool result: one text block, structured content (taken; may be NULL), an error flag. */
static json_t *tool_result(const char *text, json_t *structured, int is_error)
{
    json_t *r = json_pack("{s:[{s:s, s:s}]}", "content", "type", "text", "text", text);
    if (structured)
        json_object_set_new(r, "structuredContent", structured);
    if (is_error)
        json_object_set_new(r, "isError", json_true());
    return r;
}

static json_t *tool_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = ofsi_xvasprintf(fmt, ap);
    va_end(ap);
    json_t *r = tool_result(msg, NULL, 1);
    free(msg);
    return r;
}

/* How many bytes of a name from the request to quote in a message: at most max, never part of
 * a character (the answer must be UTF-8 for jansson to write it). */
static int quoted_len(const char *name, size_t max)
{
    return (int)ofsi_utf8_cut(name, strlen(name), max);
}

/* The reference read_section takes for a hit: collection:path#anchor. Malloc'd. */
static char *section_ref(const ofs_hit *h)
{
    const char *hash = strchr(h->url, '#');
    return ofsi_xasprintf("%s:%s%s", h->collection, h->path, hash ? hash : "");
}

static const char *const arg_names_search[] = {"query", "collection", "kind", "filter", "limit"};

/* 0 when args has only the names given, else the first other name. */
static const char *unknown_arg(json_t *args, const char *const *names, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach(args, key, v) {
        size_t i = 0;
        while (i < n && strcmp(key, names[i]))
            i++;
        if (i == n)
            return key;
    }
    return NULL;
}

static json_t *tool_search(mcp_server *m, json_t *args)
{
    const char *extra = unknown_arg(args, arg_names_search, 5);
    json_t *q = json_object_get(args, "query"), *coll = json_object_get(args, "collection"),
           *kind = json_object_get(args, "kind"), *filter = json_object_get(args, "filter"),
           *limit = json_object_get(args, "limit");
    if (extra)
        return tool_error("search takes query, collection, kind, filter and limit, not `%.*s`",
                          quoted_len(extra, 60), extra);
    if (!json_is_string(q) || !json_string_length(q))
        return tool_error("query must be a non-empty string");
    if (json_string_length(q) > MAX_QUERY_BYTES)
        return tool_error("query is longer than %d bytes", MAX_QUERY_BYTES);
    if ((coll && !json_is_string(coll)) || (kind && !json_is_string(kind)) ||
        (filter && !json_is_string(filter)))
        return tool_error("collection, kind and filter must be strings");
    if (kind && ofs_kind_parse(json_string_value(kind)) < 0)
        return tool_error("kind must be one of page, section, term, faq");
    json_int_t n = DEFAULT_HITS;
    if (limit) {
        if (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
            json_integer_value(limit) > MAX_HITS)
            return tool_error("limit must be an integer from 1 to %d", MAX_HITS);
        n = json_integer_value(limit);
    }
    if (!m->searcher)
        return tool_error("no index is open");
    ofs_filter *f = NULL;
    char *err = NULL;
    if (filter && ofs_filter_parse(json_string_value(filter), json_string_length(filter), &f,
                                   &err) != OFS_OK) {
        json_t *r = tool_error("filter: %s", err ? err : "invalid");
        free(err);
        return r;
    }
    ofs_query_request req = {.q = json_string_value(q), .qlen = json_string_length(q),
                             .limit = (int)n, .collection = coll ? json_string_value(coll) : NULL,
                             .kind = kind ? json_string_value(kind) : NULL, .filter = f,
                             .snippet_mode = OFS_SNIPPET_PLAIN};
    ofs_results *res = NULL;
    int rc = ofs_search(m->searcher, &req, &res, &err);
    ofs_filter_free(f);
    if (rc != OFS_OK) {
        json_t *r = tool_error("search failed: %s", err ? err : ofs_strerror(rc));
        free(err);
        return r;
    }
    json_t *hits = json_array();
    char *text = NULL;
    size_t tlen = 0;
    FILE *t = open_memstream(&text, &tlen);
    if (t && res->nhits == 0)
        fprintf(t, "No section matches \"%s\".%s%s%s\n", req.q,
                res->did_you_mean ? " Did you mean \"" : "",
                res->did_you_mean ? res->did_you_mean : "", res->did_you_mean ? "\"?" : "");
    else if (t)
        fprintf(t, "%zu of %ld%s matching sections for \"%s\"%s:\n", res->nhits, res->total,
                res->total >= OFS_TOTAL_CAP ? "+" : "", req.q,
                res->corrected ? " (spelling corrected)" : "");
    for (size_t i = 0; i < res->nhits; i++) {
        const ofs_hit *h = &res->hits[i];
        char *ref = section_ref(h);
        json_array_append_new(
            hits, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "title", h->title,
                            "breadcrumb", h->breadcrumb, "url", h->url, "section", ref,
                            "collection", h->collection, "kind", h->kind, "snippet", h->snippet));
        if (t)
            fprintf(t, "\n[%zu] %s — %s\n    section: %s\n    url: %s\n    %s\n", i + 1,
                    h->title, h->breadcrumb, ref, h->url, h->snippet);
        free(ref);
    }
    if (t)
        fclose(t);
    json_t *structured = json_pack("{s:s, s:I, s:o}", "query", req.q, "total",
                                   (json_int_t)res->total, "hits", hits);
    json_t *r = tool_result(text ? text : "", structured, 0);
    free(text);
    ofs_results_free(res);
    return r;
}

static json_t *tool_read_section(mcp_server *m, json_t *args)
{
    static const char *const names[] = {"section"};
    const char *extra = unknown_arg(args, names, 1);
    json_t *ref = json_object_get(args, "section");
    if (extra)
        return tool_error("read_section takes `section`, not `%.*s`", quoted_len(extra, 60),
                          extra);
    if (!json_is_string(ref) || !json_string_length(ref))
        return tool_error("section must be a hit's section (collection:path#anchor) or url");
    if (!m->index)
        return tool_error("no index is open");
    ofs_section_text s;
    char *err = NULL;
    int rc = ofs_index_read_section(m->index, json_string_value(ref), SECTION_MAX_BYTES, &s, &err);
    if (rc != OFS_OK) {
        json_t *r = tool_error("%s", err ? err : ofs_strerror(rc));
        free(err);
        return r;
    }
    char *section = ofsi_xasprintf("%s:%s%s%s", s.collection, s.path, *s.anchor ? "#" : "",
                                   s.anchor);
    json_t *structured = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "title", s.title,
                                   "section", section, "url", s.url, "collection", s.collection,
                                   "truncated", s.truncated, "markdown", s.markdown);
    json_t *r = tool_result(s.markdown, structured, 0);
    free(section);
    ofs_section_text_clear(&s);
    return r;
}

/* ---- the methods --------------------------------------------------------------------------- */

/* tools/call: unknown tools and a malformed call are protocol errors; the rest is the tool's. */
static char *call_tool(mcp_server *m, json_t *id, json_t *params, int is_modern)
{
    json_t *name = json_object_get(params, "name"), *args = json_object_get(params, "arguments");
    if (!json_is_string(name))
        return error_response(id, INVALID_PARAMS, "Invalid params: tools/call needs a name",
                              NULL);
    if (args && !json_is_object(args))
        return error_response(id, INVALID_PARAMS, "Invalid params: arguments must be an object",
                              NULL);
    json_t *empty = json_object();
    json_t *a = args ? args : empty, *r;
    if (!strcmp(json_string_value(name), "search"))
        r = tool_search(m, a);
    else if (!strcmp(json_string_value(name), "read_section"))
        r = tool_read_section(m, a);
    else {
        json_decref(empty);
        char msg[160];
        snprintf(msg, sizeof msg, "Unknown tool: %.*s", quoted_len(json_string_value(name), 100),
                 json_string_value(name));
        return error_response(id, INVALID_PARAMS, msg, NULL);
    }
    json_decref(empty);
    if (!r) /* jansson refused the result: a string in it is not UTF-8 */
        return error_response(id, INTERNAL_ERROR, "Internal error: the result is not UTF-8",
                              NULL);
    return result_response(id, is_modern ? modern(r, 0) : r);
}

static char *initialize(json_t *id, json_t *params)
{
    json_t *v = json_object_get(params, "protocolVersion");
    if (!json_is_string(v))
        return error_response(id, INVALID_PARAMS,
                              "Invalid params: initialize needs a protocolVersion", NULL);
    /* The client's version when this server speaks it, else the newest this server speaks: the
     * client then decides whether to go on. */
    const char *chosen = legacy_versions[0];
    for (size_t i = 0; i < NLEGACY; i++)
        if (!strcmp(json_string_value(v), legacy_versions[i]))
            chosen = legacy_versions[i];
    return result_response(id, json_pack("{s:s, s:{s:{s:b}}, s:o, s:s}", "protocolVersion",
                                         chosen, "capabilities", "tools", "listChanged", 0,
                                         "serverInfo", server_info(), "instructions",
                                         instructions));
}

static json_t *supported_versions(void)
{
    json_t *a = json_array();
    json_array_append_new(a, json_string(MODERN_VERSION));
    for (size_t i = 0; i < NLEGACY; i++)
        json_array_append_new(a, json_string(legacy_versions[i]));
    return a;
}

static char *dispatch(mcp_server *m, json_t *id, const char *method, json_t *params)
{
    /* The modern era: every request names its protocol version in _meta. */
    json_t *meta = json_object_get(params, "_meta");
    json_t *version = json_object_get(meta, VERSION_KEY);
    int is_modern = version != NULL;
    if (is_modern && (!json_is_string(version) ||
                      strcmp(json_string_value(version), MODERN_VERSION) != 0))
        return error_response(id, UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version",
                              json_pack("{s:o, s:O}", "supported", supported_versions(),
                                        "requested", version));
    if (!strcmp(method, "initialize"))
        return initialize(id, params);
    if (!strcmp(method, "ping"))
        return result_response(id, is_modern ? modern(json_object(), 0) : json_object());
    if (!strcmp(method, "server/discover"))
        return result_response(id, modern(json_pack("{s:o, s:{s:{s:b}}, s:s}",
                                                    "supportedVersions", supported_versions(),
                                                    "capabilities", "tools", "listChanged", 0,
                                                    "instructions", instructions),
                                          1));
    if (!strcmp(method, "tools/list")) {
        json_t *r = json_pack("{s:o}", "tools", tools_list());
        return result_response(id, is_modern ? modern(r, 1) : r);
    }
    if (!strcmp(method, "tools/call"))
        return call_tool(m, id, params, is_modern);
    char msg[160];
    snprintf(msg, sizeof msg, "Method not found: %.*s", quoted_len(method, 100), method);
    return error_response(id, METHOD_NOT_FOUND, msg, NULL);
}

char *mcp_handle(mcp_server *m, const char *line, size_t n)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == n)
        return NULL;
    json_error_t je;
    json_t *msg = json_loadb(line, n, 0, &je);
    if (!msg) {
        char text[240];
        snprintf(text, sizeof text, "Parse error: %s", je.text);
        return error_response(NULL, PARSE_ERROR, text, NULL);
    }
    if (json_is_array(msg)) {
        json_decref(msg);
        return error_response(NULL, INVALID_REQUEST,
                              "Invalid Request: MCP does not take JSON-RPC batches", NULL);
    }
    json_t *id = json_object_get(msg, "id"), *method = json_object_get(msg, "method"),
           *params = json_object_get(msg, "params");
    int id_ok = json_is_string(id) || json_is_integer(id);
    char *out = NULL;
    if (!json_is_object(msg) || !json_is_string(json_object_get(msg, "jsonrpc")) ||
        strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0 ||
        (id && !id_ok)) {
        out = error_response(id_ok ? id : NULL, INVALID_REQUEST,
                             "Invalid Request: not a JSON-RPC 2.0 message with a string or "
                             "integer id",
                             NULL);
    } else if (!method) {
        /* a response to a request this server never sends, or junk: nothing to answer unless
         * it has an id and is neither a result nor an error */
        if (id && !json_object_get(msg, "result") && !json_object_get(msg, "error"))
            out = error_response(id, INVALID_REQUEST, "Invalid Request: no method", NULL);
    } else if (!json_is_string(method)) {
        out = error_response(id_ok ? id : NULL, INVALID_REQUEST,
                             "Invalid Request: method must be a string", NULL);
    } else if (!id) {
        /* notifications (initialized, cancelled, …) are never answered */
    } else if (params && !json_is_object(params)) {
        out = error_response(id, INVALID_PARAMS, "Invalid params: params must be an object",
                             NULL);
    } else {
        out = dispatch(m, id, json_string_value(method), params);
    }
    json_decref(msg);
    return out;
}
