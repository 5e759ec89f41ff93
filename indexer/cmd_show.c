/* `ofsearch show REF`: one indexed section's Markdown in the terminal — what a search hit
 * points at (its url, path#anchor or collection:path#anchor), from its heading to the next of
 * its level, so a person reads the passage a search found (the MCP server's read_section, for
 * people). */
#include "commands.h"

#include "util.h"
#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: ofsearch show [--db PATH] [--max-bytes N] REF\n"
                 "\n"
                 "Prints the Markdown of the section REF names: a hit's url, path#anchor,\n"
                 "collection:path#anchor (a path alone: the whole page), or a /doc/ link, under\n"
                 "a line naming it. Exit 1 when nothing is named so, 2 on a usage error.\n");
}

int cmd_show(int argc, char **argv)
{
    const char *db = default_db_path(), *ref = NULL;
    long max = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            db = argv[++i];
        } else if (!strcmp(argv[i], "--max-bytes") && i + 1 < argc) {
            if (ofsi_parse_long(argv[++i], 1, LONG_MAX, &max)) {
                fprintf(stderr, "ofsearch show: --max-bytes wants a positive number\n");
                return 2;
            }
        } else if (!ref && (argv[i][0] != '-' || !argv[i][1])) {
            ref = argv[i];
        } else {
            fprintf(stderr, "ofsearch show: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!ref) {
        usage(stderr);
        return 2;
    }
    ofs_index *idx = NULL;
    char *err = NULL;
    ofs_section_text s;
    int rc = ofs_index_open(db, OFS_OPEN_READONLY, NULL, &idx, &err);
    if (rc == OFS_OK)
        rc = ofs_index_read_section(idx, ref, (size_t)max, &s, &err);
    ofs_index_close(idx);
    if (rc != OFS_OK) {
        fprintf(stderr, "ofsearch show: %s\n", err ? err : ofs_strerror(rc));
        free(err);
        return rc == OFS_NOTFOUND || rc == OFS_INVALID ? 1 : 2;
    }
    printf("%s:%s%s%s — %s\n\n", s.collection, s.path, *s.anchor ? "#" : "", s.anchor, s.title);
    fwrite(s.markdown, 1, s.len, stdout);
    if (s.len && s.markdown[s.len - 1] != '\n')
        putchar('\n');
    if (s.truncated)
        printf("\n[… cut at %zu bytes]\n", s.len);
    ofs_section_text_clear(&s);
    return 0;
}
