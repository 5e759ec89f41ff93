/* Markdown (CommonMark + YAML front matter + MDX tolerance) to search sections. */
#ifndef OFSEARCH_MARKDOWN_H
#define OFSEARCH_MARKDOWN_H

#include <stddef.h>

#include "ofsearch/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OFS_KIND_PAGE = 0,    /* text before the first heading: the page's intro */
    OFS_KIND_SECTION = 1, /* one heading and its text */
    OFS_KIND_TERM = 2,    /* glossary entry: a paragraph opening with a bold term */
    OFS_KIND_FAQ = 3      /* a question heading (ending in '?') or a Q:/A: pair */
} ofs_kind;

/* "page", "section", "term", "faq"; NULL for an unknown value. */
const char *ofs_kind_name(ofs_kind kind);
/* Parses a kind name; returns -1 when unknown. */
int ofs_kind_parse(const char *name);

typedef struct {
    ofs_kind kind;
    int level;        /* heading level 1..6; 0 for the intro */
    char *title;      /* heading text, term, or question; page title for the intro */
    char *breadcrumb; /* parent headings joined by " › " (may be "") */
    char *anchor;     /* GitHub/Docusaurus slug of the place it came from ("" for the intro) */
    char *body;       /* plain prose text */
    char *code;       /* fenced/indented code, kept apart because it ranks lower */
} ofs_section;

typedef struct {
    char *key;
    char *value;
} ofs_meta;

typedef struct {
    char *title;       /* front matter title, else first H1, else file name without extension */
    char *description; /* front matter description or "" */
    char *tags;        /* front matter tags joined by ", " or "" */
    char *slug;        /* front matter slug or "" */
    ofs_meta *meta;    /* other scalar front matter keys */
    size_t nmeta;
    ofs_section *sections;
    size_t nsections;
} ofs_page;

typedef void (*ofs_warn_fn)(void *ctx, const char *file, int line, const char *msg);

typedef struct {
    int max_depth;        /* deepest heading level that starts a section (default 3) */
    ofs_warn_fn warn;     /* may be NULL */
    void *warn_ctx;
} ofs_markdown_options;

/* Parses len bytes of Markdown. filename is used for the fallback title and in warnings.
 * Never fails: malformed input gets warnings instead. Caller frees *out with ofs_page_free. */
int ofs_markdown_parse(const char *src, size_t len, const char *filename,
                       const ofs_markdown_options *opts, ofs_page **out, char **errmsg);
void ofs_page_free(ofs_page *page);

/* 1 when the file name or path ends in .md, .markdown or .mdx (any case): the files indexed
 * and served as Markdown. */
int ofs_is_markdown_path(const char *path);

/* The GitHub-style slug of a heading text (lower case, punctuation dropped, spaces to hyphens).
 * Malloc'd; duplicates are numbered by the caller's slugger (see markdown.c). */
char *ofs_slugify(const char *text);

/* s with & < > " ' escaped, for HTML text and double-quoted attributes; malloc'd. */
char *ofs_html_escape(const char *s);

/* Renders len bytes of Markdown (front matter dropped) as an HTML fragment for reading, parsed
 * as ofs_markdown_parse parses it. Safe for untrusted pages: raw HTML is omitted and
 * javascript:/vbscript:/file:/data: links are emptied (cmark without CMARK_OPT_UNSAFE); each
 * heading gets id = the anchor the index holds for it, and `<a id|name="x">` tags whose id is
 * [A-Za-z0-9_-] (up to 128 bytes) are kept as `<a id="x"></a>`. Invalid UTF-8 and NUL bytes
 * become U+FFFD. *html is malloc'd (free()). Never fails. */
int ofs_markdown_render_html(const char *src, size_t len, char **html, char **errmsg);

#ifdef __cplusplus
}
#endif

#endif
