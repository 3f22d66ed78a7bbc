#!/usr/bin/env bash
# make bench: fresh database shopify_sync_bench, Odoo with workers=2 and the
# queue_job runner on 127.0.0.1, the local Shopify simulator, then
# tools/bench.py (results in bench/results.json, a table on stdout).
# Sizes: BENCH_ORDERS, BENCH_STORM_EVENTS, BENCH_ACK_SECONDS... (docs/BENCHMARKS.md).
# BENCH_CLUSTER=1: nginx on BENCH_PORT in front of two Odoo nodes (docs/DEPLOYMENT.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

if ! command -v wrk >/dev/null 2>&1; then
    echo "[bench] installing wrk (Debian package)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

DB=${BENCH_DB:-shopify_sync_bench}
PORT=${BENCH_PORT:-8269}
CONF="$VAR/odoo-bench.conf"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "[bench] port $PORT is in use; set BENCH_PORT" >&2
    exit 1
fi
# The bare baseline route lives in bench/addons, added to the addons path of
# this config only; the server-wide and worker settings are those of the demo,
# except cron threads (0: no cron competes with the measures).
write_odoo_conf "$CONF" "workers = 2" "max_cron_threads = 0" "http_port = $PORT" \
    "gevent_port = $((PORT + 3))" "limit_time_real = 120" "log_level = warn" \
    "log_handler = odoo.service.server:INFO" "logfile = $VAR/odoo-bench.log" "" \
    "[queue_job]" "channels = root:2,root.shopify:2" "scheme = http" "host = 127.0.0.1" "port = $PORT"
sed -i "s|^addons_path = .*|&,$ROOT/bench/addons|" "$CONF"

echo "[bench] creating database $DB with shopify_sync and the bench-only bare route (about a minute)"
fresh_db "$DB" "$CONF"
"$PY" "$ODOO_BIN" -c "$CONF" -d "$DB" -i shopify_bench_bare --stop-after-init --logfile= --log-level=warn \
    >"$VAR/install-bench-bare.log" 2>&1 || { tail -n 30 "$VAR/install-bench-bare.log" >&2; exit 1; }
cd "$ROOT"
CLUSTER=()
[ "${BENCH_CLUSTER:-0}" = 1 ] && CLUSTER=(--cluster)
exec "$PY" -m tools.bench --conf "$CONF" --db "$DB" --port "$PORT" "${CLUSTER[@]}" "$@"
