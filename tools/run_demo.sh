#!/usr/bin/env bash
# make demo: Odoo (workers=2, queue_job runner) + shopify_sync + the local
# Shopify simulator, a scenario of real-looking webhooks, a printed report.
# Options are passed to tools/demo.py (--once, --port, --keep, --cluster: two
# Odoo nodes behind nginx on the demo port).  Each run starts
# from a new database: the simulator is a new store every time, and replaying it
# onto the records of an earlier run would report conflicts that belong to no
# scenario.  --keep reuses the database (updating shopify_sync) to look again.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

DB=${DEMO_DB:-shopify_sync_demo}
PORT=${DEMO_PORT:-8069}
CONF="$VAR/odoo-demo.conf"
write_odoo_conf "$CONF" "workers = 2" "max_cron_threads = 1" "http_port = $PORT" \
    "gevent_port = $((PORT + 3))" "limit_time_real = 120" "log_level = warn" \
    "log_handler = odoo.service.server:INFO" "logfile = $VAR/odoo-demo.log" "" "[queue_job]" "channels = root:2,root.shopify:2" \
    "scheme = http" "host = 127.0.0.1" "port = $PORT"
if [[ " $* " != *" --keep "* ]] || ! psql -lqt | cut -d '|' -f1 | grep -qw "$DB"; then
    echo "[demo] creating database $DB with shopify_sync installed (about a minute)"
    fresh_db "$DB" "$CONF"
else
    echo "[demo] reusing database $DB (updating shopify_sync)"
    "$PY" "$ODOO_BIN" -c "$CONF" -d "$DB" -u shopify_sync --stop-after-init --logfile= \
        --log-level=warn >"$VAR/update-$DB.log" 2>&1 || { tail -n 30 "$VAR/update-$DB.log"; exit 1; }
fi
cd "$ROOT"
exec "$PY" -m tools.demo --conf "$CONF" --db "$DB" --port "$PORT" "$@"
