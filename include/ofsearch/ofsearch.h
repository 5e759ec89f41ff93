/* ofsearch — full-text search over Markdown and JSON Lines documents, on SQLite FTS5 + ICU.
 * The umbrella header: every public module at once. Each module header also stands alone.
 *   common.h     error codes, ofs_set_error, version
 *   tokenizer.h  the `ofs` tokenizer (ICU segmentation, folding, stemming, compounds)
 *   markdown.h   Markdown pages to search sections; HTML rendering for reading
 *   index.h      the index file: build, rebuild, statistics, collections, sources
 *   query.h      the query language and synonyms
 *   search.h     searching, did-you-mean, suggestions
 *   filter.h     Meilisearch-style filters and the facetable fields
 *   eval.h       relevance evaluation (topics, qrels, runs, metrics, the regression gate)
 *   html.h       built HTML pages to search sections
 *   snapshot.h   index snapshots: copy, manifest, verify */
#ifndef OFSEARCH_H
#define OFSEARCH_H

#include "ofsearch/common.h"
#include "ofsearch/eval.h"
#include "ofsearch/filter.h"
#include "ofsearch/html.h"
#include "ofsearch/index.h"
#include "ofsearch/markdown.h"
#include "ofsearch/query.h"
#include "ofsearch/search.h"
#include "ofsearch/snapshot.h"
#include "ofsearch/tokenizer.h"

#endif
