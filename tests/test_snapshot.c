/* Tests of lib/snapshot.c: a snapshot is a rollback-journal copy with a matching manifest and
 * no stray files; verify passes it without changing a byte and names the check each kind of
 * damage fails (missing or malformed manifest, wrong hash or size, corrupt pages, not an
 * index, another schema, counts other than the manifest's); refusals leave nothing behind. */
#include "check.h"

#include "ofsearch/index.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/snapshot.h"

#include <dirent.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int copy_file(const char *from, const char *to)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    return system(cmd);
}

/* Builds a small index of three pages (a live WAL index, as `ofsearch index` leaves it). */
static void build_index(const char *db)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/docs", tmpdir);
    mkdir(dir, 0755);
    const char *pages[] = {"a.md", "# Alpha\n\nThe alpha page talks about indexes.\n\n## More\n\nx\n",
                           "b.md", "# Beta\n\nBeta snapshots the index.\n",
                           "c.md", "# Gamma\n\nGamma verifies.\n"};
    for (int i = 0; i < 6; i += 2) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, pages[i]);
        write_file(p, pages[i + 1]);
    }
    ofs_index *idx = NULL;
    char *err = NULL;
    ofs_build_summary sum;
    ofs_collection_spec spec = {"docs", dir, NULL};
    CHECK_INT(ofs_index_open(db, OFS_OPEN_CREATE, NULL, &idx, &err), OFS_OK);
    CHECK_INT(ofs_index_build(idx, &spec, 1, NULL, &sum, &err), OFS_OK);
    CHECK_MSG(err == NULL, "%s", err);
    free(err);
    ofs_index_close(idx);
}

/* Files in tmpdir whose name starts with prefix. */
static int count_files(const char *prefix)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* Sets key of the JSON file at path to an integer or string value (one of them non-NULL). */
static void edit_manifest(const char *path, const char *key, const char *str, long long num)
{
    json_t *o = json_load_file(path, 0, NULL);
    CHECK(o != NULL);
    if (!o)
        return;
    json_object_set_new(o, key, str ? json_string(str) : json_integer(num));
    CHECK_INT(json_dump_file(o, path, JSON_INDENT(2)), 0);
    json_decref(o);
}

/* Rewrites snap's manifest to the file's current hash and size, so a check after the hash runs. */
static void rehash(const char *snap)
{
    char hex[65], json[600];
    long long size = 0;
    CHECK_INT(ofs_snapshot_hash_file(snap, hex, &size, NULL), OFS_OK);
    snprintf(json, sizeof json, "%s.json", snap);
    edit_manifest(json, "sha256", hex, 0);
    edit_manifest(json, "size_bytes", NULL, size);
}

static ofs_snapshot_check verify_check(const char *snap, int *rc_out)
{
    ofs_snapshot_check failed = OFS_SNAPSHOT_PASSED;
    char *err = NULL;
    int rc = ofs_snapshot_verify(snap, NULL, &failed, &err);
    if (rc != OFS_OK)
        CHECK_MSG(err != NULL && *err, "a failed verify says why");
    free(err);
    if (rc_out)
        *rc_out = rc;
    return failed;
}

static void test_create_and_verify(const char *db)
{
    char snap[512];
    snprintf(snap, sizeof snap, "%s", tmp_path("snap.db"));
    ofs_snapshot_manifest m;
    char *err = NULL;
    CHECK_INT(ofs_snapshot_create(db, snap, 0, &m, NULL, &err), OFS_OK);
    CHECK_MSG(err == NULL, "%s", err);
    free(err);
    CHECK_INT(m.documents, 3);
    CHECK_INT(m.sections, 4);
    CHECK_INT(m.schema_version, OFS_SCHEMA_VERSION);
    CHECK_STR(m.version, OFS_VERSION);
    CHECK_STR(m.file, "snap.db");
    CHECK_STR(m.tokenizer, OFS_DEFAULT_TOKENIZER);
    CHECK(m.built_at[0] != '\0' && m.snapshot_at[0] != '\0');

    /* The manifest on disk says what create returned, and the hash is the file's. */
    ofs_snapshot_manifest r;
    CHECK_INT(ofs_snapshot_manifest_read(tmp_path("snap.db.json"), &r, NULL), OFS_OK);
    CHECK_STR(r.sha256, m.sha256);
    CHECK_INT(r.size_bytes, m.size_bytes);
    CHECK_STR(r.built_at, m.built_at);
    char hex[65];
    long long size = 0;
    CHECK_INT(ofs_snapshot_hash_file(snap, hex, &size, NULL), OFS_OK);
    CHECK_STR(hex, m.sha256);
    CHECK_INT(size, m.size_bytes);

    /* Rollback journal in the header (bytes 18-19 are 2 in WAL mode), and nothing beside it:
     * no -wal, -shm or temporary file. */
    FILE *f = fopen(snap, "rb");
    unsigned char hdr[20] = {0};
    CHECK(f && fread(hdr, 1, sizeof hdr, f) == sizeof hdr);
    if (f)
        fclose(f);
    CHECK_INT(hdr[18], 1);
    CHECK_INT(hdr[19], 1);
    CHECK_INT(count_files("snap.db"), 2);

    /* Verify passes and leaves the bytes and the directory as they were. */
    int rc = 0;
    CHECK_INT(verify_check(snap, &rc), OFS_SNAPSHOT_PASSED);
    CHECK_INT(rc, OFS_OK);
    CHECK_INT(ofs_snapshot_hash_file(snap, hex, NULL, NULL), OFS_OK);
    CHECK_STR(hex, m.sha256);
    CHECK_INT(count_files("snap.db"), 2);

    /* A snapshot is an index like any other. */
    ofs_index *idx = NULL;
    CHECK_INT(ofs_index_open(snap, OFS_OPEN_READONLY, NULL, &idx, NULL), OFS_OK);
    ofs_index_close(idx);
}

static void test_refusals(const char *db)
{
    char snap[512];
    snprintf(snap, sizeof snap, "%s", tmp_path("snap.db"));
    char *err = NULL;
    /* An existing target is kept unless asked; the index itself never. */
    CHECK_INT(ofs_snapshot_create(db, snap, 0, NULL, NULL, &err), OFS_INVALID);
    CHECK(err && strstr(err, "exists"));
    CHECK_INT(ofs_snapshot_create(db, db, 1, NULL, NULL, &err), OFS_INVALID);
    CHECK(err && strstr(err, "index itself"));
    CHECK_INT(ofs_snapshot_create(db, snap, 1, NULL, NULL, &err), OFS_OK);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_PASSED);

    /* A source that is not an index, or is missing; a target in a missing directory: an error,
     * and no file of any name left behind. */
    write_file(tmp_path("plain.txt"), "not a database at all, just some text of some length\n");
    CHECK_INT(ofs_snapshot_create(tmp_path("plain.txt"), tmp_path("bad.db"), 0, NULL, NULL,
                                  &err),
              OFS_INVALID);
    CHECK_INT(ofs_snapshot_create(tmp_path("missing.db"), tmp_path("bad.db"), 0, NULL, NULL,
                                  &err),
              OFS_IO);
    CHECK_INT(count_files("bad.db"), 0);
    CHECK(ofs_snapshot_create(db, tmp_path("nodir/x.db"), 0, NULL, NULL, &err) != OFS_OK);
    CHECK_INT(count_files("snap.db"), 2);
    free(err);
}

static void test_manifest_problems(void)
{
    char snap[512];
    snprintf(snap, sizeof snap, "%s", tmp_path("m.db"));
    char json[512];
    snprintf(json, sizeof json, "%s", tmp_path("m.db.json"));
    CHECK_INT(copy_file(tmp_path("snap.db"), snap), 0);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_MANIFEST); /* none */
    const char *bad[] = {
        "", "{", "[]", "{\"format\": \"ofsearch-snapshot/2\"}", "{\"format\": \"ofsearch-snapshot/1\"}",
        "{\"format\": \"ofsearch-snapshot/1\", \"sha256\": \"ABC\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(json, bad[i]);
        CHECK_MSG(verify_check(snap, NULL) == OFS_SNAPSHOT_BAD_MANIFEST, "manifest '%s'", bad[i]);
    }
    /* A good manifest with one field gone or of the wrong type. */
    const char *fields[] = {"sha256", "size_bytes", "documents", "sections", "schema_version",
                            "built_at", "ofsearch_version", "tokenizer", "file"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        CHECK_INT(copy_file(tmp_path("snap.db.json"), json), 0);
        json_t *o = json_load_file(json, 0, NULL);
        json_object_del(o, fields[i]);
        json_dump_file(o, json, 0);
        json_decref(o);
        CHECK_MSG(verify_check(snap, NULL) == OFS_SNAPSHOT_BAD_MANIFEST, "without %s", fields[i]);
    }
    CHECK_INT(copy_file(tmp_path("snap.db.json"), json), 0);
    edit_manifest(json, "documents", "3", 0);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_MANIFEST);
    CHECK_INT(copy_file(tmp_path("snap.db.json"), json), 0);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_PASSED);
    CHECK_INT(verify_check(tmp_path("none.db"), NULL), OFS_SNAPSHOT_BAD_FILE);
}

static void test_hash_problems(void)
{
    char snap[512];
    snprintf(snap, sizeof snap, "%s", tmp_path("h.db"));
    char json[512];
    snprintf(json, sizeof json, "%s", tmp_path("h.db.json"));
    CHECK_INT(copy_file(tmp_path("snap.db"), snap), 0);
    CHECK_INT(copy_file(tmp_path("snap.db.json"), json), 0);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_PASSED);
    /* One hex digit of the hash changed. */
    ofs_snapshot_manifest m;
    CHECK_INT(ofs_snapshot_manifest_read(json, &m, NULL), OFS_OK);
    m.sha256[10] = m.sha256[10] == '0' ? '1' : '0';
    edit_manifest(json, "sha256", m.sha256, 0);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_HASH);
    /* The right hash, one byte more in the file (SQLite ignores trailing bytes; we do not). */
    CHECK_INT(copy_file(tmp_path("snap.db.json"), json), 0);
    FILE *f = fopen(snap, "ab");
    CHECK(f && fputc(0, f) == 0);
    if (f)
        fclose(f);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_HASH);
}

/* Overwrites len bytes at off with the byte b. */
static void scribble(const char *path, long off, int len, int b)
{
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (!f)
        return;
    fseek(f, off, SEEK_SET);
    for (int i = 0; i < len; i++)
        fputc(b, f);
    fclose(f);
}

static void test_corruption(void)
{
    char snap[512];
    snprintf(snap, sizeof snap, "%s", tmp_path("c.db"));
    char json[512];
    snprintf(json, sizeof json, "%s", tmp_path("c.db.json"));
    struct stat sb;
    CHECK_INT(copy_file(tmp_path("snap.db"), snap), 0);
    CHECK_INT(copy_file(tmp_path("snap.db.json"), json), 0);
    CHECK_INT(stat(snap, &sb), 0);
    long pages = (long)sb.st_size / 4096;
    /* A page of the file turned to garbage: the hash catches it first... */
    scribble(snap, (pages - 1) * 4096L, 4096, 0x5a);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_HASH);
    /* ...and with a manifest rewritten to match (a snapshot damaged before it was hashed, or a
     * forged manifest), SQLite's integrity check does. */
    rehash(snap);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_INTEGRITY);

    /* The database header destroyed: not a database. */
    CHECK_INT(copy_file(tmp_path("snap.db"), snap), 0);
    scribble(snap, 0, 16, 'x');
    rehash(snap);
    ofs_snapshot_check c = verify_check(snap, NULL);
    CHECK_MSG(c == OFS_SNAPSHOT_BAD_INDEX || c == OFS_SNAPSHOT_BAD_INTEGRITY, "got %d", c);
}

static void test_not_an_index(void)
{
    /* A sound SQLite database that is not an ofsearch index. */
    char snap[512];
    snprintf(snap, sizeof snap, "%s", tmp_path("n.db"));
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(snap, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(copy_file(tmp_path("snap.db.json"), tmp_path("n.db.json")), 0);
    rehash(snap);
    CHECK_INT(verify_check(snap, NULL), OFS_SNAPSHOT_BAD_INDEX);

    /* An index of another schema version. */
    char old[512];
    snprintf(old, sizeof old, "%s", tmp_path("o.db"));
    CHECK_INT(copy_file(tmp_path("snap.db"), old), 0);
    CHECK_INT(copy_file(tmp_path("snap.db.json"), tmp_path("o.db.json")), 0);
    CHECK_INT(sqlite3_open(old, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", NULL,
                           NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    rehash(old);
    CHECK_INT(verify_check(old, NULL), OFS_SNAPSHOT_BAD_INDEX);

    /* The right file under a manifest that counts other documents. */
    char cnt[512];
    snprintf(cnt, sizeof cnt, "%s", tmp_path("k.db"));
    CHECK_INT(copy_file(tmp_path("snap.db"), cnt), 0);
    CHECK_INT(copy_file(tmp_path("snap.db.json"), tmp_path("k.db.json")), 0);
    edit_manifest(tmp_path("k.db.json"), "documents", NULL, 4);
    CHECK_INT(verify_check(cnt, NULL), OFS_SNAPSHOT_BAD_INDEX);
}

/* A directory of snapshots: names of their own, the newest that verifies, pruning. */
static void test_directory(const char *db)
{
    char dir[512], paths[3][600];
    snprintf(dir, sizeof dir, "%s", tmp_path("snaps"));
    mkdir(dir, 0755);
    for (int i = 0; i < 3; i++) {
        char *written = NULL;
        CHECK_INT(ofs_snapshot_create(db, dir, 0, NULL, &written, NULL), OFS_OK);
        CHECK(written && strstr(written, "/snaps/index-") && strstr(written, ".db"));
        snprintf(paths[i], sizeof paths[i], "%s", written ? written : "");
        free(written);
        /* Taken one second apart, as far as the manifests say. */
        char json[2000], at[32];
        snprintf(json, sizeof json, "%s.json", paths[i]);
        snprintf(at, sizeof at, "2026-01-01T00:00:0%dZ", i + 1);
        edit_manifest(json, "snapshot_at", at, 0);
    }
    CHECK(strcmp(paths[0], paths[1]) && strcmp(paths[1], paths[2]) && strcmp(paths[0], paths[2]));
    char stray[600];
    snprintf(stray, sizeof stray, "%s/notes.txt", dir);
    write_file(stray, "not a snapshot\n");

    char *newest = NULL;
    ofs_snapshot_manifest m;
    CHECK_INT(ofs_snapshot_newest(dir, &newest, &m, NULL), OFS_OK);
    CHECK_STR(newest, paths[2]);
    CHECK_STR(m.snapshot_at, "2026-01-01T00:00:03Z");
    free(newest);
    /* The newest damaged: the one before it. */
    FILE *f = fopen(paths[2], "ab");
    if (f) {
        fputc('x', f);
        fclose(f);
    }
    CHECK_INT(ofs_snapshot_newest(dir, &newest, NULL, NULL), OFS_OK);
    CHECK_STR(newest, paths[1]);
    free(newest);

    /* keep 1: the newest by time stays, and so does the newest that verifies; the oldest goes,
     * the stray file does not. */
    int removed = -1;
    CHECK_INT(ofs_snapshot_prune(dir, 1, &removed, NULL), OFS_OK);
    CHECK_INT(removed, 1);
    CHECK(access(paths[0], F_OK) != 0);
    CHECK(access(paths[1], F_OK) == 0 && access(paths[2], F_OK) == 0);
    CHECK(access(stray, F_OK) == 0);
    CHECK_INT(ofs_snapshot_prune(dir, 0, NULL, NULL), OFS_INVALID);

    /* Nothing verifies: not found, and the message says why. */
    char *err = NULL;
    unlink(paths[1]);
    CHECK_INT(ofs_snapshot_newest(dir, &newest, NULL, &err), OFS_NOTFOUND);
    CHECK(newest == NULL && err && strstr(err, "no verified snapshot") && strstr(err, "match"));
    free(err);
    err = NULL;
    CHECK_INT(ofs_snapshot_newest(tmp_path("nodir"), &newest, NULL, &err), OFS_NOTFOUND);
    free(err);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ofs_test_snapshot_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char db[512];
    snprintf(db, sizeof db, "%s", tmp_path("index.db"));
    build_index(db);
    test_create_and_verify(db);
    test_refusals(db);
    test_manifest_problems();
    test_hash_problems();
    test_corruption();
    test_not_an_index();
    test_directory(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_summary("test_snapshot");
}
