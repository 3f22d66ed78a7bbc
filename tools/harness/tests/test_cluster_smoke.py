"""make test: the cluster smoke run (two nodes behind nginx, 20 orders, one node killed), bounded in time."""

import json
import os
import subprocess
import sys

import pytest

from tools.harness import nginx
from tools.harness.paths import ROOT
from tools.harness.procs import free_port

TIMEOUT_S = 600


def test_two_nodes_one_killed(request):
    if not nginx.ensure_installed():
        pytest.skip("nginx is not installed and could not be installed with apt-get")
    conf = request.config.getoption("--odoo-config", default=None) or os.environ.get("ODOO_RC")
    if not conf:
        pytest.skip("no Odoo config given (--odoo-config)")
    db = f"{request.config.getoption('--odoo-database', default=None) or 'shopify_sync_test'}_cluster"
    cmd = [sys.executable, "-m", "tools.harness.smoke", "--conf", conf, "--db", db, "--port", str(free_port())]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, f"smoke run failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    summary = json.loads(lines[-1])
    assert summary["duplicates"] == 0
    assert summary["in_odoo"] == summary["orders"] == 20
