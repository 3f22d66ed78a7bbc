"""make test: the addon's wheel installs into a clean Odoo 19 virtualenv and a new database (tools/wheel_check.sh)."""

import os
import subprocess
import sys

import pytest

from tools.harness.paths import ROOT

TIMEOUT_S = 1800


def test_wheel_installs_into_a_clean_odoo(request):
    if os.environ.get("SHOPIFY_SYNC_SKIP_WHEEL_CHECK") == "1":
        pytest.skip("SHOPIFY_SYNC_SKIP_WHEEL_CHECK=1: the wheel install check was not run")
    test_db = request.config.getoption("--odoo-database", default=None) or "shopify_sync_test"
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["VENV"] = sys.prefix  # the project's venv, which runs this test
    env.setdefault("WHEEL_DB", f"{test_db}_wheel")
    done = subprocess.run(
        ["bash", str(ROOT / "tools" / "wheel_check.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert (
        done.returncode == 0
    ), f"wheel check failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert "[wheel-check] OK: shopify_sync installed" in done.stderr
