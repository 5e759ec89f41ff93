/* Meilisearch's filter syntax over the facetable fields (include/ofsearch/filter.h): a
 * recursive-descent parser into a small tree (AND, OR, NOT, field IN values, true, false), and
 * that tree as a SQL condition with bound values for the searcher. The field table is the one
 * place a new facetable field is added: its name and the SQL value it stands for. */
#include "ofsearch/filter.h"
#include "ofsearch/ofsearch.h"

#include "alloc.h"
#include "buffer.h"
#include "filter_sql.h"
#include "utf8.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the facetable fields ------------------------------------------------------------------ */

/* Each field: its name in filters and facet requests, and its value in SQL over s (sections),
 * d (documents), c (collections). Both fields are single-valued and never missing, so EXISTS and
 * IS NULL are constants for them; a multi-valued field (tags) would need json_each here. */
static const struct {
    const char *name;
    const char *sql;
} fields[] = {
    {"collection", "c.name"},
    /* The names of ofs_kind_name (lib/markdown.c), in kind order; test_filter checks them. */
    {"kind", "CASE s.kind WHEN 0 THEN 'page' WHEN 1 THEN 'section' WHEN 2 THEN 'term'"
             " WHEN 3 THEN 'faq' END"},
};
#define NFIELDS (sizeof fields / sizeof *fields)

size_t ofs_facet_field_count(void)
{
    return NFIELDS;
}

const char *ofs_facet_field_name(size_t i)
{
    return i < NFIELDS ? fields[i].name : NULL;
}

const char *ofsi_facet_field_sql(size_t i)
{
    return i < NFIELDS ? fields[i].sql : NULL;
}

int ofs_facet_field_find(const char *name, size_t len)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* ---- the tree ------------------------------------------------------------------------------ */

enum { F_AND, F_OR, F_NOT, F_IN, F_TRUE, F_FALSE };

struct ofs_filter {
    int op;
    int field;              /* F_IN */
    char **values;          /* F_IN: malloc'd strings */
    size_t nvalues;
    ofs_filter **kids;      /* F_AND, F_OR: nkids; F_NOT: one */
    size_t nkids;
};

void ofs_filter_free(ofs_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nvalues; i++)
        free(f->values[i]);
    free(f->values);
    for (size_t i = 0; i < f->nkids; i++)
        ofs_filter_free(f->kids[i]);
    free(f->kids);
    free(f);
}

static ofs_filter *node(int op)
{
    ofs_filter *f = ofsi_xcalloc(1, sizeof *f);
    f->op = op;
    return f;
}

/* Adds kid to f (an AND, OR or NOT). */
static void add_kid(ofs_filter *f, ofs_filter *kid)
{
    f->kids = ofsi_xreallocarray(f->kids, f->nkids + 1, sizeof *f->kids);
    f->kids[f->nkids++] = kid;
}

int ofs_filter_group(int op, ofs_filter **parts, size_t n, ofs_filter **out)
{
    *out = NULL;
    ofs_filter *g = node(op == OFS_FILTER_OR ? F_OR : F_AND);
    for (size_t i = 0; i < n; i++)
        if (parts[i])
            add_kid(g, parts[i]);
    if (g->nkids == 0) {
        ofs_filter_free(g);
        return OFS_OK;
    }
    if (g->nkids == 1) { /* a group of one is that one */
        *out = g->kids[0];
        g->nkids = 0;
        ofs_filter_free(g);
        return OFS_OK;
    }
    *out = g;
    return OFS_OK;
}

/* ---- the parser ---------------------------------------------------------------------------- */

#define MAX_DEPTH 32
#define MAX_VALUES 256

enum { T_END, T_WORD, T_QUOTED, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA, T_OP };

typedef struct {
    int type;
    size_t start, end;  /* bytes of the text the token spans */
    char *text;         /* T_WORD, T_QUOTED: the value (unescaped); T_OP: the operator */
} token;

typedef struct {
    const char *s;
    size_t n, pos;
    token tok;          /* the current token */
    int depth, nvalues;
    char **err;
    int rc;             /* the first error, or OFS_OK */
} parser;

/* 1-based character column of byte offset off. */
static size_t column(const parser *p, size_t off)
{
    size_t col = 1;
    for (size_t i = 0; i < off && i < p->n; i++)
        col += ((unsigned char)p->s[i] & 0xC0) != 0x80;
    return col;
}

/* Records an error about bytes [start, end) (the first one wins), Meilisearch-style: the message
 * (at most 511 bytes), then "START:END text" (at most 200 bytes of it). Both are cut on a
 * character boundary: the message is valid UTF-8 whatever the filter quotes. */
static void fail(parser *p, size_t start, size_t end, const char *fmt, const char *arg)
{
    if (p->rc != OFS_OK)
        return;
    p->rc = OFS_INVALID;
    if (end > p->n)
        end = p->n;
    if (start > end)
        start = end;
    char *msg = ofsi_xasprintf(fmt, arg ? arg : "");
    msg[ofsi_utf8_cut(msg, strlen(msg), 511)] = '\0';
    size_t shown = ofsi_utf8_cut(p->s + start, end - start, 200);
    ofs_set_error(p->err, OFS_INVALID, "%s\n%zu:%zu %.*s", msg, column(p, start),
                  column(p, end) > column(p, start) ? column(p, end) : column(p, start) + 1,
                  (int)shown, p->s + start);
    free(msg);
}

static int is_special(char c)
{
    return ofsi_is_blank(c) || strchr("()[],=!<>'\"", c) != NULL;
}

/* Reads the next token into p->tok. */
static void next(parser *p)
{
    free(p->tok.text);
    memset(&p->tok, 0, sizeof p->tok);
    while (p->pos < p->n && ofsi_is_blank(p->s[p->pos]))
        p->pos++;
    token *t = &p->tok;
    t->start = p->pos;
    if (p->pos >= p->n) {
        t->type = T_END;
        t->end = p->pos;
        return;
    }
    char c = p->s[p->pos];
    static const char singles[] = "()[],";
    const char *sp = strchr(singles, c);
    if (sp) {
        static const int types[] = {T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA};
        t->type = types[sp - singles];
        t->end = ++p->pos;
        return;
    }
    if (c == '=' || c == '!' || c == '<' || c == '>') {
        size_t k = (p->pos + 1 < p->n && p->s[p->pos + 1] == '=') ? 2 : 1;
        if (c == '=' || (c == '!' && k == 1)) /* "=" alone; "!" must be "!=" */
            k = 1;
        t->type = T_OP;
        t->text = ofsi_xstrndup(p->s + p->pos, k);
        p->pos += k;
        t->end = p->pos;
        if (strcmp(t->text, "!") == 0)
            fail(p, t->start, t->end, "Expected `!=` but found a lone `!`.", NULL);
        return;
    }
    ofsi_buf b = {0};
    if (c == '\'' || c == '"') {
        size_t i = p->pos + 1;
        for (; i < p->n && p->s[i] != c; i++) {
            if (p->s[i] == '\\' && i + 1 < p->n && (p->s[i + 1] == c || p->s[i + 1] == '\\'))
                i++;
            ofsi_buf_add(&b, p->s + i, 1);
        }
        if (i >= p->n) {
            free(b.s);
            t->end = p->n;
            fail(p, t->start, p->n, "Expression `%s` is missing its closing quote.",
                 c == '"' ? "\"" : "'");
            return;
        }
        t->type = T_QUOTED;
        p->pos = i + 1;
    } else {
        size_t i = p->pos;
        while (i < p->n && !is_special(p->s[i]))
            i++;
        ofsi_buf_add(&b, p->s + p->pos, i - p->pos);
        t->type = T_WORD;
        p->pos = i;
    }
    t->end = p->pos;
    t->text = ofsi_buf_take(&b);
}

/* Whether the current token is the bare keyword kw (any case). */
static int at_kw(const parser *p, const char *kw)
{
    return p->tok.type == T_WORD && strcasecmp(p->tok.text, kw) == 0;
}

static int at_value(const parser *p)
{
    return p->tok.type == T_WORD || p->tok.type == T_QUOTED;
}

static ofs_filter *parse_or(parser *p);

static const char expected_op[] =
    "Was expecting an operation `=`, `!=`, `IN`, `NOT IN`, `EXISTS`, `NOT EXISTS`, `IS NULL`, "
    "`IS NOT NULL`, `IS EMPTY` or `IS NOT EMPTY` at `%s`.";

/* `[v, v, …]` after IN: the values go into f. */
static void parse_list(parser *p, ofs_filter *f)
{
    if (p->tok.type != T_LBRACK) {
        fail(p, p->tok.start, p->tok.end, "Expected `[` after `IN` keyword.", NULL);
        return;
    }
    next(p);
    while (p->rc == OFS_OK && p->tok.type != T_RBRACK) {
        if (!at_value(p)) {
            fail(p, p->tok.start, p->tok.end,
                 p->tok.type == T_END ? "Expected matching `]` after the list of values."
                                      : "Expected a value in the list of values.",
                 NULL);
            return;
        }
        if (++p->nvalues > MAX_VALUES) {
            fail(p, p->tok.start, p->tok.end, "The filter has more than 256 values.", NULL);
            return;
        }
        f->values = ofsi_xreallocarray(f->values, f->nvalues + 1, sizeof *f->values);
        f->values[f->nvalues++] = p->tok.text;
        p->tok.text = NULL;
        next(p);
        if (p->tok.type == T_COMMA)
            next(p);
        else if (p->tok.type != T_RBRACK && p->rc == OFS_OK) {
            fail(p, p->tok.start, p->tok.end,
                 p->tok.type == T_END ? "Expected matching `]` after the list of values."
                                      : "Expected `,` or `]` after a value.",
                 NULL);
            return;
        }
    }
    if (p->rc == OFS_OK)
        next(p);
}

/* One condition on a field: `field = v`, `field IN [..]`, `field EXISTS`, `field IS NULL`, … */
static ofs_filter *parse_condition(parser *p)
{
    size_t fstart = p->tok.start, fend = p->tok.end;
    char *name = p->tok.text;
    p->tok.text = NULL;
    int geo = p->tok.type == T_WORD && strncmp(name, "_geo", 4) == 0;
    next(p);
    if (geo && p->tok.type == T_LPAREN) {
        fail(p, fstart, p->tok.end,
             "`%s` needs a geo field, and this index has none (its filterable fields are "
             "`collection` and `kind`).",
             name);
        free(name);
        return NULL;
    }
    int field = ofs_facet_field_find(name, strlen(name));
    if (field < 0 && p->rc == OFS_OK) {
        ofsi_buf avail = {0};
        for (size_t i = 0; i < NFIELDS; i++) {
            ofsi_buf_puts(&avail, i ? ", " : "");
            ofsi_buf_puts(&avail, fields[i].name);
        }
        char *a = ofsi_buf_take(&avail);
        char *msg = ofsi_xasprintf("Attribute `%.*s` is not filterable. Available filterable "
                                   "attributes are: `%s`.",
                                   (int)ofsi_utf8_cut(name, strlen(name), 100), name, a);
        free(a);
        fail(p, fstart, fend, "%s", msg);
        free(msg);
    }
    free(name);
    ofs_filter *f = node(F_IN);
    f->field = field;
    int negate = 0;
    if (at_kw(p, "NOT")) {
        negate = 1;
        next(p);
    }
    if (p->rc != OFS_OK) {
        /* already failed */
    } else if (!negate && p->tok.type == T_OP && (!strcmp(p->tok.text, "=") ||
                                                  !strcmp(p->tok.text, "!="))) {
        negate = p->tok.text[0] == '!';
        next(p);
        if (!at_value(p))
            fail(p, p->tok.start, p->tok.end, "Was expecting a value after `=` or `!=`.", NULL);
        else if (++p->nvalues > MAX_VALUES)
            fail(p, p->tok.start, p->tok.end, "The filter has more than 256 values.", NULL);
        else {
            f->values = ofsi_xmalloc(sizeof *f->values);
            f->values[f->nvalues++] = p->tok.text;
            p->tok.text = NULL;
            next(p);
        }
    } else if (!negate && p->tok.type == T_OP) {
        fail(p, p->tok.start, p->tok.end,
             "The operator `%s` compares numbers, and `collection` and `kind` hold text: use "
             "`=`, `!=` or `IN`.",
             p->tok.text);
    } else if (at_kw(p, "IN")) {
        next(p);
        parse_list(p, f);
    } else if (at_kw(p, "EXISTS")) {
        f->op = F_TRUE; /* every section has every facetable field */
        next(p);
    } else if (!negate && at_kw(p, "IS")) {
        next(p);
        if (at_kw(p, "NOT")) {
            negate = 1;
            next(p);
        }
        if (at_kw(p, "NULL") || at_kw(p, "EMPTY")) {
            f->op = F_FALSE; /* never null, never empty */
            next(p);
        } else
            fail(p, p->tok.start, p->tok.end, "Was expecting `NULL` or `EMPTY` after `IS`.",
                 NULL);
    } else if (at_kw(p, "CONTAINS") || at_kw(p, "STARTS")) {
        fail(p, p->tok.start, p->tok.end,
             "The operator `%s` is not supported by ofsearch: use `=`, `!=` or `IN`.",
             p->tok.text);
    } else if (!negate && at_value(p)) {
        fail(p, p->tok.start, p->tok.end,
             "Ranges (`a TO b`) compare numbers, and `collection` and `kind` hold text: "
             "use `IN [..]` at `%s`.",
             p->tok.text);
    } else {
        fail(p, fstart, p->tok.end, expected_op,
             p->tok.type == T_END ? "end of filter" : p->tok.text ? p->tok.text : "");
    }
    if (p->rc != OFS_OK) {
        ofs_filter_free(f);
        return NULL;
    }
    if (negate) {
        ofs_filter *n = node(F_NOT);
        add_kid(n, f);
        return n;
    }
    return f;
}

static ofs_filter *parse_primary(parser *p)
{
    if (++p->depth > MAX_DEPTH) {
        fail(p, p->tok.start, p->tok.end, "The filter nests deeper than 32 levels.", NULL);
        return NULL;
    }
    ofs_filter *f = NULL;
    if (at_kw(p, "NOT")) {
        next(p);
        ofs_filter *kid = parse_primary(p);
        if (kid) {
            f = node(F_NOT);
            add_kid(f, kid);
        }
    } else if (p->tok.type == T_LPAREN) {
        size_t open = p->tok.start;
        next(p);
        f = parse_or(p);
        if (f && p->tok.type != T_RPAREN) {
            fail(p, open, p->tok.end, "Expression `%s` is missing the following closing delimiter: `)`.",
                 "(");
            ofs_filter_free(f);
            f = NULL;
        } else if (f)
            next(p);
    } else if (at_value(p) && !at_kw(p, "AND") && !at_kw(p, "OR")) {
        f = parse_condition(p);
    } else if (p->rc == OFS_OK) {
        fail(p, p->tok.start, p->tok.end,
             p->tok.type == T_END ? "Was expecting a condition at the end of the filter.%s"
                                  : "Was expecting a condition, found `%s`.",
             p->tok.type == T_END ? "" : p->tok.text ? p->tok.text : "a delimiter");
    }
    p->depth--;
    if (p->rc != OFS_OK) {
        ofs_filter_free(f);
        return NULL;
    }
    return f;
}

/* and := primary (AND primary)*; or := and (OR and)* */
static ofs_filter *parse_chain(parser *p, const char *kw, int op,
                               ofs_filter *(*sub)(parser *))
{
    ofs_filter *first = sub(p);
    if (!first || !at_kw(p, kw))
        return first;
    ofs_filter *g = node(op);
    add_kid(g, first);
    while (p->rc == OFS_OK && at_kw(p, kw)) {
        next(p);
        ofs_filter *k = sub(p);
        if (!k)
            break;
        add_kid(g, k);
    }
    if (p->rc != OFS_OK) {
        ofs_filter_free(g);
        return NULL;
    }
    return g;
}

static ofs_filter *parse_and(parser *p)
{
    return parse_chain(p, "AND", F_AND, parse_primary);
}

static ofs_filter *parse_or(parser *p)
{
    return parse_chain(p, "OR", F_OR, parse_and);
}

int ofs_filter_parse(const char *text, size_t len, ofs_filter **out, char **errmsg)
{
    *out = NULL;
    if (!text)
        return OFS_OK;
    for (size_t i = 0, k; i < len; i += k)
        if (!(k = ofsi_utf8_len((const unsigned char *)text + i, len - i)) || !text[i])
            return ofs_set_error(errmsg, OFS_INVALID,
                                 "The filter is not valid UTF-8 text (byte %zu).", i);
    parser p = {.s = text, .n = len, .err = errmsg, .rc = OFS_OK};
    next(&p);
    if (p.tok.type == T_END)
        return p.rc;
    ofs_filter *f = parse_or(&p);
    if (p.rc == OFS_OK && p.tok.type != T_END)
        fail(&p, p.tok.start, p.n,
             "Found unexpected characters at the end of the filter: `%s`. You probably forgot "
             "an `OR` or an `AND` rule.",
             p.tok.text ? p.tok.text : p.tok.type == T_RPAREN ? ")" : "]");
    free(p.tok.text);
    if (p.rc != OFS_OK) {
        ofs_filter_free(f);
        return p.rc;
    }
    *out = f;
    return OFS_OK;
}

/* ---- as text and as SQL -------------------------------------------------------------------- */

static void quoted(ofsi_buf *b, const char *v)
{
    ofsi_buf_puts(b, "\"");
    for (const char *c = v; *c; c++) {
        if (*c == '"' || *c == '\\')
            ofsi_buf_puts(b, "\\");
        ofsi_buf_add(b, c, 1);
    }
    ofsi_buf_puts(b, "\"");
}

static void write_text(const ofs_filter *f, ofsi_buf *b)
{
    switch (f->op) {
    case F_TRUE: ofsi_buf_puts(b, "true"); return;
    case F_FALSE: ofsi_buf_puts(b, "false"); return;
    case F_NOT:
        ofsi_buf_puts(b, "NOT ");
        write_text(f->kids[0], b);
        return;
    case F_IN:
        ofsi_buf_puts(b, fields[f->field].name);
        ofsi_buf_puts(b, " IN [");
        for (size_t i = 0; i < f->nvalues; i++) {
            ofsi_buf_puts(b, i ? ", " : "");
            quoted(b, f->values[i]);
        }
        ofsi_buf_puts(b, "]");
        return;
    default:
        ofsi_buf_puts(b, "(");
        for (size_t i = 0; i < f->nkids; i++) {
            ofsi_buf_puts(b, i ? (f->op == F_AND ? " AND " : " OR ") : "");
            write_text(f->kids[i], b);
        }
        ofsi_buf_puts(b, ")");
    }
}

char *ofs_filter_text(const ofs_filter *f)
{
    ofsi_buf b = {0};
    if (f)
        write_text(f, &b);
    return ofsi_buf_take(&b);
}

void ofsi_filter_sql(const ofs_filter *f, ofsi_buf *b, int *param)
{
    char num[24];
    switch (f->op) {
    case F_TRUE: ofsi_buf_puts(b, "1"); return;
    case F_FALSE: ofsi_buf_puts(b, "0"); return;
    case F_NOT:
        ofsi_buf_puts(b, "NOT (");
        ofsi_filter_sql(f->kids[0], b, param);
        ofsi_buf_puts(b, ")");
        return;
    case F_IN:
        ofsi_buf_puts(b, "(");
        ofsi_buf_puts(b, fields[f->field].sql);
        ofsi_buf_puts(b, ") COLLATE NOCASE IN (");
        for (size_t i = 0; i < f->nvalues; i++) {
            snprintf(num, sizeof num, "%s?%d", i ? ", " : "", (*param)++);
            ofsi_buf_puts(b, num);
        }
        ofsi_buf_puts(b, ")");
        return;
    default:
        ofsi_buf_puts(b, "(");
        for (size_t i = 0; i < f->nkids; i++) {
            ofsi_buf_puts(b, i ? (f->op == F_AND ? " AND " : " OR ") : "");
            ofsi_filter_sql(f->kids[i], b, param);
        }
        ofsi_buf_puts(b, ")");
    }
}

int ofsi_filter_bind(const ofs_filter *f, sqlite3_stmt *st, int *param)
{
    int rc = SQLITE_OK;
    if (f->op == F_IN)
        for (size_t i = 0; rc == SQLITE_OK && i < f->nvalues; i++)
            rc = sqlite3_bind_text(st, (*param)++, f->values[i], -1, SQLITE_STATIC);
    for (size_t i = 0; rc == SQLITE_OK && i < f->nkids; i++)
        rc = ofsi_filter_bind(f->kids[i], st, param);
    return rc;
}
