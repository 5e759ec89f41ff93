/* `ofsearch snapshot` and `ofsearch verify`: write a consistent, compacted, hashed copy of an
 * index with its manifest, and check one before serving it (include/ofsearch/snapshot.h). */
#include "commands.h"

#include "util.h"
#include "ofsearch/ofsearch.h"
#include "ofsearch/snapshot.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* `ofsearch verify` exit statuses, one per failed check (docs/cli.md). */
enum {
    VERIFY_OK = 0,
    VERIFY_NO_FILE = 1,
    VERIFY_USAGE = 2,
    VERIFY_BAD_MANIFEST = 3,
    VERIFY_BAD_HASH = 4,
    VERIFY_BAD_INTEGRITY = 5,
    VERIFY_BAD_INDEX = 6
};

static void snapshot_usage(FILE *out)
{
    fprintf(out,
            "usage: ofsearch snapshot [--db PATH|DIR] [--force] [--keep N] [--quiet] OUT|DIR\n"
            "\n"
            "Writes a consistent, compacted copy of the index to OUT (the index may be live:\n"
            "searched, updated or rebuilt meanwhile; the copy is the index as of one commit)\n"
            "and its manifest to OUT.json (SHA-256 of OUT's bytes, schema version, documents,\n"
            "sections, built-at, ofsearch version). Both are written under temporary names and\n"
            "renamed into place when complete. Check a snapshot with `ofsearch verify OUT`.\n"
            "\n"
            "  --db PATH   the index (default $OFSEARCH_DB, else ofsearch.db); a directory of\n"
            "              snapshots: the newest one in it that verifies\n"
            "  OUT         a file; or a directory, in which the snapshot is named\n"
            "              index-YYYYMMDDTHHMMSSZ.db (UTC, when taken)\n"
            "  --keep N    OUT a directory: then remove its snapshots beyond the N newest\n"
            "  --force     replace OUT if it exists (refused otherwise)\n"
            "  --quiet     print nothing on success\n"
            "\n"
            "Exit status: 0 written, 1 not written (the message says why), 2 usage error.\n");
}

static void verify_usage(FILE *out)
{
    fprintf(out,
            "usage: ofsearch verify [--quiet] SNAPSHOT\n"
            "\n"
            "Checks a snapshot made by `ofsearch snapshot` against SNAPSHOT.json: the file's size\n"
            "and SHA-256, SQLite's integrity check, and that this ofsearch opens it as an index of\n"
            "its schema holding the manifest's documents and sections and answers a search.\n"
            "Opens nothing for writing.\n"
            "\n"
            "Exit status:\n"
            "  0  verified\n"
            "  1  the snapshot file is missing or unreadable\n"
            "  2  usage error\n"
            "  3  the manifest (SNAPSHOT.json) is missing, unreadable or malformed\n"
            "  4  size or SHA-256 differ from the manifest\n"
            "  5  SQLite's integrity check failed\n"
            "  6  not an index this ofsearch serves (another schema version, contents other than\n"
            "     the manifest says, a failed probe search)\n");
}

int cmd_snapshot(int argc, char **argv)
{
    const char *db = default_db_path(), *out = NULL;
    int force = 0, quiet = 0, keep = 0;
    long v;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            snapshot_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--keep") && i + 1 < argc &&
                   !ofsi_parse_long(argv[i + 1], 1, INT_MAX, &v)) {
            keep = (int)v;
            i++;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            db = argv[++i];
        } else if (!strcmp(argv[i], "--force")) {
            force = 1;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (argv[i][0] != '-' && !out) {
            out = argv[i];
        } else {
            fprintf(stderr, "ofsearch snapshot: unexpected argument '%s'\n", argv[i]);
            snapshot_usage(stderr);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "ofsearch snapshot: no OUT path given\n");
        snapshot_usage(stderr);
        return 2;
    }
    struct stat sb;
    int out_dir = stat(out, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (keep && !out_dir) {
        fprintf(stderr, "ofsearch snapshot: --keep needs OUT to be a directory\n");
        return 2;
    }
    ofs_snapshot_manifest m;
    char *err = NULL, *source = NULL, *written = NULL;
    int rc = OFS_OK, removed = 0;
    if (stat(db, &sb) == 0 && S_ISDIR(sb.st_mode))
        rc = ofs_snapshot_newest(db, &source, NULL, &err);
    if (rc == OFS_OK)
        rc = ofs_snapshot_create(source ? source : db, out, force, &m, &written, &err);
    if (rc == OFS_OK && keep)
        rc = ofs_snapshot_prune(out, keep, &removed, &err);
    if (rc != OFS_OK) {
        fprintf(stderr, "ofsearch snapshot: %s\n", err ? err : ofs_strerror(rc));
        free(err);
    } else if (!quiet) {
        printf("%s: %ld documents, %ld sections, %.1f MB, sha256 %s", written, m.documents,
               m.sections, m.size_bytes / 1e6, m.sha256);
        if (source)
            printf(", from %s", source);
        if (keep)
            printf(", %d older removed", removed);
        printf("\n");
    }
    free(source);
    free(written);
    return rc == OFS_OK ? 0 : 1;
}

int cmd_verify(int argc, char **argv)
{
    const char *path = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            verify_usage(stdout);
            return VERIFY_OK;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            fprintf(stderr, "ofsearch verify: unexpected argument '%s'\n", argv[i]);
            verify_usage(stderr);
            return VERIFY_USAGE;
        }
    }
    if (!path) {
        fprintf(stderr, "ofsearch verify: no SNAPSHOT given\n");
        verify_usage(stderr);
        return VERIFY_USAGE;
    }
    ofs_snapshot_manifest m;
    ofs_snapshot_check failed = OFS_SNAPSHOT_PASSED;
    char *err = NULL;
    int rc = ofs_snapshot_verify(path, &m, &failed, &err);
    if (rc == OFS_OK) {
        if (!quiet)
            printf("%s: verified: %ld documents, %ld sections, built %s, sha256 %s\n", path,
                   m.documents, m.sections, m.built_at[0] ? m.built_at : "never", m.sha256);
        return VERIFY_OK;
    }
    fprintf(stderr, "ofsearch verify: %s\n", err ? err : ofs_strerror(rc));
    free(err);
    switch (failed) {
    case OFS_SNAPSHOT_BAD_MANIFEST: return VERIFY_BAD_MANIFEST;
    case OFS_SNAPSHOT_BAD_HASH: return VERIFY_BAD_HASH;
    case OFS_SNAPSHOT_BAD_INTEGRITY: return VERIFY_BAD_INTEGRITY;
    case OFS_SNAPSHOT_BAD_INDEX: return VERIFY_BAD_INDEX;
    default: return VERIFY_NO_FILE;
    }
}
