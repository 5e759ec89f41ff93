/* Index snapshots (include/ofsearch/snapshot.h): VACUUM INTO a temporary file, check it, hash it,
 * write its manifest, rename both into place; and the checks a replica runs before serving one.
 * VACUUM INTO rather than the backup API: one read transaction gives a consistent copy of a live
 * index, the copy is compacted (an index updated in place keeps the pages of removed documents:
 * tldr-pages with a third of its files removed, 73 MB by backup, 35 MB by VACUUM INTO) and comes
 * out in rollback-journal mode; it took 0.16-0.47 s there against the backup's 0.15 s. */
#include "ofsearch/snapshot.h"

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/search.h"

#include "alloc.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <signal.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *ofs_snapshot_manifest_path(const char *path)
{
    return ofsi_xasprintf("%s.json", path);
}

int ofs_snapshot_hash_file(const char *path, char hex[65], long long *size, char **errmsg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ofs_set_error(errmsg, errno == ENOENT ? OFS_NOTFOUND : OFS_IO, "cannot read %s: %s",
                             path, strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[1 << 16];
    long long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        sha256_update(&ctx, (size_t)n, buf);
        total += n;
    }
    int e = errno;
    close(fd);
    if (n < 0)
        return ofs_set_error(errmsg, OFS_IO, "cannot read %s: %s", path, strerror(e));
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    if (size)
        *size = total;
    return OFS_OK;
}

/* ---- manifest ---- */

static int manifest_write(const char *path, const ofs_snapshot_manifest *m,
                          const ofs_index_stats *st, char **errmsg)
{
    json_t *cols = json_array();
    if (!cols)
        ofsi_oom(sizeof(json_t));
    for (size_t i = 0; i < st->ncollections; i++)
        json_array_append_new(cols, json_pack("{s:s, s:I, s:I}", "name", st->collections[i].name,
                                              "documents", (json_int_t)st->collections[i].documents,
                                              "sections", (json_int_t)st->collections[i].sections));
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:i, s:I, s:I, s:s, s:s, s:s, s:s, s:o}",
                          "format", OFS_SNAPSHOT_FORMAT, "file", m->file, "sha256", m->sha256,
                          "size_bytes", (json_int_t)m->size_bytes,
                          "schema_version", m->schema_version,
                          "documents", (json_int_t)m->documents,
                          "sections", (json_int_t)m->sections, "built_at", m->built_at,
                          "snapshot_at", m->snapshot_at, "ofsearch_version", m->version,
                          "tokenizer", m->tokenizer, "collections", cols);
    /* json_pack also fails on a string that is not UTF-8 (a file name, a collection name) */
    if (!o)
        return ofs_set_error(errmsg, OFS_INVALID, "cannot write the manifest %s: a name in it "
                             "is not valid UTF-8", path);
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text) /* valid strings only: jansson failed to get memory */
        ofsi_oom(0);
    int rc = OFS_OK;
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    size_t len = strlen(text);
    text[len] = '\n'; /* json_dumps's NUL becomes the file's last newline */
    if (fd < 0 || write(fd, text, len + 1) != (ssize_t)(len + 1) || fsync(fd) != 0)
        rc = ofs_set_error(errmsg, OFS_IO, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == OFS_OK)
        rc = ofs_set_error(errmsg, OFS_IO, "cannot write %s: %s", path, strerror(errno));
    free(text);
    return rc;
}

/* Copies the string field key of o into dst (size n); 0 when missing, not a string or too long. */
static int get_string(json_t *o, const char *key, char *dst, size_t n)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) >= n)
        return 0;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 1;
}

static int get_int(json_t *o, const char *key, long long *dst)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return 0;
    *dst = json_integer_value(v);
    return 1;
}

static int is_sha256_hex(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == 64 && s[n] == '\0';
}

int ofs_snapshot_manifest_read(const char *manifest_path, ofs_snapshot_manifest *m,
                               char **errmsg)
{
    memset(m, 0, sizeof *m);
    if (access(manifest_path, F_OK) != 0)
        return ofs_set_error(errmsg, OFS_NOTFOUND, "no manifest %s (%s)", manifest_path,
                             strerror(errno));
    json_error_t jerr;
    json_t *o = json_load_file(manifest_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return ofs_set_error(errmsg, OFS_INVALID, "manifest %s: %s (line %d)", manifest_path,
                             jerr.text, jerr.line);
    char format[64] = "";
    long long size = 0, schema = 0, docs = 0, secs = 0;
    const char *missing = NULL;
    if (!json_is_object(o))
        missing = "an object";
    else if (!get_string(o, "format", format, sizeof format) ||
             strcmp(format, OFS_SNAPSHOT_FORMAT) != 0)
        missing = "format \"" OFS_SNAPSHOT_FORMAT "\"";
    else if (!get_string(o, "sha256", m->sha256, sizeof m->sha256) || !is_sha256_hex(m->sha256))
        missing = "sha256 (64 lowercase hex digits)";
    else if (!get_int(o, "size_bytes", &size))
        missing = "size_bytes";
    else if (!get_int(o, "schema_version", &schema) || schema > 1000000)
        missing = "schema_version";
    else if (!get_int(o, "documents", &docs) || !get_int(o, "sections", &secs))
        missing = "documents and sections";
    else if (!get_string(o, "file", m->file, sizeof m->file) ||
             !get_string(o, "built_at", m->built_at, sizeof m->built_at) ||
             !get_string(o, "snapshot_at", m->snapshot_at, sizeof m->snapshot_at) ||
             !get_string(o, "ofsearch_version", m->version, sizeof m->version) ||
             !get_string(o, "tokenizer", m->tokenizer, sizeof m->tokenizer))
        missing = "file, built_at, snapshot_at, ofsearch_version and tokenizer strings";
    json_decref(o);
    if (missing)
        return ofs_set_error(errmsg, OFS_INVALID, "manifest %s is not an ofsearch snapshot "
                             "manifest: it needs %s", manifest_path, missing);
    m->size_bytes = size;
    m->schema_version = (int)schema;
    m->documents = (long)docs;
    m->sections = (long)secs;
    return OFS_OK;
}

/* ---- taking a snapshot ---- */

/* Creates an empty file named base + ".tmp-PID-N" (O_EXCL, so never someone else's);
 * *name is malloc'd. */
static int make_temp(const char *base, char **name, char **errmsg)
{
    size_t n = strlen(base) + 64;
    *name = ofsi_xmalloc(n);
    for (int i = 0; i < 1000; i++) {
        snprintf(*name, n, "%s.tmp-%ld-%d", base, (long)getpid(), i);
        int fd = open(*name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            return OFS_OK;
        }
        if (errno != EEXIST)
            break;
    }
    ofs_set_error(errmsg, OFS_IO, "cannot create %s: %s", *name, strerror(errno));
    free(*name);
    *name = NULL;
    return OFS_IO;
}

/* pid of a temporary name "<base>.tmp-PID-N" or "<base>.json.tmp-PID-N"; 0 if n is neither. */
static long temp_pid(const char *n, const char *base)
{
    size_t blen = strlen(base);
    if (strncmp(n, base, blen) != 0)
        return 0;
    n += blen;
    if (!strncmp(n, ".json", 5))
        n += 5;
    if (strncmp(n, ".tmp-", 5) != 0)
        return 0;
    char *end = NULL;
    long pid = strtol(n + 5, &end, 10);
    return end && *end == '-' && pid > 0 ? pid : 0;
}

/* Removes the temporary files of snapshots to out_path whose process is gone (killed mid-way),
 * as `ofsearch index --rebuild` does for its own. */
static void remove_stale_temps(const char *out_path)
{
    char *dcopy = ofsi_xstrdup(out_path), *bcopy = ofsi_xstrdup(out_path);
    const char *dir = dirname(dcopy), *base = basename(bcopy);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        long pid = temp_pid(e->d_name, base);
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *full = ofsi_xasprintf("%s/%s", dir, e->d_name);
        unlink(full);
        free(full);
    }
    if (d)
        closedir(d);
    free(dcopy);
    free(bcopy);
}

/* Runs PRAGMA integrity_check on db; OFS_OK when SQLite answers "ok", else the first problem. */
static int integrity_check(sqlite3 *db, const char *path, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL);
    const char *res = NULL;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        res = (const char *)sqlite3_column_text(st, 0);
    int out = OFS_OK;
    if (!res)
        out = ofs_set_error(errmsg, OFS_DB, "integrity check of %s failed: %s", path,
                            sqlite3_errmsg(db));
    else if (strcmp(res, "ok") != 0)
        out = ofs_set_error(errmsg, OFS_DB, "integrity check of %s: %s", path, res);
    sqlite3_finalize(st);
    return out;
}

/* Copies the index at src into the empty file tmp as one read transaction. */
static int vacuum_into(const char *src, const char *tmp, char **errmsg)
{
    sqlite3 *db = NULL;
    int rc = ofsi_store_connect(src, SQLITE_OPEN_READONLY, &db, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_check(db, src, NULL, errmsg);
    sqlite3_stmt *st = NULL;
    if (rc == OFS_OK && (sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK ||
                         sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC) != SQLITE_OK ||
                         sqlite3_step(st) != SQLITE_DONE))
        rc = ofs_set_error(errmsg, OFS_DB, "cannot copy %s to %s: %s", src, tmp,
                           sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* Makes the copy a snapshot: rollback journal (no -wal/-shm for readers to need or write), and
 * both SQLite's and FTS5's integrity checks (FTS5's needs a writable connection, which only the
 * snapshot's writer has: verify relies on the hash to say the bytes are still the checked ones). */
static int finish_copy(const char *tmp, char **errmsg)
{
    sqlite3 *db = NULL;
    int rc = ofsi_store_connect(tmp, SQLITE_OPEN_READWRITE, &db, errmsg);
    sqlite3_stmt *st = NULL;
    if (rc == OFS_OK) {
        const char *mode = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=DELETE", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            mode = (const char *)sqlite3_column_text(st, 0);
        if (!mode || strcmp(mode, "delete") != 0)
            rc = ofs_set_error(errmsg, OFS_DB, "cannot set %s to journal_mode=DELETE: %s", tmp,
                               sqlite3_errmsg(db));
        sqlite3_finalize(st);
    }
    if (rc == OFS_OK)
        rc = integrity_check(db, tmp, errmsg);
    if (rc == OFS_OK &&
        ofsi_store_exec(db, "INSERT INTO fts(fts) VALUES('integrity-check')", errmsg) != OFS_OK)
        rc = ofs_set_error(errmsg, OFS_DB, "full-text integrity check of %s failed: %s", tmp,
                           sqlite3_errmsg(db));
    if (db && sqlite3_close(db) != SQLITE_OK && rc == OFS_OK)
        rc = ofs_set_error(errmsg, OFS_DB, "cannot close %s", tmp);
    return rc;
}

static int fsync_path(const char *path, int flags, char **errmsg)
{
    int fd = open(path, flags | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? OFS_OK
             : ofs_set_error(errmsg, OFS_IO, "cannot sync %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Fills *m from the finished copy at tmp (stats, hash) for a snapshot to be named out. */
static int describe(const char *tmp, const char *out, ofs_snapshot_manifest *m,
                    ofs_index_stats *st, char **errmsg)
{
    memset(m, 0, sizeof *m);
    ofs_index *idx = NULL;
    int rc = ofs_index_open(tmp, OFS_OPEN_READONLY, NULL, &idx, errmsg);
    if (rc == OFS_OK)
        rc = ofs_index_get_stats(idx, st, errmsg);
    ofs_index_close(idx);
    if (rc != OFS_OK)
        return rc;
    m->schema_version = st->schema_version;
    m->documents = st->documents;
    m->sections = st->sections;
    snprintf(m->built_at, sizeof m->built_at, "%s", st->built_at);
    snprintf(m->tokenizer, sizeof m->tokenizer, "%s", st->tokenizer);
    snprintf(m->version, sizeof m->version, "%s", OFS_VERSION);
    char *copy = ofsi_xstrdup(out);
    snprintf(m->file, sizeof m->file, "%s", basename(copy));
    free(copy);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(m->snapshot_at, sizeof m->snapshot_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    rc = fsync_path(tmp, O_RDONLY, errmsg);
    if (rc == OFS_OK)
        rc = ofs_snapshot_hash_file(tmp, m->sha256, &m->size_bytes, errmsg);
    return rc;
}

/* Refuses out when it exists (unless overwrite) or is the source itself. */
static int check_target(const char *db_path, const char *out_path, int overwrite, char **errmsg)
{
    struct stat so, sd;
    if (stat(out_path, &so) != 0)
        return OFS_OK;
    if (stat(db_path, &sd) == 0 && so.st_dev == sd.st_dev && so.st_ino == sd.st_ino)
        return ofs_set_error(errmsg, OFS_INVALID, "%s is the index itself: a snapshot needs a "
                             "path of its own", out_path);
    if (!overwrite)
        return ofs_set_error(errmsg, OFS_INVALID, "%s exists (overwrite it with --force)",
                             out_path);
    return OFS_OK;
}

/* Writes the snapshot of db_path to the file out_path (see ofs_snapshot_create). */
static int create_file(const char *db_path, const char *out_path, int overwrite,
                       ofs_snapshot_manifest *m, char **errmsg)
{
    ofs_snapshot_manifest local;
    if (!m)
        m = &local;
    memset(m, 0, sizeof *m);
    if (!db_path || !*db_path || !out_path || !*out_path)
        return ofs_set_error(errmsg, OFS_INVALID, "a snapshot needs an index path and a target");
    if (access(db_path, F_OK) != 0)
        return ofs_set_error(errmsg, OFS_IO, "cannot open index %s: %s", db_path,
                             strerror(errno));
    int rc = check_target(db_path, out_path, overwrite, errmsg);
    if (rc != OFS_OK)
        return rc;
    remove_stale_temps(out_path);
    char *json_path = ofs_snapshot_manifest_path(out_path);
    char *tmp = NULL, *tmp_json = NULL;
    ofs_index_stats st = {0};
    rc = make_temp(out_path, &tmp, errmsg);
    if (rc == OFS_OK)
        rc = vacuum_into(db_path, tmp, errmsg);
    if (rc == OFS_OK)
        rc = finish_copy(tmp, errmsg);
    if (rc == OFS_OK)
        rc = describe(tmp, out_path, m, &st, errmsg);
    if (rc == OFS_OK)
        rc = make_temp(json_path, &tmp_json, errmsg);
    if (rc == OFS_OK)
        rc = manifest_write(tmp_json, m, &st, errmsg);
    /* The snapshot first, its manifest last: a reader that sees the new manifest sees the file
     * it describes; in between, the old manifest (if any) does not match and verify says so. */
    if (rc == OFS_OK && rename(tmp, out_path) != 0)
        rc = ofs_set_error(errmsg, OFS_IO, "cannot rename %s to %s: %s", tmp, out_path,
                           strerror(errno));
    if (rc == OFS_OK && rename(tmp_json, json_path) != 0)
        rc = ofs_set_error(errmsg, OFS_IO, "cannot rename %s to %s: %s", tmp_json, json_path,
                           strerror(errno));
    if (rc == OFS_OK) {
        char *dir = ofsi_xstrdup(out_path);
        rc = fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY, errmsg);
        free(dir);
    }
    if (rc != OFS_OK) {
        if (tmp)
            unlink(tmp);
        if (tmp_json)
            unlink(tmp_json);
    }
    ofs_index_stats_free(&st);
    free(tmp);
    free(tmp_json);
    free(json_path);
    return rc;
}

/* A free name out_dir/index-<UTC time>[-N].db, malloc'd; NULL when 1,000 are taken. Taken
 * names are skipped, not reserved: two writers into one directory in the same second may still
 * collide, and the second then refuses to overwrite. */
static char *name_in_dir(const char *out_dir)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    size_t n = strlen(out_dir) + 64;
    char *path = ofsi_xmalloc(n);
    for (int i = 0; i < 1000; i++) {
        if (i == 0)
            snprintf(path, n, "%s/index-%s.db", out_dir, stamp);
        else
            snprintf(path, n, "%s/index-%s-%d.db", out_dir, stamp, i);
        if (access(path, F_OK) != 0)
            return path;
    }
    free(path);
    return NULL;
}

int ofs_snapshot_create(const char *db_path, const char *out_path, int overwrite,
                        ofs_snapshot_manifest *m, char **written, char **errmsg)
{
    if (written)
        *written = NULL;
    struct stat sb;
    char *path = out_path && stat(out_path, &sb) == 0 && S_ISDIR(sb.st_mode)
                     ? name_in_dir(out_path)
                     : (out_path ? ofsi_xstrdup(out_path) : NULL);
    if (!path)
        return out_path ? ofs_set_error(errmsg, OFS_IO, "no free snapshot name in %s for this "
                                        "second", out_path)
                        : ofs_set_error(errmsg, OFS_INVALID, "no snapshot path given");
    int rc = create_file(db_path, path, overwrite, m, errmsg);
    if (rc == OFS_OK && written)
        *written = path;
    else
        free(path);
    return rc;
}

/* ---- directories of snapshots ---- */

typedef struct {
    char *path;
    ofs_snapshot_manifest m;
    struct timespec mtime;
} dir_entry;

/* Newest first: later snapshot_at (whole seconds), then later modification time (the rename
 * keeps the time the copy was finished), then the larger name. */
static int newest_first(const void *a, const void *b)
{
    const dir_entry *x = a, *y = b;
    int c = strcmp(y->m.snapshot_at, x->m.snapshot_at);
    if (!c && x->mtime.tv_sec != y->mtime.tv_sec)
        c = y->mtime.tv_sec > x->mtime.tv_sec ? 1 : -1;
    if (!c && x->mtime.tv_nsec != y->mtime.tv_nsec)
        c = y->mtime.tv_nsec > x->mtime.tv_nsec ? 1 : -1;
    return c ? c : strcmp(y->path, x->path);
}

/* The snapshots of dir whose manifest reads (NAME with NAME.json), newest first; *out
 * malloc'd, free each path and then *out. */
static int list_snapshots(const char *dir, dir_entry **out, size_t *n, char **errmsg)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return ofs_set_error(errmsg, errno == ENOENT ? OFS_NOTFOUND : OFS_IO,
                             "cannot read directory %s: %s", dir, strerror(errno));
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") == 0 || e->d_name[0] == '.')
            continue;
        char *path = ofsi_xasprintf("%s/%s", dir, e->d_name);
        char *mpath = ofs_snapshot_manifest_path(path);
        dir_entry ent = {.path = path};
        if (ofs_snapshot_manifest_read(mpath, &ent.m, NULL) == OFS_OK) {
            struct stat sb;
            if (stat(path, &sb) == 0)
                ent.mtime = sb.st_mtim;
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                *out = ofsi_xreallocarray(*out, cap, sizeof **out);
            }
            (*out)[(*n)++] = ent;
            path = NULL;
        }
        free(path);
        free(mpath);
    }
    closedir(d);
    if (*n > 1)
        qsort(*out, *n, sizeof **out, newest_first);
    return OFS_OK;
}

static void free_entries(dir_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}

int ofs_snapshot_newest(const char *dir, char **path, ofs_snapshot_manifest *m, char **errmsg)
{
    *path = NULL;
    dir_entry *v = NULL;
    size_t n = 0;
    int rc = list_snapshots(dir, &v, &n, errmsg);
    char *why = NULL;
    for (size_t i = 0; rc == OFS_OK && i < n && !*path; i++) {
        char *err = NULL;
        if (ofs_snapshot_verify(v[i].path, m, NULL, &err) == OFS_OK) {
            *path = v[i].path;
            v[i].path = NULL;
        } else if (!why) {
            why = err;
            err = NULL;
        }
        free(err);
    }
    if (rc == OFS_OK && !*path)
        rc = ofs_set_error(errmsg, OFS_NOTFOUND, "no verified snapshot in %s (%zu tried%s%s)",
                           dir, n, why ? "; the newest: " : "", why ? why : "");
    free(why);
    free_entries(v, n);
    return rc;
}

int ofs_snapshot_prune(const char *dir, int keep, int *removed, char **errmsg)
{
    if (removed)
        *removed = 0;
    if (keep < 1)
        return ofs_set_error(errmsg, OFS_INVALID, "keep at least one snapshot");
    /* Never the newest one that verifies, however old: replicas starting now need it. */
    char *serving = NULL;
    ofs_snapshot_newest(dir, &serving, NULL, NULL);
    dir_entry *v = NULL;
    size_t n = 0;
    int rc = list_snapshots(dir, &v, &n, errmsg);
    for (size_t i = (size_t)keep; rc == OFS_OK && i < n; i++) {
        if (serving && !strcmp(serving, v[i].path))
            continue;
        char *mpath = ofs_snapshot_manifest_path(v[i].path);
        /* The manifest first: a snapshot without one is never picked, half-removed or not. */
        if ((unlink(mpath) != 0 && errno != ENOENT) ||
            (unlink(v[i].path) != 0 && errno != ENOENT))
            rc = ofs_set_error(errmsg, OFS_IO, "cannot remove %s: %s", v[i].path,
                               strerror(errno));
        else if (removed)
            (*removed)++;
        free(mpath);
    }
    free_entries(v, n);
    free(serving);
    return rc;
}

/* ---- verifying ---- */

static int fail(ofs_snapshot_check *failed, ofs_snapshot_check which, int rc)
{
    if (failed)
        *failed = which;
    return rc;
}

/* The snapshot opens as an index of this schema holding what the manifest says. */
static int check_contents(const char *path, const ofs_snapshot_manifest *m, char **errmsg)
{
    ofs_index *idx = NULL;
    ofs_index_stats st = {0};
    int rc = ofs_index_open(path, OFS_OPEN_READONLY, NULL, &idx, errmsg);
    if (rc == OFS_OK)
        rc = ofs_index_get_stats(idx, &st, errmsg);
    ofs_index_close(idx);
    if (rc == OFS_OK && (st.documents != m->documents || st.sections != m->sections ||
                         st.schema_version != m->schema_version))
        rc = ofs_set_error(errmsg, OFS_INVALID,
                           "%s holds %ld documents and %ld sections of schema %d; its manifest "
                           "says %ld, %ld and %d", path, st.documents, st.sections,
                           st.schema_version, m->documents, m->sections, m->schema_version);
    ofs_index_stats_free(&st);
    return rc;
}

/* A search through the same code a daemon uses: tokenizer, ranking and snippets all load. */
static int probe(const char *path, char **errmsg)
{
    ofs_searcher *s = NULL;
    ofs_results *res = NULL;
    int rc = ofs_searcher_open(path, NULL, &s, errmsg);
    if (rc == OFS_OK) {
        ofs_query_request req = {.q = "index", .limit = 1};
        rc = ofs_search(s, &req, &res, errmsg);
    }
    ofs_results_free(res);
    ofs_searcher_close(s);
    return rc;
}

int ofs_snapshot_verify(const char *path, ofs_snapshot_manifest *m, ofs_snapshot_check *failed,
                        char **errmsg)
{
    ofs_snapshot_manifest local;
    if (!m)
        m = &local;
    memset(m, 0, sizeof *m);
    fail(failed, OFS_SNAPSHOT_PASSED, OFS_OK);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return fail(failed, OFS_SNAPSHOT_BAD_FILE,
                    ofs_set_error(errmsg, errno == ENOENT ? OFS_NOTFOUND : OFS_IO,
                                  "no snapshot file %s: %s", path, strerror(errno)));
    if (!S_ISREG(sb.st_mode))
        return fail(failed, OFS_SNAPSHOT_BAD_FILE,
                    ofs_set_error(errmsg, OFS_INVALID, "%s is not a regular file", path));
    char *mpath = ofs_snapshot_manifest_path(path);
    int rc = ofs_snapshot_manifest_read(mpath, m, errmsg);
    free(mpath);
    if (rc != OFS_OK)
        return fail(failed, OFS_SNAPSHOT_BAD_MANIFEST, rc);

    char hex[65];
    long long size = 0;
    rc = ofs_snapshot_hash_file(path, hex, &size, errmsg);
    if (rc != OFS_OK)
        return fail(failed, OFS_SNAPSHOT_BAD_FILE, rc);
    if (size != m->size_bytes || strcmp(hex, m->sha256) != 0)
        return fail(failed, OFS_SNAPSHOT_BAD_HASH,
                    ofs_set_error(errmsg, OFS_INVALID,
                                  "%s does not match its manifest: %lld bytes with SHA-256 %s, "
                                  "the manifest says %lld bytes with %s", path, size, hex,
                                  m->size_bytes, m->sha256));

    sqlite3 *db = NULL;
    rc = ofsi_store_connect(path, SQLITE_OPEN_READONLY, &db, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_check(db, path, NULL, errmsg);
    ofs_snapshot_check which = rc == OFS_INVALID || rc == OFS_SCHEMA ? OFS_SNAPSHOT_BAD_INDEX
                                                                      : OFS_SNAPSHOT_BAD_INTEGRITY;
    if (rc == OFS_OK)
        rc = integrity_check(db, path, errmsg);
    sqlite3_close(db);
    if (rc != OFS_OK)
        return fail(failed, which, rc);

    rc = check_contents(path, m, errmsg);
    if (rc == OFS_OK)
        rc = probe(path, errmsg);
    return rc == OFS_OK ? OFS_OK : fail(failed, OFS_SNAPSHOT_BAD_INDEX, rc);
}
