#!/usr/bin/env bash
# make wheel-check: the addon's wheel installs into a clean Odoo 19 the way an integrator does it.
#   1. builds dist/odoo_addon_shopify_sync-*.whl (tools/build_wheel.sh);
#   2. a virtualenv of its own ($WHEEL_VENV, default .cache/wheel-venv) with Odoo 19 from the
#      source tree the set-up uses and Odoo's requirements, nothing of this repository;
#      reused while those inputs are unchanged;
#   3. pip installs the wheel there, which brings odoo-addon-queue_job and requests;
#   4. every file git tracks under shopify_sync/ must be in the installed package
#      (views, data, security, static, i18n...), and the addon must be found there, not here;
#   5. `odoo -i shopify_sync --stop-after-init` on a new database ($WHEEL_DB, default
#      shopify_sync_wheel) whose addons_path is Odoo's own addons only; the module must end
#      up installed, with its views, access rules and queue_job channels.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
export VENV
WHEEL_VENV=${WHEEL_VENV:-$ROOT/.cache/wheel-venv}
WHEEL_DB=${WHEEL_DB:-shopify_sync_wheel}
PYTHON=${PYTHON:-python3.11}
T0=$SECONDS
# what the clean venv is made of: bump when the recipe in step 2 changes
VENV_RECIPE=1

log() { printf '[wheel-check] %s\n' "$*" >&2; }
die() { printf '[wheel-check] FAILED: %s\n' "$*" >&2; exit 1; }
pip_quiet() {
    "$WHEEL_VENV/bin/pip" "$@" 2> >(grep -v '^WARNING: Location .* is ignored' >&2)
}

# 1. the wheel (runs the set-up, which records the Odoo source tree and prepares Odoo's requirements)
WHEEL=$("$ROOT/tools/build_wheel.sh" | tail -n1)
[ -f "$WHEEL" ] || die "no wheel built"
ODOO_SRC=$(cat "$VENV/odoo_src")
ODOO_REQS="$VENV/odoo-requirements.txt"   # Odoo's requirements.txt as tools/setup_env.sh adapts it
[ -f "$ODOO_REQS" ] || die "$ODOO_REQS missing (tools/setup_env.sh makes it)"

# Nothing of this checkout may leak into the clean environment.
unset PYTHONPATH PYTHONHOME PIP_FIND_LINKS
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# 2. the clean virtualenv
command -v "$PYTHON" >/dev/null || PYTHON=python3
stamp="$WHEEL_VENV/.wheel_check_stamp"
want="recipe $VENV_RECIPE:$(sha1sum < "$ODOO_REQS" | cut -c1-12):$ODOO_SRC:$("$PYTHON" -V 2>&1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$WHEEL_VENV/bin/odoo" ]; then
    log "reusing the clean virtualenv $WHEEL_VENV (Odoo from $ODOO_SRC)"
else
    log "creating a clean virtualenv $WHEEL_VENV with Odoo 19 from $ODOO_SRC"
    rm -rf "$WHEEL_VENV"
    "$PYTHON" -m venv "$WHEEL_VENV"
    pip=(pip_quiet install -q --disable-pip-version-check)
    venv_log="$ROOT/.cache/wheel-venv.log"
    {
        # the same pins as tools/setup_env.sh (setuptools<81 keeps pkg_resources for Odoo's gevent)
        "${pip[@]}" -U "pip>=24" "setuptools>=70,<81" wheel \
            && "${pip[@]}" -r "$ODOO_REQS" \
            && "${pip[@]}" --no-deps --no-build-isolation -e "$ODOO_SRC" --config-settings editable_mode=compat
    } >"$venv_log" 2>&1 || { tail -n 30 "$venv_log" >&2; die "making the clean virtualenv (log: $venv_log)"; }
    echo "$want" > "$stamp"
fi
PY="$WHEEL_VENV/bin/python"

# 3. the wheel, as an integrator installs it: its dependencies come from the index
log "installing $(basename "$WHEEL")"
pip_quiet uninstall -q -y odoo-addon-shopify_sync odoo-addon-queue_job >/dev/null 2>&1 || true
pip_quiet install -q --disable-pip-version-check "$WHEEL" || die "pip install $WHEEL"
for dist in odoo-addon-shopify_sync odoo-addon-queue_job requests; do
    pip_quiet show -q "$dist" >/dev/null 2>&1 || die "$dist is not installed in $WHEEL_VENV"
done
log "installed: $(pip_quiet list --disable-pip-version-check 2>/dev/null | grep -iE '^(odoo-addon-[a-z_-]+|requests) ' | tr -s ' ' | paste -sd, -)"

# 4. where the addon is, and what it carries
ADDON_DIR=$("$PY" - "$ROOT" <<'EOF'
import importlib.util
import sys
from pathlib import Path

root = Path(sys.argv[1]).resolve()
for entry in sys.path:
    if entry and Path(entry).resolve() == root:
        sys.exit(f"this checkout ({root}) is on the clean venv's sys.path")
if importlib.util.find_spec("shopify_simulator") is not None:
    sys.exit("shopify_simulator is importable in the clean venv: the wheel must not bring it")
spec = importlib.util.find_spec("odoo.addons.shopify_sync")
if spec is None:
    sys.exit("odoo.addons.shopify_sync not found")
path = Path(spec.origin).resolve().parent
if path == root / "shopify_sync":
    sys.exit(f"odoo.addons.shopify_sync found in this checkout ({path}), not in the installed wheel")
print(path)
EOF
) || die "the installed addon"
case "$ADDON_DIR" in "$WHEEL_VENV"/*) ;; *) die "shopify_sync found at $ADDON_DIR, outside $WHEEL_VENV" ;; esac
log "addon installed at $ADDON_DIR"
missing=()
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    while IFS= read -r f; do
        rel=${f#shopify_sync/}
        [ "$rel" = pyproject.toml ] && continue
        [ -f "$ADDON_DIR/$rel" ] || missing+=("$rel")
    done < <(git -C "$ROOT" ls-files shopify_sync)
fi
for rel in __manifest__.py README.rst views/shopify_shop_views.xml security/ir.model.access.csv \
    data/queue_job_data.xml static/description/index.html static/description/icon.png i18n/shopify_sync.pot; do
    [ -f "$ADDON_DIR/$rel" ] || missing+=("$rel")
done
[ ${#missing[@]} -eq 0 ] || die "not in the installed wheel: ${missing[*]}"

# 5. install the addon into a new database, with no path to this repository
CONF="$WORK/odoo.conf"
cat > "$CONF" <<EOF
[options]
addons_path = $ODOO_SRC/addons
data_dir = $WHEEL_VENV/odoo-data
server_wide_modules = base,web,queue_job
http_enable = False
without_demo = True
EOF
grep -E "^addons_path" "$CONF" | grep -qF "$ROOT" && die "the Odoo config's addons_path names this checkout"
dropdb --if-exists "$WHEEL_DB" >/dev/null 2>&1 || true
rm -rf "$WHEEL_VENV/odoo-data/filestore/$WHEEL_DB"
LOG="$ROOT/.cache/wheel-check-$WHEEL_DB.log"
mkdir -p "$(dirname "$LOG")"
log "odoo -i shopify_sync --stop-after-init on a new database $WHEEL_DB (log: $LOG)"
if ! "$WHEEL_VENV/bin/odoo" -c "$CONF" -d "$WHEEL_DB" -i shopify_sync --stop-after-init \
    --log-level=warn >"$LOG" 2>&1; then
    tail -n 40 "$LOG" >&2
    die "odoo -i shopify_sync"
fi
grep -E " (ERROR|CRITICAL) " "$LOG" >&2 && die "errors in the install log $LOG"
q() { psql -d "$WHEEL_DB" -tAc "$1"; }
state=$(q "SELECT state FROM ir_module_module WHERE name = 'shopify_sync'")
[ "$state" = installed ] || die "shopify_sync is '$state' in $WHEEL_DB, not installed"
qj=$(q "SELECT state FROM ir_module_module WHERE name = 'queue_job'")
[ "$qj" = installed ] || die "queue_job is '$qj' in $WHEEL_DB"
views=$(q "SELECT count(*) FROM ir_model_data WHERE module = 'shopify_sync' AND model = 'ir.ui.view'")
access=$(q "SELECT count(*) FROM ir_model_data WHERE module = 'shopify_sync' AND model = 'ir.model.access'")
channels=$(q "SELECT count(*) FROM queue_job_channel WHERE complete_name LIKE 'root.shopify%'")
[ "$views" -gt 0 ] && [ "$access" -gt 0 ] && [ "$channels" -gt 0 ] \
    || die "incomplete install: $views views, $access access rules, $channels queue_job channels"
log "OK: shopify_sync installed in $WHEEL_DB from the wheel ($views views, $access access rules," \
    "$channels channels) in $((SECONDS - T0)) s"
