/* The Model Context Protocol server behind `ofsearch mcp` (mcp.c): JSON-RPC 2.0 messages in,
 * answers out, one line each, with two tools over an index — search and read_section — so an
 * AI assistant answers from the docs and cites them. It speaks the stateless revision
 * 2026-07-28 (server/discover, the protocol version in every request's _meta) and, for the
 * clients of before, the initialize handshake of 2025-11-25 and earlier. No I/O here: the
 * stdio loop is cmd_mcp.c, and the fuzz target drives mcp_handle as it does. */
#ifndef OFS_MCP_H
#define OFS_MCP_H

#include <stddef.h>

typedef struct mcp_server mcp_server;

/* A server over the index at db, opened read-only; db NULL: no index (every tool call answers
 * that there is none; for tests of the protocol alone). 0, or -1 with *err (malloc'd). */
int mcp_server_open(const char *db, mcp_server **out, char **err);
void mcp_server_close(mcp_server *m);

/* One message: n bytes of a line without its newline, any bytes. Returns the answer as one line
 * of JSON without a newline (malloc'd), or NULL when nothing is to be answered (a notification,
 * a response, a blank line). */
char *mcp_handle(mcp_server *m, const char *line, size_t n);

/* The answer to a line longer than limit bytes (which is not read). */
char *mcp_oversized(size_t limit);

#endif
