/* Fuzz target for the Meilisearch requests ofsearchd reads (searchd/meili_request.c): any bytes
 * as a POST body (JSON → the request record, as one search and as a /multi-search query, with
 * filters through the library's parser), and the same bytes as a query string split on & and =.
 * Every input must give a record or an error with a status and code; the record's invariants
 * are checked and any violation aborts.
 * fuzz-extra: searchd/meili_request.c searchd/jsonout.c */
#include "meili_request.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_query(const meili_query *mq)
{
    if (!mq->pre_tag || !mq->post_tag || !mq->crop_marker || mq->offset < 0 || mq->limit < 0 ||
        mq->nfacets > MEILI_MAX_FACETS || (mq->q && strlen(mq->q) != mq->qlen) ||
        mq->crop_length < 0 || mq->crop_length > 1000 || (mq->retrieve & ~MEILI_ALL_ATTRS))
        abort();
    for (size_t i = 0; i < mq->nfacets; i++)
        if (mq->facets[i] < 0 || !ofs_facet_field_name((size_t)mq->facets[i]))
            abort();
    char *t = ofs_filter_text(mq->filter);
    if (!t)
        abort();
    free(t);
}

static void check_error(const meili_error *e)
{
    if (e->status < 400 || e->status > 599 || !e->code || !*e->code || !e->message[0])
        abort();
    char *j = meili_error_json(e);
    if (!j)
        abort();
    free(j);
}

static void as_body(const uint8_t *data, size_t size)
{
    json_t *body = NULL;
    meili_error e = {0};
    if (meili_parse_body((const char *)data, size, &body, &e) != 0) {
        check_error(&e);
        return;
    }
    for (int multi = 0; multi < 2; multi++) {
        meili_query mq;
        memset(&e, 0, sizeof e);
        if (meili_query_from_json(&mq, body, multi, multi ? "Inside `.queries[0]`: " : NULL,
                                  1024, &e) == 0) {
            check_query(&mq);
            if (multi && !mq.index_uid)
                abort();
            meili_query_clear(&mq);
        } else {
            check_error(&e);
        }
    }
    json_decref(body);
}

static void as_args(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = '\0';
    const char *keys[64], *values[64];
    size_t n = 0;
    for (char *p = s, *amp; p && *p && n < 64; p = amp) {
        amp = strchr(p, '&');
        if (amp)
            *amp++ = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq++ = '\0';
        keys[n] = p;
        values[n++] = eq ? eq : "";
    }
    meili_query mq;
    meili_error e = {0};
    if (meili_query_from_args(&mq, keys, values, n, 1024, &e) == 0) {
        check_query(&mq);
        meili_query_clear(&mq);
    } else {
        check_error(&e);
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_body(data, size);
    as_args(data, size);
    return 0;
}
