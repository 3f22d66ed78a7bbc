"""Sizes and the addon's provenance of a chaos run (tools/chaos.py): environment variables, git."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # name: (environment variable, full run, --smoke run)
    "kill_orders": ("CHAOS_ORDERS", 1000, 20),
    "kills": ("CHAOS_KILLS", 20, 3),
    "pg_orders": ("CHAOS_PG_ORDERS", 150, 20),
    "pg_outage": ("CHAOS_PG_OUTAGE", 8.0, 3.0),
    "fault_orders": ("CHAOS_FAULT_ORDERS", 100, 20),
    "fault_429_s": ("CHAOS_FAULT_429_S", 30, 5),
    "fault_500_s": ("CHAOS_FAULT_500_S", 30, 5),
    "fault_slow_s": ("CHAOS_FAULT_SLOW_S", 30, 5),
    "api_timeout": ("CHAOS_API_TIMEOUT", 2, 2),
    "drop_orders": ("CHAOS_DROP_ORDERS", 200, 40),
    "drop_rate": ("CHAOS_DROP_RATE", 0.05, 0.05),
    "fuzz": ("CHAOS_FUZZ", 2000, 200),
    "products": ("CHAOS_PRODUCTS", 10, 4),
    "send_rate": ("CHAOS_SEND_RATE", 5.0, 1.0),
    "kill_window": ("CHAOS_KILL_WINDOW", 0.9, 0.5),
    "sim_restore_rate": ("CHAOS_SIM_RESTORE_RATE", 1_000_000.0, 1_000_000.0),
    "time_scale": ("CHAOS_TIME_SCALE", 0.01, 0.01),
    "seed": ("CHAOS_SEED", 20261125, 20261125),
    "restart_delay": ("CHAOS_RESTART_DELAY", 1.0, 1.0),
    "crash_orders": ("CHAOS_CRASH_ORDERS", 200, 40),
    # the cluster scenarios (--cluster)
    "storm_events": ("CHAOS_STORM_EVENTS", 1000, 50),
    "storm_copies": ("CHAOS_STORM_COPIES", 10, 10),
    "storm_senders": ("CHAOS_STORM_SENDERS", 32, 32),
    "node_kill_orders": ("CHAOS_NODE_KILL_ORDERS", 1000, 20),
    "node_down_s": ("CHAOS_NODE_DOWN_S", 20.0, 10.0),
    "rolling_orders": ("CHAOS_ROLLING_ORDERS", 300, 20),
}


def read_sizes(smoke):
    sizes = {}
    for key, (var, full, small) in DEFAULTS.items():
        default = small if smoke else full
        raw = os.environ.get(var)
        sizes[key] = type(default)(raw) if raw not in (None, "") else default
    return sizes


def git(*args):
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def addon_version(addons, rev):
    """Which shopify_sync the run used: a commit, or the working tree (with its uncommitted changes, if any)."""
    if rev:
        return {"source": addons, "commit": rev, "subject": git("log", "-1", "--format=%s", rev), "uncommitted": []}
    head = git("rev-parse", "HEAD")
    changed = (git("status", "--porcelain", "--", "shopify_sync") or "").splitlines()
    return {
        "source": f"{addons} (working tree)",
        "commit": head,
        "subject": git("log", "-1", "--format=%s", "HEAD"),
        "uncommitted": [line[3:] for line in changed],
    }
