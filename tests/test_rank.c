/* Unit tests for lib/rank.c: ofs_bm25f on an in-memory FTS5 table — term frequency saturates,
 * length normalisation follows b, column weights count, rarer words weigh more, the proximity
 * bonus rewards close words, and the docsize cache gives the same scores as FTS5's own sizes. */
#include "check.h"

#include "internal.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static sqlite3 *db;

static void exec(const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    CHECK_MSG(rc == SQLITE_OK, "%s: %s", sql, err ? err : "");
    sqlite3_free(err);
}

/* The score of row `id` for `match` under ofs_bm25f(fts, k1, b, weights..., prox). */
static double score(const char *fn, const char *match, int id, double k1, double b,
                    double w_title, double prox)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s(fts, %g, %g, %g, 1, 1, 1, 1, %g) FROM fts WHERE fts MATCH ?1 AND rowid = %d",
             fn, k1, b, w_title, prox, id);
    sqlite3_stmt *st = NULL;
    double v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_double(st, 0);
    } else {
        fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return v;
}

static double s(const char *match, int id, double k1, double b, double w_title, double prox)
{
    return score("ofs_bm25f", match, id, k1, b, w_title, prox);
}

int main(void)
{
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(ofs_fts5_register(db) == SQLITE_OK);
    exec("CREATE VIRTUAL TABLE fts USING fts5(title, headings, body, code, meta, tokenize='ofs')");
    exec("INSERT INTO fts(rowid, title, body) VALUES"
         " (1, 'alpha', 'cluster'),"
         " (2, 'beta', 'cluster cluster cluster'),"
         " (3, 'gamma', 'cluster one two three four five six seven eight nine ten eleven'),"
         " (4, 'cluster', 'delta'),"
         " (5, 'epsilon', 'rare cluster'),"
         " (6, 'zeta', 'open words and more words between them then source'),"
         " (7, 'eta', 'open source'),"
         " (8, 'theta', 'filler text'), (9, 'iota', 'filler text'), (10, 'kappa', 'filler')");

    /* More occurrences score higher, but less than proportionally (saturation). */
    double one = s("cluster", 1, 1.2, 0.75, 1, 0), three = s("cluster", 2, 1.2, 0.75, 1, 0);
    CHECK(one > 0 && three > one);
    CHECK(three < 3 * one);
    /* A long body scores lower with length normalisation, the same without it. */
    double longer = s("cluster", 3, 1.2, 0.75, 1, 0);
    CHECK(longer < one);
    CHECK(s("cluster", 3, 1.2, 0.0, 1, 0) == s("cluster", 1, 1.2, 0.0, 1, 0));
    /* The title weight lifts a title match over a body match. */
    CHECK(s("cluster", 4, 1.2, 0.75, 10, 0) > s("cluster", 1, 1.2, 0.75, 10, 0));
    CHECK(s("cluster", 4, 1.2, 0.75, 10, 0) > s("cluster", 4, 1.2, 0.75, 1, 0));
    /* A rare word weighs more than a common one. */
    CHECK(s("rare", 5, 1.2, 0.75, 1, 0) > s("cluster", 5, 1.2, 0.75, 1, 0));
    /* Proximity: adjacent words earn a bonus, distant ones (beyond the window) none. */
    double near0 = s("open OR source", 7, 1.2, 0.75, 1, 0);
    double near1 = s("open OR source", 7, 1.2, 0.75, 1, 1);
    double far0 = s("open OR source", 6, 1.2, 0.75, 1, 0);
    double far1 = s("open OR source", 6, 1.2, 0.75, 1, 1);
    CHECK(near1 > near0);
    CHECK(far1 == far0);
    /* Scores never go negative, even for a word in every row. */
    exec("INSERT INTO fts(rowid, title, body) VALUES (11, 'x', 'everywhere')");
    CHECK(s("cluster OR filler OR words", 1, 1.2, 0.75, 1, 0) >= 0);

    /* The docsize cache gives the scores FTS5's own column sizes give. */
    ofsi_doclens *lens = NULL;
    CHECK(ofsi_doclens_load(db, &lens) == SQLITE_OK && lens != NULL);
    CHECK(ofsi_rank_register_cached(ofsi_fts5_api(db), "ofs_bm25f_c", lens) == SQLITE_OK);
    for (int id = 1; id <= 7; id++) {
        double a = s("cluster OR open OR rare", id, 1.2, 0.75, 2, 0);
        double c = score("ofs_bm25f_c", "cluster OR open OR rare", id, 1.2, 0.75, 2, 0);
        CHECK_MSG(a == c, "row %d: %g vs %g", id, a, c);
    }
    /* A row added after the cache was loaded falls back to FTS5's sizes. */
    exec("INSERT INTO fts(rowid, title, body) VALUES (50, 'late', 'cluster cluster')");
    CHECK(score("ofs_bm25f_c", "cluster", 50, 1.2, 0.75, 1, 0) ==
          s("cluster", 50, 1.2, 0.75, 1, 0));
    sqlite3_close(db); /* destroys the registered functions first: lens is still alive */
    ofsi_doclens_free(lens);
    return check_summary("rank");
}
