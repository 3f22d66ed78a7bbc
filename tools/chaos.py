"""shopify_sync chaos runs: faults injected into a real Odoo, then "no duplicates, nothing lost" checked.

Called by ``make chaos`` (tools/run_chaos.sh) with the virtualenv's Python, a
fresh database in a PostgreSQL cluster of the run's own and an Odoo config
(workers=2, queue_job runner, 127.0.0.1).  Odoo runs under a supervisor that
starts it again when its server process exits, as systemd would.
Scenarios: kill -9 of Odoo workers, a PostgreSQL restart, Shopify 429/500/slow
answers, 5 % of webhooks dropped then reconciliation, fuzzed and hostile
webhooks.  Writes chaos/results.json and prints a table.  Exit status: 0 when
every scenario passed its checks, 1 when one did not, 2 when the run broke.
Sizes come from environment variables (docs/BENCHMARKS.md, "make chaos").
"""

import argparse
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shopify_simulator import SimulatorControl
from tools.chaos_cluster import double_crash, node_kill, rolling_restart, storm_through_nginx
from tools.chaos_config import addon_version, read_sizes
from tools.chaos_env import TimedSender
from tools.chaos_fuzz import fuzz_webhooks
from tools.chaos_report import TITLES, environment_notes, print_table
from tools.chaos_scenarios import dropped_webhooks, kill_workers, pg_restart, shopify_faults
from tools.harness import jobs, records
from tools.harness.db import Db
from tools.harness.deploy import Deployment
from tools.harness.orm import Orm, ShopSettings, configure_shop
from tools.harness.paths import ROOT, VAR
from tools.harness.simulator import Simulators

TOKEN = "shpat_chaos_token"
SECRET = "whsec_chaos_secret"
RUN_SYNC_FUNCTION = "shopify_sync.job_function_shopify_sync_job_run_sync"
# Scenarios run in this order: the PostgreSQL restart comes after the last use
# of the in-process ORM (reconciliation), the fuzzing last of all.
# The cluster scenarios (--cluster only) come before the PostgreSQL restart too.
ORDER = ("kill", "faults", "drop", "crash", "storm", "node_kill", "rolling", "pg", "fuzz")
CLUSTER_ONLY = ("storm", "node_kill", "rolling")
RUNNERS = {
    "crash": double_crash,
    "storm": storm_through_nginx,
    "node_kill": node_kill,
    "rolling": rolling_restart,
    "kill": kill_workers,
    "pg": pg_restart,
    "faults": shopify_faults,
    "drop": dropped_webhooks,
    "fuzz": fuzz_webhooks,
}


@dataclass
class Shop:
    name: str
    domain: str
    shop_id: int
    url: str
    sim: SimulatorControl
    data: dict = field(default_factory=dict)

    @property
    def order_ids(self):
        return [str(order["id"]) for order in self.data.get("orders", [])]


def _size(path):
    return path.stat().st_size if path.exists() else 0


class Chaos:
    def __init__(self, args):
        self.args = args
        self.sizes = read_sizes(args.smoke)
        self.var = VAR / "chaos"
        self.var.mkdir(parents=True, exist_ok=True)
        nodes = 2 if args.cluster else 1
        self.services = Deployment(
            args.conf, args.db, args.port, self.var, nodes=nodes, restart_delay=self.sizes["restart_delay"]
        )
        self.sims = Simulators(self.var)
        self.probe = Db(args.db, args.pg_port, application_name="shopify_sync-chaos-probe")
        self.orm = None
        self.out_offsets = {node.name: _size(self.var / f"{node.name}.out") for node in self.services.nodes}
        self.webhook_url = f"{self.services.url}/shopify_sync/webhook"
        default = [name for name in ORDER if args.cluster or name not in CLUSTER_ONLY]
        chosen = [s.strip() for s in (args.only or os.environ.get("CHAOS_SCENARIOS") or ",".join(default)).split(",")]
        unknown = set(chosen) - set(ORDER)
        if unknown:
            raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}; choose among {', '.join(ORDER)}")
        self.selected = [name for name in ORDER if name in chosen]
        if not args.cluster and set(self.selected) & set(CLUSTER_ONLY):
            raise SystemExit(f"{', '.join(CLUSTER_ONLY)} need two nodes: add --cluster")
        self.shops = {}
        self.results = {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "mode": "smoke" if args.smoke else "full",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg_before": os.getloadavg()},
            "addon": addon_version(args.addons, args.addon_rev),
            "sizes": self.sizes,
            "settings": {
                "database": args.db,
                "postgresql_cluster": f"{args.pg_cluster} (port {args.pg_port}), used by this run only",
                "supervisor": f"Odoo started again {self.sizes['restart_delay']:g} s after its server process exits",
                "odoo": "workers=2, max_cron_threads=0, queue_job channels root:2,root.shopify:2",
                "deployment": self.services.shape,
                "fault_shop_api_timeout_s": self.sizes["api_timeout"],
                "sender_retry_schedule": f"Shopify's 8 retries x {self.sizes['time_scale']}",
            },
            "scenarios": {},
        }

    def log(self, text):
        print(f"[chaos {time.strftime('%H:%M:%S')}] {text}", flush=True)

    # -- set-up -------------------------------------------------------------------------------
    def orders_for(self, name):
        return {
            "kill": self.sizes["kill_orders"],
            "pg": self.sizes["pg_orders"],
            "faults": self.sizes["fault_orders"],
            "drop": self.sizes["drop_orders"],
            "node_kill": self.sizes["node_kill_orders"],
            "rolling": self.sizes["rolling_orders"],
            "storm": self.sizes["storm_events"],
            "crash": self.sizes["crash_orders"],
        }.get(name, 0)

    def setup(self):
        self.log("loading the Odoo registry in-process (shop set-up, reconciliation)")
        self.orm = Orm(self.args.conf, self.args.db)
        for name in self.selected:
            self.add_shop(name)
        self.orm.run(self._tune)
        self.log(f"starting Odoo (workers=2, queue_job runner): {self.services.shape}")
        self.services.start()
        self.results["odoo_workers"] = sorted(self.services.workers().values())
        self.catalogue()

    def add_shop(self, name):
        """The scenario's shop, its simulator and its generated orders."""
        domain = f"chaos-{name.replace('_', '-')}.myshopify.com"
        url = self.sims.start(domain, TOKEN, SECRET, self.sizes["sim_restore_rate"])
        # Raw bodies: the addon's default, but kept for the fuzz shop, so that hostile bodies
        # also go through the code that stores them.
        settings = ShopSettings(
            f"Chaos {name}", domain, url, TOKEN, SECRET, keep_raw_body=True if name == "fuzz" else None
        )
        shop_id = configure_shop(self.orm, settings)
        sim = SimulatorControl(url, timeout=300)
        orders = self.orders_for(name)
        data = {}
        if orders:
            # Reconciliation lists customers too: the drop scenario shares them between orders.
            customers = max(2, orders // 4) if name == "drop" else orders
            data = sim.generate(
                customers=customers,
                products=self.sizes["products"],
                variants_per_product=2,
                orders=orders,
                lines_per_order=2,
            )
        self.shops[name] = Shop(name, domain, shop_id, url, sim, data)
        self.log(f"shop {domain} (id {shop_id}): simulator {url}, {orders} orders generated")

    def _tune(self, env):
        # The sync jobs keep the addon's retry policy: queue_job's 5 attempts, the waits of its
        # job function (or the Retry-After of a throttled call).
        self.results["settings"]["retry_pattern_run_sync"] = env.ref(RUN_SYNC_FUNCTION).retry_pattern
        if "faults" in self.shops:
            env["shopify.shop"].browse(self.shops["faults"].shop_id).api_timeout = self.sizes["api_timeout"]

    def catalogue(self):
        """products/create for each shop's catalogue, so that orders find their variants."""
        shops = [shop for shop in self.shops.values() if shop.data.get("products")]
        for shop in shops:
            sender = TimedSender(self.webhook_url, shop.domain, SECRET)
            sender.send_many([("products/create", p) for p in shop.data["products"]], shuffle=False, concurrency=4)
        deadline = time.monotonic() + 300
        for shop in shops:
            variants = [str(v["id"]) for p in shop.data["products"] for v in p["variants"]]
            while True:
                self.services.check_alive()
                found = self.probe.run(records.variant_count, shop.shop_id, variants)
                if found == len(variants) and not self.waiting(shop):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the catalogue of {shop.domain} did not sync ({found}/{len(variants)})")
                time.sleep(0.5)
        self.log(f"catalogues synced ({', '.join(s.name for s in shops) or 'none'})")

    def orm_run(self, func):
        """The in-process ORM, once more on a fresh connection if the server dropped the old one."""
        return self.orm.run_again(func)

    def synced(self, shop, ids):
        """{Shopify order id: sale orders} of the shop for ``ids``."""
        return self.probe.run(records.order_counts, shop.shop_id, ids)

    def failed(self, shop, ids):
        """Order ids whose sync job shows a failure to a person."""
        return self.probe.run(jobs.visible_failures, shop.shop_id, ids)

    def waiting(self, shop):
        """Waiting queue jobs of the shop (sync jobs, dispatcher, reconciliation)."""
        return self.probe.run(jobs.waiting, shop.shop_id)

    # -- what every scenario asks ----------------------------------------------------------------
    def settle(self, shop, ids, busy=lambda: False, timeout=None, label=""):
        """Wait until every id has a sale order or a visible failure and the shop has no waiting job.

        Returns the seconds waited, or None when it timed out or stalled (nothing left to run).
        """
        ids = set(ids)
        timeout = timeout or max(300, 3 * len(ids))
        started = last_log = time.monotonic()
        quiet_since = None
        while True:
            self.services.check_alive()
            now = time.monotonic()
            synced, failed, waiting = self.synced(shop, ids), self.failed(shop, ids), self.waiting(shop)
            missing = len(ids - set(synced) - failed)
            if not busy() and not waiting:
                if not missing:
                    return now - started
                quiet_since = quiet_since or now
                if now - quiet_since > 10:
                    self.log(f"{label}: stalled with {missing} order(s) neither in Odoo nor failed")
                    return None
            else:
                quiet_since = None
            if now - started > timeout:
                self.log(f"{label}: timed out after {timeout} s ({missing} missing)")
                return None
            if now - last_log >= 15:
                last_log = now
                self.log(
                    f"{label}: {len(synced)}/{len(ids)} orders in Odoo, {len(failed)} failed, {waiting} jobs waiting"
                )
            time.sleep(1)

    def finish(self, shop, delivery, started, label):
        """Wait until the paced ``delivery`` is over and the shop settled: seconds since ``started``, or None."""
        seconds = self.settle(shop, shop.order_ids, busy=delivery.is_alive, label=label)
        delivery.join()
        return None if seconds is None else time.monotonic() - started

    def outcome(self, shop, expected, accepted, seconds, checks=None, promised=None, **extra):
        """The scenario's figures: expected, orders, duplicates, lost, seconds, and the checks passed.

        Lost: an order ``promised`` (by default: whose event was answered 2xx) that
        has neither a sale order nor a visible failure (sync job failed or needing action).
        """
        counts = self.synced(shop, expected)
        failed = self.failed(shop, expected) - set(counts)
        lost = sorted(set(accepted if promised is None else promised) - set(counts) - failed)
        surplus = self.probe.run(records.surplus_records, shop.shop_id)
        result = {
            "expected": len(expected),
            "orders": len(counts),
            "duplicates": sum(n - 1 for n in counts.values()),
            "lost": len(lost),
            "failed_visible": len(failed),
            "seconds": round(seconds, 1) if seconds is not None else None,
            "accepted_events": len(set(accepted)),
            "lost_ids": lost[:20],
            "failed_ids": sorted(failed)[:20],
            "duplicate_records": surplus,
            **self.probe.run(jobs.shop_stats, shop.shop_id),
        }
        result.update(extra)
        checks = dict(checks or {})
        checks["no duplicate (sale orders, partners, variants)"] = result["duplicates"] == 0 and not any(
            surplus.values()
        )
        checks["nothing lost"] = result["lost"] == 0
        checks["settled in time"] = seconds is not None
        result["checks"] = checks
        result["ok"] = all(checks.values())
        return result

    # -- the run ----------------------------------------------------------------------------------
    def supervision(self, result, restarts_before):
        """Note in ``result`` the restarts of Odoo's server process the supervisor made during the scenario."""
        restarts = self.services.restarts[restarts_before:]
        result["odoo_restarts"] = len(restarts)
        if not restarts:
            return
        result["odoo_exits"] = [{k: v for k, v in r.items() if k != "monotonic"} for r in restarts]
        codes = ", ".join(str(r["exit_code"]) for r in restarts)
        result.setdefault("notes", []).append(
            f"Odoo's server process exited {len(restarts)} time(s) (exit code {codes}); the supervisor started it "
            f"again {self.sizes['restart_delay']:g} s later, as systemd's Restart=always would; "
            f"logs: {', '.join(Path(r['log']).name for r in restarts if r['log'])}"
        )

    def wait_serving(self, timeout=180):
        """Wait until Odoo answers and its queue_job runner is up (after a restart); False on timeout."""
        deadline = time.monotonic() + timeout
        while not self.services.serving():
            self.services.check_alive()
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
        return True

    def run(self):
        try:
            self.setup()
            for name in self.selected:
                self.log(f"== {TITLES[name]}")
                if not self.wait_serving():
                    raise RuntimeError("Odoo is not serving (HTTP and queue_job runner) before the scenario")
                started = time.monotonic()
                restarts_before = len(self.services.restarts)
                try:
                    result = RUNNERS[name](self, self.shops[name])
                except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others
                    traceback.print_exc()
                    result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                self.supervision(result, restarts_before)
                result["wall_seconds"] = round(time.monotonic() - started, 1)
                self.results["scenarios"][name] = result
                verdict = "skipped" if result.get("skipped") else "PASS" if result.get("ok") else "FAIL"
                self.log(f"{name}: {verdict}")
        finally:
            self.results["machine"]["loadavg_after"] = os.getloadavg()
            self.results["environment_notes"] = environment_notes(self.var, self.out_offsets)
            self.services.stop()
            self.sims.stop()
            self.probe.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pg-cluster", required=True, help="version/name of the chaos PostgreSQL cluster")
    parser.add_argument("--pg-port", type=int, required=True, help="its port (never 5432)")
    parser.add_argument("--addons", required=True, help="the folder holding the shopify_sync Odoo runs")
    parser.add_argument("--addon-rev", default="", help="the commit it was exported from (empty: working tree)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: every scenario in a few minutes")
    parser.add_argument("--cluster", action="store_true", help="two Odoo nodes behind nginx, and the cluster scenarios")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(ORDER)} (or CHAOS_SCENARIOS)")
    parser.add_argument("--out", default=str(ROOT / "chaos" / "results.json"))
    args = parser.parse_args()
    if args.pg_port == 5432:
        parser.error("--pg-port 5432: the PostgreSQL scenario needs a cluster of its own")
    chaos = Chaos(args)
    sizes = chaos.sizes
    chaos.log(
        f"sizes: kill {sizes['kill_orders']} orders / {sizes['kills']} kills; pg {sizes['pg_orders']} orders / "
        f"{sizes['pg_outage']:g} s outage; faults {sizes['fault_orders']} orders / {sizes['fault_429_s']}+"
        f"{sizes['fault_500_s']}+{sizes['fault_slow_s']} s; drop {sizes['drop_orders']} orders at "
        f"{sizes['drop_rate']:.0%}; fuzz {sizes['fuzz']} requests"
    )
    broke = False
    try:
        chaos.run()
    except Exception:  # noqa: BLE001 - report, then fail the run
        traceback.print_exc()
        print(f"[chaos] the run broke; logs are in {chaos.var} and .cache/odoo-chaos.log", file=sys.stderr)
        broke = True
    results = chaos.results
    results["ok"] = not broke and all(r.get("ok") or r.get("skipped") for r in results["scenarios"].values())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print_table(results)
    print(f"\n[chaos] results written to {out}; logs in {chaos.var} and .cache/odoo-chaos.log")
    if broke:
        return 2
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
