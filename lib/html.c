/* HTML pages to search sections: the page parsed by Gumbo (html_tree.c, which says why Gumbo
 * and within which bounds), then two walks over the tree without recursion — one over the whole
 * page for what describes it (title, language, canonical URL, description, filters, the
 * content roots), one over the content roots for the text — into the ofs_page that
 * ofs_markdown_parse gives for Markdown, so the indexer stores both alike.
 *
 * Why Gumbo and not libxml2's HTML parser (benchmarks/html/run.sh prints the figures): on the
 * 530 pages of the Python 3.11 docs and the 1,169 of the PostgreSQL 15 manual Gumbo's tree is
 * html5lib's (the reference HTML5 tree builder) line for line; libxml2 2.9's differs on 11% and
 * 30% of the lines. The body text was the same there, but libxml2 is an HTML4 parser: it knows
 * no HTML5 entities (&check;), no windows-1252 remapping of &#128;, no adoption agency for
 * misnested formatting, no foster parenting out of tables, no CDATA in SVG, lets a <p> run on
 * into <section>/<article>/<main>, and drops everything below 256 levels of nesting without a
 * word. Gumbo's price is speed: libxml2 parses 1.5-2.1x faster, and parsing is most of what an
 * HTML page costs to index (this module runs at Gumbo's parse-only speed, 17-18 MB/s of pages
 * on one core here, thanks to html_tree.c's arena; an FTS5 insert of the sections takes a
 * tenth of that). Wrong text and lost content cost more than that time; Gumbo's quadratic
 * cases on hostile nesting are bounded by html_tree.c's budgets.
 *
 * Decisions worth knowing before changing anything:
 * - Content: the root_selector option's outermost matches, else the elements marked
 *   data-ofsearch-body, else the first <main> or [role=main], else every outermost <article>,
 *   else <body> (Pagefind's choice, with the configured selector first). Left out inside it:
 *   data-ofsearch-ignore, OFS_HTML_DEFAULT_IGNORE (unless no_default_ignore), ignore_selector,
 *   and a <header> that is the page banner (root <body>, no sectioning element around it).
 * - Sections: one per h1-h6 in the content down to max_depth, as Markdown headings are; a
 *   deeper heading's text joins its section's body. A heading ending in '?' is an FAQ entry
 *   instead (deeper: an extra entry too). Breadcrumbs as in markdown.c: the enclosing headings,
 *   the page title standing in for a missing h1 — unless the title is the first heading's own
 *   text (DocBook pages open with an h2), whose siblings are not under it. An empty heading
 *   starts nothing.
 * - Anchors (each must work as #anchor on the page as it is served): the heading's id; else the
 *   nearest enclosing element with an id that no earlier heading is in (<section id>, DocBook's
 *   <div class="sect1" id>, whose target is this heading); else the heading's own link target —
 *   an <a id|name> inside it, or a permalink <a href="#x"> (Sphinx/MkDocs a.headerlink,
 *   Docusaurus a.hash-link, any link whose class says anchor/permalink or whose text is only a
 *   symbol such as ¶ or #); else the nearest enclosing id inside the content (the heading's
 *   block); else none: the page's URL. Markdown headings get an ofs_slugify slug instead, which
 *   works because our renderer gives rendered headings those ids; a built page is served as it
 *   is, so an invented fragment would lead nowhere (on the Python docs' download and index
 *   pages, whose headings have no id at all).
 * - Title: <title>, trimmed of the site name when the first heading of the content shows where
 *   the page's own title ends: "json — JSON encoder and decoder — Python 3.11.2 documentation"
 *   with an h1 "json — JSON encoder and decoder" gives the h1's text; likewise a "Site | Page"
 *   prefix. A title that does not start or end with the heading plus a separator (— – - | · :
 *   » ::) is kept whole: there is no principled split. No <title>: the first h1 (else heading)
 *   of the content, else the file name.
 * - Text as a browser lays it out: block elements and <br> break lines, inline elements join,
 *   white space collapses (NBSP too), table cells are spaced. <pre> goes to `code` verbatim
 *   (inline <code> stays in the body, as in Markdown).
 * - Glossaries: each <dt> of an outermost <dl> is a TERM entry titled with its text, whose body
 *   is the dt and its <dd>s (nested lists, e.g. Sphinx's field lists, stay in that body);
 *   anchor: the dt's id, else an id or name inside it, else its section's. <details> whose
 *   <summary> ends in '?' is an FAQ entry (anchor: the details' or summary's id, else the
 *   section's). Entries' text stays in the section too, as in Markdown.
 * - data-ofsearch-filter / data-ofsearch-meta="key:value" anywhere in the page (ignored parts
 *   and <head> included, as Pagefind reads them); "key" alone takes the element's text,
 *   "key[attr]" an attribute of it. At most MAX_PAIRS per page, values cut at 1 KiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html_internal.h"
#include "ofsearch/html.h"
#include "ofsearch/ofsearch.h"

#include "alloc.h"
#include "buffer.h"
#include "utf8.h"

#define CRUMB_SEP " \xE2\x80\xBA " /* " › " */
#define MAX_PAIRS 256
#define MAX_PAIR_VALUE 1024

/* ---- walking a Gumbo tree without recursion ------------------------------------------------- */

/* Enter and exit events over a subtree, as cmark_iter gives them; a skipped node yields no exit. */
typedef struct {
    const GumboNode *root, *node;
    int entering, started;
} walker;

static const GumboVector *children_of(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
        return &n->v.element.children;
    return NULL;
}

static void walker_init(walker *w, const GumboNode *root)
{
    w->root = w->node = root;
    w->entering = 1;
    w->started = 0;
}

/* The next event: 1 and (*node, *entering), or 0 at the end. */
static int walker_next(walker *w, const GumboNode **node, int *entering)
{
    if (!w->started) {
        w->started = 1;
    } else if (w->entering) {
        const GumboVector *kids = children_of(w->node);
        if (kids && kids->length)
            w->node = kids->data[0];
        else
            w->entering = 0;
    } else {
        if (w->node == w->root)
            return 0;
        const GumboNode *parent = w->node->parent;
        const GumboVector *sib = parent ? children_of(parent) : NULL;
        size_t i = w->node->index_within_parent + 1;
        if (sib && i < sib->length) {
            w->node = sib->data[i];
            w->entering = 1;
        } else {
            w->node = parent;
        }
    }
    *node = w->node;
    *entering = w->entering;
    return w->node != NULL;
}

/* After an enter event: go past the node's subtree without an exit event for it. */
static void walker_skip(walker *w)
{
    w->entering = 0;
}

static int is_element(const GumboNode *n)
{
    return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}

static int is_html(const GumboNode *n, GumboTag tag)
{
    return is_element(n) && n->v.element.tag == tag &&
           n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

static const char *attr(const GumboNode *n, const char *name)
{
    return ofsi_html_attr(n, name);
}

static int heading_level(const GumboNode *n)
{
    if (!is_element(n) || n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return 0;
    switch (n->v.element.tag) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
    }
}

/* Elements a browser lays out as blocks (the user-agent style sheet's display: block, list-item
 * and table parts): their edges break lines. */
static int is_block(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_BODY: case GUMBO_TAG_CENTER: case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR: case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM: case GUMBO_TAG_H1:
    case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML: case GUMBO_TAG_LEGEND: case GUMBO_TAG_LI: case GUMBO_TAG_LISTING:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU: case GUMBO_TAG_NAV: case GUMBO_TAG_OL:
    case GUMBO_TAG_P: case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY: case GUMBO_TAG_UL: case GUMBO_TAG_XMP: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR: case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP:
        return 1;
    default:
        return 0;
    }
}

static int is_sectioning(GumboTag t)
{
    return t == GUMBO_TAG_ARTICLE || t == GUMBO_TAG_ASIDE || t == GUMBO_TAG_MAIN ||
           t == GUMBO_TAG_NAV || t == GUMBO_TAG_SECTION;
}

/* ---- text buffers --------------------------------------------------------------------------- */

/* Ends the current line so the next text starts a new one. */
static void buf_newline(ofsi_buf *b)
{
    if (b->n && b->s[b->n - 1] != '\n')
        ofsi_buf_add(b, "\n", 1);
}

/* Appends text-node content as laid out: every white space (NBSP included) becomes a space;
 * runs collapse when the buffer is finished. */
static void buf_layout(ofsi_buf *b, const char *s)
{
    const char *run = s;
    for (const char *p = s; *p; p++) {
        if (ofsi_html_is_space(*p) && *p != ' ') {
            ofsi_buf_add(b, run, (size_t)(p - run));
            ofsi_buf_add(b, " ", 1);
            run = p + 1;
        } else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            ofsi_buf_add(b, run, (size_t)(p - run));
            ofsi_buf_add(b, " ", 1);
            run = p + 2;
            p++;
        }
    }
    ofsi_buf_puts(b, run);
}

/* In place: spaces collapsed, lines trimmed, empty lines dropped, then trailing newlines. */
static void collapse(char *s, size_t *len)
{
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < *len; i++) {
        char c = s[i];
        if (c == '\n') {
            space = 0;
            if (o && s[o - 1] != '\n')
                s[o++] = '\n';
        } else if (c == ' ') {
            space = 1;
        } else {
            if (space && o && s[o - 1] != '\n')
                s[o++] = ' ';
            space = 0;
            s[o++] = c;
        }
    }
    while (o && s[o - 1] == '\n')
        o--;
    s[o] = '\0';
    *len = o;
}

/* The buffer's text as valid UTF-8 (cleaned only when it is not, which Gumbo's output always
 * is), taken from b. */
static char *take_valid(ofsi_buf *b)
{
    char *s = ofsi_buf_take(b);
    size_t n = strlen(s);
    if (ofsi_utf8_valid(s, n))
        return s;
    char *clean = ofsi_utf8_clean(s, n, NULL);
    free(s);
    return clean;
}

static char *take_text(ofsi_buf *b)
{
    if (b->s)
        collapse(b->s, &b->n);
    return take_valid(b);
}

static char *take_code(ofsi_buf *b)
{
    while (b->n && ofsi_html_is_space(b->s[b->n - 1]))
        b->s[--b->n] = '\0';
    return take_valid(b);
}

static char *dup_valid(const char *s)
{
    ofsi_buf b = {0};
    ofsi_buf_puts(&b, s ? s : "");
    return take_valid(&b);
}

/* s on one line, white space collapsed and trimmed, valid UTF-8; "" for NULL. */
static char *inline_clean(const char *s)
{
    ofsi_buf b = {0};
    buf_layout(&b, s ? s : "");
    return take_text(&b);
}

/* ---- page state ----------------------------------------------------------------------------- */

typedef struct {
    ofs_kind kind;
    int level;
    char *title;    /* NULL for the intro: the page title, known at the end */
    char *crumb;
    int crumb_page; /* open the breadcrumb with the page title (no h1 above) */
    char *anchor;
    ofsi_buf body, code;
} sec;

typedef struct {
    const GumboNode *node;
    int claimed; /* a heading inside it was seen: its id no longer targets a later heading */
} open_id;

typedef struct {
    const ofs_html_options *opts;
    const char *filename;
    int max_depth;
    ofsi_selector *defaults, *ignore; /* NULL when not applied */
    /* what describes the page (first walk) */
    char *title_tag, *lang, *canonical, *description;
    int named_description; /* description is <meta name=description>'s, not og:'s */
    ofs_meta *meta, *filters;
    size_t nmeta, nfilters, npairs;
    const GumboNode **roots;
    size_t nroots;
    int root_is_body;
    /* sections (second walk) */
    sec *secs;
    size_t nsecs, cap, cur;
    long term_aux, faq_aux, deep_aux;
    int deep_level;
    const GumboNode *faq_details;
    int dl_depth, pre_depth, cell_depth, sectioning;
    char *stack[7];
    open_id *ids;
    size_t nids, capids;
    char *first_h1, *first_heading;
    ofsi_buf scratch;
} hp;

/* A copy of s; "" for NULL. */
static char *dup_str(const char *s)
{
    return ofsi_xstrdup(s ? s : "");
}

static void set_str(char **slot, char *s)
{
    free(*slot);
    *slot = s;
}

/* Text of a subtree on one line, laid out, ignored parts left out when skip_ignored; cut near
 * max bytes (0: no limit). Malloc'd. */
static int ignored(hp *p, const GumboNode *n);

static char *inline_text(hp *p, const GumboNode *root, int skip_ignored, size_t max)
{
    ofsi_buf b = {0};
    walker w;
    const GumboNode *n;
    int entering;
    walker_init(&w, root);
    while (walker_next(&w, &n, &entering) && (!max || b.n < max)) {
        if (!entering) {
            if (is_element(n) && is_block(n->v.element.tag))
                ofsi_buf_add(&b, " ", 1);
            continue;
        }
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
            n->type == GUMBO_NODE_CDATA) {
            buf_layout(&b, n->v.text.text);
        } else if (is_element(n) && n != root) {
            if (skip_ignored && ignored(p, n))
                walker_skip(&w);
            else if (n->v.element.tag == GUMBO_TAG_BR || is_block(n->v.element.tag))
                ofsi_buf_add(&b, " ", 1);
        }
    }
    char *s = take_text(&b);
    /* One line: collapse() kept line breaks only where the text had none; trim the ends. */
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        s[--len] = '\0';
    if (max && len > max) {
        len = ofsi_utf8_cut(s, len, max);
        s[len] = '\0';
    }
    return s;
}

/* ---- what to leave out ---------------------------------------------------------------------- */

static int ignored(hp *p, const GumboNode *n)
{
    if (attr(n, "data-ofsearch-ignore"))
        return 1;
    if (p->ignore && ofsi_selector_match(p->ignore, n))
        return 1;
    if (!p->defaults)
        return 0;
    if (ofsi_selector_match(p->defaults, n))
        return 1;
    /* The page banner: a <header> with no sectioning element around it, when the content is
     * the whole <body>. */
    return p->root_is_body && p->sectioning == 0 && is_html(n, GUMBO_TAG_HEADER);
}

/* ---- the first walk: what describes the page ------------------------------------------------ */

/* Appends the pair (when unique, unless the key is there already). */
static void add_pair(ofs_meta **v, size_t *n, const char *key, size_t kn, const char *val,
                     int unique)
{
    if (unique)
        for (size_t i = 0; i < *n; i++)
            if (strlen((*v)[i].key) == kn && !memcmp((*v)[i].key, key, kn))
                return;
    *v = ofsi_xreallocarray(*v, *n + 1, sizeof **v);
    ofsi_buf kb = {0};
    ofsi_buf_add(&kb, key, kn);
    (*v)[*n].key = take_valid(&kb);
    (*v)[*n].value = dup_valid(val);
    (*n)++;
}

/* data-ofsearch-filter / -meta: "key:value", "key" (the element's text), "key[attr]". */
static void read_pair(hp *p, const GumboNode *n, const char *spec, int filter)
{
    if (p->npairs >= MAX_PAIRS)
        return;
    while (ofsi_html_is_space(*spec))
        spec++;
    const char *colon = strchr(spec, ':'), *bracket = strchr(spec, '[');
    const char *kend = colon ? colon : bracket ? bracket : spec + strlen(spec);
    while (kend > spec && ofsi_html_is_space(kend[-1]))
        kend--;
    if (kend == spec)
        return;
    char *value = NULL;
    if (colon) {
        const char *v = colon + 1;
        while (ofsi_html_is_space(*v))
            v++;
        value = dup_str(v);
    } else if (bracket) {
        char name[64];
        size_t k = 0;
        for (const char *c = bracket + 1; *c && *c != ']' && k < sizeof name - 1; c++)
            name[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        name[k] = '\0';
        const char *v = attr(n, name);
        value = v ? dup_str(v) : NULL;
    } else {
        value = inline_text(p, n, 0, MAX_PAIR_VALUE);
    }
    if (value) {
        size_t vl = strlen(value);
        while (vl && ofsi_html_is_space(value[vl - 1]))
            value[--vl] = '\0';
        if (vl > MAX_PAIR_VALUE)
            value[MAX_PAIR_VALUE] = '\0'; /* take_valid below mends a cut character */
        if (vl) {
            add_pair(filter ? &p->filters : &p->meta, filter ? &p->nfilters : &p->nmeta, spec,
                     (size_t)(kend - spec), value, !filter);
            p->npairs++;
        }
    }
    free(value);
}

/* The <head> facts of one element. */
static void describe(hp *p, const GumboNode *n)
{
    const char *v;
    if (is_html(n, GUMBO_TAG_TITLE) && !p->title_tag)
        p->title_tag = inline_text(p, n, 0, 0);
    else if (is_html(n, GUMBO_TAG_HTML) && !p->lang && (v = attr(n, "lang")))
        p->lang = dup_str(v);
    else if (is_html(n, GUMBO_TAG_LINK) && !p->canonical && (v = attr(n, "rel")) &&
             ofsi_html_has_token(v, "canonical", 1) && (v = attr(n, "href")))
        p->canonical = dup_str(v);
    else if (is_html(n, GUMBO_TAG_META) && (v = attr(n, "content"))) {
        const char *name = attr(n, "name"), *prop = attr(n, "property");
        if (name && !strcasecmp(name, "description") && !p->named_description) {
            set_str(&p->description, dup_str(v)); /* over an og:description before it */
            p->named_description = 1;
        } else if (prop && !strcasecmp(prop, "og:description") && !p->description) {
            p->description = dup_str(v);
        }
    }
}

/* Candidate roots, each kind kept outermost (a match inside a match is part of it). */
typedef struct {
    const GumboNode **v;
    size_t n, cap;
    const GumboNode *open; /* the match being walked through */
} candidates;

static void candidate(candidates *c, const GumboNode *n, int matches)
{
    if (!matches || c->open)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->v = ofsi_xreallocarray(c->v, c->cap, sizeof *c->v);
    }
    c->v[c->n++] = n;
    c->open = n;
}

static void take_roots(hp *p, candidates *c)
{
    p->roots = c->v;
    p->nroots = c->n;
    c->v = NULL;
    c->n = c->cap = 0;
}

static void first_walk(hp *p, const GumboNode *doc, const ofsi_selector *root_sel)
{
    enum { SEL, BODY_MARK, ARTICLE, KINDS };
    candidates c[KINDS];
    memset(c, 0, sizeof c);
    const GumboNode *main_el = NULL, *body = NULL, *html = NULL;
    walker w;
    const GumboNode *n;
    int entering;
    walker_init(&w, doc);
    while (walker_next(&w, &n, &entering)) {
        if (!is_element(n))
            continue;
        if (!entering) {
            for (int k = 0; k < KINDS; k++)
                if (c[k].open == n)
                    c[k].open = NULL;
            continue;
        }
        describe(p, n);
        const char *v;
        if ((v = attr(n, "data-ofsearch-filter")))
            read_pair(p, n, v, 1);
        if ((v = attr(n, "data-ofsearch-meta")))
            read_pair(p, n, v, 0);
        candidate(&c[SEL], n, root_sel && ofsi_selector_match(root_sel, n));
        candidate(&c[BODY_MARK], n, attr(n, "data-ofsearch-body") != NULL);
        candidate(&c[ARTICLE], n, is_html(n, GUMBO_TAG_ARTICLE));
        if (!main_el && (is_html(n, GUMBO_TAG_MAIN) ||
                         ((v = attr(n, "role")) && !strcasecmp(v, "main"))))
            main_el = n;
        if (!body && is_html(n, GUMBO_TAG_BODY))
            body = n;
        if (!html && is_html(n, GUMBO_TAG_HTML))
            html = n;
    }
    if (root_sel && c[SEL].n == 0 && p->opts && p->opts->warn) {
        char msg[300];
        snprintf(msg, sizeof msg, "root selector \"%.200s\" matches nothing: indexing as usual",
                 p->opts->root_selector);
        p->opts->warn(p->opts->warn_ctx, p->filename, 1, msg);
    }
    const GumboNode *single = NULL;
    if (c[SEL].n)
        take_roots(p, &c[SEL]);
    else if (c[BODY_MARK].n)
        take_roots(p, &c[BODY_MARK]);
    else if (main_el)
        single = main_el;
    else if (c[ARTICLE].n)
        take_roots(p, &c[ARTICLE]);
    else
        single = body ? body : html ? html : doc;
    if (single) {
        p->roots = ofsi_xmalloc(sizeof *p->roots);
        p->roots[p->nroots++] = single;
        p->root_is_body = single == body || single == html || single == doc;
    }
    for (int k = 0; k < KINDS; k++)
        free(c[k].v);
}

/* ---- sections ------------------------------------------------------------------------------- */

/* Joins stack[1..upto] (the present ones) with the breadcrumb separator. */
static char *join_stack(hp *p, int upto)
{
    ofsi_buf b = {0};
    for (int l = 1; l <= upto && l <= 6; l++) {
        if (!p->stack[l])
            continue;
        if (b.n)
            ofsi_buf_puts(&b, CRUMB_SEP);
        ofsi_buf_puts(&b, p->stack[l]);
    }
    return ofsi_buf_take(&b);
}

/* Appends a section; takes ownership of title, crumb and anchor. Returns its index. */
static long new_sec(hp *p, ofs_kind kind, int level, char *title, char *crumb, int crumb_page,
                    char *anchor)
{
    if (p->nsecs == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->secs = ofsi_xreallocarray(p->secs, p->cap, sizeof *p->secs);
    }
    sec *s = &p->secs[p->nsecs];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->level = level;
    s->title = title;
    s->crumb = crumb;
    s->crumb_page = crumb_page;
    s->anchor = anchor;
    return (long)p->nsecs++;
}

/* An entry (term, FAQ) inside the current section: the section's full path as breadcrumb. */
static long new_entry(hp *p, ofs_kind kind, const char *title, const char *anchor)
{
    const sec *cur = &p->secs[p->cur];
    int upto = cur->level > p->max_depth ? p->max_depth : cur->level;
    const char *a = anchor && *anchor ? anchor : cur->anchor;
    return new_sec(p, kind, cur->level, dup_str(title), join_stack(p, upto),
                   p->stack[1] == NULL, dup_str(a));
}

/* The sections receiving text now: the current one and the open entries (at most 4). */
static int sinks(const hp *p, size_t out[4])
{
    int n = 0;
    out[n++] = p->cur;
    const long aux[3] = {p->term_aux, p->faq_aux, p->deep_aux};
    for (int i = 0; i < 3; i++)
        if (aux[i] >= 0 && (size_t)aux[i] != p->cur)
            out[n++] = (size_t)aux[i];
    return n;
}

static void emit_text(hp *p, const char *s)
{
    size_t idx[4];
    int k = sinks(p, idx);
    if (p->pre_depth) {
        for (int i = 0; i < k; i++)
            ofsi_buf_puts(&p->secs[idx[i]].code, s);
        return;
    }
    p->scratch.n = 0;
    buf_layout(&p->scratch, s);
    for (int i = 0; i < k; i++)
        ofsi_buf_add(&p->secs[idx[i]].body, p->scratch.s, p->scratch.n);
}

/* A separator in every sink: '\n' ends a line, ' ' keeps words apart; code=1 for code. */
static void emit_sep(hp *p, char c, int code)
{
    size_t idx[4];
    int k = sinks(p, idx);
    for (int i = 0; i < k; i++) {
        ofsi_buf *b = code ? &p->secs[idx[i]].code : &p->secs[idx[i]].body;
        if (c == '\n')
            buf_newline(b);
        else
            ofsi_buf_add(b, " ", 1);
    }
}

/* A line of text in every sink (a deeper heading's title, a term). */
static void emit_line(hp *p, const char *s)
{
    emit_sep(p, '\n', 0);
    emit_text(p, s);
    emit_sep(p, '\n', 0);
}

/* Drops a leading "Q:" (or "Q."), as markdown.c does for FAQ titles. */
static const char *strip_q(const char *s)
{
    if ((s[0] == 'Q' || s[0] == 'q') && (s[1] == ':' || s[1] == '.')) {
        s += 2;
        while (*s == ' ')
            s++;
    }
    return s;
}

/* ---- anchors -------------------------------------------------------------------------------- */

static void push_id(hp *p, const GumboNode *n)
{
    if (p->nids == p->capids) {
        p->capids = p->capids ? p->capids * 2 : 16;
        p->ids = ofsi_xreallocarray(p->ids, p->capids, sizeof *p->ids);
    }
    p->ids[p->nids++] = (open_id){n, 0};
}

/* A heading was seen: every open id now encloses an earlier heading. Amortised O(1): claims
 * go outward and stop at the first element already claimed. */
static void claim_ids(hp *p)
{
    for (size_t i = p->nids; i > 0 && !p->ids[i - 1].claimed; i--)
        p->ids[i - 1].claimed = 1;
}

/* Whether a link's class or text marks it as a permalink to its heading: a class naming an
 * anchor, or a short text without letters or digits (¶, #, §, 🔗). */
static int is_permalink(const GumboNode *a, hp *p)
{
    const char *cls = attr(a, "class");
    if (cls && (strcasestr(cls, "anchor") || strcasestr(cls, "headerlink") ||
                strcasestr(cls, "hash-link") || strcasestr(cls, "permalink")))
        return 1;
    char *text = inline_text(p, a, 0, 64);
    int symbol = strlen(text) <= 8;
    for (const char *c = text; *c; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
            symbol = 0;
    free(text);
    return symbol;
}

/* The anchor an element's own subtree gives: an <a id|name>, else a permalink's target. */
static const char *inner_anchor(hp *p, const GumboNode *el)
{
    const char *link = NULL, *v;
    walker w;
    const GumboNode *n;
    int entering;
    walker_init(&w, el);
    while (walker_next(&w, &n, &entering)) {
        if (!entering || n == el || !is_html(n, GUMBO_TAG_A))
            continue;
        if ((v = attr(n, "id")) && *v)
            return v;
        if ((v = attr(n, "name")) && *v)
            return v;
        if (!link && (v = attr(n, "href")) && v[0] == '#' && v[1] && is_permalink(n, p))
            link = v + 1;
    }
    return link;
}

/* The heading's anchor (see the file comment); malloc'd. */
static char *heading_anchor(hp *p, const GumboNode *h)
{
    const char *v = attr(h, "id");
    if (v && *v)
        return dup_str(v);
    if (p->nids && !p->ids[p->nids - 1].claimed)
        return dup_str(attr(p->ids[p->nids - 1].node, "id"));
    if ((v = inner_anchor(p, h)))
        return dup_str(v);
    return dup_str(p->nids ? attr(p->ids[p->nids - 1].node, "id") : "");
}

/* ---- the second walk: text into sections ---------------------------------------------------- */

static void end_entries(hp *p)
{
    p->term_aux = -1;
}

/* DocBook titles its admonitions with a heading (<div class="caution"><h3>Caution</h3>): a
 * label, not the start of a section. */
static int is_admonition_label(const GumboNode *h)
{
    static const char *const kinds[] = {"note", "caution", "warning", "tip", "important",
                                        "admonition"};
    const char *cls = h->parent ? attr(h->parent, "class") : NULL;
    for (size_t k = 0; cls && k < sizeof kinds / sizeof *kinds; k++)
        if (ofsi_html_has_token(cls, kinds[k], 1))
            return 1;
    return 0;
}

static void on_heading(hp *p, const GumboNode *h, int level)
{
    char *text = inline_text(p, h, 1, 0);
    if (*text && is_admonition_label(h)) {
        emit_line(p, text);
        free(text);
        return;
    }
    if (!*text) {
        free(text);
        return;
    }
    char *anchor = heading_anchor(p, h);
    claim_ids(p);
    if (level == 1 && !p->first_h1)
        p->first_h1 = dup_str(text);
    if (!p->first_heading)
        p->first_heading = dup_str(text);
    size_t tn = strlen(text);
    int question = text[tn - 1] == '?';
    end_entries(p);
    if (p->deep_aux >= 0 && level <= p->deep_level)
        p->deep_aux = -1;
    char *crumb = join_stack(p, level - 1);
    int crumb_page = level > 1 && !p->stack[1];
    if (level <= p->max_depth) {
        p->deep_aux = -1;
        p->cur = (size_t)new_sec(p, question ? OFS_KIND_FAQ : OFS_KIND_SECTION, level,
                                 dup_str(question ? strip_q(text) : text), crumb, crumb_page,
                                 anchor);
    } else {
        emit_line(p, text);
        if (question) {
            p->deep_aux = new_sec(p, OFS_KIND_FAQ, level, dup_str(strip_q(text)), crumb,
                                  crumb_page, anchor);
            p->deep_level = level;
        } else {
            free(crumb);
            free(anchor);
        }
    }
    set_str(&p->stack[level], text);
    for (int l = level + 1; l <= 6; l++)
        set_str(&p->stack[l], NULL);
}

static void on_term(hp *p, const GumboNode *dt)
{
    char *text = inline_text(p, dt, 1, 0);
    if (*text) {
        const char *a = attr(dt, "id");
        if (!a || !*a)
            a = inner_anchor(p, dt);
        p->term_aux = new_entry(p, OFS_KIND_TERM, text, a);
        emit_line(p, text);
    }
    free(text);
}

static void on_details(hp *p, const GumboNode *d)
{
    if (p->faq_aux >= 0)
        return;
    const GumboVector *kids = children_of(d);
    for (size_t i = 0; kids && i < kids->length; i++) {
        const GumboNode *s = kids->data[i];
        if (!is_html(s, GUMBO_TAG_SUMMARY))
            continue;
        char *q = inline_text(p, s, 1, 0);
        size_t qn = strlen(q);
        if (qn > 1 && q[qn - 1] == '?') {
            const char *a = attr(d, "id");
            if (!a || !*a)
                a = attr(s, "id");
            p->faq_aux = new_entry(p, OFS_KIND_FAQ, strip_q(q), a);
            p->faq_details = d;
        }
        free(q);
        break;
    }
}

/* What an element's edges put in the text: a table row is a line whose cells, and the blocks
 * inside them, are spaced apart; other blocks are lines. */
static char block_sep(const hp *p, GumboTag t)
{
    return t == GUMBO_TAG_TD || t == GUMBO_TAG_TH || (p->cell_depth > 0 && t != GUMBO_TAG_TR &&
                                                      t != GUMBO_TAG_TABLE)
               ? ' '
               : '\n';
}

/* An element's start in the content; returns 0 when its subtree is to be skipped. */
static int enter_element(hp *p, const GumboNode *n)
{
    if (ignored(p, n))
        return 0;
    int level = heading_level(n);
    if (level) {
        on_heading(p, n, level);
        return 0;
    }
    GumboTag t = n->v.element.tag;
    int html = n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
    if (html && t == GUMBO_TAG_DT && p->dl_depth == 1) {
        on_term(p, n);
        return 0;
    }
    const char *id = attr(n, "id");
    if (id && *id)
        push_id(p, n);
    if (!html)
        return 1;
    if (is_sectioning(t))
        p->sectioning++;
    if (t == GUMBO_TAG_DL)
        p->dl_depth++;
    else if (t == GUMBO_TAG_DETAILS)
        on_details(p, n);
    else if (t == GUMBO_TAG_PRE && p->pre_depth++ == 0)
        emit_sep(p, '\n', 1);
    if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH)
        p->cell_depth++;
    if (t == GUMBO_TAG_BR)
        emit_sep(p, '\n', 0);
    else if (is_block(t) || t == GUMBO_TAG_TD || t == GUMBO_TAG_TH)
        emit_sep(p, block_sep(p, t), 0);
    return 1;
}

static void exit_element(hp *p, const GumboNode *n)
{
    if (p->nids && p->ids[p->nids - 1].node == n)
        p->nids--;
    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return;
    GumboTag t = n->v.element.tag;
    if (is_sectioning(t))
        p->sectioning--;
    if (t == GUMBO_TAG_DL && --p->dl_depth == 0)
        p->term_aux = -1;
    else if (t == GUMBO_TAG_DETAILS && n == p->faq_details) {
        p->faq_aux = -1;
        p->faq_details = NULL;
    } else if (t == GUMBO_TAG_PRE && --p->pre_depth == 0)
        emit_sep(p, '\n', 1);
    if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH)
        p->cell_depth--;
    if (is_block(t) || t == GUMBO_TAG_TD || t == GUMBO_TAG_TH)
        emit_sep(p, block_sep(p, t), 0);
}

static void second_walk(hp *p, const GumboNode *root)
{
    p->nids = 0;
    if (attr(root, "id") && *attr(root, "id"))
        push_id(p, root);
    p->sectioning = 0;
    for (const GumboNode *a = root; a; a = a->parent)
        if (is_element(a) && a->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
            is_sectioning(a->v.element.tag))
            p->sectioning++;
    p->dl_depth = p->pre_depth = p->cell_depth = 0;
    p->term_aux = p->faq_aux = -1;
    p->faq_details = NULL;
    emit_sep(p, '\n', 0);
    walker w;
    const GumboNode *n;
    int entering;
    walker_init(&w, root);
    while (walker_next(&w, &n, &entering)) {
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
            n->type == GUMBO_NODE_CDATA) {
            if (entering)
                emit_text(p, n->v.text.text);
        } else if (is_element(n) && n != root) {
            if (!entering)
                exit_element(p, n);
            else if (!enter_element(p, n))
                walker_skip(&w);
        }
    }
    p->term_aux = p->faq_aux = -1;
}

/* ---- the page ------------------------------------------------------------------------------- */

static int is_title_sep(const char *s, size_t *len)
{
    static const char *const seps[] = {" \xE2\x80\x94 ", " \xE2\x80\x93 ", " - ", " | ",
                                       " \xC2\xB7 ", " : ", " :: ", " \xC2\xBB ", " \xE2\x80\xBA "};
    for (size_t k = 0; k < sizeof seps / sizeof *seps; k++) {
        size_t n = strlen(seps[k]);
        if (!strncmp(s, seps[k], n)) {
            *len = n;
            return 1;
        }
    }
    return 0;
}

/* The page title (see the file comment). Malloc'd. */
static char *page_title(hp *p)
{
    const char *h = p->first_h1 ? p->first_h1 : p->first_heading;
    const char *t = p->title_tag;
    if (t && *t) {
        size_t tn = strlen(t), hn = h ? strlen(h) : 0, sl;
        if (hn && tn > hn && !strncmp(t, h, hn) && is_title_sep(t + hn, &sl))
            return dup_str(h);
        for (size_t i = 0; hn && tn > hn && i < tn - hn; i++)
            if (is_title_sep(t + i, &sl) && i + sl + hn == tn && !strcmp(t + i + sl, h))
                return dup_str(h);
        return dup_str(t);
    }
    if (h)
        return dup_str(h);
    const char *base = p->filename ? p->filename : "";
    const char *slash = strrchr(base, '/');
    if (slash)
        base = slash + 1;
    const char *dot = strrchr(base, '.');
    char *name = ofsi_xstrndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
    char *clean = dup_valid(name);
    free(name);
    return clean;
}

/* The breadcrumb, opened by the page title when no h1 is above the section (stand_in). */
static char *crumb_with_page(const sec *s, const char *page_title, int stand_in)
{
    ofsi_buf b = {0};
    if (s->crumb_page && stand_in) {
        ofsi_buf_puts(&b, page_title);
        if (*s->crumb)
            ofsi_buf_puts(&b, CRUMB_SEP);
    }
    ofsi_buf_puts(&b, s->crumb);
    return take_valid(&b);
}

/* Moves the built sections into page. */
static void build_sections(hp *p, ofs_page *page)
{
    page->sections = ofsi_xcalloc(p->nsecs, sizeof *page->sections);
    /* The page title stands in for a missing h1, unless it is the text of the first heading,
     * an h2 or deeper: that heading's siblings are not under it (DocBook's pages open with h2). */
    int stand_in = p->first_h1 || !p->first_heading || strcmp(page->title, p->first_heading);
    for (size_t i = 0; i < p->nsecs; i++) {
        sec *s = &p->secs[i];
        char *body = take_text(&s->body), *code = take_code(&s->code);
        if (i == 0 && !*body && !*code && p->nsecs > 1) {
            free(body); /* an empty intro */
            free(code);
            continue;
        }
        ofs_section *o = &page->sections[page->nsections++];
        o->kind = s->kind;
        o->level = s->level;
        o->title = dup_valid(i == 0 ? page->title : s->title);
        o->breadcrumb = crumb_with_page(s, page->title, stand_in);
        o->anchor = dup_valid(s->anchor);
        o->body = body;
        o->code = code;
    }
}

static void free_pairs(ofs_meta *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].value);
    }
    free(v);
}

static void hp_free(hp *p)
{
    ofsi_selector_free(p->defaults);
    ofsi_selector_free(p->ignore);
    free(p->title_tag);
    free(p->lang);
    free(p->canonical);
    free(p->description);
    free_pairs(p->meta, p->nmeta);
    free_pairs(p->filters, p->nfilters);
    free(p->roots);
    for (size_t i = 0; i < p->nsecs; i++) {
        free(p->secs[i].title);
        free(p->secs[i].crumb);
        free(p->secs[i].anchor);
        free(p->secs[i].body.s);
        free(p->secs[i].code.s);
    }
    free(p->secs);
    for (int l = 0; l < 7; l++)
        free(p->stack[l]);
    free(p->ids);
    free(p->first_h1);
    free(p->first_heading);
    free(p->scratch.s);
}

void ofs_html_page_free(ofs_html_page *hpg)
{
    if (!hpg)
        return;
    ofs_page_free(hpg->page);
    free(hpg->lang);
    free(hpg->canonical);
    free_pairs(hpg->filters, hpg->nfilters);
    free(hpg);
}

/* Hands the walks' results to a new ofs_html_page. */
static ofs_html_page *build_page(hp *p)
{
    ofs_html_page *out = ofsi_xcalloc(1, sizeof *out);
    ofs_page *page = ofsi_xcalloc(1, sizeof *page);
    out->page = page;
    page->title = page_title(p);
    page->description = inline_clean(p->description);
    page->tags = ofsi_xstrdup("");
    page->slug = ofsi_xstrdup("");
    page->meta = p->meta;
    page->nmeta = p->nmeta;
    p->meta = NULL;
    p->nmeta = 0;
    out->filters = p->filters;
    out->nfilters = p->nfilters;
    p->filters = NULL;
    p->nfilters = 0;
    out->lang = inline_clean(p->lang);
    out->canonical = inline_clean(p->canonical);
    build_sections(p, page);
    return out;
}

static int setup(hp *p, const ofs_html_options *opts, const char *filename, char **errmsg)
{
    p->opts = opts;
    p->filename = filename ? filename : "";
    p->max_depth = opts && opts->max_depth > 0 ? opts->max_depth : 3;
    if (p->max_depth > 6)
        p->max_depth = 6;
    p->term_aux = p->faq_aux = p->deep_aux = -1;
    int rc = OFS_OK;
    if (!(opts && opts->no_default_ignore))
        rc = ofsi_selector_parse(OFS_HTML_DEFAULT_IGNORE, &p->defaults, errmsg);
    if (rc == OFS_OK && opts && opts->ignore_selector && *opts->ignore_selector)
        rc = ofsi_selector_parse(opts->ignore_selector, &p->ignore, errmsg);
    return rc;
}

int ofs_html_parse(const char *src, size_t len, const char *filename,
                   const ofs_html_options *opts, ofs_html_page **out, char **errmsg)
{
    *out = NULL;
    hp p;
    memset(&p, 0, sizeof p);
    ofsi_selector *root_sel = NULL;
    ofsi_html_tree *tree = NULL;
    int rc = setup(&p, opts, filename, errmsg);
    if (rc == OFS_OK && opts && opts->root_selector && *opts->root_selector)
        rc = ofsi_selector_parse(opts->root_selector, &root_sel, errmsg);
    if (rc == OFS_OK)
        rc = ofsi_html_tree_parse(src, len, filename, opts, &tree, errmsg);
    if (rc == OFS_OK) {
        const GumboNode *doc = ofsi_html_tree_document(tree);
        first_walk(&p, doc, root_sel);
        new_sec(&p, OFS_KIND_PAGE, 0, NULL, dup_str(""), 0, dup_str(""));
        for (size_t i = 0; i < p.nroots; i++)
            second_walk(&p, p.roots[i]);
        *out = build_page(&p);
    }
    ofsi_selector_free(root_sel);
    ofsi_html_tree_free(tree);
    hp_free(&p);
    return rc;
}

int ofs_is_html_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"));
}
