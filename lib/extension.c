/* SQLite loadable-extension entry point: `.load ./libofsearch_ext` in the stock sqlite3 shell (or
 * sqlite3_load_extension) registers the `ofs` tokenizer and the ofs_snippet function. */
#include "ofsearch/tokenizer.h"

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stdio.h>

/* SQLite derives the default entry point from the file name: it drops the directory and a "lib"
 * prefix, keeps only the letters before the first '.', lower-cased — libofsearch_ext.so →
 * "ofsearchext" → sqlite3_ofsearchext_init. The library's own calls go straight to libsqlite3,
 * which is the same library the (dynamically linked) shell uses. */
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_ofsearchext_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
    SQLITE_EXTENSION_INIT2(api);
    int rc = ofs_fts5_register(db);
    if (rc != SQLITE_OK && errmsg)
        *errmsg = sqlite3_mprintf("ofsearch: cannot register with FTS5 (is FTS5 compiled in?)");
    return rc;
}
