/* Filters and facet counts on the facetable fields of a section, in Meilisearch's filter syntax:
 *   collection = docs AND (kind = section OR kind = faq)
 *   kind IN [page, section] · NOT kind = term · collection != "my docs" · kind EXISTS
 * Keywords (AND OR NOT IN TO EXISTS IS NULL EMPTY) in any case; values bare or quoted with ' or "
 * (backslash escapes the quote); comparisons of text ignore ASCII case. The facetable fields are
 * a table in filter.c: today `collection` and `kind`; a field is a name and the SQL value it
 * stands for, so front-matter fields (lang, tags) are one entry each. */
#ifndef OFSEARCH_FILTER_H
#define OFSEARCH_FILTER_H

#include <stddef.h>

#include "ofsearch/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ofs_filter ofs_filter;

/* The facetable fields, in a fixed order: names for error messages and facet requests. */
size_t ofs_facet_field_count(void);
const char *ofs_facet_field_name(size_t i);
/* The index of field name (exact, case-sensitive as in Meilisearch), or -1. */
int ofs_facet_field_find(const char *name, size_t len);

/* Parses len bytes of filter text. A blank text gives *out NULL (no filter) and OFS_OK. Errors:
 * OFS_INVALID with a message in Meilisearch's manner (what was expected, then a line
 * "START:END text" with 1-based character columns), e.g. an unknown field ("Attribute `x` is not
 * filterable. …"), a numeric or geo operator on a text field, or nesting deeper than 32 levels
 * or over 256 values. Never fails on any bytes otherwise (invalid UTF-8 is an error too). */
int ofs_filter_parse(const char *text, size_t len, ofs_filter **out, char **errmsg);

#define OFS_FILTER_AND 0
#define OFS_FILTER_OR 1
/* A filter matching when all (AND) or any (OR) of parts[0..n) match: Meilisearch's array syntax
 * (outer array AND, inner arrays OR). Takes the parts (NULL parts are "no filter" and dropped;
 * the array itself is not freed); n 0 or all NULL gives *out NULL. Returns OFS_OK: a failed
 * allocation ends the process, as everywhere in the library. */
int ofs_filter_group(int op, ofs_filter **parts, size_t n, ofs_filter **out);
void ofs_filter_free(ofs_filter *f);

/* A filter as text in the syntax above, fully parenthesised (for logs and tests); malloc'd. */
char *ofs_filter_text(const ofs_filter *f);

#ifdef __cplusplus
}
#endif

#endif
