/* One indexed section's Markdown, found from what a search hit gives (its url, or path#anchor,
 * or collection:path#anchor, or a /doc/ link): the lines of its source file from its heading to
 * the next heading of the same or a higher level, the headings found with the anchors the
 * indexer gave them (anchors.c). Sections without a heading of their own (a glossary term, a
 * Q:/A: pair) and documents that are not Markdown (JSONL records) give the text the index holds
 * for them. For `ofsearch show` and the MCP server's read_section, so an answer can quote its
 * source. The file is read through ofs_index_read_source (confined to its collection). */
#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#include "alloc.h"
#include "buffer.h"
#include "markdown_internal.h"
#include "utf8.h"

#include <cmark.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BYTES (64 * 1024)

void ofs_section_text_clear(ofs_section_text *s)
{
    free(s->collection);
    free(s->path);
    free(s->anchor);
    free(s->title);
    free(s->url);
    free(s->markdown);
    memset(s, 0, sizeof *s);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return ofsi_xstrdup(t ? t : "");
}

/* ---- which section --------------------------------------------------------------------- */

/* A section's row columns: collection, path, anchor, title, url, body, code, page title. */
#define ROW_COLS "c.name, d.path, s.anchor, s.title, s.url, s.body, s.code, d.title"
#define ROW_FROM " FROM sections s JOIN documents d ON d.id = s.document_id" \
                 " JOIN collections c ON c.id = d.collection_id"
/* A heading's own row before the term and FAQ entries that share its anchor and url. */
#define ROW_ORDER " ORDER BY s.kind IN (2, 3), s.ord LIMIT 1"

typedef struct {
    char *body, *code, *page_title;
} stored;

static void take_row(sqlite3_stmt *st, ofs_section_text *out, stored *text)
{
    out->collection = col_dup(st, 0);
    out->path = col_dup(st, 1);
    out->anchor = col_dup(st, 2);
    out->title = col_dup(st, 3);
    out->url = col_dup(st, 4);
    text->body = col_dup(st, 5);
    text->code = col_dup(st, 6);
    text->page_title = col_dup(st, 7);
}

/* Runs sql (binding the texts given) and takes its first row; OFS_NOTFOUND when none. */
static int find_row(sqlite3 *db, const char *sql, const char *a, const char *b, const char *c,
                    ofs_section_text *out, stored *text, char **errmsg)
{
    sqlite3_stmt *st = NULL;
    /* The codes are returned as such, not as ofs_set_error's value: the analyzer does not see
     * into error.c, and took a failure for a row without its columns. */
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        ofs_set_error(errmsg, OFS_DB, "cannot look up a section: %s", sqlite3_errmsg(db));
        return OFS_DB;
    }
    const char *v[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (v[i])
            sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc;
    if (step == SQLITE_ROW) {
        take_row(st, out, text);
        rc = OFS_OK;
    } else if (step == SQLITE_DONE)
        rc = OFS_NOTFOUND;
    else {
        ofs_set_error(errmsg, OFS_DB, "cannot look up a section: %s", sqlite3_errmsg(db));
        rc = OFS_DB;
    }
    sqlite3_finalize(st);
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes n bytes of s into a new string (a bad escape stays as it is). */
static char *decode(const char *s, size_t n)
{
    char *o = ofsi_xmalloc(n + 1), *p = o;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *p++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *p++ = s[i];
        }
    }
    *p = '\0';
    return o;
}

/* Splits a reference into collection (NULL: any), path and anchor (malloc'd): a /doc/ link
 * ("…/doc/<collection>/<path>#<anchor>", percent-encoded), "collection:path#anchor" or
 * "path#anchor". */
static void split_ref(ofs_index *idx, const char *ref, char **coll, char **path, char **anchor)
{
    *coll = *path = *anchor = NULL;
    const char *hash = strchr(ref, '#');
    size_t n = hash ? (size_t)(hash - ref) : strlen(ref);
    *anchor = decode(hash ? hash + 1 : "", hash ? strlen(hash + 1) : 0);
    const char *doc = strstr(ref, "/doc/");
    if (doc && doc < ref + n) {
        const char *c = doc + 5, *slash = memchr(c, '/', (size_t)(ref + n - c));
        if (slash) {
            *coll = decode(c, (size_t)(slash - c));
            *path = decode(slash + 1, (size_t)(ref + n - slash - 1));
        }
    }
    if (!*path) {
        /* "collection:path" when what precedes the colon names a collection */
        const char *colon = memchr(ref, ':', n);
        if (colon) {
            char *name = ofsi_xstrndup(ref, (size_t)(colon - ref));
            ofs_collection_info *cols = NULL;
            size_t ncols = 0;
            int known = 0;
            if (ofs_index_collections(idx, &cols, &ncols, NULL) == OFS_OK)
                for (size_t i = 0; i < ncols; i++)
                    known |= strcmp(cols[i].name, name) == 0;
            ofs_collection_infos_free(cols, ncols);
            if (known) {
                *coll = name;
                ref = colon + 1;
                n = hash ? (size_t)(hash - ref) : strlen(ref);
            } else {
                free(name);
            }
        }
        *path = ofsi_xstrndup(ref, n);
    }
}

/* The section ref names: its row, and whether it is a whole page (no anchor). */
static int resolve(ofs_index *idx, const char *ref, ofs_section_text *out, stored *text,
                   int *whole, char **errmsg)
{
    sqlite3 *db = ofs_index_db(idx);
    *whole = 0;
    int rc = find_row(db, "SELECT " ROW_COLS ROW_FROM " WHERE s.url = ?1" ROW_ORDER, ref, NULL,
                      NULL, out, text, errmsg);
    if (rc == OFS_OK && !*out->anchor) { /* a page's url: the whole page */
        *whole = 1;
        free(out->title);
        out->title = ofsi_xstrdup(text->page_title);
    }
    if (rc != OFS_NOTFOUND)
        return rc;
    char *coll, *path, *anchor;
    split_ref(idx, ref, &coll, &path, &anchor);
    rc = OFS_OK;
    if (!*path)
        rc = ofs_set_error(errmsg, OFS_INVALID, "name a section: path#anchor, or a hit's url");
    if (rc == OFS_OK && !coll) { /* one collection must hold the path */
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(db, "SELECT c.name FROM documents d JOIN collections c ON"
                                    " c.id = d.collection_id WHERE d.path = ?1 LIMIT 2",
                                -1, &st, NULL) == SQLITE_OK ? OFS_OK : OFS_DB;
        if (rc == OFS_OK) {
            sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                coll = col_dup(st, 0);
            if (coll && sqlite3_step(st) == SQLITE_ROW)
                rc = ofs_set_error(errmsg, OFS_INVALID,
                                   "several collections have %s: name one, as collection:%s",
                                   path, path);
        }
        sqlite3_finalize(st);
        if (rc == OFS_OK && !coll)
            rc = ofs_set_error(errmsg, OFS_NOTFOUND, "no indexed document has the path %s", path);
    }
    if (rc == OFS_OK) {
        *whole = !*anchor;
        rc = find_row(db,
                      *whole ? "SELECT " ROW_COLS ROW_FROM
                               " WHERE c.name = ?1 AND d.path = ?2 AND s.ord = 0"
                             : "SELECT " ROW_COLS ROW_FROM
                               " WHERE c.name = ?1 AND d.path = ?2 AND s.anchor = ?3" ROW_ORDER,
                      coll, path, *whole ? NULL : anchor, out, text, errmsg);
        if (rc == OFS_NOTFOUND)
            ofs_set_error(errmsg, rc, "%s:%s has no section #%s", coll, path, anchor);
        if (rc == OFS_OK && *whole) { /* the page, under its own title */
            free(out->title);
            free(out->anchor);
            out->title = ofsi_xstrdup(text->page_title);
            out->anchor = ofsi_xstrdup("");
        }
    }
    free(coll);
    free(path);
    free(anchor);
    return rc;
}

/* ---- its Markdown ---------------------------------------------------------------------- */

/* Byte offset of 1-based line in s (n bytes); n past the last line. */
static size_t line_offset(const char *s, size_t n, int line)
{
    size_t off = 0;
    for (int l = 1; l < line && off < n; l++) {
        const char *nl = memchr(s + off, '\n', n - off);
        off = nl ? (size_t)(nl - s) + 1 : n;
    }
    return off;
}

/* The bytes [*start, *end) of md (n bytes, front matter already cut) from the heading whose
 * anchor is anchor to the next heading of its level or higher; 0, or -1 when no heading has
 * that anchor. cmark aborts when it gets no memory, as the library does (alloc.c). */
static int slice(const char *md, size_t n, const char *anchor, size_t *start, size_t *end)
{
    cmark_node *doc = cmark_parse_document(md, n, CMARK_OPT_DEFAULT);
    ofsi_slugger *sl = ofsi_slugger_new();
    cmark_iter *it = cmark_iter_new(doc);
    cmark_consolidate_text_nodes(doc);
    int found = -1, level = 0, rc = -1;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *h = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(h) != CMARK_NODE_HEADING)
            continue;
        int custom;
        char *a = ofsi_heading_anchor(sl, h, &custom);
        int lv = cmark_node_get_heading_level(h);
        if (found < 0 && strcmp(a, anchor) == 0) {
            found = 1;
            level = lv;
            *start = line_offset(md, n, cmark_node_get_start_line(h));
            *end = n;
            rc = 0;
        } else if (found > 0 && lv <= level) {
            *end = line_offset(md, n, cmark_node_get_start_line(h));
            free(a);
            break;
        }
        free(a);
    }
    cmark_iter_free(it);
    ofsi_slugger_free(sl);
    cmark_node_free(doc);
    return rc;
}

/* The text the index holds for a section without a heading of its own. */
static char *stored_markdown(const ofs_section_text *s, const stored *t)
{
    ofsi_buf b = {0};
    ofsi_buf_puts(&b, "**");
    ofsi_buf_puts(&b, s->title);
    ofsi_buf_puts(&b, "**\n\n");
    ofsi_buf_puts(&b, t->body);
    if (*t->code) {
        ofsi_buf_puts(&b, "\n\n```\n");
        ofsi_buf_puts(&b, t->code);
        ofsi_buf_puts(&b, "\n```");
    }
    ofsi_buf_puts(&b, "\n");
    return ofsi_buf_take(&b);
}

/* Cuts s (malloc'd, *n bytes) to at most max bytes on a character boundary. */
static void cut(char *s, size_t *n, size_t max, int *truncated)
{
    if (*n <= max)
        return;
    *n = ofsi_utf8_cut(s, *n, max);
    s[*n] = '\0';
    *truncated = 1;
}

int ofs_index_read_section(ofs_index *idx, const char *ref, size_t max_bytes,
                           ofs_section_text *out, char **errmsg)
{
    memset(out, 0, sizeof *out);
    if (!ref || !*ref || strlen(ref) > 4096)
        return ofs_set_error(errmsg, OFS_INVALID, "name a section: path#anchor, or a hit's url");
    stored text = {0};
    int whole = 0;
    int rc = resolve(idx, ref, out, &text, &whole, errmsg);
    if (rc == OFS_OK && ofs_is_markdown_path(out->path)) {
        /* A source that cannot be read (an index served without its files) gives the stored
         * text below. */
        ofs_document_source src;
        int read = ofs_index_read_source(idx, out->collection, out->path, 0, &src, NULL);
        ofsi_frontmatter fm;
        size_t body = 0, start = 0, end = 0;
        if (read == OFS_OK) {
            char *clean = ofsi_utf8_clean(src.text, src.len, NULL);
            ofsi_frontmatter_parse(clean, strlen(clean), NULL, NULL, &fm, &body);
            ofsi_frontmatter_clear(&fm);
            const char *md = clean + body;
            size_t n = strlen(md);
            int s = whole ? (end = n, 0) : slice(md, n, out->anchor, &start, &end);
            if (s == 0)
                out->markdown = ofsi_xstrndup(md + start, end - start);
            free(clean);
            ofs_document_source_clear(&src);
        }
    }
    if (rc == OFS_OK && !out->markdown)
        out->markdown = stored_markdown(out, &text);
    if (rc == OFS_OK) {
        out->len = strlen(out->markdown);
        cut(out->markdown, &out->len, max_bytes ? max_bytes : DEFAULT_MAX_BYTES, &out->truncated);
    }
    free(text.body);
    free(text.code);
    free(text.page_title);
    if (rc != OFS_OK)
        ofs_section_text_clear(out);
    return rc;
}
