/* JSON Lines collections: one JSON object per line, a document each: `id` (string or integer,
 * required), `title`, `body` or `text`, `url`; every other string field is kept as metadata and
 * searchable. A bad line is a warning and the rest of the file is indexed; unchanged lines
 * (same content hash) are not rewritten. */
#include "build_internal.h"

#include "alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of one JSONL object (takes ownership of obj); NULL with *why set when it is unusable. */
static ofsi_doc_rows *jsonl_rows(json_t *obj, const char *base_url, const char **why)
{
    *why = NULL;
    if (!json_is_object(obj)) {
        *why = "not a JSON object";
        json_decref(obj);
        return NULL;
    }
    json_t *id = json_object_get(obj, "id");
    char idbuf[32];
    const char *idstr = NULL;
    if (json_is_string(id))
        idstr = json_string_value(id);
    else if (json_is_integer(id)) {
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)json_integer_value(id));
        idstr = idbuf;
    }
    if (!idstr || !*idstr) {
        *why = "no \"id\" (string or integer)";
        json_decref(obj);
        return NULL;
    }
    ofsi_doc_rows *d = ofsi_xcalloc(1, sizeof *d);
    ofsi_sec_row *s = ofsi_xcalloc(1, sizeof *s);
    json_t *meta = ofsi_json_object();
    d->json = obj;
    d->secs = s;
    d->nsecs = 1;
    const char *title = json_string_value(json_object_get(obj, "title"));
    const char *body = json_string_value(json_object_get(obj, "body"));
    if (!body)
        body = json_string_value(json_object_get(obj, "text"));
    const char *url = json_string_value(json_object_get(obj, "url"));
    /* Every other string field is kept (documents.meta) and searchable (the meta column). */
    size_t textlen = 0;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (!json_is_string(val) || !strcmp(key, "id") || !strcmp(key, "title") ||
            !strcmp(key, "body") || !strcmp(key, "text") || !strcmp(key, "url"))
            continue;
        json_object_set(meta, key, val);
        textlen += json_string_length(val) + 1;
    }
    d->meta_text = ofsi_xmalloc(textlen + 1);
    size_t n = 0;
    json_object_foreach(meta, key, val)
    {
        size_t l = json_string_length(val);
        if (n)
            d->meta_text[n++] = '\n';
        memcpy(d->meta_text + n, json_string_value(val), l);
        n += l;
    }
    d->meta_text[n] = '\0';
    d->meta_json = ofsi_json_text(meta);
    json_decref(meta);
    d->docid = ofsi_xstrdup(idstr);
    d->title = ofsi_xstrdup(title ? title : idstr);
    d->description = ofsi_xstrdup("");
    d->tags = ofsi_xstrdup("");
    if (url) {
        d->url = ofsi_xstrdup(url);
    } else { /* base_url/id, or the id alone; ids keep their dots (no extension to strip) */
        size_t bl = base_url ? strlen(base_url) : 0;
        while (bl && base_url[bl - 1] == '/')
            bl--;
        d->url = ofsi_xasprintf("%.*s%s%s", (int)bl, bl ? base_url : "", bl ? "/" : "", idstr);
    }
    s->kind = OFS_KIND_PAGE;
    s->level = 0;
    s->title = d->title;
    s->headings = "";
    s->anchor = "";
    s->body = body ? body : "";
    s->code = "";
    s->meta = d->meta_text;
    s->url = ofsi_xstrdup(d->url);
    return d;
}

/* One JSONL line: unchanged, added or updated; bad lines are warnings. */
static int jsonl_line(ofsi_build *b, ofsi_coll *c, ofsi_old_docs *olds, const char *display,
                      long lineno, const char *line, size_t len, long long mtime, char **errmsg)
{
    if (ofsi_only_space(line, len))
        return OFS_OK;
    if ((long)len > b->o->max_file_bytes) {
        ofsi_build_warn(b, display, lineno,
                        "line is larger than %ld bytes (--max-file-size), skipped",
                        b->o->max_file_bytes);
        b->sum->failed++;
        return OFS_OK;
    }
    b->sum->bytes += (double)len;
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, 0, &jerr);
    if (!obj) {
        ofsi_build_warn(b, display, lineno, "invalid JSON: %s", jerr.text);
        b->sum->failed++;
        return OFS_OK;
    }
    const char *why = NULL;
    ofsi_doc_rows *d = jsonl_rows(obj, c->spec->base_url, &why);
    if (!d) {
        ofsi_build_warn(b, display, lineno, "%s, skipped", why);
        b->sum->failed++;
        return OFS_OK;
    }
    char hash[17];
    ofsi_content_hash(line, len, b->seed, hash);
    ofsi_old_doc *old = ofsi_find_old(olds, d->docid);
    int rc = OFS_OK;
    if (old && old->seen) {
        ofsi_build_warn(b, display, lineno, "duplicate id \"%s\", skipped", d->docid);
        b->sum->failed++;
    } else if (old && !c->force && !strcmp(old->hash, hash)) {
        old->seen = 1;
        b->sum->unchanged++;
    } else {
        rc = ofsi_write_doc(b, c->id, d->docid, old ? old->id : 0, d, hash, (long long)len,
                            mtime, errmsg);
        if (rc == SQLITE_CONSTRAINT) { /* a new id that appeared earlier in this file */
            ofsi_build_warn(b, display, lineno, "duplicate id \"%s\", skipped", d->docid);
            b->sum->failed++;
            rc = OFS_OK;
        } else if (rc == OFS_OK) {
            if (old)
                b->sum->updated++, old->seen = 1;
            else
                b->sum->added++;
        }
    }
    ofsi_doc_rows_free(d);
    return rc;
}

int ofsi_build_jsonl(ofsi_build *b, ofsi_coll *c, ofsi_old_docs *olds, char **errmsg)
{
    char *display = ofsi_join_path(c->root, c->files[0].rel);
    FILE *fp = fopen(display, "rb");
    if (!fp) {
        ofsi_build_warn(b, display, 0, "cannot read: %s", strerror(errno));
        b->sum->failed++;
        for (size_t i = 0; i < olds->n; i++) /* keep what we had */
            olds->v[i].seen = 1;
        free(display);
        return OFS_OK;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = OFS_OK;
    while (rc == OFS_OK && (len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        rc = jsonl_line(b, c, olds, display, lineno, line, (size_t)len, c->files[0].mtime,
                        errmsg);
        b->prog.bytes_done += (double)len;
        if (lineno % 4096 == 0)
            ofsi_build_progress(b);
    }
    if (rc == OFS_OK && ferror(fp)) {
        ofsi_build_warn(b, display, lineno, "read error: %s", strerror(errno));
        b->sum->failed++;
        for (size_t i = 0; i < olds->n; i++)
            olds->v[i].seen = 1;
    }
    free(line);
    fclose(fp);
    free(display);
    b->prog.files_done++;
    ofsi_build_progress(b);
    return rc;
}
