/* Running a topic set through the searcher for `ofsearch eval`: every topic goes through
 * ofs_search exactly as a user's query would, and the hits become a TREC run (sections mapped to
 * judged docids, first occurrence kept). */
#include "eval_internal.h"

#include "alloc.h"

#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include <stdlib.h>
#include <string.h>

void ofs_eval_search_options_default(ofs_eval_search_options *o)
{
    memset(o, 0, sizeof *o);
    o->depth = 100;
    o->docid = OFS_DOCID_ID;
}

/* Whether docid is among the first n docids already taken for this query. Runs are at most
 * 1000 deep, so a linear scan is cheaper than any set. */
static int seen(char **taken, size_t n, const char *docid)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(taken[i], docid))
            return 1;
    return 0;
}

/* Adds one topic's hits to the run. */
static int add_hits(ofs_run *run, const char *qid, const ofs_results *res, ofs_docid_mode mode,
                    char **errmsg)
{
    char **taken = ofsi_xreallocarray(NULL, res->nhits, sizeof *taken);
    size_t n = 0;
    int rc = OFS_OK;
    for (size_t i = 0; i < res->nhits && rc == OFS_OK; i++) {
        const ofs_hit *h = &res->hits[i];
        char *d = ofs_eval_hit_docid(h->docid, h->path, h->url, mode);
        if (!*d || seen(taken, n, d)) {
            free(d); /* a later section of a document already ranked, or no id at all */
        } else {
            taken[n++] = d;
            rc = ofs_run_add(run, qid, d, h->score, errmsg);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(taken[i]);
    free(taken);
    return rc;
}

int ofs_eval_search(struct ofs_searcher *s, const ofs_topics *topics,
                    const ofs_eval_search_options *o, ofs_run **out, size_t *failed,
                    char **errmsg)
{
    *out = NULL;
    if (failed)
        *failed = 0;
    if (o->depth < 1 || o->depth > 1000)
        return ofs_set_error(errmsg, OFS_INVALID, "eval: depth must be 1..1000, not %d",
                             o->depth);
    ofs_run *run;
    ofs_run_new(&run);
    int rc = OFS_OK;
    for (size_t i = 0; i < topics->n && rc == OFS_OK; i++) {
        ofs_query_request req;
        memset(&req, 0, sizeof req);
        req.q = topics->queries[i];
        req.limit = o->depth;
        req.collection = o->collection;
        req.prefix = o->prefix;
        req.no_snippets = 1;
        ofs_results *res = NULL;
        char *msg = NULL;
        rc = ofs_search(s, &req, &res, &msg);
        if (rc == OFS_INVALID || rc == OFS_TOOLONG) {
            /* The user would get an error for this query too: it retrieves nothing. */
            if (failed)
                (*failed)++;
            rc = OFS_OK;
        } else if (rc != OFS_OK) {
            rc = ofs_set_error(errmsg, rc, "topic %s: %s", topics->qids[i],
                               msg ? msg : ofs_strerror(rc));
        } else {
            rc = add_hits(run, topics->qids[i], res, o->docid, errmsg);
        }
        free(msg);
        ofs_results_free(res);
    }
    if (rc != OFS_OK) {
        ofs_run_free(run);
        return rc;
    }
    *out = run;
    return OFS_OK;
}
