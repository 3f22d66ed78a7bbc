"""shopify_sync benchmarks: webhook acknowledgement, end-to-end order sync, duplicate storm, worker memory.

Called by ``make bench`` (tools/run_bench.sh) with the virtualenv's Python, a
fresh database and an Odoo config (workers=2, queue_job runner, 127.0.0.1).
Writes bench/results.json and prints a table.  Exits 0 whether or not the
targets are met; non-zero only when the run itself broke.  Sizes come from
environment variables (see docs/BENCHMARKS.md).
"""

import argparse
import os
import random
import sys
import time
import traceback
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

from bench_load import (  # noqa: E402
    BARE_PATH,
    WEBHOOK_PATH,
    Deliverer,
    ack_pool,
    dumps,
    merge_wrk,
    raw_request,
    run_wrk,
)
from bench_odoo import BenchDb, MemorySampler, Services, listen_overflows  # noqa: E402
from bench_orm import Orm  # noqa: E402
from bench_report import machine, print_table, write_results  # noqa: E402

from shopify_simulator import SimulatorControl  # noqa: E402

SHOP = "bench-shop.myshopify.com"
ACK_SHOP = "bench-ack.myshopify.com"
TOKEN = "shpat_bench_token"
SECRET = "whsec_bench_secret"
HOST = "127.0.0.1"
DEAD_JOB = "Re-queued dead job"
PHASES = ("ack", "e2e", "storm")


def env_int(name, default):
    return int(os.environ.get(name, default))


class Bench:
    def __init__(self, args):
        self.args = args
        quick = os.environ.get("BENCH_QUICK") == "1"
        self.orders = env_int("BENCH_ORDERS", 200 if quick else 500)
        self.storm_events = env_int("BENCH_STORM_EVENTS", 300 if quick else 1000)
        self.storm_copies = env_int("BENCH_STORM_COPIES", 10)
        self.storm_senders = env_int("BENCH_STORM_SENDERS", 32)
        self.ack_seconds = env_int("BENCH_ACK_SECONDS", 20)
        self.ack_rounds = max(1, env_int("BENCH_ACK_ROUNDS", 2))
        self.warmup_seconds = env_int("BENCH_WARMUP_SECONDS", 3)
        self.connections = env_int("BENCH_CONNECTIONS", 16)
        self.wrk_threads = env_int("BENCH_WRK_THREADS", 2)
        self.products = env_int("BENCH_PRODUCTS", 20)
        self.e2e_senders = env_int("BENCH_E2E_SENDERS", 8)
        self.restore_rate = env_int("BENCH_SIM_RESTORE_RATE", 1_000_000)
        self.phases = [p for p in PHASES if p in os.environ.get("BENCH_PHASES", ",".join(PHASES)).split(",")]
        self.var = ROOT / ".cache" / "bench"
        self.var.mkdir(parents=True, exist_ok=True)
        self.services = Services(args.conf, args.db, args.port, self.var)
        self.results = {"machine": machine(), "notes": []}
        self.results["sizes"] = {
            k: getattr(self, k)
            for k in ("orders", "storm_events", "storm_copies", "storm_senders", "ack_seconds", "warmup_seconds")
            + ("ack_rounds", "connections", "wrk_threads", "products", "e2e_senders", "restore_rate")
        }

    def log(self, text):
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)

    # -- set-up ----------------------------------------------------------------------
    def setup(self):
        self.log("loading the Odoo registry in-process (shop set-up, ORM reference)")
        self.orm = Orm(self.args.conf, self.args.db)
        sim_url = self.services.start_simulator(SHOP, TOKEN, SECRET, self.restore_rate)
        self.shop_id = self.orm.configure_shop("Bench Shop", SHOP, sim_url, TOKEN, SECRET)
        keep = os.environ.get("BENCH_KEEP_RAW_BODY")  # unset: the addon's default (off)
        self.ack_shop_id = self.orm.configure_shop(
            "Bench Ack Shop", ACK_SHOP, "http://127.0.0.1:1", TOKEN, SECRET, None if keep is None else keep == "1"
        )
        total = self.orders + self.storm_events
        self.log(f"simulator {sim_url}: generating {self.products} products, {total} customers and orders")
        self.sim = SimulatorControl(sim_url, timeout=300)
        self.data = self.sim.generate(
            customers=total, products=self.products, variants_per_product=2, orders=total, lines_per_order=3
        )
        self.log("starting Odoo (workers=2, queue_job runner)")
        self.services.start_odoo()
        self.db = BenchDb(self.args.db, self.shop_id)
        self.results["ack_keep_raw_body"] = bool(
            self.db.one("SELECT keep_raw_body FROM shopify_shop WHERE id = %s", (self.ack_shop_id,))[0]
        )
        self.results["odoo_workers"] = sorted(self.services.workers().values())

    def wait_until(self, what, done, timeout, stalled=None, poll=0.25):
        """Poll ``done()`` until true; returns seconds waited, or None on timeout/stall."""
        started = time.monotonic()
        last_stall_check = started
        while time.monotonic() - started < timeout:
            self.services.check_alive()
            if done():
                return time.monotonic() - started
            if stalled and time.monotonic() - last_stall_check > 5:
                last_stall_check = time.monotonic()
                if stalled():
                    self.log(f"{what}: stalled (nothing left to run)")
                    return None
            time.sleep(poll)
        self.log(f"{what}: timed out after {timeout} s")
        return None

    def request(self, topic, payload, event_id=None, webhook_id=None, shop=SHOP, body=None):
        body = body if body is not None else dumps(payload)
        ids = (event_id or str(uuid.uuid4()), webhook_id or str(uuid.uuid4()))
        return raw_request(HOST, self.args.port, WEBHOOK_PATH, shop, SECRET, topic, body, *ids)

    # -- 0. catalogue ------------------------------------------------------------------
    def catalogue(self):
        products = self.data["products"]
        variant_ids = [str(v["id"]) for p in products for v in p["variants"]]
        self.log(f"catalogue: {len(products)} products/create webhooks ({len(variant_ids)} variants)")
        Deliverer(HOST, self.args.port, 4).send([self.request("products/create", p) for p in products])
        keys = self.db.keys("product", [p["id"] for p in products])
        seconds = self.wait_until(
            "catalogue",
            lambda: self.db.one(
                "SELECT count(*) FROM product_product WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s)",
                (self.shop_id, variant_ids),
            )[0]
            == len(variant_ids)
            and not self.db.waiting_jobs(keys),
            timeout=180,
        )
        if seconds is None:
            raise RuntimeError("the product catalogue did not sync: see the queue jobs in the bench database")

    # -- 1. acknowledgement -------------------------------------------------------------
    def ack(self):
        template = self.data["orders"][0]
        port, threads, conns = self.args.port, self.wrk_threads, self.connections
        base = f"http://{HOST}:{port}"
        wrk_log = self.var / "wrk.log"
        wrk_log.unlink(missing_ok=True)
        warm_pool = self.var / "ack_warm.lua"
        ack_pool(warm_pool, template, 8_000_000_000, 2000, ACK_SHOP, SECRET)
        self.log("ack: queue_job runner paused (SIGSTOP) for the acknowledgement runs")
        self.services.pause_runner()
        try:
            self.log(f"ack: warm-up, {self.warmup_seconds} s per route")
            # The bare route records nothing: its warm-up may cycle through a small pool.
            warm_bare = run_wrk(base + BARE_PATH, BARE_PATH, warm_pool, self.warmup_seconds, conns, threads, wrk_log)
            # The webhook's warm-up must not wrap (a repeated event is answered but not recorded):
            # its pool is sized from the bare route's rate, which the webhook does not exceed.
            warm_size = max(2000, int(warm_bare["rps"] * self.warmup_seconds * 1.5) + 100 * conns)
            ack_pool(warm_pool, template, 8_050_000_000, warm_size, ACK_SHOP, SECRET)
            warm = run_wrk(base + WEBHOOK_PATH, WEBHOOK_PATH, warm_pool, self.warmup_seconds, conns, threads, wrk_log)
            # Interleaved rounds (bare, ack, bare, ack...) so that a change of load on
            # the machine during the phase weighs on both routes alike.
            rounds, seconds = self.ack_rounds, max(1, round(self.ack_seconds / self.ack_rounds))
            pool_size = max(2000, int(warm["rps"] * seconds * 3) + 100 * conns)
            pools, body_size = [], 0
            for n in range(rounds):
                pools.append(self.var / f"ack_main_{n}.lua")
                body_size = ack_pool(pools[n], template, 8_100_000_000 + n * 10_000_000, pool_size, ACK_SHOP, SECRET)
            self.log(f"ack: {rounds} x {pool_size} distinct signed orders/create requests, {body_size:.0f} B per body")
            bare_runs, ack_runs = [], []
            for n in range(rounds):
                self.log(f"ack: round {n + 1}/{rounds}: bare route then shopify_sync webhook, {seconds} s each")
                bare_runs.append(run_wrk(base + BARE_PATH, BARE_PATH, pools[n], seconds, conns, threads, wrk_log))
                ack_runs.append(run_wrk(base + WEBHOOK_PATH, WEBHOOK_PATH, pools[n], seconds, conns, threads, wrk_log))
            bare, ack = merge_wrk(bare_runs), merge_wrk(ack_runs)
            # Requests still queued when wrk stopped are answered afterwards: let them land first.
            recorded = self.db.settle(
                "SELECT count(*), count(*) FILTER (WHERE state = 'received') "
                "FROM shopify_webhook_delivery WHERE shop_id=%s",
                (self.ack_shop_id,),
            )
            dispatchers = self.db.one(
                "SELECT count(*) FROM queue_job WHERE identity_key = %s", (f"shopify_sync:{self.ack_shop_id}:dispatch",)
            )[0]
            # The acknowledgement runs measure the door only: what they recorded is not synced.
            cancelled = self.db.execute(
                "UPDATE queue_job SET state='cancelled' WHERE identity_key LIKE %s AND state IN %s",
                (f"shopify_sync:{self.ack_shop_id}:%", BenchDb.WAITING),
            )
            self.db.execute(
                "UPDATE shopify_webhook_delivery SET state='ignored', note='Benchmark: acknowledged only.' "
                "WHERE shop_id=%s AND state='received'",
                (self.ack_shop_id,),
            )
        finally:
            self.services.resume_runner()
        self.log(f"ack: runner resumed; {cancelled} jobs of the ack shop cancelled, waiting for the runner to idle")
        self.wait_runner_idle()
        ok = ack["requests"] - ack["err_status"] + warm["requests"] - warm["err_status"]
        r = self.results
        r.update(
            ack_rps=ack["rps"],
            bare_rps=bare["rps"],
            ack_ratio_throughput=ack["rps"] / bare["rps"],
            ack_p50_ms=ack["p50_us"] / 1000,
            bare_p50_ms=bare["p50_us"] / 1000,
            ack_p99_ms=ack["p99_us"] / 1000,
            bare_p99_ms=bare["p99_us"] / 1000,
            ack_ratio_p99=ack["p99_us"] / bare["p99_us"],
            ack_non_2xx=sum(ack[k] for k in ("err_status", "err_timeout", "err_connect", "err_read", "err_write")),
            ack_body_bytes=round(body_size),
            ack_pool_size=pool_size,
            ack_pool_wrapped=warm["requests"] > warm_size or any(run["requests"] > pool_size for run in ack_runs),
            ack_deliveries_recorded=recorded[0],
            ack_deliveries_awaiting_dispatch=recorded[1],
            ack_dispatcher_jobs=dispatchers,
            ack_answers_2xx=ok,
            ack_wrk=ack,
            bare_wrk=bare,
        )
        if r["ack_pool_wrapped"]:
            r["notes"].append("ack run wrapped its request pool: some requests were duplicates")
        if not ok <= recorded[0] <= ok + 4 * conns:
            r["notes"].append(f"ack: {ok} requests answered 2xx but {recorded[0]} deliveries recorded")

    def wait_runner_idle(self):
        """Wait until the runner has worked through the notifications queued while it was paused."""
        app, streak = f"odoo-{self.services.runner_pid()}", [0]

        def quiet():
            streak[0] = streak[0] + 1 if self.db.backend_idle(app, self.args.db) else 0
            return streak[0] >= 3

        if self.wait_until("runner backlog", quiet, timeout=300, poll=0.5) is None:
            self.results["notes"].append("the runner did not go idle after the ack phase")

    # -- 2. end to end -------------------------------------------------------------------
    def e2e(self):
        orders = self.data["orders"][: self.orders]
        ids = [str(o["id"]) for o in orders]
        keys = self.db.keys("order", ids)
        requests_ = [self.request("orders/create", o) for o in orders]
        self.log(f"e2e: {len(orders)} orders/create webhooks, {self.e2e_senders} senders")
        deliverer = Deliverer(HOST, self.args.port, self.e2e_senders)
        started = time.monotonic()
        sender = deliverer.send_in_background(requests_)
        seconds = self.wait_until(
            "e2e",
            lambda: self.db.confirmed(ids) == len(ids),
            timeout=max(240, 2 * len(ids)),
            stalled=lambda: not sender.is_alive() and not self.db.waiting_jobs(keys),
        )
        elapsed = time.monotonic() - started if seconds is None else seconds
        sender.join()
        done = self.db.confirmed(ids)
        r = self.results
        r.update(
            e2e_orders=len(ids),
            e2e_confirmed=done,
            e2e_seconds=round(elapsed, 2),
            e2e_orders_per_s=done / elapsed,
            e2e_send_seconds=round(deliverer.seconds, 2),
            e2e_non_2xx=deliverer.non_2xx,
            e2e_statuses=dict(deliverer.statuses),
            **self.db.job_stats(keys, "e2e"),
        )
        if done < len(ids):
            r["notes"].append(f"e2e: only {done} of {len(ids)} orders confirmed; failures: {self.db.failures(ids)}")
        self.log(f"e2e: {done} orders confirmed in {elapsed:.1f} s")
        self.log(f"orm: the same {len(orders)} orders by plain ORM calls, one process")
        orm_seconds = self.orm.reference_orders(self.shop_id, orders)
        r.update(orm_seconds=round(orm_seconds, 2), orm_orders_per_s=len(orders) / orm_seconds)
        r["e2e_ratio"] = r["e2e_orders_per_s"] / r["orm_orders_per_s"]

    # -- 3 and 4. duplicate storm, worker memory ----------------------------------------
    def storm(self):
        orders = self.data["orders"][self.orders : self.orders + self.storm_events]
        ids = [str(o["id"]) for o in orders]
        keys = self.db.keys("order", ids)
        events = [(str(uuid.uuid4()), str(uuid.uuid4()), dumps(o)) for o in orders]
        copies = [(n, k) for n in range(len(events)) for k in range(self.storm_copies)]
        random.Random(20261125).shuffle(copies)
        requests_ = []
        for position, (n, _k) in enumerate(copies):
            event_id, webhook_id, body = events[n]
            webhook_id = str(uuid.uuid4()) if position % 3 == 0 else webhook_id
            requests_.append(self.request("orders/create", None, event_id, webhook_id, body=body))
        self.log(
            f"storm: {len(events)} events x {self.storm_copies} copies = {len(requests_)} deliveries, "
            f"{self.storm_senders} senders, shuffled, a third with a new webhook id"
        )
        sampler = MemorySampler(self.services)
        sampler.start()
        deliverer = Deliverer(HOST, self.args.port, self.storm_senders)
        try:
            sender = deliverer.send_in_background(requests_)
            seconds = self.wait_until(
                "storm",
                lambda: not sender.is_alive() and self.db.confirmed(ids) == len(ids) and not self.db.waiting_jobs(keys),
                timeout=max(300, 2 * len(ids)),
                stalled=lambda: not sender.is_alive() and not self.db.waiting_jobs(keys),
            )
            sender.join()
        finally:
            sampler.stop()
        counts = self.db.one(
            "SELECT count(*), count(DISTINCT x_shopify_id) FROM sale_order WHERE x_shopify_shop_id=%s "
            "AND x_shopify_id = ANY(%s)",
            (self.shop_id, ids),
        )
        deliveries = self.db.one(
            "SELECT count(*), coalesce(sum(receipt_count), 0) FROM shopify_webhook_delivery "
            "WHERE shop_id=%s AND event_id = ANY(%s)",
            (self.shop_id, [e[0] for e in events]),
        )
        r = self.results
        r.update(
            storm_expected=len(events),
            storm_orders=counts[1],
            storm_duplicate_orders=counts[0] - counts[1],
            storm_confirmed=self.db.confirmed(ids),
            storm_deliveries_sent=len(requests_),
            storm_deliveries_recorded=deliveries[0],
            storm_receipts_counted=int(deliveries[1]),
            storm_non_2xx=deliverer.non_2xx,
            storm_statuses=dict(deliverer.statuses),
            storm_send_seconds=round(deliverer.seconds, 2),
            storm_seconds=round(seconds, 2) if seconds is not None else None,
            storm_worker_rss_mb=round(sampler.peak_rss_sum / 1024),
            storm_worker_rss_max_mb=round(sampler.peak_rss_one / 1024),
            storm_worker_pss_mb=round(sampler.peak_pss_sum / 1024),
            storm_worker_rss_by_kind_mb={k: round(v / 1024) for k, v in sampler.peak_by_kind.items()},
            storm_memory_samples=sampler.samples,
            **self.db.job_stats(keys, "storm"),
        )
        if seconds is None:
            r["notes"].append(f"storm: not all orders confirmed; failures: {self.db.failures(ids)}")
        self.log(f"storm: {counts[1]} orders, {r['storm_jobs']} jobs, done in {r['storm_seconds']} s")

    def observed(self, phase, func):
        """Run one phase; record the listen-queue drops and dead-job requeues seen meanwhile."""
        overflows, requeued = listen_overflows(), self.services.log_count(DEAD_JOB)
        func()
        self.results[f"{phase}_listen_overflows"] = listen_overflows() - overflows
        self.results[f"{phase}_dead_jobs_requeued"] = self.services.log_count(DEAD_JOB) - requeued

    def run(self):
        self.results["machine"]["loadavg_before"] = os.getloadavg()
        try:
            self.setup()
            self.catalogue()
            for phase in self.phases:
                self.observed(phase, getattr(self, phase))
        finally:
            self.results["machine"]["loadavg_after"] = os.getloadavg()
            self.services.stop()
        if r := [k for k, v in self.results.items() if v is None]:
            self.results["notes"].append(f"no value for {', '.join(r)}")
            for key in r:
                self.results.pop(key)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    bench = Bench(args)
    if bench.phases != list(PHASES) and args.out == parser.get_default("out"):
        args.out = str(ROOT / "bench" / f"results-{'-'.join(bench.phases)}.json")  # a partial run keeps the full one
    try:
        bench.run()
    except Exception:  # noqa: BLE001 - report, then fail the run
        traceback.print_exc()
        print(f"[bench] the run broke; logs are in {bench.var} and .cache/", file=sys.stderr)
        return 2
    write_results(args.out, bench.results)
    print_table(bench.results)
    print(f"\n[bench] results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
