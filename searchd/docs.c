/* Reading pages in the daemon itself: GET /doc/<collection>/<path> shows an indexed Markdown file
 * as HTML, so collections indexed without a base URL (the demo) still have somewhere to link to;
 * and search/suggest urls of such collections are rewritten to those pages. The library does
 * the confinement (ofs_index_read_source) and the rendering (ofs_markdown_render_html); this
 * file only decodes the request target, fills the page shell (doc.html) and builds urls. The
 * index handle is its caller's (a worker's, worker.c). */
#include "docs.h"

#include "assets.h"
#include "jsonout.h"
#include "log.h"
#include "respond.h"

#include <ofsearch/index.h>
#include <ofsearch/markdown.h>
#include <ofsearch/ofsearch.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC_PREFIX "/doc/"

/* ---- request target ------------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes one %-escaped segment of n bytes into out (room for n + 1). -1 when an escape is
 * malformed or the segment holds a control byte, '/' or '\' once decoded (an encoded separator
 * would let one segment act as several), or is empty, "." or "..". */
static int decode_segment(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if (o == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        return -1;
    return 0;
}

int ofsd_doc_target(const char *raw, char **collection, char **path)
{
    *collection = *path = NULL;
    if (!raw || strncmp(raw, DOC_PREFIX, strlen(DOC_PREFIX)) != 0)
        return -1;
    const char *s = raw + strlen(DOC_PREFIX);
    size_t n = strcspn(s, "?#");
    char *coll = malloc(n + 1), *p = malloc(n + 1);
    size_t o = 0;
    int nseg = 0, ok = coll && p;
    /* Decoded segments are never longer than their raw text, so n + 1 bytes hold them all. */
    for (size_t i = 0; ok && i <= n; nseg++) {
        size_t len = strcspn(s + i, "/?#");
        char *dst = nseg == 0 ? coll : p + o;
        ok = decode_segment(s + i, len, dst) == 0;
        if (ok && nseg > 0) {
            o += strlen(dst);
            p[o++] = '/';
        }
        i += len + 1;
    }
    ok = ok && nseg >= 2;
    if (ok) {
        p[o - 1] = '\0';
        ok = ofsd_valid_utf8(coll, strlen(coll)) && ofsd_valid_utf8(p, o - 1);
    }
    if (!ok) {
        free(coll);
        free(p);
        return -1;
    }
    *collection = coll;
    *path = p;
    return 0;
}

/* ---- the page ------------------------------------------------------------------------------- */

/* The page shell with {{title}}, {{search}} and {{content}} filled in (values already safe
 * HTML); malloc'd, *len set. */
static char *fill_shell(const char *title, const char *search, const char *content, size_t *len)
{
    const char *keys[] = {"{{title}}", "{{search}}", "{{content}}"};
    const char *vals[] = {title, search, content};
    size_t cap = ofsd_doc_html_len + 1;
    for (int k = 0; k < 3; k++)
        cap += 2 * strlen(vals[k]); /* title appears twice */
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    for (const char *t = ofsd_doc_html; *t;) {
        int hit = -1;
        for (int k = 0; k < 3 && hit < 0; k++)
            if (strncmp(t, keys[k], strlen(keys[k])) == 0)
                hit = k;
        if (hit < 0) {
            *o++ = *t++;
            continue;
        }
        size_t vl = strlen(vals[hit]);
        memcpy(o, vals[hit], vl);
        o += vl;
        t += strlen(keys[hit]);
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

/* "../" once per directory level between the page and the site root, so the link back to the
 * search page also works behind a reverse proxy that serves the daemon under a prefix. */
static char *search_href(const char *path)
{
    size_t up = 2; /* doc/ and <collection>/ */
    for (const char *p = path; *p; p++)
        up += *p == '/';
    char *s = malloc(up * 3 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < up; i++)
        memcpy(s + 3 * i, "../", 3);
    s[up * 3] = '\0';
    return s;
}

static struct MHD_Response *page_response(const ofs_document_source *src, const char *path)
{
    char *body = NULL, *title = ofs_html_escape(src->title && *src->title ? src->title : path);
    char *href = search_href(path), *page = NULL;
    size_t len = 0;
    if (title && href && ofs_markdown_render_html(src->text, src->len, &body, NULL) == OFS_OK)
        page = fill_shell(title, href, body, &len);
    free(title);
    free(href);
    free(body);
    struct MHD_Response *resp = ofsd_buffer_response(page, len, "text/html; charset=utf-8");
    if (!resp)
        return NULL;
    ofsd_html_headers(resp, ofsd_doc_csp);
    return resp;
}

static enum MHD_Result read_error(const ofsd_state *st, struct MHD_Connection *c, ofsd_request *rq,
                                  int rc, const char *err)
{
    switch (rc) {
    case OFS_INVALID:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_BAD_REQUEST, "invalid_path",
                                  "not a plain relative path");
    case OFS_NOTFOUND:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_NOT_FOUND, "not_found",
                                  "no such document");
    case OFS_TOOLONG:
        return ofsd_respond_error(st, c, rq, MHD_HTTP_NOT_FOUND, "too_large",
                                  "the document is too large to show");
    default:
        ofsd_log_event("error", "doc_failed", err ? err : ofs_strerror(rc));
        return ofsd_respond_error(st, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                                  "cannot show the document; see the server log");
    }
}

enum MHD_Result ofsd_doc_respond(const ofsd_state *st, struct MHD_Connection *c,
                                 ofsd_request *rq, ofs_index *idx, const char *collection,
                                 const char *path)
{
    ofs_document_source src;
    char *err = NULL;
    enum MHD_Result r;
    int rc = ofs_index_read_source(idx, collection, path, 0, &src, &err);
    if (rc == OFS_OK) {
        struct MHD_Response *resp = page_response(&src, path);
        r = resp ? ofsd_queue(st, c, rq, MHD_HTTP_OK, resp) : MHD_NO;
    } else {
        r = read_error(st, c, rq, rc, err);
    }
    ofs_document_source_clear(&src);
    free(err);
    return r;
}

/* ---- links ---------------------------------------------------------------------------------- */

struct ofsd_doc_links {
    ofs_collection_info *cols;
    size_t n;
};

ofsd_doc_links *ofsd_doc_links_new(ofs_index *idx)
{
    ofsd_doc_links *dl = calloc(1, sizeof *dl);
    if (!dl || ofs_index_collections(idx, &dl->cols, &dl->n, NULL) != OFS_OK) {
        free(dl);
        return NULL;
    }
    for (size_t i = 0; i < dl->n; i++)
        if (!dl->cols[i].base_url)
            return dl;
    ofsd_doc_links_free(dl); /* every hit has a real url already */
    return NULL;
}

void ofsd_doc_links_free(ofsd_doc_links *dl)
{
    if (!dl)
        return;
    ofs_collection_infos_free(dl->cols, dl->n);
    free(dl);
}

/* Appends s percent-encoded: RFC 3986 unreserved bytes as is, '/' too when keep_slash. */
static void encode(char **o, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            *(*o)++ = (char)c;
        } else {
            *(*o)++ = '%';
            *(*o)++ = hex[c >> 4];
            *(*o)++ = hex[c & 15];
        }
    }
}

/* "/doc/<collection>/<path>[#anchor]", every part percent-encoded; malloc'd. */
static char *doc_url(const char *collection, const char *path, size_t plen, const char *anchor)
{
    size_t cl = strlen(collection), al = anchor ? strlen(anchor) : 0;
    char *url = malloc(strlen(DOC_PREFIX) + 3 * (cl + plen + al) + 3), *o = url;
    if (!url)
        return NULL;
    memcpy(o, DOC_PREFIX, strlen(DOC_PREFIX));
    o += strlen(DOC_PREFIX);
    encode(&o, collection, cl, 0);
    *o++ = '/';
    encode(&o, path, plen, 1);
    if (al) {
        *o++ = '#';
        encode(&o, anchor, al, 0);
    }
    *o = '\0';
    return url;
}

char *ofsd_doc_link_hit(ofsd_doc_links *dl, const char *collection, const char *path,
                        const char *url)
{
    if (!dl || !collection || !path || !url)
        return NULL;
    size_t pl = strlen(path);
    /* Without a base URL the index stores url = path[#anchor]; anything else (a JSONL record's
     * own url) is left alone. */
    if (!ofs_is_markdown_path(path) || strncmp(url, path, pl) != 0 ||
        (url[pl] != '\0' && url[pl] != '#'))
        return NULL;
    for (size_t i = 0; i < dl->n; i++)
        if (!dl->cols[i].base_url && strcmp(dl->cols[i].name, collection) == 0)
            return doc_url(collection, path, pl, url[pl] ? url + pl + 1 : NULL);
    return NULL;
}

