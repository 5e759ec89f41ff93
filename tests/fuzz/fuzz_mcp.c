/* Fuzz target for the MCP server's messages (indexer/mcp.c): any bytes as one line, answered by
 * a server over a small index built at start-up, so tool calls really search and read. Each
 * answer must be one line of JSON-RPC 2.0 (an object with jsonrpc "2.0" and an id, and exactly
 * one of result and error); anything else aborts.
 * fuzz-extra: indexer/mcp.c */
#include "mcp.h"

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mcp_server *server;

static const char page[] =
    "---\ntitle: Clusters\n---\n# Clusters\n\nThe zero cluster runs shared services.\n\n"
    "## Upgrades\n\nUpgrade the zero cluster first.\n\n**Runbook** is a page for alerts.\n\n"
    "## Is it safe?\n\nQ: Who answers alerts?\n\nA: The on-call engineer.\n";

static void setup(void)
{
    char dir[] = "/tmp/ofs-fuzz-mcp-XXXXXX", path[128], db[128];
    ofs_index *idx = NULL;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/docs", dir);
    snprintf(db, sizeof db, "%s/index.db", dir);
    FILE *f = NULL;
    char file[160];
    snprintf(file, sizeof file, "%s/clusters.md", path);
    ofs_collection_spec spec = {"docs", path, NULL};
    ofs_build_options o;
    ofs_build_options_default(&o);
    ofs_build_summary sum;
    char *err = NULL;
    if (mkdir(path, 0700) != 0 || !(f = fopen(file, "w")) || fputs(page, f) < 0 ||
        fclose(f) != 0 || ofs_index_open(db, OFS_OPEN_CREATE, NULL, &idx, &err) != OFS_OK ||
        ofs_index_build(idx, &spec, 1, &o, &sum, &err) != OFS_OK) {
        fprintf(stderr, "fuzz_mcp: setup failed: %s\n", err ? err : "?");
        abort();
    }
    ofs_index_close(idx);
    if (mcp_server_open(db, &server, &err) != 0) {
        fprintf(stderr, "fuzz_mcp: %s\n", err ? err : "?");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!server)
        setup();
    char *out = mcp_handle(server, (const char *)data, size);
    if (!out)
        return 0;
    json_t *a = json_loads(out, 0, NULL);
    json_t *id = a ? json_object_get(a, "id") : NULL;
    int has_result = a && json_object_get(a, "result") != NULL;
    int has_error = a && json_object_get(a, "error") != NULL;
    if (!a || strchr(out, '\n') || !json_is_object(a) ||
        strcmp(json_string_value(json_object_get(a, "jsonrpc")) ?: "", "2.0") != 0 || !id ||
        !(json_is_null(id) || json_is_string(id) || json_is_integer(id)) ||
        has_result == has_error)
        abort();
    json_decref(a);
    free(out);
    return 0;
}
