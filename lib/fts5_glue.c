/* Registers everything ofsearch adds to FTS5 (tokenizer, snippet and ranking functions) with a connection,
 * and the SQLite loadable-extension entry point so the stock sqlite3 shell can `.load` it. */
#include "internal.h"

#include "ofsearch/tokenizer.h"

#include <sqlite3.h>

fts5_api *ofsi_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

int ofs_fts5_register(sqlite3 *db)
{
    fts5_api *api = ofsi_fts5_api(db);
    if (!api)
        return SQLITE_ERROR;
    int rc = ofsi_tokenizer_register_fts5(api);
    if (rc == SQLITE_OK)
        rc = ofsi_snippet_register_fts5(api);
    if (rc == SQLITE_OK)
        rc = ofsi_rank_register_fts5(api);
    return rc;
}
