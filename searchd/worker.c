/* Per-thread state for answering from the index: each thread that searches keeps its own
 * searcher, index handle and /doc/ links, keyed by the index generation (served.c), so the query
 * path takes no global lock; a reload only moves the generation, and each thread reopens between
 * requests when it sees it move. */
#include "worker.h"

#include "log.h"

#include <ofsearch/ofsearch.h>

#include <stdlib.h>
#include <string.h>

struct ofsd_worker {
    ofsd_served *served;
    ofs_searcher *searcher;
    unsigned gen;          /* generation searcher was opened for */
    unsigned tried_gen;    /* last generation an open was attempted for */
    int tried;
    char *error;           /* why the last index open failed */
    ofs_index *index;      /* for /doc/ pages and links, opened on first use */
    unsigned index_gen;
    ofsd_doc_links *links; /* hits' /doc/ links, worked out once per generation */
    unsigned links_gen;    /* 0: not worked out yet (generations start at 1) */
};

ofsd_worker *ofsd_worker_new(ofsd_served *served)
{
    ofsd_worker *w = calloc(1, sizeof *w);
    if (w)
        w->served = served;
    return w;
}

void ofsd_worker_free(ofsd_worker *w)
{
    if (!w)
        return;
    ofs_searcher_close(w->searcher);
    ofsd_doc_links_free(w->links);
    ofs_index_close(w->index);
    free(w->error);
    free(w);
}

ofs_index *ofsd_worker_index(ofsd_worker *w, const char **why)
{
    unsigned gen = ofsd_served_generation(w->served);
    if (w->index && w->index_gen == gen)
        return w->index;
    /* A rebuilt index is a new file: the old handle would keep showing the old one. */
    ofs_index_close(w->index);
    w->index = NULL;
    char *err = NULL;
    if (ofs_index_open(ofsd_served_db_path(w->served), OFS_OPEN_READONLY, NULL, &w->index,
                       &err) != OFS_OK) {
        ofs_index_close(w->index);
        w->index = NULL;
        free(w->error);
        w->error = err ? err : strdup("cannot open the index");
        *why = w->error ? w->error : "cannot open the index";
        return NULL;
    }
    w->index_gen = gen;
    return w->index;
}

ofsd_doc_links *ofsd_worker_doc_links(ofsd_worker *w)
{
    unsigned gen = ofsd_served_generation(w->served);
    if (w->links_gen == gen)
        return w->links;
    /* A new generation may have other collections, or other base URLs. */
    ofsd_doc_links_free(w->links);
    const char *why;
    ofs_index *idx = ofsd_worker_index(w, &why);
    w->links = idx ? ofsd_doc_links_new(idx) : NULL;
    w->links_gen = gen;
    return w->links;
}

ofs_searcher *ofsd_worker_searcher(ofsd_worker *w)
{
    unsigned gen = ofsd_served_generation(w->served);
    /* The index may change in place without the watch noticing yet (or with it off): a
     * searcher whose last search found the index newer than its caches is reopened, like a new
     * generation (asking the index itself would cost a transaction per request). */
    int changed = w->searcher && w->gen == gen && ofs_searcher_stale(w->searcher);
    if (w->searcher && w->gen == gen && !changed)
        return w->searcher;
    int first_try = !w->tried || w->tried_gen != gen;
    if (changed || first_try) {
        /* A newer index: open it before touching the old one so a failed open keeps serving. */
        ofs_searcher *s = NULL;
        char *err = NULL;
        w->tried = 1;
        w->tried_gen = gen;
        if (ofs_searcher_open(ofsd_served_db_path(w->served),
                              ofsd_served_search_config(w->served), &s, &err) == OFS_OK) {
            ofs_searcher_close(w->searcher);
            w->searcher = s;
            w->gen = gen;
            free(err);
            return s;
        }
        ofs_searcher_close(s);
        /* Clients get a plain 503; the reason is the operator's, once per generation. */
        if (first_try)
            ofsd_log_event("error", "searcher_open_failed", err ? err : "cannot open the index");
        free(err);
    }
    return w->searcher;
}
