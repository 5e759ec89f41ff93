/* The two HTML parsers Debian offers, side by side, for choosing one (issue 19): libxml2's HTML
 * parser (htmlReadMemory, recovering) and Gumbo (an HTML5 tree builder). Two modes:
 *   html_parsers time ROUNDS FILE...   parse-only CPU time of each, interleaved rounds, best of
 *                                      ROUNDS, as MB/s and the ratio gumbo/libxml2
 *   html_parsers dump PARSER FILE...   each file's tree ("#file PATH" then one line per node) in
 *                                      the canonical form compare.py also writes for html5lib's
 *                                      tree, the HTML5 reference
 * Canonical form: one node a line, indented two spaces per depth; elements as their lower-case
 * name (prefixed "svg " or "math " in foreign content), attributes as `@name=value` lines sorted
 * by name under them; text with white space collapsed, white-space-only text left out, adjacent
 * text merged; comments as `<!-- text -->`; doctype left out. Template content is listed under
 * the template element, as html5lib's tree holds it. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#define LIBXML_OPTS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
                     HTML_PARSE_NONET)

typedef struct {
    char *p;
    size_t n;
} file;

static file read_all(const char *path)
{
    file f = {NULL, 0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return f;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    f.p = malloc((size_t)n + 1);
    if (f.p && fread(f.p, 1, (size_t)n, fp) == (size_t)n) {
        f.p[n] = '\0';
        f.n = (size_t)n;
    } else {
        free(f.p);
        f.p = NULL;
    }
    fclose(fp);
    return f;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the canonical dump ---------------------------------------------------------------------- */

/* Pending text: adjacent text nodes are merged before printing. */
static char *text_buf;
static size_t text_len, text_cap;
static int text_depth;

static void text_flush(void);

static void text_add(const char *s, size_t n, int depth)
{
    if (text_len && depth != text_depth)
        text_flush();
    if (text_len + n + 1 > text_cap) {
        text_cap = (text_len + n + 1) * 2;
        text_buf = realloc(text_buf, text_cap);
    }
    memcpy(text_buf + text_len, s, n);
    text_len += n;
    text_depth = depth;
}

static void text_flush(void)
{
    int any = 0, space = 0, printed = 0;
    for (size_t i = 0; i < text_len; i++)
        if (!isspace((unsigned char)text_buf[i]))
            any = 1;
    if (any) {
        printf("%*s\"", text_depth * 2, "");
        for (size_t i = 0; i < text_len; i++) {
            unsigned char c = (unsigned char)text_buf[i];
            if (isspace(c)) {
                space = 1;
                continue;
            }
            if (space && printed)
                putchar(' ');
            space = 0;
            printed = 1;
            putchar(c);
        }
        printf("\"\n");
    }
    text_len = 0;
}

static void print_element(int depth, const char *ns, const char *name)
{
    text_flush();
    printf("%*s%s", depth * 2, "", ns);
    for (const char *s = name; *s; s++)
        putchar(tolower((unsigned char)*s));
    putchar('\n');
}

typedef struct {
    const char *name, *value;
} attr;

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const attr *)a)->name, ((const attr *)b)->name);
}

static void print_attrs(int depth, attr *a, size_t n)
{
    qsort(a, n, sizeof *a, attr_cmp);
    for (size_t i = 0; i < n; i++) {
        printf("%*s@%s=", depth * 2, "", a[i].name);
        for (const char *s = a[i].value; *s; s++)
            putchar(*s == '\n' ? ' ' : *s);
        putchar('\n');
    }
}

static void print_comment(int depth, const char *s)
{
    text_flush();
    printf("%*s<!-- ", depth * 2, "");
    for (; *s; s++)
        putchar(*s == '\n' ? ' ' : *s);
    printf(" -->\n");
}

/* Gumbo: walked by parent links, no recursion. */
static void gumbo_name(const GumboElement *e, char *out, size_t cap)
{
    const char *name = gumbo_normalized_tagname(e->tag);
    if (e->tag == GUMBO_TAG_UNKNOWN || !name || !*name) {
        GumboStringPiece p = e->original_tag;
        gumbo_tag_from_original_text(&p);
        size_t n = p.length < cap - 1 ? p.length : cap - 1;
        memcpy(out, p.data ? p.data : "", n);
        out[n] = '\0';
    } else {
        snprintf(out, cap, "%s", name);
    }
}

static void gumbo_print_node(const GumboNode *n, int depth)
{
    static attr attrs[4096];
    char name[256];
    switch (n->type) {
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE: {
        const GumboElement *e = &n->v.element;
        gumbo_name(e, name, sizeof name);
        print_element(depth, e->tag_namespace == GUMBO_NAMESPACE_SVG ? "svg "
                             : e->tag_namespace == GUMBO_NAMESPACE_MATHML ? "math " : "", name);
        size_t na = 0;
        for (unsigned i = 0; i < e->attributes.length && na < 4096; i++) {
            const GumboAttribute *a = e->attributes.data[i];
            attrs[na++] = (attr){a->name, a->value};
        }
        print_attrs(depth + 1, attrs, na);
        break;
    }
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
        text_add(n->v.text.text, strlen(n->v.text.text), depth);
        break;
    case GUMBO_NODE_COMMENT:
        print_comment(depth, n->v.text.text);
        break;
    default:
        break;
    }
}

static const GumboVector *gumbo_children(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
        return &n->v.element.children;
    return NULL;
}

static void gumbo_dump(const GumboNode *doc)
{
    const GumboNode *n = doc;
    int depth = -1;
    for (;;) {
        const GumboVector *kids = gumbo_children(n);
        if (kids && kids->length) {
            n = kids->data[0];
            depth++;
            gumbo_print_node(n, depth);
            continue;
        }
        while (n != doc) {
            const GumboNode *parent = n->parent;
            const GumboVector *sib = gumbo_children(parent);
            size_t i = n->index_within_parent + 1;
            if (i < sib->length) {
                n = sib->data[i];
                gumbo_print_node(n, depth);
                break;
            }
            n = parent;
            depth--;
        }
        if (n == doc)
            break;
    }
    text_flush();
}

/* libxml2: walked by parent links too. */
static void xml_print_node(const xmlNode *n, int depth)
{
    static attr attrs[4096];
    switch (n->type) {
    case XML_ELEMENT_NODE: {
        print_element(depth, "", (const char *)n->name);
        size_t na = 0;
        for (const xmlAttr *a = n->properties; a && na < 4096; a = a->next) {
            xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
            attrs[na++] = (attr){(const char *)a->name, v ? (const char *)v : ""};
        }
        print_attrs(depth + 1, attrs, na);
        for (size_t i = 0; i < na; i++)
            if (*attrs[i].value)
                xmlFree((xmlChar *)attrs[i].value);
        break;
    }
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (n->content)
            text_add((const char *)n->content, strlen((const char *)n->content), depth);
        break;
    case XML_COMMENT_NODE:
        print_comment(depth, n->content ? (const char *)n->content : "");
        break;
    default:
        break;
    }
}

static void xml_dump(xmlDoc *doc)
{
    const xmlNode *n = (const xmlNode *)doc;
    int depth = -1;
    for (;;) {
        if (n->children && n->type != XML_ATTRIBUTE_NODE &&
            (n->type == XML_ELEMENT_NODE || n == (const xmlNode *)doc)) {
            n = n->children;
            depth++;
            xml_print_node(n, depth);
            continue;
        }
        while (n != (const xmlNode *)doc) {
            if (n->next) {
                n = n->next;
                xml_print_node(n, depth);
                break;
            }
            n = n->parent;
            depth--;
        }
        if (n == (const xmlNode *)doc)
            break;
    }
    text_flush();
}

/* ---- modes ----------------------------------------------------------------------------------- */

static int dump(const char *parser, int nfiles, char **paths)
{
    for (int i = 0; i < nfiles; i++) {
        file f = read_all(paths[i]);
        printf("#file %s\n", paths[i]);
        if (!f.p)
            continue;
        if (!strcmp(parser, "gumbo")) {
            GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, f.p, f.n);
            gumbo_dump(out->document);
            gumbo_destroy_output(&kGumboDefaultOptions, out);
        } else {
            htmlDocPtr doc = htmlReadMemory(f.p, (int)f.n, NULL, NULL, LIBXML_OPTS);
            if (doc)
                xml_dump(doc);
            xmlFreeDoc(doc);
        }
        free(f.p);
    }
    return 0;
}

static double time_gumbo(const file *files, int n)
{
    double t0 = cpu_now();
    for (int i = 0; i < n; i++) {
        GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, files[i].p, files[i].n);
        gumbo_destroy_output(&kGumboDefaultOptions, out);
    }
    return cpu_now() - t0;
}

/* Gumbo with a bump allocator whose frees are no-ops and which is dropped whole after the parse,
 * as lib/html.c runs it: Gumbo's many small allocations are most of its time. */
typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk;

typedef struct {
    chunk *head;
} arena;

static void *arena_alloc(void *ud, size_t n)
{
    arena *a = ud;
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > (1 << 20) ? n : (1 << 20);
        chunk *c = malloc(sizeof *c + cap);
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(void *ud, void *p)
{
    (void)ud;
    (void)p;
}

static double time_gumbo_arena(const file *files, int n)
{
    double t0 = cpu_now();
    for (int i = 0; i < n; i++) {
        arena a = {NULL};
        GumboOptions o = kGumboDefaultOptions;
        o.allocator = arena_alloc;
        o.deallocator = arena_free;
        o.userdata = &a;
        o.max_errors = 0;
        gumbo_parse_with_options(&o, files[i].p, files[i].n);
        while (a.head) {
            chunk *next = a.head->next;
            free(a.head);
            a.head = next;
        }
    }
    return cpu_now() - t0;
}

static double time_libxml2(const file *files, int n)
{
    double t0 = cpu_now();
    for (int i = 0; i < n; i++)
        xmlFreeDoc(htmlReadMemory(files[i].p, (int)files[i].n, NULL, NULL, LIBXML_OPTS));
    return cpu_now() - t0;
}

static int timing(int rounds, int nfiles, char **paths)
{
    file *files = calloc((size_t)nfiles, sizeof *files);
    double bytes = 0;
    int n = 0;
    for (int i = 0; i < nfiles; i++) {
        files[n] = read_all(paths[i]);
        if (files[n].p)
            bytes += (double)files[n++].n;
    }
    double best_g = 1e30, best_x = 1e30, best_a = 1e30;
    for (int r = 0; r < rounds; r++) { /* interleaved: all see the same machine load */
        double g = time_gumbo(files, n), x = time_libxml2(files, n), a = time_gumbo_arena(files, n);
        best_g = g < best_g ? g : best_g;
        best_x = x < best_x ? x : best_x;
        best_a = a < best_a ? a : best_a;
    }
    printf("%d files, %.1f MB, best of %d rounds (CPU time)\n", n, bytes / 1e6, rounds);
    printf("  libxml2 HTML parser: %7.1f MB/s  (%.3f s)\n", bytes / 1e6 / best_x, best_x);
    printf("  gumbo:               %7.1f MB/s  (%.3f s)\n", bytes / 1e6 / best_g, best_g);
    printf("  gumbo, arena allocator: %4.1f MB/s  (%.3f s)\n", bytes / 1e6 / best_a, best_a);
    printf("  gumbo / libxml2 throughput: %.2fx (malloc), %.2fx (arena)\n", best_x / best_g,
           best_x / best_a);
    for (int i = 0; i < n; i++)
        free(files[i].p);
    free(files);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "time"))
        return timing(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1, argc - 3, argv + 3);
    if (argc >= 4 && !strcmp(argv[1], "dump") &&
        (!strcmp(argv[2], "gumbo") || !strcmp(argv[2], "libxml2")))
        return dump(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: %s time ROUNDS FILE... | dump gumbo|libxml2 FILE...\n", argv[0]);
    return 2;
}
