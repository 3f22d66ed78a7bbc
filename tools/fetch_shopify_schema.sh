#!/usr/bin/env bash
# Shopify's published Admin GraphQL schema, one introspection file per supported API version,
# into .cache/shopify-schema/ (never committed): the judge of the simulator and of every
# document the addon sends (docs/SCHEMA_CONTRACT.md).
#
# The files come from the npm package pinned in shopify_simulator/shopify_schema.py (PACKAGE,
# PACKAGE_INTEGRITY), fetched with `npm pack`, checked against the pinned sha512, and only its
# dist/data/admin_<version>.json.gz of the versions in shopify_sync's SUPPORTED_API_VERSIONS
# unpacked. A second run with the same pin does nothing. Without npm or the registry it says so
# and exits 0: only the contract tests are then skipped, with that reason.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${SHOPIFY_SCHEMA_DIR:-$ROOT/.cache/shopify-schema}
PIN_FILE="$ROOT/shopify_simulator/shopify_schema.py"
VERSIONS_FILE="$ROOT/shopify_sync/services/api_versions.py"

log() { printf '[schema] %s\n' "$*" >&2; }
skip() { log "$*"; log "the schema contract tests will be skipped"; exit 0; }

pin() { sed -nE "s/^$1 = \"([^\"]+)\".*/\1/p" "$PIN_FILE" | head -n1; }
PACKAGE=$(pin PACKAGE)
INTEGRITY=$(pin PACKAGE_INTEGRITY)
VERSIONS=$(sed -nE 's/^SUPPORTED_API_VERSIONS = \((.*)\)/\1/p' "$VERSIONS_FILE" | tr -d '",')
[ -n "$PACKAGE" ] && [ -n "$INTEGRITY" ] && [ -n "$VERSIONS" ] \
    || skip "cannot read the pin ($PIN_FILE) or the supported versions ($VERSIONS_FILE)"

STAMP="$DEST/.package"
want="$PACKAGE $INTEGRITY $VERSIONS"
all_there() {
    local v
    for v in $VERSIONS; do [ -s "$DEST/admin_$v.json.gz" ] || return 1; done
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && all_there; then
    log "Shopify Admin schema $VERSIONS from $PACKAGE: up to date ($DEST)"
    exit 0
fi

command -v npm >/dev/null || skip "npm is not installed: cannot fetch $PACKAGE"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log "fetching $PACKAGE (npm pack)"
tarball=$(cd "$tmp" && timeout 300 npm pack --silent "$PACKAGE" 2>"$tmp/npm.log" | tail -n1)
if [ -z "$tarball" ] || [ ! -f "$tmp/$tarball" ]; then
    tail -n 5 "$tmp/npm.log" >&2
    skip "npm pack $PACKAGE failed (no npm registry?)"
fi
# (node comes with npm) the tarball's own sha512, as npm writes an integrity
got=$(node -e 'const c = require("crypto"), f = require("fs");
  process.stdout.write("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' \
  "$tmp/$tarball")
[ "$got" = "$INTEGRITY" ] || skip "$PACKAGE: integrity $got, pinned $INTEGRITY: not used"

members=()
for v in $VERSIONS; do members+=("package/dist/data/admin_$v.json.gz"); done
tar -xzf "$tmp/$tarball" -C "$tmp" "${members[@]}" 2>"$tmp/tar.log" \
    || { cat "$tmp/tar.log" >&2; skip "$PACKAGE has no admin schema for one of: $VERSIONS"; }
mkdir -p "$DEST"
rm -f "$DEST"/admin_*.json.gz
for v in $VERSIONS; do mv "$tmp/package/dist/data/admin_$v.json.gz" "$DEST/"; done
echo "$want" > "$STAMP"
log "Shopify Admin schema $VERSIONS from $PACKAGE -> $DEST"
