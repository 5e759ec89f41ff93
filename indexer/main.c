/* `ofsearch`: the command-line front end. Dispatches to one subcommand per file. */
#include "commands.h"

#include "ofsearch/ofsearch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"index", cmd_index, "build or update an index from Markdown/JSONL collections"},
    {"search", cmd_search, "search an index"},
    {"show", cmd_show, "print the Markdown of one indexed section (a hit's url, path#anchor)"},
    {"mcp", cmd_mcp, "serve search and read_section to AI assistants (MCP over stdio)"},
    {"eval", cmd_eval, "score rankings against judged queries (TREC qrels)"},
    {"tokens", cmd_tokens, "show the tokens the ofs tokenizer produces for a text"},
    {"stats", cmd_stats, "show what an index holds"},
    {"snapshot", cmd_snapshot, "write a consistent, hashed copy of an index for serving"},
    {"verify", cmd_verify, "check a snapshot against its manifest before serving it"},
    {"healthcheck", cmd_healthcheck, "ask a local ofsearchd for /healthz (container probe)"},
};

const char *default_db_path(void)
{
    const char *env = getenv("OFSEARCH_DB");
    return env && *env ? env : "ofsearch.db";
}

static void usage(FILE *out)
{
    fprintf(out, "usage: ofsearch COMMAND [OPTIONS] ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n`ofsearch COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("ofsearch %s\n", OFS_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "ofsearch: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
