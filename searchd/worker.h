/* A thread's own view of the served index (worker.c): the searcher, the index handle and the
 * hits' /doc/ links it keeps for the generation it serves, reopened when the generation moves.
 * One per thread that answers from the index (each search worker, and libmicrohttpd's thread
 * for the suggestions it answers itself); only that thread uses it, so no lock. */
#ifndef OFSD_WORKER_H
#define OFSD_WORKER_H

#include "docs.h"
#include "served.h"

#include <ofsearch/index.h>
#include <ofsearch/search.h>

typedef struct ofsd_worker ofsd_worker;

/* Nothing opened yet: each handle opens on first use. served outlives it. NULL when out of
 * memory. */
ofsd_worker *ofsd_worker_new(ofsd_served *served);
/* On the thread that used it, or after that thread ended. */
void ofsd_worker_free(ofsd_worker *w);

/* The searcher for the current generation, reopened if the index was reloaded or changed in
 * place; NULL when no index can be opened (logged once per generation). When the newest index
 * fails to open, the older searcher is kept. */
ofs_searcher *ofsd_worker_searcher(ofsd_worker *w);
/* The index handle for the current generation (collections and document sources), opened on
 * first use; NULL with *why set (valid until the next call) when it cannot be opened. */
ofs_index *ofsd_worker_index(ofsd_worker *w, const char **why);
/* How hits link to /doc/ pages in the current generation, worked out once per generation (the
 * worker owns it), or NULL: urls are left as they are. */
ofsd_doc_links *ofsd_worker_doc_links(ofsd_worker *w);

#endif
