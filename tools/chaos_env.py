"""Shared pieces of tools/chaos.py: Odoo under a supervisor, the database probe, simulators, senders.

Odoo is started by ``bench_odoo.Services`` and shops are configured by
``bench_orm.Orm`` (the helpers of ``make bench``); what is here is what chaos
needs on top: a supervisor that starts Odoo again when its server process
exits (as systemd's Restart=always does in production), a probe that
survives a PostgreSQL restart, one simulator per scenario, and senders that
remember when each attempt ran.
"""

import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
from bench_odoo import Services
from processes import free_port, stop_process_group, wait_http

from shopify_simulator import WebhookSender

ROOT = Path(__file__).resolve().parent.parent
WAITING = ("wait_dependencies", "pending", "enqueued", "started")
DB_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)
# The sync jobs of a shop: identity keys shopify_sync:<shop>:<resource type>:<id>.  The
# shop's webhook dispatcher (shopify_sync:<shop>:dispatch), when the addon has one, turns
# received deliveries into sync jobs, and its reconciliation (shopify_sync:<shop>:reconcile)
# lists what changed: both count as work still to do, never as sync jobs.
SYNC_JOBS = "identity_key LIKE %(sync)s"


def _keys(shop_id):
    return {
        "key": f"shopify_sync:{shop_id}:%",
        "sync": f"shopify_sync:{shop_id}:%:%",
        "dispatch": f"shopify_sync:{shop_id}:dispatch",
    }


class SupervisedServices(Services):
    """``bench_odoo.Services`` whose Odoo server is started again when it exits, ``restart_delay`` s later.

    This is what systemd's Restart=always (RestartSec) does for Odoo in
    production.  Each restart is recorded (when, exit code, the log of the
    server that exited) for the scenario's report.  ``check_alive`` raises only
    when the supervisor gives up: ``max_restarts`` restarts within a minute.
    """

    def __init__(self, *args, restart_delay=1.0, max_restarts=30, **kwargs):
        super().__init__(*args, **kwargs)
        self.restart_delay, self.max_restarts = restart_delay, max_restarts
        self.restarts = []
        self.given_up = None
        self.old_logs = []
        self._lock = threading.RLock()
        self._halt = threading.Event()
        self._thread = None

    def start_odoo(self):
        super().start_odoo()
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="chaos-supervisor", daemon=True)
            self._thread.start()

    def _watch(self):
        while not self._halt.wait(0.25):
            with self._lock:
                proc = self.procs.get("odoo", (None, None))[0]
                if proc is None or proc.poll() is None or self.given_up:
                    continue
                self._restart(proc)

    def _restart(self, proc):
        exited = time.monotonic()
        recent = [r for r in self.restarts if exited - r["monotonic"] < 60]
        if len(recent) >= self.max_restarts:
            self.given_up = f"Odoo exited {len(recent) + 1} times within a minute (last exit code {proc.returncode})"
            return
        _proc, log = self.procs.pop("odoo")
        log.close()
        saved = None
        if self.odoo_log and Path(self.odoo_log).exists():
            saved = self.var / f"odoo-chaos-exit-{len(self.restarts) + 1}.log"
            Path(self.odoo_log).replace(saved)
            self.old_logs.append(saved)
        self._halt.wait(self.restart_delay)
        # The new server is not waited for: while PostgreSQL is down it starts without a registry,
        # and senders see refused connections until it listens, as they would in production.
        cmd = [sys.executable, f"{self.odoo_src}/odoo-bin", "-c", self.conf, "-d", self.db]
        self._spawn("odoo", cmd, "odoo-bench.out")
        self.restarts.append(
            {
                "monotonic": exited,
                "exit_code": proc.returncode,
                "restarted_after_s": round(time.monotonic() - exited, 1),
                "log": str(saved) if saved else None,
            }
        )

    @property
    def odoo_pid(self):
        """The running server's pid; None in the moment between an exit and the restart."""
        with self._lock:
            proc = self.procs.get("odoo", (None, None))[0]
            return proc.pid if proc else None

    def log_count(self, text):
        """Lines containing ``text`` in the logs of every Odoo server started so far."""
        count = super().log_count(text)
        for path in self.old_logs:
            count += sum(text in line for line in path.read_text(errors="replace").splitlines())
        return count

    def check_alive(self):
        if self.given_up:
            raise RuntimeError(f"the supervisor gave up: {self.given_up}")
        with self._lock:
            for name, (proc, _log) in self.procs.items():
                if name != "odoo" and proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {proc.returncode} (logs in {self.var})")

    def serving(self):
        """Whether Odoo answers HTTP and its queue_job runner is up."""
        try:
            wait_http(f"{self.odoo_url}/web/login", 2)
        except RuntimeError:
            return False
        return "WorkerJobRunner" in self.workers().values()

    def stop(self):
        self._halt.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        with self._lock:
            super().stop()


class Probe:
    """Autocommit psycopg2 connection for polling; reconnects (up to ``patience`` s) when the server went away."""

    def __init__(self, db, port=None, patience=120):
        self.db, self.port, self.patience, self.conn = db, port, patience, None

    def _cursor(self):
        if self.conn is None or self.conn.closed:
            self.conn = psycopg2.connect(dbname=self.db, port=self.port, application_name="shopify_sync-chaos-probe")
            self.conn.autocommit = True
        return self.conn.cursor()

    def _run(self, sql, args, fetch):
        deadline = time.monotonic() + self.patience
        while True:
            try:
                with self._cursor() as cr:
                    cr.execute(sql, args)
                    return fetch(cr)
            except DB_ERRORS:
                self.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def one(self, sql, args=None):
        return self._run(sql, args, lambda cr: cr.fetchone())

    def all(self, sql, args=None):
        return self._run(sql, args, lambda cr: cr.fetchall())

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except DB_ERRORS:
                pass
        self.conn = None

    # -- questions about one shop --------------------------------------------------------
    def waiting(self, shop_id):
        """Waiting queue jobs of the shop: its sync jobs, and its webhook dispatcher if the addon has one.

        (A delivery left "received" always has a dispatcher waiting for it, unless that
        dispatcher failed: then it is not waited for, and counts as lost if nothing else
        brings its order in.)
        """
        sql = "SELECT count(*) FROM queue_job WHERE identity_key LIKE %(key)s AND state IN %(states)s"
        return self.one(sql, {**_keys(shop_id), "states": WAITING})[0]

    def sync_jobs_waiting(self, shop_id):
        """Waiting sync jobs of the shop (its dispatcher not counted)."""
        sql = f"SELECT count(*) FROM queue_job WHERE {SYNC_JOBS} AND state IN %(states)s"  # noqa: S608
        return self.one(sql, {**_keys(shop_id), "states": WAITING})[0]

    def orders(self, shop_id, ids):
        """{x_shopify_id: number of sale orders} for ``ids``."""
        sql = (
            "SELECT x_shopify_id, count(*) FROM sale_order WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s) "
            "GROUP BY x_shopify_id"
        )
        return dict(self.all(sql, (shop_id, list(ids))))

    def visible_failures(self, shop_id, ids):
        """Order ids whose sync job shows a failure to a person (failed, or needs action)."""
        sql = (
            "SELECT resource_id FROM shopify_sync_job WHERE shop_id=%s AND resource_type='order' "
            "AND resource_id = ANY(%s) AND (state='failed' OR needs_action)"
        )
        return {row[0] for row in self.all(sql, (shop_id, list(ids)))}

    def job_stats(self, shop_id):
        """States of the shop's sync queue jobs and the attempts they used; its dispatcher jobs apart."""
        keys = _keys(shop_id)
        states = dict(self.all(f"SELECT state, count(*) FROM queue_job WHERE {SYNC_JOBS} GROUP BY 1", keys))  # noqa: S608
        row = self.one(
            "SELECT coalesce(sum(greatest(retry - 1, 0)), 0), coalesce(max(retry), 0), "
            f"count(*) FILTER (WHERE retry > 1) FROM queue_job WHERE {SYNC_JOBS}",  # noqa: S608
            keys,
        )
        failed = self.all(
            f"SELECT exc_name, count(*) FROM queue_job WHERE {SYNC_JOBS} AND state='failed' GROUP BY 1",  # noqa: S608
            keys,
        )
        dispatch = dict(
            self.all("SELECT state, count(*) FROM queue_job WHERE identity_key = %(dispatch)s GROUP BY 1", keys)
        )
        deliveries = dict(
            self.all("SELECT state, count(*) FROM shopify_webhook_delivery WHERE shop_id=%s GROUP BY 1", (shop_id,))
        )
        return {
            "queue_jobs": states,
            "job_retries": int(row[0]),
            "job_max_attempts": int(row[1]),
            "jobs_retried": int(row[2]),
            "queue_jobs_failed_by_exception": {str(name): count for name, count in failed},
            "dispatcher_jobs": dispatch,
            "deliveries": deliveries,
        }

    def duplicates(self, shop_id):
        """Surplus Odoo records per Shopify id: sale orders, and partners and variants."""
        out = {}
        for table in ("sale_order", "res_partner", "product_product"):
            out[table] = self.one(
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM {table} "  # noqa: S608
                "WHERE x_shopify_shop_id=%s AND x_shopify_id IS NOT NULL GROUP BY x_shopify_id) d",
                (shop_id,),
            )[0]
        return {k: int(v) for k, v in out.items()}


class Simulators:
    """One ``python -m shopify_simulator serve`` per shop, each in a process group of its own."""

    def __init__(self, var):
        self.var = Path(var)
        self.procs = []

    def start(self, shop, token, secret, restore_rate):
        port = free_port()
        cmd = [sys.executable, "-m", "shopify_simulator", "serve", "--port", str(port), "--shop", shop]
        cmd += ["--token", token, "--secret", secret, "--restore-rate", f"{restore_rate:g}"]
        log = open(self.var / f"simulator-{shop.split('.')[0]}.log", "ab")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((proc, log))
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_sim/health", 30)
        return url

    def stop(self):
        for proc, log in self.procs:
            stop_process_group(proc, 10)
            log.close()
        self.procs = []


class TimedSender(WebhookSender):
    """A WebhookSender that also notes when each attempt started and ended (monotonic seconds)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeline = []
        self._timeline_lock = threading.Lock()

    def send(self, topic, payload, *args, **kwargs):
        started = time.monotonic()
        delivery = super().send(topic, payload, *args, **kwargs)
        if not delivery.dropped:
            with self._timeline_lock:
                self.timeline.append((started, time.monotonic(), delivery.status_code, delivery.error))
        return delivery

    def statuses(self, since=None, until=None):
        """Counter of the attempts started in [since, until]: HTTP status, or 'no answer'."""
        with self._timeline_lock:
            rows = list(self.timeline)
        return Counter(
            str(status) if status else "no answer"
            for start, _end, status, _error in rows
            if (since is None or start >= since) and (until is None or start <= until)
        )

    def answered_2xx_within(self, since, until):
        """Attempts that both started and were answered 2xx inside [since, until]."""
        with self._timeline_lock:
            return sum(1 for s, e, st, _ in self.timeline if st and 200 <= st < 300 and s >= since and e <= until)


class PacedDelivery(threading.Thread):
    """Deliver ``items`` [(topic, payload, key)] at ``rate`` per second, each one Shopify-style.

    Each event goes through ``deliver_with_retries`` (same event and webhook id
    on every attempt, Shopify's 8 retries at ``time_scale`` of their real
    waits) in a pool of ``workers`` threads, so that a retrying event never
    holds back the ones after it.
    """

    def __init__(self, sender, items, rate, time_scale, workers=64):
        super().__init__(name="chaos-delivery", daemon=True)
        self.sender, self.items, self.rate, self.time_scale = sender, list(items), float(rate), time_scale
        self.workers = workers
        self.attempts = {}
        self.submitted = 0
        self.seconds = None
        self._lock = threading.Lock()

    def run(self):
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="chaos-send") as pool:
            for index, (topic, payload, key) in enumerate(self.items):
                delay = started + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self._one, topic, payload, key)
                self.submitted += 1
        self.seconds = time.monotonic() - started

    def _one(self, topic, payload, key):
        attempts = self.sender.deliver_with_retries(topic, payload, time_scale=self.time_scale)
        with self._lock:
            self.attempts[key] = attempts

    def accepted(self):
        """Keys of the events answered 2xx at least once."""
        with self._lock:
            return {key for key, attempts in self.attempts.items() if any(a.ok for a in attempts)}

    def summary(self):
        with self._lock:
            done = dict(self.attempts)
        tries = Counter(len(attempts) for attempts in done.values())
        return {
            "events_sent": len(done),
            "events_accepted": sum(1 for a in done.values() if any(x.ok for x in a)),
            "events_given_up": sum(1 for a in done.values() if not any(x.ok for x in a)),
            "attempts_per_event": {str(k): v for k, v in sorted(tries.items())},
            "send_seconds": round(self.seconds or 0, 1),
        }
