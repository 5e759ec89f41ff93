#!/usr/bin/env bash
# The main job on the default corpus: build, index corpus/ (collection operate-first) and docs/
# (collection ofsearch-docs), then serve them with ofsearchd on 127.0.0.1 and print the URL.
# PORT (default 8080) and DB (default build/ofsearch.db) may be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -d build ] || meson setup build -Dbuildtype=debugoptimized >/dev/null
ninja -C build >/dev/null
db=${DB:-build/ofsearch.db}
build/indexer/ofsearch index --db "$db" \
    --collection operate-first=corpus/operate-first \
    --collection ofsearch-docs=docs
exec build/searchd/ofsearchd --db "$db" --listen "127.0.0.1:${PORT:-8080}" \
    --synonyms corpus/synonyms.txt
