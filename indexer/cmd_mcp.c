/* `ofsearch mcp --db X`: the MCP server on stdio — one JSON-RPC message per line in, one per
 * line out (mcp.c answers them), stdout carrying nothing else; it ends at end of input. A line
 * over the limit is answered with an error and skipped, never buffered whole. */
#include "commands.h"
#include "mcp.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE (1024 * 1024)

static void usage(FILE *out)
{
    fprintf(out, "usage: ofsearch mcp [--db PATH]\n"
                 "\n"
                 "Serves the Model Context Protocol on stdin/stdout for an AI assistant: the\n"
                 "tools `search` and `read_section` over the index. Protocol revisions\n"
                 "2026-07-28 (stateless) and 2025-11-25 back to 2024-11-05 (initialize).\n"
                 "Messages are lines of at most 1 MiB. See docs/cli.md.\n");
}

static void answer(char *out)
{
    if (!out)
        return;
    fputs(out, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    free(out);
}

int cmd_mcp(int argc, char **argv)
{
    const char *db = default_db_path();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            db = argv[++i];
        } else {
            fprintf(stderr, "ofsearch mcp: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    mcp_server *m = NULL;
    char *err = NULL;
    if (mcp_server_open(db, &m, &err) != 0) {
        fprintf(stderr, "ofsearch mcp: %s: %s\n", db, err ? err : "cannot open the index");
        free(err);
        return 2;
    }
    char *buf = ofsi_xmalloc(MAX_LINE + 1);
    size_t n = 0;
    int over = 0, c;
    while ((c = getc_unlocked(stdin)) != EOF) {
        if (c == '\n') {
            if (!over)
                answer(mcp_handle(m, buf, n));
            n = 0;
            over = 0;
        } else if (over) {
            continue;
        } else if (n == MAX_LINE) {
            over = 1; /* the rest of the line is dropped unread */
            answer(mcp_oversized(MAX_LINE));
        } else {
            buf[n++] = (char)c;
        }
    }
    if (n && !over) /* a last message without its newline */
        answer(mcp_handle(m, buf, n));
    free(buf);
    mcp_server_close(m);
    return 0;
}
