"""make bench, phase import: a day-one import of a whole store with bulk operations, at 100 points/s.

A simulator of its own (restore rate ``BENCH_IMPORT_RESTORE_RATE``, 100 points/s,
Shopify's Standard plan) is seeded with ``BENCH_IMPORT_PRODUCTS`` products of
``BENCH_IMPORT_VARIANTS`` variants, ``BENCH_IMPORT_CUSTOMERS`` customers and
``BENCH_IMPORT_ORDERS`` orders; a shop of its own points at it. The clock starts
when ``action_import`` is called for the three kinds (one run each, as the wizard
starts them) and stops when every run is done or failed and no queue job of the
shop waits. The runs are polled in ``shopify_import_run`` by SQL; the workers'
memory is sampled meanwhile. Targets: the whole import within 10 minutes, under
500 MiB peak RSS in any one worker, no duplicate.
"""

import os
import time
from datetime import UTC, datetime

from shopify_simulator import SimulatorControl
from tools.harness import imports, jobs, records
from tools.harness.memory import MemorySampler
from tools.harness.orm import ShopSettings, configure_shop

SHOP = "bench-import.myshopify.com"
KINDS = ("products", "customers", "orders")
SEED = 1717  # not the bench shop's seed: other names and SKUs than its catalogue
POLL = 0.5


class ImportPhase:
    def __init__(self, bench):
        self.bench = bench
        env = os.environ.get
        self.sizes = {
            "import_products": int(env("BENCH_IMPORT_PRODUCTS", 10_000)),
            "import_variants_per_product": int(env("BENCH_IMPORT_VARIANTS", 2)),
            "import_customers": int(env("BENCH_IMPORT_CUSTOMERS", 10_000)),
            "import_orders": int(env("BENCH_IMPORT_ORDERS", 20_000)),
            "import_lines_per_order": int(env("BENCH_IMPORT_LINES", 2)),
            # a store with a past: this share of the orders is history (fulfilled and closed,
            # cancelled, refunded, over months), the rest open (shopify_simulator/generator_past.py)
            "import_history_share": float(env("BENCH_IMPORT_HISTORY", 0.8)),
            "import_restore_rate": float(env("BENCH_IMPORT_RESTORE_RATE", 100)),
            "import_timeout": int(env("BENCH_IMPORT_TIMEOUT", 3600)),
            "import_stall_seconds": int(env("BENCH_IMPORT_STALL_SECONDS", 600)),
            "import_chunk_size": int(env("BENCH_IMPORT_CHUNK", 0)) or None,  # None: the addon's default
            "import_read_jobs": int(env("BENCH_IMPORT_READ_JOBS", 0)) or None,  # None: the addon's default (2)
        }

    def log(self, text):
        self.bench.log(f"import: {text}")

    def setup(self):
        """The simulator, seeded at import size, and the shop pointed at it."""
        b, s = self.bench, self.sizes
        url = b.sims.start(
            SHOP, "shpat_bench_import", "whsec_bench_import", s["import_restore_rate"], log_name="simulator-import.log"
        )
        self.sim = SimulatorControl(url, timeout=60)
        self.log(
            f"simulator {url} at {s['import_restore_rate']:g} points/s: generating {s['import_products']} products "
            f"x {s['import_variants_per_product']} variants, {s['import_customers']} customers, "
            f"{s['import_orders']} orders ({s['import_history_share']:.0%} history)"
        )
        started = time.monotonic()
        self.seeded = self.sim.generate(
            seed=SEED,
            customers=s["import_customers"],
            products=s["import_products"],
            variants_per_product=s["import_variants_per_product"],
            orders=s["import_orders"],
            lines_per_order=s["import_lines_per_order"],
            history=s["import_history_share"],
            summary=True,
        )
        self.log(f"seeded {self.seeded} in {time.monotonic() - started:.1f} s")
        settings = ShopSettings("Bench Import Shop", SHOP, url, "shpat_bench_import", "whsec_bench_import")
        self.shop_id = configure_shop(b.orm, settings)
        params = {
            "shopify_sync.import_chunk_size": s["import_chunk_size"],
            "shopify_sync.import_read_jobs": s["import_read_jobs"],
        }

        def configure(env):
            for key, value in params.items():
                env["ir.config_parameter"].sudo().set_param(key, value)

        b.orm.run(configure)

    def start(self):
        """``action_import`` for the three kinds, as the wizard calls it; the run ids."""
        shop_id = self.shop_id
        return self.bench.orm.run(lambda env: env["shopify.shop"].browse(shop_id).action_import(objects=KINDS).ids)

    def follow(self, run_ids):
        """Poll the runs until all are final and nothing of the shop waits; (seconds, {kind: seconds})."""
        b, timeout, stall = self.bench, self.sizes["import_timeout"], self.sizes["import_stall_seconds"]
        started, ends, last_log = time.monotonic(), {}, 0.0
        seen, moved = None, started
        while True:
            b.services.check_alive()
            b.sims.check_alive()
            now = time.monotonic()
            runs = b.db.run(imports.import_runs, self.shop_id, run_ids)
            for run in runs:
                if run["state"] in imports.FINAL:
                    ends.setdefault(run["object_kind"], now - started)
            if imports.all_final(runs) and not b.db.run(jobs.waiting, self.shop_id):
                return now - started, ends
            state = [(r["state"], r["rows_read"]) for r in runs]
            if state != seen:
                seen, moved = state, now
            if now - started > timeout or now - moved > stall:
                why = f"timed out after {timeout} s" if now - started > timeout else f"no progress for {stall} s"
                self.log(f"{why}: {[(r['object_kind'], r['state'], r['rows_read']) for r in runs]}")
                self.bench.results["notes"].append(f"import: {why}")
                return None, ends
            if now - last_log > 15:
                last_log = now
                self.log(
                    ", ".join(f"{r['object_kind']} {r['state']} {r['rows_read']}/{r['object_count']}" for r in runs)
                )
            time.sleep(POLL)

    def run(self):
        b = self.bench
        b.results["sizes"].update(self.sizes)
        self.setup()
        sampler = MemorySampler(b.services)
        sampler.start()
        try:
            self.since = datetime.now(UTC).replace(tzinfo=None)  # Odoo's create_date: UTC, naive
            run_ids = self.start()
            self.log(f"action_import started runs {run_ids}")
            seconds, ends = self.follow(run_ids)
        finally:
            sampler.stop()
        self.report(b.db.run(imports.import_runs, self.shop_id, run_ids), seconds, ends, sampler)

    def report(self, runs, seconds, ends, sampler):
        r = self.bench.results
        by_kind = {run["object_kind"]: run for run in runs}
        expected = {k: self.sizes[f"import_{k}"] for k in KINDS}
        for kind in KINDS:
            run = by_kind.get(kind)
            if run is None or kind not in ends:
                continue
            r[f"import_{kind}_per_s"] = imports.imported(run) / max(ends[kind], 1e-6)
            r[f"import_{kind}_seconds"] = round(ends[kind], 2)
        points = imports.points_used(self.sim.calls())
        in_odoo = self.bench.db.run(records.shop_record_counts, self.shop_id)
        surplus = self.bench.db.run(records.surplus_records, self.shop_id, self.since)
        r.update(
            import_seconds=round(seconds, 2) if seconds is not None else None,
            import_points_used=points["points"],
            import_points_requested=points["requested"],
            import_api_calls=points["calls"],
            import_api_calls_throttled=points["throttled"],
            import_peak_worker_rss_mib=round(sampler.peak_rss_one / 1024),
            import_worker_rss_sum_mib=round(sampler.peak_rss_sum / 1024),
            import_worker_rss_by_kind_mib={k: round(v / 1024) for k, v in sampler.peak_by_kind.items()},
            import_memory_samples=sampler.samples,
            import_created=sum(run["created_count"] for run in runs),
            import_linked=sum(run["linked_count"] for run in runs),
            import_updated=sum(run["updated_count"] for run in runs),
            import_failed=sum(run["failed_count"] for run in runs),
            import_deferred=sum(run["deferred_count"] for run in runs),
            import_runs={run["object_kind"]: _run_figures(run) for run in runs},
            import_odoo_records=in_odoo,
            import_duplicates=sum(surplus.values()),
            import_surplus_records=surplus,
            **self.bench.db.run(imports.job_stats, self.shop_id),
        )
        self.notes(by_kind, expected, in_odoo, seconds)
        self.log(
            f"{r['import_created']} created, {r['import_linked']} linked, {r['import_failed']} failed in "
            f"{r['import_seconds']} s, {points['points']} points, peak worker RSS {r['import_peak_worker_rss_mib']} MiB"
        )

    def notes(self, by_kind, expected, in_odoo, seconds):
        notes = self.bench.results["notes"]
        for kind, run in by_kind.items():
            if run["state"] != "done":
                notes.append(f"import: the {kind} run ended {run['state']}: {run['message']}")
        expected_variants = expected["products"] * self.sizes["import_variants_per_product"]
        for key, want in (
            ("orders", expected["orders"]),
            ("customers", expected["customers"]),
            ("products", expected_variants),
        ):
            if in_odoo[key] != want:
                notes.append(f"import: {in_odoo[key]} {key} bound in Odoo, {want} in the store")


def _run_figures(run):
    keys = ("state", "rows_read", "object_count", "poll_count")
    return {k: run[k] for k in keys} | {k: run[f"{k}_count"] for k in imports.COUNTS}


def run(bench):
    """The import phase of ``bench`` (a tools.bench.Bench)."""
    ImportPhase(bench).run()
