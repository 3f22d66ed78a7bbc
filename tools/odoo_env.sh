# Sourced by the tools: paths and an Odoo config for this checkout.
# Requires tools/setup_env.sh to have run (it records where Odoo is).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY="$VENV/bin/python"
ODOO_SRC=$(cat "$VENV/odoo_src")
ODOO_BIN="$ODOO_SRC/odoo-bin"
VAR="$ROOT/.cache"
# This checkout's simulator and tools come first, whichever checkout the venv was made from.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$VAR"

# write_odoo_conf FILE [extra "key = value" lines...]
write_odoo_conf() {
    local file=$1; shift
    {
        echo "[options]"
        echo "addons_path = $ODOO_SRC/addons,$ROOT"
        echo "data_dir = $VAR/data"
        echo "server_wide_modules = web,queue_job"
        echo "http_interface = 127.0.0.1"
        echo "without_demo = True"
        for line in "$@"; do echo "$line"; done
    } > "$file"
}

# fresh_db NAME CONF: drop and recreate a database with shopify_sync installed.
fresh_db() {
    local db=$1 conf=$2
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    "$PY" "$ODOO_BIN" -c "$conf" -d "$db" -i shopify_sync --stop-after-init \
        --log-level=warn >"$VAR/install-$db.log" 2>&1 || {
        tail -n 40 "$VAR/install-$db.log" >&2
        echo "[odoo] installing shopify_sync into $db failed (log: $VAR/install-$db.log)" >&2
        return 1
    }
}
