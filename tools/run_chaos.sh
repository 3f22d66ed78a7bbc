#!/usr/bin/env bash
# make chaos: fresh database shopify_sync_chaos, Odoo with workers=2 and the
# queue_job runner on 127.0.0.1, one local Shopify simulator per scenario, then
# tools/chaos.py (results in chaos/results.json, a table on stdout).
# Options go to tools/chaos.py (--smoke, --only kill,pg,...); sizes come from
# CHAOS_* variables (docs/BENCHMARKS.md, "make chaos").
# The PostgreSQL scenario stops and starts the whole cluster (pg_ctlcluster):
# it waits for clients of other databases to leave, or skips (CHAOS_PG_FORCE=1
# restarts anyway).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

DB=${CHAOS_DB:-shopify_sync_chaos}
PORT=${CHAOS_PORT:-8369}
CONF="$VAR/odoo-chaos.conf"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "[chaos] port $PORT is in use; set CHAOS_PORT" >&2
    exit 1
fi
# Dead jobs: queue_job's runner re-queues, at each loop, the enqueued or
# started jobs whose worker died (their queue_job_lock row is no longer
# locked); nothing to configure for it.  No cron threads: reconciliation runs
# only when a scenario asks for it.  The worker "alive" lines of
# odoo.service.server (INFO) tell the scenarios which pid is which worker.
write_odoo_conf "$CONF" "workers = 2" "max_cron_threads = 0" "http_port = $PORT" \
    "gevent_port = $((PORT + 3))" "limit_time_real = 120" "log_level = warn" \
    "log_handler = odoo.service.server:INFO" "logfile = $VAR/odoo-chaos.log" "" \
    "[queue_job]" "channels = root:2,root.shopify:2" "scheme = http" "host = 127.0.0.1" "port = $PORT"

echo "[chaos] creating database $DB with shopify_sync installed (about a minute)"
fresh_db "$DB" "$CONF"
cd "$ROOT"
exec "$PY" tools/chaos.py --conf "$CONF" --db "$DB" --port "$PORT" "$@"
