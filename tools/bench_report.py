"""Targets, the printed table and bench/results.json for tools/bench.py."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("catalogue", "ack", "e2e", "e2e_paid", "storm", "e2e_rl100", "e2e_rl1000", "import")

# The import's target: the full store (10,000 products, 10,000 customers, 20,000 orders) in 10 minutes;
# a smaller run is held to the same rate.
IMPORT_TARGET_RATE = 40_000 / 600

# (key, label, unit, target text, check) - check(value, results) -> bool, or None for information only
ROWS = [
    ("ack_rps", "webhook ack throughput (addon)", "req/s", "", None),
    ("bare_rps", "bare auth='none' route throughput", "req/s", "", None),
    ("ack_ratio_throughput", "ack / bare throughput", "", ">= 0.8", lambda v, r: v >= 0.8),
    ("ack_p50_ms", "ack p50 latency", "ms", "", None),
    ("bare_p50_ms", "bare p50 latency", "ms", "", None),
    ("ack_p99_ms", "ack p99 latency", "ms", "", None),
    ("bare_p99_ms", "bare p99 latency", "ms", "", None),
    ("ack_ratio_p99", "ack / bare p99 latency", "", "<= 1.5", lambda v, r: v <= 1.5),
    ("ack_non_2xx", "ack answers not 2xx, or lost", "", "0", lambda v, r: v == 0),
    ("ack_floor_rps", "durable floor: one row inserted, committed", "req/s", "", None),
    ("ack_ratio_floor", "ack / durable floor throughput", "", ">= 0.9", lambda v, r: v >= 0.9),
    ("e2e_orders_per_s", "end-to-end order sync", "orders/s", ">= 15", lambda v, r: v >= 15),
    ("orm_orders_per_s", "plain ORM reference (1 process)", "orders/s", "", None),
    ("e2e_ratio", "end-to-end / ORM reference", "", "", None),
    ("e2e_paid_orders_per_s", "end-to-end, invoiced and paid", "orders/s", "", None),
    ("e2e_rl100_orders_per_s", "end-to-end at 100 points/s (Standard)", "orders/s", ">= 5", lambda v, r: v >= 5),
    ("e2e_rl100_points_per_order", "points an order at 100 points/s", "points", "<= 20", lambda v, r: v <= 20),
    ("e2e_rl100_throttled", "THROTTLED answers at 100 points/s", "", "", None),
    ("e2e_rl1000_orders_per_s", "end-to-end at 1,000 points/s (Plus)", "orders/s", "", None),
    ("e2e_rl1000_points_per_order", "points an order at 1,000 points/s", "points", "", None),
    ("storm_expected", "storm: distinct order events", "", "", None),
    ("storm_orders", "storm: orders in Odoo", "", "== storm_expected", lambda v, r: v == r["storm_expected"]),
    ("storm_jobs", "storm: queue jobs created", "", "<= storm_expected", lambda v, r: v <= r["storm_expected"]),
    (
        "storm_deliveries_recorded",
        "storm: deliveries recorded",
        "",
        "== storm_expected",
        lambda v, r: v == r["storm_expected"],
    ),
    ("storm_duplicate_orders", "storm: duplicated sale orders", "", "0", lambda v, r: v == 0),
    ("storm_non_2xx", "storm: deliveries not answered 2xx", "", "", None),
    ("storm_seconds", "storm: until all orders confirmed", "s", "", None),
    ("storm_worker_rss_mb", "storm: peak RSS, all Odoo workers", "MiB", "", None),
    (
        "storm_worker_rss_max_mb",
        "storm: peak RSS, one Odoo worker",
        "MiB",
        "< 2048 (limit_memory_soft)",
        lambda v, r: v < 2048,
    ),
    (
        "import_seconds",
        "import: whole store, at 100 points/s",
        "s",
        "40,000 records in <= 600",
        lambda v, r: _import_records(r) / v >= IMPORT_TARGET_RATE,
    ),
    ("import_products_per_s", "import: products", "products/s", "", None),
    ("import_customers_per_s", "import: customers", "customers/s", "", None),
    ("import_orders_per_s", "import: orders", "orders/s", "", None),
    ("import_points_used", "import: cost points used", "points", "", None),
    ("import_created", "import: records created", "", "", None),
    ("import_linked", "import: records linked", "", "", None),
    ("import_failed", "import: records failed", "", "", None),
    ("import_dead_jobs_requeued", "import: jobs killed (limit_time_real), requeued", "", "", None),
    ("import_duplicates", "import: duplicated records", "", "0", lambda v, r: v == 0),
    ("import_peak_worker_rss_mib", "import: peak RSS, one Odoo worker", "MiB", "< 500", lambda v, r: v < 500),
    ("publish_products_per_s", "publish: Odoo products to Shopify, at 100 points/s", "products/s", "", None),
    ("publish_points_used", "publish: cost points used", "points", "", None),
    ("publish_failed", "publish: products not bound", "", "0", lambda v, r: v == 0),
    ("publish_duplicates", "publish: Shopify products created twice", "", "0", lambda v, r: v == 0),
]


def _import_records(results):
    """Products, customers and orders the import was seeded with (variants not counted, as in the target)."""
    sizes = results.get("sizes", {})
    return sum(sizes.get(f"import_{kind}", 0) for kind in ("products", "customers", "orders"))


def _fmt(value):
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def evaluate(results):
    """[(label, value text, target, status)] and the keys whose target was missed."""
    table, short = [], []
    for key, label, unit, target, check in ROWS:
        if key not in results:
            table.append((label, "n/a", target, "MISSING" if check else ""))
            if check:
                short.append(key)
            continue
        value = results[key]
        status = "INFO"
        if check is not None:
            status = "PASS" if check(value, results) else "SHORT"
            if status == "SHORT":
                short.append(key)
        table.append((label, f"{_fmt(value)} {unit}".strip(), target, status))
    return table, short


def print_table(results):
    table, short = evaluate(results)
    widths = [max(len(row[i]) for row in table + [("measure", "value", "target", "status")]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print("\n==== shopify_sync benchmark " + "=" * max(len(line) - 28, 10))
    print("  ".join(h.ljust(w) for h, w in zip(("measure", "value", "target", "status"), widths, strict=True)))
    print(line)
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(line)
    print("short of target: " + (", ".join(short) if short else "none"))
    if results.get("cluster"):
        split = "; ".join(
            f"{p}: {results[f'{p}_requests_by_node']}" for p in PHASES if f"{p}_requests_by_node" in results
        )
        print(f"  cluster: {results['cluster']}; requests per node: {split or 'n/a'}")
    for note in results.get("notes", []):
        print(f"  note: {note}")
    return short


def machine():
    try:
        mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        mem_kb = 0
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "commit": os.environ.get("BENCH_COMMIT") or commit,
    }


CLUSTER_SECTION = "cluster_mode"


def write_results(path, results, cluster=False):
    """Write ``results`` to ``path``; one file holds both runs: a cluster run goes under ``cluster_mode``.

    A single-node run keeps the cluster section an earlier cluster run wrote, and the other way round,
    so that bench/results.json carries the figures of one node and of two side by side.
    """
    _table, short = evaluate(results)
    results["short_of_target"] = short
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        earlier = json.loads(target.read_text())
    except (OSError, ValueError):
        earlier = {}
    if cluster:
        document = dict(earlier)
        document[CLUSTER_SECTION] = results
    else:
        document = dict(results)
        if CLUSTER_SECTION in earlier:
            document[CLUSTER_SECTION] = earlier[CLUSTER_SECTION]
    target.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
