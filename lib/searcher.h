/* The searcher's internals, as SQLite keeps FTS5's in fts5Int.h: the handle, then one section per
 * file of the search module, each declaring what that file offers the others. Private to lib/.
 *   search.c     the searcher's life (open, version checks, close) and the search itself:
 *                ranked passes, the entry boost, totals, hits
 *   request.c    statements made for one request: a filter's condition in a pass, the
 *                placeholder's browsing without a query, facet counts
 *   topk.c       the k best rows of a pass, kept while FTS5 scores rows
 *   termstats.c  document frequencies of terms, remembered between searches
 *   spell.c      did-you-mean: the closest indexed term of an unknown word
 *   suggest.c    as-you-type suggestions of titles
 * Each cache has its own clear function; search.c calls them all when the index changes. */
#ifndef OFSI_SEARCHER_H
#define OFSI_SEARCHER_H

#include "internal.h"
#include "ofsearch/filter.h"
#include "ofsearch/query.h"
#include "ofsearch/search.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* ---- topk.c ---------------------------------------------------------------------------- */

/* A ranked row: its score and, for its snippet, ofs_insts() of it in its pass (may be NULL). */
typedef struct {
    int64_t id;
    double score;
    void *insts;
    int ninsts;
} ofsi_ranked;

/* The k best rows offered so far: a min-heap, the worst kept row at the root. */
typedef struct {
    ofsi_ranked *v;
    int n, k, cap;
} ofsi_topk;

/* Starts keeping the k best rows (dropping any kept). */
void ofsi_topk_start(ofsi_topk *t, int k);
/* Whether a row scoring score would be kept: rows come in rowid order, so one scoring the same
 * as the worst kept row stays out. */
int ofsi_topk_admits(const ofsi_topk *t, double score);
/* Keeps r (taking its insts) in place of the worst row when full; call after ofsi_topk_admits. */
void ofsi_topk_push(ofsi_topk *t, ofsi_ranked r);
/* Sorts the kept rows best first (the heap is gone: push no more until the next start). */
void ofsi_topk_sort(ofsi_topk *t);
/* Drops the kept rows; ofsi_topk_free also the array. */
void ofsi_topk_clear(ofsi_topk *t);
void ofsi_topk_free(ofsi_topk *t);

/* A page's rows in rank order. */
typedef struct {
    ofsi_ranked *v;
    size_t n, cap;
} ofsi_ranked_list;

void ofsi_ranked_take(ofsi_ranked_list *l, ofsi_ranked r); /* takes r's insts */
/* Moves the rows of from after its first `start` to the end of to, with their insts. */
void ofsi_ranked_move(ofsi_ranked_list *from, size_t start, ofsi_ranked_list *to);
void ofsi_ranked_push(ofsi_ranked_list *l, int64_t id, double score, const void *insts, int n);
int ofsi_ranked_has(const ofsi_ranked_list *l, int64_t id);
void ofsi_ranked_free(ofsi_ranked_list *l);

/* ---- termstats.c ----------------------------------------------------------------------- */

typedef struct {
    char *term;
    long long df;
} ofsi_df_entry;

typedef struct {
    sqlite3_stmt *docs;   /* a term's row count from the index vocabulary */
    ofsi_df_entry *slots; /* term -> document frequency, open addressing (NULL until used) */
    int n;
} ofsi_termstats;

/* Prepares the lookups on db, whose temp.ofs_vocab the searcher created. SQLite codes. */
int ofsi_termstats_open(ofsi_termstats *t, sqlite3 *db);
void ofsi_termstats_clear(ofsi_termstats *t);
void ofsi_termstats_close(ofsi_termstats *t);
/* Rows holding an indexed term, asked of the index every time. */
long long ofsi_term_docs(ofsi_termstats *t, const char *term);
/* The same, remembered. */
long long ofsi_term_df(ofsi_termstats *t, const char *term);
/* The document frequency of every string of a query form, in FTS5's phrase order, -1 where the
 * string is not one plain term (ofs_bm25f counts those itself). */
void ofsi_phrase_dfs(ofsi_termstats *t, const ofsi_query_form *f, ofsi_phrase_df *out);

/* ---- spell.c --------------------------------------------------------------------------- */

/* The index's vocabulary in memory, sorted as FTS5 keeps it (see spell.c). */
typedef struct {
    char *text;  /* the terms, NUL-separated */
    size_t *off; /* term i starts at text + off[i] */
    long *docs;
    size_t n;
    int state;   /* 0 not tried, 1 loaded, -1 failed or too big */
} ofsi_vocab;

typedef struct {
    sqlite3_stmt *range;   /* terms and row counts in a byte range */
    sqlite3_stmt *surface; /* a text where a term occurs, marked */
    ofsi_vocab vocab;
    int calls;             /* corrections asked for since the vocabulary was dropped */
} ofsi_spell;

int ofsi_spell_open(ofsi_spell *sp, sqlite3 *db);
void ofsi_spell_clear(ofsi_spell *sp);
void ofsi_spell_close(ofsi_spell *sp);
/* The did-you-mean text of q: its bare words, each unknown one replaced by the closest indexed
 * term as people write it. NULL when every word is known, nothing close exists or did-you-mean
 * is off. Malloc'd. */
char *ofsi_spell_correct(ofs_searcher *s, const ofs_query *q);

/* ---- suggest.c ------------------------------------------------------------------------- */

#define OFSI_SUGGEST_MEMO 64

typedef struct {
    char key[5];
    int limit;
    ofs_suggestions *sg;
} ofsi_suggest_memo;

typedef struct {
    sqlite3_stmt *match, *row;
    ofsi_suggest_memo memo[OFSI_SUGGEST_MEMO]; /* answers for one-character prefixes */
    int nmemo;
    char initial[8]; /* a title word must start with this token, when set (see suggest.c) */
    int ninitial;
} ofsi_suggest;

/* Prepares the statements and registers ofs_suggest_keep with api. SQLite codes. */
int ofsi_suggest_open(ofs_searcher *s, fts5_api *api);
void ofsi_suggest_clear(ofsi_suggest *sg);
void ofsi_suggest_close(ofsi_suggest *sg);

/* ---- search.c -------------------------------------------------------------------------- */

enum {
    /* ST_TOP* and ST_RANK* are each in the order plain, kind filter, collection filter. */
    OFSI_ST_TOP, OFSI_ST_TOP_KIND, OFSI_ST_TOP_COLL, OFSI_ST_RANK, OFSI_ST_RANK_KIND,
    OFSI_ST_RANK_COLL, OFSI_ST_COUNT, OFSI_ST_COUNT_KIND, OFSI_ST_COUNT_COLL, OFSI_ST_HIT,
    OFSI_ST_SNIPPET, OFSI_ST_SNIPPET_INSTS, OFSI_ST_MARK, OFSI_ST_MARK_INSTS, OFSI_ST_COUNTS,
    OFSI_ST_KIND, OFSI_ST_DATA_VERSION, OFSI_ST_BEGIN, OFSI_ST_COMMIT, OFSI_ST__N
};

/* The score for ranking with FTS5's bm25() (an evaluation configuration): negated, higher is
 * better, times the entry boost (ofs_boost); then the row's phrase instances for its snippet.
 * The default ranker needs no ORDER BY: ofs_collect keeps the page's rows as it scores them. */
#define OFSI_BM25_SCORE                                                                        \
    "-bm25(f.fts, ?3, ?4, ?5, ?6, ?7) * ofs_boost(f.fts) AS score, ofs_insts(f.fts)"

/* What one pass binds: a form of the compiled query (NULL: no query, every section) and the
 * filters. */
typedef struct {
    const ofsi_query_form *form; /* the FTS5 expression and its strings' terms */
    const char *collection;
    int kind;                    /* -1: any */
    int query_tokens;            /* token positions of the query's positive text (entry boost) */
    const ofs_filter *filter;    /* NULL: none */
} ofsi_pass_args;

/* The ranked pass being stepped: what ofs_collect reads for every row, and the rows kept. */
typedef struct {
    ofsi_bm25f_params bm;
    double entry_boost;
    int nq;                /* query token positions, for the title cover */
    ofsi_phrase_df *known; /* phrase dfs, and the count of rows scored */
    ofsi_topk top;
} ofsi_pass;

struct ofs_searcher {
    sqlite3 *db;
    ofs_search_config cfg;
    char *synonyms_path;
    ofs_tokenizer *tok;  /* NULL when the index uses a tokenizer other than ofs */
    ofs_synonyms *syn;
    ofsi_doclens *lens;  /* column sizes for ranking; NULL: ask FTS5 per row */
    long nsections;      /* rows in the index when opened (for common_share) */
    sqlite3_stmt *st[OFSI_ST__N];
    int64_t deadline_ns; /* progress-handler deadline of the running search; 0 = none */
    sqlite3_int64 data_version; /* of the index when the caches were read */
    unsigned char *kinds; /* section kind by rowid (0xff: not loaded), nkinds rows */
    sqlite3_int64 nkinds;
    ofsi_pass pass;       /* what ofs_collect (and ofs_suggest_keep) use while stepping */
    ofsi_termstats terms; /* document frequencies */
    ofsi_spell spell;     /* the vocabulary, once did-you-mean is used often */
    ofsi_suggest suggest; /* suggestions' statements and remembered answers */
    int stale;            /* the index changed since open: sizes and kinds were dropped */
};

/* Compiles text with the searcher's options (its tokenizer, synonyms, stop words). */
int ofsi_parse_query(ofs_searcher *s, const char *text, size_t len, int prefix, ofs_query **q,
                     char **errmsg);
/* The kind of section id (-1: no such row) and whether it is its document's first row, from
 * the cache read at open when it holds the row. */
int ofsi_row_info(ofs_searcher *s, sqlite3_int64 id, int *first);
/* An OFS_DB error with SQLite's message, or OFS_TIMEOUT when the time budget interrupted. */
int ofsi_db_error(ofs_searcher *s, char **errmsg);
/* One read transaction around a search or suggestion; the begin notices index changes. */
void ofsi_snapshot_begin(ofs_searcher *s);
void ofsi_snapshot_end(ofs_searcher *s);

/* ---- request.c ------------------------------------------------------------------------- */

/* Statements a request makes for itself (Meilisearch-style requests: a filter, facets, no
 * query): a filter's SQL varies with the filter, and these requests are the rarer ones, so each
 * is prepared for the request and finalized after it. */
enum {
    OFSI_Q_TOP,          /* ofs_collect over the matches that pass (the default ranker) */
    OFSI_Q_RANK,         /* the same ranked by FTS5's bm25() */
    OFSI_Q_COUNT,        /* matches that pass, counted up to OFS_TOTAL_CAP */
    OFSI_Q_BROWSE,       /* every section that passes, in index order (no query) */
    OFSI_Q_BROWSE_COUNT,
    OFSI_Q_FACET,        /* one facetable field's values over the matches that pass */
    OFSI_Q_BROWSE_FACET  /* the same over every section that passes */
};

/* Prepares the statement `what` for a's match (unused when browsing) and filters, field the
 * facetable field of the facet statements, and binds all but ?3 (a count's cap or the first
 * weight) and ?9 (a limit). *out is finalized by the caller. OFS_DB on failure. */
int ofsi_request_stmt(ofs_searcher *s, int what, const ofsi_pass_args *a, int field,
                      sqlite3_stmt **out, char **errmsg);
/* Steps a counting statement (OFSI_Q_COUNT, OFSI_Q_BROWSE_COUNT) into *total and finalizes it. */
int ofsi_request_count(ofs_searcher *s, sqlite3_stmt *st, long *total, char **errmsg);
/* The page of a placeholder request: the sections that pass a's filters, in index order, rows
 * req->offset.. of them, each with an empty set of phrase instances (a snippet shows the start
 * of its text); *total how many pass (up to OFS_TOTAL_CAP). */
int ofsi_browse(ofs_searcher *s, const ofs_query_request *req, const ofsi_pass_args *a,
                ofsi_ranked_list *page, long *total, char **errmsg);
/* The request's facets into r->facets: each field's values and counts over the rows a's match
 * finds (every section that passes the filters when a->form is NULL). */
int ofsi_count_facets(ofs_searcher *s, const ofs_query_request *req, const ofsi_pass_args *a,
                      ofs_results *r, char **errmsg);

#endif
