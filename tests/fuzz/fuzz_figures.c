/* Fuzz target for the stored-figures parser of `ofsearch eval --baseline`: the bytes as a
 * figures file, then every configuration gated against the first. Must never crash or leak,
 * and a parsed file must hold only measures in [0, 1] and p values in (0, 1]. */
#include "ofsearch/eval.h"
#include "ofsearch/ofsearch.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ofs_eval_figures *f = NULL;
    char *msg = NULL;
    if (ofs_eval_figures_parse((const char *)data, size, &f, &msg) != OFS_OK) {
        if (f || !msg)
            abort(); /* a failure leaves no handle and says why */
        free(msg);
        return 0;
    }
    const char *name;
    const ofs_eval_result *first, *r;
    ofs_eval_figures_get(f, 0, &name, &first);
    for (size_t i = 0; i < ofs_eval_figures_count(f); i++) {
        ofs_eval_figures_get(f, i, &name, &r);
        if (!name || !*name || ofs_eval_figures_find(f, name) != r)
            abort();
        for (size_t q = 0; q < r->nqueries; q++)
            for (int m = 0; m < OFS_M_COUNT; m++)
                if (!(r->queries[q].v[m] >= 0 && r->queries[q].v[m] <= 1))
                    abort();
        ofs_eval_gate g;
        if (ofs_eval_gate_check(first, r, 0.01, 200, 7, &g, NULL) != OFS_OK)
            abort();
        for (int m = 0; m < OFS_M_COUNT; m++)
            if (!(g.cmp.p[m] > 0 && g.cmp.p[m] <= 1))
                abort();
    }
    ofs_eval_figures_free(f);
    return 0;
}
