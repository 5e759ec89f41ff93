/* Private to the library: a parsed filter as a SQL condition, and the facetable fields' SQL
 * values, for the searcher's filtered and facet statements (request.c). The condition reads the
 * aliases s (sections), d (documents) and c (collections); values are bound parameters, never
 * SQL text. */
#ifndef OFSI_FILTER_SQL_H
#define OFSI_FILTER_SQL_H

#include "buffer.h"
#include "ofsearch/filter.h"

#include <sqlite3.h>

/* Appends f's condition to b, numbering its parameters from *param (advanced past them). */
void ofsi_filter_sql(const ofs_filter *f, ofsi_buf *b, int *param);
/* Binds the parameters ofsi_filter_sql numbered from *param (advanced the same way); f must
 * outlive the statement's run (bound SQLITE_STATIC). Returns a SQLite code. */
int ofsi_filter_bind(const ofs_filter *f, sqlite3_stmt *st, int *param);
/* The SQL value of facetable field i (over the same aliases). */
const char *ofsi_facet_field_sql(size_t i);

#endif
