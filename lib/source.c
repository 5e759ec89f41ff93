/* Collections and document sources of an index: which collections exist (name, root, base URL),
 * and the confined read of an indexed Markdown file that lets a front end show the page itself
 * (ofsearchd's /doc/ route) when the collection has no website to link to. */
#include "store.h"

#include "alloc.h"
#include "util.h"

#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? ofsi_xstrdup((const char *)s) : NULL;
}

void ofs_collection_infos_free(ofs_collection_info *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].root);
        free(v[i].base_url);
    }
    free(v);
}

/* Appends the current row; 0 when a column SQLite could not give (out of memory) is missing. */
static int add_info(sqlite3_stmt *st, ofs_collection_info **v, size_t *n)
{
    *v = ofsi_xreallocarray(*v, *n + 1, sizeof **v);
    ofs_collection_info *c = &(*v)[(*n)++];
    c->name = col_dup(st, 0);
    c->root = col_dup(st, 1);
    const unsigned char *base = sqlite3_column_text(st, 2);
    c->base_url = base && *base ? ofsi_xstrdup((const char *)base) : NULL;
    return c->name && c->root;
}

int ofs_index_collections(ofs_index *idx, ofs_collection_info **out, size_t *n, char **errmsg)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(idx->db, "SELECT name, root, base_url FROM collections ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "cannot read collections: %s",
                             sqlite3_errmsg(idx->db));
    int rc, ok = 1;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW)
        ok = add_info(st, out, n);
    int result = !ok ? ofs_set_error(errmsg, OFS_NOMEM, "out of memory")
                 : rc != SQLITE_DONE ? ofs_set_error(errmsg, OFS_DB, "cannot read collections: %s",
                                                     sqlite3_errmsg(idx->db))
                                     : OFS_OK;
    sqlite3_finalize(st);
    if (result != OFS_OK) {
        ofs_collection_infos_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return result;
}

/* ---- reading a source ---------------------------------------------------------------------- */

void ofs_document_source_clear(ofs_document_source *src)
{
    if (!src)
        return;
    free(src->text);
    free(src->title);
    memset(src, 0, sizeof *src);
}

/* A relative, '/'-separated path that cannot step out of a directory by itself: no leading '/',
 * no empty, "." or ".." segment, no backslash (a separator to some tools), no control byte. */
static int path_is_plain(const char *p)
{
    if (!*p || *p == '/')
        return 0;
    for (const char *seg = p; seg;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        seg = end ? end + 1 : NULL;
    }
    for (; *p; p++)
        if (*p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* The indexed title and root of collection/path; OFS_NOTFOUND when not indexed. */
static int lookup_document(ofs_index *idx, const char *collection, const char *path,
                           char **title, char **root, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    /* docid = path holds for Markdown documents only (a JSONL document's docid is its id). */
    if (sqlite3_prepare_v2(idx->db,
                           "SELECT d.title, c.root FROM collections c JOIN documents d"
                           " ON d.collection_id = c.id WHERE c.name = ?1 AND d.path = ?2"
                           " AND d.docid = d.path",
                           -1, &st, NULL) != SQLITE_OK)
        return ofs_set_error(errmsg, OFS_DB, "cannot read documents: %s",
                             sqlite3_errmsg(idx->db));
    sqlite3_bind_text(st, 1, collection, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result;
    if (rc == SQLITE_ROW) {
        *title = col_dup(st, 0);
        *root = col_dup(st, 1);
        result = *root ? OFS_OK : ofs_set_error(errmsg, OFS_NOTFOUND, "collection has no root");
    } else if (rc == SQLITE_DONE) {
        result = ofs_set_error(errmsg, OFS_NOTFOUND, "no such document in the index");
    } else {
        result = ofs_set_error(errmsg, OFS_DB, "cannot read documents: %s",
                               sqlite3_errmsg(idx->db));
    }
    sqlite3_finalize(st);
    return result;
}

/* The canonical directory of a collection root: the root itself, or the directory of a one-file
 * collection's file. Malloc'd; NULL when it is gone. */
static char *root_dir(const char *root)
{
    char *real = realpath(root, NULL);
    struct stat st;
    if (!real || stat(real, &st) != 0) {
        free(real);
        return NULL;
    }
    if (S_ISDIR(st.st_mode))
        return real;
    char *slash = strrchr(real, '/');
    if (slash && slash != real)
        *slash = '\0';
    else if (slash)
        slash[1] = '\0'; /* a file right under "/" */
    return real;
}

/* Opens root/path only if it resolves, symlinks followed, to a regular file inside root. The
 * resolved path is opened with O_NOFOLLOW, so a symlink put in its place afterwards fails. */
static int open_confined(const char *root, const char *path, int *fd, struct stat *st)
{
    char *dir = root_dir(root), *full = NULL, *real = NULL;
    int rc = OFS_NOTFOUND;
    if (dir && (real = realpath(full = ofsi_xasprintf("%s/%s", dir, path), NULL))) {
        size_t dl = strlen(dir);
        int inside = strncmp(real, dir, dl) == 0 &&
                     (real[dl] == '/' || (dl == 1 && dir[0] == '/'));
        if (inside && (*fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) >= 0) {
            if (fstat(*fd, st) == 0 && S_ISREG(st->st_mode))
                rc = OFS_OK;
            else
                close(*fd);
        }
    }
    free(dir);
    free(full);
    free(real);
    return rc;
}

int ofs_index_read_source(ofs_index *idx, const char *collection, const char *path,
                          size_t max_bytes, ofs_document_source *out, char **errmsg)
{
    memset(out, 0, sizeof *out);
    if (!collection || !path || !path_is_plain(path))
        return ofs_set_error(errmsg, OFS_INVALID, "not a plain relative path");
    if (!ofs_is_markdown_path(path))
        return ofs_set_error(errmsg, OFS_NOTFOUND, "not a Markdown document");
    char *root = NULL;
    int rc = lookup_document(idx, collection, path, &out->title, &root, errmsg);
    int fd = -1;
    struct stat st;
    if (rc == OFS_OK && (rc = open_confined(root, path, &fd, &st)) != OFS_OK)
        ofs_set_error(errmsg, rc, "the file is missing or outside its collection");
    if (rc == OFS_OK) {
        size_t max = max_bytes ? max_bytes : OFS_SOURCE_MAX_BYTES;
        int e = (uintmax_t)st.st_size > max ? EFBIG : ofsi_read_fd(fd, max, &out->text, &out->len);
        close(fd);
        if (e == EFBIG)
            rc = ofs_set_error(errmsg, OFS_TOOLONG, "the file is too large to show");
        else if (e)
            rc = ofs_set_error(errmsg, OFS_IO, "cannot read the file: %s", strerror(e));
    }
    free(root);
    if (rc != OFS_OK)
        ofs_document_source_clear(out);
    return rc;
}
