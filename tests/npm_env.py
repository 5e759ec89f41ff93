"""npm packages for the tests that drive ofsearchd with the ecosystem's own clients, installed
once into a cache outside the source tree: $OFS_NPM_CACHE, else ~/.cache/ofsearch-npm. Each
set of packages gets its own directory (two of them need different versions of `meilisearch`).
The versions are pinned here; a test skips (exit 77) with the reason when node or npm is
missing or npm cannot reach its registry."""
import json
import os
import shutil
import subprocess

# name -> the packages of that directory, pinned.
SETS = {
    # the official JS client, the MCP TypeScript SDK (1.x: the 2025-11-25 handshake) and its v2
    # client (2026-07-28: stateless, server/discover), and a Chromium driver
    "client": ["meilisearch@0.62.0", "@modelcontextprotocol/sdk@1.32.2",
               "@modelcontextprotocol/client@2.4.0", "playwright-core@1.65.2"],
    # what the pages load: InstantSearch.js with instant-meilisearch (which wants meilisearch
    # 0.57) and meilisearch-docsearch (its own bundle)
    "ui": ["@meilisearch/instant-meilisearch@0.31.3", "instantsearch.js@4.118.1",
           "meilisearch-docsearch@0.8.0"],
}


def cache_root():
    return os.environ.get("OFS_NPM_CACHE") or os.path.join(os.path.expanduser("~"), ".cache",
                                                           "ofsearch-npm")


def installed(d, specs):
    for spec in specs:
        name, _, version = spec.rpartition("@")
        try:
            with open(os.path.join(d, "node_modules", name, "package.json")) as f:
                if json.load(f).get("version") != version:
                    return False
        except (OSError, ValueError):
            return False
    return True


def ensure(which):
    """The directory holding node_modules/ for SETS[which], or (None, why) to skip."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node or npm is not installed"
    d = os.path.join(cache_root(), which)
    specs = SETS[which]
    if installed(d, specs):
        return d, None
    os.makedirs(d, exist_ok=True)
    pkg = os.path.join(d, "package.json")
    if not os.path.exists(pkg):
        with open(pkg, "w") as f:
            f.write('{"private": true}\n')
    try:
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"] +
                           specs, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600)
    except subprocess.TimeoutExpired:
        return None, "npm install timed out (registry unreachable?)"
    if r.returncode != 0 or not installed(d, specs):
        tail = r.stderr.decode(errors="replace").strip().splitlines()[-3:]
        return None, "npm install %s failed: %s" % (" ".join(specs), " | ".join(tail))
    return d, None
