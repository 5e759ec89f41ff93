/* ofsearchd entry point: the configuration (config.c), the served index (served.c: main owns it
 * and loads it first) and the server (server.c); then the main thread becomes the supervisor —
 * it waits on a signalfd (SIGHUP reload, SIGTERM/SIGINT drain and exit) and polls the index file
 * so a rebuilt index is picked up without a restart. */
#include "config.h"
#include "log.h"
#include "served.h"
#include "server.h"

#include <sqlite3.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define DRAIN_MS 10000

/* What identifies a version of the index file: a commit changes the WAL's size or mtime, a
 * checkpoint the file's; a file put there by other means has a new inode. */
typedef struct {
    int exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} file_id;

static file_id file_id_of(const char *path)
{
    file_id f = {0};
    struct stat st;
    if (stat(path, &st) == 0) {
        f.exists = 1;
        f.dev = st.st_dev;
        f.ino = st.st_ino;
        f.size = st.st_size;
        f.mtime = st.st_mtim;
    }
    return f;
}

static int file_id_same(const file_id *a, const file_id *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Waits for signals and watches the index until SIGTERM or SIGINT. */
static void supervise(ofsd_served *served, const ofsd_config *cfg, int sfd)
{
    char wal[PATH_MAX];
    snprintf(wal, sizeof wal, "%s-wal", cfg->db_path);
    file_id last = file_id_of(cfg->db_path), last_wal = file_id_of(wal);
    int timeout = cfg->reload_interval > 0 ? (int)(cfg->reload_interval * 1000) : -1;
    if (timeout == 0)
        timeout = 1;
    for (;;) {
        struct pollfd pfd = {.fd = sfd, .events = POLLIN};
        int n = poll(&pfd, 1, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) != (ssize_t)sizeof si)
                continue;
            if (si.ssi_signo == SIGHUP) {
                ofsd_served_reload(served, 1, "SIGHUP");
                last = file_id_of(cfg->db_path);
                last_wal = file_id_of(wal);
                continue;
            }
            ofsd_log_event("info", "shutdown",
                           si.ssi_signo == SIGINT ? "SIGINT: draining" : "SIGTERM: draining");
            return;
        }
        file_id now = file_id_of(cfg->db_path), now_wal = file_id_of(wal);
        /* Open readers see every commit, but searchers cache what they read at open (document
         * sizes, term frequencies, the tokenizer options a rebuild may change): reopen them. */
        if (!file_id_same(&now, &last))
            ofsd_served_reload(served, 1, now.exists ? "index file changed" : "index file missing");
        else if (!file_id_same(&now_wal, &last_wal))
            ofsd_served_reload(served, 1, "index updated");
        last = now;
        last_wal = now_wal;
    }
}

int main(int argc, char **argv)
{
    /* SQLite's memory statistics take a global mutex on every allocation, which the search
     * workers then contend for; nothing here reads them. Must precede any other SQLite call. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    ofsd_config cfg;
    int rc = ofsd_config_parse(&cfg, argc, argv);
    if (rc != 0) {
        ofsd_config_free(&cfg);
        return rc > 0 ? 0 : 2;
    }

    /* Block the signals before any thread starts so every worker inherits the mask and only the
     * signalfd sees them: no code runs in signal context at all. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("ofsearchd: signalfd");
        ofsd_config_free(&cfg);
        return 1;
    }

    ofsd_served *served = ofsd_served_new(&cfg);
    if (!served) {
        fprintf(stderr, "ofsearchd: out of memory\n");
        close(sfd);
        ofsd_config_free(&cfg);
        return 1;
    }
    /* Starting without a usable index is allowed (readyz says 503) so a service can come up
     * before the first build; the watcher picks the index up when it appears. */
    ofsd_served_reload(served, 0, "startup");
    ofsd_server *srv;
    if (ofsd_server_start(&cfg, served, &srv) != 0) {
        ofsd_served_free(served);
        close(sfd);
        ofsd_config_free(&cfg);
        return 1;
    }
    printf("listening on http://%s%s%s:%d/\n", strchr(cfg.host, ':') ? "[" : "", cfg.host,
           strchr(cfg.host, ':') ? "]" : "", ofsd_server_port(srv));
    fflush(stdout);

    supervise(served, &cfg, sfd);
    ofsd_server_stop(srv, DRAIN_MS);
    ofsd_served_free(served);
    ofsd_log_event("info", "exit", NULL);
    close(sfd);
    ofsd_config_free(&cfg);
    return 0;
}
