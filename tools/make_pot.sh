#!/usr/bin/env bash
# make pot: regenerate shopify_sync/i18n/shopify_sync.pot with odoo-bin's i18n export,
# from a fresh database with shopify_sync installed (POT_DB, default shopify_sync_pot).
# tests/test_i18n.py fails when the committed file is not current.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

DB=${POT_DB:-shopify_sync_pot}
CONF="$VAR/odoo-pot.conf"
write_odoo_conf "$CONF" "workers = 0"
echo "[pot] creating database $DB with shopify_sync installed"
fresh_db "$DB" "$CONF"
"$PY" "$ODOO_BIN" i18n export -c "$CONF" -d "$DB" shopify_sync \
    -o "$ROOT/shopify_sync/i18n/shopify_sync.pot"
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
echo "[pot] shopify_sync/i18n/shopify_sync.pot written"
