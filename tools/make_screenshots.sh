#!/usr/bin/env bash
# make screenshots: docs/images/{overview,failure,fix_wizard,sync_health,readiness,import_result,apps_page}.png from a fresh database
# (SHOTS_DB, default shopify_sync_shots) served on SHOTS_PORT (default 8869), in headless chromium.
# `tools/make_screenshots.sh --apps-page-only`: only the Apps page (static/description/index.html).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

command -v chromium >/dev/null || { echo "[screenshots] Debian chromium is needed (apt-get install chromium)" >&2; exit 1; }
DB=${SHOTS_DB:-shopify_sync_shots}
PORT=${SHOTS_PORT:-8869}
CONF="$VAR/odoo-screenshots.conf"
write_odoo_conf "$CONF" "workers = 0" "http_port = $PORT" "gevent_port = $((PORT + 3))" "log_level = warn" \
    "" "[queue_job]" "channels = root:1" "scheme = http" "host = 127.0.0.1" "port = $PORT"
echo "[screenshots] creating database $DB with shopify_sync installed"
fresh_db "$DB" "$CONF"
cd "$ROOT"
"$PY" tools/screenshots.py --conf "$CONF" --db "$DB" --port "$PORT" "$@"
