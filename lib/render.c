/* Markdown pages as HTML for reading (ofsearchd's /doc/ pages): cmark in its safe mode (raw HTML
 * and dangerous link schemes suppressed), with the ids search results point at — every heading
 * gets the anchor the indexer computed (markdown.c, via anchors.h) and explicit `<a id>` tags
 * survive as plain, empty anchors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "anchors.h"
#include "frontmatter.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"

#define MAX_ID_BYTES 128

/* CMARK_OPT_DEFAULT leaves CMARK_OPT_UNSAFE off: raw HTML becomes a comment, javascript:,
 * vbscript:, file: and non-image data: links become empty. Never add CMARK_OPT_UNSAFE here. */
#define RENDER_OPTS CMARK_OPT_DEFAULT

typedef struct {
    cmark_node **v;
    size_t n, cap;
} node_list;

static int push(node_list *l, cmark_node *n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        cmark_node **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return 0;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = n;
    return 1;
}

/* The headings and raw HTML nodes of the document, in document order. Collected first because
 * the tree is rewritten afterwards, which an iterator must not see. */
static int collect(cmark_node *doc, node_list *headings, node_list *html)
{
    cmark_iter *it = cmark_iter_new(doc);
    if (!it)
        return 0;
    int ok = 1;
    cmark_event_type ev;
    while (ok && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_HEADING)
            ok = push(headings, n);
        else if (t == CMARK_NODE_HTML_INLINE || t == CMARK_NODE_HTML_BLOCK)
            ok = push(html, n);
    }
    cmark_iter_free(it);
    return ok;
}

char *ofs_html_escape(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 6 + 1), *o = out;
    if (!out)
        return NULL;
    for (; *s; s++) {
        const char *e = NULL;
        switch (*s) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: *o++ = *s; continue;
        }
        size_t k = strlen(e);
        memcpy(o, e, k);
        o += k;
    }
    *o = '\0';
    return out;
}

/* Removes the trailing `{#id}` the indexer took as the anchor from the heading's last text. */
static void strip_custom_id(cmark_node *heading)
{
    cmark_node *last = cmark_node_last_child(heading);
    if (!last || cmark_node_get_type(last) != CMARK_NODE_TEXT)
        return;
    const char *lit = cmark_node_get_literal(last);
    const char *brace = lit ? strrchr(lit, '{') : NULL;
    if (!brace || brace[1] != '#')
        return;
    size_t n = (size_t)(brace - lit);
    while (n && (lit[n - 1] == ' ' || lit[n - 1] == '\t'))
        n--;
    char *text = strndup(lit, n);
    if (text)
        cmark_node_set_literal(last, text);
    free(text);
}

/* Replaces node by a custom node of the same kind (block or inline) that renders on_enter, then
 * the node's children, then on_exit. Returns 0 on OOM (the tree is then left unchanged). */
static int replace_with_custom(cmark_node *node, cmark_node_type type, const char *on_enter,
                               const char *on_exit)
{
    cmark_node *c = cmark_node_new(type);
    if (!c || !cmark_node_set_on_enter(c, on_enter) || !cmark_node_set_on_exit(c, on_exit)) {
        cmark_node_free(c);
        return 0;
    }
    cmark_node *child;
    while ((child = cmark_node_first_child(node)) != NULL) {
        cmark_node_unlink(child);
        cmark_node_append_child(c, child);
    }
    cmark_node_insert_before(node, c);
    cmark_node_free(node);
    return 1;
}

/* A heading as <hN id="anchor">…</hN>: cmark's own heading element takes no attributes. */
static int render_heading_id(cmark_node *heading, const char *anchor, int custom)
{
    if (custom)
        strip_custom_id(heading);
    char *id = ofs_html_escape(anchor);
    if (!id)
        return 0;
    int level = cmark_node_get_heading_level(heading);
    if (level < 1 || level > 6)
        level = 6;
    size_t n = strlen(id) + 32;
    char *open = malloc(n);
    char close[8];
    int ok = 0;
    if (open) {
        snprintf(open, n, "<h%d id=\"%s\">", level, id);
        snprintf(close, sizeof close, "</h%d>", level);
        ok = replace_with_custom(heading, CMARK_NODE_CUSTOM_BLOCK, open, close);
    }
    free(open);
    free(id);
    return ok;
}

/* Whether an id is plain enough to emit without any escaping: [A-Za-z0-9_-], 1..128 bytes. */
static int plain_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_ID_BYTES)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Appends `<a id="x"></a>` for every anchor start tag in the raw HTML s with a plain id.
 * Returns 0 on OOM. */
static int anchors_of_html(const char *s, char **out, size_t *len)
{
    for (const char *lt = strchr(s, '<'); lt; lt = strchr(lt + 1, '<')) {
        const char *gt = strchr(lt, '>');
        if (!gt)
            break;
        char *id = ofsi_html_anchor(lt, (size_t)(gt - lt + 1));
        if (id && plain_id(id)) {
            size_t add = strlen(id) + 16;
            char *p = realloc(*out, *len + add);
            if (!p) {
                free(id);
                return 0;
            }
            *out = p;
            *len += (size_t)snprintf(p + *len, add, "<a id=\"%s\"></a>", id);
        }
        free(id);
    }
    return 1;
}

/* Raw HTML holding anchors becomes those anchors only; other raw HTML is left to cmark's safe
 * mode, which omits it. */
static int keep_anchors(cmark_node *html)
{
    const char *lit = cmark_node_get_literal(html);
    char *anchors = NULL;
    size_t len = 0;
    if (!lit || !anchors_of_html(lit, &anchors, &len)) {
        free(anchors);
        return lit == NULL;
    }
    if (!anchors)
        return 1;
    int block = cmark_node_get_type(html) == CMARK_NODE_HTML_BLOCK;
    int ok = replace_with_custom(html, block ? CMARK_NODE_CUSTOM_BLOCK : CMARK_NODE_CUSTOM_INLINE,
                                 anchors, "");
    free(anchors);
    return ok;
}

/* Anchors are computed for all headings before any node changes: the heading text the indexer
 * slugged includes raw HTML (as spaces) that keep_anchors would replace. */
static int rewrite(cmark_node *doc)
{
    node_list headings = {0}, html = {0};
    ofsi_slugger *sl = ofsi_slugger_new();
    char **anchors = NULL;
    int *custom = NULL;
    int ok = sl && collect(doc, &headings, &html);
    if (ok && headings.n) {
        anchors = calloc(headings.n, sizeof *anchors);
        custom = calloc(headings.n, sizeof *custom);
        ok = anchors && custom;
    }
    for (size_t i = 0; ok && i < headings.n; i++)
        ok = (anchors[i] = ofsi_heading_anchor(sl, headings.v[i], &custom[i])) != NULL;
    for (size_t i = 0; ok && i < html.n; i++)
        ok = keep_anchors(html.v[i]);
    for (size_t i = 0; ok && i < headings.n; i++)
        ok = render_heading_id(headings.v[i], anchors[i], custom[i]);
    for (size_t i = 0; anchors && i < headings.n; i++)
        free(anchors[i]);
    free(anchors);
    free(custom);
    free(headings.v);
    free(html.v);
    ofsi_slugger_free(sl);
    return ok;
}

int ofs_markdown_render_html(const char *src, size_t len, char **html, char **errmsg)
{
    *html = NULL;
    if (!src)
        len = 0;
    ofsi_frontmatter fm;
    size_t body = 0;
    if (ofsi_frontmatter_parse(src ? src : "", len, NULL, NULL, &fm, &body) != OFS_OK)
        return ofs_set_error(errmsg, OFS_NOMEM, "out of memory reading front matter");
    ofsi_frontmatter_clear(&fm);
    /* Parsed exactly as ofs_markdown_parse parses, so the headings are the same nodes. */
    cmark_node *doc = cmark_parse_document(src ? src + body : "", len - body, CMARK_OPT_DEFAULT);
    if (!doc)
        return ofs_set_error(errmsg, OFS_NOMEM, "out of memory parsing Markdown");
    cmark_consolidate_text_nodes(doc);
    if (rewrite(doc))
        *html = cmark_render_html(doc, RENDER_OPTS);
    cmark_node_free(doc);
    if (!*html)
        return ofs_set_error(errmsg, OFS_NOMEM, "out of memory rendering Markdown");
    return OFS_OK;
}
