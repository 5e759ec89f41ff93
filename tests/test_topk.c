/* Unit tests for lib/topk.c: the k best of many rows offered in rowid order are the first k of
 * the full ranking (score descending, then rowid ascending, as ORDER BY score DESC gave), with
 * ties, any k, and the row lists pages are built from. */
#include "check.h"

#include "searcher.h"

#include <stdlib.h>
#include <string.h>

static int cmp_full(const void *a, const void *b)
{
    const ofsi_ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static void test_random(void)
{
    srand(12345);
    ofsi_topk t = {0};
    for (int round = 0; round < 200; round++) {
        int n = rand() % 300, k = 1 + rand() % 40;
        ofsi_ranked *all = malloc((size_t)(n ? n : 1) * sizeof *all);
        for (int i = 0; i < n; i++) /* few distinct scores: many ties */
            all[i] = (ofsi_ranked){i + 1, (double)(rand() % 20), NULL, 0};
        ofsi_topk_start(&t, k);
        for (int i = 0; i < n; i++)
            if (ofsi_topk_admits(&t, all[i].score)) {
                ofsi_ranked r = all[i];
                r.insts = malloc(4); /* the heap owns and frees what it drops */
                r.ninsts = 4;
                ofsi_topk_push(&t, r);
            }
        ofsi_topk_sort(&t);
        qsort(all, (size_t)n, sizeof *all, cmp_full);
        int want = n < k ? n : k, same = t.n == want;
        for (int i = 0; same && i < want; i++)
            same = t.v[i].id == all[i].id && t.v[i].score == all[i].score;
        CHECK_MSG(same, "round %d: n %d k %d: kept %d rows, not the first %d", round, n, k, t.n,
                  want);
        ofsi_topk_clear(&t);
        free(all);
    }
    ofsi_topk_start(&t, 0); /* k 0 keeps nothing */
    CHECK(!ofsi_topk_admits(&t, 1e9));
    ofsi_topk_free(&t);
}

static void test_lists(void)
{
    ofsi_ranked_list l = {0};
    for (int i = 0; i < 100; i++)
        ofsi_ranked_push(&l, i, -i, i % 2 ? "ab" : NULL, i % 2 ? 2 : 0);
    CHECK_INT(l.n, 100);
    CHECK(ofsi_ranked_has(&l, 99) && !ofsi_ranked_has(&l, 100));
    CHECK(l.v[1].insts && memcmp(l.v[1].insts, "ab", 2) == 0 && l.v[1].ninsts == 2);
    CHECK(l.v[0].insts == NULL);
    ofsi_ranked_list page = {0};
    ofsi_ranked_move(&l, 97, &page); /* the rows after the first 97: 97, 98, 99 */
    CHECK_INT(page.n, 3);
    CHECK(page.n == 3 && page.v[0].id == 97 && page.v[2].id == 99);
    CHECK(page.n == 3 && page.v[0].insts && l.v[97].insts == NULL); /* the insts moved along */
    ofsi_ranked_move(&l, 200, &page); /* nothing after the end */
    CHECK_INT(page.n, 3);
    ofsi_ranked_free(&page);
    ofsi_ranked_free(&l);
    CHECK(l.v == NULL && l.n == 0);
}

int main(void)
{
    test_random();
    test_lists();
    return check_summary("topk");
}
