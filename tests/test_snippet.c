/* Tests for lib/snippet.c: ofs_snippet() on an in-memory FTS5 table — window selection around
 * the densest hits, column choice, markers in each mode, HTML escaping, whitespace collapsing,
 * colocated tokens, long and empty documents, invalid UTF-8 and control characters. */
#include "check.h"

#include "ofsearch/ofsearch.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static int with_ofs;
static int expect_error; /* the next snippet call should fail */

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                                : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || (len == 2 && *p < 0xC2) || (len == 4 && *p > 0xF4))
            return 0;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        if (len == 3 && ((*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] > 0x9F)))
            return 0;
        if (len == 4 && ((*p == 0xF0 && p[1] < 0x90) || (*p == 0xF4 && p[1] > 0x8F)))
            return 0;
        p += len;
    }
    return 1;
}

/* Every '<' opens or closes a mark: the document's own markup was escaped. */
static int only_mark_tags(const char *s)
{
    for (const char *p = s; (p = strchr(p, '<')); p++)
        if (strncmp(p, "<mark>", 6) != 0 && strncmp(p, "</mark>", 7) != 0)
            return 0;
    return 1;
}

/* The snippet made from ofs_insts() of the matching row, read back by rowid alone (how the
 * search makes page snippets), must be the very snippet of the MATCH. */
static void check_insts_path(const char *match, int mode, int ntokens, const char *want)
{
    sqlite3_stmt *st = NULL, *sn = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT ofs_insts(t) FROM t WHERE t MATCH ?1", -1, &st, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT ofs_snippet(t, ?2, ?3, ?1) FROM t WHERE rowid = 1",
                                 -1, &sn, NULL),
              SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_type(st, 0), SQLITE_BLOB);
    sqlite3_bind_value(sn, 1, sqlite3_column_value(st, 0));
    sqlite3_bind_int(sn, 2, mode);
    sqlite3_bind_int(sn, 3, ntokens);
    CHECK_INT(sqlite3_step(sn), SQLITE_ROW);
    const char *got = (const char *)sqlite3_column_text(sn, 0);
    CHECK_MSG(got && !strcmp(got, want), "insts path [%s] != match path [%s] for %s",
              got ? got : "(null)", want, match);
    sqlite3_finalize(st);
    sqlite3_finalize(sn);
}

/* Blobs that are not ofs_insts() output are refused with an error, never read out of bounds. */
static void test_bad_insts(void)
{
    sqlite3_exec(db, "DELETE FROM t; INSERT INTO t(rowid, title, headings, body, code, meta)"
                     " VALUES(1, 'T', '', 'some body text', '', '')", NULL, NULL, NULL);
    static const struct {
        const char *b;
        int n;
    } bad[] = {
        {"", 0},
        {"OFSI", 4},
        {"XXXX\1\0\0\0\1", 9},
        {"OFSI\1\0\1\0\1\5\0\0\0\0\0", 15},     /* phrase 5 of 1 */
        {"OFSI\1\0\1\0\1\0\11\0\0\0\0", 15},    /* column 9 of 5 */
        {"OFSI\1\0\1\0\1\0\2\0\0\0\x7f", 15},   /* offset 2^31-ish */
        {"OFSI\1\0\2\0\1\0\2\0\0\0\0", 15},     /* says 2 instances, holds 1 */
        {"OFSI\0\0\0\0junk", 12},                   /* trailing bytes */
    };
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT ofs_snippet(t, 1, 30, ?1) FROM t WHERE rowid = 1", -1,
                                 &st, NULL),
              SQLITE_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sqlite3_reset(st);
        sqlite3_bind_blob(st, 1, bad[i].b, bad[i].n, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        CHECK_MSG(rc == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "ofs_insts"),
                  "bad blob %zu: rc %d %s", i, rc, sqlite3_errmsg(db));
    }
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, "OFSI", -1, SQLITE_STATIC); /* text, not a blob */
    CHECK_INT(sqlite3_step(st), SQLITE_ERROR);
    /* A well-formed blob with a valid instance marks that token. */
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, "OFSI\1\0\1\0\1\0\2\1\0\0\0", 15, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "some <mark>body</mark> text");
    sqlite3_finalize(st);
}

/* Inserts one row (columns title, headings, body, code, meta; len -1 = strlen) and returns the
 * snippet for match; NULL if the row does not match. Caller frees. */
static char *snippet_n(const char *title, const char *body, int body_len, const char *code,
                       const char *meta, const char *match, int mode, int ntokens)
{
    sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "INSERT INTO t(rowid, title, headings, body, code, meta) "
                           "VALUES(1, ?1, '', ?2, ?3, ?4)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, body, body_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, meta, -1, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    const char *sql = match ? "SELECT ofs_snippet(t, ?2, ?3) FROM t WHERE t MATCH ?1"
                            : "SELECT ofs_snippet(t, ?2, ?3) FROM t";
    CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (match)
        sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, mode);
    sqlite3_bind_int(st, 3, ntokens);
    char *out = NULL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        out = strdup(t ? t : "");
        CHECK_MSG(valid_utf8(out), "snippet is not valid UTF-8: %s", out);
        if (mode == 1)
            CHECK_MSG(only_mark_tags(out), "raw markup in snippet: %s", out);
    } else if (expect_error)
        CHECK_MSG(rc == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "ofs_snippet"), "rc %d: %s",
                  rc, sqlite3_errmsg(db));
    else
        CHECK_MSG(rc == SQLITE_DONE, "snippet query failed: %s", sqlite3_errmsg(db));
    expect_error = 0;
    sqlite3_finalize(st);
    if (out && match)
        check_insts_path(match, mode, ntokens, out);
    return out;
}

static char *snippet(const char *title, const char *body, const char *match, int mode, int n)
{
    return snippet_n(title, body, -1, "", "", match, mode, n);
}

#define CHECK_SNIPPET(title, body, match, mode, n, want)                                        \
    do {                                                                                        \
        char *got_ = snippet(title, body, match, mode, n);                                      \
        CHECK_STR(got_, want);                                                                  \
        free(got_);                                                                             \
    } while (0)

static void test_modes(void)
{
    CHECK_SNIPPET("T", "the quick brown fox", "brown", 0, 30, "the quick brown fox");
    CHECK_SNIPPET("T", "the quick brown fox", "brown", 1, 30, "the quick <mark>brown</mark> fox");
    CHECK_SNIPPET("T", "the quick brown fox", "brown", 2, 30,
                  "the quick \033[1;31mbrown\033[0m fox");
    /* A phrase is one mark; adjacent hits merge. */
    CHECK_SNIPPET("T", "the quick brown fox", "\"quick brown\"", 1, 30,
                  "the <mark>quick brown</mark> fox");
    CHECK_SNIPPET("T", "the quick brown fox", "quick OR fox", 1, 30,
                  "the <mark>quick</mark> brown <mark>fox</mark>");
    CHECK_SNIPPET("T", "Fox, fox; FOX!", "fox", 1, 30,
                  "<mark>Fox</mark>, <mark>fox</mark>; <mark>FOX</mark>!");
    /* Prefix queries mark the whole word. */
    CHECK_SNIPPET("T", "observability matters", "\"obser\"*", 1, 30,
                  "<mark>observability</mark> matters");
    /* Defaults and bad arguments. */
    CHECK_SNIPPET("T", "a b c", "b", 1, 0, "a <mark>b</mark> c");
    expect_error = 1;
    char *s = snippet("T", "a b c", "b", 7, 30);
    CHECK(s == NULL);
    free(s);
}

static void test_escaping(void)
{
    CHECK_SNIPPET("T", "<script>alert(1)</script> & \"q\" 'x'", "alert", 1, 30,
                  "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; &amp; &quot;q&quot; "
                  "&#39;x&#39;");
    /* Plain and ANSI modes do not escape; HTML does even outside the window's marks. */
    CHECK_SNIPPET("T", "a<b & c", "c", 0, 30, "a<b & c");
    CHECK_SNIPPET("T", "<mark>fake</mark> real", "real", 1, 30,
                  "&lt;mark&gt;fake&lt;/mark&gt; <mark>real</mark>");
    /* Whitespace and newlines collapse; leading and trailing space go. */
    CHECK_SNIPPET("T", "  \n a\n\n  b\t\r\nc \n ", "b", 1, 30, "a <mark>b</mark> c");
    /* A terminal escape in the document must not reach the terminal. */
    char *s = snippet("T", "red \033[31mtext\033[0m here", "here", 2, 30);
    CHECK(s && strstr(s, "\033[31m") == NULL);
    CHECK(s && strstr(s, "\033[1;31mhere\033[0m") != NULL);
    free(s);
}

static void test_window(void)
{
    /* 200 words, one hit: the window is centred on it and cut on both sides. */
    char body[4096] = "";
    for (int i = 0; i < 200; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "w%d ", i);
    CHECK_SNIPPET("T", body, "w150", 1, 10,
                  "\xE2\x80\xA6w146 w147 w148 w149 <mark>w150</mark> w151 w152 w153 w154 "
                  "w155\xE2\x80\xA6");
    /* Near the start: no leading ellipsis. */
    CHECK_SNIPPET("T", body, "w1", 1, 5, "w0 <mark>w1</mark> w2 w3 w4\xE2\x80\xA6");
    /* Near the end: the window ends at the text's end. */
    CHECK_SNIPPET("T", body, "w199", 1, 4, "\xE2\x80\xA6w196 w197 w198 <mark>w199</mark>");

    /* The densest cluster wins: both words together beat a lone early hit. */
    char doc[8192] = "alpha ";
    for (int i = 0; i < 100; i++)
        strcat(doc, "filler ");
    strcat(doc, "alpha beta gamma ");
    for (int i = 0; i < 100; i++)
        strcat(doc, "padding ");
    char *s = snippet("T", doc, "alpha AND beta", 1, 8);
    CHECK_MSG(s && strstr(s, "<mark>alpha</mark> <mark>beta</mark>") != NULL, "got %s",
              s ? s : "(null)");
    CHECK(s && strncmp(s, "\xE2\x80\xA6", 3) == 0);
    free(s);
    /* More distinct words beat more repetitions of one. */
    strcpy(doc, "x x x x x y ");
    for (int i = 0; i < 50; i++)
        strcat(doc, "pad ");
    strcat(doc, "x z y ");
    for (int i = 0; i < 50; i++)
        strcat(doc, "pad ");
    s = snippet("T", doc, "x OR y OR z", 1, 5);
    CHECK_MSG(s && strstr(s, "<mark>x</mark> <mark>z</mark> <mark>y</mark>") != NULL, "got %s", s ? s : "(null)");
    free(s);

    /* A 1 MB document: the snippet stays small. */
    size_t big = 1 << 20;
    char *huge = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        huge[i] = "lorem ipsum "[i % 12];
    memcpy(huge + big - 13, " needle here ", 13);
    huge[big] = 0;
    s = snippet("T", huge, "needle", 1, 30);
    CHECK(s && strstr(s, "<mark>needle</mark> here") != NULL);
    CHECK(s && strlen(s) < 400);
    free(s);
    free(huge);
    /* A window stretched over a blob the tokenizer skips stays bounded. */
    if (with_ofs) {
        char *blob = malloc(20000);
        strcpy(blob, "start ");
        size_t n = strlen(blob);
        memset(blob + n, '-', 15000);
        strcpy(blob + n + 15000, " end here");
        s = snippet("T", blob, "start", 1, 30);
        CHECK(s && strstr(s, "<mark>start</mark>") != NULL);
        CHECK_MSG(s && strlen(s) < 30 * 48 + 100, "length %zu", s ? strlen(s) : 0);
        free(s);
        free(blob);
    }
}

static void test_columns(void)
{
    char *s = snippet_n("Kubernetes guide", "about pods", -1, "", "", "kubernetes", 1, 30);
    CHECK_STR(s, "<mark>Kubernetes</mark> guide");
    free(s);
    /* The body wins when it has a hit, even with more hits elsewhere. */
    s = snippet_n("pods pods pods", "one pods here", -1, "", "", "pods", 1, 30);
    CHECK_STR(s, "one <mark>pods</mark> here");
    free(s);
    /* Otherwise the column with the most hits. */
    s = snippet_n("kubectl", "nothing", -1, "kubectl get pods; kubectl logs", "", "kubectl", 1,
                  30);
    CHECK_STR(s, "<mark>kubectl</mark> get pods; <mark>kubectl</mark> logs");
    free(s);
    s = snippet_n("T", "", -1, "", "tags: faq", "faq", 1, 30);
    CHECK_STR(s, "tags: <mark>faq</mark>");
    free(s);
    /* No hit at all (no MATCH): the start of the body, or the title when the body is empty. */
    s = snippet_n("Title here", "body text that is long enough", -1, "", "", NULL, 1, 3);
    CHECK_STR(s, "body text that\xE2\x80\xA6");
    free(s);
    s = snippet_n("Title here", "", -1, "", "", NULL, 1, 30);
    CHECK_STR(s, "Title here");
    free(s);
    s = snippet_n("", "", -1, "", "", NULL, 1, 30);
    CHECK_STR(s, "");
    free(s);
}

static void test_hostile_text(void)
{
    /* Invalid UTF-8 and NUL bytes in the document: output is valid UTF-8 (U+FFFD). */
    static const char bad[] = "caf\xe9 ok \xff\xfe end \xed\xa0\x80 x\0y tail";
    char *s = snippet_n("T", bad, (int)sizeof bad - 1, "", "", "ok", 1, 30);
    CHECK(s && strstr(s, "<mark>ok</mark>") != NULL);
    CHECK(s && strstr(s, "\xEF\xBF\xBD") != NULL);
    free(s);
    /* A multi-byte word, diacritics folded by the ofs tokenizer. */
    if (with_ofs) {
        CHECK_SNIPPET("T", "a naïve café here", "cafe", 1, 30, "a naïve <mark>café</mark> here");
        /* Colocated parts of a compound share one position: the window counts it once. */
        CHECK_SNIPPET("T", "one two file.txt three four", "four", 1, 3,
                      "\xE2\x80\xA6" "file.txt three <mark>four</mark>");
        /* A hit on a part marks that part; on the whole, the whole. */
        CHECK_SNIPPET("T", "see file.txt here", "txt", 1, 30, "see file.<mark>txt</mark> here");
        CHECK_SNIPPET("T", "see file.txt here", "\"file.txt\"", 1, 30,
                      "see <mark>file.txt</mark> here");
        CHECK_SNIPPET("T", "w1 w2 w3 w4 w5 w6", "w5", 1, 3, "\xE2\x80\xA6w4 <mark>w5</mark> w6");
    }
}

int main(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    CHECK_INT(ofs_fts5_register(db), SQLITE_OK);
    with_ofs = sqlite3_exec(db,
                            "CREATE VIRTUAL TABLE t USING fts5(title, headings, body, code, meta,"
                            " tokenize='ofs')",
                            NULL, NULL, NULL) == SQLITE_OK;
    if (!with_ofs) {
        printf("note: ofs tokenizer unavailable; using unicode61\n");
        CHECK_INT(sqlite3_exec(db,
                               "CREATE VIRTUAL TABLE t USING fts5(title, headings, body, code,"
                               " meta, tokenize='unicode61 remove_diacritics 2')",
                               NULL, NULL, NULL),
                  SQLITE_OK);
    }
    test_modes();
    test_escaping();
    test_window();
    test_columns();
    test_hostile_text();
    test_bad_insts();
    sqlite3_close(db);
    return check_summary("snippet");
}
