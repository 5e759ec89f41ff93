/* YAML front matter of Markdown pages, read with libyaml's document API. Front matter errors are
 * never fatal: they become a warning naming the file line, and the page is indexed without its
 * metadata. Every string kept is cleaned UTF-8 (utf8.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "alloc.h"
#include "markdown_internal.h"
#include "ofsearch/ofsearch.h"
#include "utf8.h"

void ofsi_frontmatter_clear(ofsi_frontmatter *fm)
{
    free(fm->title);
    free(fm->description);
    free(fm->tags);
    free(fm->slug);
    for (size_t i = 0; i < fm->nmeta; i++) {
        free(fm->meta[i].key);
        free(fm->meta[i].value);
    }
    free(fm->meta);
    memset(fm, 0, sizeof *fm);
}

/* Length of the line starting at off, without its terminator; *next gets the next line's start. */
static size_t line_at(const char *src, size_t len, size_t off, size_t *next)
{
    const char *nl = memchr(src + off, '\n', len - off);
    size_t end = nl ? (size_t)(nl - src) : len;
    *next = nl ? end + 1 : len;
    if (end > off && src[end - 1] == '\r')
        end--;
    return end - off;
}

/* Whether the line is exactly the marker, trailing blanks allowed. */
static int is_marker(const char *line, size_t n, const char *marker)
{
    size_t m = strlen(marker);
    if (n < m || memcmp(line, marker, m) != 0)
        return 0;
    for (size_t i = m; i < n; i++)
        if (line[i] != ' ' && line[i] != '\t')
            return 0;
    return 1;
}

static void warn(const ofs_markdown_options *opts, const char *filename, int line,
                 const char *msg)
{
    if (opts && opts->warn)
        opts->warn(opts->warn_ctx, filename ? filename : "", line, msg);
}

static char *scalar_dup(yaml_node_t *node)
{
    return ofsi_utf8_clean((const char *)node->data.scalar.value, node->data.scalar.length, NULL);
}

/* Tags: a sequence of scalars joined by ", ", or a scalar kept as written. */
static char *tags_dup(yaml_document_t *doc, yaml_node_t *node)
{
    if (node->type == YAML_SCALAR_NODE)
        return scalar_dup(node);
    if (node->type != YAML_SEQUENCE_NODE)
        return NULL;
    size_t total = 1;
    for (yaml_node_item_t *it = node->data.sequence.items.start;
         it < node->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        if (item && item->type == YAML_SCALAR_NODE)
            total += item->data.scalar.length + 2;
    }
    char *joined = ofsi_xmalloc(total), *p = joined;
    for (yaml_node_item_t *it = node->data.sequence.items.start;
         it < node->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        if (!item || item->type != YAML_SCALAR_NODE)
            continue;
        if (p != joined) {
            memcpy(p, ", ", 2);
            p += 2;
        }
        memcpy(p, item->data.scalar.value, item->data.scalar.length);
        p += item->data.scalar.length;
    }
    char *clean = ofsi_utf8_clean(joined, (size_t)(p - joined), NULL);
    free(joined);
    return clean;
}

static void add_meta(ofsi_frontmatter *fm, yaml_node_t *key, yaml_node_t *value)
{
    fm->meta = ofsi_xreallocarray(fm->meta, fm->nmeta + 1, sizeof *fm->meta);
    fm->meta[fm->nmeta].key = scalar_dup(key);
    fm->meta[fm->nmeta].value = scalar_dup(value);
    fm->nmeta++;
}

/* Stores one top-level key. A repeated known key keeps its last value, as YAML loaders do. */
static void take_pair(ofsi_frontmatter *fm, yaml_document_t *doc, yaml_node_t *key,
                      yaml_node_t *value)
{
    if (!key || !value || key->type != YAML_SCALAR_NODE)
        return;
    const char *k = (const char *)key->data.scalar.value;
    size_t klen = key->data.scalar.length;
    char **slot = NULL;
    if (klen == 5 && memcmp(k, "title", 5) == 0)
        slot = &fm->title;
    else if (klen == 11 && memcmp(k, "description", 11) == 0)
        slot = &fm->description;
    else if (klen == 4 && memcmp(k, "slug", 4) == 0)
        slot = &fm->slug;
    else if (klen == 4 && memcmp(k, "tags", 4) == 0) {
        if (value->type == YAML_MAPPING_NODE)
            return;
        free(fm->tags);
        fm->tags = tags_dup(doc, value);
        return;
    }
    if (value->type != YAML_SCALAR_NODE)
        return; /* nested structures are not searchable metadata */
    if (!slot) {
        add_meta(fm, key, value);
        return;
    }
    free(*slot);
    *slot = scalar_dup(value);
}

/* Loads the YAML text (which starts on file line 2) into fm; warns on errors. libyaml reports
 * a failed allocation as an error: it ends the process as ours do (alloc.c). */
static void load_yaml(const char *yaml, size_t n, const char *filename,
                      const ofs_markdown_options *opts, ofsi_frontmatter *fm)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    char msg[256];
    if (!yaml_parser_initialize(&parser))
        ofsi_oom(sizeof parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, n);
    if (!yaml_parser_load(&parser, &doc)) {
        if (parser.error == YAML_MEMORY_ERROR)
            ofsi_oom(n);
        snprintf(msg, sizeof msg, "broken front matter: %s",
                 parser.problem ? parser.problem : "YAML error");
        warn(opts, filename, (int)parser.problem_mark.line + 2, msg);
        yaml_parser_delete(&parser);
        return;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++)
            take_pair(fm, &doc, yaml_document_get_node(&doc, p->key),
                      yaml_document_get_node(&doc, p->value));
    } else if (root && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
        warn(opts, filename, (int)root->start_mark.line + 2,
             "broken front matter: not a mapping of keys to values");
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
}

void ofsi_frontmatter_parse(const char *src, size_t len, const char *filename,
                            const ofs_markdown_options *opts, ofsi_frontmatter *fm,
                            size_t *body_off)
{
    memset(fm, 0, sizeof *fm);
    size_t start = 0, next;
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    *body_off = start;
    if (start >= len)
        return;
    size_t n = line_at(src, len, start, &next);
    if (!is_marker(src + start, n, "---"))
        return;
    size_t yaml_start = next;
    int line = 2;
    for (size_t off = next; off < len; off = next, line++) {
        n = line_at(src, len, off, &next);
        if (is_marker(src + off, n, "---") || is_marker(src + off, n, "...")) {
            *body_off = next;
            load_yaml(src + yaml_start, off - yaml_start, filename, opts, fm);
            return;
        }
    }
    warn(opts, filename, 1, "broken front matter: no closing '---' line");
}
