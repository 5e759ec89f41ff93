/* ofs_index_rebuild: a fresh index built in a temporary file beside the live one (no WAL: nobody
 * reads it yet), then put in place atomically — renamed there when there was no index, else
 * copied into the live file through its own WAL in one transaction, so readers see the old
 * index or the new one. Temporary files of killed rebuilds are removed. */
#include "build_internal.h"

#include "alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether path may be replaced: missing, empty, or a database with our meta table. */
static int replaceable(const char *path, char **errmsg)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? OFS_OK
                               : ofs_set_error(errmsg, OFS_IO, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ofs_set_error(errmsg, OFS_INVALID, "%s is not a regular file", path);
    if (st.st_size == 0)
        return OFS_OK;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    /* Readers (a daemon) may hold the index's WAL locks for a moment: wait for them rather than
     * mistake a busy index for a foreign file. */
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        rc = sqlite3_exec(db, "SELECT value FROM meta WHERE key='schema_version'", NULL, NULL,
                          NULL);
    }
    char why[256];
    snprintf(why, sizeof why, "%s", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    if (rc == SQLITE_OK)
        return OFS_OK;
    if (rc == SQLITE_NOTADB || rc == SQLITE_ERROR)
        return ofs_set_error(errmsg, OFS_INVALID,
                             "%s exists and is not an ofsearch index; not overwriting it", path);
    return ofs_set_error(errmsg, OFS_DB, "cannot check %s before replacing it: %s", path, why);
}

/* Unlinks path with each of the suffixes (up to a NULL) after it. A name cut short to fit a
 * buffer would unlink another file: they are built to their length. */
static void unlink_with(const char *path, const char *const *suffixes)
{
    for (; *suffixes; suffixes++) {
        char *name = ofsi_xasprintf("%s%s", path, *suffixes);
        unlink(name);
        free(name);
    }
}

static void unlink_db_files(const char *path)
{
    static const char *const all[] = {"", "-wal", "-shm", "-journal", NULL};
    unlink_with(path, all);
}

static int fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* A WAL file left next to a missing index would be replayed onto the new file (SQLite cannot
 * tell they belong to different databases): with no index there, nobody can be using it. */
static void remove_orphan_wal(const char *path)
{
    static const char *const wal[] = {"-wal", "-shm", NULL};
    unlink_with(path, wal);
}

/* Copies the freshly built index src over the live index at path, in one write transaction
 * through the live file's own WAL. Renaming a new file over a live WAL database is not safe: its
 * readers (a daemon) would keep the old file open while opening the new one, and both would
 * share the one -wal/-shm pair that SQLite names after the path, so one file's WAL index gets
 * reset under the other's readers. Copying costs a second write of the index, but readers see
 * the old index or the new one through SQLite's own locking, and a crash leaves the old one. */
static int copy_into_live(const char *src, const char *path, char **errmsg)
{
    sqlite3 *from = NULL, *to = NULL;
    int rc = sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(path, &to, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        /* A writer (another `ofsearch index`) may hold the write lock for a while. */
        sqlite3_busy_timeout(to, 30000);
        sqlite3_exec(to, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;", NULL, NULL,
                     NULL);
        sqlite3_backup *bk = sqlite3_backup_init(to, "main", from, "main");
        if (!bk) {
            rc = sqlite3_errcode(to);
        } else {
            do
                rc = sqlite3_backup_step(bk, -1);
            while (rc == SQLITE_OK);
            int frc = sqlite3_backup_finish(bk);
            rc = rc == SQLITE_DONE ? frc : rc;
        }
    }
    char why[256];
    snprintf(why, sizeof why, "%s",
             to && sqlite3_errcode(to) != SQLITE_OK ? sqlite3_errmsg(to)
             : from ? sqlite3_errmsg(from) : "out of memory");
    if (rc == SQLITE_OK) {
        /* Move the copy from the WAL into the file now, so readers stop paying for WAL lookups
         * and the WAL does not stay as big as the index. Readers of the old snapshot can hold
         * part of it back: whatever is left, the next writer's checkpoint finishes. */
        sqlite3_busy_timeout(to, 2000);
        sqlite3_exec(to, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    }
    sqlite3_close(from);
    sqlite3_close(to);
    if (rc != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "cannot replace %s with the new index: %s", path,
                             rc == SQLITE_BUSY ? "it is busy (another process is writing it)"
                                               : why);
    return OFS_OK;
}

/* Removes temporary files of rebuilds whose process is gone (killed mid-run). */
static void remove_stale_temps(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    DIR *d = opendir(slash ? dir : ".");
    if (!d)
        return;
    size_t blen = strlen(base);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, base, blen) || strncmp(n + blen, ".rebuild-", 9))
            continue;
        char *end = NULL;
        long pid = strtol(n + blen + 9, &end, 10);
        if (pid <= 0 || !end || strcmp(end, ".tmp") || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *full = slash ? ofsi_join_path(dir, n) : ofsi_xstrdup(n);
        unlink_db_files(full);
        free(full);
    }
    closedir(d);
}

int ofs_index_rebuild(const char *path, const char *tokenizer_options,
                      const ofs_collection_spec *specs, size_t nspecs,
                      const ofs_build_options *opts, ofs_build_summary *summary, char **errmsg)
{
    if (!path || !*path || strlen(path) > PATH_MAX - 64)
        return ofs_set_error(errmsg, OFS_INVALID, "bad index path");
    int rc = replaceable(path, errmsg);
    if (rc != OFS_OK)
        return rc;
    remove_stale_temps(path);
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.rebuild-%ld.tmp", path, (long)getpid());
    unlink_db_files(tmp);
    ofs_index *idx = NULL;
    rc = ofs_index_open(tmp, OFS_OPEN_CREATE, tokenizer_options, &idx, errmsg);
    /* Nobody reads the temporary file, so it skips WAL: pages are written once, at commit,
     * instead of to the WAL and again at the checkpoint. It is switched back before the rename. */
    if (rc == OFS_OK)
        rc = ofsi_store_exec(idx->db, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;",
                            errmsg);
    if (rc == OFS_OK)
        rc = ofs_index_build(idx, specs, nspecs, opts, summary, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_store_exec(idx->db, "PRAGMA journal_mode=WAL;", errmsg);
    ofs_index_close(idx);
    if (rc == OFS_OK && fsync_path(tmp, 0) != 0)
        rc = ofs_set_error(errmsg, OFS_IO, "cannot sync %s: %s", tmp, strerror(errno));
    struct stat live;
    int in_place = stat(path, &live) == 0 && live.st_size > 0;
    if (rc == OFS_OK && in_place) {
        rc = copy_into_live(tmp, path, errmsg);
        unlink_db_files(tmp);
        return rc; /* the live file's own commit made it durable */
    }
    if (rc == OFS_OK) {
        remove_orphan_wal(path);
        if (rename(tmp, path) != 0)
            rc = ofs_set_error(errmsg, OFS_IO, "cannot rename %s to %s: %s", tmp, path,
                               strerror(errno));
    }
    if (rc != OFS_OK) {
        unlink_db_files(tmp);
        return rc;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    fsync_path(slash ? dir : ".", 1);
    return OFS_OK;
}
