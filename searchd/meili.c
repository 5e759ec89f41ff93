/* Meilisearch's read API over the served index, so its official clients and UI kits
 * (meilisearch-js, instant-meilisearch, meilisearch-docsearch) work against ofsearchd as they
 * are. An index uid is a collection, and `all` is every collection. A hit is one section, shown
 * as a Meilisearch document: ofsearch's fields and DocSearch's hierarchy_lvl0…6 (collection,
 * page title, then its headings), url, anchor, content (the passage that matched) and type.
 * The request is read by meili_request.c; this file checks the API key, answers each route,
 * runs the search through the worker's searcher and writes Meilisearch's response, errors
 * included ({message, code, type, link}). The write side (documents, settings, keys, tasks, …)
 * answers that the index is read-only: it is built by `ofsearch index`. */
#include "meili.h"

#include "docs.h"
#include "jsonout.h"
#include "log.h"
#include "meili_request.h"
#include "respond.h"

#include <ofsearch/ofsearch.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* Meilisearch's pagination.maxTotalHits default: no hit past this rank is returned. */
#define MAX_TOTAL_HITS 1000
#define MAX_MULTI_QUERIES 32
#define MAX_GET_ARGS 64

static const char separator[] = " \xE2\x80\xBA "; /* " › " between breadcrumb parts */

/* ---- answers and errors ---------------------------------------------------------------------- */

static enum MHD_Result queue_text(const ofsd_state *st, struct MHD_Connection *c,
                                  ofsd_request *rq, int status, ofs_buf *w)
{
    if (w->oom) {
        free(w->s);
        return MHD_NO;
    }
    char *s = ofs_buf_take(w);
    return ofsd_queue(st, c, rq, status, ofsd_json_text_response(s, s ? strlen(s) : 0));
}

static enum MHD_Result respond_error(const ofsd_state *st, struct MHD_Connection *c,
                                     ofsd_request *rq, const meili_error *e)
{
    char *s = meili_error_json(e);
    return ofsd_queue(st, c, rq, e->status, ofsd_json_text_response(s, s ? strlen(s) : 0));
}

static enum MHD_Result error_of(const ofsd_state *st, struct MHD_Connection *c,
                                ofsd_request *rq, int status, const char *code,
                                const char *fmt, const char *arg)
{
    meili_error e = {status, code, ""};
    snprintf(e.message, sizeof e.message, fmt, arg ? arg : "");
    return respond_error(st, c, rq, &e);
}

/* ---- the API key ----------------------------------------------------------------------------- */

/* Whether a and b are equal, in time that depends on their lengths only. */
static int same_key(const char *a, size_t an, const char *b, size_t bn)
{
    volatile unsigned char d = an != bn;
    size_t n = an > bn ? an : bn;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)((i < an ? a[i] : 0) ^ (i < bn ? b[i] : 0));
    return d == 0;
}

/* 0 when the request may go on: no key is set, it is /health (open in Meilisearch too), or it
 * carries "Authorization: Bearer <the key>". Else the 401 or 403 Meilisearch answers. */
static int check_key(const ofsd_state *st, struct MHD_Connection *c, const ofsd_request *rq,
                     meili_error *e)
{
    const char *key = st->cfg->api_key;
    if (!key || rq->route == OFSD_ROUTE_MEILI_HEALTH)
        return 0;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h) {
        *e = (meili_error){401, "missing_authorization_header",
                           "The Authorization header is missing. It must use the bearer "
                           "authorization method."};
        return -1;
    }
    const char *token = strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
    while (token && *token == ' ')
        token++;
    if (!token || !same_key(token, strlen(token), key, strlen(key))) {
        *e = (meili_error){403, "invalid_api_key", "The provided API key is invalid."};
        return -1;
    }
    return 0;
}

/* ---- the request target --------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The path of the raw target split after "/indexes/": the uid (decoded, malloc'd) and what
 * follows it ("", "stats", "search", "documents/…"; points into raw). -1 when malformed. */
static int index_target(const char *raw, char **uid, const char **rest, size_t *rest_len)
{
    *uid = NULL;
    const char *s = raw + strlen("/indexes/");
    size_t end = strcspn(s, "?#"), seg = strcspn(s, "/?#");
    char *u = malloc(seg + 1);
    size_t o = 0;
    if (!u)
        return -1;
    for (size_t i = 0; i < seg; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < seg ? hexval(s[i + 1]) : -1, lo = hi >= 0 ? hexval(s[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0) || (hi == 2 && lo == 15)) { /* %00, %2F */
                free(u);
                return -1;
            }
            u[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            u[o++] = s[i];
        }
    }
    u[o] = '\0';
    if (o == 0 || !ofsd_valid_utf8(u, o)) {
        free(u);
        return -1;
    }
    *uid = u;
    *rest = seg < end ? s + seg + 1 : s + seg;
    *rest_len = seg < end ? end - seg - 1 : 0;
    return 0;
}

/* The path part of the raw target, for messages (at most 120 bytes). */
static void path_of(const ofsd_request *rq, char *buf, size_t size)
{
    const char *raw = rq->raw_uri ? rq->raw_uri : "";
    size_t n = strcspn(raw, "?#");
    snprintf(buf, size, "%.*s", (int)(n > 120 ? 120 : n), raw);
}

/* ---- the served index's collections --------------------------------------------------------- */

/* The /api/stats snapshot served.c keeps (parsed), or NULL with *e set (503). */
static json_t *served_stats(const ofsd_state *st, meili_error *e)
{
    char *why = NULL, *body = ofsd_served_stats_json(st->served, &why);
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    free(body);
    if (!j) {
        *e = (meili_error){503, "index_unavailable", ""};
        snprintf(e->message, sizeof e->message, "The index is not available: %s",
                 why ? why : "it cannot be read");
    }
    free(why);
    return j;
}

/* The stats entry of collection uid ("all": NULL and *all = 1), or NULL (index_not_found). */
static json_t *collection_of(json_t *stats, const char *uid, int *all)
{
    *all = strcmp(uid, "all") == 0;
    size_t i;
    json_t *col;
    json_array_foreach(json_object_get(stats, "collections"), i, col)
        if (!*all && strcmp(json_string_value(json_object_get(col, "name")), uid) == 0)
            return col;
    return NULL;
}

static void not_found(meili_error *e, const char *uid)
{
    *e = (meili_error){404, "index_not_found", ""};
    snprintf(e->message, sizeof e->message, "Index `%.200s` not found.", uid);
}

/* ---- writing a hit --------------------------------------------------------------------------- */

/* How a marked text (OFS_MARK_* markers) is written: the markers stripped, or as tags. */
typedef struct {
    const char *pre, *post; /* NULL: matches not tagged */
    const char *cut;        /* for OFS_MARK_CUT */
} style;

/* Writes marked text s (n bytes) with style y into out; with pos, the byte offset and length
 * in the plain rendering (cut as "…") of each match go there as JSON objects. */
static void render(ofs_buf *out, const char *s, size_t n, const style *y, ofs_buf *pos)
{
    size_t plain = 0, start = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch != OFS_MARK_OPEN && ch != OFS_MARK_CLOSE && ch != OFS_MARK_CUT) {
            run++;
            plain++;
            continue;
        }
        ofs_buf_add(out, s + i - run, run);
        run = 0;
        if (ch == OFS_MARK_CUT) {
            ofs_buf_puts(out, y->cut);
            plain += 3; /* "…" in the plain rendering */
        } else if (ch == OFS_MARK_OPEN) {
            start = plain;
            if (y->pre)
                ofs_buf_puts(out, y->pre);
        } else {
            if (y->post)
                ofs_buf_puts(out, y->post);
            if (pos) {
                char num[80];
                snprintf(num, sizeof num, "%s{\"start\":%zu,\"length\":%zu}", pos->n ? "," : "",
                         start, plain - start);
                ofs_buf_puts(pos, num);
            }
        }
    }
    ofs_buf_add(out, s + n - run, run);
}

/* A hit's attribute values, plain and marked (NULL: null), worked out once. */
typedef struct {
    const char *v[MEILI_NATTRS];     /* plain, or marked where marked[] says so */
    int marked[MEILI_NATTRS];        /* v holds OFS_MARK_* markers */
    char id[24], type[8];
    char *url, *anchor;              /* owned */
    char *levels, *marked_levels;    /* owned: breadcrumb copies cut into hierarchy parts */
} hit_doc;

/* Cuts s at each " › " (in place), filling up to max parts; the last part keeps the rest. */
static int split_parts(char *s, const char **parts, int max)
{
    int n = 0;
    while (s && *s && n < max) {
        parts[n++] = s;
        char *sep = n < max ? strstr(s, separator) : NULL;
        if (!sep)
            break;
        *sep = '\0';
        s = sep + strlen(separator);
    }
    return n;
}

static int hit_doc_fill(hit_doc *d, const ofs_hit *h, ofsd_doc_links *links, const char *origin,
                        int marks)
{
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%lld", h->id);
    d->v[MEILI_A_OBJECTID] = d->id;
    d->v[MEILI_A_COLLECTION] = h->collection;
    d->v[MEILI_A_KIND] = h->kind;
    d->v[MEILI_A_PATH] = h->path;
    d->v[MEILI_A_TITLE] = marks && h->marked_title ? h->marked_title : h->title;
    d->marked[MEILI_A_TITLE] = marks && h->marked_title;
    d->v[MEILI_A_BREADCRUMB] = marks && h->marked_breadcrumb ? h->marked_breadcrumb
                                                             : h->breadcrumb;
    d->marked[MEILI_A_BREADCRUMB] = marks && h->marked_breadcrumb;
    /* /doc/ links are made absolute: the pages that show these hits are often elsewhere. */
    char *doc = ofsd_doc_link_hit(links, h->collection, h->path, h->url);
    if (doc && asprintf(&d->url, "%s%s", origin, doc) < 0)
        d->url = NULL;
    free(doc);
    d->v[MEILI_A_URL] = d->url ? d->url : h->url;
    const char *hash = strchr(h->url, '#');
    if (hash && hash[1] && !(d->anchor = strdup(hash + 1)))
        return -1;
    d->v[MEILI_A_ANCHOR] = d->anchor;
    d->v[MEILI_A_CONTENT] = h->snippet;
    d->marked[MEILI_A_CONTENT] = 1;
    /* hierarchy: the collection, then the breadcrumb's parts (page title first), then the
     * section's own title unless the hit is a page's intro */
    d->levels = strdup(h->breadcrumb);
    d->marked_levels = strdup(d->v[MEILI_A_BREADCRUMB]);
    if (!d->levels || !d->marked_levels)
        return -1;
    const char *plain[6], *mark[6];
    int np = split_parts(d->levels, plain, 6), nm = split_parts(d->marked_levels, mark, 6);
    int use_marks = d->marked[MEILI_A_BREADCRUMB] && nm == np;
    d->v[MEILI_A_LVL0] = h->collection;
    int lv = 1;
    for (int i = 0; i < np && lv <= 6; i++, lv++) {
        d->v[MEILI_A_LVL0 + lv] = use_marks ? mark[i] : plain[i];
        d->marked[MEILI_A_LVL0 + lv] = use_marks;
    }
    if (strcmp(h->kind, "page") != 0 && lv <= 6) {
        d->v[MEILI_A_LVL0 + lv] = d->v[MEILI_A_TITLE];
        d->marked[MEILI_A_LVL0 + lv] = d->marked[MEILI_A_TITLE];
        lv++;
    }
    if (h->snippet && *h->snippet)
        snprintf(d->type, sizeof d->type, "content");
    else
        snprintf(d->type, sizeof d->type, "lvl%d", lv - 1);
    d->v[MEILI_A_TYPE] = d->type;
    return 0;
}

static void hit_doc_clear(hit_doc *d)
{
    free(d->url);
    free(d->anchor);
    free(d->levels);
    free(d->marked_levels);
}

/* Writes attribute a of d as a JSON value in style y (pos: matches positions, or NULL). */
static void write_value(ofs_buf *w, const hit_doc *d, int a, const style *y, ofs_buf *pos,
                        ofs_buf *scratch)
{
    const char *v = d->v[a];
    if (!v) {
        ofs_buf_puts(w, "null");
        return;
    }
    if (!d->marked[a]) {
        ofsd_json_str(w, v);
        return;
    }
    scratch->n = 0;
    render(scratch, v, strlen(v), y, pos);
    ofsd_json_strn(w, scratch->s ? scratch->s : "", scratch->n);
}

/* One hit: the document (retrieved attributes), _formatted and _matchesPosition as asked. */
static void write_hit(ofs_buf *w, const hit_doc *d, const meili_query *mq, ofs_buf *scratch)
{
    static const style bare = {NULL, NULL, "\xE2\x80\xA6"};
    ofs_buf_puts(w, "{");
    int first = 1;
    for (int a = 0; a < MEILI_NATTRS; a++) {
        if (!(mq->retrieve & (1u << a)))
            continue;
        ofsd_json_key(w, first, meili_attr_name(a));
        write_value(w, d, a, &bare, NULL, scratch);
        first = 0;
    }
    if (mq->highlight || mq->crop) {
        ofs_buf_puts(w, first ? "\"_formatted\":{" : ",\"_formatted\":{");
        unsigned shown = mq->retrieve | mq->highlight | mq->crop;
        int f1 = 1;
        for (int a = 0; a < MEILI_NATTRS; a++) {
            if (!(shown & (1u << a)))
                continue;
            int hl = (mq->highlight >> a) & 1, crop = (mq->crop >> a) & 1;
            style y = {hl ? mq->pre_tag : NULL, hl ? mq->post_tag : NULL,
                       crop ? mq->crop_marker : "\xE2\x80\xA6"};
            ofsd_json_key(w, f1, meili_attr_name(a));
            write_value(w, d, a, &y, NULL, scratch);
            f1 = 0;
        }
        ofs_buf_puts(w, "}");
        first = 0;
    }
    if (mq->show_matches_position) {
        ofs_buf_puts(w, first ? "\"_matchesPosition\":{" : ",\"_matchesPosition\":{");
        int f1 = 1;
        for (int a = 0; a < MEILI_NATTRS; a++) {
            if (!d->marked[a] || !d->v[a] || !strchr(d->v[a], OFS_MARK_OPEN))
                continue;
            ofs_buf pos = {0}, sink = {0};
            render(&sink, d->v[a], strlen(d->v[a]), &bare, &pos);
            ofsd_json_key(w, f1, meili_attr_name(a));
            ofs_buf_puts(w, "[");
            ofs_buf_add(w, pos.s ? pos.s : "", pos.n);
            ofs_buf_puts(w, "]");
            w->oom |= pos.oom || sink.oom;
            free(pos.s);
            free(sink.s);
            f1 = 0;
        }
        ofs_buf_puts(w, "}");
    }
    ofs_buf_puts(w, "}");
}

/* ---- one search ------------------------------------------------------------------------------ */

/* The attributes whose values come from the matched section's marks. */
#define TITLE_BITS                                                                              \
    ((1u << MEILI_A_TITLE) | (1u << MEILI_A_BREADCRUMB) | (MEILI_ALL_ATTRS & ~((1u << MEILI_A_LVL0) - 1)))
#define CONTENT_BITS ((1u << MEILI_A_CONTENT) | (1u << MEILI_A_TYPE))

/* A library failure as Meilisearch's error. */
static void search_error(meili_error *e, int rc, const char *msg)
{
    switch (rc) {
    case OFS_INVALID:
    case OFS_TOOLONG:
        *e = (meili_error){400, "invalid_search_q", ""};
        break;
    case OFS_TIMEOUT:
        *e = (meili_error){504, "search_timeout", ""};
        break;
    default:
        ofsd_log_event("error", "search_failed", msg);
        *e = (meili_error){500, "internal", "The search failed; the server log says why."};
        return;
    }
    snprintf(e->message, sizeof e->message, "%s", msg ? msg : ofs_strerror(rc));
}

/* Runs mq on index uid and appends its result object's members (after "{", without the
 * closing brace) to w. 0, or -1 with *e. rq->hits is added to. */
static int run_query(const ofsd_state *st, ofsd_worker *wk, struct MHD_Connection *c,
                     ofsd_request *rq, const char *uid, meili_query *mq, ofs_buf *w,
                     meili_error *e)
{
    double t0 = ofsd_now_mono();
    int all = strcmp(uid, "all") == 0;
    long offset = mq->offset, limit = mq->limit;
    if (mq->paged) {
        offset = mq->page >= 1 ? (mq->page - 1) * mq->hits_per_page : 0;
        limit = mq->page >= 1 ? mq->hits_per_page : 0;
    }
    /* Hits stop at rank MAX_TOTAL_HITS, as Meilisearch's; a page holds --max-limit at most. */
    long want = offset >= MAX_TOTAL_HITS ? 0 : limit;
    if (want > MAX_TOTAL_HITS - offset)
        want = MAX_TOTAL_HITS - offset;
    if (want > st->cfg->max_limit)
        want = st->cfg->max_limit;
    unsigned used = mq->retrieve | mq->highlight | mq->crop;
    /* A q with nothing to search for (none, blank) is Meilisearch's placeholder search. */
    ofs_query_request req = {
        .q = mq->q ? mq->q : "", .qlen = mq->qlen, .limit = want > 0 ? (int)want : 1,
        .offset = want > 0 ? (int)offset : 0, .collection = all ? NULL : uid,
        .snippet_mode = OFS_SNIPPET_MARKERS, .no_snippets = !(used & CONTENT_BITS),
        .filter = mq->filter, .all_words = mq->all_words, .placeholder = 1,
        .facets = mq->facets, .nfacets = mq->nfacets,
        .mark_titles = (mq->highlight & TITLE_BITS) || mq->show_matches_position,
        .snippet_tokens = (mq->crop >> MEILI_A_CONTENT) & 1
                              ? (int)(mq->crop_length > 0 ? mq->crop_length : 1) : 0,
    };
    ofs_searcher *s = rq->searcher ? rq->searcher : ofsd_worker_searcher(wk);
    if (!s) {
        *e = (meili_error){503, "index_unavailable", "The index is not available; retry later."};
        return -1;
    }
    ofs_results *res = NULL;
    char *err = NULL;
    int rc = ofs_search(s, &req, &res, &err);
    if (rc != OFS_OK) {
        search_error(e, rc, err);
        free(err);
        return -1;
    }
    if (!all && res->total == 0) { /* nothing found: is uid a collection at all? */
        json_t *stats = served_stats(st, e);
        int is_all;
        int known = stats && collection_of(stats, uid, &is_all);
        json_decref(stats);
        if (!known) {
            if (stats)
                not_found(e, uid);
            ofs_results_free(res);
            return -1;
        }
    }
    size_t nhits = want > 0 ? res->nhits : 0;
    rq->hits += (long)nhits;
    ofsd_doc_links *links = nhits && !st->cfg->no_doc_pages ? ofsd_worker_doc_links(wk) : NULL;
    char origin[300] = "";
    if (links)
        ofsd_public_origin(st, c, origin, sizeof origin);
    int marks = req.mark_titles;
    ofs_buf scratch = {0};
    ofs_buf_puts(w, "\"hits\":[");
    for (size_t i = 0; i < nhits; i++) {
        hit_doc d;
        if (hit_doc_fill(&d, &res->hits[i], links, origin, marks) != 0)
            w->oom = 1;
        else
            write_hit(w, &d, mq, &scratch);
        hit_doc_clear(&d);
        if (i + 1 < nhits)
            ofs_buf_puts(w, ",");
    }
    w->oom |= scratch.oom;
    free(scratch.s);
    ofs_buf_puts(w, "],\"query\":");
    ofsd_json_strn(w, mq->q ? mq->q : "", mq->q ? mq->qlen : 0);
    ofs_buf_puts(w, ",\"processingTimeMs\":");
    ofsd_json_int(w, (long long)((ofsd_now_mono() - t0) * 1000.0));
    if (mq->paged) {
        long hpp = mq->hits_per_page;
        ofsd_json_member_int(w, 0, "hitsPerPage", hpp);
        ofsd_json_member_int(w, 0, "page", mq->page);
        ofsd_json_member_int(w, 0, "totalPages", hpp > 0 ? (res->total + hpp - 1) / hpp : 0);
        ofsd_json_member_int(w, 0, "totalHits", res->total);
    } else {
        ofsd_json_member_int(w, 0, "limit", mq->limit);
        ofsd_json_member_int(w, 0, "offset", mq->offset);
        ofsd_json_member_int(w, 0, "estimatedTotalHits", res->total);
    }
    if (mq->facets_given) {
        ofs_buf_puts(w, ",\"facetDistribution\":{");
        for (size_t f = 0; f < mq->nfacets; f++) {
            const char *name = ofs_facet_field_name((size_t)mq->facets[f]);
            ofs_buf_puts(w, f ? ",\"" : "\"");
            ofs_buf_puts(w, name);
            ofs_buf_puts(w, "\":{");
            int firstv = 1;
            for (size_t i = 0; i < res->nfacets; i++) {
                if (strcmp(res->facets[i].field, name))
                    continue;
                ofs_buf_puts(w, firstv ? "" : ",");
                ofsd_json_str(w, res->facets[i].value);
                ofs_buf_puts(w, ":");
                ofsd_json_int(w, res->facets[i].count);
                firstv = 0;
            }
            ofs_buf_puts(w, "}");
        }
        ofs_buf_puts(w, "},\"facetStats\":{}");
    }
    ofs_results_free(res);
    return 0;
}

/* ---- the routes ------------------------------------------------------------------------------ */

typedef struct {
    const char *keys[MAX_GET_ARGS], *values[MAX_GET_ARGS];
    size_t n;
    int over;
} get_args;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    get_args *a = cls;
    if (a->n == MAX_GET_ARGS) {
        a->over = 1;
        return MHD_NO;
    }
    a->keys[a->n] = key;
    a->values[a->n++] = value;
    return MHD_YES;
}

/* A POST body as JSON, after Meilisearch's Content-Type check. */
static int body_json(struct MHD_Connection *c, const ofsd_request *rq, json_t **out,
                     meili_error *e)
{
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!type) {
        *e = (meili_error){415, "missing_content_type",
                           "A Content-Type header is missing. Accepted values for the "
                           "Content-Type header are: `application/json`"};
        return -1;
    }
    size_t tl = strcspn(type, ";");
    while (tl && type[tl - 1] == ' ')
        tl--;
    if (tl != 16 || strncasecmp(type, "application/json", 16) != 0) {
        *e = (meili_error){415, "invalid_content_type", ""};
        snprintf(e->message, sizeof e->message,
                 "The Content-Type `%.100s` is invalid. Accepted values for the Content-Type "
                 "header are: `application/json`",
                 type);
        return -1;
    }
    return meili_parse_body(rq->body, rq->body_len, out, e);
}

static enum MHD_Result handle_search(const ofsd_state *st, ofsd_worker *wk,
                                     struct MHD_Connection *c, ofsd_request *rq,
                                     const char *uid, int post)
{
    meili_query mq;
    meili_error e = {0};
    int rc;
    if (post) {
        json_t *body = NULL;
        rc = body_json(c, rq, &body, &e);
        if (rc == 0)
            rc = meili_query_from_json(&mq, body, 0, NULL, st->cfg->max_query_bytes, &e);
        json_decref(body);
    } else {
        get_args a = {0};
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
        if (a.over)
            return error_of(st, c, rq, 400, "bad_request", "More than %s query parameters.",
                            "64");
        rc = meili_query_from_args(&mq, a.keys, a.values, a.n, st->cfg->max_query_bytes, &e);
    }
    if (rc != 0)
        return respond_error(st, c, rq, &e);
    if (st->cfg->log_queries && mq.q)
        rq->q = strndup(mq.q, mq.qlen < 512 ? mq.qlen : 512);
    rq->hits = 0;
    ofs_buf w = {0};
    ofs_buf_puts(&w, "{");
    rc = run_query(st, wk, c, rq, uid, &mq, &w, &e);
    meili_query_clear(&mq);
    if (rc != 0) {
        free(w.s);
        return respond_error(st, c, rq, &e);
    }
    ofs_buf_puts(&w, "}");
    return queue_text(st, c, rq, 200, &w);
}

static enum MHD_Result handle_multi(const ofsd_state *st, ofsd_worker *wk,
                                    struct MHD_Connection *c, ofsd_request *rq)
{
    meili_error e = {0};
    json_t *body = NULL;
    if (body_json(c, rq, &body, &e) != 0)
        return respond_error(st, c, rq, &e);
    json_t *queries = json_object_get(body, "queries");
    const char *key;
    json_t *v;
    int bad = !json_is_object(body);
    if (!bad)
        json_object_foreach(body, key, v) {
            if (!strcmp(key, "federation") && !json_is_null(v)) {
                json_decref(body);
                return error_of(st, c, rq, 400, "invalid_multi_search_federated",
                                "ofsearch does not support `federation`: %s",
                                "each query is answered on its own.");
            }
            if (strcmp(key, "queries") && strcmp(key, "federation")) {
                json_decref(body);
                return error_of(st, c, rq, 400, "bad_request",
                                "Unknown field `%s`: expected one of `queries`, `federation`",
                                key);
            }
        }
    if (bad || !json_is_array(queries)) {
        json_decref(body);
        return error_of(st, c, rq, 400, "bad_request",
                        "%s", bad ? "Invalid value type: expected an object"
                                  : "Missing field `queries`: expected an array of queries");
    }
    if (json_array_size(queries) > MAX_MULTI_QUERIES) {
        json_decref(body);
        return error_of(st, c, rq, 400, "bad_request",
                        "A multi-search holds %s queries at most.", "32");
    }
    rq->hits = 0;
    ofs_buf w = {0};
    ofs_buf_puts(&w, "{\"results\":[");
    size_t i;
    json_t *q;
    int rc = 0;
    json_array_foreach(queries, i, q) {
        char where[48];
        snprintf(where, sizeof where, "Inside `.queries[%zu]`: ", i);
        meili_query mq;
        rc = meili_query_from_json(&mq, q, 1, where, st->cfg->max_query_bytes, &e);
        if (rc != 0)
            break;
        if (i == 0 && st->cfg->log_queries && mq.q)
            rq->q = strndup(mq.q, mq.qlen < 512 ? mq.qlen : 512);
        ofs_buf_puts(&w, i ? ",{\"indexUid\":" : "{\"indexUid\":");
        ofsd_json_str(&w, mq.index_uid);
        ofs_buf_puts(&w, ",");
        rc = run_query(st, wk, c, rq, mq.index_uid, &mq, &w, &e);
        meili_query_clear(&mq);
        if (rc != 0) { /* the search's own error, said of this query */
            size_t wl = strlen(where), ml = strnlen(e.message, sizeof e.message - 1 - wl);
            memmove(e.message + wl, e.message, ml);
            memcpy(e.message, where, wl);
            e.message[wl + ml] = '\0';
            break;
        }
        ofs_buf_puts(&w, "}");
    }
    json_decref(body);
    if (rc != 0) {
        free(w.s);
        return respond_error(st, c, rq, &e);
    }
    ofs_buf_puts(&w, "]}");
    return queue_text(st, c, rq, 200, &w);
}

/* An index object: {uid, createdAt, updatedAt, primaryKey}. */
static void write_index(ofs_buf *w, const char *uid, const char *built_at)
{
    ofs_buf_puts(w, "{");
    ofsd_json_member_str(w, 1, "uid", uid);
    ofsd_json_member_str(w, 0, "createdAt", built_at);
    ofsd_json_member_str(w, 0, "updatedAt", built_at);
    ofsd_json_member_str(w, 0, "primaryKey", "objectID");
    ofs_buf_puts(w, "}");
}

/* An index's stats: every section is a document, and every document has every attribute. */
static void write_index_stats(ofs_buf *w, long sections)
{
    ofs_buf_puts(w, "{\"numberOfDocuments\":");
    ofsd_json_int(w, sections);
    ofs_buf_puts(w, ",\"isIndexing\":false,\"fieldDistribution\":{");
    for (int a = 0; a < MEILI_NATTRS; a++) {
        ofsd_json_member_int(w, a == 0, meili_attr_name(a), sections);
    }
    ofs_buf_puts(w, "}}");
}

static long json_long(json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

/* The uids: `all`, then each collection; calls back with each uid and its section count. */
static void each_index(json_t *stats, void (*fn)(ofs_buf *, const char *, long, json_t *),
                       ofs_buf *w)
{
    fn(w, "all", json_long(stats, "sections"), stats);
    size_t i;
    json_t *col;
    json_array_foreach(json_object_get(stats, "collections"), i, col)
        fn(w, json_string_value(json_object_get(col, "name")), json_long(col, "sections"),
           stats);
}

static void list_item(ofs_buf *w, const char *uid, long sections, json_t *stats)
{
    (void)sections;
    if (w->n && w->s[w->n - 1] == '}')
        ofs_buf_puts(w, ",");
    write_index(w, uid, json_string_value(json_object_get(stats, "built_at")));
}

static void stats_item(ofs_buf *w, const char *uid, long sections, json_t *stats)
{
    (void)stats;
    if (w->s && w->s[w->n - 1] != '{')
        ofs_buf_puts(w, ",");
    ofsd_json_str(w, uid);
    ofs_buf_puts(w, ":");
    write_index_stats(w, sections);
}

static enum MHD_Result handle_indexes(const ofsd_state *st, struct MHD_Connection *c,
                                      ofsd_request *rq, const char *method)
{
    meili_error e = {0};
    char path[128];
    path_of(rq, path, sizeof path);
    char *uid = NULL;
    const char *rest = "";
    size_t rest_len = 0;
    int listing = strcmp(path, "/indexes") == 0 || strcmp(path, "/indexes/") == 0;
    if (!listing && index_target(rq->raw_uri, &uid, &rest, &rest_len) != 0)
        return error_of(st, c, rq, 400, "invalid_index_uid",
                        "`%s` is not a valid index uid.", path + strlen("/indexes/"));
    int read = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    int stats_route = rest_len == 5 && !strncmp(rest, "stats", 5);
    if (!read || (!listing && rest_len && !stats_route)) {
        char what[200];
        snprintf(what, sizeof what, "%s %s", method, path);
        free(uid);
        if (!read && !(rest_len >= 12 && !strncmp(rest, "facet-search", 12)) &&
            !(rest_len >= 7 && !strncmp(rest, "similar", 7)) &&
            !(rest_len >= 15 && !strncmp(rest, "documents/fetch", 15)))
            return error_of(st, c, rq, 405, "read_only_index",
                            "ofsearchd serves a read-only index built by `ofsearch index`: "
                            "`%s` cannot change it. Change the documents and run `ofsearch "
                            "index` again.",
                            what);
        return error_of(st, c, rq, 501, "not_supported",
                        "ofsearchd answers Meilisearch's search routes only (see "
                        "docs/meilisearch-compat.md): `%s` is not available.",
                        what);
    }
    json_t *stats = served_stats(st, &e);
    if (!stats) {
        free(uid);
        return respond_error(st, c, rq, &e);
    }
    ofs_buf w = {0};
    if (listing) {
        long n = 1 + (long)json_array_size(json_object_get(stats, "collections"));
        ofs_buf_puts(&w, "{\"results\":[");
        each_index(stats, list_item, &w);
        ofs_buf_puts(&w, "],\"offset\":0,\"limit\":");
        ofsd_json_int(&w, n > 20 ? n : 20);
        ofs_buf_puts(&w, ",\"total\":");
        ofsd_json_int(&w, n);
        ofs_buf_puts(&w, "}");
    } else {
        int all;
        json_t *col = collection_of(stats, uid, &all);
        if (!col && !all) {
            not_found(&e, uid);
            free(uid);
            json_decref(stats);
            free(w.s);
            return respond_error(st, c, rq, &e);
        }
        if (stats_route)
            write_index_stats(&w, json_long(all ? stats : col, "sections"));
        else
            write_index(&w, uid, json_string_value(json_object_get(stats, "built_at")));
    }
    free(uid);
    json_decref(stats);
    return queue_text(st, c, rq, 200, &w);
}

static enum MHD_Result handle_stats(const ofsd_state *st, struct MHD_Connection *c,
                                    ofsd_request *rq)
{
    meili_error e = {0};
    json_t *stats = served_stats(st, &e);
    if (!stats)
        return respond_error(st, c, rq, &e);
    ofs_buf w = {0};
    ofs_buf_puts(&w, "{\"databaseSize\":");
    ofsd_json_int(&w, json_long(stats, "size_bytes"));
    ofs_buf_puts(&w, ",\"lastUpdate\":");
    ofsd_json_str(&w, json_string_value(json_object_get(stats, "built_at")));
    ofs_buf_puts(&w, ",\"indexes\":{");
    each_index(stats, stats_item, &w);
    ofs_buf_puts(&w, "}}");
    json_decref(stats);
    return queue_text(st, c, rq, 200, &w);
}

/* OPTIONS: a CORS preflight (any method the routes take, the headers the clients send). */
static enum MHD_Result handle_preflight(const ofsd_state *st, struct MHD_Connection *c,
                                        ofsd_request *rq)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *want = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Access-Control-Request-Method");
    const char *headers = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                      "Access-Control-Request-Headers");
    int any;
    if (origin && want && !ofsd_config_origin_allowed(st->cfg, origin, &any))
        return error_of(st, c, rq, 403, "cors_denied", "The origin `%s` is not allowed.",
                        origin);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Allow", "GET, HEAD, POST, OPTIONS");
    if (origin && want) {
        /* The request headers are echoed when they are a plain list of header names. */
        int plain = headers && strlen(headers) < 512;
        for (const char *h = headers; plain && *h; h++)
            plain = isalnum((unsigned char)*h) || strchr("-_, ", *h);
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD, POST");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                                plain ? headers
                                      : "Authorization, Content-Type, X-Meilisearch-Client");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    }
    return ofsd_queue(st, c, rq, MHD_HTTP_NO_CONTENT, resp);
}

enum MHD_Result ofsd_meili_handle(const ofsd_state *st, ofsd_worker *wk,
                                  struct MHD_Connection *c, ofsd_request *rq,
                                  const char *method)
{
    if (strcmp(method, "OPTIONS") == 0)
        return handle_preflight(st, c, rq);
    meili_error e = {0};
    if (check_key(st, c, rq, &e) != 0)
        return respond_error(st, c, rq, &e);
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    char path[128];
    path_of(rq, path, sizeof path);
    switch (rq->route) {
    case OFSD_ROUTE_MEILI_SEARCH: {
        char *uid = NULL;
        const char *rest;
        size_t rest_len;
        if (!get && !post)
            break;
        if (index_target(rq->raw_uri, &uid, &rest, &rest_len) != 0)
            return error_of(st, c, rq, 400, "invalid_index_uid",
                            "`%s` is not a valid index uid.", path);
        enum MHD_Result r = handle_search(st, wk, c, rq, uid, post);
        free(uid);
        return r;
    }
    case OFSD_ROUTE_MEILI_MULTI:
        if (!post)
            return error_of(st, c, rq, 405, "method_not_allowed",
                            "`%s` takes POST with a JSON body of queries.", path);
        return handle_multi(st, wk, c, rq);
    case OFSD_ROUTE_MEILI_INDEXES:
        return handle_indexes(st, c, rq, method);
    case OFSD_ROUTE_MEILI_STATS:
        if (get)
            return handle_stats(st, c, rq);
        break;
    case OFSD_ROUTE_MEILI_HEALTH:
        if (!get)
            break;
        if (!ofsd_served_ok(st->served))
            return error_of(st, c, rq, 503, "index_unavailable", "%s",
                            "The index is not loaded; /readyz says why.");
        return ofsd_respond_json(st, c, rq, 200, json_pack("{s:s}", "status", "available"));
    case OFSD_ROUTE_MEILI_VERSION:
        if (get)
            return ofsd_respond_json(st, c, rq, 200,
                                     json_pack("{s:s, s:s, s:s}", "commitSha", "unknown",
                                               "commitDate", "unknown", "pkgVersion",
                                               OFS_VERSION));
        break;
    default: /* Meilisearch's other paths: keys, tasks, dumps, … */
        if (get)
            return error_of(st, c, rq, 501, "not_supported",
                            "ofsearchd answers Meilisearch's search routes only (see "
                            "docs/meilisearch-compat.md): `%s` is not available.",
                            path);
        break;
    }
    char what[200];
    snprintf(what, sizeof what, "%s %s", method, path);
    return error_of(st, c, rq, 405, "read_only_index",
                    "ofsearchd serves a read-only index built by `ofsearch index`: `%s` cannot "
                    "change it. Change the documents and run `ofsearch index` again.",
                    what);
}
