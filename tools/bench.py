"""shopify_sync benchmarks: webhook acknowledgement, end-to-end order sync, duplicate storm, worker memory.

Called by ``make bench`` (tools/run_bench.sh) with the virtualenv's Python, a
fresh database and an Odoo config (workers=2, queue_job runner, 127.0.0.1).
Writes bench/results.json and prints a table.  Exits 0 whether or not the
targets are met; non-zero only when the run itself broke.  Sizes come from
environment variables (see docs/BENCHMARKS.md).
"""

import argparse
import os
import sys
import time
import traceback
import uuid

from tools import bench_import, bench_paid, bench_publish
from tools.bench_load import BARE_PATH, ack_pool, merge_wrk, run_wrk
from tools.bench_orm import Reference
from tools.bench_ratelimit import FLOOR_PATH, RL_PHASES, floor_figures, rl_orders, run_rate_limited
from tools.bench_report import machine, print_table, write_results
from tools.harness import jobs, keys, records
from tools.harness.bench_shops import ACK_SHOP, SECRET, SHOP, generate_catalogue, set_up_shops, sync_catalogue
from tools.harness.db import Db
from tools.harness.deploy import Deployment
from tools.harness.load import WEBHOOK_PATH, Deliverer, dumps, raw_request, storm_requests
from tools.harness.memory import MemorySampler
from tools.harness.orm import Orm
from tools.harness.paths import ROOT, VAR
from tools.harness.procs import listen_overflows
from tools.harness.simulator import Simulators

HOST = "127.0.0.1"
DEAD_JOB = "Re-queued dead job"
PHASES = ("ack", "e2e", "e2e_paid", "storm", *RL_PHASES, "import", "publish")
CATALOGUE_PHASES = ("ack", "e2e", "e2e_paid", "storm", *RL_PHASES)  # import has a store of its own


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
        self.rl_orders = rl_orders()  # per rate-limited phase (tools/bench_ratelimit.py)
        self.needs_catalogue = any(p in CATALOGUE_PHASES for p in self.phases)  # import alone: no catalogue
        self.var = VAR / "bench"
        self.var.mkdir(parents=True, exist_ok=True)
        self.services = Deployment(args.conf, args.db, args.port, self.var, nodes=2 if args.cluster else 1)
        self.sims = Simulators(self.var)
        self.results = {"machine": machine(), "notes": []}
        self.results["sizes"] = {
            k: getattr(self, k)
            for k in ("orders", "storm_events", "storm_copies", "storm_senders", "ack_seconds", "warmup_seconds")
            + ("ack_rounds", "connections", "wrk_threads", "products", "e2e_senders", "restore_rate", "rl_orders")
        }
        if args.cluster:
            self.results["cluster"] = self.services.shape

    def log(self, text):
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)

    # -- set-up ----------------------------------------------------------------------
    def setup(self):
        self.log("loading the Odoo registry in-process (shop set-up, ORM reference)")
        self.orm = Orm(self.args.conf, self.args.db)
        shops = set_up_shops(self.orm, self.sims, self.restore_rate)
        self.shop_id, self.ack_shop_id, self.sim = shops.shop_id, shops.ack_shop_id, shops.sim
        total = self.orders + self.storm_events + self.rl_orders * len(RL_PHASES)
        self.data = generate_catalogue(self, shops.sim_url, self.products, total) if self.needs_catalogue else None
        self.log(f"starting Odoo (workers=2, queue_job runner): {self.services.shape}")
        self.services.start()
        self.db = Db(self.args.db)
        self.results["ack_keep_raw_body"] = bool(self.db.run(jobs.shop_value, self.ack_shop_id, "keep_raw_body"))
        self.results["odoo_workers"] = sorted(self.services.workers().values())

    def waiting(self, keys_):
        return self.db.run(jobs.waiting_for_keys, self.shop_id, keys_)

    def confirmed(self, ids):
        return self.db.run(records.confirmed_orders, self.shop_id, ids)

    def failures(self, ids):
        return self.db.run(jobs.failures_needing_action, self.shop_id, ids)

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

    # -- 1. acknowledgement -------------------------------------------------------------
    def ack(self):
        """wrk against the bare route and the webhook, in turns, with the runner paused; then what was recorded."""
        self.wrk_log = self.var / "wrk.log"
        self.wrk_log.unlink(missing_ok=True)
        self.log("ack: queue_job runner paused (SIGSTOP) for the acknowledgement runs")
        self.services.pause_runners()
        try:
            warm, warm_size = self.ack_warm_up()
            bare, ack, ack_runs, pool_size, body_size, floor = self.ack_rounds_run(warm)
            recorded, dispatchers, cancelled = self.ack_recorded()
        finally:
            self.services.resume_runners()
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
            **floor_figures(floor, ack),
        )
        if r["ack_pool_wrapped"]:
            r["notes"].append("ack run wrapped its request pool: some requests were duplicates")
        if not ok <= recorded[0] <= ok + 4 * self.connections:
            r["notes"].append(f"ack: {ok} requests answered 2xx but {recorded[0]} deliveries recorded")

    def wrk(self, path, pool, seconds):
        base = f"http://{HOST}:{self.args.port}"
        return run_wrk(base + path, path, pool, seconds, self.connections, self.wrk_threads, self.wrk_log)

    def ack_warm_up(self):
        """A few seconds per route; the webhook's pool is sized so that its warm-up never repeats an event."""
        template, seconds, conns = self.data["orders"][0], self.warmup_seconds, self.connections
        warm_pool = self.var / "ack_warm.lua"
        ack_pool(warm_pool, template, 8_000_000_000, 2000, ACK_SHOP, SECRET)
        self.log(f"ack: warm-up, {seconds} s per route")
        # The bare route records nothing: its warm-up may cycle through a small pool.
        warm_bare = self.wrk(BARE_PATH, warm_pool, seconds)
        # The webhook's warm-up must not wrap (a repeated event is answered but not recorded):
        # its pool is sized from the bare route's rate, which the webhook does not exceed.
        warm_size = max(2000, int(warm_bare["rps"] * seconds * 1.5) + 100 * conns)
        ack_pool(warm_pool, template, 8_050_000_000, warm_size, ACK_SHOP, SECRET)
        return self.wrk(WEBHOOK_PATH, warm_pool, seconds), warm_size

    def ack_rounds_run(self, warm):
        """Interleaved rounds (bare, floor, ack, bare...), so that a change of load weighs on the routes alike."""
        rounds, seconds = self.ack_rounds, max(1, round(self.ack_seconds / self.ack_rounds))
        pool_size = max(2000, int(warm["rps"] * seconds * 3) + 100 * self.connections)
        pools, body_size = [], 0
        for n in range(rounds):
            pools.append(self.var / f"ack_main_{n}.lua")
            first_id = 8_100_000_000 + n * 10_000_000
            body_size = ack_pool(pools[n], self.data["orders"][0], first_id, pool_size, ACK_SHOP, SECRET)
        self.log(f"ack: {rounds} x {pool_size} distinct signed orders/create requests, {body_size:.0f} B per body")
        bare_runs, floor_runs, ack_runs = [], [], []
        for n in range(rounds):
            self.log(f"ack: round {n + 1}/{rounds}: bare route, durable floor, shopify_sync webhook, {seconds} s each")
            bare_runs.append(self.wrk(BARE_PATH, pools[n], seconds))
            floor_runs.append(self.wrk(FLOOR_PATH, pools[n], seconds))
            ack_runs.append(self.wrk(WEBHOOK_PATH, pools[n], seconds))
        floor = merge_wrk(floor_runs)
        return merge_wrk(bare_runs), merge_wrk(ack_runs), ack_runs, pool_size, body_size, floor

    def ack_recorded(self):
        """(deliveries recorded and still received, dispatcher jobs, jobs cancelled) of the ack shop."""
        # Requests still queued when wrk stopped are answered afterwards: let them land first.
        recorded = self.db.settle(jobs.recorded_and_received_sql(), (self.ack_shop_id,))
        dispatchers = sum(self.db.run(jobs.dispatcher_states, self.ack_shop_id).values())
        # The acknowledgement runs measure the door only: what they recorded is not synced.
        cancelled = self.db.run(jobs.cancel_waiting, self.ack_shop_id)
        self.db.run(jobs.ignore_received, self.ack_shop_id, "Benchmark: acknowledged only.")
        return recorded, dispatchers, cancelled

    def wait_runner_idle(self):
        """Wait until the leading runner has worked through the notifications queued while it was paused."""
        streak = [0]

        def quiet():
            app = self.db.run(jobs.runner_leader)
            idle = bool(app) and self.db.run(jobs.backend_idle, app, self.args.db)
            streak[0] = streak[0] + 1 if idle else 0
            return streak[0] >= 3

        if self.wait_until("runner backlog", quiet, timeout=300, poll=0.5) is None:
            self.results["notes"].append("the runner did not go idle after the ack phase")

    # -- 2. end to end -------------------------------------------------------------------
    def e2e(self):
        orders = self.data["orders"][: self.orders]
        ids = [str(o["id"]) for o in orders]
        keys_ = keys.job_keys(self.shop_id, "order", ids)
        requests_ = [self.request("orders/create", o) for o in orders]
        self.log(f"e2e: {len(orders)} orders/create webhooks, {self.e2e_senders} senders")
        deliverer = Deliverer(HOST, self.args.port, self.e2e_senders)
        started = time.monotonic()
        sender = deliverer.send_in_background(requests_)
        seconds = self.wait_until(
            "e2e",
            lambda: self.confirmed(ids) == len(ids),
            timeout=max(240, 2 * len(ids)),
            stalled=lambda: not sender.is_alive() and not self.waiting(keys_),
        )
        elapsed = time.monotonic() - started if seconds is None else seconds
        sender.join()
        done = self.confirmed(ids)
        r = self.results
        r.update(
            e2e_orders=len(ids),
            e2e_confirmed=done,
            e2e_seconds=round(elapsed, 2),
            e2e_orders_per_s=done / elapsed,
            e2e_send_seconds=round(deliverer.seconds, 2),
            e2e_non_2xx=deliverer.non_2xx,
            e2e_statuses=dict(deliverer.statuses),
            **self.db.run(jobs.stats_of_keys, keys_, "e2e"),
        )
        if done < len(ids):
            r["notes"].append(f"e2e: only {done} of {len(ids)} orders confirmed; failures: {self.failures(ids)}")
        self.log(f"e2e: {done} orders confirmed in {elapsed:.1f} s")
        self.log(f"orm: the same {len(orders)} orders by plain ORM calls, one process")
        orm_seconds = Reference(self.orm).orders(self.shop_id, orders)
        r.update(orm_seconds=round(orm_seconds, 2), orm_orders_per_s=len(orders) / orm_seconds)
        r["e2e_ratio"] = r["e2e_orders_per_s"] / r["orm_orders_per_s"]

    e2e_paid = bench_paid.e2e_paid  # end to end again, the shop invoicing when paid (tools/bench_paid.py)
    import_ = bench_import.run  # a day-one import at 100 points/s, a store of its own (tools/bench_import.py)
    publish = bench_publish.run  # Odoo products published in bulk at 100 points/s, a store of its own

    # -- 2b. end to end under Shopify's rate limits (tools/bench_ratelimit.py) -----------
    def e2e_rl100(self):
        self.rate_limited("e2e_rl100")

    def e2e_rl1000(self):
        self.rate_limited("e2e_rl1000")

    def rate_limited(self, phase):
        start = self.orders + self.storm_events + self.rl_orders * list(RL_PHASES).index(phase)
        orders = self.data["orders"][start : start + self.rl_orders]
        self.results.update(run_rate_limited(self, phase, orders, HOST))

    # -- 3 and 4. duplicate storm, worker memory ----------------------------------------
    def storm(self):
        """Each event sent ``storm_copies`` times, shuffled, by ``storm_senders``; workers' memory sampled."""
        orders = self.data["orders"][self.orders : self.orders + self.storm_events]
        ids = [str(o["id"]) for o in orders]
        keys_ = keys.job_keys(self.shop_id, "order", ids)
        events, requests_ = self.storm_requests(orders)
        sampler = MemorySampler(self.services)
        sampler.start()
        deliverer = Deliverer(HOST, self.args.port, self.storm_senders)
        try:
            sender = deliverer.send_in_background(requests_)
            seconds = self.wait_until(
                "storm",
                lambda: not sender.is_alive() and self.confirmed(ids) == len(ids) and not self.waiting(keys_),
                timeout=max(300, 2 * len(ids)),
                stalled=lambda: not sender.is_alive() and not self.waiting(keys_),
            )
            sender.join()
        finally:
            sampler.stop()
        counts = self.db.run(records.order_totals, self.shop_id, ids)
        deliveries = self.db.run(jobs.delivery_totals, self.shop_id, [e[0] for e in events])
        r = self.results
        r.update(
            storm_expected=len(events),
            storm_orders=counts[1],
            storm_duplicate_orders=counts[0] - counts[1],
            storm_confirmed=self.confirmed(ids),
            storm_deliveries_sent=len(requests_),
            storm_deliveries_recorded=deliveries[0],
            storm_receipts_counted=int(deliveries[1]),
            storm_non_2xx=deliverer.non_2xx,
            storm_statuses=dict(deliverer.statuses),
            storm_send_seconds=round(deliverer.seconds, 2),
            storm_seconds=round(seconds, 2) if seconds is not None else None,
            **self.memory_figures(sampler),
            **self.db.run(jobs.stats_of_keys, keys_, "storm"),
        )
        if seconds is None:
            r["notes"].append(f"storm: not all orders confirmed; failures: {self.failures(ids)}")
        self.log(f"storm: {counts[1]} orders, {r['storm_jobs']} jobs, done in {r['storm_seconds']} s")

    def storm_requests(self, orders):
        """The events and their copies, shuffled, a third with a new webhook id (``harness.load``)."""
        events, requests_ = storm_requests(orders, self.storm_copies, self.args.port, SHOP, SECRET)
        self.log(
            f"storm: {len(events)} events x {self.storm_copies} copies = {len(requests_)} deliveries, "
            f"{self.storm_senders} senders, shuffled, a third with a new webhook id"
        )
        return events, requests_

    @staticmethod
    def memory_figures(sampler):
        return dict(
            storm_worker_rss_mb=round(sampler.peak_rss_sum / 1024),
            storm_worker_rss_max_mb=round(sampler.peak_rss_one / 1024),
            storm_worker_pss_mb=round(sampler.peak_pss_sum / 1024),
            storm_worker_rss_by_kind_mb={k: round(v / 1024) for k, v in sampler.peak_by_kind.items()},
            storm_memory_samples=sampler.samples,
        )

    def observed(self, phase, func):
        """Run one phase; record the listen-queue drops and dead-job requeues seen meanwhile (and, behind
        nginx, how many requests each node answered)."""
        overflows, requeued = listen_overflows(), self.services.log_count(DEAD_JOB)
        since = self.services.access_log_size()
        func()
        self.results[f"{phase}_listen_overflows"] = listen_overflows() - overflows
        self.results[f"{phase}_dead_jobs_requeued"] = self.services.log_count(DEAD_JOB) - requeued
        if self.services.cluster:
            self.results[f"{phase}_requests_by_node"] = self.services.requests_by_node(since)

    def run(self):
        self.results["machine"]["loadavg_before"] = os.getloadavg()
        try:
            self.setup()
            if self.needs_catalogue:
                sync_catalogue(self, HOST)  # phase 0: the catalogue's products/create webhooks
            for phase in self.phases:
                self.observed(phase, getattr(self, f"{phase}_" if phase == "import" else phase))
        finally:
            self.results["machine"]["loadavg_after"] = os.getloadavg()
            self.services.stop()
            self.sims.stop()
        if r := [k for k, v in self.results.items() if v is None]:
            self.results["notes"].append(f"no value for {', '.join(r)}")
            for key in r:
                self.results.pop(key)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cluster", action="store_true", help="two Odoo nodes behind nginx on --port")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    bench = Bench(args)
    if bench.phases != list(PHASES) and args.out == parser.get_default("out") and not args.cluster:
        # A partial one-node run keeps the full one; a cluster run is a section of its own in results.json.
        args.out = str(ROOT / "bench" / f"results-{'-'.join(bench.phases)}.json")
    try:
        bench.run()
    except Exception:  # noqa: BLE001 - report, then fail the run
        traceback.print_exc()
        print(f"[bench] the run broke; logs are in {bench.var} and .cache/", file=sys.stderr)
        return 2
    write_results(args.out, bench.results, cluster=args.cluster)
    print_table(bench.results)
    print(f"\n[bench] results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
