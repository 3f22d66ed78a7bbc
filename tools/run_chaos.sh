#!/usr/bin/env bash
# make chaos: a PostgreSQL cluster of its own (shopify_chaos, port 5433, created
# and started here when missing), a fresh database shopify_sync_chaos in it,
# Odoo with workers=2 and the queue_job runner on 127.0.0.1, one local Shopify
# simulator per scenario, then tools/chaos.py (results in chaos/results.json,
# a table on stdout).
# Options go to tools/chaos.py (--smoke, --only kill,pg,..., --cluster: nginx on
# CHAOS_PORT in front of two Odoo nodes, and the cluster scenarios); sizes come from
# CHAOS_* variables (docs/BENCHMARKS.md, "make chaos").
# The PostgreSQL scenario stops and starts the chaos cluster only: no other
# database of the machine goes down with it.  CHAOS_ADDON_REV=<commit> runs
# the addon as committed there (exported with git archive) instead of the
# working tree.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

DB=${CHAOS_DB:-shopify_sync_chaos}
PORT=${CHAOS_PORT:-8369}
PG_CLUSTER=${CHAOS_PG_CLUSTER:-shopify_chaos}
PG_PORT=${CHAOS_PG_PORT:-5433}
CONF="$VAR/odoo-chaos.conf"

die() { printf '[chaos] ERROR: %s\n' "$*" >&2; exit 1; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi
}

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is in use; set CHAOS_PORT"
fi

# --- the chaos cluster: the PostgreSQL scenario restarts it, so it serves nothing else --------
[ "$PG_PORT" != 5432 ] || die "CHAOS_PG_PORT=5432: the chaos cluster needs a port of its own"
PG_VERSION=$(pg_lsclusters --no-header | awk -v name="$PG_CLUSTER" '$2 == name {print $1; exit}')
if [ -z "$PG_VERSION" ]; then
    taken=$(pg_lsclusters --no-header | awk -v port="$PG_PORT" '$3 == port {print $1"/"$2}')
    [ -z "$taken" ] || die "port $PG_PORT belongs to PostgreSQL cluster $taken; set CHAOS_PG_PORT"
    PG_VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    echo "[chaos] creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
    $SUDO pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >/dev/null
fi
actual=$(pg_lsclusters --no-header | awk -v name="$PG_CLUSTER" '$2 == name {print $3; exit}')
[ "$actual" = "$PG_PORT" ] || die "cluster $PG_VERSION/$PG_CLUSTER listens on $actual, not $PG_PORT"
if ! pg_lsclusters --no-header | awk -v name="$PG_CLUSTER" '$2 == name {print $4}' | grep -q online; then
    echo "[chaos] starting PostgreSQL cluster $PG_VERSION/$PG_CLUSTER"
    $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi
ME=$(id -un)
if ! as_postgres "psql -p $PG_PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$ME'\"" | grep -q 1; then
    echo "[chaos] creating superuser role '$ME' in $PG_VERSION/$PG_CLUSTER"
    as_postgres "createuser -p $PG_PORT --superuser '$ME'"
fi
# dropdb and every psycopg2 connection of the harness go to the chaos cluster.
export PGPORT=$PG_PORT
unset PGHOST

# --- the addon: the working tree, or one commit --------------------------------------------------
ADDONS=$ROOT
ADDON_REV=""
if [ -n "${CHAOS_ADDON_REV:-}" ]; then
    ADDON_REV=$(git -C "$ROOT" rev-parse --verify "${CHAOS_ADDON_REV}^{commit}")
    ADDONS="$VAR/chaos/addon-${ADDON_REV:0:12}"
    if [ ! -f "$ADDONS/shopify_sync/__manifest__.py" ]; then
        rm -rf "$ADDONS"
        mkdir -p "$ADDONS"
        git -C "$ROOT" archive "$ADDON_REV" shopify_sync | tar -x -C "$ADDONS"
    fi
    echo "[chaos] shopify_sync as committed in ${ADDON_REV:0:12} ($ADDONS)"
fi

# Dead jobs: queue_job's runner re-queues, at each loop, the enqueued or
# started jobs whose worker died (their queue_job_lock row is no longer
# locked); nothing to configure for it.  No cron threads: reconciliation runs
# only when a scenario asks for it.  The worker "alive" lines of
# odoo.service.server (INFO) tell the scenarios which pid is which worker.
write_odoo_conf "$CONF" "db_port = $PG_PORT" "workers = 2" "max_cron_threads = 0" "http_port = $PORT" \
    "gevent_port = $((PORT + 3))" "limit_time_real = 120" "log_level = warn" \
    "log_handler = odoo.service.server:INFO" "logfile = $VAR/odoo-chaos.log" "" \
    "[queue_job]" "channels = root:2,root.shopify:2" "scheme = http" "host = 127.0.0.1" "port = $PORT"
sed -i "s|^addons_path = .*|addons_path = $ODOO_SRC/addons,$ADDONS|" "$CONF"

echo "[chaos] creating database $DB (cluster $PG_VERSION/$PG_CLUSTER, port $PG_PORT) with shopify_sync installed"
fresh_db "$DB" "$CONF"
cd "$ROOT"
exec "$PY" -m tools.chaos --conf "$CONF" --db "$DB" --port "$PORT" \
    --pg-cluster "$PG_VERSION/$PG_CLUSTER" --pg-port "$PG_PORT" --addons "$ADDONS" --addon-rev "$ADDON_REV" "$@"
