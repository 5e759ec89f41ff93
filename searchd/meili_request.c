/* Reading a Meilisearch search request: every field Meilisearch knows is either done (q, paging,
 * filter, facets, attributesTo*, tags, crop, showMatchesPosition, matchingStrategy last/all),
 * accepted at the value that means "not used" (sort [], distinct null, retrieveVectors false,
 * showRankingScore false, …), or an error with the field's own code saying ofsearch does not do
 * it; a field Meilisearch does not know is bad_request, as in Meilisearch. Nothing is silently
 * ignored. A query string goes through the same checks after its text values are typed. */
#include "meili_request.h"

#include "jsonout.h"

#include <ofsearch/ofsearch.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const attr_names[MEILI_NATTRS] = {
    "objectID", "collection", "kind", "path", "title", "breadcrumb", "url", "anchor",
    "content", "type", "hierarchy_lvl0", "hierarchy_lvl1", "hierarchy_lvl2", "hierarchy_lvl3",
    "hierarchy_lvl4", "hierarchy_lvl5", "hierarchy_lvl6",
};

const char *meili_attr_name(int a)
{
    return a >= 0 && a < MEILI_NATTRS ? attr_names[a] : NULL;
}

const char *meili_error_type(const char *code)
{
    if (!strcmp(code, "missing_authorization_header") || !strcmp(code, "invalid_api_key"))
        return "auth";
    if (!strcmp(code, "internal"))
        return "internal";
    if (!strcmp(code, "too_many_search_requests") || !strcmp(code, "index_unavailable") ||
        !strcmp(code, "search_timeout"))
        return "system";
    return "invalid_request";
}

char *meili_error_json(const meili_error *e)
{
    static const char *const own[] = {"read_only_index", "not_supported", "index_unavailable",
                                      "search_timeout", "method_not_allowed", "cors_denied",
                                      "not_implemented"};
    int ours = 0;
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        ours |= strcmp(e->code, own[i]) == 0;
    /* Written with jsonout.c: a message quoting the client's bytes may hold invalid UTF-8,
     * which becomes U+FFFD there (jansson would refuse the whole object). */
    ofs_buf w = {0};
    ofs_buf_puts(&w, "{\"message\":");
    ofsd_json_strn(&w, e->message, strnlen(e->message, sizeof e->message));
    ofs_buf_puts(&w, ",\"code\":");
    ofsd_json_str(&w, e->code);
    ofs_buf_puts(&w, ",\"type\":");
    ofsd_json_str(&w, meili_error_type(e->code));
    ofs_buf_puts(&w, ",\"link\":\"https://docs.meilisearch.com/errors");
    if (!ours) {
        ofs_buf_puts(&w, "#");
        ofs_buf_puts(&w, e->code);
    }
    ofs_buf_puts(&w, "\"}");
    return ofs_buf_take(&w);
}

const char *meili_code_of(const char *code)
{
    static const char *const map[][2] = {
        {"body_too_large", "payload_too_large"},
        {"overloaded", "too_many_search_requests"},
        {"timeout", "search_timeout"},
        {"query_too_long", "invalid_search_q"},
        {"internal", "internal"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(code, map[i][0]) == 0)
            return map[i][1];
    return code;
}

void meili_query_init(meili_query *mq)
{
    memset(mq, 0, sizeof *mq);
    mq->limit = MEILI_DEFAULT_LIMIT;
    mq->page = 1;
    mq->hits_per_page = MEILI_DEFAULT_LIMIT;
    mq->retrieve = MEILI_ALL_ATTRS;
    mq->crop_length = MEILI_DEFAULT_CROP_LENGTH;
}

void meili_query_clear(meili_query *mq)
{
    free(mq->index_uid);
    free(mq->q);
    ofs_filter_free(mq->filter);
    free(mq->pre_tag);
    free(mq->post_tag);
    free(mq->crop_marker);
    meili_query_init(mq);
}

/* ---- errors -------------------------------------------------------------------------------- */

typedef struct {
    meili_error *err;
    const char *where;   /* "Inside `.queries[1]`: " or "" */
    int from_args;       /* values came from a query string: messages name parameters */
} ctx;

static int fail(const ctx *c, int status, const char *code, const char *fmt, ...)
{
    char msg[560];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->err->status = status;
    c->err->code = code;
    snprintf(c->err->message, sizeof c->err->message, "%s%s", c->where, msg);
    return -1;
}

/* A JSON value's kind and a short rendering of it, for "found a string: `"x"`". */
static void describe(json_t *v, char *buf, size_t size)
{
    const char *kind = json_is_string(v)  ? "a string"
                       : json_is_integer(v) || json_is_real(v) ? "a number"
                       : json_is_boolean(v) ? "a boolean"
                       : json_is_array(v)   ? "an array"
                       : json_is_object(v)  ? "an object"
                                            : "null";
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(buf, size, "%s: `%.120s%s`", kind, text ? text : "?",
             text && strlen(text) > 120 ? "…" : "");
    free(text);
}

/* Returns -1 itself rather than fail()'s value: clang's analyzer does not follow the variadic
 * fail(), and took these errors for values read. */
static int type_error(const ctx *c, const char *field, const char *code, const char *expected,
                      json_t *v)
{
    char found[200];
    if (c->from_args && json_is_string(v)) {
        fail(c, 400, code, "Invalid value in parameter `%s`: could not parse `%.120s` as %s.",
             field, json_string_value(v), expected);
        return -1;
    }
    describe(v, found, sizeof found);
    fail(c, 400, code, "Invalid value type at `.%s`: expected %s, but found %s", field, expected,
         found);
    return -1;
}

/* ---- typed values -------------------------------------------------------------------------- */

/* A non-negative integer (a decimal string from a query string). */
static int get_uint(const ctx *c, json_t *v, const char *field, const char *code, long *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        json_int_t x = json_integer_value(v);
        *out = x > 1000000000 ? 1000000000 : (long)x;
        return 0;
    }
    if (c->from_args && json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        unsigned long long x = strtoull(s, &end, 10);
        if (*s && isdigit((unsigned char)*s) && !*end && !errno) {
            *out = x > 1000000000ULL ? 1000000000L : (long)x;
            return 0;
        }
    }
    return type_error(c, field, code, "a positive integer", v);
}

static int get_bool(const ctx *c, json_t *v, const char *field, const char *code, int *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (c->from_args && json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strcmp(s, "true") || !strcmp(s, "false")) {
            *out = s[0] == 't';
            return 0;
        }
    }
    return type_error(c, field, code, "a boolean", v);
}

/* A string (NULL for null when nullable). */
static int get_string(const ctx *c, json_t *v, const char *field, const char *code,
                      int nullable, char **out)
{
    if (nullable && json_is_null(v)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return type_error(c, field, code, "a string", v);
    char *s = strndup(json_string_value(v), json_string_length(v));
    if (!s) {
        fail(c, 500, "internal", "out of memory");
        return -1;
    }
    free(*out);
    *out = s;
    return 0;
}

/* A list of strings: a JSON array of strings, or a comma-separated query-string value. Calls
 * each(name, len) per item; 0, or -1 after an error. */
typedef int (*item_fn)(const ctx *c, void *arg, const char *s, size_t n);

static int each_item(const ctx *c, json_t *v, const char *field, const char *code, item_fn fn,
                     void *arg)
{
    if (c->from_args && json_is_string(v)) {
        const char *s = json_string_value(v);
        while (*s) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            while (n && isspace((unsigned char)*s))
                s++, n--;
            while (n && isspace((unsigned char)s[n - 1]))
                n--;
            if (n && fn(c, arg, s, n) != 0)
                return -1;
            s = e ? e + 1 : s + strlen(s);
        }
        return 0;
    }
    if (!json_is_array(v))
        return type_error(c, field, code, "an array", v);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item)) {
            char f[64];
            snprintf(f, sizeof f, "%s[%zu]", field, i);
            return type_error(c, f, code, "a string", item);
        }
        if (fn(c, arg, json_string_value(item), json_string_length(item)) != 0)
            return -1;
    }
    return 0;
}

/* ---- the fields ---------------------------------------------------------------------------- */

static int attr_item(const ctx *c, void *arg, const char *s, size_t n)
{
    (void)c;
    unsigned *bits = arg;
    if (n == 1 && *s == '*') {
        *bits = MEILI_ALL_ATTRS;
        return 0;
    }
    /* Unknown names select nothing, as in Meilisearch (a document may lack any attribute). */
    for (int a = 0; a < MEILI_NATTRS; a++)
        if (strlen(attr_names[a]) == n && !memcmp(attr_names[a], s, n))
            *bits |= 1u << a;
    return 0;
}

typedef struct {
    meili_query *mq;
} crop_arg;

/* attributesToCrop items: "name" or "name:length" (content's length overrides cropLength). */
static int crop_item(const ctx *c, void *arg, const char *s, size_t n)
{
    meili_query *mq = ((crop_arg *)arg)->mq;
    const char *colon = memchr(s, ':', n);
    size_t nn = colon ? (size_t)(colon - s) : n;
    if (colon) {
        char num[16];
        size_t k = n - nn - 1;
        if (k == 0 || k >= sizeof num)
            return fail(c, 400, "invalid_search_attributes_to_crop",
                        "Invalid crop length in `attributesToCrop`: `%.*s`.", (int)n, s);
        memcpy(num, colon + 1, k);
        num[k] = '\0';
        char *end;
        long len = strtol(num, &end, 10);
        if (*end || len < 0 || !isdigit((unsigned char)num[0]))
            return fail(c, 400, "invalid_search_attributes_to_crop",
                        "Invalid crop length in `attributesToCrop`: `%.*s`.", (int)n, s);
        if ((nn == 7 && !memcmp(s, "content", 7)) || (nn == 1 && *s == '*'))
            mq->crop_length = len > 1000 ? 1000 : len;
    }
    return attr_item(c, &mq->crop, s, nn);
}

static int facet_item(const ctx *c, void *arg, const char *s, size_t n)
{
    meili_query *mq = arg;
    if (n == 1 && *s == '*') {
        mq->nfacets = 0;
        for (size_t i = 0; i < ofs_facet_field_count() && i < MEILI_MAX_FACETS; i++)
            mq->facets[mq->nfacets++] = (int)i;
        return 0;
    }
    int f = ofs_facet_field_find(s, n);
    if (f < 0)
        return fail(c, 400, "invalid_search_facets",
                    "Invalid facet distribution: Attribute `%.*s` is not filterable. Available "
                    "filterable attributes are: `collection, kind`.",
                    (int)(n > 100 ? 100 : n), s);
    for (size_t i = 0; i < mq->nfacets; i++)
        if (mq->facets[i] == f)
            return 0;
    if (mq->nfacets < MEILI_MAX_FACETS)
        mq->facets[mq->nfacets++] = f;
    return 0;
}

/* One filter string into a tree; NULL for a blank one. */
static int filter_text(const ctx *c, const char *s, size_t n, ofs_filter **out)
{
    char *why = NULL;
    if (ofs_filter_parse(s, n, out, &why) == OFS_OK)
        return 0;
    fail(c, 400, "invalid_search_filter", "%s", why ? why : "invalid filter");
    free(why);
    return -1;
}

/* filter: a string, or an array of strings and arrays of strings (outer AND, inner OR). */
static int get_filter(const ctx *c, json_t *v, meili_query *mq)
{
    ofs_filter_free(mq->filter); /* a query string may repeat it: the last one counts */
    mq->filter = NULL;
    if (json_is_null(v))
        return 0;
    if (json_is_string(v))
        return filter_text(c, json_string_value(v), json_string_length(v), &mq->filter);
    if (!json_is_array(v))
        return fail(c, 400, "invalid_search_filter",
                    "Invalid syntax for the filter parameter: `expected String, Array, found: "
                    "%s`.",
                    json_is_object(v) ? "Object" : json_is_boolean(v) ? "Bool" : "Number");
    size_t n = json_array_size(v), i;
    ofs_filter **and_parts = calloc(n ? n : 1, sizeof *and_parts);
    if (!and_parts)
        return fail(c, 500, "internal", "out of memory");
    int rc = 0;
    json_t *item;
    json_array_foreach(v, i, item) {
        if (rc)
            break;
        if (json_is_string(item)) {
            rc = filter_text(c, json_string_value(item), json_string_length(item),
                             &and_parts[i]);
        } else if (json_is_array(item)) {
            size_t m = json_array_size(item), k;
            ofs_filter **or_parts = calloc(m ? m : 1, sizeof *or_parts);
            json_t *inner;
            if (!or_parts)
                rc = fail(c, 500, "internal", "out of memory");
            json_array_foreach(item, k, inner) {
                if (rc)
                    break;
                if (!json_is_string(inner))
                    rc = fail(c, 400, "invalid_search_filter",
                              "Invalid syntax for the filter parameter: `expected String, "
                              "found: %s`.",
                              json_is_array(inner) ? "Array (filters nest two arrays deep at "
                                                     "most)"
                                                   : "a value that is not a string");
                else
                    rc = filter_text(c, json_string_value(inner), json_string_length(inner),
                                     &or_parts[k]);
            }
            if (or_parts && (rc || ofs_filter_group(OFS_FILTER_OR, or_parts, m,
                                                    &and_parts[i]) != 0)) {
                if (!rc) /* the group freed the parts */
                    rc = fail(c, 500, "internal", "out of memory");
                else
                    for (size_t j = 0; j < m; j++)
                        ofs_filter_free(or_parts[j]);
            }
            free(or_parts);
        } else {
            rc = fail(c, 400, "invalid_search_filter",
                      "Invalid syntax for the filter parameter: `expected String, Array, found: "
                      "%s`.",
                      json_is_object(item) ? "Object" : "a value that is not a string");
        }
    }
    if (rc) {
        for (size_t j = 0; j < n; j++)
            ofs_filter_free(and_parts[j]);
    } else if (ofs_filter_group(OFS_FILTER_AND, and_parts, n, &mq->filter) != 0) {
        rc = fail(c, 500, "internal", "out of memory");
    }
    free(and_parts);
    return rc;
}

/* A field ofsearch accepts only at the value that means it is not used. */
static int not_done(const ctx *c, const char *field, const char *code, const char *why)
{
    return fail(c, 400, code, "ofsearch does not support `%s`: %s", field, why);
}

/* The fields Meilisearch's search takes, for the unknown-field message, in its order. */
static const char *const known[] = {
    "q", "vector", "media", "hybrid", "offset", "limit", "page", "hitsPerPage",
    "attributesToRetrieve", "retrieveVectors", "attributesToCrop", "cropLength",
    "attributesToHighlight", "showMatchesPosition", "showRankingScore",
    "showRankingScoreDetails", "showPerformanceDetails", "filter", "sort", "distinct", "facets",
    "highlightPreTag", "highlightPostTag", "cropMarker", "matchingStrategy",
    "attributesToSearchOn", "rankingScoreThreshold", "locales", "personalize",
};
#define NKNOWN (sizeof known / sizeof *known)

static int unknown_field(const ctx *c, const char *key, int multi)
{
    char list[1200] = "";
    size_t used = 0;
    if (multi)
        used += (size_t)snprintf(list, sizeof list, "`indexUid`, ");
    for (size_t i = 0; i < NKNOWN && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s`%s`", i ? ", " : "",
                                 known[i]);
    if (multi && used < sizeof list)
        snprintf(list + used, sizeof list - used, ", `federationOptions`");
    return fail(c, 400, "bad_request", "Unknown %s `%.80s`: expected one of %s",
                c->from_args ? "parameter" : "field", key, list);
}

/* A field whose only accepted values are null, false or an empty array. */
static int unused_value(json_t *v, int from_args)
{
    if (json_is_null(v) || json_is_false(v) || (json_is_array(v) && !json_array_size(v)))
        return 1;
    return from_args && json_is_string(v) &&
           (!strcmp(json_string_value(v), "false") || !*json_string_value(v));
}

static int read_field(const ctx *c, meili_query *mq, const char *key, json_t *v, int multi,
                      size_t max_query_bytes)
{
    int b = 0;
    if (!strcmp(key, "q")) {
        if (get_string(c, v, "q", "invalid_search_q", 1, &mq->q))
            return -1;
        mq->qlen = mq->q ? strlen(mq->q) : 0;
        if (mq->qlen > max_query_bytes)
            return fail(c, 400, "invalid_search_q",
                        "The query `q` is %zu bytes long; ofsearchd takes at most %zu.",
                        mq->qlen, max_query_bytes);
        if (mq->q && !ofsd_valid_utf8(mq->q, mq->qlen))
            return fail(c, 400, "invalid_search_q", "The query `q` is not valid UTF-8 text.");
        return 0;
    }
    if (!strcmp(key, "offset"))
        return get_uint(c, v, "offset", "invalid_search_offset", &mq->offset);
    if (!strcmp(key, "limit"))
        return get_uint(c, v, "limit", "invalid_search_limit", &mq->limit);
    if (!strcmp(key, "page")) {
        mq->paged = 1;
        return json_is_null(v) ? 0 : get_uint(c, v, "page", "invalid_search_page", &mq->page);
    }
    if (!strcmp(key, "hitsPerPage")) {
        mq->paged = 1;
        return json_is_null(v) ? 0
                               : get_uint(c, v, "hitsPerPage", "invalid_search_hits_per_page",
                                          &mq->hits_per_page);
    }
    if (!strcmp(key, "filter"))
        return get_filter(c, v, mq);
    if (!strcmp(key, "facets")) {
        if (json_is_null(v))
            return 0;
        mq->facets_given = 1;
        return each_item(c, v, "facets", "invalid_search_facets", facet_item, mq);
    }
    if (!strcmp(key, "attributesToRetrieve")) {
        if (json_is_null(v))
            return 0;
        mq->retrieve = 0;
        return each_item(c, v, "attributesToRetrieve", "invalid_search_attributes_to_retrieve",
                         attr_item, &mq->retrieve);
    }
    if (!strcmp(key, "attributesToHighlight"))
        return json_is_null(v) ? 0
                               : each_item(c, v, "attributesToHighlight",
                                           "invalid_search_attributes_to_highlight", attr_item,
                                           &mq->highlight);
    if (!strcmp(key, "attributesToCrop")) {
        crop_arg a = {mq};
        return json_is_null(v) ? 0
                               : each_item(c, v, "attributesToCrop",
                                           "invalid_search_attributes_to_crop", crop_item, &a);
    }
    if (!strcmp(key, "cropLength")) {
        long n;
        if (get_uint(c, v, "cropLength", "invalid_search_crop_length", &n))
            return -1;
        mq->crop_length = n > 1000 ? 1000 : n;
        return 0;
    }
    if (!strcmp(key, "highlightPreTag"))
        return get_string(c, v, key, "invalid_search_highlight_pre_tag", 0, &mq->pre_tag);
    if (!strcmp(key, "highlightPostTag"))
        return get_string(c, v, key, "invalid_search_highlight_post_tag", 0, &mq->post_tag);
    if (!strcmp(key, "cropMarker"))
        return get_string(c, v, key, "invalid_search_crop_marker", 0, &mq->crop_marker);
    if (!strcmp(key, "showMatchesPosition")) {
        if (get_bool(c, v, key, "invalid_search_show_matches_position", &b))
            return -1;
        mq->show_matches_position = b;
        return 0;
    }
    if (!strcmp(key, "matchingStrategy")) {
        char *s = NULL;
        if (get_string(c, v, key, "invalid_search_matching_strategy", 0, &s))
            return -1;
        int ok = !strcmp(s, "last") || !strcmp(s, "all");
        mq->all_words = !strcmp(s, "all");
        int freq = !strcmp(s, "frequency");
        if (!ok && !freq)
            fail(c, 400, "invalid_search_matching_strategy",
                 "Unknown value `%.80s` at `.matchingStrategy`: expected one of `last`, `all`, "
                 "`frequency`",
                 s);
        free(s);
        if (freq)
            return not_done(c, "matchingStrategy: frequency", "invalid_search_matching_strategy",
                            "use `last` (every word first, then sections with some of them) or "
                            "`all`.");
        return ok ? 0 : -1;
    }
    if (!strcmp(key, "attributesToSearchOn")) {
        if (json_is_null(v) ||
            (json_is_array(v) && json_array_size(v) == 1 &&
             json_is_string(json_array_get(v, 0)) &&
             !strcmp(json_string_value(json_array_get(v, 0)), "*")) ||
            (c->from_args && json_is_string(v) && !strcmp(json_string_value(v), "*")))
            return 0;
        return not_done(c, key, "invalid_search_attributes_to_search_on",
                        "every search looks in titles, headings, text, code and metadata, each "
                        "with its own weight.");
    }
    if (!strcmp(key, "indexUid") && multi)
        return get_string(c, v, key, "invalid_index_uid", 0, &mq->index_uid);
    if (!strcmp(key, "federationOptions") && multi)
        return json_is_null(v) ? 0
                               : not_done(c, key, "invalid_multi_search_federation_options",
                                          "federated multi-search is not supported.");
    /* Known to Meilisearch, not done here: accepted only at their "unused" value. */
    static const struct {
        const char *key, *code, *why;
    } unused[] = {
        {"sort", "invalid_search_sort", "results are ranked by relevance only."},
        {"distinct", "invalid_search_distinct", "every hit is one section."},
        {"vector", "invalid_search_vector", "there is no vector index."},
        {"media", "invalid_search_media", "there is no vector index."},
        {"hybrid", "invalid_search_hybrid_query", "there is no vector index."},
        {"retrieveVectors", "invalid_search_retrieve_vectors", "there is no vector index."},
        {"showRankingScore", "invalid_search_show_ranking_score",
         "scores are BM25F values with no fixed scale."},
        {"showRankingScoreDetails", "invalid_search_show_ranking_score_details",
         "scores are BM25F values with no fixed scale."},
        {"showPerformanceDetails", "bad_request", "processingTimeMs is the whole search."},
        {"rankingScoreThreshold", "invalid_search_ranking_score_threshold",
         "scores are BM25F values with no fixed scale."},
        {"locales", "invalid_search_locales",
         "the index's tokenizer handles every script by itself."},
        {"personalize", "bad_request", "there is no personalization."},
    };
    for (size_t i = 0; i < sizeof unused / sizeof *unused; i++)
        if (!strcmp(key, unused[i].key))
            return unused_value(v, c->from_args) ? 0
                                                 : not_done(c, key, unused[i].code,
                                                            unused[i].why);
    return unknown_field(c, key, multi);
}

/* Checks that need every field read. */
static int finish(const ctx *c, meili_query *mq, int multi)
{
    if (multi && !mq->index_uid)
        return fail(c, 400, "missing_index_uid", "Missing field `indexUid`");
    if (!mq->pre_tag && !(mq->pre_tag = strdup("<em>")))
        return fail(c, 500, "internal", "out of memory");
    if (!mq->post_tag && !(mq->post_tag = strdup("</em>")))
        return fail(c, 500, "internal", "out of memory");
    if (!mq->crop_marker && !(mq->crop_marker = strdup("\xE2\x80\xA6")))
        return fail(c, 500, "internal", "out of memory");
    return 0;
}

int meili_query_from_json(meili_query *mq, json_t *obj, int multi, const char *where,
                          size_t max_query_bytes, meili_error *err)
{
    meili_query_init(mq);
    ctx c = {err, where ? where : "", 0};
    if (!json_is_object(obj)) {
        char found[200];
        describe(obj, found, sizeof found);
        fail(&c, 400, "bad_request", "Invalid value type: expected an object, but found %s",
             found);
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (read_field(&c, mq, key, v, multi, max_query_bytes) != 0) {
            meili_query_clear(mq);
            return -1;
        }
    }
    if (finish(&c, mq, multi) != 0) {
        meili_query_clear(mq);
        return -1;
    }
    return 0;
}

int meili_query_from_args(meili_query *mq, const char *const *keys, const char *const *values,
                          size_t n, size_t max_query_bytes, meili_error *err)
{
    meili_query_init(mq);
    ctx c = {err, "", 1};
    for (size_t i = 0; i < n; i++) {
        const char *val = values[i] ? values[i] : "";
        if (!ofsd_valid_utf8(val, strlen(val))) {
            fail(&c, 400, strcmp(keys[i], "q") ? "bad_request" : "invalid_search_q",
                 "The value of parameter `%.80s` is not valid UTF-8.", keys[i]);
            meili_query_clear(mq);
            return -1;
        }
        json_t *v = NULL;
        if (!strcmp(keys[i], "filter") && val[0] == '[')
            v = json_loads(val, JSON_DECODE_ANY, NULL); /* the array form, as Meilisearch reads it */
        if (!v)
            v = json_string(val);
        int rc = v ? read_field(&c, mq, keys[i], v, 0, max_query_bytes)
                   : fail(&c, 500, "internal", "out of memory");
        json_decref(v);
        if (rc != 0) {
            meili_query_clear(mq);
            return -1;
        }
    }
    if (finish(&c, mq, 0) != 0) {
        meili_query_clear(mq);
        return -1;
    }
    return 0;
}

int meili_parse_body(const char *body, size_t n, json_t **out, meili_error *err)
{
    ctx c = {err, "", 0};
    *out = NULL;
    if (n == 0)
        return fail(&c, 400, "missing_payload", "A json payload is missing.");
    json_error_t je;
    json_t *j = json_loadb(body, n, 0, &je);
    if (!j)
        return fail(&c, 400, "malformed_payload",
                    "The json payload provided is malformed. `%s at line %d column %d`.",
                    je.text, je.line, je.column);
    *out = j;
    return 0;
}
