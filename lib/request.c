/* Statements a search request makes for itself: Meilisearch-style requests (issue 18) with a
 * filter, facet counts or no query at all. The searcher's prepared statements cover the plain
 * requests; a filter's SQL varies with the filter (lib/filter.c writes its condition), and these
 * requests are the rarer ones, so each statement here is prepared for its request and finalized
 * after it. Browsing lists every section that passes the filters in index order, the page of a
 * placeholder request; facets count the values of facetable fields over every match. */
#include "searcher.h"

#include "alloc.h"
#include "buffer.h"
#include "filter_sql.h"

#include "ofsearch/ofsearch.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Parameters: ?1 match, ?2 kind or NULL, ?10 collection or NULL, ?3 a count's cap (OFSI_Q_COUNT)
 * or ?3..?7 weights (OFSI_Q_RANK), ?9 a limit, the filter's values from ?11. */
#define FILTER_PARAM 11

/* The statement's SQL: its rows (matches, or every section when browsing) that pass the
 * filters, read as `what` says. */
static char *request_sql(int what, const ofsi_pass_args *a, int field)
{
    ofsi_buf cond = {0}, q = {0};
    ofsi_buf_puts(&cond, "(?2 IS NULL OR s.kind = ?2) AND (?10 IS NULL OR c.name = ?10)");
    if (a->filter) {
        int param = FILTER_PARAM;
        ofsi_buf_puts(&cond, " AND ");
        ofsi_filter_sql(a->filter, &cond, &param);
    }
    int browse = what == OFSI_Q_BROWSE || what == OFSI_Q_BROWSE_COUNT ||
                 what == OFSI_Q_BROWSE_FACET;
    const char *from = browse ? " FROM sections s JOIN documents d ON d.id = s.document_id"
                                " JOIN collections c ON c.id = d.collection_id WHERE "
                              : " FROM fts f JOIN sections s ON s.id = f.rowid"
                                " JOIN documents d ON d.id = s.document_id"
                                " JOIN collections c ON c.id = d.collection_id"
                                " WHERE f.fts MATCH ?1 AND ";
    const char *c = cond.s;
    switch (what) {
    case OFSI_Q_TOP: /* the filters inside the CASE, as in ST_TOP_COLL: only passing rows scored */
        ofsi_buf_puts(&q, "SELECT 1");
        ofsi_buf_puts(&q, from);
        ofsi_buf_puts(&q, "CASE WHEN ");
        ofsi_buf_puts(&q, c);
        ofsi_buf_puts(&q, " THEN ofs_collect(f.fts) ELSE 0 END");
        break;
    case OFSI_Q_RANK:
        ofsi_buf_puts(&q, "SELECT f.rowid, " OFSI_BM25_SCORE);
        ofsi_buf_puts(&q, from);
        ofsi_buf_puts(&q, c);
        ofsi_buf_puts(&q, " ORDER BY score DESC LIMIT ?9");
        break;
    case OFSI_Q_COUNT:
    case OFSI_Q_BROWSE_COUNT:
        ofsi_buf_puts(&q, "SELECT count(*) FROM (SELECT 1");
        ofsi_buf_puts(&q, from);
        ofsi_buf_puts(&q, c);
        ofsi_buf_puts(&q, " LIMIT ?3)");
        break;
    case OFSI_Q_BROWSE:
        ofsi_buf_puts(&q, "SELECT s.id");
        ofsi_buf_puts(&q, from);
        ofsi_buf_puts(&q, c);
        ofsi_buf_puts(&q, " ORDER BY s.id LIMIT ?9");
        break;
    default: /* OFSI_Q_FACET, OFSI_Q_BROWSE_FACET */
        ofsi_buf_puts(&q, "SELECT v, count(*) FROM (SELECT (");
        ofsi_buf_puts(&q, ofsi_facet_field_sql((size_t)field));
        ofsi_buf_puts(&q, ") AS v");
        ofsi_buf_puts(&q, from);
        ofsi_buf_puts(&q, c);
        ofsi_buf_puts(&q, ") WHERE v IS NOT NULL GROUP BY v ORDER BY v LIMIT ?9");
    }
    free(cond.s);
    return ofsi_buf_take(&q);
}

int ofsi_request_stmt(ofs_searcher *s, int what, const ofsi_pass_args *a, int field,
                      sqlite3_stmt **out, char **errmsg)
{
    *out = NULL;
    char *sql = request_sql(what, a, field);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    free(sql);
    if (rc != SQLITE_OK || !st) {
        sqlite3_finalize(st);
        return ofs_set_error(errmsg, OFS_DB, "cannot prepare a filtered search: %s",
                             sqlite3_errmsg(s->db));
    }
    if (a->form)
        sqlite3_bind_text(st, 1, a->form->match, -1, SQLITE_STATIC);
    if (a->kind >= 0)
        sqlite3_bind_int(st, 2, a->kind);
    if (a->collection)
        sqlite3_bind_text(st, 10, a->collection, -1, SQLITE_STATIC);
    int param = FILTER_PARAM;
    if (a->filter && ofsi_filter_bind(a->filter, st, &param) != SQLITE_OK) {
        rc = ofs_set_error(errmsg, OFS_DB, "cannot bind a filter: %s", sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return rc;
    }
    *out = st;
    return OFS_OK;
}

int ofsi_request_count(ofs_searcher *s, sqlite3_stmt *st, long *total, char **errmsg)
{
    sqlite3_bind_int(st, 3, OFS_TOTAL_CAP);
    int rc = sqlite3_step(st) == SQLITE_ROW ? OFS_OK : ofsi_db_error(s, errmsg);
    if (rc == OFS_OK)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int ofsi_browse(ofs_searcher *s, const ofs_query_request *req, const ofsi_pass_args *a,
                ofsi_ranked_list *page, long *total, char **errmsg)
{
    static const unsigned char no_insts[8] = {'O', 'F', 'S', 'I', 0, 0, 0, 0};
    sqlite3_stmt *st;
    int rc = ofsi_request_stmt(s, OFSI_Q_BROWSE, a, 0, &st, errmsg);
    if (rc != OFS_OK)
        return rc;
    sqlite3_bind_int(st, 9, req->offset + req->limit);
    int step, row = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (row++ >= req->offset)
            ofsi_ranked_push(page, sqlite3_column_int64(st, 0), 0.0, no_insts, sizeof no_insts);
    if (step != SQLITE_DONE)
        rc = ofsi_db_error(s, errmsg);
    sqlite3_finalize(st);
    if (rc == OFS_OK &&
        (rc = ofsi_request_stmt(s, OFSI_Q_BROWSE_COUNT, a, 0, &st, errmsg)) == OFS_OK)
        rc = ofsi_request_count(s, st, total, errmsg);
    return rc;
}

int ofsi_count_facets(ofs_searcher *s, const ofs_query_request *req, const ofsi_pass_args *a,
                      ofs_results *r, char **errmsg)
{
    int rc = OFS_OK;
    for (size_t i = 0; rc == OFS_OK && i < req->nfacets; i++) {
        const char *name = ofs_facet_field_name((size_t)req->facets[i]);
        if (!name)
            return ofs_set_error(errmsg, OFS_INVALID, "no facetable field %d", req->facets[i]);
        sqlite3_stmt *st;
        rc = ofsi_request_stmt(s, a->form ? OFSI_Q_FACET : OFSI_Q_BROWSE_FACET, a,
                               req->facets[i], &st, errmsg);
        if (rc != OFS_OK)
            return rc;
        sqlite3_bind_int(st, 9, OFS_FACET_VALUES);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *text = (const char *)sqlite3_column_text(st, 0);
            r->facets = ofsi_xreallocarray(r->facets, r->nfacets + 1, sizeof *r->facets);
            r->facets[r->nfacets++] = (ofs_facet_count){name, ofsi_xstrdup(text ? text : ""),
                                                        sqlite3_column_int64(st, 1)};
        }
        if (step != SQLITE_DONE)
            rc = ofsi_db_error(s, errmsg);
        sqlite3_finalize(st);
    }
    return rc;
}
