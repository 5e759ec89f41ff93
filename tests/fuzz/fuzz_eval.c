/* Fuzz target for the eval file parsers: the same bytes as topics, qrels and a run, then scored
 * and written back. Must never crash, leak or produce a measure outside [0, 1]. */
#include "ofsearch/eval.h"
#include "ofsearch/ofsearch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ofs_topics *t = NULL;
    ofs_qrels *q = NULL;
    ofs_run *r = NULL;
    if (ofs_topics_parse(text, size, &t, NULL) == OFS_OK && ofs_topics_count(t) > 0) {
        const char *qid, *query;
        ofs_topics_get(t, 0, &qid, &query);
        if (!qid || !query)
            abort();
    }
    int qrc = ofs_qrels_parse(text, size, &q, NULL);
    int rrc = ofs_run_parse(text, size, &r, NULL);
    if (qrc == OFS_OK && rrc == OFS_OK) {
        ofs_eval_result *res = NULL;
        if (ofs_eval_run(q, r, NULL, &res, NULL) == OFS_OK) {
            for (size_t i = 0; i < res->nqueries; i++)
                for (int m = 0; m < OFS_M_COUNT; m++)
                    if (!(res->queries[i].v[m] >= 0 && res->queries[i].v[m] <= 1))
                        abort();
            FILE *devnull = fopen("/dev/null", "w");
            if (devnull) {
                ofs_run_write(r, devnull, "fuzz", NULL);
                fclose(devnull);
            }
        }
        ofs_eval_result_free(res);
    }
    ofs_topics_free(t);
    ofs_qrels_free(q);
    ofs_run_free(r);
    return 0;
}
