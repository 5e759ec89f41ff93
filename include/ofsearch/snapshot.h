/* Index snapshots: a consistent, compacted, immutable copy of an index with a manifest beside it
 * (PATH.json), for shipping one index to many replicas and checking it arrived intact.
 *
 * A snapshot is an ordinary index file in rollback-journal mode (no -wal/-shm ever), written
 * once and then only read. Its content hash is the SHA-256 of the file's bytes exactly as
 * they stand under PATH once the snapshot is finished: made with VACUUM INTO, checked, fsync'd,
 * renamed into place. Opening it read-only never changes a byte, so a replica can recompute the
 * hash at any time; anything that opens it read-write (`ofsearch index --db PATH`) may change
 * the bytes and the snapshot then no longer verifies — by design. */
#ifndef OFSEARCH_SNAPSHOT_H
#define OFSEARCH_SNAPSHOT_H

#include "ofsearch/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The manifest's "format" value; a reader refuses other formats. */
#define OFS_SNAPSHOT_FORMAT "ofsearch-snapshot/1"

typedef struct {
    char sha256[65];         /* lowercase hex SHA-256 of the snapshot file */
    long long size_bytes;    /* the snapshot file's size */
    int schema_version;      /* index schema (OFS_SCHEMA_VERSION of the writer) */
    long documents, sections;
    char built_at[64];       /* when the source index was last built (its meta built_at) */
    char snapshot_at[64];    /* when the snapshot was taken, ISO 8601 UTC */
    char version[32];        /* ofsearch version that wrote the snapshot */
    char tokenizer[256];     /* the index's tokenizer options */
    char file[256];          /* the snapshot's file name (no directory) */
} ofs_snapshot_manifest;

/* Which check a snapshot failed (ofs_snapshot_verify); the CLI maps each to an exit status. */
typedef enum {
    OFS_SNAPSHOT_PASSED = 0,
    OFS_SNAPSHOT_BAD_FILE,      /* the snapshot file is missing or unreadable */
    OFS_SNAPSHOT_BAD_MANIFEST,  /* PATH.json is missing, unreadable or malformed */
    OFS_SNAPSHOT_BAD_HASH,      /* size or SHA-256 differs from the manifest */
    OFS_SNAPSHOT_BAD_INTEGRITY, /* SQLite's integrity_check found damage */
    OFS_SNAPSHOT_BAD_INDEX      /* not an index this ofsearch serves: another schema, contents
                                   other than the manifest says, or a probe search failed */
} ofs_snapshot_check;

/* The manifest's path for a snapshot path: path + ".json". Malloc'd. */
char *ofs_snapshot_manifest_path(const char *path);

/* Writes a snapshot of the index at db_path (which may be live: being searched, or updated or
 * rebuilt by `ofsearch index` — the copy is one read transaction, so it is the index as of one
 * commit) to out_path, and its manifest to out_path.json. Both are written under temporary
 * names next to out_path and renamed into place only when complete and checked (SQLite's and
 * FTS5's integrity checks), so out_path never names a half-written file. An existing out_path
 * is refused (OFS_INVALID) unless overwrite is set. When out_path is a directory, the snapshot
 * goes to out_path/index-YYYYMMDDTHHMMSSZ.db (when it was taken; "-1", "-2"... appended if that
 * name is taken). *m (may be NULL) gets the manifest, *written (may be NULL) the path written
 * (malloc'd; NULL on failure). */
int ofs_snapshot_create(const char *db_path, const char *out_path, int overwrite,
                        ofs_snapshot_manifest *m, char **written, char **errmsg);

/* Snapshots in a directory (what a CronJob writes and replicas read) are files DIR/NAME.db,
 * each with its manifest DIR/NAME.db.json. */

/* The newest snapshot in dir (latest snapshot_at, then file modification time, then name) that passes ofs_snapshot_verify;
 * *path malloc'd, *m (may be NULL) its manifest. OFS_NOTFOUND when none verifies (the message
 * says how many were tried and why the newest failed). */
int ofs_snapshot_newest(const char *dir, char **path, ofs_snapshot_manifest *m, char **errmsg);

/* Removes the snapshots of dir (files with a manifest of OFS_SNAPSHOT_FORMAT, and their
 * manifests) beyond the keep newest by snapshot_at, except the newest that verifies (replicas
 * starting need it); other files are never touched. keep >= 1.
 * *removed (may be NULL) gets how many snapshots went. */
int ofs_snapshot_prune(const char *dir, int keep, int *removed, char **errmsg);

/* Checks the snapshot at path against its manifest: the manifest reads, the file's size and
 * SHA-256 match it, PRAGMA integrity_check says ok, and the library opens it as an index of
 * this schema holding the manifest's documents and sections and answers a probe search. Opens
 * nothing read-write (works on a read-only volume). Returns OFS_OK when every check passed;
 * otherwise an error code, *failed (may be NULL) the first check that failed and *errmsg why.
 * *m (may be NULL) gets the manifest when it could be read. */
int ofs_snapshot_verify(const char *path, ofs_snapshot_manifest *m, ofs_snapshot_check *failed,
                        char **errmsg);

/* Reads a manifest file. OFS_NOTFOUND when it does not exist, OFS_INVALID when it is not a
 * manifest of OFS_SNAPSHOT_FORMAT with every field. */
int ofs_snapshot_manifest_read(const char *manifest_path, ofs_snapshot_manifest *m,
                               char **errmsg);

/* The content hash of a file: lowercase hex SHA-256 of its bytes into hex, and its size. */
int ofs_snapshot_hash_file(const char *path, char hex[65], long long *size, char **errmsg);

#ifdef __cplusplus
}
#endif

#endif
