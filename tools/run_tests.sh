#!/usr/bin/env bash
# make test: set up the machine if needed, build a fresh test database with
# shopify_sync installed, and run the whole suite (HTTP tests included).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
# shellcheck source=tools/odoo_env.sh
source "$ROOT/tools/odoo_env.sh"

DB=${TEST_DB:-shopify_sync_test}
CONF="$VAR/odoo-test.conf"
write_odoo_conf "$CONF" "workers = 0" "http_port = ${TEST_HTTP_PORT:-8169}"
echo "[test] creating database $DB with shopify_sync installed"
fresh_db "$DB" "$CONF"
cd "$ROOT"
# The default paths end with the wheel install check (tools/dist_tests: the addon's wheel in a clean
# Odoo 19 venv, its own database) and the cluster smoke run (tools/harness/tests: two nodes behind
# nginx, its own database, skipped only when nginx cannot be installed).
if [ $# -gt 0 ]; then TEST_PATHS=("$@"); else
    TEST_PATHS=(shopify_sync/tests)
    [ -d shopify_simulator/tests ] && TEST_PATHS=(shopify_simulator/tests "${TEST_PATHS[@]}")
    TEST_PATHS+=(tools/dist_tests tools/harness/tests)
fi
set +e
"$VENV/bin/pytest" -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$DB" --odoo-http \
    --odoo-log-level="${ODOO_LOG_LEVEL:-critical}" "${TEST_PATHS[@]}"
rc=$?
set -e
exit $rc
