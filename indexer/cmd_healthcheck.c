/* `ofsearch healthcheck`: asks a local ofsearchd for /healthz (or /readyz) and exits 0 on 200.
 * It is the container image's HEALTHCHECK: the image already holds ofsearch for snapshot
 * checks, so probing costs no extra binary or library (curl brings a dozen) and no shell. */
#include "commands.h"

#include "alloc.h"
#include "util.h"

#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ofsearch healthcheck [--listen ADDR:PORT] [--path PATH] [--timeout-ms N]\n"
            "\n"
            "GETs PATH (default /healthz; /readyz asks whether an index is served) from the\n"
            "ofsearchd listening on ADDR:PORT (default $OFSEARCH_LISTEN, else 127.0.0.1:8080,\n"
            "as ofsearchd; a wildcard address 0.0.0.0 or [::] is asked on loopback) and prints\n"
            "the status line. Exit status: 0 on HTTP 200, 1 otherwise (no answer within the\n"
            "timeout, default 2000 ms, or another status), 2 usage error.\n");
}

/* Splits "ADDR:PORT" or "[V6]:PORT" into host and port (pointers into buf); wildcard addresses
 * become loopback. 0 when malformed. */
static int split_listen(char *buf, const char **host, const char **port)
{
    char *colon = strrchr(buf, ':');
    if (!colon || colon == buf || !colon[1])
        return 0;
    *colon = '\0';
    *port = colon + 1;
    char *h = buf;
    if (h[0] == '[') {
        size_t n = strlen(h);
        if (n < 3 || h[n - 1] != ']')
            return 0;
        h[n - 1] = '\0';
        h++;
    }
    *host = !strcmp(h, "0.0.0.0") ? "127.0.0.1" : !strcmp(h, "::") ? "::1" : h;
    return 1;
}

/* Connects to host:port (numeric) with send/receive timeouts; -1 on failure. */
static int dial(const char *host, const char *port, int timeout_ms)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
                    connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

int cmd_healthcheck(int argc, char **argv)
{
    const char *env = getenv("OFSEARCH_LISTEN");
    const char *listen = env && *env ? env : "127.0.0.1:8080", *path = "/healthz";
    int timeout_ms = 2000;
    long v;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
            listen = argv[++i];
        } else if (!strcmp(argv[i], "--path") && i + 1 < argc && argv[i + 1][0] == '/') {
            path = argv[++i];
        } else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc &&
                   !ofsi_parse_long(argv[i + 1], 1, INT_MAX, &v)) {
            timeout_ms = (int)v;
            i++;
        } else {
            fprintf(stderr, "ofsearch healthcheck: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    char *buf = ofsi_xstrdup(listen);
    const char *host = NULL, *port = NULL;
    if (strlen(path) > 256 || strpbrk(path, " \r\n") || !split_listen(buf, &host, &port)) {
        fprintf(stderr, "ofsearch healthcheck: bad address '%s' or path '%s'\n", listen, path);
        free(buf);
        return 2;
    }
    int fd = dial(host, port, timeout_ms);
    free(buf);
    if (fd < 0) {
        fprintf(stderr, "ofsearch healthcheck: cannot connect to %s\n", listen);
        return 1;
    }
    char req[400], status[128] = "";
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
    ssize_t got = 0;
    if (write(fd, req, (size_t)n) == n) {
        /* The status line is all we need; it comes in the first segment. */
        got = read(fd, status, sizeof status - 1);
        status[got > 0 ? got : 0] = '\0';
    }
    close(fd);
    status[strcspn(status, "\r\n")] = '\0';
    int ok = !strncmp(status, "HTTP/1.", 7) && !strncmp(status + 8, " 200 ", 5);
    fprintf(ok ? stdout : stderr, "%s%s %s: %s\n", ok ? "" : "ofsearch healthcheck: ", listen,
            path, status[0] ? status : "no answer");
    return ok ? 0 : 1;
}
