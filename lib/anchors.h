/* Private to the library: the anchors the indexer gives headings and `<a id>` tags, exposed by
 * markdown.c so the HTML renderer (render.c) gives rendered headings exactly the ids that
 * search results point at. */
#ifndef OFS_ANCHORS_H
#define OFS_ANCHORS_H

#include <stddef.h>

#include <cmark.h>

/* One page's slug counter: a repeated heading text becomes slug, slug-1, slug-2, … */
typedef struct ofsi_slugger ofsi_slugger;

ofsi_slugger *ofsi_slugger_new(void);
void ofsi_slugger_free(ofsi_slugger *sl);

/* The anchor of a heading node (text nodes consolidated, as ofs_markdown_parse has them): its
 * trailing `{#id}` (then *custom = 1, and the slug counter is left alone), else the next unique
 * slug of its text. Call for every heading of the page in document order. Malloc'd. */
char *ofsi_heading_anchor(ofsi_slugger *sl, cmark_node *heading, int *custom);

/* The id (else name) attribute of an `<a …>` start tag of n bytes; malloc'd, NULL when the tag
 * is not an anchor start tag or has neither attribute. */
char *ofsi_html_anchor(const char *tag, size_t n);

#endif
