/* The index the daemon serves, as one object: the generation workers follow, the snapshot of
 * what the index holds (/api/stats, /readyz and /metrics read it, the main thread refreshes it
 * on reload), and the searcher each reload opens and probes, handed to libmicrohttpd's thread.
 * Reloads only bump an atomic generation that workers notice between requests (worker.c), so
 * the query path takes no global lock. */
#include "served.h"

#include "log.h"

#include <ofsearch/index.h>
#include <ofsearch/ofsearch.h>

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the index holds, as the last load found it. */
typedef struct {
    int ok;                 /* the index opened and answered */
    long documents, sections;
    double built_at;        /* epoch seconds; 0 unknown */
    char *stats_json;       /* /api/stats body (malloc'd), NULL when not ok */
    char *error;            /* why not ok (malloc'd) */
} index_info;

struct ofsd_served {
    const char *db_path;
    ofs_search_config search_cfg;
    atomic_uint generation;          /* bumped on reload; workers reopen when it moves */
    atomic_ulong reloads, reload_failures;

    pthread_mutex_t info_lock;       /* guards info: only /api/stats, /metrics, reload use it */
    index_info info;
    atomic_int index_ok;             /* mirror of info.ok readable without the lock */

    /* libmicrohttpd's own thread answers /readyz, and suggestions while the workers are idle,
     * with the searcher each reload opened for its probe (opening one takes ~25 ms on a large
     * index: that thread must not). Handed over through an atomic slot. */
    _Atomic(ofs_searcher *) http_next;    /* opened by the last reload, not yet taken */
    ofs_searcher *http_searcher;          /* in use: libmicrohttpd's thread only */
};

ofsd_served *ofsd_served_new(const ofsd_config *cfg)
{
    ofsd_served *sv = calloc(1, sizeof *sv);
    if (!sv)
        return NULL;
    sv->db_path = cfg->db_path;
    ofs_search_config_default(&sv->search_cfg);
    sv->search_cfg.max_query_bytes = cfg->max_query_bytes;
    sv->search_cfg.max_limit = cfg->max_limit;
    sv->search_cfg.synonyms_path = cfg->synonyms_path;
    sv->search_cfg.timeout_ms = cfg->timeout_ms; /* the library stops with OFS_TIMEOUT: 504 */
    atomic_init(&sv->generation, 1);
    atomic_init(&sv->http_next, NULL);
    pthread_mutex_init(&sv->info_lock, NULL);
    return sv;
}

void ofsd_served_free(ofsd_served *sv)
{
    if (!sv)
        return;
    ofs_searcher_close(sv->http_searcher); /* its thread has ended */
    ofs_searcher_close(atomic_exchange(&sv->http_next, NULL));
    free(sv->info.stats_json);
    free(sv->info.error);
    pthread_mutex_destroy(&sv->info_lock);
    free(sv);
}

/* Parses "2024-05-01T12:00:00Z"-style timestamps; 0 when unknown. */
static double parse_iso8601(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || !*s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return (double)timegm(&tm);
}

static char *stats_to_json(const ofs_index_stats *st, unsigned gen)
{
    json_t *cols = json_array();
    for (size_t i = 0; i < st->ncollections; i++)
        json_array_append_new(cols, json_pack("{s:s, s:I, s:I}", "name", st->collections[i].name,
                                              "documents", (json_int_t)st->collections[i].documents,
                                              "sections", (json_int_t)st->collections[i].sections));
    json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:i, s:o, s:I, s:s}",
                          "documents", (json_int_t)st->documents,
                          "sections", (json_int_t)st->sections,
                          "terms", (json_int_t)st->terms,
                          "size_bytes", (json_int_t)st->size_bytes,
                          "tokenizer", st->tokenizer,
                          "built_at", st->built_at,
                          "schema_version", st->schema_version,
                          "collections", cols,
                          "generation", (json_int_t)gen,
                          "version", OFS_VERSION);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

/* Reads stats and probes a query with a new searcher; fills info. The searcher, when it
 * answered, goes to *probed (for libmicrohttpd's thread). */
static void load_index_info(ofsd_served *sv, unsigned gen, index_info *info,
                            ofs_searcher **probed)
{
    *probed = NULL;
    memset(info, 0, sizeof *info);
    char *err = NULL;
    ofs_index *idx = NULL;
    ofs_index_stats st;
    memset(&st, 0, sizeof st);
    if (access(sv->db_path, R_OK) != 0) {
        info->error = strdup("index file missing or unreadable");
        return;
    }
    if (ofs_index_open(sv->db_path, OFS_OPEN_READONLY, NULL, &idx, &err) != OFS_OK ||
        ofs_index_get_stats(idx, &st, &err) != OFS_OK) {
        info->error = err ? err : strdup("cannot read the index");
        ofs_index_close(idx);
        return;
    }
    ofs_index_close(idx);
    ofs_searcher *s = NULL;
    ofs_results *res = NULL;
    ofs_query_request probe = {.q = "readyz", .limit = 1, .no_snippets = 1};
    if (ofs_searcher_open(sv->db_path, &sv->search_cfg, &s, &err) != OFS_OK ||
        ofs_search(s, &probe, &res, &err) != OFS_OK) {
        info->error = err ? err : strdup("the index does not answer queries");
    } else {
        info->ok = 1;
        info->documents = st.documents;
        info->sections = st.sections;
        info->built_at = parse_iso8601(st.built_at);
        info->stats_json = stats_to_json(&st, gen);
        *probed = s;
        s = NULL;
    }
    ofs_results_free(res);
    ofs_searcher_close(s);
    ofs_index_stats_free(&st);
}

ofs_searcher *ofsd_served_http_searcher(ofsd_served *sv)
{
    ofs_searcher *next = atomic_exchange(&sv->http_next, NULL);
    if (next) {
        /* Closing the old one costs 2-3 ms on tldr-pages (its caches), once per reload. */
        ofs_searcher_close(sv->http_searcher);
        sv->http_searcher = next;
    }
    return sv->http_searcher;
}

int ofsd_served_reload(ofsd_served *sv, int bump, const char *why)
{
    /* Only this thread bumps the generation, so gen is what workers will see. The snapshot is
     * published before the bump: once a worker serves the new index, /api/stats agrees. */
    unsigned gen = atomic_load(&sv->generation) + (bump ? 1 : 0);
    index_info info;
    ofs_searcher *probed;
    load_index_info(sv, gen, &info, &probed);
    if (probed) /* one that libmicrohttpd's thread never took is closed here */
        ofs_searcher_close(atomic_exchange(&sv->http_next, probed));

    pthread_mutex_lock(&sv->info_lock);
    index_info old = sv->info;
    sv->info = info;
    atomic_store(&sv->index_ok, info.ok);
    pthread_mutex_unlock(&sv->info_lock);
    /* A failed reload leaves the workers on what they have open (the old index keeps
     * answering, /readyz says 503): bumping would make them reopen and fail, and their hits
     * lose the /doc/ links the index handle gives. */
    if (bump && info.ok)
        atomic_store_explicit(&sv->generation, gen, memory_order_release);
    free(old.stats_json);
    free(old.error);

    char msg[512];
    if (info.ok) {
        if (bump)
            atomic_fetch_add(&sv->reloads, 1);
        snprintf(msg, sizeof msg, "%s: generation %u, %ld documents, %ld sections", why, gen,
                 info.documents, info.sections);
        ofsd_log_event("info", bump ? "reload" : "refresh", msg);
        return 0;
    }
    atomic_fetch_add(&sv->reload_failures, 1);
    snprintf(msg, sizeof msg, "%s: %s", why, info.error ? info.error : "index unavailable");
    ofsd_log_event("error", "reload_failed", msg);
    return -1;
}

unsigned ofsd_served_generation(const ofsd_served *sv)
{
    return atomic_load_explicit(&sv->generation, memory_order_acquire);
}

int ofsd_served_ok(const ofsd_served *sv)
{
    return atomic_load(&sv->index_ok);
}

const char *ofsd_served_db_path(const ofsd_served *sv)
{
    return sv->db_path;
}

const ofs_search_config *ofsd_served_search_config(const ofsd_served *sv)
{
    return &sv->search_cfg;
}

char *ofsd_served_stats_json(ofsd_served *sv, char **why)
{
    char *body = NULL;
    *why = NULL;
    pthread_mutex_lock(&sv->info_lock);
    if (sv->info.ok && sv->info.stats_json)
        body = strdup(sv->info.stats_json);
    else
        *why = strdup(sv->info.error ? sv->info.error : "the index is not available");
    pthread_mutex_unlock(&sv->info_lock);
    return body;
}

void ofsd_served_error(ofsd_served *sv, const char *dflt, char *buf, size_t size)
{
    pthread_mutex_lock(&sv->info_lock);
    snprintf(buf, size, "%s", sv->info.error ? sv->info.error : dflt);
    pthread_mutex_unlock(&sv->info_lock);
}

void ofsd_served_gauges(ofsd_served *sv, ofsd_gauges *g)
{
    g->generation = atomic_load(&sv->generation);
    g->reloads = atomic_load(&sv->reloads);
    g->reload_failures = atomic_load(&sv->reload_failures);
    pthread_mutex_lock(&sv->info_lock);
    g->index_up = sv->info.ok;
    g->documents = sv->info.documents;
    g->sections = sv->info.sections;
    g->built_at = sv->info.built_at;
    pthread_mutex_unlock(&sv->info_lock);
}
