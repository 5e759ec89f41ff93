/* Searching an index: the query path shared by the CLI, the daemon and the relevance benchmark.
 * A searcher owns one read-only connection, its prepared statements, the index's tokenizer (to
 * fold query words the way the index did) and the synonyms; one searcher per thread, no globals.
 *
 * Ranking is BM25F (lib/rank.c: per-column weights and length normalisation), multiplied by a
 * boost for glossary terms and FAQ entries whose title matches the query as a whole. When the all-words query finds nothing
 * (or, if configured, fewer hits than the page needs), any-word matches follow ("relaxed").
 * Each search parses the query once and runs in one read transaction. Ranking is one C call per matching row (ofs_collect),
 * which keeps the k best rows itself; snippets are computed only for the rows of the page, in a
 * second statement per hit that reads the row by rowid with the phrase instances the ranked pass
 * kept for it. */
#include "ofsearch/search.h"

#include "alloc.h"
#include "buffer.h"
#include "internal.h"
#include "utf8.h"
#include "util.h"
#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"
#include "ofsearch/tokenizer.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The score for ranking with FTS5's bm25() (an evaluation configuration): negated, higher is
 * better, times the entry boost (ofs_boost); then the row's phrase instances for its snippet.
 * The default ranker needs no ORDER BY: ofs_collect keeps the page's rows as it scores them. */
#define BM25_SCORE                                                                             \
    "-bm25(f.fts, ?3, ?4, ?5, ?6, ?7) * ofs_boost(f.fts) AS score, ofs_insts(f.fts)"

/* ST_TOP* and ST_RANK* are each in the order plain, kind filter, collection filter. */
enum {
    ST_TOP, ST_TOP_KIND, ST_TOP_COLL, ST_RANK, ST_RANK_KIND, ST_RANK_COLL,
    ST_COUNT, ST_COUNT_KIND, ST_COUNT_COLL, ST_HIT, ST_SNIPPET, ST_SNIPPET_INSTS,
    ST_VOCAB_EQ, ST_VOCAB_RANGE, ST_SURFACE, ST_SUGGEST, ST_SUGGEST_ROW, ST_COUNTS, ST_KIND,
    ST_DATA_VERSION, ST_BEGIN, ST_COMMIT, ST__N
};

/* A word's document frequency, remembered for the searcher's life: ranking needs it for every
 * query word, and counting the rows of a common word costs more than scoring the page. The
 * searcher reads one snapshot of the index at a time; a long-lived searcher over an index updated
 * in place may score with slightly old frequencies until it is reopened (ofsearchd reopens on
 * every index change). */
#define DF_SLOTS 4096
typedef struct {
    char *term;
    long long df;
} df_entry;

/* A ranked row: its score and, for its snippet, ofs_insts() of it in its pass (may be NULL). */
typedef struct {
    int64_t id;
    double score;
    void *insts;
    int ninsts;
} ranked;

/* The parameters of the ranked pass being stepped, read by ofs_collect for every row, and the k
 * best rows so far. */
typedef struct {
    ofsi_bm25f_params bm;
    double entry_boost;
    int nq;                 /* query tokens, for the title cover */
    ofsi_phrase_df *known;   /* phrase dfs, and the count of rows scored */
    int k;
    ranked *top;            /* min-heap of the k best rows so far, the worst at the root */
    int ntop, topcap;
    char initial[8];        /* suggest: a title word must start with this token, if set */
    int ninitial;
} score_pass;

/* The index's vocabulary in memory, sorted as FTS5 keeps it. Did-you-mean compares a word with
 * every term that starts with the same character, and fts5vocab computes each term's row count
 * by walking its postings: 3 ms a word on tldr-pages, where reading all 90k terms once costs
 * 70 ms. A searcher that corrects words often (a daemon's) reads them once; one that corrects
 * a word or two (the CLI) keeps asking fts5vocab. */
#define VOCAB_AFTER_CALLS 3
#define VOCAB_MAX_TERMS 4000000
typedef struct {
    char *text;               /* the terms, NUL-separated */
    size_t *off;              /* term i starts at text + off[i] */
    long *docs;
    size_t n;
    int state;                /* 0 not tried, 1 loaded, -1 failed or too big */
} vocab_cache;

static void vocab_free(vocab_cache *v)
{
    free(v->text);
    free(v->off);
    free(v->docs);
}

/* Suggestions for one-character prefixes, remembered until the index changes: such a prefix
 * matches every title word with that first letter, and FTS5 has no one-character prefix index,
 * so it merges the postings of every term with that letter in any column (2 ms on tldr-pages,
 * where longer prefixes take 0.2 ms). There are few such prefixes. */
#define SUGGEST_MEMO 64
typedef struct {
    char key[5];
    int limit;
    ofs_suggestions *sg;
} suggest_memo;

struct ofs_searcher {
    sqlite3 *db;
    ofs_search_config cfg;
    char *synonyms_path;
    ofs_tokenizer *tok; /* NULL when the index uses a tokenizer other than ofs */
    ofs_synonyms *syn;
    ofsi_doclens *lens;  /* column sizes for ranking; NULL: ask FTS5 per row */
    long nsections;     /* rows in the index when opened (for common_share) */
    df_entry *df;       /* term -> document frequency, open addressing, DF_SLOTS slots */
    int ndf;
    sqlite3_stmt *st[ST__N];
    int64_t deadline_ns; /* progress-handler deadline of the running search; 0 = none */
    sqlite3_int64 data_version; /* of the index when the caches above were read */
    unsigned char *kinds; /* section kind by rowid (0xff: not loaded), nkinds rows */
    sqlite3_int64 nkinds;
    score_pass pass;      /* what ofs_collect needs for the statement being stepped */
    vocab_cache vocab;    /* every term and its rows, once did-you-mean is used often */
    suggest_memo memo[SUGGEST_MEMO]; /* suggestions for one-character prefixes */
    int nmemo;
    int spell_calls;
    int stale;            /* the index changed since open: sizes and kinds were dropped */
};

static const char *const sql_text[ST__N] = {
    /* ST_TOP*: ?1 match, ?2 kind or NULL, ?10 collection; ofs_collect reads and fills s->pass
     * and is false for every row. The filters are inside a CASE so that only rows that pass them
     * are scored (the planner would evaluate a term that reads f alone before the joins). */
    [ST_TOP] = "SELECT 1 FROM fts f WHERE f.fts MATCH ?1 AND ?2 IS NULL AND ofs_collect(f.fts)",
    [ST_TOP_KIND] = "SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid WHERE f.fts MATCH ?1"
                    " AND CASE WHEN s.kind = ?2 THEN ofs_collect(f.fts) ELSE 0 END",
    [ST_TOP_COLL] =
        "SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid"
        " JOIN documents d ON d.id = s.document_id JOIN collections c ON c.id = d.collection_id"
        " WHERE f.fts MATCH ?1 AND CASE WHEN (?2 IS NULL OR s.kind = ?2) AND c.name = ?10"
        " THEN ofs_collect(f.fts) ELSE 0 END",
    /* ST_RANK*: the same with FTS5's bm25(); ?3..?7 weights, ?9 limit; ofs_boost reads s->pass */
    [ST_RANK] =
        "SELECT f.rowid, " BM25_SCORE
        " FROM fts f WHERE f.fts MATCH ?1 AND ?2 IS NULL ORDER BY score DESC LIMIT ?9",
    [ST_RANK_KIND] =
        "SELECT f.rowid, " BM25_SCORE
        " FROM fts f JOIN sections s ON s.id = f.rowid"
        " WHERE f.fts MATCH ?1 AND s.kind = ?2 ORDER BY score DESC LIMIT ?9",
    [ST_RANK_COLL] =
        "SELECT f.rowid, " BM25_SCORE
        " FROM fts f JOIN sections s ON s.id = f.rowid"
        " JOIN documents d ON d.id = s.document_id JOIN collections c ON c.id = d.collection_id"
        " WHERE f.fts MATCH ?1 AND (?2 IS NULL OR s.kind = ?2) AND c.name = ?10"
        " ORDER BY score DESC LIMIT ?9",
    [ST_COUNT] = "SELECT count(*) FROM (SELECT 1 FROM fts f WHERE f.fts MATCH ?1 AND ?2 IS NULL"
                 " LIMIT ?3)",
    [ST_COUNT_KIND] = "SELECT count(*) FROM (SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid"
                      " WHERE f.fts MATCH ?1 AND s.kind = ?2 LIMIT ?3)",
    [ST_COUNT_COLL] =
        "SELECT count(*) FROM (SELECT 1 FROM fts f JOIN sections s ON s.id = f.rowid"
        " JOIN documents d ON d.id = s.document_id JOIN collections c ON c.id = d.collection_id"
        " WHERE f.fts MATCH ?1 AND (?2 IS NULL OR s.kind = ?2) AND c.name = ?4 LIMIT ?3)",
    [ST_HIT] = "SELECT c.name, d.path, d.docid, s.url, d.title, s.headings, s.kind, s.title"
               " FROM sections s JOIN documents d ON d.id = s.document_id"
               " JOIN collections c ON c.id = d.collection_id WHERE s.id = ?1",
    [ST_SNIPPET] = "SELECT ofs_snippet(fts, ?2, ?3) FROM fts WHERE fts MATCH ?1 AND rowid = ?4",
    /* The same, with the row's phrase instances from the ranked pass instead of a second MATCH:
     * a rowid lookup instead of an index lookup per phrase (a quarter of a median search). */
    [ST_SNIPPET_INSTS] = "SELECT ofs_snippet(fts, ?2, ?3, ?5) FROM fts WHERE rowid = ?4",
    [ST_VOCAB_EQ] = "SELECT doc FROM temp.ofs_vocab WHERE term = ?1",
    [ST_VOCAB_RANGE] = "SELECT term, doc FROM temp.ofs_vocab WHERE term >= ?1 AND term < ?2",
    /* A text where an indexed term occurs, the occurrence marked, to show a stemmed term as a
     * word people write ("kubernet" -> "kubernetes"). */
    [ST_SURFACE] = "SELECT highlight(fts, 0, char(1), char(2)), highlight(fts, 2, char(1), char(2))"
                   " FROM fts WHERE fts MATCH ?1 LIMIT 1",
    /* Suggestions: ofs_suggest_keep keeps the best rows that can be suggested in s->pass (it
     * is false for every row); their titles and urls are then read by id. */
    [ST_SUGGEST] = "SELECT 1 FROM fts f WHERE f.fts MATCH ?1 AND ofs_suggest_keep(f.fts)",
    [ST_SUGGEST_ROW] = "SELECT s.title, s.url, c.name, d.path FROM sections s"
                       " JOIN documents d ON d.id = s.document_id"
                       " JOIN collections c ON c.id = d.collection_id WHERE s.id = ?1",
    [ST_COUNTS] = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM sections)",
    [ST_KIND] = "SELECT kind, ord = 0 FROM sections WHERE id = ?1",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    [ST_BEGIN] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
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

/* The kind of section id and whether it is its document's first row: from the cache loaded at
 * open, else from the table. Returns the kind, -1 when there is no such row. */
static int row_info(ofs_searcher *s, sqlite3_int64 id, int *first)
{
    if (id >= 0 && id < s->nkinds && s->kinds[id] != 0xff) {
        *first = (s->kinds[id] & KIND_FIRST) != 0;
        return s->kinds[id] & ~KIND_FIRST;
    }
    sqlite3_stmt *st = s->st[ST_KIND];
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
    return row_info(s, id, &first);
}

/* The entry boost of the current row: for term and FAQ entries, it grows with the square of
 * the share of the title the query covers (`MOC` lifts the entry titled "MOC" fully, "What is
 * the MOC?" by a sixteenth); 1 for other rows. */
static double entry_boost(ofs_searcher *s, const Fts5ExtensionApi *api, Fts5Context *fts)
{
    const score_pass *p = &s->pass;
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

/* Whether ranked row a sorts after b: a lower score, or the same score and a later row (the
 * order ORDER BY score DESC gave: FTS5 returns rows by rowid and SQLite's sorter is stable). */
static int ranks_after(const ranked *a, const ranked *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

static void top_sift_down(ranked *h, int n, int i)
{
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && ranks_after(&h[c + 1], &h[c]))
            c++;
        if (!ranks_after(&h[c], &h[i]))
            return;
        ranked t = h[i];
        h[i] = h[c];
        h[c] = t;
        i = c;
    }
}

/* Adds the current row to the k best when it belongs there; rows come in rowid order, so a row
 * scoring the same as the worst kept one stays out. */
static void top_offer(score_pass *p, const Fts5ExtensionApi *api, Fts5Context *fts, double score,
                      int with_insts)
{
    if (p->k <= 0 || (p->ntop == p->k && !(score > p->top[0].score)))
        return;
    unsigned char *insts = NULL;
    int ninsts = 0;
    if (with_insts)
        ofsi_insts_blob(api, fts, &insts, &ninsts);
    ranked r = {api->xRowid(fts), score, insts, ninsts};
    if (p->ntop == p->k) { /* the new row replaces the worst */
        free(p->top[0].insts);
        p->top[0] = r;
        top_sift_down(p->top, p->ntop, 0);
        return;
    }
    int i = p->ntop++;
    for (; i > 0 && ranks_after(&r, &p->top[(i - 1) / 2]); i = (i - 1) / 2)
        p->top[i] = p->top[(i - 1) / 2];
    p->top[i] = r;
}

/* Empties the k best (a pass that ended, or failed, with rows not taken). */
static void top_clear(score_pass *p)
{
    for (int i = 0; i < p->ntop; i++)
        free(p->top[i].insts);
    p->ntop = 0;
}

/* Starts keeping the k best rows. */
static void top_start(score_pass *p, int k)
{
    p->k = k;
    top_clear(p);
    if (k > p->topcap) {
        p->top = ofsi_xreallocarray(p->top, (size_t)k, sizeof *p->top);
        p->topcap = k;
    }
}

static int cmp_ranked(const void *a, const void *b)
{
    return ranks_after(a, b) ? 1 : ranks_after(b, a) ? -1 : 0;
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
    score_pass *p = &s->pass;
    double score = 0;
    int title_hits = 0;
    int rc = ofsi_bm25f_row(api, fts, s->lens, &p->bm, p->known, &score, &title_hits);
    /* Only rows matched in the title can be boosted: most rows of a common word are not. */
    if (rc == SQLITE_OK && title_hits)
        score *= entry_boost(s, api, fts);
    if (rc == SQLITE_OK)
        top_offer(p, api, fts, score, 1);
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else
        sqlite3_result_int(ctx, 0);
}

typedef struct {
    const char *initial;
    int n, found;
} initial_check;

static int check_initial(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)flags, (void)start, (void)end;
    initial_check *c = ctx;
    c->found |= n >= c->n && memcmp(t, c->initial, (size_t)c->n) == 0;
    return 0;
}

/* Whether the row's title has a word starting with s->pass.initial (always, when none is set):
 * what `title: x*` would find for a one-character x, without FTS5 merging the postings of every
 * term that starts with x. */
static int has_initial(ofs_searcher *s, const Fts5ExtensionApi *api, Fts5Context *fts)
{
    const score_pass *p = &s->pass;
    if (p->ninitial <= 0)
        return 1;
    const char *text = NULL;
    int n = 0;
    if (api->xColumnText(fts, 0, &text, &n) != SQLITE_OK || !text)
        return 0;
    initial_check c = {p->initial, p->ninitial, 0};
    ofs_tokenizer_run(s->tok, OFS_TOKENIZE_DOCUMENT, text, n, check_initial, &c);
    return c.found;
}

/* ofs_suggest_keep(fts): keeps the row in the k best suggestions so far when it can be
 * suggested: a document's first row (its title), a glossary term or a FAQ question. Terms and
 * questions come first, then shorter titles, then earlier rows. The kinds and title sizes are
 * the caches read at open, so no row is read from the table: a one-letter prefix matches
 * thousands of titles in a large index, and sorting them in SQL after a join took 15 ms. */
static void fn_suggest_keep(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                            int nval, sqlite3_value **vals)
{
    (void)nval, (void)vals;
    ofs_searcher *s = api->xUserData(fts);
    int first = 0, len = 0, rc = SQLITE_OK;
    int kind = row_info(s, api->xRowid(fts), &first);
    int entry = kind == OFS_KIND_TERM || kind == OFS_KIND_FAQ;
    if ((first || entry) && has_initial(s, api, fts)) {
        rc = ofsi_doclens_column_size(api, fts, s->lens, 0, &len);
        double score = (entry ? 1e9 : 0) - len;
        if (rc == SQLITE_OK)
            top_offer(&s->pass, api, fts, score, 0);
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
    char opts[512] = "";
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(opts, sizeof opts, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    rc = ofs_tokenizer_from_options(opts, &s->tok, errmsg);
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

static int prepare_all(ofs_searcher *s, char **errmsg)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, "CREATE VIRTUAL TABLE temp.ofs_vocab USING fts5vocab(main, fts, row)",
                     NULL, NULL, &err) != SQLITE_OK) {
        int rc = ofs_set_error(errmsg, OFS_DB, "cannot read the index vocabulary: %s", err);
        sqlite3_free(err);
        return rc;
    }
    for (int i = 0; i < ST__N; i++)
        if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK)
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
    fts5_api *api = rc == OFS_OK ? ofsi_fts5_api(s->db) : NULL;
    if (rc == OFS_OK &&
        (!api ||
         api->xCreateFunction(api, "ofs_boost", s, fn_boost, NULL) != SQLITE_OK ||
         api->xCreateFunction(api, "ofs_collect", s, fn_collect, NULL) != SQLITE_OK ||
         api->xCreateFunction(api, "ofs_suggest_keep", s, fn_suggest_keep, NULL) != SQLITE_OK))
        rc = ofs_set_error(errmsg, OFS_DB, "cannot register the ranking functions");
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
    sqlite3_stmt *st = s->st[ST_DATA_VERSION];
    sqlite3_int64 v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

static void memo_clear(ofs_searcher *s)
{
    for (int i = 0; i < s->nmemo; i++)
        ofs_suggestions_free(s->memo[i].sg);
    s->nmemo = 0;
}

/* Room for cap suggestions. */
static ofs_suggestions *suggestions_new(size_t cap)
{
    ofs_suggestions *sg = ofsi_xcalloc(1, sizeof *sg);
    sg->items = ofsi_xcalloc(cap, sizeof *sg->items);
    sg->urls = ofsi_xcalloc(cap, sizeof *sg->urls);
    sg->collections = ofsi_xcalloc(cap, sizeof *sg->collections);
    sg->paths = ofsi_xcalloc(cap, sizeof *sg->paths);
    return sg;
}

static char *dup_or_null(const char *s)
{
    return s ? ofsi_xstrdup(s) : NULL;
}

/* Appends one suggestion (copies of the strings; url, collection and path may be NULL). */
static void suggestion_add(ofs_suggestions *sg, const char *text, const char *url,
                           const char *collection, const char *path)
{
    size_t i = sg->n++;
    sg->items[i] = dup_or_null(text);
    sg->urls[i] = dup_or_null(url);
    sg->collections[i] = dup_or_null(collection);
    sg->paths[i] = dup_or_null(path);
}

static ofs_suggestions *suggestions_copy(const ofs_suggestions *src)
{
    ofs_suggestions *sg = suggestions_new(src->n);
    for (size_t i = 0; i < src->n; i++)
        suggestion_add(sg, src->items[i], src->urls[i], src->collections[i], src->paths[i]);
    return sg;
}

/* The remembered slot for prefix (one UTF-8 character) and limit, or NULL. */
static suggest_memo *memo_find(ofs_searcher *s, const char *prefix, size_t len, int limit)
{
    for (int i = 0; i < s->nmemo; i++)
        if (s->memo[i].limit == limit && strlen(s->memo[i].key) == len &&
            memcmp(s->memo[i].key, prefix, len) == 0)
            return &s->memo[i];
    return NULL;
}

static void memo_add(ofs_searcher *s, const char *prefix, size_t len, int limit,
                     const ofs_suggestions *sg)
{
    if (s->nmemo == SUGGEST_MEMO)
        memo_clear(s); /* more distinct first letters than expected: start over */
    ofs_suggestions *copy = suggestions_copy(sg);
    suggest_memo *m = &s->memo[s->nmemo++];
    memcpy(m->key, prefix, len);
    m->key[len] = '\0';
    m->limit = limit;
    m->sg = copy;
}

static void df_clear(ofs_searcher *s)
{
    for (int i = 0; s->df && i < DF_SLOTS; i++) {
        free(s->df[i].term);
        s->df[i].term = NULL;
    }
    s->ndf = 0;
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
    df_clear(s);
    vocab_free(&s->vocab);
    memset(&s->vocab, 0, sizeof s->vocab);
    memo_clear(s);
    s->spell_calls = 0;
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
    for (int i = 0; i < ST__N; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    ofs_tokenizer_free(s->tok);
    ofs_synonyms_free(s->syn);
    ofsi_doclens_free(s->lens);
    free(s->kinds);
    top_clear(&s->pass);
    free(s->pass.top);
    df_clear(s);
    free(s->df);
    vocab_free(&s->vocab);
    memo_clear(s);
    free(s->synonyms_path);
    free(s);
}

/* ---- one ranked pass ------------------------------------------------------------------- */

typedef struct {
    ranked *v;
    size_t n, cap;
} ranked_list;

/* Appends a row, taking its insts. */
static void ranked_take(ranked_list *l, ranked r)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = ofsi_xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = r;
}

/* Appends a row; insts (n bytes) is copied. */
static void ranked_push(ranked_list *l, int64_t id, double score, const void *insts, int n)
{
    ranked r = {id, score, NULL, 0};
    if (insts && n > 0) {
        r.insts = ofsi_xmalloc((size_t)n);
        memcpy(r.insts, insts, (size_t)n);
        r.ninsts = n;
    }
    ranked_take(l, r);
}

static void ranked_free(ranked_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].insts);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int ranked_has(const ranked_list *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return 1;
    return 0;
}

/* What one ranked pass binds: a form of the compiled query and the filters. */
typedef struct {
    const ofsi_query_form *form; /* the FTS5 expression and its strings' terms */
    const char *collection;
    int kind;                    /* -1: any */
    int query_tokens;            /* token positions of the query's positive text (entry boost) */
} pass_args;

static int db_error(ofs_searcher *s, char **errmsg)
{
    int code = sqlite3_errcode(s->db);
    if (code == SQLITE_INTERRUPT)
        return ofs_set_error(errmsg, OFS_TIMEOUT, "search took longer than %d ms",
                             s->cfg.timeout_ms);
    return ofs_set_error(errmsg, OFS_DB, "search failed: %s", sqlite3_errmsg(s->db));
}

static void phrase_dfs(ofs_searcher *s, const ofsi_query_form *f, ofsi_phrase_df *out);

/* Sets what ofs_collect reads for the pass about to run. */
static void start_pass(ofs_searcher *s, const pass_args *a, const double *w, ofsi_phrase_df *known,
                      int k)
{
    score_pass *p = &s->pass;
    p->bm.k1 = s->cfg.k1;
    p->bm.b = s->cfg.b;
    p->bm.proximity = s->cfg.proximity;
    for (int c = 0; c < OFSI_RANK_MAX_COLS; c++)
        p->bm.w[c] = c < 5 ? w[c] : 1.0;
    p->entry_boost = s->cfg.entry_boost;
    p->nq = a->query_tokens;
    p->known = known;
    top_start(p, k);
}

/* The default ranker's pass: ofs_collect keeps the k best rows while the statement runs (it
 * returns none); they go to out best first, those in skip left out. The caller resets st. */
static int top_rows(ofs_searcher *s, sqlite3_stmt *st, int want, const ranked_list *skip,
                    ranked_list *out)
{
    score_pass *p = &s->pass;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        top_clear(p);
        return OFS_DB;
    }
    qsort(p->top, (size_t)p->ntop, sizeof *p->top, cmp_ranked);
    int added = 0;
    for (int i = 0; i < p->ntop; i++) {
        ranked *r = &p->top[i];
        if (added < want && !(skip && ranked_has(skip, r->id))) {
            ranked_take(out, *r);
            added++;
        } else {
            free(r->insts);
        }
    }
    p->ntop = 0;
    return OFS_OK;
}

/* The pass with FTS5's bm25(): the statement sorts, k rows at most. The caller resets st. */
static int bm25_rows(sqlite3_stmt *st, const double *w, int k, int want, const ranked_list *skip,
                     ranked_list *out)
{
    for (int i = 0; i < 5; i++)
        sqlite3_bind_double(st, 3 + i, w[i]);
    sqlite3_bind_int(st, 9, k);
    int rc = SQLITE_DONE, added = 0;
    while (added < want && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (skip && ranked_has(skip, id))
            continue;
        ranked_push(out, id, sqlite3_column_double(st, 1), sqlite3_column_blob(st, 2),
                    sqlite3_column_bytes(st, 2));
        added++;
    }
    return added < want && rc != SQLITE_DONE ? OFS_DB : OFS_OK;
}

/* Runs the ranked statement, appending up to `want` rows not already in `skip` to out; *matches
 * is how many rows matched (ofs_collect scores them all), or -1 when the ranking function cannot
 * tell (FTS5's bm25()). */
static int rank_pass(ofs_searcher *s, const pass_args *a, int want, const ranked_list *skip,
                     ranked_list *out, long long *matches, char **errmsg)
{
    int bm25 = s->cfg.ranker == OFS_RANK_FTS5_BM25;
    /* Joining sections costs a lookup per matching row: only when a filter needs it. */
    int which = a->collection ? 2 : a->kind >= 0 ? 1 : 0;
    sqlite3_stmt *st = s->st[(bm25 ? ST_RANK : ST_TOP) + which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, a->form->match, -1, SQLITE_STATIC);
    if (a->kind >= 0)
        sqlite3_bind_int(st, 2, a->kind);
    if (a->collection)
        sqlite3_bind_text(st, 10, a->collection, -1, SQLITE_STATIC);
    const double w[5] = {s->cfg.w_title, s->cfg.w_headings, s->cfg.w_body, s->cfg.w_code,
                         s->cfg.w_meta};
    ofsi_phrase_df known = {.n = 0, .rows = 0};
    if (s->cfg.df_cache && s->tok)
        phrase_dfs(s, a->form, &known);
    *matches = -1;
    int k = want + (int)(skip ? skip->n : 0);
    start_pass(s, a, w, &known, k);
    int rc = bm25 ? bm25_rows(st, w, k, want, skip, out) : top_rows(s, st, want, skip, out);
    s->pass.known = NULL; /* it lives on this stack frame */
    if (rc != OFS_OK)
        rc = db_error(s, errmsg);
    sqlite3_reset(st);
    if (rc != OFS_OK)
        return rc;
    if (!bm25)
        *matches = known.rows;
    return OFS_OK;
}

static int count_pass(ofs_searcher *s, const pass_args *a, long *total, char **errmsg)
{
    sqlite3_stmt *st =
        s->st[a->collection ? ST_COUNT_COLL : a->kind >= 0 ? ST_COUNT_KIND : ST_COUNT];
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
        rc = db_error(s, errmsg);
        sqlite3_reset(st);
        return rc;
    }
    *total = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return OFS_OK;
}

/* ---- did-you-mean ------------------------------------------------------------------------ */

typedef struct {
    char buf[256];
    int n;     /* tokens seen */
    int len;
} one_token;

static int take_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)start, (void)end;
    one_token *o = ctx;
    if (flags & OFS_TOKEN_COLOCATED)
        return 0;
    if (++o->n == 1 && n < (int)sizeof o->buf) {
        memcpy(o->buf, t, (size_t)n);
        o->buf[n] = '\0';
        o->len = n;
    }
    return 0;
}
/* Decodes UTF-8 into at most max code points (the input came out of the tokenizer, so it is
 * valid; a byte that were not would count as one U+FFFD). */
static int to_codepoints(const char *s, int len, uint32_t *out, int max)
{
    int n = 0;
    for (int i = 0; i < len && n < max;) {
        size_t k = ofsi_utf8_decode(s + i, (size_t)(len - i), &out[n++]);
        i += k ? (int)k : 1;
    }
    return n;
}

/* Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), bounded:
 * returns max+1 as soon as the distance must exceed max. Words are short (≤ 64 code points). */
static int edit_distance(const uint32_t *a, int na, const uint32_t *b, int nb, int max)
{
    if (abs(na - nb) > max)
        return max + 1;
    int d[66][66];
    for (int i = 0; i <= na; i++)
        d[i][0] = i;
    for (int j = 0; j <= nb; j++)
        d[0][j] = j;
    for (int i = 1; i <= na; i++) {
        int rowmin = max + 1;
        for (int j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[na][nb];
}

static long vocab_docs(ofs_searcher *s, const char *term)
{
    sqlite3_stmt *st = s->st[ST_VOCAB_EQ];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
    long docs = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return docs;
}

static unsigned long hash_term(const char *t)
{
    unsigned long h = 5381;
    while (*t)
        h = h * 33 + (unsigned char)*t++;
    return h;
}

/* The document frequency of an indexed term, from the cache or the vocabulary. */
static long long term_df(ofs_searcher *s, const char *term)
{
    if (!s->df)
        s->df = ofsi_xcalloc(DF_SLOTS, sizeof *s->df);
    unsigned long h = hash_term(term);
    for (int k = 0; k < DF_SLOTS; k++) {
        df_entry *e = &s->df[(h + (unsigned long)k) % DF_SLOTS];
        if (!e->term) {
            long long df = vocab_docs(s, term);
            if (s->ndf < DF_SLOTS / 2) { /* else: just don't keep it */
                e->term = ofsi_xstrdup(term);
                e->df = df;
                s->ndf++;
            }
            return df;
        }
        if (!strcmp(e->term, term))
            return e->df;
    }
    return vocab_docs(s, term);
}

/* The document frequency of every string of a query form, in FTS5's phrase order; -1 where it
 * is not one plain indexed term (a phrase of several tokens, a compound, a prefix, a column
 * filter): ofs_bm25f counts those itself. The parse found the terms. */
static void phrase_dfs(ofs_searcher *s, const ofsi_query_form *f, ofsi_phrase_df *out)
{
    out->n = 0;
    for (int i = 0; i < f->nterms && out->n < OFSI_MAX_PHRASE_DF; i++)
        out->df[out->n++] = f->terms[i] ? term_df(s, f->terms[i]) : -1;
}

/* Reads the whole vocabulary into s->vocab; 0 (and state -1) when it cannot or is too big. */
static int vocab_load(ofs_searcher *s)
{
    vocab_cache *v = &s->vocab;
    ofsi_buf text = {0};
    size_t cap = 0;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(s->db, "SELECT term, doc FROM temp.ofs_vocab", -1, &st, NULL) ==
             SQLITE_OK;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 4096;
            if (cap > VOCAB_MAX_TERMS) {
                ok = 0;
                break;
            }
            v->off = ofsi_xreallocarray(v->off, cap, sizeof *v->off);
            v->docs = ofsi_xreallocarray(v->docs, cap, sizeof *v->docs);
        }
        v->off[v->n] = text.n;
        v->docs[v->n] = (long)sqlite3_column_int64(st, 1);
        ofsi_buf_add(&text, (const char *)sqlite3_column_blob(st, 0),
                    (size_t)sqlite3_column_bytes(st, 0));
        ofsi_buf_add(&text, "", 1);
        v->n++;
    }
    if (rc != SQLITE_DONE)
        ok = 0;
    sqlite3_finalize(st);
    v->text = ofsi_buf_take(&text);
    if (!ok) {
        free(v->text), free(v->off), free(v->docs);
        memset(v, 0, sizeof *v);
        v->state = -1;
        return 0;
    }
    v->state = 1;
    return 1;
}

/* First index of a term >= key (byte order, as FTS5 sorts). */
static size_t vocab_lower_bound(const vocab_cache *v, const char *key)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v->text + v->off[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A candidate of closest_term: keeps it when nearer (or as near and in more rows). */
typedef struct {
    const uint32_t *wcp;
    int nw, wlen, max;
    char *best;
    int best_d;
    long best_docs;
} closest;

static void consider(closest *c, const char *t, int tlen, long docs)
{
    uint32_t ccp[64];
    if (!t || tlen > 4 * 64 || abs(tlen - c->wlen) > 2 * c->max * 4)
        return;
    int nc = to_codepoints(t, tlen, ccp, 64);
    int d = edit_distance(c->wcp, c->nw, ccp, nc, c->best_d < c->max ? c->best_d : c->max);
    if (d <= c->max && (d < c->best_d || (d == c->best_d && docs > c->best_docs))) {
        free(c->best);
        c->best = ofsi_xstrndup(t, (size_t)tlen);
        c->best_d = d;
        c->best_docs = docs;
    }
}

/* The closest vocabulary term to `word` (folded), or NULL. Candidates share the first character
 * (a typo there is rare, and it turns a vocabulary scan into a range scan); the distance allowed
 * grows with length; ties go to the more frequent term. */
static char *closest_term(ofs_searcher *s, const char *word, int wlen)
{
    uint32_t wcp[64];
    int nw = to_codepoints(word, wlen, wcp, 64);
    if (nw < 3 || nw >= 64)
        return NULL;
    int first = 1;
    while (first < wlen && ((unsigned char)word[first] & 0xC0) == 0x80)
        first++;
    char lo[8], hi[8];
    memcpy(lo, word, (size_t)first);
    lo[first] = '\0';
    memcpy(hi, word, (size_t)first);
    hi[first] = '\0';
    hi[first - 1]++; /* the next string after every term starting with lo */
    closest c = {.wcp = wcp, .nw = nw, .wlen = wlen, .max = nw <= 4 ? 1 : 2};
    c.best_d = c.max + 1;
    if (s->vocab.state == 0 && ++s->spell_calls >= VOCAB_AFTER_CALLS)
        vocab_load(s);
    if (s->vocab.state == 1) {
        const vocab_cache *v = &s->vocab;
        for (size_t i = vocab_lower_bound(v, lo); i < v->n; i++) {
            const char *t = v->text + v->off[i];
            if (strcmp(t, hi) >= 0)
                break;
            consider(&c, t, (int)strlen(t), v->docs[i]);
        }
        return c.best;
    }
    sqlite3_stmt *st = s->st[ST_VOCAB_RANGE];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        consider(&c, (const char *)sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0),
                 (long)sqlite3_column_int64(st, 1));
    sqlite3_reset(st);
    return c.best;
}

/* The first marked word (between \1 and \2) of a highlight() text, lower-cased, or NULL. */
static char *marked_word(const char *t)
{
    const char *a = t ? strchr(t, 1) : NULL;
    const char *b = a ? strchr(a + 1, 2) : NULL;
    if (!b || b - a - 1 <= 0 || b - a - 1 > 255)
        return NULL;
    char *w = ofsi_xstrndup(a + 1, (size_t)(b - a - 1));
    for (char *p = w; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    return w;
}

typedef struct {
    const char *term;
    int len, start, end; /* the span of the first token equal to term; start -1: none */
} term_span;

static int find_term(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)flags;
    term_span *p = ctx;
    if (p->start < 0 && n == p->len && memcmp(t, p->term, (size_t)n) == 0) {
        p->start = start;
        p->end = end;
    }
    return 0;
}

/* highlight() marks the whole compound a term is a part of ("argocd.md" for "argocd": the
 * part is a colocated token, which highlight() skips); the part of word that is term, as the
 * tokenizer splits it. Takes ownership of word. */
static char *term_part(ofs_searcher *s, char *word, const char *term)
{
    term_span p = {term, (int)strlen(term), -1, -1};
    int len = (int)strlen(word);
    if (s->tok)
        ofs_tokenizer_run(s->tok, OFS_TOKENIZE_DOCUMENT, word, len, find_term, &p);
    if (p.start < 0 || (p.start == 0 && p.end >= len) || p.end <= p.start || p.end > len)
        return word;
    char *part = ofsi_xstrndup(word + p.start, (size_t)(p.end - p.start));
    free(word);
    return part;
}

/* The word as written in a document for an indexed term (a stem when the index stems); the
 * term itself when no occurrence can be found. Takes ownership of term. */
static char *surface_form(ofs_searcher *s, char *term)
{
    ofsi_buf q = {0};
    ofsi_buf_quoted(&q, term);
    char *expr = ofsi_buf_take(&q);
    sqlite3_stmt *st = s->st[ST_SURFACE];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
    char *word = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        word = marked_word((const char *)sqlite3_column_text(st, 0));
        if (!word)
            word = marked_word((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    free(expr);
    if (!word)
        return term;
    word = term_part(s, word, term);
    free(term);
    return word;
}

/* Builds the did-you-mean query: the query's text with each unknown word replaced by its
 * closest vocabulary term. NULL when every word is known or nothing close exists. */
static char *suggest_spelling(ofs_searcher *s, const ofs_query *q)
{
    if (!s->tok || !s->cfg.did_you_mean)
        return NULL;
    size_t nw = ofs_query_nwords(q);
    ofsi_buf out = {0};
    int changed = 0;
    for (size_t i = 0; i < nw && i < 16; i++) {
        const char *w = ofs_query_word(q, i);
        const char *term = ofsi_query_word_term(q, i); /* folded by the parse, as the index does */
        char *fix = NULL;
        if (term && vocab_docs(s, term) == 0)
            fix = closest_term(s, term, (int)strlen(term));
        if (fix)
            fix = surface_form(s, fix);
        if (out.n)
            ofsi_buf_add(&out, " ", 1);
        if (fix) {
            ofsi_buf_add(&out, fix, strlen(fix));
            changed = 1;
            free(fix);
        } else {
            ofsi_buf_add(&out, w, strlen(w));
        }
    }
    char *text = ofsi_buf_take(&out);
    if (!changed) {
        free(text);
        return NULL;
    }
    return text;
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

static int fill_hit(ofs_searcher *s, const ofs_query_request *req, const char *match,
                    const ranked *row, ofs_hit *h)
{
    int64_t id = row->id;
    double score = row->score;
    sqlite3_stmt *st = s->st[ST_HIT];
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
    sqlite3_reset(st);
    if (!req->no_snippets) {
        sqlite3_stmt *sn = s->st[row->insts ? ST_SNIPPET_INSTS : ST_SNIPPET];
        sqlite3_reset(sn);
        sqlite3_clear_bindings(sn);
        if (!row->insts)
            sqlite3_bind_text(sn, 1, match, -1, SQLITE_STATIC);
        sqlite3_bind_int(sn, 2, (int)req->snippet_mode);
        sqlite3_bind_int(sn, 3, s->cfg.snippet_tokens);
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
}

void ofs_results_free(ofs_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhits; i++)
        hit_free(&r->hits[i]);
    free(r->hits);
    free(r->did_you_mean);
    free(r->fts_query);
    free(r);
}

/* ---- the search -------------------------------------------------------------------------- */

static char *title_expression(const char *match)
{
    return ofsi_xasprintf("{title} : (%s)", match);
}

/* Compiles text with the searcher's options (its tokenizer, synonyms, stop words). */
static int parse_query(ofs_searcher *s, const char *text, size_t len, int prefix, ofs_query **q,
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
        common[i] = term && len <= 200 && (double)term_df(s, term) >= at_least;
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
static int pass_total(ofs_searcher *s, const pass_args *a, size_t got, int want,
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
                      const char *collection, ranked_list *page, ofs_results *r, char **errmsg)
{
    ofsi_query_form all, any;
    ofsi_query_get_form(q, OFSI_FORM_ALL, &all);
    ofsi_query_get_form(q, OFSI_FORM_ANY, &any);
    if (!all.match)
        return OFS_OK;
    int window = req->offset + req->limit;
    int nq = s->tok ? ofsi_query_positions(q) : 0;
    pass_args a = {&all, collection, kind, nq};
    ranked_list full = {0};
    long long matches = -1;
    int rc = rank_pass(s, &a, window, NULL, &full, &matches, errmsg);
    if (rc == OFS_OK)
        rc = pass_total(s, &a, full.n, window, matches, &r->total, errmsg);
    int relax = s->cfg.fallback == 2 ? full.n < (size_t)window : s->cfg.fallback && !full.n;
    /* Topping up a page that already has all-words hits: words in a large share of the index
     * add little but cost a score for most rows, so the any-word query leaves them out. */
    if (rc == OFS_OK && relax && full.n > 0 && s->cfg.common_share > 0 &&
        leave_out_common(s, q))
        ofsi_query_get_form(q, OFSI_FORM_LEAN, &any);
    if (rc == OFS_OK && relax && any.match && strcmp(any.match, all.match)) {
        pass_args b = {&any, collection, kind, nq};
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
    for (size_t i = (size_t)req->offset; rc == OFS_OK && i < full.n; i++) {
        ranked r = full.v[i];
        full.v[i].insts = NULL; /* the page takes the row's instances */
        ranked_take(page, r);
    }
    ranked_free(&full);
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
                     const ranked_list *page, ofs_results *r, char **errmsg)
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
    int rc = parse_query(s, req->q, req->qlen, req->prefix, &q, errmsg);
    int kind = -1;
    const char *collection = NULL;
    if (rc == OFS_OK)
        rc = resolve_filters(req, q, &kind, &collection, errmsg);
    ranked_list page = {0};
    if (rc == OFS_OK)
        rc = rank_query(s, q, req, kind, collection, &page, r, errmsg);
    const ofs_query *shown = q;
    ofs_query *fixed = NULL;
    if (rc == OFS_OK && r->total == 0 && ofs_query_match_all(q)) {
        r->did_you_mean = suggest_spelling(s, q);
        /* Nothing matched as typed: answer the corrected query, as a user would retype it (a
         * text of its own, parsed as such). */
        if (r->did_you_mean && parse_query(s, r->did_you_mean, strlen(r->did_you_mean),
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
    ranked_free(&page);
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
static void snapshot_begin(ofs_searcher *s)
{
    run_once(s, ST_BEGIN);
    /* The transaction's first read: has another connection changed the index since? */
    check_version(s);
}

/* A search a timeout interrupted has already ended it (SQLite rolls the transaction back). */
static void snapshot_end(ofs_searcher *s)
{
    if (!sqlite3_get_autocommit(s->db))
        run_once(s, ST_COMMIT);
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
    snapshot_begin(s);
    rc = run_search(s, &r0, r, errmsg);
    snapshot_end(s);
    s->deadline_ns = 0;
    if (rc != OFS_OK) {
        ofs_results_free(r);
        return rc;
    }
    r->took_ms = (double)(ofsi_clock_ns() - t0) / 1e6;
    *out = r;
    return OFS_OK;
}

/* ---- suggest ----------------------------------------------------------------------------- */

void ofs_suggestions_free(ofs_suggestions *sg)
{
    if (!sg)
        return;
    for (size_t i = 0; i < sg->n; i++) {
        free(sg->items[i]);
        free(sg->urls[i]);
        free(sg->collections[i]);
        free(sg->paths[i]);
    }
    free(sg->items);
    free(sg->urls);
    free(sg->collections);
    free(sg->paths);
    free(sg);
}

static int collect_suggestions(ofs_searcher *s, const char *match, int limit, ofs_suggestions *sg,
                               char **errmsg)
{
    score_pass *p = &s->pass;
    top_start(p, limit * 3); /* room for duplicate titles */
    sqlite3_stmt *st = s->st[ST_SUGGEST];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? OFS_OK : db_error(s, errmsg);
    sqlite3_reset(st);
    qsort(p->top, (size_t)p->ntop, sizeof *p->top, cmp_ranked);
    sqlite3_stmt *row = s->st[ST_SUGGEST_ROW];
    for (int i = 0; rc == OFS_OK && i < p->ntop && (int)sg->n < limit; i++) {
        sqlite3_reset(row);
        sqlite3_bind_int64(row, 1, p->top[i].id);
        if (sqlite3_step(row) != SQLITE_ROW)
            continue;
        const char *t = (const char *)sqlite3_column_text(row, 0);
        int dup = !t || !*t;
        for (size_t j = 0; j < sg->n && !dup; j++)
            dup = strcmp(sg->items[j], t) == 0;
        if (dup)
            continue;
        suggestion_add(sg, t, (const char *)sqlite3_column_text(row, 1),
                       (const char *)sqlite3_column_text(row, 2),
                       (const char *)sqlite3_column_text(row, 3));
    }
    sqlite3_reset(row);
    top_clear(p);
    return rc;
}

/* For a prefix whose last word is one ASCII letter or digit after other words ("docker c"):
 * sets s->pass.initial to that letter as the index folds it and returns the length of the text
 * before it; 0 when the prefix is not of that form (it is then matched as a whole). */
static size_t split_initial(ofs_searcher *s, const char *prefix, size_t len)
{
    s->pass.ninitial = 0;
    if (!prefix || !s->tok || len < 3 || !isalnum((unsigned char)prefix[len - 1]) ||
        (prefix[len - 2] != ' ' && prefix[len - 2] != '\t'))
        return 0;
    one_token o = {.n = 0};
    ofs_tokenizer_run(s->tok, OFS_TOKENIZE_QUERY, prefix + len - 1, 1, take_token, &o);
    if (o.n != 1 || o.len <= 0 || o.len >= (int)sizeof s->pass.initial)
        return 0;
    memcpy(s->pass.initial, o.buf, (size_t)o.len);
    s->pass.ninitial = o.len;
    return len - 2;
}

/* ofs_suggest inside its snapshot, which checked the version: remembered answers hold for the
 * index they came from. */
static int suggest_run(ofs_searcher *s, const char *prefix, size_t len, int limit,
                       ofs_suggestions **out, char **errmsg)
{
    int one_char = prefix && len > 0 && len <= 4 &&
                   ofsi_utf8_len((const unsigned char *)prefix, len) == len;
    const suggest_memo *m = one_char ? memo_find(s, prefix, len, limit) : NULL;
    if (m) {
        *out = suggestions_copy(m->sg);
        return OFS_OK;
    }
    ofs_suggestions *sg = suggestions_new((size_t)limit);
    /* "docker c": the words before, and the last one checked on each title (has_initial). */
    size_t cut = one_char ? 0 : split_initial(s, prefix, len);
    ofs_query *q = NULL;
    int rc = parse_query(s, prefix ? prefix : "", cut ? cut : prefix ? len : 0, !cut, &q, errmsg);
    if (rc == OFS_OK && cut && !ofs_query_match_all(q)) { /* the words before were all dropped */
        ofs_query_free(q);
        q = NULL;
        s->pass.ninitial = 0;
        rc = parse_query(s, prefix, len, 1, &q, errmsg);
    }
    char *match = NULL;
    if (rc == OFS_OK && ofs_query_match_all(q)) {
        match = title_expression(ofs_query_match_all(q));
        rc = collect_suggestions(s, match, limit, sg, errmsg);
    }
    s->pass.ninitial = 0;
    free(match);
    ofs_query_free(q);
    if (rc != OFS_OK) {
        ofs_suggestions_free(sg);
        return rc;
    }
    if (one_char)
        memo_add(s, prefix, len, limit, sg);
    *out = sg;
    return OFS_OK;
}

int ofs_suggest(ofs_searcher *s, const char *prefix, size_t len, int limit, ofs_suggestions **out,
                char **errmsg)
{
    *out = NULL;
    if (limit <= 0 || limit > s->cfg.max_limit)
        limit = limit <= 0 ? 8 : s->cfg.max_limit;
    snapshot_begin(s);
    int rc = suggest_run(s, prefix, len, limit, out, errmsg);
    snapshot_end(s);
    return rc;
}

int ofs_searcher_counts(ofs_searcher *s, long *documents, long *sections)
{
    sqlite3_stmt *st = s->st[ST_COUNTS];
    sqlite3_reset(st);
    int rc = sqlite3_step(st) == SQLITE_ROW ? OFS_OK : OFS_DB;
    if (rc == OFS_OK) {
        *documents = sqlite3_column_int64(st, 0);
        *sections = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc;
}
