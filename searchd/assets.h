/* The files embedded in ofsearchd at build time by embed.py: the search page (page_html.c) and
 * the /doc/ page shell (doc_html.c), each with its Content-Security-Policy. */
#ifndef OFSD_ASSETS_H
#define OFSD_ASSETS_H

#include <stddef.h>

/* The search page (page.html). */
extern const char ofsd_page_html[];
extern const size_t ofsd_page_html_len;
extern const char ofsd_page_csp[];
/* The /doc/ page shell (doc.html): {{title}}, {{search}}, {{content}}. */
extern const char ofsd_doc_html[];
extern const size_t ofsd_doc_html_len;
extern const char ofsd_doc_csp[];

#endif
