/* ofsearchd's /doc/ pages (docs.c): a collection's Markdown file shown as HTML at
 * /doc/<collection>/<path>, and the urls that lead hits there. Given an index handle; it asks
 * nothing of the server or the workers. */
#ifndef OFSD_DOCS_H
#define OFSD_DOCS_H

#include "searchd.h"

#include <ofsearch/index.h>

/* Splits the raw request target "/doc/<collection>/<path…>[?query]" into the decoded
 * collection and path (malloc'd). -1 when it is malformed: a bad escape, an empty, "." or ".."
 * segment, a control byte, an encoded separator, or not UTF-8. */
int ofsd_doc_target(const char *raw, char **collection, char **path);
/* Queues the page of collection/path read from idx, or the error saying why not (400, 404,
 * 500). */
enum MHD_Result ofsd_doc_respond(const ofsd_state *st, struct MHD_Connection *c,
                                 ofsd_request *rq, ofs_index *idx, const char *collection,
                                 const char *path);

/* How hits of collections without a base URL are linked to /doc/ pages. */
typedef struct ofsd_doc_links ofsd_doc_links;
/* The links idx's collections need; NULL when every collection has a base URL or the index
 * cannot be read: urls are then left as they are. */
ofsd_doc_links *ofsd_doc_links_new(ofs_index *idx);
void ofsd_doc_links_free(ofsd_doc_links *dl);
/* The /doc/ url for a search hit or a suggestion, or NULL to keep url (malloc'd). */
char *ofsd_doc_link_hit(ofsd_doc_links *dl, const char *collection, const char *path,
                        const char *url);

#endif
