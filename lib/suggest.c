/* As-you-type suggestions: titles that start with what was typed — a page's title (its first
 * row), a glossary term or a FAQ question — best first: terms and questions, then shorter
 * titles, then earlier rows. The ranking is done while FTS5 steps the matching rows
 * (ofs_suggest_keep) with the kinds and title sizes the searcher cached at open, so no row is
 * read from the table until the few suggested ones: a one-letter prefix matches thousands of
 * titles in a large index, and sorting them in SQL after a join took 15 ms. */
#include "searcher.h"

#include "alloc.h"
#include "utf8.h"

#include "ofsearch/markdown.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- the suggestions ------------------------------------------------------------------- */

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

/* ---- answers for one-character prefixes ------------------------------------------------
 * Remembered until the index changes: such a prefix matches every title word with that first
 * letter, and FTS5 has no one-character prefix index, so it merges the postings of every term
 * with that letter in any column (2 ms on tldr-pages, where longer prefixes take 0.2 ms).
 * There are few such prefixes. */

void ofsi_suggest_clear(ofsi_suggest *sg)
{
    for (int i = 0; i < sg->nmemo; i++)
        ofs_suggestions_free(sg->memo[i].sg);
    sg->nmemo = 0;
}

/* The remembered answer for prefix (one UTF-8 character) and limit, or NULL. */
static const ofsi_suggest_memo *memo_find(const ofsi_suggest *sg, const char *prefix, size_t len,
                                          int limit)
{
    for (int i = 0; i < sg->nmemo; i++)
        if (sg->memo[i].limit == limit && strlen(sg->memo[i].key) == len &&
            memcmp(sg->memo[i].key, prefix, len) == 0)
            return &sg->memo[i];
    return NULL;
}

static void memo_add(ofsi_suggest *sg, const char *prefix, size_t len, int limit,
                     const ofs_suggestions *answer)
{
    if (sg->nmemo == OFSI_SUGGEST_MEMO)
        ofsi_suggest_clear(sg); /* more distinct first letters than expected: start over */
    ofsi_suggest_memo *m = &sg->memo[sg->nmemo++];
    memcpy(m->key, prefix, len);
    m->key[len] = '\0';
    m->limit = limit;
    m->sg = suggestions_copy(answer);
}

/* ---- ranking while FTS5 steps ---------------------------------------------------------- */

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

/* Whether the row's title has a word starting with the initial (always, when none is set):
 * what `title: x*` would find for a one-character x, without FTS5 merging the postings of every
 * term that starts with x. */
static int has_initial(ofs_searcher *s, const Fts5ExtensionApi *api, Fts5Context *fts)
{
    const ofsi_suggest *sg = &s->suggest;
    if (sg->ninitial <= 0)
        return 1;
    const char *text = NULL;
    int n = 0;
    if (api->xColumnText(fts, 0, &text, &n) != SQLITE_OK || !text)
        return 0;
    initial_check c = {sg->initial, sg->ninitial, 0};
    ofs_tokenizer_run(s->tok, OFS_TOKENIZE_DOCUMENT, text, n, check_initial, &c);
    return c.found;
}

/* ofs_suggest_keep(fts): keeps the row among the best suggestions so far when it can be
 * suggested (see the top of the file); false for every row. */
static void fn_suggest_keep(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                            int nval, sqlite3_value **vals)
{
    (void)nval, (void)vals;
    ofs_searcher *s = api->xUserData(fts);
    int first = 0, len = 0, rc = SQLITE_OK;
    int kind = ofsi_row_info(s, api->xRowid(fts), &first);
    int entry = kind == OFS_KIND_TERM || kind == OFS_KIND_FAQ;
    if ((first || entry) && has_initial(s, api, fts)) {
        rc = ofsi_doclens_column_size(api, fts, s->lens, 0, &len);
        double score = (entry ? 1e9 : 0) - len;
        if (rc == SQLITE_OK && ofsi_topk_admits(&s->pass.top, score))
            ofsi_topk_push(&s->pass.top, (ofsi_ranked){api->xRowid(fts), score, NULL, 0});
    }
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else
        sqlite3_result_int(ctx, 0);
}

int ofsi_suggest_open(ofs_searcher *s, fts5_api *api)
{
    ofsi_suggest *sg = &s->suggest;
    int rc = api->xCreateFunction(api, "ofs_suggest_keep", s, fn_suggest_keep, NULL);
    /* ofs_suggest_keep keeps the best rows that can be suggested (it is false for every row);
     * their titles and urls are then read by id. */
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(s->db,
                                "SELECT 1 FROM fts f"
                                " WHERE f.fts MATCH ?1 AND ofs_suggest_keep(f.fts)",
                                -1, SQLITE_PREPARE_PERSISTENT, &sg->match, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(s->db,
                                "SELECT s.title, s.url, c.name, d.path FROM sections s"
                                " JOIN documents d ON d.id = s.document_id"
                                " JOIN collections c ON c.id = d.collection_id WHERE s.id = ?1",
                                -1, SQLITE_PREPARE_PERSISTENT, &sg->row, NULL);
    return rc;
}

void ofsi_suggest_close(ofsi_suggest *sg)
{
    ofsi_suggest_clear(sg);
    sqlite3_finalize(sg->match);
    sqlite3_finalize(sg->row);
    memset(sg, 0, sizeof *sg);
}

/* ---- one suggestion request ------------------------------------------------------------ */

static int collect_suggestions(ofs_searcher *s, const char *match, int limit, ofs_suggestions *out,
                               char **errmsg)
{
    ofsi_topk *top = &s->pass.top;
    ofsi_topk_start(top, limit * 3); /* room for duplicate titles */
    sqlite3_stmt *st = s->suggest.match;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? OFS_OK : ofsi_db_error(s, errmsg);
    sqlite3_reset(st);
    ofsi_topk_sort(top);
    sqlite3_stmt *row = s->suggest.row;
    for (int i = 0; rc == OFS_OK && i < top->n && (int)out->n < limit; i++) {
        sqlite3_reset(row);
        sqlite3_bind_int64(row, 1, top->v[i].id);
        if (sqlite3_step(row) != SQLITE_ROW)
            continue;
        const char *t = (const char *)sqlite3_column_text(row, 0);
        int dup = !t || !*t;
        for (size_t j = 0; j < out->n && !dup; j++)
            dup = strcmp(out->items[j], t) == 0;
        if (dup)
            continue;
        suggestion_add(out, t, (const char *)sqlite3_column_text(row, 1),
                       (const char *)sqlite3_column_text(row, 2),
                       (const char *)sqlite3_column_text(row, 3));
    }
    sqlite3_reset(row);
    ofsi_topk_clear(top);
    return rc;
}

typedef struct {
    char buf[8];
    int n, len; /* token positions seen; the first one's bytes */
} first_token;

static int take_first(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)start, (void)end;
    first_token *o = ctx;
    if (flags & OFS_TOKEN_COLOCATED)
        return 0;
    if (++o->n == 1 && n < (int)sizeof o->buf) {
        memcpy(o->buf, t, (size_t)n);
        o->len = n;
    }
    return 0;
}

/* For a prefix whose last word is one ASCII letter or digit after other words ("docker c"):
 * sets the initial to that letter as the index folds it and returns the length of the text
 * before it; 0 when the prefix is not of that form (it is then matched as a whole). */
static size_t split_initial(ofs_searcher *s, const char *prefix, size_t len)
{
    ofsi_suggest *sg = &s->suggest;
    sg->ninitial = 0;
    if (!prefix || !s->tok || len < 3 || !isalnum((unsigned char)prefix[len - 1]) ||
        (prefix[len - 2] != ' ' && prefix[len - 2] != '\t'))
        return 0;
    first_token o = {.n = 0};
    ofs_tokenizer_run(s->tok, OFS_TOKENIZE_QUERY, prefix + len - 1, 1, take_first, &o);
    if (o.n != 1 || o.len <= 0)
        return 0;
    memcpy(sg->initial, o.buf, (size_t)o.len);
    sg->ninitial = o.len;
    return len - 2;
}

/* ofs_suggest inside its snapshot, which checked the version: remembered answers hold for the
 * index they came from. */
static int suggest_run(ofs_searcher *s, const char *prefix, size_t len, int limit,
                       ofs_suggestions **out, char **errmsg)
{
    int one_char = prefix && len > 0 && len <= 4 &&
                   ofsi_utf8_len((const unsigned char *)prefix, len) == len;
    const ofsi_suggest_memo *m = one_char ? memo_find(&s->suggest, prefix, len, limit) : NULL;
    if (m) {
        *out = suggestions_copy(m->sg);
        return OFS_OK;
    }
    ofs_suggestions *sg = suggestions_new((size_t)limit);
    /* "docker c": the words before, and the last one checked on each title (has_initial). */
    size_t cut = one_char ? 0 : split_initial(s, prefix, len);
    ofs_query *q = NULL;
    int rc = ofsi_parse_query(s, prefix ? prefix : "", cut ? cut : prefix ? len : 0, !cut, &q,
                              errmsg);
    if (rc == OFS_OK && cut && !ofs_query_match_all(q)) { /* the words before were all dropped */
        ofs_query_free(q);
        q = NULL;
        s->suggest.ninitial = 0;
        rc = ofsi_parse_query(s, prefix, len, 1, &q, errmsg);
    }
    if (rc == OFS_OK && ofs_query_match_all(q)) {
        char *match = ofsi_xasprintf("{title} : (%s)", ofs_query_match_all(q));
        rc = collect_suggestions(s, match, limit, sg, errmsg);
        free(match);
    }
    s->suggest.ninitial = 0;
    ofs_query_free(q);
    if (rc != OFS_OK) {
        ofs_suggestions_free(sg);
        return rc;
    }
    if (one_char)
        memo_add(&s->suggest, prefix, len, limit, sg);
    *out = sg;
    return OFS_OK;
}

int ofs_suggest(ofs_searcher *s, const char *prefix, size_t len, int limit, ofs_suggestions **out,
                char **errmsg)
{
    *out = NULL;
    if (limit <= 0 || limit > s->cfg.max_limit)
        limit = limit <= 0 ? 8 : s->cfg.max_limit;
    ofsi_snapshot_begin(s);
    int rc = suggest_run(s, prefix, len, limit, out, errmsg);
    ofsi_snapshot_end(s);
    return rc;
}
