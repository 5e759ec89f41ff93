/* The k best rows of a ranked pass, kept while FTS5 scores rows (ofs_collect, ofs_suggest_keep)
 * instead of by ORDER BY score LIMIT k: a min-heap whose root is the worst row kept, so a row is
 * compared once with the root and most rows of a common word go no further. Then the page's
 * rows as a list in rank order. */
#include "searcher.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

/* Whether ranked row a sorts after b: a lower score, or the same score and a later row (the
 * order ORDER BY score DESC gave: FTS5 returns rows by rowid and SQLite's sorter is stable). */
static int ranks_after(const ofsi_ranked *a, const ofsi_ranked *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

static void sift_down(ofsi_ranked *h, int n, int i)
{
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && ranks_after(&h[c + 1], &h[c]))
            c++;
        if (!ranks_after(&h[c], &h[i]))
            return;
        ofsi_ranked t = h[i];
        h[i] = h[c];
        h[c] = t;
        i = c;
    }
}

void ofsi_topk_clear(ofsi_topk *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->v[i].insts);
    t->n = 0;
}

void ofsi_topk_start(ofsi_topk *t, int k)
{
    t->k = k;
    ofsi_topk_clear(t);
    if (k > t->cap) {
        t->v = ofsi_xreallocarray(t->v, (size_t)k, sizeof *t->v);
        t->cap = k;
    }
}

int ofsi_topk_admits(const ofsi_topk *t, double score)
{
    return t->k > 0 && (t->n < t->k || score > t->v[0].score);
}

void ofsi_topk_push(ofsi_topk *t, ofsi_ranked r)
{
    if (t->n == t->k) { /* the new row replaces the worst */
        free(t->v[0].insts);
        t->v[0] = r;
        sift_down(t->v, t->n, 0);
        return;
    }
    int i = t->n++;
    for (; i > 0 && ranks_after(&r, &t->v[(i - 1) / 2]); i = (i - 1) / 2)
        t->v[i] = t->v[(i - 1) / 2];
    t->v[i] = r;
}

static int cmp_ranked(const void *a, const void *b)
{
    return ranks_after(a, b) ? 1 : ranks_after(b, a) ? -1 : 0;
}

void ofsi_topk_sort(ofsi_topk *t)
{
    qsort(t->v, (size_t)t->n, sizeof *t->v, cmp_ranked);
}

void ofsi_topk_free(ofsi_topk *t)
{
    ofsi_topk_clear(t);
    free(t->v);
    memset(t, 0, sizeof *t);
}

void ofsi_ranked_take(ofsi_ranked_list *l, ofsi_ranked r)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = ofsi_xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = r;
}

void ofsi_ranked_push(ofsi_ranked_list *l, int64_t id, double score, const void *insts, int n)
{
    ofsi_ranked r = {id, score, NULL, 0};
    if (insts && n > 0) {
        r.insts = ofsi_xmalloc((size_t)n);
        memcpy(r.insts, insts, (size_t)n);
        r.ninsts = n;
    }
    ofsi_ranked_take(l, r);
}

void ofsi_ranked_move(ofsi_ranked_list *from, size_t start, ofsi_ranked_list *to)
{
    for (size_t i = start; i < from->n; i++) {
        ofsi_ranked_take(to, from->v[i]);
        from->v[i].insts = NULL;
    }
}

int ofsi_ranked_has(const ofsi_ranked_list *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].id == id)
            return 1;
    return 0;
}

void ofsi_ranked_free(ofsi_ranked_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].insts);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
