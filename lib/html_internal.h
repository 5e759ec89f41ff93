/* Private to the HTML module: html_tree.c turns untrusted bytes into a Gumbo tree within fixed
 * bounds, html_select.c matches the simple selectors of the options, html.c walks the tree into
 * sections. */
#ifndef OFS_HTML_INTERNAL_H
#define OFS_HTML_INTERNAL_H

#include <stddef.h>

#include <gumbo.h>

#include "ofsearch/html.h"

/* HTML's white space (ASCII whitespace in the HTML standard: no vertical tab, unlike
 * ofsi_is_blank). */
static inline int ofsi_html_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---- html_tree.c ---------------------------------------------------------------------------- */

typedef struct ofsi_html_tree ofsi_html_tree;

/* Parses len bytes of an HTML page (see ofs_html_parse for the checks and budgets). Refuses
 * input over the size limit (OFS_TOOLONG), binary data (OFS_INVALID), a parse over the memory
 * budget (OFS_TOOLONG) or CPU budget (OFS_TIMEOUT). A page declaring a charset
 * other than UTF-8 is converted through ICU first; an unknown one is read as UTF-8 with a
 * warning. On success free *out with ofsi_html_tree_free. */
int ofsi_html_tree_parse(const char *src, size_t len, const char *filename,
                        const ofs_html_options *opts, ofsi_html_tree **out, char **errmsg);
/* The GUMBO_NODE_DOCUMENT node; owned by the tree. */
const GumboNode *ofsi_html_tree_document(const ofsi_html_tree *t);
/* The page as UTF-8, as it was parsed (for line numbers in warnings and for tests). */
const char *ofsi_html_tree_utf8(const ofsi_html_tree *t, size_t *len);
void ofsi_html_tree_free(ofsi_html_tree *t);

/* The encoding a page declares (BOM, else `<meta charset>` / `<meta http-equiv>` in its first
 * 1024 bytes, per the WHATWG prescan), as a WHATWG-normalised name ("UTF-8", "windows-1252", an
 * ICU converter name), written to name (cap bytes). Returns 1 when something was declared, 0
 * when nothing was (UTF-8 is assumed); *bom gets the BOM's length. */
int ofsi_html_sniff_charset(const char *src, size_t len, char *name, size_t cap, size_t *bom);

/* ---- html_select.c -------------------------------------------------------------------------- */

/* A list of compound simple selectors: tag, #id, .class, [attr], [attr=value] and combinations
 * of them without spaces (`a.headerlink`, `div[role=main]`), separated by commas. No
 * combinators, pseudo-classes or attribute operators other than '='. */
typedef struct ofsi_selector ofsi_selector;

/* Parses text; OFS_INVALID with a message naming the offending part. An empty or NULL text
 * gives a selector matching nothing. */
int ofsi_selector_parse(const char *text, ofsi_selector **out, char **errmsg);
/* 1 when the element node matches one of the selectors (tags compare case-insensitively, ids,
 * classes and attribute values exactly, as in an HTML document in no-quirks mode). */
int ofsi_selector_match(const ofsi_selector *sel, const GumboNode *node);
void ofsi_selector_free(ofsi_selector *sel);

/* The value of an element's attribute (name in lower case), or NULL; NULL for non-elements.
 * Gumbo's own lookup compares every name with strcasecmp; this one first compares the first
 * byte, which makes it several times faster on the many lookups per element the walks do. */
const char *ofsi_html_attr(const GumboNode *node, const char *name);

/* Whether a space-separated token list (class, rel) holds tok; nocase: ASCII case-insensitively
 * (rel values), else exactly (class names). */
int ofsi_html_has_token(const char *list, const char *tok, int nocase);

/* The element's tag name in lower case (custom and unknown elements included), copied into
 * out (cap bytes, truncated); the length copied. */
size_t ofsi_html_tag_name(const GumboNode *node, char *out, size_t cap);

#endif
