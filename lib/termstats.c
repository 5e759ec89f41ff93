/* Document frequencies of indexed terms. Ranking needs one for every query term, and counting a
 * common word's rows costs more than scoring the page, so the searcher asks the index vocabulary
 * (fts5vocab) once per term and remembers the answer until the index changes. The searcher reads
 * one snapshot of the index at a time; a long-lived searcher over an index updated in place
 * notices the change at its next search (search.c) and clears what it remembered. */
#include "searcher.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#define DF_SLOTS 4096

int ofsi_termstats_open(ofsi_termstats *t, sqlite3 *db)
{
    return sqlite3_prepare_v3(db, "SELECT doc FROM temp.ofs_vocab WHERE term = ?1", -1,
                              SQLITE_PREPARE_PERSISTENT, &t->docs, NULL);
}

void ofsi_termstats_clear(ofsi_termstats *t)
{
    for (int i = 0; t->slots && i < DF_SLOTS; i++) {
        free(t->slots[i].term);
        t->slots[i].term = NULL;
    }
    t->n = 0;
}

void ofsi_termstats_close(ofsi_termstats *t)
{
    ofsi_termstats_clear(t);
    free(t->slots);
    sqlite3_finalize(t->docs);
    memset(t, 0, sizeof *t);
}

long long ofsi_term_docs(ofsi_termstats *t, const char *term)
{
    sqlite3_stmt *st = t->docs;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
    long long docs = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return docs;
}

static unsigned long hash_term(const char *t)
{
    unsigned long h = 5381;
    while (*t)
        h = h * 33 + (unsigned char)*t++;
    return h;
}

long long ofsi_term_df(ofsi_termstats *t, const char *term)
{
    if (!t->slots)
        t->slots = ofsi_xcalloc(DF_SLOTS, sizeof *t->slots);
    unsigned long h = hash_term(term);
    for (int k = 0; k < DF_SLOTS; k++) {
        ofsi_df_entry *e = &t->slots[(h + (unsigned long)k) % DF_SLOTS];
        if (!e->term) {
            long long df = ofsi_term_docs(t, term);
            if (t->n < DF_SLOTS / 2) { /* else: just don't keep it */
                e->term = ofsi_xstrdup(term);
                e->df = df;
                t->n++;
            }
            return df;
        }
        if (!strcmp(e->term, term))
            return e->df;
    }
    return ofsi_term_docs(t, term);
}

void ofsi_phrase_dfs(ofsi_termstats *t, const ofsi_query_form *f, ofsi_phrase_df *out)
{
    out->n = 0;
    for (int i = 0; i < f->nterms && out->n < OFSI_MAX_PHRASE_DF; i++)
        out->df[out->n++] = f->terms[i] ? ofsi_term_df(t, f->terms[i]) : -1;
}
