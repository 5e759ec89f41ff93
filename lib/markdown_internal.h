/* The Markdown module's internals, one section per file as SQLite's fts5Int.h has them. Private
 * to lib/.
 *   markdown.c     a page to sections: the cmark walk, plain text, breadcrumbs, the output
 *   frontmatter.c  YAML front matter
 *   anchors.c      slugs and anchors of headings and `<a id>` tags
 *   entries.c      glossary (TERM) and FAQ entries found in paragraphs
 *   render.c       the page as HTML for reading, with the anchors the index points at */
#ifndef OFSI_MARKDOWN_INTERNAL_H
#define OFSI_MARKDOWN_INTERNAL_H

#include "buffer.h"

#include "ofsearch/markdown.h"

#include <cmark.h>
#include <stddef.h>

/* ---- frontmatter.c --------------------------------------------------------------------- */

typedef struct {
    char *title;       /* NULL when absent or not a scalar */
    char *description; /* NULL when absent */
    char *tags;        /* a list joined by ", ", or the scalar as written; NULL when absent */
    char *slug;        /* NULL when absent */
    ofs_meta *meta;    /* the other keys whose key and value are both scalars, in file order */
    size_t nmeta;
} ofsi_frontmatter;

/* Looks for front matter at the start of src (after an optional UTF-8 BOM). Sets *body_off to
 * the offset where the Markdown starts (just past the closing `---`/`...` line, or past the BOM
 * when there is no front matter). Broken front matter — YAML syntax error, not a mapping, no
 * closing line — is reported through opts->warn with the file line, and leaves fm empty; when
 * the closing line is missing the whole input is treated as Markdown. All strings in fm are
 * valid UTF-8 and owned by fm. */
void ofsi_frontmatter_parse(const char *src, size_t len, const char *filename,
                            const ofs_markdown_options *opts, ofsi_frontmatter *fm,
                            size_t *body_off);
void ofsi_frontmatter_clear(ofsi_frontmatter *fm);

/* ---- anchors.c ------------------------------------------------------------------------- */

/* One page's slug counter: a repeated heading text becomes slug, slug-1, slug-2, … */
typedef struct ofsi_slugger ofsi_slugger;

ofsi_slugger *ofsi_slugger_new(void);
void ofsi_slugger_free(ofsi_slugger *sl);

/* The anchor of a heading whose text is [*text, *text + *len): its trailing Docusaurus `{#id}`
 * (*custom = 1; *len then leaves it out and the counter is left alone), else the next unique
 * slug of the trimmed text (*custom = 0). *text and *len come back trimmed. Call for every
 * heading of the page in document order. Malloc'd. */
char *ofsi_anchor_of_heading(ofsi_slugger *sl, const char **text, size_t *len, int *custom);

/* The id (else name) attribute of an `<a …>` start tag of n bytes; malloc'd, NULL when the tag
 * is not an anchor start tag or has neither attribute. */
char *ofsi_html_anchor(const char *tag, size_t n);

/* ---- markdown.c ------------------------------------------------------------------------ */

/* The anchor of a heading node (text nodes consolidated, as ofs_markdown_parse has them), as the
 * indexer gives it (ofsi_anchor_of_heading of its plain text): for the HTML renderer, so rendered
 * ids are exactly the ones search results point at. Malloc'd. */
char *ofsi_heading_anchor(ofsi_slugger *sl, cmark_node *heading, int *custom);

/* A section being built. */
typedef struct {
    ofs_kind kind;
    int level;
    char *title;       /* NULL for the intro until the page title is known */
    char *crumb;       /* enclosing headings, without the page-title stand-in */
    int crumb_page;    /* open the breadcrumb with the page title */
    char *anchor;
    ofsi_buf body, code;
} ofsi_md_sec;

/* The parser's state while it walks a page. */
typedef struct {
    const ofs_markdown_options *opts;
    int max_depth;
    ofsi_md_sec *secs;
    size_t nsecs, cap;
    size_t cur;          /* the section receiving text */
    long qa_aux;         /* a Q/A or bold-question FAQ entry also receiving text, or -1 */
    int qa_left;         /* paragraphs qa_aux still takes (-1: up to the next question) */
    long deep_aux;       /* a question heading deeper than max_depth receiving text, or -1 */
    int deep_level;
    char *stack[7];      /* current heading titles by level, deeper ones included */
    ofsi_slugger *slugs;
    char *first_h1;
    char *pending_anchor; /* from an anchor-only block right before the next paragraph */
    char *pending_q;      /* a Q: question waiting for its A: paragraph */
    char *pending_q_anchor;
    ofsi_buf scratch, scratch2;
} ofsi_md;

/* Appends the plain text of node's inline content to b. prose: drop JSX expressions and tags,
 * turn table pipes into spaces. *anchor (if anchor is not NULL) receives the first <a id|name>
 * met. */
void ofsi_md_inline_text(cmark_node *node, ofsi_buf *b, int prose, char **anchor);
/* An entry (term, Q/A) inside the current section, with the full path of that section as its
 * breadcrumb; anchor NULL: the section's. Returns the new section's index. */
long ofsi_md_new_entry(ofsi_md *m, ofs_kind kind, const char *title, size_t tlen,
                       const char *anchor);
/* Replaces the string in *slot (freed) with s (taken). */
void ofsi_md_set_str(char **slot, char *s);

/* ---- entries.c ------------------------------------------------------------------------- */

/* The glossary and FAQ entries a paragraph (its node, and its trimmed plain text p) starts or
 * continues, each a section of its own beside the paragraph's; explicit_anchor: an <a id> in or
 * right before it (may be NULL). Called before the paragraph's text goes to the sections. */
void ofsi_md_paragraph_entries(ofsi_md *m, cmark_node *para, const char *p, size_t pn,
                               const char *explicit_anchor);
/* A heading ends any Q:/A: pairing. */
void ofsi_md_end_questions(ofsi_md *m);
/* Drops a leading "Q:" (or "Q.") from a question. */
void ofsi_md_strip_q(const char **s, size_t *n);

#endif
