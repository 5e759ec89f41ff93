/* HTML pages — the built output of any site generator (Sphinx, MkDocs, Hugo, Docusaurus,
 * DocBook, …) — to the search sections ofs_markdown_parse gives, plus what only built pages
 * carry: language, canonical URL and facet filters. lib/html.c says how elements map to
 * sections. */
#ifndef OFSEARCH_HTML_H
#define OFSEARCH_HTML_H

#include <stddef.h>

#include "ofsearch/common.h"
#include "ofsearch/markdown.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default size limit of one page: larger pages fail with OFS_TOOLONG before any parsing. */
#define OFS_HTML_MAX_BYTES ((size_t)32 * 1024 * 1024)

/* The elements left out of the text by default (before data-ofsearch-ignore and
 * ignore_selector): page chrome by HTML semantics, non-text elements, and the chrome generators
 * put inside the content (permalink markers, "edit this page" buttons, DocBook's navigation
 * header and footer, generated tables of contents). A `<header>` is chrome too when it is the
 * page's banner: the content root is <body> and no article, aside, main, nav or section
 * encloses it. */
#define OFS_HTML_DEFAULT_IGNORE                                                                \
    "nav, aside, footer, script, style, noscript, template, form, button, select, svg, iframe, " \
    "object, embed, canvas, [hidden], [role=navigation], [role=search], [role=banner], "        \
    "[role=contentinfo], a.headerlink, a.hash-link, .md-content__button, "                      \
    ".theme-edit-this-page, .navheader, .navfooter, .toc, .toctree-wrapper"

typedef struct {
    int max_depth;               /* deepest heading level that starts a section (default 3) */
    /* The elements to index, as a selector list (see ofs_html_check_selector): every outermost
     * match in page order. NULL or "": the elements marked data-ofsearch-body, else the first
     * <main> or [role=main], else every outermost <article>, else <body>. When the selector
     * matches nothing the page is indexed as if it were NULL, with a warning. */
    const char *root_selector;
    const char *ignore_selector; /* more elements to leave out, added to the defaults */
    int no_default_ignore;       /* 1: leave out only data-ofsearch-ignore and ignore_selector */
    size_t max_bytes;            /* 0: OFS_HTML_MAX_BYTES */
    size_t max_memory;           /* parser memory budget; 0: 64 bytes per input byte + 64 MiB */
    double max_seconds;          /* parser CPU-time budget; 0: 2 s + 1 s per MiB of input */
    ofs_warn_fn warn;            /* may be NULL */
    void *warn_ctx;
} ofs_html_options;

typedef struct {
    /* title, description (<meta name=description>), sections as Markdown pages have them; meta
     * holds the data-ofsearch-meta pairs (a repeated key keeps its first value); tags and slug
     * are "". */
    ofs_page *page;
    char *lang;        /* <html lang>, or "" */
    char *canonical;   /* <link rel=canonical> href as written (not resolved), or "" */
    ofs_meta *filters; /* data-ofsearch-filter pairs in page order; a key may repeat */
    size_t nfilters;
} ofs_html_page;

/* Parses len bytes of an HTML page. filename is used for the fallback title and in warnings.
 * Malformed HTML is parsed as browsers parse it (the HTML5 tree-building algorithm); a charset
 * other than UTF-8 (BOM, <meta charset>) is converted through ICU, invalid UTF-8 and NUL bytes
 * become U+FFFD or are dropped as browsers do. Fails with OFS_TOOLONG for a page over max_bytes
 * or one whose tree needs more than max_memory, OFS_TIMEOUT past max_seconds of parsing,
 * OFS_INVALID for binary data or a bad selector in opts. Every string handed out is
 * valid UTF-8. Free *out with ofs_html_page_free. */
int ofs_html_parse(const char *src, size_t len, const char *filename,
                   const ofs_html_options *opts, ofs_html_page **out, char **errmsg);
void ofs_html_page_free(ofs_html_page *page);

/* OFS_OK when selector is a valid selector list for root_selector/ignore_selector (compound
 * simple selectors: tag, #id, .class, [attr], [attr=value], comma-separated; no combinators),
 * else OFS_INVALID with a message. For checking a collection's configuration once. */
int ofs_html_check_selector(const char *selector, char **errmsg);

/* 1 when the file name or path ends in .html or .htm (any case). */
int ofs_is_html_path(const char *path);

#ifdef __cplusplus
}
#endif

#endif
