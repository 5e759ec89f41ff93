/* The selectors of the HTML options (root_selector, ignore_selector and the default ignore
 * list): comma-separated compound simple selectors — tag, #id, .class, [attr], [attr=value] —
 * matched against one Gumbo element at a time.
 *
 * Written here because nothing in Debian matches CSS selectors on a Gumbo tree: libxml2 has
 * XPath for its own tree only, gumbo-query is C++ and not packaged, lexbor is not packaged.
 * What site configurations need for picking a content root and leaving chrome out is the
 * compound form; combinators would need the ancestors of every element at every match and are
 * refused with a clear message instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html_internal.h"
#include "ofsearch/ofsearch.h"

#include "alloc.h"

typedef struct {
    char *name;
    char *value; /* NULL: the attribute's presence is enough */
} sel_attr;

typedef struct {
    char *tag;       /* lower case; NULL matches any element */
    GumboTag tag_id; /* GUMBO_TAG_UNKNOWN for custom elements: compared by name */
    char *id;
    char **classes;
    size_t nclasses;
    sel_attr *attrs;
    size_t nattrs;
} compound;

struct ofsi_selector {
    compound *v;
    size_t n;
};

/* Identifier bytes: ASCII letters, digits, '-', '_' and any non-ASCII byte. */
static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || (unsigned char)c >= 0x80;
}

static void compound_clear(compound *c)
{
    free(c->tag);
    free(c->id);
    for (size_t i = 0; i < c->nclasses; i++)
        free(c->classes[i]);
    free(c->classes);
    for (size_t i = 0; i < c->nattrs; i++) {
        free(c->attrs[i].name);
        free(c->attrs[i].value);
    }
    free(c->attrs);
}

void ofsi_selector_free(ofsi_selector *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->n; i++)
        compound_clear(&sel->v[i]);
    free(sel->v);
    free(sel);
}

typedef struct {
    const char *text; /* the whole selector, for messages */
    const char *p;
    char **errmsg;
    int rc;
} parser;

static int fail(parser *ps, const char *what)
{
    if (ps->rc == OFS_OK)
        ps->rc = ofs_set_error(ps->errmsg, OFS_INVALID, "selector \"%s\": %s at offset %ld",
                               ps->text, what, (long)(ps->p - ps->text));
    return 0;
}

/* An identifier at ps->p; colon=1 also takes ':' (namespaced attribute names: xml:lang). */
static char *ident(parser *ps, int lower, int colon)
{
    const char *s = ps->p;
    while (is_ident(*ps->p) || (colon && *ps->p == ':'))
        ps->p++;
    size_t n = (size_t)(ps->p - s);
    if (n == 0) {
        fail(ps, "a name was expected");
        return NULL;
    }
    char *out = ofsi_xstrndup(s, n);
    for (char *c = out; lower && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c += 32;
    return out;
}

/* [name] or [name=value], value an identifier or quoted; at '['. */
static int attribute(parser *ps, compound *c)
{
    ps->p++;
    sel_attr a = {ident(ps, 1, 1), NULL};
    if (!a.name)
        return 0;
    if (*ps->p == '=') {
        ps->p++;
        if (*ps->p == '"' || *ps->p == '\'') {
            const char *end = strchr(ps->p + 1, *ps->p);
            if (!end) {
                free(a.name);
                return fail(ps, "unclosed quote");
            }
            a.value = ofsi_xstrndup(ps->p + 1, (size_t)(end - ps->p - 1));
            ps->p = end + 1;
        } else {
            a.value = ident(ps, 0, 0);
        }
        if (!a.value) { /* ident() said why */
            free(a.name);
            return 0;
        }
    }
    if (*ps->p != ']') {
        free(a.name);
        free(a.value);
        return fail(ps, *ps->p == '~' || *ps->p == '^' || *ps->p == '$' || *ps->p == '*' ||
                                *ps->p == '|'
                            ? "only [attr] and [attr=value] are supported"
                            : "']' was expected");
    }
    ps->p++;
    c->attrs = ofsi_xreallocarray(c->attrs, c->nattrs + 1, sizeof *c->attrs);
    c->attrs[c->nattrs++] = a;
    return 1;
}

static int add_class(parser *ps, compound *c)
{
    ps->p++;
    char *name = ident(ps, 0, 0);
    if (!name)
        return 0;
    c->classes = ofsi_xreallocarray(c->classes, c->nclasses + 1, sizeof *c->classes);
    c->classes[c->nclasses++] = name;
    return 1;
}

/* One compound selector, up to a ',' or the end. */
static int parse_compound(parser *ps, compound *c)
{
    int star = *ps->p == '*';
    if (star) {
        ps->p++;
    } else if (is_ident(*ps->p)) {
        if (!(c->tag = ident(ps, 1, 0)))
            return 0;
        c->tag_id = gumbo_tag_enum(c->tag);
    }
    for (;;) {
        char ch = *ps->p;
        int ok = 1;
        if (ch == '#') {
            ps->p++;
            if (c->id)
                return fail(ps, "two ids");
            ok = (c->id = ident(ps, 0, 0)) != NULL;
        } else if (ch == '.') {
            ok = add_class(ps, c);
        } else if (ch == '[') {
            ok = attribute(ps, c);
        } else {
            break;
        }
        if (!ok)
            return 0;
    }
    if (!c->tag && !c->id && !c->nclasses && !c->nattrs && !star)
        return fail(ps, "a selector was expected");
    const char *q = ps->p;
    while (ofsi_html_is_space(*q))
        q++;
    if (*q && *q != ',') {
        ps->p = q;
        return fail(ps, *q == '>' || *q == '+' || *q == '~' || is_ident(*q) || *q == '.' ||
                                *q == '#' || *q == '['
                            ? "combinators are not supported (one compound selector per item)"
                            : *q == ':' ? "pseudo-classes are not supported"
                                        : "unexpected character");
    }
    ps->p = q;
    return 1;
}

int ofsi_selector_parse(const char *text, ofsi_selector **out, char **errmsg)
{
    *out = NULL;
    ofsi_selector *sel = ofsi_xcalloc(1, sizeof *sel);
    parser ps = {text ? text : "", text ? text : "", errmsg, OFS_OK};
    for (;;) {
        while (ofsi_html_is_space(*ps.p))
            ps.p++;
        if (!*ps.p && sel->n == 0)
            break; /* empty: matches nothing */
        sel->v = ofsi_xreallocarray(sel->v, sel->n + 1, sizeof *sel->v);
        memset(&sel->v[sel->n], 0, sizeof *sel->v);
        sel->v[sel->n].tag_id = GUMBO_TAG_UNKNOWN;
        int ok = parse_compound(&ps, &sel->v[sel->n]);
        sel->n++;
        if (!ok)
            break;
        if (!*ps.p)
            break;
        ps.p++; /* ',' */
        while (ofsi_html_is_space(*ps.p))
            ps.p++;
        if (!*ps.p) {
            fail(&ps, "a selector was expected after ','");
            break;
        }
    }
    if (ps.rc != OFS_OK) {
        ofsi_selector_free(sel);
        return ps.rc;
    }
    *out = sel;
    return OFS_OK;
}

size_t ofsi_html_tag_name(const GumboNode *node, char *out, size_t cap)
{
    const GumboElement *e = &node->v.element;
    const char *name = e->tag == GUMBO_TAG_UNKNOWN ? NULL : gumbo_normalized_tagname(e->tag);
    size_t n;
    if (name && *name) {
        n = strlen(name);
        if (n >= cap)
            n = cap - 1;
        memcpy(out, name, n);
    } else {
        GumboStringPiece p = e->original_tag;
        if (p.data && p.length)
            gumbo_tag_from_original_text(&p);
        n = p.data ? p.length : 0;
        if (n >= cap)
            n = cap - 1;
        for (size_t i = 0; i < n; i++)
            out[i] = (char)(p.data[i] >= 'A' && p.data[i] <= 'Z' ? p.data[i] + 32 : p.data[i]);
    }
    out[n] = '\0';
    return n;
}

int ofsi_html_has_token(const char *list, const char *tok, int nocase)
{
    size_t n = strlen(tok);
    for (const char *p = list; *p;) {
        while (ofsi_html_is_space(*p))
            p++;
        const char *s = p;
        while (*p && !ofsi_html_is_space(*p))
            p++;
        if ((size_t)(p - s) == n && n &&
            (nocase ? strncasecmp(s, tok, n) : memcmp(s, tok, n)) == 0)
            return 1;
    }
    return 0;
}

const char *ofsi_html_attr(const GumboNode *node, const char *name)
{
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
        return NULL;
    const GumboVector *v = &node->v.element.attributes;
    char first = name[0];
    for (unsigned i = 0; i < v->length; i++) {
        const GumboAttribute *a = v->data[i];
        char c = a->name[0];
        if ((c == first || (c >= 'A' && c <= 'Z' && c + 32 == first)) &&
            !strcasecmp(a->name, name))
            return a->value;
    }
    return NULL;
}

/* An element's id and class, looked up once for all the compounds of a selector. */
typedef struct {
    const GumboNode *node;
    int looked;
    const char *id, *cls;
} element;

static void look_up(element *el)
{
    if (el->looked)
        return;
    el->looked = 1;
    el->id = ofsi_html_attr(el->node, "id");
    el->cls = ofsi_html_attr(el->node, "class");
}

static int compound_match(const compound *c, element *el)
{
    const GumboNode *node = el->node;
    const GumboElement *e = &node->v.element;
    if (c->tag) {
        if (c->tag_id != GUMBO_TAG_UNKNOWN) {
            if (e->tag != c->tag_id)
                return 0;
        } else {
            char name[128];
            if (e->tag != GUMBO_TAG_UNKNOWN ||
                (ofsi_html_tag_name(node, name, sizeof name), strcmp(name, c->tag) != 0))
                return 0;
        }
    }
    if (c->id || c->nclasses)
        look_up(el);
    if (c->id && (!el->id || strcmp(el->id, c->id) != 0))
        return 0;
    if (c->nclasses && !el->cls)
        return 0;
    for (size_t i = 0; i < c->nclasses; i++)
        if (!ofsi_html_has_token(el->cls, c->classes[i], 0))
            return 0;
    for (size_t i = 0; i < c->nattrs; i++) {
        const char *v = ofsi_html_attr(node, c->attrs[i].name);
        if (!v || (c->attrs[i].value && strcmp(v, c->attrs[i].value) != 0))
            return 0;
    }
    return 1;
}

int ofsi_selector_match(const ofsi_selector *sel, const GumboNode *node)
{
    if (!sel || (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE))
        return 0;
    element el = {node, 0, NULL, NULL};
    for (size_t i = 0; i < sel->n; i++)
        if (compound_match(&sel->v[i], &el))
            return 1;
    return 0;
}

int ofs_html_check_selector(const char *selector, char **errmsg)
{
    ofsi_selector *sel;
    int rc = ofsi_selector_parse(selector, &sel, errmsg);
    ofsi_selector_free(sel);
    return rc;
}
