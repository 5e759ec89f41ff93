/* `ofsearch index`: builds or updates an index from Markdown directories/files and JSONL files.
 * Parses arguments into collection specs, draws progress on a terminal, prints warnings and a
 * summary; the work is ofs_index_build / ofs_index_rebuild. Exit: 0 ok, 1 some files failed,
 * 2 fatal error. */
#include "commands.h"
#include "term.h"

#include "alloc.h"
#include "util.h"
#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ofsearch index [OPTIONS] [PATH...]\n"
            "\n"
            "Builds or updates an index. A PATH is a directory of Markdown (.md, .markdown, .mdx),\n"
            "a Markdown file, or a .jsonl file (one {\"id\",\"title\",\"body\"|\"text\",\"url\"} per\n"
            "line); each becomes a collection named after its basename. Re-runs only re-parse\n"
            "files that changed and drop documents whose files are gone. With no PATH and no\n"
            "--collection, an existing index is updated from the collections it holds.\n"
            "\n"
            "options:\n"
            "  --db PATH                  index file (default $OFSEARCH_DB or ofsearch.db)\n"
            "  --collection NAME=PATH[@BASE_URL]  add a named collection (repeatable)\n"
            "  --base-url URL             base URL for collections given without one\n"
            "  --tokenizer \"OPTS\"         tokenizer options for a new index, e.g.\n"
            "                             \"stem english diacritics 1\"; \"=unicode61\" uses a stock\n"
            "                             FTS5 tokenizer (baselines); default \"" OFS_DEFAULT_TOKENIZER "\"\n"
            "  --depth N                  deepest heading level that starts a section (default 3)\n"
            "  --max-file-size BYTES      skip larger files (default 10485760)\n"
            "  --no-optimize              skip the FTS5 'optimize' merge after a large build\n"
            "  --rebuild                  build a fresh index and atomically replace the old one\n"
            "                             (needed to change --tokenizer or after an upgrade)\n"
            "  --json                     print the summary as JSON\n"
            "  -q, --quiet                no warnings on stderr (still counted)\n");
}

typedef struct {
    int tty, quiet;
    double last_draw;
    int drawn;
} ui;

static void on_progress(void *ctx, const ofs_progress *p)
{
    ui *u = ctx;
    if (!u->tty)
        return;
    double t = ofsi_clock_seconds();
    if (t - u->last_draw < 0.1 && p->files_done < p->files_total)
        return;
    u->last_draw = t;
    u->drawn = 1;
    term_progress(p->files_done, p->files_total, p->bytes_done, p->bytes_total, p->seconds);
}

static void on_warn(void *ctx, const char *file, long line, const char *msg)
{
    ui *u = ctx;
    if (u->quiet)
        return;
    if (u->drawn) {
        term_progress_end();
        u->drawn = 0;
    }
    if (line > 0)
        fprintf(stderr, "ofsearch: warning: %s:%ld: %s\n", file, line, msg);
    else
        fprintf(stderr, "ofsearch: warning: %s: %s\n", file, msg);
}

/* Collection name for a bare PATH: its basename, without a file's extension. */
static char *name_for_path(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    const char *base = path + start;
    size_t len = n - start;
    const char *dot = memrchr(base, '.', len);
    struct stat st;
    /* only files carry an extension worth dropping; a directory "docs.v2" keeps its name */
    if (dot && dot != base && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        len = (size_t)(dot - base);
    if (len == 0 || (len == 1 && base[0] == '.') || (len == 2 && !strncmp(base, "..", 2))) {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd)) {
            const char *s = strrchr(cwd, '/');
            return ofsi_xstrdup(s && s[1] ? s + 1 : "root");
        }
        return ofsi_xstrdup("docs");
    }
    return ofsi_xstrndup(base, len);
}

/* Splits NAME=PATH[@BASE_URL]; the '@' counts only when a URL ("scheme://" or "/...") follows,
 * so paths containing '@' still work. Points into (and modifies) arg. */
static int parse_collection(char *arg, ofs_collection_spec *spec)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return -1;
    *eq = '\0';
    spec->name = arg;
    spec->path = eq + 1;
    spec->base_url = NULL;
    for (char *at = strrchr(eq + 1, '@'); at; at = NULL) {
        if (strstr(at + 1, "://") || at[1] == '/') {
            *at = '\0';
            spec->base_url = at + 1;
        }
    }
    return *spec->path ? 0 : -1;
}

static void print_summary(const ofs_build_summary *s, int json)
{
    double mb = s->bytes / 1e6;
    double mbs = s->seconds > 0 ? mb / s->seconds : 0;
    if (json) {
        printf("{\"added\":%ld,\"updated\":%ld,\"removed\":%ld,\"unchanged\":%ld,\"failed\":%ld,"
               "\"documents\":%ld,\"sections\":%ld,\"bytes\":%.0f,\"seconds\":%.3f,"
               "\"mb_per_s\":%.2f}\n",
               s->added, s->updated, s->removed, s->unchanged, s->failed, s->documents,
               s->sections, s->bytes, s->seconds, mbs);
        return;
    }
    printf("%ld added, %ld updated, %ld removed, %ld unchanged, %ld failed; %ld documents, "
           "%ld sections; %.1f MB in %.2f s (%.1f MB/s)\n",
           s->added, s->updated, s->removed, s->unchanged, s->failed, s->documents, s->sections,
           mb, s->seconds, mbs);
}

typedef struct {
    const char *db, *base_url, *tokenizer;
    int rebuild, json;
    ofs_collection_spec *specs;
    size_t nspecs;
    char **names; /* malloc'd collection names for bare paths */
    size_t nnames;
} args;

/* With no PATH and no --collection, an existing index is brought up to date with the
 * collections it already holds (their stored roots and base URLs). Fills a->specs, pointing
 * into *stored. Returns 0, or -1 with a message in *err. */
static int stored_collections(args *a, ofs_collection_info **stored, size_t *n, char **err)
{
    if (access(a->db, F_OK) != 0)
        return -1;
    ofs_index *idx = NULL;
    int rc = ofs_index_open(a->db, OFS_OPEN_READONLY, NULL, &idx, err);
    if (rc == OFS_OK)
        rc = ofs_index_collections(idx, stored, n, err);
    ofs_index_close(idx);
    if (rc != OFS_OK || *n == 0)
        return -1;
    a->specs = ofsi_xreallocarray(a->specs, *n, sizeof *a->specs);
    for (size_t i = 0; i < *n; i++)
        a->specs[i] = (ofs_collection_spec){(*stored)[i].name, (*stored)[i].root,
                                            (*stored)[i].base_url};
    a->nspecs = *n;
    return 0;
}

static int need_value(int i, int argc, const char *opt)
{
    if (i + 1 >= argc) {
        fprintf(stderr, "ofsearch index: %s needs a value\n", opt);
        return -1;
    }
    return 0;
}

/* Returns -1 to exit 2, 1 to exit 0 (help), 0 to go on. */
static int parse_args(int argc, char **argv, args *a, ofs_build_options *o, ui *u)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        long v;
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(opt, "--rebuild")) {
            a->rebuild = 1;
        } else if (!strcmp(opt, "--json")) {
            a->json = 1;
        } else if (!strcmp(opt, "-q") || !strcmp(opt, "--quiet")) {
            u->quiet = 1;
        } else if (!strcmp(opt, "--no-optimize")) {
            o->optimize = 0;
        } else if (!strcmp(opt, "--db") || !strcmp(opt, "--base-url") ||
                   !strcmp(opt, "--tokenizer") || !strcmp(opt, "--collection") ||
                   !strcmp(opt, "--depth") || !strcmp(opt, "--max-file-size")) {
            if (need_value(i, argc, opt))
                return -1;
            char *val = argv[++i];
            if (!strcmp(opt, "--db")) {
                a->db = val;
            } else if (!strcmp(opt, "--base-url")) {
                a->base_url = val;
            } else if (!strcmp(opt, "--tokenizer")) {
                a->tokenizer = val;
            } else if (!strcmp(opt, "--collection")) {
                if (parse_collection(val, &a->specs[a->nspecs]) != 0) {
                    fprintf(stderr, "ofsearch index: --collection wants NAME=PATH[@BASE_URL], "
                                    "got '%s'\n", val);
                    return -1;
                }
                a->nspecs++;
            } else if (!strcmp(opt, "--depth")) {
                if (ofsi_parse_long(val, 1, 6, &v)) {
                    fprintf(stderr, "ofsearch index: --depth wants 1..6, got '%s'\n", val);
                    return -1;
                }
                o->max_depth = (int)v;
            } else {
                if (ofsi_parse_long(val, 1, 1L << 40, &v)) {
                    fprintf(stderr, "ofsearch index: --max-file-size wants a positive number of "
                                    "bytes, got '%s'\n", val);
                    return -1;
                }
                o->max_file_bytes = v;
            }
        } else if (opt[0] == '-' && opt[1]) {
            fprintf(stderr, "ofsearch index: unknown option '%s'\n", opt);
            usage(stderr);
            return -1;
        } else {
            char *name = name_for_path(opt);
            if (!name)
                return -1;
            a->names[a->nnames++] = name;
            a->specs[a->nspecs++] = (ofs_collection_spec){name, opt, NULL};
        }
    }
    for (size_t i = 0; i < a->nspecs; i++)
        if (!a->specs[i].base_url)
            a->specs[i].base_url = a->base_url;
    return 0;
}

int cmd_index(int argc, char **argv)
{
    ofs_build_options o;
    ofs_build_options_default(&o);
    ui u = {.tty = term_is_tty(stderr)};
    o.progress = on_progress;
    o.warn = on_warn;
    o.ctx = &u;
    args a = {.db = default_db_path()};
    ofs_collection_info *stored = NULL; /* collections re-indexed when none are named */
    size_t nstored = 0;
    a.specs = ofsi_xcalloc((size_t)argc + 1, sizeof *a.specs);
    a.names = ofsi_xcalloc((size_t)argc + 1, sizeof *a.names);
    int status = 2;
    int pr = parse_args(argc, argv, &a, &o, &u);
    if (pr != 0) {
        status = pr > 0 ? 0 : 2;
        goto out;
    }
    char *err = NULL;
    if (a.nspecs == 0 && stored_collections(&a, &stored, &nstored, &err) != 0) {
        fprintf(stderr, "ofsearch index: %s\n", err ? err : "nothing to index (give a PATH or "
                                                             "--collection)");
        free(err);
        goto out;
    }
    ofs_build_summary sum;
    int rc;
    if (a.rebuild || access(a.db, F_OK) != 0) {
        /* A new index is built aside and renamed into place too: atomic and faster. */
        rc = ofs_index_rebuild(a.db, a.tokenizer, a.specs, a.nspecs, &o, &sum, &err);
    } else {
        if (a.tokenizer)
            fprintf(stderr, "ofsearch index: note: --tokenizer only applies to a new index; the "
                            "existing one keeps its options (use --rebuild to change them)\n");
        ofs_index *idx = NULL;
        rc = ofs_index_open(a.db, OFS_OPEN_CREATE, a.tokenizer, &idx, &err);
        if (rc == OFS_OK)
            rc = ofs_index_build(idx, a.specs, a.nspecs, &o, &sum, &err);
        ofs_index_close(idx);
    }
    if (u.drawn)
        term_progress_end();
    if (rc != OFS_OK) {
        fprintf(stderr, "ofsearch index: %s\n", err ? err : ofs_strerror(rc));
        free(err);
        goto out;
    }
    print_summary(&sum, a.json);
    status = sum.failed ? 1 : 0;
out:
    ofs_collection_infos_free(stored, nstored);
    for (size_t i = 0; a.names && i < a.nnames; i++)
        free(a.names[i]);
    free(a.names);
    free(a.specs);
    return status;
}
