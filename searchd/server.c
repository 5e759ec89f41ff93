/* The HTTP server: one libmicrohttpd epoll thread for the HTTP, and search worker threads fed by a
 * queue (jobs.c). Owns the threads and the connections: the request record's life, the checks
 * made before routing (connection limit, body framing and size), the hand-off of index routes to
 * the workers and back (a full queue is 503, a client that left is not answered, a wait of the
 * whole time budget is 504), the suggestions libmicrohttpd's thread answers itself, its
 * SCHED_BATCH policy, and draining. What a route answers is handlers.c's. */
#include "server.h"

#include "handlers.h"
#include "jobs.h"
#include "log.h"
#include "respond.h"
#include "searchd.h"
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct ofsd_server {
    ofsd_state st;                   /* shared with the endpoints, which only read it */
    struct MHD_Daemon *mhd;
    ofsd_worker *http_worker;        /* libmicrohttpd's thread's view of the index */

    ofsd_jobs *jobs;                 /* requests waiting for a search worker */
    struct worker_thread *workers;   /* the search workers: thread and view of the index */
    int nworkers;
    atomic_int workers_stopping;     /* set before the stop sentinels are queued */
    atomic_int pushing;              /* the HTTP thread is between that check and its push */

    /* libmicrohttpd's thread answers suggestions itself while the workers are idle. */
    double inline_since, inline_spent;    /* that thread's time budget (seconds): its only */
    atomic_int jobs_busy;                 /* requests queued for or on a worker */
};

/* A search worker: its thread and its view of the index. */
struct worker_thread {
    ofsd_server *srv;
    ofsd_worker *view;
    pthread_t thread;
};

/* Open connections beyond max_connections get a 503; beyond this margin MHD drops them. */
#define HARD_CONNECTION_MARGIN 64

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    (void)socket_ctx;
    ofsd_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add_explicit(&srv->st.connections, 1, memory_order_relaxed);
    else
        atomic_fetch_sub_explicit(&srv->st.connections, 1, memory_order_relaxed);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    ofsd_server *srv = cls;
    ofsd_request *rq = *con_cls;
    if (!rq)
        return;
    if (!rq->begun) { /* ended before the handler saw it (bad request line or headers) */
        free(rq->raw_uri);
        free(rq);
        *con_cls = NULL;
        return;
    }
    double secs = ofsd_now_mono() - rq->t0;
    (void)toe;
    if (rq->pending) { /* answered on a worker, but the client left before it was sent */
        MHD_destroy_response(rq->pending);
        rq->pending = NULL;
        rq->status = 0;
    }
    /* A request that ended without a response (client gone, timeout) keeps status 0. */
    ofsd_metrics_observe(srv->st.metrics, rq->route, rq->status, secs);
    ofsd_log_request(rq->method, rq->route, rq->status, secs * 1000.0, rq->hits,
                     srv->st.cfg->log_queries ? rq->q : NULL);
    if (rq->counted)
        atomic_fetch_sub_explicit(&srv->st.in_flight, 1, memory_order_relaxed);
    free(rq->q);
    free(rq->raw_uri);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

/* MHD's first sight of a request: the context is created here because only here is the target
 * seen as sent — MHD hands the handler a decoded path, cut short at an encoded NUL, which the
 * /doc/ route must not trust. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    ofsd_request *rq = calloc(1, sizeof *rq);
    if (rq)
        rq->raw_uri = strdup(uri ? uri : "");
    return rq;
}

/* The headers that frame a request's body, read in one pass over the headers. */
typedef struct {
    int content_lengths;           /* how many Content-Length headers */
    const char *content_length;    /* the last one's value */
    const char *transfer_encoding;
} body_framing;

static enum MHD_Result read_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    body_framing *f = cls;
    if (strcasecmp(key, "Content-Length") == 0) {
        f->content_lengths++;
        f->content_length = value;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding = value;
    }
    return MHD_YES;
}

/* First call for a request: the context, and the checks that need no body. */
static enum MHD_Result begin_request(ofsd_server *srv, struct MHD_Connection *c, const char *url,
                                     const char *method, void **con_cls)
{
    ofsd_request *rq = *con_cls ? *con_cls : calloc(1, sizeof *rq);
    if (!rq)
        return MHD_NO;
    rq->begun = 1;
    rq->t0 = ofsd_now_mono();
    rq->route = ofsd_route_of(url);
    rq->hits = -1;
    snprintf(rq->method, sizeof rq->method, "%s", method);
    rq->counted = 1;
    atomic_fetch_add_explicit(&srv->st.in_flight, 1, memory_order_relaxed);
    *con_cls = rq;

    if (atomic_load_explicit(&srv->st.connections, memory_order_relaxed) >
        srv->st.cfg->max_connections)
        return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "overloaded",
                                  "too many open connections; retry later");
    /* Framing a proxy in front might read differently (request smuggling): refused here,
     * since libmicrohttpd accepts a second Content-Length, or a Content-Length beside a
     * Transfer-Encoding, and waits for ever on a body in a transfer coding it does not know. */
    body_framing f = {0, NULL, NULL};
    MHD_get_connection_values(c, MHD_HEADER_KIND, read_framing, &f);
    if (f.content_lengths > 1)
        return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_BAD_REQUEST, "bad_request",
                                  "more than one Content-Length header");
    if (f.content_lengths && f.transfer_encoding) /* RFC 9112 6.1: may be rejected */
        return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_BAD_REQUEST, "bad_request",
                                  "both Content-Length and Transfer-Encoding");
    if (f.transfer_encoding && strcasecmp(f.transfer_encoding, "chunked") != 0)
        return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_NOT_IMPLEMENTED, "not_implemented",
                                  "only the chunked transfer coding is accepted");
    const char *cl = f.content_length;
    if (cl) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end == cl || *end || n > srv->st.cfg->max_body_bytes)
            return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large",
                                      "request body too large");
    }
    return MHD_YES;
}

/* Routes that search run on the workers; the rest are answered on libmicrohttpd's thread. */
static int needs_worker(const ofsd_request *rq, const char *method)
{
    return ofsd_route_on_worker(rq->route) &&
           (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
            (strcmp(method, "POST") == 0 && ofsd_route_takes_body(rq->route)));
}

/* Keeps a body chunk for a route that reads its body (within the body limit, checked before). */
static int keep_body(ofsd_request *rq, const char *data, size_t n)
{
    char *b = realloc(rq->body, rq->body_len + n + 1);
    if (!b)
        return -1;
    memcpy(b + rq->body_len, data, n);
    rq->body_len += n;
    b[rq->body_len] = '\0';
    rq->body = b;
    return 0;
}

/* Handing a request to a worker and back costs two thread wake-ups: ~0.1 ms on an idle machine,
 * a third of a typical suggestion's time over HTTP (one client typing: p50 0.34 -> 0.23 ms and
 * p99 1.4-1.9 -> 0.9-1.0 ms when answered here). A suggestion is cheap by construction (titles
 * and terms by prefix; server-side p99 ~1 ms on tldr-pages), so while no request is queued for
 * or on a worker, libmicrohttpd's thread answers it itself. Under load suggestions queue like
 * searches, so this thread keeps to I/O, and it spends at most 8 of any 10 ms on them: beyond
 * that (many typists at once) they spread over the workers. (At half, one fast client already
 * spilled 15% of its suggestions over, and those set its p99.) The first suggestion after a
 * reload also opens this thread's index handle for /doc/ links: under 2 ms on tldr-pages. */
#define INLINE_WINDOW_S 0.010
#define INLINE_SHARE 0.8

/* For a request needs_worker accepted: the searcher to answer it here with, or NULL. */
static ofs_searcher *inline_searcher(ofsd_server *srv, const ofsd_request *rq)
{
    if (rq->route != OFSD_ROUTE_SUGGEST || atomic_load(&srv->jobs_busy) > 0 ||
        !ofsd_served_ok(srv->st.served))
        return NULL;
    double now = ofsd_now_mono();
    if (now - srv->inline_since >= INLINE_WINDOW_S) {
        srv->inline_since = now;
        srv->inline_spent = 0;
    }
    if (srv->inline_spent >= INLINE_WINDOW_S * INLINE_SHARE)
        return NULL;
    ofs_searcher *s = ofsd_served_http_searcher(srv->st.served);
    /* The index changed under it and a reload is due: a worker reopens at once. */
    return s && !ofs_searcher_stale(s) ? s : NULL;
}

static enum MHD_Result answer_inline(ofsd_server *srv, struct MHD_Connection *c,
                                     ofsd_request *rq, const char *method, ofs_searcher *s)
{
    double t0 = ofsd_now_mono();
    rq->searcher = s;
    enum MHD_Result r = ofsd_handle_request(&srv->st, srv->http_worker, c, rq, method);
    rq->searcher = NULL;
    srv->inline_spent += ofsd_now_mono() - t0;
    atomic_fetch_add_explicit(&srv->st.inline_answers, 1, memory_order_relaxed);
    return r;
}

/* Back on libmicrohttpd's thread after the worker resumed the connection. */
static enum MHD_Result queue_pending(struct MHD_Connection *c, ofsd_request *rq)
{
    struct MHD_Response *resp = rq->pending;
    rq->pending = NULL;
    if (!resp)
        return MHD_NO; /* the worker could not make one (out of memory): close */
    enum MHD_Result r = MHD_queue_response(c, (unsigned)rq->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* A request that waited this long in the queue is checked for a client that has gone: a page
 * typing ahead abandons its earlier searches, and a backlog of them would otherwise be searched
 * for nobody. (Checking every request would cost a system call each; a short wait means a
 * client that asked a moment ago.) */
#define GONE_CHECK_S 0.050

/* 1 when the client closed its side (or reset the connection): libmicrohttpd does not watch a
 * suspended connection. */
static int client_gone(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    char b;
    ssize_t n = ci ? recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) : 1;
    return n == 0 || (n < 0 && (errno == ECONNRESET || errno == ENOTCONN || errno == EPIPE));
}

/* Answers a request taken from the queue, unless waiting has made that pointless: its client
 * left (no answer: the connection is closed), or it waited the whole time budget (504, as a
 * search that ran that long would get; the search itself then gets the budget again). */
static void answer_job(ofsd_server *srv, ofsd_worker *w, ofsd_request *rq)
{
    double waited = ofsd_now_mono() - rq->t0;
    if (waited >= GONE_CHECK_S && client_gone(rq->conn))
        return;
    if (srv->st.cfg->timeout_ms > 0 && waited * 1000.0 >= srv->st.cfg->timeout_ms) {
        ofsd_respond_error(&srv->st, rq->conn, rq, MHD_HTTP_GATEWAY_TIMEOUT, "timeout",
                           "the request waited its whole time budget for a search worker; "
                           "retry later");
        return;
    }
    ofsd_handle_request(&srv->st, w, rq->conn, rq, rq->method);
}

/* A search worker: takes requests in arrival order, answers each with the same route code the
 * other requests use, and hands the connection back. */
static void *worker_main(void *arg)
{
    struct worker_thread *wt = arg;
    ofsd_server *srv = wt->srv;
    for (;;) {
        void *job = ofsd_jobs_pop(srv->jobs);
        if (job == (void *)srv) /* the stop sentinel */
            break;
        ofsd_request *rq = job;
        answer_job(srv, wt->view, rq);
        atomic_fetch_sub(&srv->jobs_busy, 1);
        MHD_resume_connection(rq->conn);
    }
    ofsd_worker_free(wt->view);
    wt->view = NULL;
    return NULL;
}

static int start_workers(ofsd_server *srv, int n, size_t capacity)
{
    if (!(srv->jobs = ofsd_jobs_new(capacity)) || !(srv->workers = calloc((size_t)n,
                                                                          sizeof *srv->workers)))
        return -1;
    for (; srv->nworkers < n; srv->nworkers++) {
        struct worker_thread *wt = &srv->workers[srv->nworkers];
        wt->srv = srv;
        if (!(wt->view = ofsd_worker_new(srv->st.served)) ||
            pthread_create(&wt->thread, NULL, worker_main, wt) != 0) {
            ofsd_worker_free(wt->view);
            return -1;
        }
    }
    return 0;
}

/* Lets the workers finish what is queued, then ends them. */
static void stop_workers(ofsd_server *srv)
{
    atomic_store(&srv->workers_stopping, 1);
    while (atomic_load(&srv->pushing) > 0) {
        struct timespec ts = {0, 100 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; srv->jobs && i < srv->nworkers; i++)
        while (ofsd_jobs_push(srv->jobs, srv) != 0) {
            struct timespec ts = {0, 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    for (int i = 0; i < srv->nworkers; i++)
        pthread_join(srv->workers[i].thread, NULL);
    free(srv->workers);
    srv->workers = NULL;
    srv->nworkers = 0;
    ofsd_jobs_free(srv->jobs);
    srv->jobs = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    ofsd_server *srv = cls;
    ofsd_request *rq = *con_cls;
    if (!rq || !rq->begun)
        return begin_request(srv, c, url, method, con_cls);
    if (*upload_data_size) {
        /* Counted against the limit; kept only by a route that reads it (a POST search). */
        rq->body_bytes += *upload_data_size;
        if (rq->body_bytes > srv->st.cfg->max_body_bytes)
            rq->body_too_large = 1;
        else if (ofsd_route_takes_body(rq->route) && strcmp(method, "POST") == 0 &&
                 keep_body(rq, upload_data, *upload_data_size) != 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->body_too_large)
        return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large",
                                  "request body too large");
    if (rq->deferred)
        return queue_pending(c, rq);
    if (needs_worker(rq, method)) {
        ofs_searcher *here = inline_searcher(srv, rq);
        if (here)
            return answer_inline(srv, c, rq, method, here);
        /* A job queued behind the workers' stop sentinels would leave its connection suspended
         * for ever (and libmicrohttpd refuses to stop with one): announce the push, then check;
         * stop_workers sets the flag, then waits for announced pushes (both sequentially
         * consistent, so one of the two sees the other). */
        atomic_fetch_add(&srv->pushing, 1);
        int pushed = 0;
        if (!atomic_load(&srv->workers_stopping)) {
            /* Suspend first: the worker may finish and resume before push even returns. */
            rq->conn = c;
            rq->deferred = 1;
            MHD_suspend_connection(c);
            atomic_fetch_add(&srv->jobs_busy, 1);
            pushed = ofsd_jobs_push(srv->jobs, rq) == 0;
            if (!pushed) {
                atomic_fetch_sub(&srv->jobs_busy, 1);
                MHD_resume_connection(c);
                rq->deferred = 0;
            }
        }
        atomic_fetch_sub(&srv->pushing, 1);
        if (pushed)
            return MHD_YES;
        if (atomic_load(&srv->workers_stopping))
            return MHD_NO; /* exiting: close, as for any request that arrives after the stop */
        return ofsd_respond_error(&srv->st, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "overloaded",
                                  "too many requests waiting; retry later");
    }
    return ofsd_handle_request(&srv->st, srv->http_worker, c, rq, method);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    ofsd_log_event("warn", "http", buf);
}

/* libmicrohttpd's thread runs SCHED_BATCH. Under load it is woken about once a request (a worker
 * resumed a connection, a client sent one); as an ordinary thread it then preempted a worker in
 * the middle of a search — an interrupt to the other CPU and two context switches each time —
 * to handle that one connection and sleep again. As a batch thread it waits for the running
 * worker's time slice to end and finds several connections ready. Measured at 32 connections on
 * tldr-pages: it slept 0.24 times a request instead of 0.98, workers were preempted 0.08 times a
 * request instead of 0.29, and it served more requests/s in 9 of 11 interleaved runs (the mean
 * of the last six pairs +7%; this VM's speed moves 20-40%). It keeps its fair share
 * of the CPU, and an idle CPU runs it at once, so a lone request waits no longer. There is no
 * hook for that thread's start, but a new thread takes its creator's policy: the starting thread
 * switches around MHD_start_daemon (the workers, started before, keep the ordinary one). Returns
 * the policy to go back to, or -1 when there is none: the thread already had another policy (an
 * operator's choice, kept), or the switch was refused (a system-call filter: logged, since it is
 * only an optimisation; deploy/ofsearchd.service allows it). */
static int batch_policy_begin(void)
{
    int policy;
    struct sched_param sp;
    if (pthread_getschedparam(pthread_self(), &policy, &sp) != 0 || policy != SCHED_OTHER)
        return -1;
    struct sched_param batch = {.sched_priority = 0};
    int err = pthread_setschedparam(pthread_self(), SCHED_BATCH, &batch);
    if (err == 0)
        return policy;
    char msg[160];
    snprintf(msg, sizeof msg, "the HTTP thread keeps the ordinary scheduling policy: %s",
             strerror(err));
    ofsd_log_event("warn", "sched_batch_refused", msg);
    return -1;
}

static void batch_policy_end(int policy)
{
    struct sched_param sp = {.sched_priority = 0};
    if (policy >= 0)
        pthread_setschedparam(pthread_self(), policy, &sp);
}

/* What start allocated, once no thread runs. */
static void server_free(ofsd_server *srv)
{
    ofsd_worker_free(srv->http_worker);
    ofsd_metrics_free(srv->st.metrics);
    free(srv);
}

/* Binds and starts the threads; -1 after a message when it cannot. */
static int server_start(ofsd_server *srv, const ofsd_config *cfg)
{

    struct sockaddr_storage ss;
    /* One thread does the HTTP (parsing and sending are cheap next to a search); searches
     * queue for the workers. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    /* config.c accepted the address already; checked before any thread starts all the same. */
    int family = ofsd_listen_address(cfg->host, cfg->port, &ss);
    if (family < 0) {
        fprintf(stderr, "ofsearchd: --listen needs a numeric address, got '%s'\n", cfg->host);
        return -1;
    }
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    size_t max_conns = (size_t)cfg->max_connections + HARD_CONNECTION_MARGIN;
    if (start_workers(srv, cfg->threads, max_conns + 1) != 0) {
        fprintf(stderr, "ofsearchd: cannot start %d worker threads\n", cfg->threads);
        stop_workers(srv);
        return -1;
    }
    unsigned idle_s = (unsigned)((cfg->timeout_ms + 999) / 1000);
    int policy = batch_policy_begin();
    srv->mhd = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, /* first, so every message goes through it */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conns,
        MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
        MHD_OPTION_END);
    batch_policy_end(policy);
    if (!srv->mhd) {
        fprintf(stderr, "ofsearchd: cannot listen on %s:%d\n", cfg->host, cfg->port);
        stop_workers(srv);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->st.port = di ? di->port : cfg->port;
    return 0;
}

int ofsd_server_start(const ofsd_config *cfg, ofsd_served *served, ofsd_server **out)
{
    *out = NULL;
    ofsd_server *srv = calloc(1, sizeof *srv);
    if (srv) {
        srv->st.cfg = cfg;
        srv->st.served = served;
        srv->st.metrics = ofsd_metrics_new();
        srv->http_worker = ofsd_worker_new(served);
    }
    if (!srv || !srv->st.metrics || !srv->http_worker) {
        fprintf(stderr, "ofsearchd: out of memory\n");
        if (srv)
            server_free(srv);
        return -1;
    }
    if (server_start(srv, cfg) != 0) {
        server_free(srv);
        return -1;
    }
    *out = srv;
    return 0;
}

int ofsd_server_port(const ofsd_server *srv)
{
    return srv->st.port;
}

void ofsd_server_stop(ofsd_server *srv, int drain_ms)
{
    atomic_store(&srv->st.draining, 1);
    MHD_socket lsock = MHD_quiesce_daemon(srv->mhd);
    double deadline = ofsd_now_mono() + drain_ms / 1000.0;
    while (atomic_load(&srv->st.in_flight) > 0 && ofsd_now_mono() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int left = atomic_load(&srv->st.in_flight);
    if (left > 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "%d requests still in flight", left);
        ofsd_log_event("warn", "drain_timeout", msg);
    }
    /* Suspended connections must be resumed before libmicrohttpd stops: the workers finish
     * every queued request first (each is bounded by the search time budget). */
    stop_workers(srv);
    MHD_stop_daemon(srv->mhd);
    if (lsock != MHD_INVALID_SOCKET)
        close(lsock);
    server_free(srv); /* libmicrohttpd's thread, which used http_worker, has ended */
}
