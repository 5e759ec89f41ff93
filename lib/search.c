/* Searching an index: the query path shared by the CLI, the daemon and the relevance benchmark.
 * A searcher owns one read-only connection, its prepared statements, the index's tokenizer (to
 * fold query words the way the index did) and the synonyms; one searcher per thread, no globals.
 * This file holds its life (open, version checks, close) and the search; the rest of the
 * module (searcher.h) keeps the k best rows, term frequencies, spelling and suggestions.
 *
 * Ranking is BM25F (lib/rank.c: per-column weights and length normalisation), multiplied by a
 * boost for glossary terms and FAQ entries whose title matches the query as a whole. When the
 * all-words query finds nothing (or, if configured, fewer hits than the page needs), any-word
 * matches follow ("relaxed"). Each search parses the query once and runs in one read
 * transaction. Ranking is one C call per matching row (ofs_collect), which keeps the k best rows
 * itself; snippets are computed only for the rows of the page, in a second statement per hit
 * that reads the row by rowid with the phrase instances the ranked pass kept for it. */
#include "searcher.h"

#include "alloc.h"
#include "buffer.h"
#include "util.h"

#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sql_text[OFSI_ST__N] = {
    /* ST_TOP*: ?1 match, ?2 kind or NULL, ?10 collection; ofs_collect reads and fills s->pass
     * and is false for every row. The filters are inside a CASE so that only rows that pass them
     * are scored (the planner would evaluate a term that reads f alone before the joins). */
    [OFSI_ST_TOP] =
        "SELECT 1 FROM fts f WHERE f.fts MATCH ?1 AND ?2 IS NULL AND ofs_collect(f.fts)",
    [OFSI_ST_TOP_KIND] =
        "SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid WHERE f.fts MATCH ?1"
        " AND CASE WHEN s.kind = ?2 THEN ofs_collect(f.fts) ELSE 0 END",
    [OFSI_ST_TOP_COLL] =
        "SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid"
        " JOIN documents d ON d.id = s.document_id JOIN collections c ON c.id = d.collection_id"
        " WHERE f.fts MATCH ?1 AND CASE WHEN (?2 IS NULL OR s.kind = ?2) AND c.name = ?10"
        " THEN ofs_collect(f.fts) ELSE 0 END",
    /* ST_RANK*: the same with FTS5's bm25(); ?3..?7 weights, ?9 limit; ofs_boost reads s->pass */
    [OFSI_ST_RANK] =
        "SELECT f.rowid, " OFSI_BM25_SCORE
        " FROM fts f WHERE f.fts MATCH ?1 AND ?2 IS NULL ORDER BY score DESC LIMIT ?9",
    [OFSI_ST_RANK_KIND] =
        "SELECT f.rowid, " OFSI_BM25_SCORE
        " FROM fts f JOIN sections s ON s.id = f.rowid"
        " WHERE f.fts MATCH ?1 AND s.kind = ?2 ORDER BY score DESC LIMIT ?9",
    [OFSI_ST_RANK_COLL] =
        "SELECT f.rowid, " OFSI_BM25_SCORE
        " FROM fts f JOIN sections s ON s.id = f.rowid"
        " JOIN documents d ON d.id = s.document_id JOIN collections c ON c.id = d.collection_id"
        " WHERE f.fts MATCH ?1 AND (?2 IS NULL OR s.kind = ?2) AND c.name = ?10"
        " ORDER BY score DESC LIMIT ?9",
    [OFSI_ST_COUNT] =
        "SELECT count(*) FROM (SELECT 1 FROM fts f WHERE f.fts MATCH ?1 AND ?2 IS NULL"
        " LIMIT ?3)",
    [OFSI_ST_COUNT_KIND] =
        "SELECT count(*) FROM (SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid"
        " WHERE f.fts MATCH ?1 AND s.kind = ?2 LIMIT ?3)",
    [OFSI_ST_COUNT_COLL] =
        "SELECT count(*) FROM (SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid"
        " JOIN documents d ON d.id = s.document_id JOIN collections c ON c.id = d.collection_id"
        " WHERE f.fts MATCH ?1 AND (?2 IS NULL OR s.kind = ?2) AND c.name = ?4 LIMIT ?3)",
    [OFSI_ST_HIT] = "SELECT c.name, d.path, d.docid, s.url, d.title, s.headings, s.kind, s.title"
                    " FROM sections s JOIN documents d ON d.id = s.document_id"
                    " JOIN collections c ON c.id = d.collection_id WHERE s.id = ?1",
    [OFSI_ST_SNIPPET] =
        "SELECT ofs_snippet(fts, ?2, ?3) FROM fts WHERE fts MATCH ?1 AND rowid = ?4",
    /* The same, with the row's phrase instances from the ranked pass instead of a second MATCH:
     * a rowid lookup instead of an index lookup per phrase (a quarter of a median search). */
    [OFSI_ST_SNIPPET_INSTS] = "SELECT ofs_snippet(fts, ?2, ?3, ?5) FROM fts WHERE rowid = ?4",
    /* A hit's title and headings with its matches marked (mark_titles), the same two ways. */
    [OFSI_ST_MARK] = "SELECT ofs_highlight(fts, 0), ofs_highlight(fts, 1) FROM fts"
                     " WHERE fts MATCH ?1 AND rowid = ?4",
    [OFSI_ST_MARK_INSTS] = "SELECT ofs_highlight(fts, 0, ?5), ofs_highlight(fts, 1, ?5) FROM fts"
                           " WHERE rowid = ?4",
    [OFSI_ST_COUNTS] =
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM sections)",
    [OFSI_ST_KIND] = "SELECT kind, ord = 0 FROM sections WHERE id = ?1",
    [OFSI_ST_DATA_VERSION] = "PRAGMA data_version",
    [OFSI_ST_BEGIN] = "BEGIN",
    [OFSI_ST_COMMIT] = "COMMIT",
};

void ofs_search_config_default(ofs_search_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ranker = OFS_RANK_BM25F;
    cfg->k1 = 3.0;
    cfg->b = 0.75;
    cfg->w_title = 10.0;
    cfg->w_headings = 4.0;
    cfg->w_body = 1.0;
    cfg->w_code = 0.5;
    cfg->w_meta = 2.0;
    cfg->entry_boost = 1.5;
    cfg->fallback = 2;
    cfg->did_you_mean = 1;
    cfg->drop_stopwords = 1;
    cfg->dedupe = 0;
    cfg->common_share = 0.3;
    cfg->df_cache = 1;
    cfg->synonyms_path = NULL;
    cfg->max_query_bytes = 1024;
    cfg->max_limit = 100;
    cfg->snippet_tokens = 30;
    cfg->timeout_ms = 0;
}

/* Progress handler: interrupts a statement that runs past the searcher's deadline. */
static int on_progress(void *arg)
{
    ofs_searcher *s = arg;
    return s->deadline_ns && ofsi_clock_ns() > s->deadline_ns;
}

/* How much the title and a query of nq tokens
 * are one and the same (0..1): the share of the title's token positions that are query matches,
 * or of the query's tokens found in the title, whichever is smaller. "argo cd" covers the title
 * "Argo CD" fully; "argo cd application not syncing" covers it but is not it. */
static double title_cover(const Fts5ExtensionApi *api, Fts5Context *fts, const ofsi_doclens *lens,
                          int nq)
{
    int ntok = 0, ninst = 0;
    if (ofsi_doclens_column_size(api, fts, lens, 0, &ntok) != SQLITE_OK || ntok <= 0 ||
        api->xInstCount(fts, &ninst) != SQLITE_OK)
        return 0.0;
    unsigned char seen[256] = {0};
    int covered = 0, cap = ntok < 256 ? ntok : 256;
    for (int i = 0; i < ninst; i++) {
        int phrase, col, off;
        if (api->xInst(fts, i, &phrase, &col, &off) != SQLITE_OK || col != 0)
            continue;
        int len = api->xPhraseSize(fts, phrase);
        for (int k = off; k < off + len && k < cap; k++)
            if (k >= 0 && !seen[k]) {
                seen[k] = 1;
                covered++;
            }
    }
    double title_share = (double)covered / cap;
    double query_share = nq > 0 ? (double)covered / nq : 1.0;
    return title_share < query_share ? title_share : query_share;
}

/* In the kinds cache, a section that is its document's first row (its title row). */
#define KIND_FIRST 0x40

int ofsi_row_info(ofs_searcher *s, sqlite3_int64 id, int *first)
{
    if (id >= 0 && id < s->nkinds && s->kinds[id] != 0xff) {
        *first = (s->kinds[id] & KIND_FIRST) != 0;
        return s->kinds[id] & ~KIND_FIRST;
    }
    sqlite3_stmt *st = s->st[OFSI_ST_KIND];
    sqlite3_bind_int64(st, 1, id);
    int kind = -1;
    *first = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        kind = sqlite3_column_int(st, 0);
        *first = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return kind;
}

static int row_kind(ofs_searcher *s, sqlite3_int64 id)
{
    int first;
    return ofsi_row_info(s, id, &first);
}

/* The entry boost of the current row: for term and FAQ entries, it grows with the square of
 * the share of the title the query covers (`MOC` lifts the entry titled "MOC" fully, "What is
 * the MOC?" by a sixteenth); 1 for other rows. */
static double entry_boost(ofs_searcher *s, const Fts5ExtensionApi *api, Fts5Context *fts)
{
    const ofsi_pass *p = &s->pass;
    if (p->entry_boost == 1.0)
        return 1.0;
    double c = title_cover(api, fts, s->lens, p->nq);
    if (c <= 0 || row_kind(s, api->xRowid(fts)) < OFS_KIND_TERM)
        return 1.0;
    return 1.0 + (p->entry_boost - 1.0) * c * c;
}

/* ofs_boost(fts): the entry boost, for ranking with FTS5's bm25(). */
static void fn_boost(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                     int nval, sqlite3_value **vals)
{
    (void)nval, (void)vals;
    sqlite3_result_double(ctx, entry_boost(api->xUserData(fts), api, fts));
}

/* ofs_collect(fts): scores the row (BM25F of lib/rank.c times the entry boost, with the
 * searcher's parameters in s->pass) and keeps it, with its phrase instances, when it is among
 * the k best so far; false for every row. Keeping the page here rather than with ORDER BY score
 * LIMIT k spares SQLite a record and a sorter step for every matching row: a common word matches
 * tens of thousands of rows, and those steps were a third of its search. */
static void fn_collect(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                       int nval, sqlite3_value **vals)
{
    (void)nval, (void)vals;
    ofs_searcher *s = api->xUserData(fts);
    ofsi_pass *p = &s->pass;
    double score = 0;
    int title_hits = 0;
    int rc = ofsi_bm25f_row(api, fts, s->lens, &p->bm, p->known, &score, &title_hits);
    /* Only rows matched in the title can be boosted: most rows of a common word are not. */
    if (rc == SQLITE_OK && title_hits)
        score *= entry_boost(s, api, fts);
    if (rc == SQLITE_OK && ofsi_topk_admits(&p->top, score)) {
        ofsi_ranked r = {api->xRowid(fts), score, NULL, 0};
        unsigned char *insts = NULL;
        ofsi_insts_blob(api, fts, &insts, &r.ninsts);
        r.insts = insts;
        ofsi_topk_push(&p->top, r);
    }
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else
        sqlite3_result_int(ctx, 0);
}

/* Section kinds by rowid, one byte each, read once like the document sizes: the entry boost
 * needs the kind of every row with a title hit. */
static int load_kinds(ofs_searcher *s)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 maxid = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM sections", -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW)
        maxid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (maxid < 0 || maxid >= 16 * 1024 * 1024)
        return SQLITE_OK; /* empty, or too big to be worth it: ask the table */
    s->kinds = ofsi_xmalloc((size_t)maxid + 1);
    memset(s->kinds, 0xff, (size_t)maxid + 1);
    s->nkinds = maxid + 1;
    if (sqlite3_prepare_v2(s->db, "SELECT id, kind, ord = 0 FROM sections", -1, &st, NULL) !=
        SQLITE_OK)
        return SQLITE_ERROR;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        int kind = sqlite3_column_int(st, 1);
        if (id >= 0 && id < s->nkinds && kind >= 0 && kind < KIND_FIRST)
            s->kinds[id] = (unsigned char)(kind | (sqlite3_column_int(st, 2) ? KIND_FIRST : 0));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Creates the searcher's own tokenizer from the options recorded in the index, so query words
 * are folded exactly as the documents were. An index built with another tokenizer leaves
 * s->tok NULL: queries still work, did-you-mean is off. */
static int load_tokenizer(ofs_searcher *s, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'tokenizer'", -1, &st,
                                NULL);
    if (rc != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "not an ofsearch index: %s", sqlite3_errmsg(s->db));
    const char *opts = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        opts = (const char *)sqlite3_column_text(st, 0);
    /* As stored, whatever its length: options cut short would fold queries otherwise than the
     * index folded the documents. */
    rc = ofs_tokenizer_from_options(opts ? opts : "", &s->tok, errmsg);
    sqlite3_finalize(st);
    return rc == OFS_NOTFOUND ? OFS_OK : rc; /* a stock FTS5 tokenizer: no folding here */
}

static sqlite3_int64 data_version(ofs_searcher *s);

static int check_schema(ofs_searcher *s, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                           NULL) != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_INVALID, "not an ofsearch index (no meta table)");
    int version = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version != OFS_SCHEMA_VERSION)
        return ofs_set_error(errmsg, OFS_SCHEMA,
                             "index schema version %d, this ofsearch reads version %d: rebuild it "
                             "with `ofsearch index --rebuild`",
                             version, OFS_SCHEMA_VERSION);
    return OFS_OK;
}

/* The ranking functions and every statement of the module (with the vocabulary table that
 * term frequencies and spelling read). */
static int prepare_all(ofs_searcher *s, char **errmsg)
{
    fts5_api *api = ofsi_fts5_api(s->db);
    if (!api ||
        api->xCreateFunction(api, "ofs_boost", s, fn_boost, NULL) != SQLITE_OK ||
        api->xCreateFunction(api, "ofs_collect", s, fn_collect, NULL) != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "cannot register the ranking functions");
    char *err = NULL;
    if (sqlite3_exec(s->db, "CREATE VIRTUAL TABLE temp.ofs_vocab USING fts5vocab(main, fts, row)",
                     NULL, NULL, &err) != SQLITE_OK) {
        int rc = ofs_set_error(errmsg, OFS_DB, "cannot read the index vocabulary: %s", err);
        sqlite3_free(err);
        return rc;
    }
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < OFSI_ST__N; i++)
        rc = sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                                NULL);
    if (rc == SQLITE_OK)
        rc = ofsi_termstats_open(&s->terms, s->db);
    if (rc == SQLITE_OK)
        rc = ofsi_spell_open(&s->spell, s->db);
    if (rc == SQLITE_OK)
        rc = ofsi_suggest_open(s, api);
    if (rc != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "not a usable ofsearch index: %s",
                             sqlite3_errmsg(s->db));
    return OFS_OK;
}

int ofs_searcher_open(const char *dbpath, const ofs_search_config *cfg, ofs_searcher **out,
                      char **errmsg)
{
    *out = NULL;
    ofs_searcher *s = ofsi_xcalloc(1, sizeof *s);
    if (cfg)
        s->cfg = *cfg;
    else
        ofs_search_config_default(&s->cfg);
    if (s->cfg.max_limit <= 0 || s->cfg.max_limit > OFS_MAX_WINDOW)
        s->cfg.max_limit = OFS_MAX_WINDOW;
    int rc = OFS_OK;
    if (s->cfg.synonyms_path)
        s->synonyms_path = ofsi_xstrdup(s->cfg.synonyms_path);
    s->cfg.synonyms_path = s->synonyms_path;
    if (rc == OFS_OK &&
        sqlite3_open_v2(dbpath, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK)
        rc = ofs_set_error(errmsg, OFS_IO, "cannot open index %s: %s", dbpath,
                           s->db ? sqlite3_errmsg(s->db) : "out of memory");
    if (rc == OFS_OK) {
        sqlite3_busy_timeout(s->db, 5000);
        /* Memory-mapped reads and a larger page cache: a query touches posting lists, docsize
         * rows and section rows all over the file, and pread() per page dominated profiles. */
        sqlite3_exec(s->db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;", NULL,
                     NULL, NULL);
        if (ofs_fts5_register(s->db) != SQLITE_OK)
            rc = ofs_set_error(errmsg, OFS_DB, "cannot register the ofs tokenizer");
    }
    if (rc == OFS_OK)
        rc = check_schema(s, errmsg);
    if (rc == OFS_OK)
        rc = load_tokenizer(s, errmsg);
    if (rc == OFS_OK && ofsi_doclens_load(s->db, &s->lens) != SQLITE_OK)
        rc = ofs_set_error(errmsg, OFS_DB, "cannot read the index's document sizes: %s",
                           sqlite3_errmsg(s->db));
    if (rc == OFS_OK && load_kinds(s) != SQLITE_OK)
        rc = ofs_set_error(errmsg, OFS_DB, "cannot read the index's section kinds: %s",
                           sqlite3_errmsg(s->db));
    if (rc == OFS_OK)
        rc = prepare_all(s, errmsg);
    if (rc == OFS_OK && s->synonyms_path)
        rc = ofs_synonyms_load(s->synonyms_path, s->tok, &s->syn, errmsg);
    long ndocs = 0;
    if (rc == OFS_OK && ofs_searcher_counts(s, &ndocs, &s->nsections) != OFS_OK)
        rc = ofs_set_error(errmsg, OFS_DB, "cannot count the index's sections");
    if (rc != OFS_OK) {
        ofs_searcher_close(s);
        return rc;
    }
    s->data_version = data_version(s);
    sqlite3_progress_handler(s->db, 1000, on_progress, s);
    *out = s;
    return OFS_OK;
}

/* PRAGMA data_version: moves whenever another connection commits to the index; -1 on error. */
static sqlite3_int64 data_version(ofs_searcher *s)
{
    sqlite3_stmt *st = s->st[OFSI_ST_DATA_VERSION];
    sqlite3_int64 v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

/* If another connection changed the index since the caches were read, forgets them: document
 * sizes and section kinds are then asked of the index per row (the searcher stays right, but
 * slower until reopened: it is marked stale), term frequencies and the vocabulary are read anew
 * from the current contents. */
static void check_version(ofs_searcher *s)
{
    sqlite3_int64 v = data_version(s);
    if (v < 0 || v == s->data_version)
        return;
    ofsi_doclens_free(s->lens);
    s->lens = NULL;
    free(s->kinds);
    s->kinds = NULL;
    s->nkinds = 0;
    ofsi_termstats_clear(&s->terms);
    ofsi_spell_clear(&s->spell);
    ofsi_suggest_clear(&s->suggest);
    s->data_version = v;
    s->stale = 1;
}

int ofs_searcher_changed(ofs_searcher *s)
{
    check_version(s);
    return s->stale;
}

int ofs_searcher_stale(const ofs_searcher *s)
{
    return s->stale;
}

void ofs_searcher_close(ofs_searcher *s)
{
    if (!s)
        return;
    for (int i = 0; i < OFSI_ST__N; i++)
        sqlite3_finalize(s->st[i]);
    ofsi_termstats_close(&s->terms);
    ofsi_spell_close(&s->spell);
    ofsi_suggest_close(&s->suggest);
    sqlite3_close(s->db);
    ofs_tokenizer_free(s->tok);
    ofs_synonyms_free(s->syn);
    ofsi_doclens_free(s->lens);
    free(s->kinds);
    ofsi_topk_free(&s->pass.top);
    free(s->synonyms_path);
    free(s);
}

/* ---- one ranked pass ------------------------------------------------------------------- */

int ofsi_db_error(ofs_searcher *s, char **errmsg)
{
    int code = sqlite3_errcode(s->db);
    if (code == SQLITE_INTERRUPT)
        return ofs_set_error(errmsg, OFS_TIMEOUT, "search took longer than %d ms",
                             s->cfg.timeout_ms);
    return ofs_set_error(errmsg, OFS_DB, "search failed: %s", sqlite3_errmsg(s->db));
}

/* Sets what ofs_collect reads for the pass about to run. */
static void start_pass(ofs_searcher *s, const ofsi_pass_args *a, const double *w,
                       ofsi_phrase_df *known, int k)
{
    ofsi_pass *p = &s->pass;
    p->bm.k1 = s->cfg.k1;
    p->bm.b = s->cfg.b;
    p->bm.proximity = s->cfg.proximity;
    for (int c = 0; c < OFSI_RANK_MAX_COLS; c++)
        p->bm.w[c] = c < 5 ? w[c] : 1.0;
    p->entry_boost = s->cfg.entry_boost;
    p->nq = a->query_tokens;
    p->known = known;
    ofsi_topk_start(&p->top, k);
}

/* The default ranker's pass: ofs_collect keeps the k best rows while the statement runs (it
 * returns none); they go to out best first, those in skip left out. The caller resets st. */
static int top_rows(ofs_searcher *s, sqlite3_stmt *st, int want, const ofsi_ranked_list *skip,
                    ofsi_ranked_list *out)
{
    ofsi_topk *top = &s->pass.top;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        ofsi_topk_clear(top);
        return OFS_DB;
    }
    ofsi_topk_sort(top);
    int added = 0;
    for (int i = 0; i < top->n; i++) {
        ofsi_ranked *r = &top->v[i];
        if (added < want && !(skip && ofsi_ranked_has(skip, r->id))) {
            ofsi_ranked_take(out, *r);
            added++;
        } else {
            free(r->insts);
        }
    }
    top->n = 0;
    return OFS_OK;
}

/* The pass with FTS5's bm25(): the statement sorts, k rows at most. The caller resets st. */
static int bm25_rows(sqlite3_stmt *st, const double *w, int k, int want,
                     const ofsi_ranked_list *skip, ofsi_ranked_list *out)
{
    for (int i = 0; i < 5; i++)
        sqlite3_bind_double(st, 3 + i, w[i]);
    sqlite3_bind_int(st, 9, k);
    int rc = SQLITE_DONE, added = 0;
    while (added < want && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (skip && ofsi_ranked_has(skip, id))
            continue;
        ofsi_ranked_push(out, id, sqlite3_column_double(st, 1), sqlite3_column_blob(st, 2),
                    sqlite3_column_bytes(st, 2));
        added++;
    }
    return added < want && rc != SQLITE_DONE ? OFS_DB : OFS_OK;
}

/* Runs the ranked statement, appending up to `want` rows not already in `skip` to out; *matches
 * is how many rows matched (ofs_collect scores them all), or -1 when the ranking function cannot
 * tell (FTS5's bm25()). */
static int rank_pass(ofs_searcher *s, const ofsi_pass_args *a, int want,
                     const ofsi_ranked_list *skip, ofsi_ranked_list *out, long long *matches,
                     char **errmsg)
{
    int bm25 = s->cfg.ranker == OFS_RANK_FTS5_BM25;
    sqlite3_stmt *st = NULL;
    if (a->filter) {
        int rc = ofsi_request_stmt(s, bm25 ? OFSI_Q_RANK : OFSI_Q_TOP, a, 0, &st, errmsg);
        if (rc != OFS_OK)
            return rc;
    } else {
        /* Joining sections costs a lookup per matching row: only when a filter needs it. */
        int which = a->collection ? 2 : a->kind >= 0 ? 1 : 0;
        st = s->st[(bm25 ? OFSI_ST_RANK : OFSI_ST_TOP) + which];
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        sqlite3_bind_text(st, 1, a->form->match, -1, SQLITE_STATIC);
        if (a->kind >= 0)
            sqlite3_bind_int(st, 2, a->kind);
        if (a->collection)
            sqlite3_bind_text(st, 10, a->collection, -1, SQLITE_STATIC);
    }
    const double w[5] = {s->cfg.w_title, s->cfg.w_headings, s->cfg.w_body, s->cfg.w_code,
                         s->cfg.w_meta};
    ofsi_phrase_df known = {.n = 0, .rows = 0};
    if (s->cfg.df_cache && s->tok)
        ofsi_phrase_dfs(&s->terms, a->form, &known);
    *matches = -1;
    int k = want + (int)(skip ? skip->n : 0);
    start_pass(s, a, w, &known, k);
    int rc = bm25 ? bm25_rows(st, w, k, want, skip, out) : top_rows(s, st, want, skip, out);
    s->pass.known = NULL; /* it lives on this stack frame */
    if (rc != OFS_OK)
        rc = ofsi_db_error(s, errmsg);
    if (a->filter)
        sqlite3_finalize(st);
    else
        sqlite3_reset(st);
    if (rc != OFS_OK)
        return rc;
    if (!bm25)
        *matches = known.rows;
    return OFS_OK;
}

static int count_pass(ofs_searcher *s, const ofsi_pass_args *a, long *total, char **errmsg)
{
    if (a->filter) {
        sqlite3_stmt *fst;
        int rc = ofsi_request_stmt(s, OFSI_Q_COUNT, a, 0, &fst, errmsg);
        return rc == OFS_OK ? ofsi_request_count(s, fst, total, errmsg) : rc;
    }
    sqlite3_stmt *st = s->st[a->collection ? OFSI_ST_COUNT_COLL
                             : a->kind >= 0 ? OFSI_ST_COUNT_KIND
                                            : OFSI_ST_COUNT];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, a->form->match, -1, SQLITE_STATIC);
    if (a->kind >= 0)
        sqlite3_bind_int(st, 2, a->kind);
    sqlite3_bind_int(st, 3, OFS_TOTAL_CAP);
    if (a->collection)
        sqlite3_bind_text(st, 4, a->collection, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = ofsi_db_error(s, errmsg);
        sqlite3_reset(st);
        return rc;
    }
    *total = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return OFS_OK;
}

/* ---- hits -------------------------------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return ofsi_xstrdup(t ? t : "");
}

/* "Page title › parent headings"; the section's own title is shown apart. */
static char *make_breadcrumb(const char *page_title, const char *headings)
{
    ofsi_buf b = {0};
    size_t pl = strlen(page_title);
    int has_page = headings && strncmp(headings, page_title, pl) == 0;
    if (!has_page)
        ofsi_buf_add(&b, page_title, pl);
    if (headings && *headings) {
        if (!has_page && pl)
            ofsi_buf_add(&b, " › ", strlen(" › "));
        ofsi_buf_add(&b, headings, strlen(headings));
    }
    return ofsi_buf_take(&b);
}

/* A copy of s without OFS_MARK_OPEN and OFS_MARK_CLOSE. */
static char *unmarked(const char *s)
{
    char *u = ofsi_xmalloc(strlen(s) + 1), *o = u;
    for (; *s; s++)
        if (*s != OFS_MARK_OPEN && *s != OFS_MARK_CLOSE)
            *o++ = *s;
    *o = '\0';
    return u;
}

/* "Page title › parent headings" as make_breadcrumb makes it, from the headings with their
 * matches marked (the page title is not this row's text: it stays unmarked). */
static char *marked_breadcrumb(const char *page_title, const char *headings,
                               const char *marked)
{
    char *bare = unmarked(marked);
    char *b = NULL;
    if (strcmp(bare, headings ? headings : "") == 0) {
        ofsi_buf m = {0};
        size_t pl = strlen(page_title);
        int has_page = strncmp(bare, page_title, pl) == 0;
        if (!has_page)
            ofsi_buf_add(&m, page_title, pl);
        if (*marked) {
            if (!has_page && pl)
                ofsi_buf_add(&m, " › ", strlen(" › "));
            ofsi_buf_puts(&m, marked);
        }
        b = ofsi_buf_take(&m);
    } else { /* the marked text differs (whitespace collapsed): unmarked, as the breadcrumb */
        b = make_breadcrumb(page_title, headings);
    }
    free(bare);
    return b;
}

/* Fills h->marked_title and h->marked_breadcrumb: the row's title and headings columns with
 * the query's matches marked (ofs_highlight), from the instances the ranked pass kept. */
static void mark_hit(ofs_searcher *s, const char *match, const ofsi_ranked *row,
                     const char *page_title, const char *headings, ofs_hit *h)
{
    sqlite3_stmt *mk = s->st[row->insts ? OFSI_ST_MARK_INSTS : OFSI_ST_MARK];
    sqlite3_reset(mk);
    sqlite3_clear_bindings(mk);
    if (!row->insts)
        sqlite3_bind_text(mk, 1, match, -1, SQLITE_STATIC);
    else
        sqlite3_bind_blob(mk, 5, row->insts, row->ninsts, SQLITE_STATIC);
    sqlite3_bind_int64(mk, 4, row->id);
    const char *t = NULL, *hd = NULL;
    if (match || row->insts) {
        if (sqlite3_step(mk) == SQLITE_ROW) {
            t = (const char *)sqlite3_column_text(mk, 0);
            hd = (const char *)sqlite3_column_text(mk, 1);
        }
    }
    char *bare = t ? unmarked(t) : NULL;
    /* The title shown is the section's own unless it is a page's: marked only when it is this
     * row's title text. */
    h->marked_title = ofsi_xstrdup(bare && h->title && strcmp(bare, h->title) == 0 ? t
                                   : h->title ? h->title : "");
    h->marked_breadcrumb = hd ? marked_breadcrumb(page_title, headings, hd)
                              : make_breadcrumb(page_title, headings);
    free(bare);
    sqlite3_reset(mk);
}

static int fill_hit(ofs_searcher *s, const ofs_query_request *req, const char *match,
                    const ofsi_ranked *row, ofs_hit *h)
{
    int64_t id = row->id;
    double score = row->score;
    sqlite3_stmt *st = s->st[OFSI_ST_HIT];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return OFS_DB;
    }
    int kind = sqlite3_column_int(st, 6);
    const char *kname = ofs_kind_name((ofs_kind)kind);
    const char *page_title = (const char *)sqlite3_column_text(st, 4);
    const char *sec_title = (const char *)sqlite3_column_text(st, 7);
    h->collection = col_dup(st, 0);
    h->path = col_dup(st, 1);
    h->docid = col_dup(st, 2);
    h->url = col_dup(st, 3);
    h->title = ofsi_xstrdup(kind == OFS_KIND_PAGE || !sec_title || !*sec_title
                                ? (page_title ? page_title : "")
                                : sec_title);
    h->breadcrumb = make_breadcrumb(page_title ? page_title : "",
                                    (const char *)sqlite3_column_text(st, 5));
    h->kind = ofsi_xstrdup(kname ? kname : "section");
    h->score = score;
    h->id = id;
    if (req->mark_titles)
        mark_hit(s, match, row, page_title ? page_title : "",
                 (const char *)sqlite3_column_text(st, 5), h);
    sqlite3_reset(st);
    if (!req->no_snippets) {
        sqlite3_stmt *sn = s->st[row->insts ? OFSI_ST_SNIPPET_INSTS : OFSI_ST_SNIPPET];
        sqlite3_reset(sn);
        sqlite3_clear_bindings(sn);
        if (!row->insts)
            sqlite3_bind_text(sn, 1, match, -1, SQLITE_STATIC);
        sqlite3_bind_int(sn, 2, (int)req->snippet_mode);
        sqlite3_bind_int(sn, 3, req->snippet_tokens > 0 ? req->snippet_tokens
                                                        : s->cfg.snippet_tokens);
        sqlite3_bind_int64(sn, 4, id);
        if (row->insts)
            sqlite3_bind_blob(sn, 5, row->insts, row->ninsts, SQLITE_STATIC);
        if (sqlite3_step(sn) == SQLITE_ROW)
            h->snippet = col_dup(sn, 0);
        sqlite3_reset(sn);
    }
    if (!h->snippet)
        h->snippet = ofsi_xstrdup("");
    return OFS_OK;
}

static void hit_free(ofs_hit *h)
{
    free(h->collection);
    free(h->path);
    free(h->docid);
    free(h->url);
    free(h->title);
    free(h->breadcrumb);
    free(h->kind);
    free(h->snippet);
    free(h->marked_title);
    free(h->marked_breadcrumb);
}

void ofs_results_free(ofs_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhits; i++)
        hit_free(&r->hits[i]);
    free(r->hits);
    for (size_t i = 0; i < r->nfacets; i++)
        free(r->facets[i].value);
    free(r->facets);
    free(r->did_you_mean);
    free(r->fts_query);
    free(r);
}

/* ---- the search -------------------------------------------------------------------------- */

int ofsi_parse_query(ofs_searcher *s, const char *text, size_t len, int prefix, ofs_query **q,
                     char **errmsg)
{
    ofs_query_options o = {.prefix_last = prefix,
                           .max_bytes = s->cfg.max_query_bytes,
                           .synonyms = s->syn,
                           .tok = s->tok,
                           .drop_stopwords = s->cfg.drop_stopwords,
                           .dedupe = s->cfg.dedupe};
    return ofs_query_parse(text, len, &o, q, errmsg);
}

/* Renders q's any-word form without the words found in at least common_share of the index's
 * sections (a lone word, of at most 200 bytes, that folds to one term); 0 when there is none:
 * the any-word form stays as it was. */
static int leave_out_common(ofs_searcher *s, ofs_query *q)
{
    size_t n = ofsi_query_nclauses(q);
    if (!s->tok || s->nsections <= 0 || n == 0)
        return 0;
    unsigned char *common = ofsi_xcalloc(n, 1);
    double at_least = s->cfg.common_share * (double)s->nsections;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *term = ofsi_query_clause_term(q, i, &len);
        common[i] = term && len <= 200 && (double)ofsi_term_df(&s->terms, term) >= at_least;
        any |= common[i];
    }
    if (any)
        ofsi_query_leave_out(q, common);
    free(common);
    return any;
}

/* The number of matches of a pass (up to OFS_TOTAL_CAP) that returned `got` rows when asked for
 * `want` and scored `matches` rows (-1: unknown): without another statement when the pass ran
 * dry or counted them, else counted. */
static int pass_total(ofs_searcher *s, const ofsi_pass_args *a, size_t got, int want,
                      long long matches, long *total, char **errmsg)
{
    if (got < (size_t)want) {
        *total = (long)got;
        return OFS_OK;
    }
    if (matches >= 0) {
        *total = matches < OFS_TOTAL_CAP ? (long)matches : OFS_TOTAL_CAP;
        return OFS_OK;
    }
    return count_pass(s, a, total, errmsg);
}

/* Ranks one compiled query into `page` (rows offset..offset+limit of the full ranking): the
 * all-words matches first, then any-word matches when all-words found nothing (fallback 1) or
 * ran out before the page was full (fallback 2). Any-word queries over common words are the
 * most expensive kind, hence not the default for short pages. */
static int rank_query(ofs_searcher *s, ofs_query *q, const ofs_query_request *req, int kind,
                      const char *collection, ofsi_ranked_list *page, ofs_results *r,
                      char **errmsg)
{
    ofsi_query_form all, any;
    ofsi_query_get_form(q, OFSI_FORM_ALL, &all);
    ofsi_query_get_form(q, OFSI_FORM_ANY, &any);
    if (!all.match)
        return OFS_OK;
    int window = req->offset + req->limit;
    int nq = s->tok ? ofsi_query_positions(q) : 0;
    ofsi_pass_args a = {&all, collection, kind, nq, req->filter};
    ofsi_ranked_list full = {0};
    long long matches = -1;
    int rc = rank_pass(s, &a, window, NULL, &full, &matches, errmsg);
    if (rc == OFS_OK)
        rc = pass_total(s, &a, full.n, window, matches, &r->total, errmsg);
    int relax = req->all_words                 ? 0
                : s->cfg.fallback == 2 ? full.n < (size_t)window
                                       : s->cfg.fallback && !full.n;
    /* Topping up a page that already has all-words hits: words in a large share of the index
     * add little but cost a score for most rows, so the any-word query leaves them out. */
    if (rc == OFS_OK && relax && full.n > 0 && s->cfg.common_share > 0 &&
        leave_out_common(s, q))
        ofsi_query_get_form(q, OFSI_FORM_LEAN, &any);
    if (rc == OFS_OK && relax && any.match && strcmp(any.match, all.match)) {
        ofsi_pass_args b = {&any, collection, kind, nq, req->filter};
        size_t before = full.n;
        long total_any = 0;
        rc = rank_pass(s, &b, window - (int)before, &full, &full, &matches, errmsg);
        if (rc == OFS_OK)
            rc = pass_total(s, &b, full.n, window, matches, &total_any, errmsg);
        if (rc == OFS_OK && full.n > before) {
            r->relaxed = 1;
            r->total = total_any > r->total ? total_any : r->total;
        }
    }
    if (rc == OFS_OK) /* the page: rows offset.. of the ranking */
        ofsi_ranked_move(&full, (size_t)req->offset, page);
    ofsi_ranked_free(&full);
    return rc;
}

static int resolve_filters(const ofs_query_request *req, const ofs_query *q, int *kind,
                           const char **collection, char **errmsg)
{
    const char *kname = req->kind && *req->kind ? req->kind : ofs_query_kind(q);
    *kind = -1;
    if (kname && (*kind = ofs_kind_parse(kname)) < 0)
        return ofs_set_error(errmsg, OFS_INVALID,
                             "unknown kind '%s' (expected page, section, term or faq)", kname);
    *collection = req->collection && *req->collection ? req->collection : ofs_query_collection(q);
    return OFS_OK;
}

static int validate_request(ofs_searcher *s, const ofs_query_request *req, ofs_query_request *r,
                            char **errmsg)
{
    *r = *req;
    if (!r->q)
        r->q = "";
    if (!r->qlen)
        r->qlen = strlen(r->q);
    if (s->cfg.max_query_bytes && r->qlen > s->cfg.max_query_bytes)
        return ofs_set_error(errmsg, OFS_TOOLONG, "query too long: %zu bytes, the limit is %zu",
                             r->qlen, s->cfg.max_query_bytes);
    if (r->limit <= 0)
        r->limit = 10;
    if (r->limit > s->cfg.max_limit)
        return ofs_set_error(errmsg, OFS_INVALID, "limit %d is over the maximum of %d", r->limit,
                             s->cfg.max_limit);
    if (r->offset < 0 || r->offset + r->limit > OFS_MAX_WINDOW)
        return ofs_set_error(errmsg, OFS_INVALID,
                             "offset must be between 0 and %d (offset + limit at most %d)",
                             OFS_MAX_WINDOW - r->limit, OFS_MAX_WINDOW);
    return OFS_OK;
}

/* Collects the page's hits into r->hits. */
static int fill_page(ofs_searcher *s, const ofs_query_request *req, const char *match,
                     const ofsi_ranked_list *page, ofs_results *r, char **errmsg)
{
    if (!page->n)
        return OFS_OK;
    r->hits = ofsi_xcalloc(page->n, sizeof *r->hits);
    for (size_t i = 0; i < page->n; i++) {
        r->nhits++;
        int rc = fill_hit(s, req, match, &page->v[i], &r->hits[i]);
        if (rc != OFS_OK)
            return ofs_set_error(errmsg, rc, "cannot read hit: %s", sqlite3_errmsg(s->db));
    }
    return OFS_OK;
}

static int run_search(ofs_searcher *s, const ofs_query_request *req, ofs_results *r,
                      char **errmsg)
{
    ofs_query *q = NULL;
    int rc = ofsi_parse_query(s, req->q, req->qlen, req->prefix, &q, errmsg);
    int kind = -1;
    const char *collection = NULL;
    if (rc == OFS_OK)
        rc = resolve_filters(req, q, &kind, &collection, errmsg);
    ofsi_ranked_list page = {0};
    int browsing = rc == OFS_OK && req->placeholder && !ofs_query_match_all(q);
    ofsi_pass_args filters = {NULL, collection, kind, 0, req->filter};
    if (browsing)
        rc = ofsi_browse(s, req, &filters, &page, &r->total, errmsg);
    else if (rc == OFS_OK)
        rc = rank_query(s, q, req, kind, collection, &page, r, errmsg);
    const ofs_query *shown = q;
    ofs_query *fixed = NULL;
    if (rc == OFS_OK && r->total == 0 && ofs_query_match_all(q)) {
        r->did_you_mean = ofsi_spell_correct(s, q);
        /* Nothing matched as typed: answer the corrected query, as a user would retype it (a
         * text of its own, parsed as such). */
        if (r->did_you_mean && ofsi_parse_query(s, r->did_you_mean, strlen(r->did_you_mean),
                                                req->prefix, &fixed, NULL) == OFS_OK) {
            rc = rank_query(s, fixed, req, kind, collection, &page, r, errmsg);
            r->corrected = page.n > 0;
            if (page.n)
                shown = fixed;
        }
    }
    const char *match = rc == OFS_OK ? (r->relaxed ? ofs_query_match_any(shown)
                                                   : ofs_query_match_all(shown))
                                     : NULL;
    if (match)
        r->fts_query = ofsi_xstrdup(match);
    if (rc == OFS_OK)
        rc = fill_page(s, req, match, &page, r, errmsg);
    /* Facets count over the matches of the query shown (every section when browsing). */
    ofsi_query_form shown_form = {.match = match};
    filters.form = match ? &shown_form : NULL;
    if (rc == OFS_OK && req->nfacets && (match || browsing))
        rc = ofsi_count_facets(s, req, &filters, r, errmsg);
    ofsi_ranked_free(&page);
    ofs_query_free(fixed);
    ofs_query_free(q);
    return rc;
}

static void run_once(ofs_searcher *s, int which)
{
    sqlite3_step(s->st[which]);
    sqlite3_reset(s->st[which]);
}

/* One read transaction for a whole search or suggestion: every statement sees the same
 * snapshot, and the file and WAL locks are taken once instead of per statement (syscalls were a
 * tenth of a median query's time; with a transaction per statement, a suggestion's candidate
 * rows cost one typist's answers over HTTP a sixth of their time). */
void ofsi_snapshot_begin(ofs_searcher *s)
{
    run_once(s, OFSI_ST_BEGIN);
    /* The transaction's first read: has another connection changed the index since? */
    check_version(s);
}

/* A search a timeout interrupted has already ended it (SQLite rolls the transaction back). */
void ofsi_snapshot_end(ofs_searcher *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run_once(s, OFSI_ST_COMMIT);
}

int ofs_search(ofs_searcher *s, const ofs_query_request *req, ofs_results **out, char **errmsg)
{
    *out = NULL;
    int64_t t0 = ofsi_clock_ns();
    ofs_query_request r0;
    int rc = validate_request(s, req, &r0, errmsg);
    if (rc != OFS_OK)
        return rc;
    ofs_results *r = ofsi_xcalloc(1, sizeof *r);
    s->deadline_ns = s->cfg.timeout_ms > 0 ? t0 + (int64_t)s->cfg.timeout_ms * 1000000 : 0;
    ofsi_snapshot_begin(s);
    rc = run_search(s, &r0, r, errmsg);
    ofsi_snapshot_end(s);
    s->deadline_ns = 0;
    if (rc != OFS_OK) {
        ofs_results_free(r);
        return rc;
    }
    r->took_ms = (double)(ofsi_clock_ns() - t0) / 1e6;
    *out = r;
    return OFS_OK;
}

int ofs_searcher_counts(ofs_searcher *s, long *documents, long *sections)
{
    sqlite3_stmt *st = s->st[OFSI_ST_COUNTS];
    sqlite3_reset(st);
    int rc = sqlite3_step(st) == SQLITE_ROW ? OFS_OK : OFS_DB;
    if (rc == OFS_OK) {
        *documents = sqlite3_column_int64(st, 0);
        *sections = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc;
}
