/* `ofsearch search`: one query against an index, printed like a good grep (rank, title ›
 * breadcrumb, URL, snippet) or as stable JSON (docs/cli.md). Exit 0 with hits, 1 with none,
 * 2 on error. */
#include "commands.h"
#include "term.h"

#include "alloc.h"
#include "util.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void search_usage(FILE *f)
{
    fprintf(f,
            "usage: ofsearch search [--db PATH] [--limit N] [--offset N] [--collection C]\n"
            "                       [--kind page|section|term|faq] [--prefix] [--json]\n"
            "                       [--synonyms FILE | --no-synonyms] [--color|--no-color] QUERY...\n"
            "Query syntax: words (all must match), \"a phrase\", -exclude, a OR b, pre*,\n"
            "title:word, collection:name, kind:term (see docs/query-syntax.md).\n"
            "Exit status: 0 hits found, 1 no hits, 2 error.\n");
}

/* The synonyms file used when none is named: $OFSEARCH_SYNONYMS, else the default corpus's. */
const char *default_synonyms_path(void)
{
    const char *env = getenv("OFSEARCH_SYNONYMS");
    if (env)
        return *env ? env : NULL;
#ifdef OFS_DEFAULT_SYNONYMS
    if (access(OFS_DEFAULT_SYNONYMS, R_OK) == 0)
        return OFS_DEFAULT_SYNONYMS;
#endif
    return NULL;
}

static int parse_int(const char *s, int *out)
{
    long v;
    if (ofsi_parse_long(s, 0, 1000000, &v))
        return -1;
    *out = (int)v;
    return 0;
}

/* Joins argv[from..argc) with spaces: the query may come as several shell words. */
static char *join_args(int argc, char **argv, int from)
{
    size_t n = 1;
    for (int i = from; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *q = ofsi_xmalloc(n);
    q[0] = '\0';
    for (int i = from; i < argc; i++) {
        if (i > from)
            strcat(q, " ");
        strcat(q, argv[i]);
    }
    return q;
}

static void print_json(const char *query, const ofs_results *r, int offset)
{
    json_t *hits = json_array();
    for (size_t i = 0; i < r->nhits; i++) {
        const ofs_hit *h = &r->hits[i];
        json_array_append_new(
            hits, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s}", "rank",
                            offset + (int)i + 1, "collection", h->collection, "path", h->path,
                            "docid", h->docid, "url", h->url, "title", h->title, "breadcrumb",
                            h->breadcrumb, "kind", h->kind, "score", h->score, "snippet",
                            h->snippet));
    }
    json_t *root = json_pack("{s:s, s:I, s:b, s:b, s:f, s:o}", "query", query, "total",
                             (json_int_t)r->total, "relaxed", r->relaxed, "corrected",
                             r->corrected, "took_ms", r->took_ms, "hits", hits);
    json_object_set_new(root, "did_you_mean",
                        r->did_you_mean ? json_string(r->did_you_mean) : json_null());
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (text)
        puts(text);
    free(text);
    json_decref(root);
}

static void print_text(const ofs_results *r, int offset, int color)
{
    const char *b = color ? "\033[1m" : "", *dim = color ? "\033[2m" : "",
               *cyan = color ? "\033[36m" : "", *off = color ? "\033[0m" : "";
    if (r->corrected)
        printf("%sNo results for your query; showing results for \"%s\".%s\n\n", dim,
               r->did_you_mean, off);
    else if (r->did_you_mean)
        printf("%sDid you mean \"%s\"?%s\n\n", dim, r->did_you_mean, off);
    for (size_t i = 0; i < r->nhits; i++) {
        const ofs_hit *h = &r->hits[i];
        printf("%s%zu.%s %s%s%s", dim, (size_t)offset + i + 1, off, b, h->title, off);
        if (*h->breadcrumb && strcmp(h->breadcrumb, h->title) != 0)
            printf(" %s‹ %s%s", dim, h->breadcrumb, off);
        printf("  %s[%s]%s\n", dim, h->kind, off);
        printf("   %s%s%s\n", cyan, h->url, off);
        if (*h->snippet)
            printf("   %s\n", h->snippet);
    }
    if (r->nhits)
        printf("%s%zu of %s%ld results%s%s\n", dim, r->nhits, r->total >= OFS_TOTAL_CAP ? "at least " : "",
               r->total, r->relaxed ? " (some match only some of the words)" : "", off);
    else
        printf("%sNo results.%s\n", dim, off);
}

int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},         {"limit", required_argument, 0, 'l'},
        {"offset", required_argument, 0, 'o'},     {"collection", required_argument, 0, 'c'},
        {"kind", required_argument, 0, 'k'},       {"prefix", no_argument, 0, 'p'},
        {"json", no_argument, 0, 'j'},             {"synonyms", required_argument, 0, 's'},
        {"no-synonyms", no_argument, 0, 'S'},      {"color", no_argument, 0, 'C'},
        {"no-color", no_argument, 0, 'N'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *db = default_db_path(), *synonyms = default_synonyms_path();
    ofs_query_request req = {.limit = 10};
    int json = 0, color = term_is_tty(stdout), c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:l:o:c:k:pjh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': if (parse_int(optarg, &req.limit)) goto bad_number; break;
        case 'o': if (parse_int(optarg, &req.offset)) goto bad_number; break;
        case 'c': req.collection = optarg; break;
        case 'k': req.kind = optarg; break;
        case 'p': req.prefix = 1; break;
        case 'j': json = 1; break;
        case 's': synonyms = optarg; break;
        case 'S': synonyms = NULL; break;
        case 'C': color = 1; break;
        case 'N': color = 0; break;
        case 'h': search_usage(stdout); return 0;
        default: search_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        search_usage(stderr);
        return 2;
    }
    char *query = join_args(argc, argv, optind);
    ofs_search_config cfg;
    ofs_search_config_default(&cfg);
    cfg.synonyms_path = synonyms;
    ofs_searcher *s = NULL;
    ofs_results *r = NULL;
    char *err = NULL;
    req.q = query;
    req.snippet_mode = json ? OFS_SNIPPET_PLAIN : color ? OFS_SNIPPET_ANSI : OFS_SNIPPET_PLAIN;
    int rc = ofs_searcher_open(db, &cfg, &s, &err);
    if (rc == OFS_OK)
        rc = ofs_search(s, &req, &r, &err);
    int status = 2;
    if (rc != OFS_OK) {
        fprintf(stderr, "ofsearch: %s\n", err ? err : ofs_strerror(rc));
    } else {
        if (json)
            print_json(query, r, req.offset);
        else
            print_text(r, req.offset, color);
        status = r->nhits ? 0 : 1;
    }
    free(err);
    ofs_results_free(r);
    ofs_searcher_close(s);
    free(query);
    return status;
bad_number:
    fprintf(stderr, "ofsearch: --limit and --offset take a non-negative number\n");
    return 2;
}
