/* Searching an index: parse a user's query safely, rank with bm25 + field weights + entry boost,
 * fall back to any-word matching, suggest spellings, and return hits with snippets.
 * One ofs_searcher per thread: it owns a read-only connection and its prepared statements. */
#ifndef OFSEARCH_SEARCH_H
#define OFSEARCH_SEARCH_H

#include <stddef.h>

#include "ofsearch/common.h"
#include "ofsearch/filter.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ofs_searcher ofs_searcher;

typedef enum {
    OFS_SNIPPET_PLAIN = 0, /* text as is, no markers */
    OFS_SNIPPET_HTML = 1,  /* text HTML-escaped, matches in <mark>…</mark> */
    OFS_SNIPPET_ANSI = 2,  /* matches in bold/colour escape sequences for a terminal */
    OFS_SNIPPET_MARKERS = 3 /* text as is, matches between OFS_MARK_OPEN and OFS_MARK_CLOSE, a
                               cut end as OFS_MARK_CUT: control characters the text never holds,
                               for a caller to swap for its own tags and crop marker */
} ofs_snippet_mode;
#define OFS_MARK_OPEN '\001'
#define OFS_MARK_CLOSE '\002'
#define OFS_MARK_CUT '\003'

/* Ranking functions: BM25F (ofs_bm25f, lib/rank.c) or FTS5's built-in bm25(). */
#define OFS_RANK_BM25F 0
#define OFS_RANK_FTS5_BM25 1

typedef struct {
    int ranker;              /* OFS_RANK_BM25F (default) or OFS_RANK_FTS5_BM25 */
    double k1, b;            /* BM25F saturation and length normalisation (ranker BM25F) */
    double proximity;        /* weight of the close-together-words bonus (ranker BM25F) */
    double w_title, w_headings, w_body, w_code, w_meta; /* column weights */
    double entry_boost;      /* score multiplier for term/faq entries whose title is the query */
    int fallback;            /* any-word matching: 0 never, 1 when all-words finds nothing
                                (default), 2 also to fill a page all-words leaves short */
    int did_you_mean;        /* suggest spellings for words with no hits */
    int drop_stopwords;      /* leave English stop words out of any-word matching */
    int dedupe;              /* a word repeated in the query counts once */
    int df_cache;            /* remember words' document frequencies between searches
                                (default 1; 0 counts them in every search) */
    double common_share;     /* topping up a page (fallback 2), leave out words found in at
                                least this share of sections (0: keep them) */
    const char *synonyms_path; /* synonyms file; NULL for none */
    size_t max_query_bytes;  /* longer queries fail with OFS_TOOLONG (default 1024) */
    int max_limit;           /* largest page size (default 100; at most OFS_MAX_WINDOW) */
    int snippet_tokens;      /* snippet window in tokens (default 30) */
    int timeout_ms;          /* per-search time budget; 0 = none; exceeded -> OFS_TIMEOUT */
} ofs_search_config;

void ofs_search_config_default(ofs_search_config *cfg);

/* Opens dbpath read-only. cfg may be NULL for defaults; it is copied. */
int ofs_searcher_open(const char *dbpath, const ofs_search_config *cfg, ofs_searcher **out,
                      char **errmsg);
void ofs_searcher_close(ofs_searcher *s);

/* 1 when the index has changed since s was opened (a commit by `ofsearch index`, a rebuild).
 * Searches see the new contents at once; from the first one that notices the change, s stops
 * using what it cached at open (document sizes, section kinds, term frequencies, vocabulary),
 * so results stay right but cost more: a long-lived caller reopens. Reads the index (a few
 * system calls); ofs_searcher_stale() only says what the last search or check saw, for free. */
int ofs_searcher_changed(ofs_searcher *s);
int ofs_searcher_stale(const ofs_searcher *s);

typedef struct {
    const char *q;          /* the user's text, any bytes */
    size_t qlen;            /* 0: strlen(q) */
    int limit;              /* default 10 */
    int offset;
    const char *collection; /* NULL: all */
    const char *kind;       /* NULL: all; "page", "section", "term", "faq" */
    int prefix;             /* as-you-type: last word is a prefix */
    ofs_snippet_mode snippet_mode;
    int no_snippets;        /* skip snippet generation (eval runs) */
    /* Meilisearch-style requests (zero: as above). */
    const ofs_filter *filter; /* sections must also pass it (lib/filter.c); NULL: none */
    int all_words;          /* only sections with every word: never the any-word fallback */
    int placeholder;        /* a query with nothing to search for lists every section that
                               passes the filters, in index order (score 0), not nothing */
    const int *facets;      /* facetable fields (ofs_facet_field_find) whose values to count */
    size_t nfacets;         /* over every match (results' facets) */
    int mark_titles;        /* fill hits' marked_title and marked_breadcrumb */
    int snippet_tokens;     /* this search's snippet window; 0: the searcher's */
} ofs_query_request;

/* Matches are counted up to this many; a total equal to it means "at least this many". Counting
 * every match of a common word would cost as much as a second search. */
#define OFS_TOTAL_CAP 1000

/* Pages reach this far at most: offset + limit <= OFS_MAX_WINDOW (a deeper page would rank that
 * many rows for one request); a larger max_limit is taken as this. */
#define OFS_MAX_WINDOW 2000

typedef struct {
    char *collection, *path, *docid, *url, *title, *breadcrumb, *kind, *snippet;
    double score;            /* higher is better */
    long long id;            /* the section's row in this index (stable until it is rebuilt) */
    /* With mark_titles: title and breadcrumb with the query's matches between OFS_MARK_OPEN
     * and OFS_MARK_CLOSE (whitespace collapsed as in snippets); else NULL. */
    char *marked_title, *marked_breadcrumb;
} ofs_hit;

/* One value of a facetable field and how many matching sections have it. */
typedef struct {
    const char *field;       /* ofs_facet_field_name's (static) */
    char *value;
    long count;
} ofs_facet_count;

typedef struct {
    ofs_hit *hits;
    size_t nhits;
    long total;              /* matching sections, counted up to OFS_TOTAL_CAP */
    int relaxed;             /* any-word matching was used */
    char *did_you_mean;      /* corrected query, or NULL */
    int corrected;           /* nothing matched the query as typed: hits are for did_you_mean */
    char *fts_query;         /* the FTS5 expression run (for debugging) */
    double took_ms;
    /* The request's facets: each field's values in byte order (at most OFS_FACET_VALUES a
     * field), counted over every match the hits come from (any-word ones when relaxed). */
    ofs_facet_count *facets;
    size_t nfacets;
} ofs_results;
#define OFS_FACET_VALUES 100

int ofs_search(ofs_searcher *s, const ofs_query_request *req, ofs_results **out, char **errmsg);
void ofs_results_free(ofs_results *r);

/* Completions for as-you-type: page titles and term/faq titles starting with the prefix. Each
 * comes with where it leads: its url, and the collection and document path it is from (as a
 * search hit's; a path alone can name documents in several collections). */
typedef struct {
    char **items;
    char **urls;
    char **collections;
    char **paths;
    size_t n;
} ofs_suggestions;
int ofs_suggest(ofs_searcher *s, const char *prefix, size_t len, int limit, ofs_suggestions **out,
                char **errmsg);
void ofs_suggestions_free(ofs_suggestions *sg);

/* Documents/sections in the open index (for /readyz, /metrics). */
int ofs_searcher_counts(ofs_searcher *s, long *documents, long *sections);

#ifdef __cplusplus
}
#endif

#endif
