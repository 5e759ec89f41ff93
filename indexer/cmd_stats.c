/* `ofsearch stats`: what an index holds — collections with their document and section counts,
 * totals, distinct terms, file size, tokenizer options, schema version and build time. */
#include "commands.h"

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: ofsearch stats [--db PATH] [--json]\n"
                 "\n"
                 "Shows the collections in an index (documents and sections each), totals,\n"
                 "distinct terms, file size, tokenizer options, schema version and build time.\n");
}

static int print_json(const char *db, const ofs_index_stats *st)
{
    json_t *o = json_object();
    json_t *cols = json_array();
    for (size_t i = 0; i < st->ncollections; i++)
        json_array_append_new(cols, json_pack("{s:s, s:I, s:I}", "name", st->collections[i].name,
                                              "documents", (json_int_t)st->collections[i].documents,
                                              "sections", (json_int_t)st->collections[i].sections));
    json_object_set_new(o, "db", json_string(db));
    json_object_set_new(o, "documents", json_integer(st->documents));
    json_object_set_new(o, "sections", json_integer(st->sections));
    json_object_set_new(o, "terms", json_integer(st->terms));
    json_object_set_new(o, "size_bytes", json_integer(st->size_bytes));
    json_object_set_new(o, "tokenizer", json_string(st->tokenizer));
    json_object_set_new(o, "schema_version", json_integer(st->schema_version));
    json_object_set_new(o, "built_at", json_string(st->built_at));
    json_object_set_new(o, "collections", cols);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return 2;
    puts(s);
    free(s);
    return 0;
}

static void print_text(const char *db, const ofs_index_stats *st)
{
    printf("index:       %s (%.1f MB)\n", db, st->size_bytes / 1e6);
    printf("schema:      %d\n", st->schema_version);
    printf("tokenizer:   %s\n", st->tokenizer[0] == '=' ? st->tokenizer + 1
                                : st->tokenizer[0]      ? st->tokenizer
                                                        : "ofs (defaults)");
    printf("built at:    %s\n", st->built_at[0] ? st->built_at : "never");
    printf("documents:   %ld\n", st->documents);
    printf("sections:    %ld\n", st->sections);
    printf("terms:       %ld\n", st->terms);
    printf("collections: %zu\n", st->ncollections);
    for (size_t i = 0; i < st->ncollections; i++)
        printf("  %-24s %8ld documents %9ld sections\n", st->collections[i].name,
               st->collections[i].documents, st->collections[i].sections);
}

int cmd_stats(int argc, char **argv)
{
    const char *db = default_db_path();
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            db = argv[++i];
        } else {
            fprintf(stderr, "ofsearch stats: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    ofs_index *idx = NULL;
    char *err = NULL;
    ofs_index_stats st;
    int rc = ofs_index_open(db, OFS_OPEN_READONLY, NULL, &idx, &err);
    if (rc == OFS_OK)
        rc = ofs_index_get_stats(idx, &st, &err);
    if (rc != OFS_OK) {
        fprintf(stderr, "ofsearch stats: %s\n", err ? err : ofs_strerror(rc));
        free(err);
        ofs_index_close(idx);
        return 2;
    }
    int status = 0;
    if (json)
        status = print_json(db, &st);
    else
        print_text(db, &st);
    ofs_index_stats_free(&st);
    ofs_index_close(idx);
    return status;
}
