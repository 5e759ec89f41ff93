/* ofsearchd's configuration: the defaults, then OFSEARCH_* variables, then flags, each option
 * checked as it is read so a bad value is a usage error (exit 2) before anything starts. Owns
 * the --listen syntax and the numeric address it names (ofsd_listen_address), which the server
 * binds, and the CORS allow-list's matching. */
#include "config.h"

#include <ofsearch/ofsearch.h>
#include <ofsearch/search.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char usage[] =
    "usage: ofsearchd --db PATH [options]\n"
    "  --db PATH               index file built by `ofsearch index` (OFSEARCH_DB)\n"
    "  --listen ADDR:PORT      bind address, default 127.0.0.1:8080; port 0 picks one\n"
    "                          (OFSEARCH_LISTEN; IPv6 as [::1]:8080)\n"
    "  --threads N             search worker threads, default: CPUs + 1 (OFSEARCH_THREADS)\n"
    "  --max-query-bytes N     longest q accepted, default 1024 (OFSEARCH_MAX_QUERY_BYTES)\n"
    "  --max-limit N           largest limit accepted, default 100 (OFSEARCH_MAX_LIMIT)\n"
    "  --max-body-bytes N      largest request body, default 16384 (OFSEARCH_MAX_BODY_BYTES)\n"
    "  --max-connections N     open connections before 503, default 1024\n"
    "                          (OFSEARCH_MAX_CONNECTIONS)\n"
    "  --timeout-ms N          idle connection timeout and query budget, default 5000\n"
    "                          (OFSEARCH_TIMEOUT_MS)\n"
    "  --cors-origin ORIGIN    allow this origin cross-origin; repeatable; '*' for any\n"
    "                          (OFSEARCH_CORS_ORIGIN, comma-separated)\n"
    "  --log-queries           put the query text in request log lines (OFSEARCH_LOG_QUERIES=1)\n"
    "  --synonyms FILE         synonyms file for query expansion (OFSEARCH_SYNONYMS)\n"
    "  --reload-interval S     seconds between index file checks, default 2, 0 disables\n"
    "                          (OFSEARCH_RELOAD_INTERVAL)\n"
    "  --no-doc-pages          no /doc/ pages: urls of collections without a base URL stay\n"
    "                          relative paths (OFSEARCH_NO_DOC_PAGES=1)\n"
    "  --api-key-file FILE     Meilisearch's routes (/indexes, /multi-search, …) want\n"
    "                          'Authorization: Bearer KEY', KEY the file's first line\n"
    "                          (OFSEARCH_API_KEY_FILE; or the key itself in OFSEARCH_API_KEY\n"
    "                          or --api-key KEY, which other users may see in ps)\n"
    "  --version, --help\n";

/* Strict decimal parse into [lo, hi]. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int ofsd_listen_address(const char *host, int port, struct sockaddr_storage *ss)
{
    /* A numeric address only: a name would need a resolver (and could mean several). */
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        return AF_INET;
    }
    if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        return AF_INET6;
    }
    return -1;
}

/* "127.0.0.1:8080", "[::1]:0", ":8080" (loopback) or "8080". */
static int parse_listen(ofsd_config *cfg, const char *s)
{
    const char *colon;
    size_t hostlen;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':')
            return -1;
        colon = rb + 1;
        hostlen = (size_t)(rb - s - 1);
        s++;
    } else {
        colon = strrchr(s, ':');
        if (!colon) {
            colon = s - 1; /* port only */
            hostlen = 0;
        } else {
            hostlen = (size_t)(colon - s);
        }
    }
    long port;
    if (parse_long(colon + 1, 0, 65535, &port) != 0 || hostlen >= sizeof cfg->host)
        return -1;
    if (hostlen == 0) {
        strcpy(cfg->host, "127.0.0.1");
    } else {
        memcpy(cfg->host, s, hostlen);
        cfg->host[hostlen] = '\0';
    }
    struct sockaddr_storage ss;
    if (ofsd_listen_address(cfg->host, (int)port, &ss) < 0)
        return -1;
    cfg->port = (int)port;
    return 0;
}

static int add_origin(ofsd_config *cfg, const char *o, size_t n)
{
    while (n && (*o == ' ' || *o == '\t'))
        o++, n--;
    while (n && (o[n - 1] == ' ' || o[n - 1] == '\t' || o[n - 1] == '/'))
        n--;
    if (n == 0)
        return 0;
    char **v = realloc(cfg->cors_origins, (cfg->ncors + 1) * sizeof *v);
    if (!v)
        return -1;
    cfg->cors_origins = v;
    v[cfg->ncors] = strndup(o, n);
    if (!v[cfg->ncors])
        return -1;
    cfg->ncors++;
    return 0;
}

/* An API key: 1 to 512 visible ASCII characters (what fits a Bearer token). */
static int set_api_key(ofsd_config *cfg, const char *v, size_t n)
{
    if (n == 0 || n > 512)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x21 || v[i] > 0x7e)
            return -1;
    free(cfg->api_key);
    cfg->api_key = strndup(v, n);
    return cfg->api_key ? 0 : -1;
}

/* The key from a file: its first line, trailing whitespace dropped. */
static int read_api_key_file(ofsd_config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    n = strcspn(buf, "\r\n");
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    int rc = set_api_key(cfg, buf, n);
    memset(buf, 0, sizeof buf);
    return rc;
}

static int set_string(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : -1;
}

static int truthy(const char *v)
{
    return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
           strcasecmp(v, "on") == 0;
}

/* One option by its long name (without "--"); shared by flags and environment variables. */
static int apply_option(ofsd_config *cfg, const char *name, const char *val, int from_env)
{
    long n;
    if (strcmp(name, "db") == 0)
        return set_string(&cfg->db_path, val);
    if (strcmp(name, "listen") == 0)
        return parse_listen(cfg, val);
    if (strcmp(name, "threads") == 0) {
        if (parse_long(val, 1, 256, &n))
            return -1;
        cfg->threads = (int)n;
    } else if (strcmp(name, "max-query-bytes") == 0) {
        if (parse_long(val, 1, 1 << 20, &n))
            return -1;
        cfg->max_query_bytes = (size_t)n;
    } else if (strcmp(name, "max-limit") == 0) {
        if (parse_long(val, 1, OFS_MAX_WINDOW, &n))
            return -1;
        cfg->max_limit = (int)n;
    } else if (strcmp(name, "max-body-bytes") == 0) {
        if (parse_long(val, 0, 1L << 30, &n))
            return -1;
        cfg->max_body_bytes = (size_t)n;
    } else if (strcmp(name, "max-connections") == 0) {
        if (parse_long(val, 1, 1000000, &n))
            return -1;
        cfg->max_connections = (int)n;
    } else if (strcmp(name, "timeout-ms") == 0) {
        if (parse_long(val, 1, 3600 * 1000, &n))
            return -1;
        cfg->timeout_ms = (int)n;
    } else if (strcmp(name, "cors-origin") == 0) {
        if (!from_env)
            return add_origin(cfg, val, strlen(val));
        for (const char *p = val;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if (add_origin(cfg, p, len))
                return -1;
            if (!comma)
                break;
            p = comma + 1;
        }
    } else if (strcmp(name, "log-queries") == 0) {
        cfg->log_queries = val ? truthy(val) : 1;
    } else if (strcmp(name, "no-doc-pages") == 0) {
        cfg->no_doc_pages = val ? truthy(val) : 1;
    } else if (strcmp(name, "synonyms") == 0) {
        return set_string(&cfg->synonyms_path, val);
    } else if (strcmp(name, "api-key") == 0) {
        return set_api_key(cfg, val, strlen(val));
    } else if (strcmp(name, "api-key-file") == 0) {
        return read_api_key_file(cfg, val);
    } else if (strcmp(name, "reload-interval") == 0) {
        char *end;
        double d = strtod(val, &end);
        if (end == val || *end || !(d >= 0 && d <= 86400))
            return -1;
        cfg->reload_interval = d;
    } else {
        return -2;
    }
    return 0;
}

static const char *const option_names[] = {
    "db", "listen", "threads", "max-query-bytes", "max-limit", "max-body-bytes",
    "max-connections", "timeout-ms", "cors-origin", "log-queries", "synonyms", "reload-interval",
    "no-doc-pages", "api-key", "api-key-file",
};

/* Options whose value is a secret: an invalid one is named, not echoed. */
static int secret(const char *name)
{
    return strcmp(name, "api-key") == 0;
}

/* For a clear message about a last option given without a value. */
static int is_option(const char *name)
{
    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++)
        if (strcmp(name, option_names[i]) == 0)
            return 1;
    return 0;
}

static void env_name(const char *opt, char *buf, size_t size)
{
    size_t i = (size_t)snprintf(buf, size, "OFSEARCH_");
    for (; *opt && i + 1 < size; opt++)
        buf[i++] = *opt == '-' ? '_' : (char)(*opt - 32 * (*opt >= 'a' && *opt <= 'z'));
    buf[i] = '\0';
}

int ofsd_config_parse(ofsd_config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->host, "127.0.0.1");
    cfg->port = 8080;
    /* One search worker per CPU, plus one: while a worker waits for the HTTP thread to hand it
     * the next request, another keeps the core busy (wrk, 32 clients, 2 CPUs: 3 workers served
     * 5% more than 2 with p99 still under 20 ms; 4 pushed p99 over it). */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = ncpu > 0 ? (int)(ncpu > 63 ? 64 : ncpu + 1) : 3;
    cfg->max_query_bytes = 1024;
    cfg->max_limit = 100;
    cfg->max_body_bytes = 16384;
    cfg->max_connections = 1024;
    cfg->timeout_ms = 5000;
    cfg->reload_interval = 2;

    for (size_t i = 0; i < sizeof option_names / sizeof *option_names; i++) {
        char env[64];
        env_name(option_names[i], env, sizeof env);
        const char *v = getenv(env);
        if (v && *v && apply_option(cfg, option_names[i], v, 1) != 0) {
            fprintf(stderr, "ofsearchd: invalid value for %s: '%s'\n", env,
                    secret(option_names[i]) ? "(not shown)" : v);
            return -1;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("ofsearchd %s\n", OFS_VERSION);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "ofsearchd: unexpected argument '%s'\n%s", a, usage);
            return -1;
        }
        char name[64];
        const char *eq = strchr(a, '='), *val;
        size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (nlen >= sizeof name) {
            fprintf(stderr, "ofsearchd: unknown option '%s'\n", a);
            return -1;
        }
        memcpy(name, a + 2, nlen);
        name[nlen] = '\0';
        if ((strcmp(name, "log-queries") == 0 || strcmp(name, "no-doc-pages") == 0) && !eq) {
            val = NULL;
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, is_option(name) ? "ofsearchd: option '--%s' needs a value\n"
                                             : "ofsearchd: unknown option '--%s'\n",
                    name);
            return -1;
        }
        int rc = apply_option(cfg, name, val, 0);
        if (rc == -2) {
            fprintf(stderr, "ofsearchd: unknown option '--%s'\n%s", name, usage);
            return -1;
        }
        if (rc != 0) {
            fprintf(stderr, "ofsearchd: invalid value for --%s: '%s'%s\n", name,
                    secret(name) ? "(not shown)" : val ? val : "",
                    secret(name) || strcmp(name, "api-key-file") == 0
                        ? " (a key is 1 to 512 visible ASCII characters)"
                        : "");
            return -1;
        }
    }
    if (!cfg->db_path) {
        fprintf(stderr, "ofsearchd: --db PATH (or OFSEARCH_DB) is required\n%s", usage);
        return -1;
    }
    return 0;
}

int ofsd_config_origin_allowed(const ofsd_config *cfg, const char *origin, int *any)
{
    *any = 0;
    for (size_t i = 0; i < cfg->ncors; i++) {
        if (strcmp(cfg->cors_origins[i], "*") == 0) {
            *any = 1;
            return 1;
        }
        if (origin && strcmp(cfg->cors_origins[i], origin) == 0)
            return 1;
    }
    return 0;
}

void ofsd_config_free(ofsd_config *cfg)
{
    free(cfg->db_path);
    free(cfg->synonyms_path);
    if (cfg->api_key) {
        memset(cfg->api_key, 0, strlen(cfg->api_key));
        free(cfg->api_key);
    }
    for (size_t i = 0; i < cfg->ncors; i++)
        free(cfg->cors_origins[i]);
    free(cfg->cors_origins);
}

