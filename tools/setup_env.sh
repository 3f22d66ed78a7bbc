#!/usr/bin/env bash
# Prepare everything shopify_sync needs on this machine, idempotently:
#   - PostgreSQL (Debian package) with a running cluster and a superuser role
#     for the current OS user;
#   - the Odoo 19.0 source tree ($ODOO_SRC, then /opt/odoo, then the official
#     19.0 source archive);
#   - a virtualenv in ./.venv with Odoo's requirements, queue_job and the
#     project's own requirements;
#   - Shopify's published Admin GraphQL schema of the supported API versions in
#     .cache/shopify-schema/ (tools/fetch_shopify_schema.sh; without npm or its
#     registry it says so, and only the schema contract tests are skipped).
# A second run reuses everything and only checks it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3.11}
ODOO_ARCHIVE_URL=${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz}
ODOO_CACHE=${ODOO_CACHE:-$ROOT/.cache/odoo-19.0}

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- Odoo source -----------------------------------------------------------
is_odoo19() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] \
        && grep -qE "^version_info = \(19, 0," "$1/odoo/release.py"
}

find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo19 "$ODOO_SRC" && { echo "$ODOO_SRC"; return; }
        die "ODOO_SRC=$ODOO_SRC is not an Odoo 19.0 source tree (odoo-bin and odoo/release.py with version 19.0 expected)."
    fi
    if is_odoo19 /opt/odoo; then echo /opt/odoo; return; fi
    if is_odoo19 "$ODOO_CACHE"; then echo "$ODOO_CACHE"; return; fi
    log "no Odoo 19.0 in \$ODOO_SRC or /opt/odoo; downloading $ODOO_ARCHIVE_URL"
    local tmp
    tmp=$(mktemp -d)
    if curl -fsSL --connect-timeout 20 -o "$tmp/odoo.tar.gz" "$ODOO_ARCHIVE_URL" \
        && mkdir -p "$ODOO_CACHE" \
        && tar -xzf "$tmp/odoo.tar.gz" -C "$ODOO_CACHE" --strip-components=1 \
        && is_odoo19 "$ODOO_CACHE"; then
        rm -rf "$tmp"; echo "$ODOO_CACHE"; return
    fi
    rm -rf "$tmp" "$ODOO_CACHE"
    die "Odoo 19.0 source not found. Do one of:
  - export ODOO_SRC=/path/to/odoo (a checkout of https://github.com/odoo/odoo branch 19.0);
  - put that checkout at /opt/odoo;
  - allow this machine to download $ODOO_ARCHIVE_URL."
}

# --- PostgreSQL ------------------------------------------------------------
setup_postgres() {
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt_install postgresql
    fi
    command -v pg_lsclusters >/dev/null || die "postgresql-common is missing (pg_lsclusters not found)"
    local cluster
    cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
    if [ -z "$cluster" ]; then
        local ver
        ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
        log "creating PostgreSQL cluster $ver main"
        $SUDO pg_createcluster "$ver" main >/dev/null
        cluster="$ver main"
    fi
    if ! pg_lsclusters --no-header | awk '{print $4}' | grep -q online; then
        log "starting PostgreSQL cluster $cluster"
        # shellcheck disable=SC2086
        $SUDO pg_ctlcluster $cluster start
    fi
    local me
    me=$(id -un)
    if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$me'\"" 2>/dev/null | grep -q 1; then
        log "creating PostgreSQL superuser role '$me'"
        su postgres -c "createuser --superuser '$me'"
    fi
}

# --- virtualenv ------------------------------------------------------------
pip_quiet() {
    "$VENV/bin/pip" "$@" 2> >(grep -v '^WARNING: Location .* is ignored' >&2)
}

setup_venv() {
    local odoo_src=$1
    command -v "$PYTHON" >/dev/null || PYTHON=python3
    # Build dependencies of Odoo's requirements that have no wheels, and the
    # browser the UI tour runs in.
    apt_install libpq-dev libldap2-dev libsasl2-dev chromium
    [ -x "$VENV/bin/python" ] || { log "creating virtualenv $VENV"; "$PYTHON" -m venv "$VENV"; }
    local stamp="$VENV/.shopify_sync_stamp"
    local want
    want=$(cat "$odoo_src/requirements.txt" "$ROOT/requirements.txt" "$ROOT/pyproject.toml" "${BASH_SOURCE[0]}" | sha1sum | cut -c1-12)":$odoo_src"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        log "virtualenv up to date ($VENV)"
        return
    fi
    # (this machine's pip configuration warns about every local index it skips: filtered out)
    local pip=(pip_quiet install -q --disable-pip-version-check)
    # setuptools 81+ no longer ships pkg_resources, which the gevent Odoo pins
    # for Python 3.11 (22.10.2) imports: without it Odoo's gevent (websocket)
    # worker dies at start-up and the prefork master respawns it without end.
    "${pip[@]}" -U "pip>=24" "setuptools>=70,<81" wheel
    # cbor2 5.4.2 (pinned by Odoo for Python < 3.12) no longer builds.
    sed -E 's/^cbor2==5\.4\.2.*/cbor2==5.6.2/' "$odoo_src/requirements.txt" > "$VENV/odoo-requirements.txt"
    log "installing Odoo's Python requirements"
    "${pip[@]}" -r "$VENV/odoo-requirements.txt"
    log "installing Odoo from $odoo_src (editable, compat mode)"
    "${pip[@]}" --no-deps --no-build-isolation -e "$odoo_src" --config-settings editable_mode=compat
    log "installing the project's requirements"
    "${pip[@]}" -r "$ROOT/requirements.txt"
    log "installing the local Shopify simulator (editable)"
    "${pip[@]}" --no-deps -e "$ROOT"
    echo "$want" > "$stamp"
}

main() {
    local odoo_src
    odoo_src=$(find_odoo)
    log "Odoo 19.0 source: $odoo_src"
    setup_postgres
    setup_venv "$odoo_src"
    echo "$odoo_src" > "$VENV/odoo_src"
    "$ROOT/tools/fetch_shopify_schema.sh" || log "Shopify's schema not fetched: the schema contract tests will be skipped"
}

main "$@"
