/* The index the search tests share: tests/fixtures/search/ built with the real indexer into a
 * new temporary directory — collection docs (base URL https://example.org/docs) and other (no
 * base URL). Header-only, for test programs. */
#ifndef OFS_TEST_SEARCH_FIXTURE_H
#define OFS_TEST_SEARCH_FIXTURE_H

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <stdio.h>
#include <stdlib.h>

/* Builds it under root's fixtures; dbpath (size bytes) receives the index file, docs (when not
 * NULL) the docs collection's directory. Returns an OFS_ code. */
static int build_search_fixture(const char *root, char *dbpath, size_t size, char *docs_out,
                                size_t docs_size)
{
    char docs[512], other[512];
    snprintf(docs, sizeof docs, "%s/tests/fixtures/search/docs", root);
    snprintf(other, sizeof other, "%s/tests/fixtures/search/other", root);
    if (docs_out)
        snprintf(docs_out, docs_size, "%s", docs);
    char tmpl[] = "/tmp/ofs-test-search-XXXXXX";
    if (!mkdtemp(tmpl))
        return OFS_IO;
    snprintf(dbpath, size, "%s/index.db", tmpl);
    ofs_index *idx = NULL;
    char *err = NULL;
    int rc = ofs_index_open(dbpath, OFS_OPEN_CREATE, NULL, &idx, &err);
    ofs_collection_spec specs[] = {{"docs", docs, "https://example.org/docs"},
                                   {"other", other, NULL}};
    ofs_build_options o;
    ofs_build_options_default(&o);
    ofs_build_summary sum;
    if (rc == OFS_OK)
        rc = ofs_index_build(idx, specs, 2, &o, &sum, &err);
    if (rc != OFS_OK)
        fprintf(stderr, "build failed: %s\n", err ? err : "?");
    free(err);
    ofs_index_close(idx);
    return rc;
}

#endif
