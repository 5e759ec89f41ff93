/* The incremental, atomic build: walks each collection (walk.c), compares files with what the
 * index holds (size+mtime, then a content hash), re-parses only what changed, and writes
 * everything in one IMMEDIATE transaction, so readers keep the previous index until COMMIT and a
 * killed indexer leaves it intact. Producer threads read+hash+parse files while this thread
 * inserts. JSON Lines collections are read by jsonl.c, rebuilds in a new file by rebuild.c. */
#include "build_internal.h"

#include "alloc.h"
#include "util.h"

#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/tokenizer.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define QUEUE_CAP 64
#define PRODUCERS 2
#define BINARY_PROBE 8192

void ofs_build_options_default(ofs_build_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_depth = 3;
    o->max_file_bytes = 10L * 1024 * 1024;
    o->optimize = 1;
}

/* ---- content hash ----------------------------------------------------------------------------
 * FNV-1a, 64 bit: a dozen lines with no dependency and stable across platforms and runs. It runs
 * at about 1 GB/s, so hashing costs well under 1% of parsing+indexing (~30 MB/s) — a faster
 * hash would buy nothing. It only detects change (not adversarial collisions); the seed folds in
 * the parser settings so changing them changes every hash. */
static uint64_t fnv1a(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void ofsi_content_hash(const void *data, size_t len, uint64_t seed, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fnv1a(data, len, seed));
}

void ofsi_build_warn(ofsi_build *b, const char *file, long line, const char *fmt, ...)
{
    if (!b->o->warn)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = ofsi_xvasprintf(fmt, ap);
    va_end(ap);
    b->o->warn(b->o->ctx, file, line, msg);
    free(msg);
}

void ofsi_build_progress(ofsi_build *b)
{
    if (!b->o->progress)
        return;
    b->prog.seconds = ofsi_clock_seconds() - b->t0;
    b->o->progress(b->o->ctx, &b->prog);
}

/* ---- documents already in the index -------------------------------------------------------- */

static void old_docs_free(ofsi_old_docs *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].path);
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

static int load_old_docs(ofsi_build *b, long long coll_id, ofsi_old_docs *out, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    /* BINARY collation orders like strcmp, so the array is ready for bsearch. */
    int rc = sqlite3_prepare_v2(b->db,
                                "SELECT path, id, size, mtime, hash FROM documents"
                                " WHERE collection_id = ?1 ORDER BY path",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "sqlite: %s", sqlite3_errmsg(b->db));
    sqlite3_bind_int64(st, 1, coll_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 256;
            out->v = ofsi_xreallocarray(out->v, cap, sizeof *out->v);
        }
        ofsi_old_doc *d = &out->v[out->n];
        const char *p = (const char *)sqlite3_column_text(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 4);
        d->path = ofsi_xstrdup(p ? p : "");
        d->id = sqlite3_column_int64(st, 1);
        d->size = sqlite3_column_int64(st, 2);
        d->mtime = sqlite3_column_int64(st, 3);
        snprintf(d->hash, sizeof d->hash, "%s", h ? h : "");
        d->seen = 0;
        out->n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        old_docs_free(out);
        return ofs_set_error(errmsg, OFS_DB, "cannot read documents: %s", sqlite3_errmsg(b->db));
    }
    return OFS_OK;
}

static int cmp_old_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const ofsi_old_doc *)elem)->path);
}

ofsi_old_doc *ofsi_find_old(ofsi_old_docs *o, const char *path)
{
    return o->n ? bsearch(path, o->v, o->n, sizeof *o->v, cmp_old_key) : NULL;
}

/* ---- rows of one document, ready to insert ------------------------------------------------- */

void ofsi_doc_rows_free(ofsi_doc_rows *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nsecs; i++) {
        free(d->secs[i].url);
        for (int c = 0; d->streams && c < OFSI_FTS_COLS; c++)
            ofsi_token_stream_free(d->streams[i * OFSI_FTS_COLS + c]);
    }
    free(d->streams);
    free(d->secs);
    free(d->docid);
    free(d->url);
    free(d->title);
    free(d->description);
    free(d->tags);
    free(d->meta_json);
    free(d->meta_text);
    ofs_page_free(d->page);
    if (d->json)
        json_decref(d->json);
    free(d);
}

/* The page part of a Markdown document's URL under a base URL: the path without extension,
 * README/index standing for their directory, a front matter slug replacing the file part (or
 * the whole path when it starts with '/'). */
static char *page_path(const char *rel, const char *slug)
{
    const char *slash = strrchr(rel, '/');
    size_t dirlen = slash ? (size_t)(slash - rel) : 0;
    const char *file = slash ? slash + 1 : rel;
    const char *dot = strrchr(file, '.');
    size_t stemlen = dot && dot != file ? (size_t)(dot - file) : strlen(file);
    if (slug && *slug == '/')
        return ofsi_xstrdup(slug + 1);
    const char *part = file;
    size_t partlen = stemlen;
    if (slug && *slug) {
        part = slug;
        partlen = strlen(slug);
    } else if ((stemlen == 6 && !strncasecmp(file, "readme", 6)) ||
               (stemlen == 5 && !strncasecmp(file, "index", 5))) {
        partlen = 0;
    }
    char *out = ofsi_xmalloc(dirlen + partlen + 2);
    memcpy(out, rel, dirlen);
    size_t n = dirlen;
    if (dirlen && partlen)
        out[n++] = '/';
    memcpy(out + n, part, partlen);
    out[n + partlen] = '\0';
    return out;
}

/* URL of a place in a document: base_url + "/" + page path, or (no base URL) the relative path
 * as is; then "#anchor" when the anchor is non-empty. */
static char *make_url(const char *base_url, const char *rel, const char *slug, const char *anchor)
{
    char *page = NULL;
    const char *stem = rel;
    size_t blen = 0;
    if (base_url && *base_url) {
        stem = page = page_path(rel, slug);
        blen = strlen(base_url);
        while (blen > 0 && base_url[blen - 1] == '/')
            blen--;
    }
    int has_anchor = anchor && *anchor;
    char *url = base_url && *base_url
                    ? ofsi_xasprintf("%.*s/%s%s%s", (int)blen, base_url, stem,
                                     has_anchor ? "#" : "", has_anchor ? anchor : "")
                    : ofsi_xasprintf("%s%s%s", stem, has_anchor ? "#" : "",
                                     has_anchor ? anchor : "");
    free(page);
    return url;
}

char *ofsi_build_url(const char *base_url, const char *rel, const char *slug, const char *anchor)
{
    return make_url(base_url, rel, slug, anchor);
}

/* "a\nb" from two optional strings, skipping empty ones; malloc'd. */
static char *join2(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    size_t la = strlen(a), lb = strlen(b);
    char *s = ofsi_xmalloc(la + lb + 2);
    memcpy(s, a, la);
    size_t n = la;
    if (la && lb)
        s[n++] = '\n';
    memcpy(s + n, b, lb);
    s[n + lb] = '\0';
    return s;
}

/* An empty JSON object, or the end of the process: jansson reports a failed allocation with
 * NULL (alloc.c). */
json_t *ofsi_json_object(void)
{
    json_t *o = json_object();
    if (!o)
        ofsi_oom(sizeof(json_t));
    return o;
}

/* obj as compact JSON text with sorted keys (malloc'd). obj holds only valid UTF-8 strings, so
 * jansson fails only when it gets no memory. */
char *ofsi_json_text(const json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s)
        ofsi_oom(0);
    return s;
}

/* Builds the rows of a parsed Markdown page (takes ownership of page). */
static ofsi_doc_rows *markdown_rows(ofs_page *page, const char *rel, const char *base_url)
{
    ofsi_doc_rows *d = ofsi_xcalloc(1, sizeof *d);
    d->page = page;
    json_t *meta = ofsi_json_object();
    for (size_t i = 0; i < page->nmeta; i++)
        if (page->meta[i].key && page->meta[i].value)
            json_object_set_new(meta, page->meta[i].key, json_string(page->meta[i].value));
    d->meta_json = ofsi_json_text(meta);
    json_decref(meta);
    d->docid = ofsi_xstrdup(rel);
    d->url = make_url(base_url, rel, page->slug, "");
    d->title = ofsi_xstrdup(page->title ? page->title : "");
    d->description = ofsi_xstrdup(page->description ? page->description : "");
    d->tags = ofsi_xstrdup(page->tags ? page->tags : "");
    d->meta_text = join2(page->description, page->tags);
    d->nsecs = page->nsections;
    d->secs = ofsi_xcalloc(d->nsecs, sizeof *d->secs);
    for (size_t i = 0; i < d->nsecs; i++) {
        const ofs_section *s = &page->sections[i];
        ofsi_sec_row *r = &d->secs[i];
        r->kind = s->kind;
        r->level = s->level;
        r->title = s->title ? s->title : "";
        r->headings = s->breadcrumb ? s->breadcrumb : "";
        r->anchor = s->anchor ? s->anchor : "";
        r->body = s->body ? s->body : "";
        r->code = s->code ? s->code : "";
        /* Description and tags describe the page, so only its first section carries them. */
        r->meta = i == 0 ? d->meta_text : "";
        r->url = make_url(base_url, rel, page->slug, r->anchor);
    }
    return d;
}

/* ---- the producer: read, hash, parse -------------------------------------------------------- */

enum { R_PARSED, R_SAME, R_FAILED, R_EMPTY };

typedef struct {
    size_t file;   /* index into the collection's files */
    int status;
    char *msg;     /* R_FAILED / R_EMPTY: why */
    char **warns;  /* parser warnings, "line\tmessage" */
    size_t nwarns;
    ofsi_doc_rows *rows;
    char hash[17];
    long long size, mtime;
} result;

static void result_free(result *r)
{
    if (!r)
        return;
    free(r->msg);
    for (size_t i = 0; i < r->nwarns; i++)
        free(r->warns[i]);
    free(r->warns);
    ofsi_doc_rows_free(r->rows);
    free(r);
}

static void collect_warning(void *ctx, const char *file, int line, const char *msg)
{
    (void)file;
    result *r = ctx;
    r->warns = ofsi_xreallocarray(r->warns, r->nwarns + 1, sizeof *r->warns);
    r->warns[r->nwarns++] = ofsi_xasprintf("%d\t%s", line, msg);
}

static int fail(result *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(result *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->msg = ofsi_xvasprintf(fmt, ap);
    va_end(ap);
    r->status = status;
    return status;
}

int ofsi_only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

typedef struct {
    const ofsi_coll *c;
    const ofsi_old_doc **olds; /* per file: its document in the index, or NULL */
    const size_t *todo;   /* indexes of the files to read */
    size_t ntodo;
    const ofs_build_options *o;
    uint64_t seed;
    int force;
    const char *tokopts; /* the index's ofs tokenizer options; NULL: don't tokenize ahead */
} work;

/* Tokenizes every FTS column of every section with tok, the way the index's FTS5 tokenizer
 * will, so the inserting thread replays tokens instead of computing them. Best effort: on any
 * failure the rows are inserted without streams and FTS5 tokenizes them itself. */
static void tokenize_ahead(ofs_tokenizer *tok, ofsi_doc_rows *d)
{
    if (!tok || !d->nsecs)
        return;
    d->streams = ofsi_xcalloc(d->nsecs * OFSI_FTS_COLS, sizeof *d->streams);
    for (size_t i = 0; i < d->nsecs; i++) {
        const ofsi_sec_row *s = &d->secs[i];
        const char *cols[OFSI_FTS_COLS] = {s->title, s->headings, s->body, s->code, s->meta};
        for (int c = 0; c < OFSI_FTS_COLS; c++) {
            const char *t = cols[c] ? cols[c] : "";
            ofsi_token_stream_record(tok, t, (int)strlen(t), &d->streams[i * OFSI_FTS_COLS + c]);
        }
    }
}

static result *process_file(const work *w, size_t fi, ofs_tokenizer *tok)
{
    result *r = ofsi_xcalloc(1, sizeof *r);
    r->file = fi;
    const ofsi_walk_file *f = &w->c->files[fi];
    const ofsi_old_doc *old = w->olds[fi];
    char *path = ofsi_join_path(w->c->root, f->rel);
    char *src = NULL;
    size_t n = 0;
    struct stat st = {0};
    int e = ofsi_read_file(path, (size_t)w->o->max_file_bytes, &src, &n, &st);
    r->size = st.st_size;
    r->mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    if (e == EFBIG)
        fail(r, R_FAILED, "file is larger than %ld bytes (--max-file-size), skipped",
             w->o->max_file_bytes);
    else if (e)
        fail(r, R_FAILED, "cannot read: %s", strerror(e));
    else if (memchr(src, '\0', n < BINARY_PROBE ? n : BINARY_PROBE))
        fail(r, R_FAILED, "binary file (NUL bytes), skipped");
    else if (ofsi_only_space(src, n))
        fail(r, R_EMPTY, "empty file, skipped");
    else {
        ofsi_content_hash(src, n, w->seed, r->hash);
        if (old && !w->force && !strcmp(old->hash, r->hash)) {
            r->status = R_SAME;
        } else {
            ofs_markdown_options mo = {w->o->max_depth, collect_warning, r};
            ofs_page *page = NULL;
            ofs_markdown_parse(src, n, f->rel, &mo, &page, NULL); /* never fails */
            r->rows = markdown_rows(page, f->rel, w->c->spec->base_url);
            r->status = R_PARSED;
            tokenize_ahead(tok, r->rows);
        }
    }
    free(src);
    free(path);
    return r;
}

/* A bounded queue between the producer and the inserting thread; results arrive in file order. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t not_full, not_empty;
    result *slots[QUEUE_CAP];
    size_t head, count;
    int done, cancel;
    work w;
    size_t first, stride; /* this producer's share: todo[first], todo[first + stride], ... */
} queue;

/* A tokenizer for this parser thread with the index's options (handles are per thread), or NULL
 * when the index uses another tokenizer. */
static ofs_tokenizer *thread_tokenizer(const char *options)
{
    ofs_tokenizer *tok = NULL;
    if (options && ofs_tokenizer_from_options(options, &tok, NULL) != OFS_OK)
        return NULL;
    return tok;
}

static void *producer(void *arg)
{
    queue *q = arg;
    ofs_tokenizer *tok = thread_tokenizer(q->w.tokopts);
    for (size_t i = q->first; i < q->w.ntodo; i += q->stride) {
        result *r = process_file(&q->w, q->w.todo[i], tok);
        pthread_mutex_lock(&q->mu);
        while (q->count == QUEUE_CAP && !q->cancel)
            pthread_cond_wait(&q->not_full, &q->mu);
        int cancel = q->cancel;
        if (!cancel) {
            q->slots[(q->head + q->count) % QUEUE_CAP] = r;
            q->count++;
            pthread_cond_signal(&q->not_empty);
        }
        pthread_mutex_unlock(&q->mu);
        if (cancel) {
            result_free(r);
            break;
        }
    }
    pthread_mutex_lock(&q->mu);
    q->done = 1;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    ofs_tokenizer_free(tok);
    return NULL;
}

/* Next result; *eof set (and NULL returned) when the producer finished. */
static result *queue_pop(queue *q, int *eof)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->done)
        pthread_cond_wait(&q->not_empty, &q->mu);
    result *r = NULL;
    *eof = q->count == 0 && q->done;
    if (q->count) {
        r = q->slots[q->head];
        q->head = (q->head + 1) % QUEUE_CAP;
        q->count--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->mu);
    return r;
}

/* ---- writing ------------------------------------------------------------------------------- */

static int db_error(ofsi_build *b, char **errmsg, const char *what)
{
    return ofs_set_error(errmsg, OFS_DB, "%s: %s", what, sqlite3_errmsg(b->db));
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Removes a document's sections from the FTS index and the sections table. External-content
 * FTS5 needs the old column values for 'delete', so they are read from sections first. */
static int delete_sections(ofsi_build *b, long long doc_id, char **errmsg)
{
    sqlite3_bind_int64(b->del_fts, 1, doc_id);
    if (step_done(b->del_fts) != SQLITE_OK)
        return db_error(b, errmsg, "cannot delete from the full-text index");
    sqlite3_bind_int64(b->del_secs, 1, doc_id);
    if (step_done(b->del_secs) != SQLITE_OK)
        return db_error(b, errmsg, "cannot delete sections");
    return OFS_OK;
}

static int remove_doc(ofsi_build *b, long long doc_id, char **errmsg)
{
    int rc = delete_sections(b, doc_id, errmsg);
    if (rc != OFS_OK)
        return rc;
    sqlite3_bind_int64(b->del_doc, 1, doc_id);
    if (step_done(b->del_doc) != SQLITE_OK)
        return db_error(b, errmsg, "cannot delete a document");
    return OFS_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

static int insert_sections(ofsi_build *b, long long doc_id, const ofsi_doc_rows *d, char **errmsg)
{
    for (size_t i = 0; i < d->nsecs; i++) {
        const ofsi_sec_row *s = &d->secs[i];
        sqlite3_stmt *st = b->ins_sec;
        sqlite3_bind_int64(st, 1, doc_id);
        sqlite3_bind_int64(st, 2, (long long)i);
        sqlite3_bind_int(st, 3, s->kind);
        sqlite3_bind_int(st, 4, s->level);
        bind_text(st, 5, s->title);
        bind_text(st, 6, s->headings);
        bind_text(st, 7, s->anchor);
        bind_text(st, 8, s->url);
        bind_text(st, 9, s->body);
        bind_text(st, 10, s->code);
        bind_text(st, 11, s->meta);
        if (step_done(st) != SQLITE_OK)
            return db_error(b, errmsg, "cannot insert a section");
        st = b->ins_fts;
        sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(b->db));
        bind_text(st, 2, s->title);
        bind_text(st, 3, s->headings);
        bind_text(st, 4, s->body);
        bind_text(st, 5, s->code);
        bind_text(st, 6, s->meta);
        if (d->streams) /* tokens computed by a parser thread: FTS5 replays them */
            ofsi_tokenizer_replay(d->streams + i * OFSI_FTS_COLS, OFSI_FTS_COLS);
        int step = step_done(st);
        ofsi_tokenizer_replay(NULL, 0);
        if (step != SQLITE_OK)
            return db_error(b, errmsg, "cannot index a section");
    }
    return OFS_OK;
}

/* Inserts (old_id 0) or replaces a document and its sections. Returns SQLITE_CONSTRAINT as is
 * (duplicate path), other failures as OFS_DB. */
int ofsi_write_doc(ofsi_build *b, long long coll_id, const char *path, long long old_id,
                   const ofsi_doc_rows *d, const char *hash, long long size, long long mtime,
                   char **errmsg)
{
    sqlite3_stmt *st = old_id ? b->upd_doc : b->ins_doc;
    if (old_id) {
        int rc = delete_sections(b, old_id, errmsg);
        if (rc != OFS_OK)
            return rc;
    }
    sqlite3_bind_int64(st, 1, old_id ? old_id : coll_id);
    bind_text(st, 2, path);
    bind_text(st, 3, d->docid);
    bind_text(st, 4, d->url);
    bind_text(st, 5, d->title);
    bind_text(st, 6, d->description);
    bind_text(st, 7, d->tags);
    bind_text(st, 8, d->meta_json);
    bind_text(st, 9, hash);
    sqlite3_bind_int64(st, 10, size);
    sqlite3_bind_int64(st, 11, mtime);
    int rc = step_done(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return SQLITE_CONSTRAINT;
    if (rc != SQLITE_OK)
        return db_error(b, errmsg, "cannot write a document");
    long long doc_id = old_id ? old_id : sqlite3_last_insert_rowid(b->db);
    return insert_sections(b, doc_id, d, errmsg);
}

static int touch_doc(ofsi_build *b, long long id, long long size, long long mtime, char **errmsg)
{
    sqlite3_bind_int64(b->touch_doc, 1, size);
    sqlite3_bind_int64(b->touch_doc, 2, mtime);
    sqlite3_bind_int64(b->touch_doc, 3, id);
    if (step_done(b->touch_doc) != SQLITE_OK)
        return db_error(b, errmsg, "cannot update a document");
    return OFS_OK;
}

/* Applies one producer result to the index. */
static int apply_result(ofsi_build *b, ofsi_coll *c, ofsi_old_doc *old, result *r, char **errmsg)
{
    const ofsi_walk_file *f = &c->files[r->file];
    char *display = ofsi_join_path(c->root, f->rel);
    for (size_t i = 0; i < r->nwarns; i++) {
        char *tab = strchr(r->warns[i], '\t');
        ofsi_build_warn(b, display, atol(r->warns[i]), "%s", tab ? tab + 1 : "");
    }
    int rc = OFS_OK;
    b->prog.bytes_done += (double)f->size;
    switch (r->status) {
    case R_FAILED:
        ofsi_build_warn(b, display, 0, "%s", r->msg ? r->msg : "failed");
        b->sum->failed++;
        break;
    case R_EMPTY:
        ofsi_build_warn(b, display, 0, "%s", r->msg ? r->msg : "empty");
        if (old) { /* emptied: the page has nothing left to find */
            rc = remove_doc(b, old->id, errmsg);
            b->sum->removed++;
        }
        break;
    case R_SAME:
        b->sum->bytes += (double)r->size;
        rc = touch_doc(b, old->id, r->size, r->mtime, errmsg);
        b->sum->unchanged++;
        break;
    case R_PARSED:
        b->sum->bytes += (double)r->size;
        rc = ofsi_write_doc(b, c->id, f->rel, old ? old->id : 0, r->rows, r->hash, r->size,
                            r->mtime, errmsg);
        if (rc == SQLITE_CONSTRAINT)
            rc = ofs_set_error(errmsg, OFS_DB, "duplicate document path %s", f->rel);
        if (old)
            b->sum->updated++;
        else
            b->sum->added++;
        break;
    }
    free(display);
    b->prog.files_done++;
    ofsi_build_progress(b);
    return rc;
}

/* Drains the producer after an error so it can be joined. */
static void queue_cancel(queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->cancel = 1;
    while (q->count) {
        result_free(q->slots[q->head]);
        q->head = (q->head + 1) % QUEUE_CAP;
        q->count--;
    }
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

/* The index's ofs tokenizer options ("stem english", "" for the defaults), malloc'd; NULL when
 * the index uses a stock FTS5 tokenizer ("=unicode61 …") or the meta row is missing. */
static char *tokenizer_options_of(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    char *opts = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'tokenizer'", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v && v[0] != '=')
            opts = ofsi_xstrdup(v);
    }
    sqlite3_finalize(st);
    return opts;
}

static int build_markdown(ofsi_build *b, ofsi_coll *c, ofsi_old_docs *olds, char **errmsg)
{
    const ofsi_old_doc **per_file = ofsi_xcalloc(c->nfiles, sizeof *per_file);
    size_t *todo = ofsi_xcalloc(c->nfiles, sizeof *todo);
    size_t ntodo = 0;
    int fast = !c->force && !b->depth_changed;
    for (size_t i = 0; i < c->nfiles; i++) {
        ofsi_old_doc *old = ofsi_find_old(olds, c->files[i].rel);
        per_file[i] = old;
        if (old)
            old->seen = 1;
        if (fast && old && old->size == c->files[i].size && old->mtime == c->files[i].mtime) {
            b->sum->unchanged++; /* metadata matches: not even read */
            b->prog.files_done++;
            b->prog.bytes_done += (double)c->files[i].size;
        } else {
            todo[ntodo++] = i;
        }
    }
    ofsi_build_progress(b);
    /* Reading a file costs tens of microseconds of syscalls and I/O latency, so a few producers
     * each take every nq-th file; taking results round-robin keeps the file order. */
    char *tokopts = tokenizer_options_of(b->db);
    work w = {c, per_file, todo, ntodo, b->o, b->seed, c->force, tokopts};
    size_t nq = ntodo < 64 ? 1 : PRODUCERS;
    queue *qs = ofsi_xcalloc(nq, sizeof *qs);
    pthread_t th[PRODUCERS];
    size_t started = 0;
    int rc = OFS_OK;
    for (size_t i = 0; i < nq; i++) {
        qs[i].w = w;
        qs[i].first = i;
        qs[i].stride = nq;
        pthread_mutex_init(&qs[i].mu, NULL);
        pthread_cond_init(&qs[i].not_full, NULL);
        pthread_cond_init(&qs[i].not_empty, NULL);
    }
    while (ntodo > 1 && started < nq &&
           pthread_create(&th[started], NULL, producer, &qs[started]) == 0)
        started++;
    int threaded = started == nq;
    for (size_t k = 0; rc == OFS_OK && k < ntodo; k++) {
        int eof = 0;
        result *r = threaded ? queue_pop(&qs[k % nq], &eof) : process_file(&w, todo[k], NULL);
        if (eof)
            break;
        rc = apply_result(b, c, (ofsi_old_doc *)per_file[r->file], r, errmsg);
        result_free(r);
    }
    for (size_t i = 0; i < started; i++) {
        queue_cancel(&qs[i]);
        pthread_join(th[i], NULL);
        queue_cancel(&qs[i]);
    }
    for (size_t i = 0; i < nq; i++) {
        pthread_mutex_destroy(&qs[i].mu);
        pthread_cond_destroy(&qs[i].not_full);
        pthread_cond_destroy(&qs[i].not_empty);
    }
    free(qs);
    free(per_file);
    free(todo);
    free(tokopts);
    return rc;
}

/* ---- one build ----------------------------------------------------------------------------- */

static int prepare_all(ofsi_build *b, char **errmsg)
{
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } list[] = {
        {&b->ins_doc, "INSERT INTO documents(collection_id, path, docid, url, title, description,"
                      " tags, meta, hash, size, mtime) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"},
        {&b->upd_doc, "UPDATE documents SET path=?2, docid=?3, url=?4, title=?5, description=?6,"
                      " tags=?7, meta=?8, hash=?9, size=?10, mtime=?11 WHERE id=?1"},
        {&b->touch_doc, "UPDATE documents SET size=?1, mtime=?2 WHERE id=?3"},
        {&b->del_doc, "DELETE FROM documents WHERE id=?1"},
        {&b->ins_sec, "INSERT INTO sections(document_id, ord, kind, level, title, headings,"
                      " anchor, url, body, code, meta) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"},
        {&b->ins_fts, "INSERT INTO fts(rowid, title, headings, body, code, meta)"
                      " VALUES(?1,?2,?3,?4,?5,?6)"},
        {&b->del_fts, "INSERT INTO fts(fts, rowid, title, headings, body, code, meta)"
                      " SELECT 'delete', id, title, headings, body, code, meta FROM sections"
                      " WHERE document_id=?1"},
        {&b->del_secs, "DELETE FROM sections WHERE document_id=?1"},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (sqlite3_prepare_v3(b->db, list[i].sql, -1, SQLITE_PREPARE_PERSISTENT, list[i].st,
                               NULL) != SQLITE_OK)
            return db_error(b, errmsg, "cannot prepare the build statements");
    return OFS_OK;
}

static void finalize_all(ofsi_build *b)
{
    sqlite3_stmt *v[] = {b->ins_doc, b->upd_doc, b->touch_doc, b->del_doc,
                         b->ins_sec, b->ins_fts, b->del_fts, b->del_secs};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        sqlite3_finalize(v[i]);
}

static int same_str(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* Finds or creates the collection row; a changed root or base URL forces a re-parse since
 * every URL depends on them. */
static int open_collection(ofsi_build *b, ofsi_coll *c, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(b->db, "SELECT id, root, base_url FROM collections WHERE name=?1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_error(b, errmsg, "cannot read collections");
    sqlite3_bind_text(st, 1, c->spec->name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    int changed = 0;
    if (found) {
        c->id = sqlite3_column_int64(st, 0);
        changed = !same_str((const char *)sqlite3_column_text(st, 1), c->real_root) ||
                  !same_str((const char *)sqlite3_column_text(st, 2), c->spec->base_url);
    }
    sqlite3_finalize(st);
    c->force = changed;
    const char *sql = found ? "UPDATE collections SET root=?2, base_url=?3 WHERE id=?4"
                            : "INSERT INTO collections(name, root, base_url) VALUES(?1, ?2, ?3)";
    if (found && !changed)
        return OFS_OK;
    if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(b, errmsg, "cannot write collections");
    if (!found)
        sqlite3_bind_text(st, 1, c->spec->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->real_root, -1, SQLITE_STATIC);
    if (c->spec->base_url && *c->spec->base_url)
        sqlite3_bind_text(st, 3, c->spec->base_url, -1, SQLITE_STATIC);
    if (found)
        sqlite3_bind_int64(st, 4, c->id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(b, errmsg, "cannot write collections");
    if (!found)
        c->id = sqlite3_last_insert_rowid(b->db);
    return OFS_OK;
}

static int build_collection(ofsi_build *b, ofsi_coll *c, char **errmsg)
{
    int rc = open_collection(b, c, errmsg);
    ofsi_old_docs olds = {0};
    if (rc == OFS_OK)
        rc = load_old_docs(b, c->id, &olds, errmsg);
    if (rc == OFS_OK)
        rc = c->is_jsonl ? ofsi_build_jsonl(b, c, &olds, errmsg)
                         : build_markdown(b, c, &olds, errmsg);
    for (size_t i = 0; rc == OFS_OK && i < olds.n; i++) {
        if (olds.v[i].seen)
            continue;
        rc = remove_doc(b, olds.v[i].id, errmsg);
        b->sum->removed++;
    }
    old_docs_free(&olds);
    return rc;
}

static void colls_free(ofsi_coll *cs, size_t n)
{
    for (size_t i = 0; cs && i < n; i++) {
        for (size_t j = 0; j < cs[i].nfiles; j++)
            free(cs[i].files[j].rel);
        free(cs[i].files);
        free(cs[i].root);
        free(cs[i].real_root);
    }
    free(cs);
}

static int check_specs(const ofs_collection_spec *specs, size_t n, char **errmsg)
{
    for (size_t i = 0; i < n; i++) {
        if (!specs[i].name || !*specs[i].name)
            return ofs_set_error(errmsg, OFS_INVALID, "a collection needs a name");
        if (strlen(specs[i].name) >= 128)
            return ofs_set_error(errmsg, OFS_INVALID, "collection name too long: %.40s…",
                                 specs[i].name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(specs[i].name, specs[j].name))
                return ofs_set_error(errmsg, OFS_INVALID, "collection %s named twice",
                                     specs[i].name);
    }
    return OFS_OK;
}

/* Records the parser settings; when they changed since the last build every hash is stale. */
static int note_settings(ofsi_build *b, char **errmsg)
{
    char depth[16];
    snprintf(depth, sizeof depth, "%d", b->o->max_depth);
    sqlite3_stmt *st = NULL;
    const char *old = NULL;
    if (sqlite3_prepare_v2(b->db, "SELECT value FROM meta WHERE key='max_depth'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        old = (const char *)sqlite3_column_text(st, 0);
    b->depth_changed = !old || strcmp(old, depth) != 0;
    sqlite3_finalize(st);
    return b->depth_changed ? ofsi_store_set_meta(b->db, "max_depth", depth, errmsg) : OFS_OK;
}

static int finish(ofsi_build *b, int changed, long before, char **errmsg)
{
    long long docs = -1, secs = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(b->db, "SELECT (SELECT count(*) FROM documents),"
                                  " (SELECT count(*) FROM sections)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        docs = sqlite3_column_int64(st, 0);
        secs = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (docs < 0)
        return db_error(b, errmsg, "cannot count documents");
    b->sum->documents = (long)docs;
    b->sum->sections = (long)secs;
    if (!changed)
        return OFS_OK;
    /* 'optimize' merges all segments (fastest queries) but rewrites the whole index, so it runs
     * after a full build or a large change, not after every small update (automerge does). */
    long touched = b->sum->added + b->sum->updated + b->sum->removed;
    if (b->o->optimize && (before == 0 || touched * 4 >= docs) &&
        ofsi_store_exec(b->db, "INSERT INTO fts(fts) VALUES('optimize')", errmsg) != OFS_OK)
        return OFS_DB;
    char when[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = ofsi_store_set_meta(b->db, "built_at", when, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_set_meta(b->db, "version", OFS_VERSION, errmsg);
    return rc;
}

int ofs_index_build(ofs_index *idx, const ofs_collection_spec *specs, size_t nspecs,
                    const ofs_build_options *opts, ofs_build_summary *summary, char **errmsg)
{
    ofs_build_options defaults;
    if (!opts) {
        ofs_build_options_default(&defaults);
        opts = &defaults;
    }
    ofs_build_summary local;
    if (!summary)
        summary = &local;
    memset(summary, 0, sizeof *summary);
    if (!idx || idx->readonly)
        return ofs_set_error(errmsg, OFS_INVALID, "the index is open read-only");
    if (opts->max_depth < 1 || opts->max_depth > 6 || opts->max_file_bytes <= 0)
        return ofs_set_error(errmsg, OFS_INVALID, "heading depth must be 1..6 and the file size "
                             "limit positive");
    int rc = check_specs(specs, nspecs, errmsg);
    if (rc != OFS_OK)
        return rc;
    ofsi_build b = {.idx = idx, .db = idx->db, .o = opts, .sum = summary,
                    .t0 = ofsi_clock_seconds()};
    b.seed = (uint64_t)opts->max_depth * 0x9e3779b97f4a7c15ULL;
    ofsi_coll *cs = ofsi_xcalloc(nspecs, sizeof *cs);
    /* Walk everything before taking the write lock: a missing collection fails the whole run
     * rather than emptying that collection. */
    for (size_t i = 0; rc == OFS_OK && i < nspecs; i++) {
        cs[i].spec = &specs[i];
        rc = ofsi_walk_collection(&b, &cs[i], errmsg);
        for (size_t j = 0; rc == OFS_OK && j < cs[i].nfiles; j++)
            b.prog.bytes_total += (double)cs[i].files[j].size;
        b.prog.files_total += (long)cs[i].nfiles;
    }
    if (rc == OFS_OK)
        rc = ofsi_store_exec(b.db, "BEGIN IMMEDIATE", errmsg);
    if (rc != OFS_OK) {
        colls_free(cs, nspecs);
        summary->seconds = ofsi_clock_seconds() - b.t0;
        return rc;
    }
    long before = -1;
    rc = prepare_all(&b, errmsg);
    if (rc == OFS_OK)
        rc = note_settings(&b, errmsg);
    if (rc == OFS_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(b.db, "SELECT count(*) FROM documents", -1, &st, NULL) ==
                SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            before = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    for (size_t i = 0; rc == OFS_OK && i < nspecs; i++)
        rc = build_collection(&b, &cs[i], errmsg);
    int changed = summary->added + summary->updated + summary->removed > 0 || b.depth_changed;
    if (rc == OFS_OK)
        rc = finish(&b, changed, before, errmsg);
    finalize_all(&b);
    if (rc == OFS_OK)
        rc = ofsi_store_exec(b.db, "COMMIT", errmsg);
    if (rc != OFS_OK)
        sqlite3_exec(b.db, "ROLLBACK", NULL, NULL, NULL);
    colls_free(cs, nspecs);
    summary->seconds = ofsi_clock_seconds() - b.t0;
    return rc;
}

