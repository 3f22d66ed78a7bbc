#!/usr/bin/env bash
# make wheel: build the addon's wheel, odoo-addon-shopify_sync, into dist/ with whool
# (the OCA build backend; its settings are in shopify_sync/pyproject.toml).
# whool packs the files git tracks under shopify_sync/: a new file is in the wheel once added to git.
# Prints the wheel's path on the last line of stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/tools/setup_env.sh"
VENV=${VENV:-$ROOT/.venv}
DIST=${DIST:-$ROOT/dist}

# whool comes with the project's requirements; install it here too for a venv made before that.
"$VENV/bin/python" -c "import whool.buildapi" 2>/dev/null \
    || "$VENV/bin/pip" install -q --disable-pip-version-check "whool>=1.3,<2" 2> >(grep -v '^WARNING: Location .* is ignored' >&2)

mkdir -p "$DIST"
rm -f "$DIST"/odoo_addon_shopify_sync-*.whl
"$VENV/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w "$DIST" "$ROOT/shopify_sync" \
    2> >(grep -v '^WARNING: Location .* is ignored' >&2) >&2
wheel=$(ls "$DIST"/odoo_addon_shopify_sync-*.whl)
echo "[wheel] built $wheel ($(du -k "$wheel" | cut -f1) KiB)" >&2
echo "$wheel"
