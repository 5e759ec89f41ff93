/* ofsearchd's configuration (config.c): defaults, OFSEARCH_* variables, command-line flags, and
 * the numeric listen address they name. A leaf: it calls nothing else in the daemon. */
#ifndef OFSD_CONFIG_H
#define OFSD_CONFIG_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    char *db_path;
    char host[256];         /* numeric IPv4 or IPv6 address to bind */
    int port;               /* 0: pick a free port */
    int threads;            /* search worker threads, each with its own searcher */
    size_t max_query_bytes; /* longer q: 414 */
    int max_limit;          /* larger limit: 400 */
    size_t max_body_bytes;  /* larger request body: 413 */
    int max_connections;    /* more open connections: 503 */
    int timeout_ms;         /* idle connection timeout and query time budget */
    char **cors_origins;    /* exact origins allowed cross-origin; "*" allows any */
    size_t ncors;
    int log_queries;        /* include the query text in request log lines */
    char *synonyms_path;
    double reload_interval; /* seconds between index file checks; 0 disables */
    int no_doc_pages;       /* no /doc/ route, urls left as the index has them */
    char *api_key;          /* Meilisearch's routes want "Authorization: Bearer <it>"; NULL:
                               open. Never printed or logged. */
} ofsd_config;

/* Fills cfg from the environment (OFSEARCH_*) and then argv. Returns 0, 1 after printing help or
 * version (exit 0), or -1 after printing an error (exit 2). cfg is to be freed in every case. */
int ofsd_config_parse(ofsd_config *cfg, int argc, char **argv);
void ofsd_config_free(ofsd_config *cfg);
/* 1 when origin may read the API cross-origin: it is on --cors-origin's list, or the list has
 * "*" (then *any is 1: the answer allows any origin). */
int ofsd_config_origin_allowed(const ofsd_config *cfg, const char *origin, int *any);
/* host (a numeric IPv4 or IPv6 address) and port as a socket address: AF_INET or AF_INET6, or
 * -1 when host is not a numeric address. */
int ofsd_listen_address(const char *host, int port, struct sockaddr_storage *ss);

#endif
