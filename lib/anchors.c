/* Anchors, so that a search hit can point at the place it came from: heading slugs as GitHub and
 * Docusaurus make them (ofs_slugify: lower case, punctuation dropped, spaces to hyphens), numbered
 * -1, -2, … by one counter over all headings of the page, deeper than max_depth too; an explicit
 * `{#id}` after a heading wins and is not counted; and the id (or name) of `<a …>` tags. The
 * indexer (markdown.c) and the HTML renderer (render.c) both take their anchors from here. */
#include "markdown_internal.h"

#include "alloc.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

/* GitHub keeps \p{Word} (letters, marks, decimal and letter numbers, connector punctuation),
 * '-' and ' '; everything else goes, then each space becomes '-'. */
static int slug_keeps(UChar32 c)
{
    if (c == '-' || c == ' ')
        return 1;
    switch (u_charType(c)) {
    case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER: case U_OTHER_LETTER:
    case U_NON_SPACING_MARK: case U_COMBINING_SPACING_MARK: case U_ENCLOSING_MARK:
    case U_DECIMAL_DIGIT_NUMBER: case U_LETTER_NUMBER:
    case U_CONNECTOR_PUNCTUATION:
        return 1;
    default:
        return 0;
    }
}

char *ofs_slugify(const char *text)
{
    if (!text)
        text = "";
    size_t len = strlen(text);
    /* Lower-casing can grow a code point by at most one byte (e.g. U+023A → U+2C65). */
    char *out = ofsi_xmalloc(len * 2 + 1);
    /* Trim as a heading's rendered text is trimmed. */
    size_t i = 0, o = 0;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
        len--;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
        i++;
    const uint8_t *s = (const uint8_t *)text;
    int32_t pos = (int32_t)i, end = len > INT32_MAX ? INT32_MAX : (int32_t)len;
    while (pos < end) {
        UChar32 c;
        U8_NEXT(s, pos, end, c);
        if (c < 0 || !slug_keeps(c))
            continue;
        if (c == ' ') {
            out[o++] = '-';
            continue;
        }
        c = u_tolower(c);
        UBool err = 0;
        U8_APPEND((uint8_t *)out, o, len * 2 + 1, c, err);
        (void)err;
    }
    out[o] = '\0';
    return out;
}

/* The page's slug counter (github-slugger semantics): an open-addressing map slug → count. */
typedef struct {
    char **keys;
    int *counts;
    size_t cap, n;
} slugmap;

static size_t slug_hash(const char *s)
{
    size_t h = 1469598103934665603ULL & (size_t)-1;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
    return h;
}

static size_t slug_find(const slugmap *sm, const char *key)
{
    size_t i = slug_hash(key) & (sm->cap - 1);
    while (sm->keys[i] && strcmp(sm->keys[i], key) != 0)
        i = (i + 1) & (sm->cap - 1);
    return i;
}

static void slug_grow(slugmap *sm)
{
    size_t cap = sm->cap ? sm->cap * 2 : 16;
    slugmap n = {ofsi_xcalloc(cap, sizeof(char *)), ofsi_xcalloc(cap, sizeof(int)), cap, sm->n};
    for (size_t i = 0; i < sm->cap; i++) {
        if (!sm->keys[i])
            continue;
        size_t j = slug_find(&n, sm->keys[i]);
        n.keys[j] = sm->keys[i];
        n.counts[j] = sm->counts[i];
    }
    free(sm->keys);
    free(sm->counts);
    *sm = n;
}

static void slug_free(slugmap *sm)
{
    for (size_t i = 0; i < sm->cap; i++)
        free(sm->keys[i]);
    free(sm->keys);
    free(sm->counts);
}

/* Records key (taking ownership) with count 0. */
static void slug_put(slugmap *sm, char *key)
{
    if ((sm->n + 1) * 2 > sm->cap)
        slug_grow(sm);
    size_t i = slug_find(sm, key);
    if (sm->keys[i])
        free(key);
    else {
        sm->keys[i] = key;
        sm->n++;
    }
    sm->counts[i] = 0;
}

/* The unique slug of a heading: base, else base-1, base-2, … Malloc'd. */
static char *slug_unique(slugmap *sm, const char *text)
{
    char *base = ofs_slugify(text);
    if (sm->cap == 0)
        slug_grow(sm);
    char *slug = ofsi_xstrdup(base);
    size_t bi = slug_find(sm, base);
    while (sm->keys[slug_find(sm, slug)]) {
        int k = ++sm->counts[bi];
        free(slug);
        slug = ofsi_xasprintf("%s-%d", base, k);
    }
    free(base);
    slug_put(sm, ofsi_xstrdup(slug));
    return slug;
}

struct ofsi_slugger {
    slugmap map;
};

ofsi_slugger *ofsi_slugger_new(void)
{
    return ofsi_xcalloc(1, sizeof(ofsi_slugger));
}

void ofsi_slugger_free(ofsi_slugger *sl)
{
    if (!sl)
        return;
    slug_free(&sl->map);
    free(sl);
}

/* Splits a trailing Docusaurus `{#id}` off a heading text: *n shortened, id returned. */
static char *custom_id(const char *s, size_t *n)
{
    if (*n < 4 || s[*n - 1] != '}')
        return NULL;
    size_t k = *n - 1;
    while (k > 0 && s[k - 1] != '{' && s[k - 1] != '}')
        k--;
    if (k == 0 || s[k - 1] != '{' || s[k] != '#' || k + 1 >= *n - 1)
        return NULL;
    char *id = ofsi_xmemdup(s + k + 1, *n - 1 - (k + 1));
    *n = k - 1;
    while (*n && ofsi_is_blank(s[*n - 1]))
        (*n)--;
    return id;
}

char *ofsi_anchor_of_heading(ofsi_slugger *sl, const char **text, size_t *len, int *custom)
{
    ofsi_trim(text, len);
    char *id = custom_id(*text, len);
    *custom = id != NULL;
    if (id)
        return id;
    char *title = ofsi_xmemdup(*text, *len);
    char *anchor = slug_unique(&sl->map, title);
    free(title);
    return anchor;
}

/* Finds attribute `name` (id or name) in an HTML start tag; malloc'd value or NULL. */
static char *tag_attr(const char *s, size_t n, const char *attr)
{
    size_t k = strlen(attr);
    for (size_t i = 1; i + k < n; i++) {
        if (!ofsi_is_blank(s[i - 1]) || !ofsi_starts_with_ci(s + i, n - i, attr))
            continue;
        size_t j = i + k;
        while (j < n && ofsi_is_blank(s[j]))
            j++;
        if (j >= n || s[j] != '=')
            continue;
        j++;
        while (j < n && ofsi_is_blank(s[j]))
            j++;
        if (j >= n)
            return NULL;
        size_t start, end;
        if (s[j] == '"' || s[j] == '\'') {
            char q = s[j];
            start = j + 1;
            for (end = start; end < n && s[end] != q; end++)
                ;
        } else {
            start = j;
            for (end = start; end < n && !ofsi_is_blank(s[end]) && s[end] != '>' && s[end] != '/';
                 end++)
                ;
        }
        if (end > start)
            return ofsi_xmemdup(s + start, end - start);
        return NULL;
    }
    return NULL;
}

char *ofsi_html_anchor(const char *s, size_t n)
{
    if (n < 3 || s[0] != '<' || (s[1] != 'a' && s[1] != 'A') || !ofsi_is_blank(s[2]))
        return NULL;
    char *v = tag_attr(s, n, "id");
    return v ? v : tag_attr(s, n, "name");
}
