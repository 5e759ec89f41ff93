#!/bin/sh
# The out-of-memory policy holds only while the library allocates through lib/alloc.c: this
# lists any call to the C allocator (or to a libc function that allocates, such as strdup) made
# elsewhere in lib/ or indexer/ and fails when there is one.
#   usage: check_alloc_calls.sh SOURCE_ROOT
root=${1:-.}
found=$(grep -nE '(^|[^_[:alnum:]])(malloc|calloc|realloc|strdup|strndup|asprintf|vasprintf|reallocarray)[[:space:]]*\(' \
        "$root"/lib/*.c "$root"/indexer/*.c | grep -v '^[^:]*/lib/alloc\.c:' | grep -vE ':[0-9]+:\s*(/\*|\*)')
if [ -n "$found" ]; then
    echo "allocations outside lib/alloc.c (use the ofsi_x* functions of lib/alloc.h):"
    echo "$found"
    exit 1
fi
echo "every allocation in lib/ and indexer/ goes through lib/alloc.c"
