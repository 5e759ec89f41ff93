/* Fuzz target for the query language: any bytes, parsed with as-you-type on and off, with and
 * without a tokenizer and synonyms, must compile to expressions FTS5 accepts (bare and inside the
 * searcher's title filter). Any SQLite error other than OK aborts. */
#include "ofsearch/ofsearch.h"
#include "ofsearch/query.h"
#include "ofsearch/tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char synonyms[] = "MOC = Mass Open Cloud = Massachusetts Open Cloud\n"
                               "k8s = Kubernetes\nC# = csharp\nArgo CD = ArgoCD\n";

/* Built once per process: a fuzzer runs millions of inputs. */
static sqlite3 *db;
static sqlite3_stmt *st;
static ofs_tokenizer *tok;
static ofs_synonyms *syn_tok, *syn_raw;

static void setup(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || ofs_fts5_register(db) != SQLITE_OK ||
        ofs_tokenizer_new(NULL, 0, &tok, NULL) != OFS_OK ||
        ofs_synonyms_parse(synonyms, strlen(synonyms), tok, &syn_tok, NULL) != OFS_OK ||
        ofs_synonyms_parse(synonyms, strlen(synonyms), NULL, &syn_raw, NULL) != OFS_OK ||
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(title, headings, body, code, meta,"
                     " tokenize='ofs', prefix='2 3');"
                     "INSERT INTO t VALUES('MOC', 'Intro', 'the Mass Open Cloud runs kubernetes',"
                     " 'kubectl get pods', 'faq');"
                     "INSERT INTO t VALUES('Observability', 'Ops', 'metrics, logs and \"or\"',"
                     " 'a OR b', 'NEAR');",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "fuzz_query: setup failed: %s\n", db ? sqlite3_errmsg(db) : "no db");
        abort();
    }
}

static void run(const char *expr, int wrap)
{
    if (!expr)
        return;
    char *m = sqlite3_mprintf(wrap ? "{title} : (%s)" : "%s", expr);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        fprintf(stderr, "fuzz_query: FTS5 rejected [%s]: %s\n", m, sqlite3_errmsg(db));
        abort();
    }
    sqlite3_reset(st);
    sqlite3_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        setup();
    /* Without a length limit only inputs over the limit behave differently. */
    for (int v = 0; v < (size > 1024 ? 8 : 4); v++) {
        ofs_query_options o = {.prefix_last = v & 1,
                               .max_bytes = (v & 4) ? 0 : 1024,
                               .tok = (v & 2) ? tok : NULL,
                               .synonyms = (v & 2) ? syn_tok : syn_raw};
        ofs_query *q = NULL;
        char *err = NULL;
        int rc = ofs_query_parse((const char *)data, size, &o, &q, &err);
        if (rc == OFS_TOOLONG && o.max_bytes && size > o.max_bytes) {
            free(err);
            continue;
        }
        if (rc != OFS_OK) {
            fprintf(stderr, "fuzz_query: parse failed rc=%d: %s\n", rc, err ? err : "");
            abort();
        }
        const char *all = ofs_query_match_all(q), *any = ofs_query_match_any(q);
        if ((all == NULL) != (any == NULL))
            abort();
        /* Every accessor returns valid memory. */
        for (size_t i = 0; i < ofs_query_nwords(q); i++)
            if (!ofs_query_word(q, i) || !*ofs_query_word(q, i))
                abort();
        if (!ofs_query_text(q))
            abort();
        run(all, 0);
        run(any, 0);
        run(all, 1);
        ofs_query_free(q);
    }
    return 0;
}
