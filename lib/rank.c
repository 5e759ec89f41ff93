/* ofs_bm25f(fts, k1, b, w_title, w_headings, w_body, w_code, w_meta [, proximity]):
 * BM25F ranking as an FTS5
 * auxiliary function. FTS5's built-in bm25() scores each column on its own and adds the column
 * scores, so a word found in the title and the body saturates twice; BM25F first adds the
 * weighted, length-normalised term frequencies of all columns, then saturates once, and takes
 * k1 and b as arguments (bm25() fixes them at 1.2 and 0.75). Its idf, log(1 + (N-n+.5)/(n+.5)),
 * never goes negative for words in most rows. With a proximity weight, pairs of different query
 * words found close together in one column add a BM25TP-style bonus (Rasolofo & Savoy): each
 * pair at distance d ≤ 5 accumulates 1/d², saturated like a term frequency and weighted by the
 * rarer word's idf. Chosen over bm25() by the relevance benchmark (docs/eval.md). Higher scores
 * are better. */
#include "alloc.h"
#include "internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define RANK_MAX_COLS OFSI_RANK_MAX_COLS
#define LENS_COLS 5             /* title, headings, body, code, meta */
#define LENS_MAX_ROWS 4000000   /* beyond this the cache would cost more memory than it saves */

/* Column sizes of every row, read once from the FTS5 %_docsize table. Ranking needs them for
 * each matching row, and FTS5 answers xColumnSize with one SQL lookup per row: 40% of the
 * ranking cost in profiles. Rows not in the cache (added after it was loaded) fall back to
 * xColumnSize. */
struct ofsi_doclens {
    sqlite3_int64 nrows;   /* rowids 0..nrows-1 */
    unsigned short *len;   /* nrows * LENS_COLS, saturated at 65535 */
    unsigned char *known;  /* 1 when the row was loaded */
};

/* SQLite's varint (as FTS5 writes docsize records); returns bytes read, 0 on overrun. */
static int get_varint(const unsigned char *p, int n, sqlite3_uint64 *v)
{
    *v = 0;
    for (int i = 0; i < 9 && i < n; i++) {
        if (i == 8) {
            *v = (*v << 8) | p[i];
            return 9;
        }
        *v = (*v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80))
            return i + 1;
    }
    return 0;
}

int ofsi_doclens_load(sqlite3 *db, ofsi_doclens **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_int64 maxid = 0;
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM fts_docsize", -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW)
        maxid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (maxid <= 0 || maxid >= LENS_MAX_ROWS)
        return SQLITE_OK; /* nothing to cache, or too much: rank through xColumnSize */
    ofsi_doclens *d = ofsi_xcalloc(1, sizeof *d);
    d->len = ofsi_xcalloc((size_t)(maxid + 1) * LENS_COLS, sizeof *d->len);
    d->known = ofsi_xcalloc((size_t)maxid + 1, 1);
    d->nrows = maxid + 1;
    int rc = sqlite3_prepare_v2(db, "SELECT id, sz FROM fts_docsize", -1, &st, NULL);
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        const unsigned char *sz = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1), off = 0;
        if (id < 0 || id >= d->nrows)
            continue;
        int c = 0;
        for (; c < LENS_COLS && off < n; c++) {
            sqlite3_uint64 v;
            int k = get_varint(sz + off, n - off, &v);
            if (!k)
                break;
            off += k;
            d->len[id * LENS_COLS + c] = (unsigned short)(v > 65535 ? 65535 : v);
        }
        d->known[id] = c == LENS_COLS;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        ofsi_doclens_free(d);
        return rc;
    }
    *out = d;
    return SQLITE_OK;
}

void ofsi_doclens_free(ofsi_doclens *d)
{
    if (!d)
        return;
    free(d->len);
    free(d->known);
    free(d);
}

/* The size of column col of the current row, from the cache when it has the row. */
static int column_size(const Fts5ExtensionApi *api, Fts5Context *fts, const ofsi_doclens *d,
                       int col, int *len)
{
    if (d && col < LENS_COLS) {
        sqlite3_int64 id = api->xRowid(fts);
        if (id >= 0 && id < d->nrows && d->known[id]) {
            *len = d->len[id * LENS_COLS + col];
            return SQLITE_OK;
        }
    }
    return api->xColumnSize(fts, col, len);
}

int ofsi_doclens_column_size(const Fts5ExtensionApi *api, Fts5Context *fts, const ofsi_doclens *d,
                            int col, int *len)
{
    return column_size(api, fts, d, col, len);
}

/* Per-query data, computed on the first row and kept with xSetAuxdata. */
typedef struct {
    int nphrase, ncol;
    double avglen[RANK_MAX_COLS];
    double *idf; /* per phrase */
} rank_query;

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
    (void)api, (void)fts;
    (*(sqlite3_int64 *)ctx)++;
    return SQLITE_OK;
}

static rank_query *rank_query_new(const Fts5ExtensionApi *api, Fts5Context *fts,
                                  const ofsi_phrase_df *known, int *rc)
{
    rank_query *q = ofsi_xcalloc(1, sizeof *q);
    q->nphrase = api->xPhraseCount(fts);
    q->ncol = api->xColumnCount(fts);
    if (q->ncol > RANK_MAX_COLS)
        q->ncol = RANK_MAX_COLS;
    q->idf = ofsi_xcalloc((size_t)q->nphrase, sizeof *q->idf);
    sqlite3_int64 nrow = 0;
    *rc = api->xRowCount(fts, &nrow);
    for (int c = 0; *rc == SQLITE_OK && c < q->ncol; c++) {
        sqlite3_int64 total = 0;
        *rc = api->xColumnTotalSize(fts, c, &total);
        q->avglen[c] = nrow > 0 && total > 0 ? (double)total / (double)nrow : 1.0;
    }
    for (int i = 0; *rc == SQLITE_OK && i < q->nphrase; i++) {
        sqlite3_int64 n = 0;
        if (known && i < known->n && known->df[i] >= 0)
            n = known->df[i];
        else
            *rc = api->xQueryPhrase(fts, i, &n, count_row);
        q->idf[i] = log(1.0 + ((double)nrow - (double)n + 0.5) / ((double)n + 0.5));
    }
    return q;
}

static void rank_query_free(void *p)
{
    rank_query *q = p;
    if (q)
        free(q->idf);
    free(q);
}

/* Weighted, length-normalised term frequency of every phrase in this row, into tf[nphrase]. */
static int row_frequencies(const Fts5ExtensionApi *api, Fts5Context *fts, const rank_query *q,
                           const ofsi_doclens *lens, double b, const double *w, double *tf,
                           int *title_hits)
{
    /* A column's length normalisation is worked out when the row first has a hit in it: most
     * rows match in one or two of the five columns, and this runs for every matching row. */
    double norm[RANK_MAX_COLS];
    unsigned char have[RANK_MAX_COLS] = {0};
    int ninst = 0;
    int rc = api->xInstCount(fts, &ninst);
    for (int k = 0; rc == SQLITE_OK && k < ninst; k++) {
        int phrase, col, off;
        rc = api->xInst(fts, k, &phrase, &col, &off);
        if (rc != SQLITE_OK)
            break;
        if (col == 0)
            (*title_hits)++;
        if (phrase < 0 || phrase >= q->nphrase || col < 0 || col >= q->ncol)
            continue;
        if (!have[col]) {
            int len = 0;
            rc = b > 0 ? column_size(api, fts, lens, col, &len) : SQLITE_OK;
            norm[col] = w[col] / (1.0 - b + b * (double)len / q->avglen[col]);
            have[col] = 1;
        }
        tf[phrase] += norm[col];
    }
    return rc;
}

#define PROX_WINDOW 5
#define PROX_MAX_PHRASES 16

/* The proximity bonus of this row: instances come from xInst ordered by column and offset. */
static double proximity(const Fts5ExtensionApi *api, Fts5Context *fts, const rank_query *q,
                        double k1)
{
    if (q->nphrase < 2 || q->nphrase > PROX_MAX_PHRASES)
        return 0;
    double acc[PROX_MAX_PHRASES][PROX_MAX_PHRASES] = {{0}};
    int ninst = 0;
    if (api->xInstCount(fts, &ninst) != SQLITE_OK)
        return 0;
    for (int a = 0; a < ninst; a++) {
        int pa, ca, oa;
        if (api->xInst(fts, a, &pa, &ca, &oa) != SQLITE_OK)
            return 0;
        for (int b = a + 1; b < ninst; b++) {
            int pb, cb, ob;
            if (api->xInst(fts, b, &pb, &cb, &ob) != SQLITE_OK || cb != ca)
                break;
            int d = ob - oa;
            if (d > PROX_WINDOW)
                break;
            if (pb != pa && d > 0)
                acc[pa < pb ? pa : pb][pa < pb ? pb : pa] += 1.0 / ((double)d * d);
        }
    }
    double bonus = 0;
    for (int i = 0; i < q->nphrase; i++)
        for (int j = i + 1; j < q->nphrase; j++)
            if (acc[i][j] > 0) {
                double w = q->idf[i] < q->idf[j] ? q->idf[i] : q->idf[j];
                bonus += w * acc[i][j] * (k1 + 1.0) / (k1 + acc[i][j]);
            }
    return bonus;
}

int ofsi_bm25f_row(const Fts5ExtensionApi *api, Fts5Context *fts, const ofsi_doclens *lens,
                  const ofsi_bm25f_params *p, ofsi_phrase_df *known, double *score, int *title_hits)
{
    int rc = SQLITE_OK, ignored = 0;
    if (!title_hits)
        title_hits = &ignored;
    *title_hits = 0;
    if (known)
        known->rows++;
    rank_query *q = api->xGetAuxdata(fts, 0);
    if (!q) {
        q = rank_query_new(api, fts, known, &rc);
        if (rc == SQLITE_OK)
            rc = api->xSetAuxdata(fts, q, rank_query_free);
        else
            rank_query_free(q);
        if (rc != SQLITE_OK)
            return rc;
    }
    /* Only the query's phrases are cleared: this runs for every matching row, and clearing the
     * whole array showed in profiles. */
    double stack_tf[32], *tf = stack_tf;
    if (q->nphrase > 32)
        tf = ofsi_xcalloc((size_t)q->nphrase, sizeof *tf);
    else
        for (int i = 0; i < q->nphrase; i++)
            stack_tf[i] = 0;
    rc = row_frequencies(api, fts, q, lens, p->b, p->w, tf, title_hits);
    double sum = 0;
    for (int i = 0; rc == SQLITE_OK && i < q->nphrase; i++)
        if (tf[i] > 0)
            sum += q->idf[i] * tf[i] * (p->k1 + 1.0) / (p->k1 + tf[i]);
    if (rc == SQLITE_OK && p->proximity > 0)
        sum += p->proximity * proximity(api, fts, q, p->k1);
    if (tf != stack_tf)
        free(tf);
    *score = sum;
    return rc;
}

static void fn_bm25f(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                     int nval, sqlite3_value **vals)
{
    ofsi_bm25f_params p;
    p.k1 = nval > 0 ? sqlite3_value_double(vals[0]) : 1.2;
    p.b = nval > 1 ? sqlite3_value_double(vals[1]) : 0.75;
    for (int c = 0; c < 5; c++)
        p.w[c] = nval > 2 + c ? sqlite3_value_double(vals[2 + c]) : 1.0;
    for (int c = 5; c < OFSI_RANK_MAX_COLS; c++)
        p.w[c] = 1.0;
    p.proximity = nval > 7 ? sqlite3_value_double(vals[7]) : 0.0;
    double score = 0;
    int rc = ofsi_bm25f_row(api, fts, api->xUserData(fts), &p, NULL, &score, NULL);
    if (rc == SQLITE_OK)
        sqlite3_result_double(ctx, score);
    else
        sqlite3_result_error_code(ctx, rc);
}

int ofsi_rank_register_fts5(fts5_api *api)
{
    return api->xCreateFunction(api, "ofs_bm25f", NULL, fn_bm25f, NULL);
}

int ofsi_rank_register_cached(fts5_api *api, const char *name, ofsi_doclens *lens)
{
    return api->xCreateFunction(api, name, lens, fn_bm25f, NULL);
}
