#!/usr/bin/env bash
# Builds the ofsearch container image from Debian packages, without any registry image:
#   1. release builds of ofsearchd and ofsearch (meson, stripped);
#   2. a root file system holding only the Debian packages that own the libraries the two binaries
#      load (found with ldd + dpkg -S, extracted by `mmdebstrap --variant=extract` from the apt
#      sources this machine uses), less documentation and package-manager state;
#   3. an image `buildah from scratch` + that tree: user 10001, the index as the volume /data,
#      port 8080, HEALTHCHECK `ofsearch healthcheck` (GET /healthz; no curl, no shell).
# Prints the image's size. Run the image with a read-only root file system:
#   podman run --read-only -v /srv/snapshots:/data:ro -p 8080:8080 localhost/ofsearch:latest
# usage: deploy/container/build.sh [IMAGE] (as root; needs meson, mmdebstrap, buildah)
#   BUILD_DIR (default build-image) is where the release binaries are built; CONTAINERS_CONF
#   defaults to deploy/container/containers.conf (runc; see that file).
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-localhost/ofsearch:latest}
build=${BUILD_DIR:-build-image}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/container/containers.conf}
for tool in meson ninja mmdebstrap buildah ldd dpkg; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing" >&2; exit 1; }
done

# 1. Binaries: optimised, no debug information, no assertions.
[ -d "$build" ] || meson setup "$build" -Dbuildtype=release -Db_ndebug=true -Dstrip=true >/dev/null
ninja -C "$build" searchd/ofsearchd indexer/ofsearch >/dev/null
bins=("$build/searchd/ofsearchd" "$build/indexer/ofsearch")

# 2. The packages owning every library the binaries load (merged /usr: try both spellings).
pkgs=()
while read -r lib; do
    owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null) || {
        echo "build.sh: no Debian package owns $lib" >&2; exit 1; }
    pkgs+=("${owner%%:*}")
done < <(ldd "${bins[@]}" | awk '/=> \// {print $3}' | sort -u)
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirrors=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && mirrors+=("$f")
done
work=$(mktemp -d /tmp/ofsearch-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
echo "== root file system: ${pkgs[*]} (+ their dependencies) from $suite" >&2
mmdebstrap --quiet --variant=extract --skip=cleanup/apt/cache \
    --include="$(IFS=,; echo "${pkgs[*]}")" "$suite" "$rootfs" "${mirrors[@]}"

# What was extracted, for the record (the package database itself is not kept).
mkdir -p "$rootfs/usr/share/ofsearch"
find "$rootfs/var/cache/apt/archives" -name '*.deb' -printf '%f\n' | sed 's/_[^_]*\.deb$//; s/%3a/:/' |
    sort > "$rootfs/usr/share/ofsearch/packages.txt"
rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian,bug,gcc,gdb} "$rootfs"/var/{cache,lib,log} \
       "$rootfs"/etc/{apt,dpkg} "$rootfs"/usr/lib/x86_64-linux-gnu/gconv \
       "$rootfs"/usr/{bin,sbin} "$rootfs"/{bin,sbin} "$rootfs"/dev/* 2>/dev/null || true
mkdir -p "$rootfs/usr/bin" "$rootfs/data" "$rootfs/tmp" "$rootfs/etc"
install -m 0755 -s "${bins[@]}" "$rootfs/usr/bin/"  # stripped, whatever the build type
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/:/nonexistent\nofsearch:x:10001:10001:ofsearch:/data:/nonexistent\n' \
    > "$rootfs/etc/passwd"
printf 'root:x:0:\nofsearch:x:10001:\n' > "$rootfs/etc/group"
chown 10001:10001 "$rootfs/data"

# 3. The image.
echo "== image $image" >&2
export BUILDAH_FORMAT=docker # the OCI image config has no HEALTHCHECK field
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$rootfs" / >/dev/null
buildah config \
    --user 10001:10001 --workingdir /data --port 8080 --volume /data \
    --env OFSEARCH_DB=/data/index.db --env OFSEARCH_LISTEN=0.0.0.0:8080 \
    --entrypoint '["/usr/bin/ofsearchd"]' --cmd '[]' \
    --healthcheck 'CMD /usr/bin/ofsearch healthcheck' \
    --healthcheck-interval 10s --healthcheck-timeout 3s --healthcheck-retries 3 \
    --healthcheck-start-period 5s \
    --label org.opencontainers.image.title=ofsearch \
    --label org.opencontainers.image.version="$("${bins[1]}" --version | cut -d' ' -f2)" \
    "$ctr"
buildah commit --quiet --rm "$ctr" "$image" >/dev/null
echo "packages: $(tr '\n' ' ' < "$rootfs/usr/share/ofsearch/packages.txt")"
echo "largest files:"
find "$rootfs" -type f -printf '%s %P\n' | sort -rn | head -5 |
    awk '{printf "  %6.1f MB  /%s\n", $1 / 1e6, $2}'
size=$(buildah inspect --type image --format '{{.ImageSize}}' "$image" 2>/dev/null ||
       du -sb "$rootfs" | cut -f1)
echo "image $image: $size bytes ($(numfmt --to=si --round=nearest --suffix=B "$size"))"
