/* Markdown pages to search sections: front matter (frontmatter.c), then a cmark tree walked with
 * cmark_iter (no recursion) into an intro, one section per heading down to max_depth, and
 * first-class glossary (TERM) and FAQ entries (entries.c). Every string handed out is valid
 * UTF-8. Anchors are anchors.c's.
 *
 * Decisions worth knowing before changing anything:
 * - Breadcrumb: the titles of the enclosing headings, outermost first, joined by " › ", without
 *   the section's own heading. When there is no H1 above a section (level >= 2), the page title
 *   stands in for the missing H1 and opens the breadcrumb, so every section carries its page in
 *   the `headings` column; an H1 section and the intro have an empty breadcrumb. Term and FAQ
 *   entries get the full path of the section they sit in (its breadcrumb plus its title).
 * - Plain text: blocks are separated by newlines, soft breaks and non-formatting HTML tags by a
 *   space. Inline code stays in `body` (tldr-style commands are what people search for); only
 *   fenced/indented code blocks go to `code`. `{…}` JSX expressions, HTML tags and comments,
 *   MDX `import`/`export` paragraphs and `:::type` admonition fences are dropped; table pipes
 *   become spaces and delimiter rows vanish (cmark 0.30 has no table extension: tables arrive
 *   as paragraphs). cmark aborts on OOM (its allocator does), as our allocations do (alloc.c).
 * - FAQ headings: a heading ending in '?' is a FAQ entry instead of a section (below max_depth
 *   it is an extra entry whose text also stays in the enclosing section). Q:/A: paragraphs and
 *   bold questions are entries.c's.
 * - The intro (text before the first section heading) is dropped when it has no text, unless
 *   the page would otherwise have no section at all.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>
#include <unicode/utf8.h>

#include "markdown_internal.h"

#include "alloc.h"
#include "buffer.h"
#include "ofsearch/markdown.h"
#include "ofsearch/ofsearch.h"
#include "utf8.h"
#include "util.h"

#define CRUMB_SEP " \xE2\x80\xBA " /* " › " */

const char *ofs_kind_name(ofs_kind kind)
{
    switch (kind) {
    case OFS_KIND_PAGE: return "page";
    case OFS_KIND_SECTION: return "section";
    case OFS_KIND_TERM: return "term";
    case OFS_KIND_FAQ: return "faq";
    }
    return NULL;
}

int ofs_kind_parse(const char *name)
{
    static const char *names[] = {"page", "section", "term", "faq"};
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* ---- text buffers ------------------------------------------------------------------------- */

/* Ends the current line/word so the next text cannot merge with it: c is ' ' or '\n'. */
static void buf_sep(ofsi_buf *b, char c)
{
    if (b->n == 0 || b->s[b->n - 1] == '\n' || b->s[b->n - 1] == c)
        return;
    if (c == '\n' && b->s[b->n - 1] == ' ') {
        b->s[b->n - 1] = '\n';
        return;
    }
    ofsi_buf_add(b, &c, 1);
}

/* ---- parser state -------------------------------------------------------------------------- */

void ofsi_md_set_str(char **slot, char *s)
{
    free(*slot);
    *slot = s;
}

/* Indexes of the sections receiving text right now (at most 3). */
static int sinks(const ofsi_md *m, size_t out[3])
{
    int n = 0;
    out[n++] = m->cur;
    if (m->qa_aux >= 0 && (size_t)m->qa_aux != m->cur)
        out[n++] = (size_t)m->qa_aux;
    if (m->deep_aux >= 0)
        out[n++] = (size_t)m->deep_aux;
    return n;
}

/* Appends a block of text (body or code) to every receiving section, on its own line. */
static void emit_block(ofsi_md *m, const char *s, size_t n, int code)
{
    size_t idx[3];
    int k = sinks(m, idx);
    for (int i = 0; i < k; i++) {
        ofsi_buf *b = code ? &m->secs[idx[i]].code : &m->secs[idx[i]].body;
        buf_sep(b, '\n');
        ofsi_buf_add(b, s, n);
    }
}

static void sep_all(ofsi_md *m)
{
    size_t idx[3];
    int k = sinks(m, idx);
    for (int i = 0; i < k; i++)
        buf_sep(&m->secs[idx[i]].body, '\n');
}

/* Joins stack[1..upto] (the present ones) with the breadcrumb separator. */
static char *join_stack(ofsi_md *m, int upto)
{
    ofsi_buf b = {0};
    for (int l = 1; l <= upto && l <= 6; l++) {
        if (!m->stack[l])
            continue;
        if (b.n)
            ofsi_buf_add(&b, CRUMB_SEP, strlen(CRUMB_SEP));
        ofsi_buf_add(&b, m->stack[l], strlen(m->stack[l]));
    }
    if (!b.s)
        return ofsi_xstrdup("");
    return b.s;
}

/* Appends a section; takes ownership of title, crumb and anchor. Returns its index. */
static long new_sec(ofsi_md *m, ofs_kind kind, int level, char *title, char *crumb, int crumb_page,
                    char *anchor)
{
    if (m->nsecs == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->secs = ofsi_xreallocarray(m->secs, m->cap, sizeof *m->secs);
    }
    ofsi_md_sec *s = &m->secs[m->nsecs];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->level = level;
    s->title = title;
    s->crumb = crumb;
    s->crumb_page = crumb_page;
    s->anchor = anchor;
    return (long)m->nsecs++;
}

long ofsi_md_new_entry(ofsi_md *m, ofs_kind kind, const char *title, size_t tlen,
                       const char *anchor)
{
    const ofsi_md_sec *cur = &m->secs[m->cur];
    int upto = cur->level ? cur->level : 0;
    char *crumb = join_stack(m, upto > m->max_depth ? m->max_depth : upto);
    const char *a = anchor ? anchor : cur->anchor;
    return new_sec(m, kind, cur->level, ofsi_xmemdup(title, tlen), crumb, m->stack[1] == NULL,
                   ofsi_xstrdup(a));
}

/* ---- inline text --------------------------------------------------------------------------- */

/* A table delimiter row (`|---|:--:|`) as cmark leaves it in a text node. */
static int is_delimiter_row(const char *s, size_t n)
{
    int dash = 0, pipe = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-')
            dash = 1;
        else if (s[i] == '|')
            pipe = 1;
        else if (s[i] != ':' && s[i] != ' ' && s[i] != '\t')
            return 0;
    }
    return dash && pipe;
}

/* Offset just past the '}' closing the '{' at s[i], or 0 when it is not closed in s. */
static size_t brace_end(const char *s, size_t n, size_t i)
{
    int depth = 0;
    for (; i < n; i++) {
        if (s[i] == '{')
            depth++;
        else if (s[i] == '}' && --depth == 0)
            return i + 1;
    }
    return 0;
}

static size_t markup_end(const char *s, size_t n, size_t i);

/* A JSX component tag (`<Tabs>`, `</Tabs>`, `<Admonition title={"x"}>`) that cmark left as text
 * because of its JSX attributes: offset past it, or 0. Lower-case tags are left alone: in prose
 * they are more often a comparison than markup cmark failed to see. */
static size_t jsx_tag_end(const char *s, size_t n, size_t i)
{
    size_t k = i + 1 + (i + 1 < n && s[i + 1] == '/');
    if (k >= n || s[k] < 'A' || s[k] > 'Z')
        return 0;
    return markup_end(s, n, i); /* n when unclosed: the rest is one tag */
}

/* Prose text: `{…}` expressions and JSX tags dropped, table pipes to spaces. Linear: after an
 * unclosed '{' or '<' the rest is copied as is. */
static void add_prose(ofsi_buf *b, const char *s, size_t n)
{
    if (is_delimiter_row(s, n))
        return;
    size_t run = 0;
    int tags = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '{' && s[i] != '|' && (s[i] != '<' || !tags))
            continue;
        if (s[i] == '<') {
            size_t e = jsx_tag_end(s, n, i);
            if (!e)
                continue;
            if (e == n && s[n - 1] != '>') { /* unclosed: text after all, and no more tags */
                tags = 0;
                continue;
            }
            ofsi_buf_add(b, s + run, i - run);
            ofsi_buf_add(b, " ", 1);
            run = e;
            i = e - 1;
            continue;
        }
        ofsi_buf_add(b, s + run, i - run);
        if (s[i] == '|') {
            ofsi_buf_add(b, " ", 1);
            run = i + 1;
            continue;
        }
        size_t e = brace_end(s, n, i);
        if (!e) {
            run = i;
            for (size_t k = i; k < n; k++)
                if (s[k] == '|') {
                    ofsi_buf_add(b, s + run, k - run);
                    ofsi_buf_add(b, " ", 1);
                    run = k + 1;
                }
            break;
        }
        run = e;
        i = e - 1;
    }
    ofsi_buf_add(b, s + run, n - run);
}

/* Inline tags that format a word rather than separate words. */
static int is_formatting_tag(const char *s, size_t n)
{
    static const char *tags[] = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del",
                                 "dfn", "em", "font", "i", "ins", "kbd", "mark", "q", "s",
                                 "samp", "small", "span", "strong", "sub", "sup", "time", "u",
                                 "var", NULL};
    size_t i = 1;
    if (i < n && s[i] == '/')
        i++;
    size_t start = i;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    size_t len = i - start;
    if (len == 0 || (i < n && s[i] != '>' && s[i] != '/' && !ofsi_is_blank(s[i])))
        return 0;
    for (int k = 0; tags[k]; k++)
        if (strlen(tags[k]) == len && ofsi_starts_with_ci(s + start, len, tags[k]))
            return 1;
    return 0;
}

void ofsi_md_inline_text(cmark_node *node, ofsi_buf *b, int prose, char **anchor)
{
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    int line_start = 1;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *n = cmark_iter_get_node(it);
        const char *lit = cmark_node_get_literal(n);
        size_t len = lit ? strlen(lit) : 0;
        cmark_node_type type = cmark_node_get_type(n);
        int at_line_start = line_start && n != node;
        line_start = type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK ||
                     (line_start && n == node);
        switch (type) {
        case CMARK_NODE_TEXT:
            if (prose && at_line_start && len >= 3 && memcmp(lit, ":::", 3) == 0) {
                /* A Docusaurus admonition fence (`:::tip Title`, `:::`): keep only the title. */
                size_t k = 3;
                while (k < len && (lit[k] == '-' || lit[k] == '_' ||
                                   ((lit[k] | 0x20) >= 'a' && (lit[k] | 0x20) <= 'z')))
                    k++;
                lit += k;
                len -= k;
            }
            if (prose)
                add_prose(b, lit, len);
            else
                ofsi_buf_add(b, lit, len);
            break;
        case CMARK_NODE_CODE:
            ofsi_buf_add(b, lit, len);
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            ofsi_buf_add(b, " ", 1);
            break;
        case CMARK_NODE_HTML_INLINE:
            if (anchor && !*anchor)
                *anchor = ofsi_html_anchor(lit, len);
            if (!is_formatting_tag(lit, len))
                ofsi_buf_add(b, " ", 1);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

/* ---- HTML blocks --------------------------------------------------------------------------- */

/* Decodes the entity at s (starting with '&') into out; returns bytes consumed, 0 if none. */
static size_t decode_entity(const char *s, size_t n, char out[8], size_t *outlen)
{
    static const struct { const char *name; const char *text; } ents[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"},
        {"&nbsp;", " "}, {"&#39;", "'"}, {NULL, NULL}};
    for (int k = 0; ents[k].name; k++) {
        size_t l = strlen(ents[k].name);
        if (n >= l && memcmp(s, ents[k].name, l) == 0) {
            *outlen = strlen(ents[k].text);
            memcpy(out, ents[k].text, *outlen);
            return l;
        }
    }
    if (n < 4 || s[1] != '#')
        return 0;
    size_t i = 2;
    int hex = (s[i] == 'x' || s[i] == 'X');
    i += (size_t)hex;
    UChar32 c = 0;
    size_t digits = 0;
    for (; i < n && digits < 7; i++, digits++) {
        int d;
        if (s[i] >= '0' && s[i] <= '9')
            d = s[i] - '0';
        else if (hex && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))
            d = (s[i] | 0x20) - 'a' + 10;
        else
            break;
        c = c * (hex ? 16 : 10) + d;
    }
    if (!digits || i >= n || s[i] != ';')
        return 0;
    if (c <= 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
    size_t o = 0;
    UBool err = 0;
    U8_APPEND((uint8_t *)out, o, 8, c, err);
    (void)err;
    *outlen = o;
    return i + 1;
}

/* End of the comment/tag/raw element starting with '<' at s[i] (offset past it), or 0 if s[i]
 * does not start one. Tags honour quotes and {…} so `>` inside attributes does not end them. */
static size_t markup_end(const char *s, size_t n, size_t i)
{
    if (i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
        const char *e = memmem(s + i + 4, n - i - 4, "-->", 3);
        return e ? (size_t)(e - s) + 3 : n;
    }
    if (i + 1 >= n)
        return 0;
    char c = s[i + 1];
    if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && c != '/' && c != '!' && c != '?')
        return 0;
    char q = 0;
    int depth = 0;
    for (size_t k = i + 1; k < n; k++) {
        if (q) {
            if (s[k] == q)
                q = 0;
        } else if (s[k] == '"' || s[k] == '\'')
            q = s[k];
        else if (s[k] == '{')
            depth++;
        else if (s[k] == '}' && depth > 0)
            depth--;
        else if (s[k] == '>' && depth == 0)
            return k + 1;
    }
    return n;
}

/* Offset past the end of a <script>/<style> element whose start tag ends at i, else i. */
static size_t skip_raw_element(const char *s, size_t n, size_t tag, size_t i)
{
    const char *close = NULL;
    if (ofsi_starts_with_ci(s + tag, n - tag, "<script"))
        close = "</script";
    else if (ofsi_starts_with_ci(s + tag, n - tag, "<style"))
        close = "</style";
    if (!close)
        return i;
    size_t cl = strlen(close);
    for (size_t k = i; k + cl <= n; k++)
        if (s[k] == '<' && ofsi_starts_with_ci(s + k, n - k, close)) {
            size_t e = markup_end(s, n, k);
            return e ? e : n;
        }
    return n;
}

/* The text of an HTML/JSX block: tags, comments, scripts and {…} expressions dropped, a space
 * for each tag, entities decoded. *anchor gets the first <a id|name>. */
static void html_text(ofsi_buf *b, const char *s, size_t n, char **anchor)
{
    size_t run = 0, i = 0;
    int braces = 1; /* off after an unclosed '{', which keeps this linear */
    while (i < n) {
        char c = s[i];
        if (c != '<' && (c != '{' || !braces) && c != '&') {
            i++;
            continue;
        }
        size_t e = 0;
        char ent[8];
        size_t entlen = 0;
        if (c == '<')
            e = markup_end(s, n, i);
        else if (c == '{')
            braces = (e = brace_end(s, n, i)) != 0;
        else
            e = decode_entity(s + i, n - i, ent, &entlen);
        if (!e) {
            i++;
            continue;
        }
        ofsi_buf_add(b, s + run, i - run);
        if (c == '&') {
            ofsi_buf_add(b, ent, entlen);
            i += e;
        } else if (c == '<') {
            if (!*anchor)
                *anchor = ofsi_html_anchor(s + i, e - i);
            ofsi_buf_add(b, " ", 1);
            i = skip_raw_element(s, n, i, e);
        } else
            i = e;
        run = i;
    }
    ofsi_buf_add(b, s + run, n - run);
}

/* ---- blocks -------------------------------------------------------------------------------- */

/* The anchor of a heading (anchors.c) and its text without the `{#id}` in *h, *hn (inside
 * scratch): the same for the index and the HTML renderer. */
static char *heading_anchor(ofsi_slugger *slugs, ofsi_buf *scratch, cmark_node *node,
                            const char **h, size_t *hn, int *custom)
{
    scratch->n = 0;
    ofsi_md_inline_text(node, scratch, 0, NULL);
    *h = scratch->s ? scratch->s : "";
    *hn = scratch->n;
    return ofsi_anchor_of_heading(slugs, h, hn, custom);
}

static void on_heading(ofsi_md *m, cmark_node *node)
{
    int level = cmark_node_get_heading_level(node);
    if (level < 1 || level > 6)
        level = 6;
    const char *h;
    size_t hn;
    int custom;
    char *anchor = heading_anchor(m->slugs, &m->scratch, node, &h, &hn, &custom);
    char *title = ofsi_xmemdup(h, hn);
    int question = hn > 0 && h[hn - 1] == '?';
    const char *q = h;
    size_t qn = hn;
    ofsi_md_strip_q(&q, &qn);
    ofsi_md_end_questions(m);
    ofsi_md_set_str(&m->pending_anchor, NULL);
    if (m->deep_aux >= 0 && level <= m->deep_level)
        m->deep_aux = -1;
    if (level == 1 && !m->first_h1)
        m->first_h1 = ofsi_xmemdup(title, hn);
    char *crumb = join_stack(m, level - 1);
    int crumb_page = level > 1 && !m->stack[1];
    if (level <= m->max_depth) {
        m->deep_aux = -1;
        long idx = new_sec(m, question ? OFS_KIND_FAQ : OFS_KIND_SECTION, level,
                           ofsi_xmemdup(question ? q : title, question ? qn : hn), crumb,
                           crumb_page, anchor);
        m->cur = (size_t)idx;
    } else {
        emit_block(m, title, hn, 0);
        if (question) {
            long idx = new_sec(m, OFS_KIND_FAQ, level, ofsi_xmemdup(q, qn), crumb, crumb_page,
                               anchor);
            m->deep_aux = idx;
            m->deep_level = level;
        } else {
            free(crumb);
            free(anchor);
        }
    }
    ofsi_md_set_str(&m->stack[level], title);
    for (int l = level + 1; l <= 6; l++)
        ofsi_md_set_str(&m->stack[l], NULL);
}

/* MDX ESM lines: `import X from '…'`, `import '…'`, `export const …`, … */
static int is_mdx_esm(const char *s, size_t n)
{
    if (ofsi_starts_with_ci(s, n, "import ") && s[0] == 'i') {
        s += 7;
        n -= 7;
        return n && (s[0] == '\'' || s[0] == '"' || s[0] == '{' || s[0] == '*' ||
                     memmem(s, n, " from ", 6) != NULL);
    }
    if (ofsi_starts_with_ci(s, n, "export ") && s[0] == 'e') {
        static const char *kw[] = {"const ", "let ", "var ", "default ", "function ", "class ",
                                   "{", "*", "async ", NULL};
        for (int k = 0; kw[k]; k++)
            if (ofsi_starts_with_ci(s + 7, n - 7, kw[k]))
                return 1;
    }
    return 0;
}

static void on_paragraph(ofsi_md *m, cmark_node *node)
{
    char *anchor = NULL;
    m->scratch.n = 0;
    ofsi_md_inline_text(node, &m->scratch, 1, &anchor);
    const char *p = m->scratch.s ? m->scratch.s : "";
    size_t pn = m->scratch.n;
    ofsi_trim(&p, &pn);
    if (is_mdx_esm(p, pn) || pn == 0) {
        if (pn == 0 && anchor) { /* an anchor-only paragraph names the next one */
            ofsi_md_set_str(&m->pending_anchor, anchor);
            anchor = NULL;
        }
        free(anchor);
        return;
    }
    ofsi_md_paragraph_entries(m, node, p, pn, anchor ? anchor : m->pending_anchor);
    emit_block(m, p, pn, 0);
    if (m->qa_aux >= 0 && m->qa_left > 0 && --m->qa_left == 0)
        m->qa_aux = -1;
    ofsi_md_set_str(&m->pending_anchor, NULL);
    free(anchor);
}

static void on_html_block(ofsi_md *m, cmark_node *node)
{
    const char *lit = cmark_node_get_literal(node);
    size_t n = lit ? strlen(lit) : 0;
    char *anchor = NULL;
    m->scratch.n = 0;
    html_text(&m->scratch, lit ? lit : "", n, &anchor);
    const char *t = m->scratch.s ? m->scratch.s : "";
    size_t tn = m->scratch.n;
    ofsi_trim(&t, &tn);
    if (tn == 0) {
        if (anchor)
            ofsi_md_set_str(&m->pending_anchor, anchor);
        return;
    }
    free(anchor);
    ofsi_md_set_str(&m->pending_anchor, NULL);
    emit_block(m, t, tn, 0);
}

static void on_code_block(ofsi_md *m, cmark_node *node)
{
    const char *lit = cmark_node_get_literal(node);
    size_t n = lit ? strlen(lit) : 0;
    ofsi_md_set_str(&m->pending_anchor, NULL);
    while (n && (lit[n - 1] == '\n' || lit[n - 1] == '\r'))
        n--;
    if (n)
        emit_block(m, lit, n, 1);
}

static void walk(ofsi_md *m, cmark_node *doc)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (ev != CMARK_EVENT_ENTER)
                break;
            if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH)
                on_paragraph(m, n);
            else
                on_heading(m, n);
            /* Inline children were read by inline_text: go straight to the exit. */
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            break;
        case CMARK_NODE_CODE_BLOCK:
            on_code_block(m, n);
            break;
        case CMARK_NODE_HTML_BLOCK:
            on_html_block(m, n);
            break;
        case CMARK_NODE_ITEM:
        case CMARK_NODE_BLOCK_QUOTE:
        case CMARK_NODE_THEMATIC_BREAK:
            sep_all(m);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

/* ---- output -------------------------------------------------------------------------------- */

/* The buffer's bytes as a valid UTF-8 string: the buffer itself when it already is one (it is
 * then taken from b, saving a copy per section), else a cleaned copy. */
static char *take_clean(ofsi_buf *b, size_t n)
{
    if (b->s && ofsi_utf8_valid(b->s, n)) {
        char *s = b->s;
        s[n] = '\0';
        b->s = NULL;
        b->n = b->cap = 0;
        return s;
    }
    return ofsi_utf8_clean(b->s ? b->s : "", n, NULL);
}

/* Collapses blank runs to one space, trims lines, drops empty lines; in place, then cleaned. */
static char *finish_text(ofsi_buf *b)
{
    if (!b->s)
        return ofsi_utf8_clean("", 0, NULL);
    char *s = b->s;
    size_t n = b->n, o = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            pending_space = 0;
            if (o && s[o - 1] != '\n')
                s[o++] = '\n';
        } else if (ofsi_is_blank(c)) {
            pending_space = 1;
        } else {
            if (pending_space && o && s[o - 1] != '\n')
                s[o++] = ' ';
            pending_space = 0;
            s[o++] = c;
        }
    }
    while (o && s[o - 1] == '\n')
        o--;
    return take_clean(b, o);
}

static char *finish_code(ofsi_buf *b)
{
    size_t n = b->n;
    while (n && ofsi_is_blank(b->s[n - 1]))
        n--;
    return take_clean(b, n);
}

static char *basename_title(const char *filename)
{
    const char *base = filename ? filename : "";
    const char *slash = strrchr(base, '/');
    if (slash)
        base = slash + 1;
    const char *dot = strrchr(base, '.');
    size_t n = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    return ofsi_utf8_clean(base, n, NULL);
}

static char *clean_str(const char *s)
{
    const char *t = s ? s : "";
    size_t n = strlen(t);
    ofsi_trim(&t, &n);
    return ofsi_utf8_clean(t, n, NULL);
}

void ofs_page_free(ofs_page *page)
{
    if (!page)
        return;
    free(page->title);
    free(page->description);
    free(page->tags);
    free(page->slug);
    for (size_t i = 0; i < page->nmeta; i++) {
        free(page->meta[i].key);
        free(page->meta[i].value);
    }
    free(page->meta);
    for (size_t i = 0; i < page->nsections; i++) {
        ofs_section *s = &page->sections[i];
        free(s->title);
        free(s->breadcrumb);
        free(s->anchor);
        free(s->body);
        free(s->code);
    }
    free(page->sections);
    free(page);
}

static char *crumb_with_page(const ofsi_md_sec *s, const char *page_title)
{
    if (!s->crumb_page)
        return ofsi_utf8_clean(s->crumb, strlen(s->crumb), NULL);
    size_t a = strlen(page_title), b = strlen(s->crumb), sl = strlen(CRUMB_SEP);
    char *out = ofsi_xmalloc(a + sl + b + 1);
    memcpy(out, page_title, a);
    size_t o = a;
    if (b) {
        memcpy(out + o, CRUMB_SEP, sl);
        o += sl;
        memcpy(out + o, s->crumb, b);
        o += b;
    }
    char *clean = ofsi_utf8_clean(out, o, NULL);
    free(out);
    return clean;
}

/* Moves the built sections into page. */
static void build_sections(ofsi_md *m, ofs_page *page)
{
    page->sections = ofsi_xcalloc(m->nsecs, sizeof *page->sections);
    for (size_t i = 0; i < m->nsecs; i++) {
        ofsi_md_sec *s = &m->secs[i];
        int empty_intro = i == 0 && !s->body.n && !s->code.n && m->nsecs > 1;
        if (empty_intro)
            continue;
        ofs_section *o = &page->sections[page->nsections++];
        o->kind = s->kind;
        o->level = s->level;
        o->title = clean_str(i == 0 ? page->title : s->title);
        o->breadcrumb = crumb_with_page(s, page->title);
        o->anchor = ofsi_utf8_clean(s->anchor, strlen(s->anchor), NULL);
        o->body = finish_text(&s->body);
        o->code = finish_code(&s->code);
    }
}

static void md_free(ofsi_md *m)
{
    for (size_t i = 0; i < m->nsecs; i++) {
        free(m->secs[i].title);
        free(m->secs[i].crumb);
        free(m->secs[i].anchor);
        free(m->secs[i].body.s);
        free(m->secs[i].code.s);
    }
    free(m->secs);
    for (int l = 0; l < 7; l++)
        free(m->stack[l]);
    ofsi_slugger_free(m->slugs);
    free(m->first_h1);
    free(m->pending_anchor);
    free(m->pending_q);
    free(m->pending_q_anchor);
    free(m->scratch.s);
    free(m->scratch2.s);
}

/* Fills the page fields from front matter and the walk. */
static void build_page(ofsi_md *m, ofsi_frontmatter *fm, const char *filename, ofs_page *page)
{
    if (fm->title && fm->title[0])
        page->title = clean_str(fm->title);
    else if (m->first_h1)
        page->title = clean_str(m->first_h1);
    else
        page->title = basename_title(filename);
    page->description = clean_str(fm->description);
    page->tags = clean_str(fm->tags);
    page->slug = clean_str(fm->slug);
    page->meta = fm->meta;
    page->nmeta = fm->nmeta;
    fm->meta = NULL;
    fm->nmeta = 0;
    build_sections(m, page);
}

char *ofsi_heading_anchor(ofsi_slugger *sl, cmark_node *heading, int *custom)
{
    ofsi_buf scratch = {0};
    const char *h;
    size_t hn;
    char *anchor = heading_anchor(sl, &scratch, heading, &h, &hn, custom);
    free(scratch.s);
    return anchor;
}

int ofs_markdown_parse(const char *src, size_t len, const char *filename,
                       const ofs_markdown_options *opts, ofs_page **out, char **errmsg)
{
    *out = NULL;
    if (!src)
        len = 0;
    ofsi_frontmatter fm;
    size_t body = 0;
    (void)errmsg; /* malformed input is warned about, never an error */
    ofsi_frontmatter_parse(src ? src : "", len, filename, opts, &fm, &body);
    ofsi_md m;
    memset(&m, 0, sizeof m);
    m.opts = opts;
    m.max_depth = opts && opts->max_depth > 0 ? opts->max_depth : 3;
    if (m.max_depth > 6)
        m.max_depth = 6;
    m.qa_aux = m.deep_aux = -1;
    m.slugs = ofsi_slugger_new();
    new_sec(&m, OFS_KIND_PAGE, 0, NULL, ofsi_xstrdup(""), 0, ofsi_xstrdup(""));
    cmark_node *doc = cmark_parse_document(src ? src + body : "", len - body, CMARK_OPT_DEFAULT);
    cmark_consolidate_text_nodes(doc);
    walk(&m, doc);
    cmark_node_free(doc);
    ofs_page *page = ofsi_xcalloc(1, sizeof *page);
    build_page(&m, &fm, filename, page);
    md_free(&m);
    ofsi_frontmatter_clear(&fm);
    *out = page;
    return OFS_OK;
}

int ofs_is_markdown_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && !strchr(dot, '/') &&
           (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown") || !strcasecmp(dot, ".mdx"));
}
