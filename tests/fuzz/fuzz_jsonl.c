/* Fuzz target for JSON Lines ingestion: any bytes as a .jsonl collection must build (bad lines
 * become warnings), leave an index whose FTS5 integrity check passes, and be searchable. */
#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void quiet(void *ctx, const char *file, long line, const char *msg)
{
    (void)ctx, (void)file, (void)line, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ofs-fuzz-jsonl-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    char path[128], db[128];
    snprintf(path, sizeof path, "%s/docs.jsonl", dir);
    snprintf(db, sizeof db, "%s/index.db", dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    unlink(db);
    ofs_index *idx = NULL;
    char *err = NULL;
    if (ofs_index_open(db, OFS_OPEN_CREATE, NULL, &idx, &err) != OFS_OK)
        abort();
    ofs_collection_spec spec = {"docs", path, "https://example.org"};
    ofs_build_options o;
    ofs_build_options_default(&o);
    o.warn = quiet;
    ofs_build_summary sum;
    int rc = ofs_index_build(idx, &spec, 1, &o, &sum, &err);
    if (rc != OFS_OK) /* bad lines are warnings; the build itself must not fail */
        abort();
    if (sqlite3_exec(ofs_index_db(idx), "INSERT INTO fts(fts) VALUES('integrity-check')", NULL,
                     NULL, NULL) != SQLITE_OK)
        abort();
    free(err);
    ofs_index_close(idx);
    unlink(db);
    return 0;
}
