/* Private to the markdown module: YAML front matter (`---` … `---` at the top of a page) read
 * with libyaml. */
#ifndef OFS_FRONTMATTER_H
#define OFS_FRONTMATTER_H

#include <stddef.h>

#include "ofsearch/markdown.h"

typedef struct {
    char *title;       /* NULL when absent or not a scalar */
    char *description; /* NULL when absent */
    char *tags;        /* a list joined by ", ", or the scalar as written; NULL when absent */
    char *slug;        /* NULL when absent */
    ofs_meta *meta;    /* the other keys whose key and value are both scalars, in file order */
    size_t nmeta;
} ofsi_frontmatter;

/* Looks for front matter at the start of src (after an optional UTF-8 BOM). Sets *body_off to
 * the offset where the Markdown starts (just past the closing `---`/`...` line, or past the BOM
 * when there is no front matter). Broken front matter — YAML syntax error, not a mapping, no
 * closing line — is reported through opts->warn with the file line, and leaves fm empty; when
 * the closing line is missing the whole input is treated as Markdown. All strings in fm are
 * valid UTF-8 and owned by fm. */
void ofsi_frontmatter_parse(const char *src, size_t len, const char *filename,
                            const ofs_markdown_options *opts, ofsi_frontmatter *fm,
                            size_t *body_off);
void ofsi_frontmatter_clear(ofsi_frontmatter *fm);

#endif
