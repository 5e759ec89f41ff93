/* Fuzz target for ofs_snippet: the input's first line is a query (compiled by ofs_query_parse),
 * the rest a document whose columns are separated by \x1f (title, headings, body, code, meta).
 * Every snippet of a matching row must be valid UTF-8 on one line; in HTML mode the only '<' are
 * our <mark> tags, in ANSI mode the only escapes are our colour codes; the same snippet made
 * from ofs_insts() by rowid (the search's way) must be identical; arbitrary instance blobs are
 * refused or give a well-formed snippet. */
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static sqlite3_stmt *ins, *sel, *by_rowid;
static ofs_tokenizer *tok;

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_snippet: %s: %s\n", what, detail ? detail : "");
    abort();
}

static void setup(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || ofs_fts5_register(db) != SQLITE_OK ||
        ofs_tokenizer_new(NULL, 0, &tok, NULL) != OFS_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, headings, body, code, meta,"
                     " tokenize='ofs')",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t(rowid, title, headings, body, code, meta) "
                               "VALUES(1, ?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT ofs_snippet(t, ?2, ?3), ofs_insts(t) FROM t WHERE t MATCH ?1",
                           -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT ofs_snippet(t, ?2, ?3, ?1) FROM t WHERE rowid = 1", -1,
                           &by_rowid, NULL) != SQLITE_OK)
        fail("setup", db ? sqlite3_errmsg(db) : "no db");
}

static int valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                                  : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!len || i + len > n)
            return 0;
        unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        if (len > 1 && (p[i + 1] < lo || p[i + 1] > hi))
            return 0;
        for (size_t k = 2; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

static void check_output(const char *s, int n, int mode)
{
    if (!valid_utf8((const unsigned char *)s, (size_t)n))
        fail("invalid UTF-8 in snippet", s);
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\r' || c == '\t' || c == 0)
            fail("whitespace not collapsed", s);
        if (mode == 1 && c == '<' && strncmp(s + i, "<mark>", 6) && strncmp(s + i, "</mark>", 7))
            fail("raw '<' in HTML snippet", s);
        if (mode == 1 && c == '>' && !(i >= 5 && strncmp(s + i - 5, "<mark>", 6) == 0) &&
            !(i >= 6 && strncmp(s + i - 6, "</mark>", 7) == 0))
            fail("raw '>' in HTML snippet", s);
        if (c == 0x1b && !(mode == 2 && (strncmp(s + i, "\033[1;31m", 7) == 0 ||
                                         strncmp(s + i, "\033[0m", 4) == 0)))
            fail("escape character in snippet", s);
    }
}

/* The row's instances carried to a rowid-only statement (the search's page snippets) give the
 * very snippet of the MATCH. */
static void same_by_rowid(const char *want, sqlite3_value *insts, int mode, int ntokens,
                          const char *match)
{
    if (sqlite3_value_type(insts) == SQLITE_NULL)
        return; /* too many instances to carry: the search falls back to the MATCH */
    sqlite3_reset(by_rowid);
    sqlite3_bind_value(by_rowid, 1, insts);
    sqlite3_bind_int(by_rowid, 2, mode);
    sqlite3_bind_int(by_rowid, 3, ntokens);
    if (sqlite3_step(by_rowid) != SQLITE_ROW)
        fail("snippet by rowid", sqlite3_errmsg(db));
    const char *got = (const char *)sqlite3_column_text(by_rowid, 0);
    if (!got || strcmp(got, want))
        fail("snippet from ofs_insts differs from the MATCH's", match);
    sqlite3_reset(by_rowid);
}

/* Arbitrary bytes as the instances blob: an error or a snippet, never a crash. */
static void garbage_insts(const uint8_t *data, size_t size)
{
    unsigned char b[64] = "OFSI";
    size_t n = size < sizeof b - 4 ? size : sizeof b - 4;
    memcpy(b + 4, data, n);
    sqlite3_reset(by_rowid);
    sqlite3_bind_blob(by_rowid, 1, b, (int)(n + 4), SQLITE_STATIC);
    sqlite3_bind_int(by_rowid, 2, 1);
    sqlite3_bind_int(by_rowid, 3, 30);
    if (sqlite3_step(by_rowid) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(by_rowid, 0);
        check_output(s ? s : "", sqlite3_column_bytes(by_rowid, 0), 1);
    }
    sqlite3_reset(by_rowid);
}

static void snippets(const char *match)
{
    static const int ntokens[] = {30, 3, 1};
    for (int mode = 0; mode < 3; mode++) {
        sqlite3_reset(sel);
        sqlite3_bind_text(sel, 1, match, -1, SQLITE_STATIC);
        sqlite3_bind_int(sel, 2, mode);
        sqlite3_bind_int(sel, 3, ntokens[mode]);
        int rc;
        while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
            const char *s = (const char *)sqlite3_column_text(sel, 0);
            int n = sqlite3_column_bytes(sel, 0);
            if (!s)
                fail("NULL snippet", match);
            check_output(s, n, mode);
            same_by_rowid(s, sqlite3_column_value(sel, 1), mode, ntokens[mode], match);
        }
        if (rc != SQLITE_DONE)
            fail(sqlite3_errmsg(db), match);
        sqlite3_reset(sel);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        setup();
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t qlen = nl ? (size_t)(nl - in) : size;
    const char *doc = nl ? nl + 1 : in + size;
    size_t dlen = size - (size_t)(doc - in);

    ofs_query_options o = {.prefix_last = qlen > 0 && in[0] == '~', .max_bytes = 1024, .tok = tok};
    ofs_query *q = NULL;
    if (ofs_query_parse(in, qlen, &o, &q, NULL) != OFS_OK)
        return 0; /* over the length limit */

    sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    for (int col = 0; col < 5; col++) {
        const char *sep = col < 4 ? memchr(doc, 0x1f, dlen) : NULL;
        size_t n = sep ? (size_t)(sep - doc) : dlen;
        sqlite3_bind_text(ins, col + 1, doc, (int)n, SQLITE_STATIC);
        doc += n;
        dlen -= n;
        if (sep) {
            doc++;
            dlen--;
        } else
            break;
    }
    if (sqlite3_step(ins) != SQLITE_DONE)
        fail("insert", sqlite3_errmsg(db));
    sqlite3_reset(ins);
    if (ofs_query_match_all(q))
        snippets(ofs_query_match_all(q));
    if (ofs_query_match_any(q))
        snippets(ofs_query_match_any(q));
    garbage_insts(data, size);
    ofs_query_free(q);
    return 0;
}
