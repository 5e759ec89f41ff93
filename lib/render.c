/* Markdown pages as HTML for reading (ofsearchd's /doc/ pages): cmark in its safe mode (raw HTML
 * and dangerous link schemes suppressed), with the ids search results point at — every heading
 * gets the anchor the indexer computed (anchors.c, through markdown.c) and explicit `<a id>` tags
 * survive as plain, empty anchors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "markdown_internal.h"

#include "alloc.h"
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

static void push(node_list *l, cmark_node *n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = ofsi_xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = n;
}

/* The headings and raw HTML nodes of the document, in document order. Collected first because
 * the tree is rewritten afterwards, which an iterator must not see. */
static void collect(cmark_node *doc, node_list *headings, node_list *html)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_HEADING)
            push(headings, n);
        else if (t == CMARK_NODE_HTML_INLINE || t == CMARK_NODE_HTML_BLOCK)
            push(html, n);
    }
    cmark_iter_free(it);
}

char *ofs_html_escape(const char *s)
{
    size_t n = strlen(s);
    char *out = ofsi_xmalloc(n * 6 + 1), *o = out;
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
    char *text = ofsi_xstrndup(lit, n);
    cmark_node_set_literal(last, text);
    free(text);
}

/* Replaces node by a custom node of the same kind (block or inline) that renders on_enter, then
 * the node's children, then on_exit. */
static void replace_with_custom(cmark_node *node, cmark_node_type type, const char *on_enter,
                                const char *on_exit)
{
    cmark_node *c = cmark_node_new(type);
    cmark_node_set_on_enter(c, on_enter);
    cmark_node_set_on_exit(c, on_exit);
    cmark_node *child;
    while ((child = cmark_node_first_child(node)) != NULL) {
        cmark_node_unlink(child);
        cmark_node_append_child(c, child);
    }
    cmark_node_insert_before(node, c);
    cmark_node_free(node);
}

/* A heading as <hN id="anchor">…</hN>: cmark's own heading element takes no attributes. */
static void render_heading_id(cmark_node *heading, const char *anchor, int custom)
{
    if (custom)
        strip_custom_id(heading);
    char *id = ofs_html_escape(anchor);
    int level = cmark_node_get_heading_level(heading);
    if (level < 1 || level > 6)
        level = 6;
    char *open = ofsi_xasprintf("<h%d id=\"%s\">", level, id);
    char close[8];
    snprintf(close, sizeof close, "</h%d>", level);
    replace_with_custom(heading, CMARK_NODE_CUSTOM_BLOCK, open, close);
    free(open);
    free(id);
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

/* Appends `<a id="x"></a>` to out for every anchor start tag in the raw HTML s with a plain
 * id. */
static void anchors_of_html(const char *s, ofsi_buf *out)
{
    for (const char *lt = strchr(s, '<'); lt; lt = strchr(lt + 1, '<')) {
        const char *gt = strchr(lt, '>');
        if (!gt)
            break;
        char *id = ofsi_html_anchor(lt, (size_t)(gt - lt + 1));
        if (id && plain_id(id)) {
            ofsi_buf_puts(out, "<a id=\"");
            ofsi_buf_puts(out, id);
            ofsi_buf_puts(out, "\"></a>");
        }
        free(id);
    }
}

/* Raw HTML holding anchors becomes those anchors only; other raw HTML is left to cmark's safe
 * mode, which omits it. */
static void keep_anchors(cmark_node *html)
{
    const char *lit = cmark_node_get_literal(html);
    ofsi_buf anchors = {0};
    if (lit)
        anchors_of_html(lit, &anchors);
    if (!anchors.s)
        return;
    int block = cmark_node_get_type(html) == CMARK_NODE_HTML_BLOCK;
    replace_with_custom(html, block ? CMARK_NODE_CUSTOM_BLOCK : CMARK_NODE_CUSTOM_INLINE,
                        anchors.s, "");
    free(anchors.s);
}

/* Anchors are computed for all headings before any node changes: the heading text the indexer
 * slugged includes raw HTML (as spaces) that keep_anchors would replace. */
static void rewrite(cmark_node *doc)
{
    node_list headings = {0}, html = {0};
    ofsi_slugger *sl = ofsi_slugger_new();
    collect(doc, &headings, &html);
    char **anchors = ofsi_xcalloc(headings.n, sizeof *anchors);
    int *custom = ofsi_xcalloc(headings.n, sizeof *custom);
    for (size_t i = 0; i < headings.n; i++)
        anchors[i] = ofsi_heading_anchor(sl, headings.v[i], &custom[i]);
    for (size_t i = 0; i < html.n; i++)
        keep_anchors(html.v[i]);
    for (size_t i = 0; i < headings.n; i++)
        render_heading_id(headings.v[i], anchors[i], custom[i]);
    for (size_t i = 0; i < headings.n; i++)
        free(anchors[i]);
    free(anchors);
    free(custom);
    free(headings.v);
    free(html.v);
    ofsi_slugger_free(sl);
}

int ofs_markdown_render_html(const char *src, size_t len, char **html, char **errmsg)
{
    *html = NULL;
    if (!src)
        len = 0;
    ofsi_frontmatter fm;
    size_t body = 0;
    (void)errmsg; /* any bytes render */
    ofsi_frontmatter_parse(src ? src : "", len, NULL, NULL, &fm, &body);
    ofsi_frontmatter_clear(&fm);
    /* Parsed exactly as ofs_markdown_parse parses, so the headings are the same nodes. cmark
     * aborts when it gets no memory, as the library does (alloc.c). */
    cmark_node *doc = cmark_parse_document(src ? src + body : "", len - body, CMARK_OPT_DEFAULT);
    cmark_consolidate_text_nodes(doc);
    rewrite(doc);
    *html = cmark_render_html(doc, RENDER_OPTS);
    cmark_node_free(doc);
    return OFS_OK;
}
