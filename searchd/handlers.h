/* ofsearchd's endpoints (handlers.c): a routed request answered by its handler. Below the
 * server; it calls down to the worker's view of the index, the served index, docs.c, metrics.c
 * and respond.c, and never back up. */
#ifndef OFSD_HANDLERS_H
#define OFSD_HANDLERS_H

#include "searchd.h"
#include "worker.h"

/* Answers a complete request (headers read, body drained; rq->route set) on the calling thread,
 * whose view of the index is wk: queues exactly one response (ofsd_queue), or returns MHD_NO
 * when out of memory. rq->searcher, when set, is used instead of wk's searcher. */
enum MHD_Result ofsd_handle_request(const ofsd_state *st, ofsd_worker *wk,
                                    struct MHD_Connection *c, ofsd_request *rq,
                                    const char *method);

#endif
