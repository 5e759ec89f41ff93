/* The files of a collection: a directory tree walked iteratively (a stack of directories, no
 * recursion), Markdown files only, hidden directories and node_modules left out, each directory
 * visited once however many links lead to it (a symlink loop ends); or a single file. */
#include "build_internal.h"

#include "alloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

char *ofsi_join_path(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = ofsi_xmalloc(la + lb + 2);
    memcpy(s, a, la);
    size_t n = la;
    if (la && a[la - 1] != '/')
        s[n++] = '/';
    memcpy(s + n, b, lb + 1);
    return s;
}

typedef struct {
    dev_t dev;
    ino_t ino;
} dir_id;

static void add_file(ofsi_coll *c, const char *rel, const struct stat *st)
{
    if (c->nfiles == c->capfiles) {
        c->capfiles = c->capfiles ? c->capfiles * 2 : 256;
        c->files = ofsi_xreallocarray(c->files, c->capfiles, sizeof *c->files);
    }
    ofsi_walk_file *f = &c->files[c->nfiles++];
    f->rel = ofsi_xstrdup(rel);
    f->size = st->st_size;
    f->mtime = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const ofsi_walk_file *)a)->rel, ((const ofsi_walk_file *)b)->rel);
}

typedef struct {
    char **v;
    size_t n, cap;
} str_stack;

static void push_str(str_stack *s, char *str)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = ofsi_xreallocarray(s->v, s->cap, sizeof *s->v);
    }
    s->v[s->n++] = str;
}

/* Whether a directory was seen before (a symlink loop or a second link to it); records it. */
static int seen_dir(dir_id **ids, size_t *n, const struct stat *st)
{
    for (size_t i = 0; i < *n; i++)
        if ((*ids)[i].dev == st->st_dev && (*ids)[i].ino == st->st_ino)
            return 1;
    if ((*n & (*n - 1)) == 0 || *n == 0) /* grow at powers of two */
        *ids = ofsi_xreallocarray(*ids, *n ? *n * 2 : 16, sizeof **ids);
    (*ids)[(*n)++] = (dir_id){st->st_dev, st->st_ino};
    return 0;
}

/* Reads one directory (rel under c->root): Markdown files into c->files, subdirectories onto
 * the stack. Hidden entries and node_modules are skipped. */
static void walk_dir(ofsi_build *b, ofsi_coll *c, const char *rel, str_stack *stack, dir_id **ids,
                     size_t *nids)
{
    char *dirpath = *rel ? ofsi_join_path(c->root, rel) : ofsi_xstrdup(c->root);
    DIR *d = opendir(dirpath);
    if (!d) {
        ofsi_build_warn(b, dirpath, 0, "cannot read directory: %s", strerror(errno));
        b->sum->failed++;
        free(dirpath);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        /* Hidden and node_modules directories hold tooling, not docs; hidden files are kept
         * ("..md" is tldr's page for the `.` command). */
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            (e->d_type == DT_DIR && (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))))
            continue;
        int is_dir_hint = e->d_type == DT_DIR || e->d_type == DT_LNK || e->d_type == DT_UNKNOWN;
        if (!is_dir_hint && !ofs_is_markdown_path(e->d_name))
            continue;
        struct stat st;
        char *childrel = *rel ? ofsi_join_path(rel, e->d_name) : ofsi_xstrdup(e->d_name);
        if (fstatat(dirfd(d), e->d_name, &st, 0) != 0) {
            if (ofs_is_markdown_path(e->d_name)) {
                ofsi_build_warn(b, dirpath, 0, "cannot stat %s: %s", e->d_name, strerror(errno));
                b->sum->failed++;
            }
            free(childrel);
            continue;
        }
        if (S_ISDIR(st.st_mode) && (e->d_name[0] == '.' || !strcmp(e->d_name, "node_modules"))) {
            /* a symlink to a hidden directory: skipped like the directory itself */
        } else if (S_ISDIR(st.st_mode)) {
            if (!seen_dir(ids, nids, &st)) {
                push_str(stack, childrel);
                childrel = NULL;
            }
        } else if (S_ISREG(st.st_mode) && ofs_is_markdown_path(e->d_name)) {
            add_file(c, childrel, &st);
        }
        free(childrel);
    }
    closedir(d);
    free(dirpath);
}

int ofsi_walk_collection(ofsi_build *b, ofsi_coll *c, char **errmsg)
{
    const char *path = c->spec->path;
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return ofs_set_error(errmsg, OFS_IO, "collection %s: cannot read %s: %s", c->spec->name,
                             path ? path : "(no path)", strerror(errno));
    char *real = realpath(path, NULL);
    if (!real)
        return ofs_set_error(errmsg, OFS_IO, "collection %s: %s: %s", c->spec->name, path,
                             strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        c->root = ofsi_xstrdup(path);
        c->real_root = real;
        str_stack stack = {0};
        dir_id *ids = NULL;
        size_t nids = 0;
        seen_dir(&ids, &nids, &st);
        push_str(&stack, ofsi_xstrdup(""));
        while (stack.n > 0) {
            char *rel = stack.v[--stack.n];
            walk_dir(b, c, rel, &stack, &ids, &nids);
            free(rel);
        }
        free(stack.v);
        free(ids);
        if (c->nfiles > 1) /* an empty directory has no array: qsort(NULL, 0) is undefined */
            qsort(c->files, c->nfiles, sizeof *c->files, cmp_file);
    } else if (S_ISREG(st.st_mode)) {
        /* A single file: its directory is the root, so the document path is its name. */
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        c->root = slash ? ofsi_xstrndup(path, (size_t)(slash - path) + (slash == path))
                        : ofsi_xstrdup(".");
        c->real_root = real;
        const char *dot = strrchr(base, '.');
        c->is_jsonl = dot && !strcasecmp(dot, ".jsonl");
        add_file(c, base, &st);
    } else {
        free(real);
        return ofs_set_error(errmsg, OFS_INVALID, "collection %s: %s is neither a directory nor "
                             "a file", c->spec->name, path);
    }
    return OFS_OK;
}
