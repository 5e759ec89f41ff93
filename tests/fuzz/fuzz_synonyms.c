/* Fuzz target for synonyms files: any bytes are either a clear OFS_INVALID error or a table
 * whose groups expand into queries FTS5 accepts. */
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static sqlite3_stmt *st;
static ofs_tokenizer *tok;

static void setup(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || ofs_fts5_register(db) != SQLITE_OK ||
        ofs_tokenizer_new(NULL, 0, &tok, NULL) != OFS_OK ||
        sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='ofs')", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL) !=
            SQLITE_OK)
        abort();
}

/* Every word of the file, used as a query, must compile to an expression FTS5 accepts. */
static void query_each_word(const ofs_synonyms *syn, const char *text, size_t len)
{
    for (size_t i = 0; i < len;) {
        while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '='))
            i++;
        size_t j = i;
        while (j < len && text[j] != ' ' && text[j] != '\n' && text[j] != '=')
            j++;
        if (j > i) {
            ofs_query_options o = {.synonyms = syn, .tok = tok, .max_bytes = 1024};
            ofs_query *q = NULL;
            if (ofs_query_parse(text + i, j - i, &o, &q, NULL) == OFS_OK &&
                ofs_query_match_all(q)) {
                sqlite3_bind_text(st, 1, ofs_query_match_all(q), -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_ROW)
                    abort();
                sqlite3_reset(st);
            }
            ofs_query_free(q);
        }
        i = j;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        setup();
    ofs_synonyms *syn = NULL;
    char *err = NULL;
    int rc = ofs_synonyms_parse((const char *)data, size, tok, &syn, &err);
    if (rc != OFS_OK && (rc != OFS_INVALID || !err) && rc != OFS_TOOLONG)
        abort(); /* a bad file must be a clear error, not a crash or a silent failure */
    if (rc == OFS_OK)
        query_each_word(syn, (const char *)data, size > 4096 ? 4096 : size);
    free(err);
    ofs_synonyms_free(syn);
    return 0;
}
