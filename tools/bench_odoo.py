"""The processes under test, for tools/bench.py: Odoo, the simulator, their workers and memory."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
from processes import free_port, stop_process_group, wait_http

ROOT = Path(__file__).resolve().parent.parent
WORKER_ALIVE = re.compile(r"Worker (Worker\w+) \((\d+)\) alive")


def children(ppid):
    """Pids of the live processes whose parent is ``ppid``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == ppid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def memory_kb(pid):
    """(RSS, PSS) of ``pid`` in KiB; (0, 0) when it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except (OSError, ValueError):
        pass
    return rss, pss


def listen_overflows():
    """The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows)."""
    try:
        lines = [line.split() for line in open("/proc/net/netstat", encoding="ascii") if line.startswith("TcpExt:")]
        return int(dict(zip(lines[0][1:], lines[1][1:], strict=True))["ListenOverflows"])
    except (OSError, KeyError, IndexError, ValueError):
        return 0


def _other_kind(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            args = handle.read().split(b"\0")
    except OSError:
        return "gone"
    return "gevent" if b"gevent" in args else "other"


class Services:
    """Start and stop the simulator and Odoo (process groups of their own), watch Odoo's workers."""

    def __init__(self, conf, db, port, var):
        self.conf, self.db, self.port, self.var = conf, db, port, Path(var)
        venv = Path(os.environ.get("VENV") or ROOT / ".venv")
        self.odoo_src = (venv / "odoo_src").read_text().strip()
        self.odoo_log = self._conf_value("logfile")
        self.procs = {}
        self.runner_paused = None
        self.odoo_url = f"http://127.0.0.1:{port}"

    def _conf_value(self, key):
        for line in Path(self.conf).read_text().splitlines():
            name, _sep, value = line.partition("=")
            if name.strip() == key:
                return value.strip()
        return None

    def _spawn(self, name, cmd, log_name):
        log = open(self.var / log_name, "ab")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = (proc, log)
        return proc

    def start_simulator(self, shop, token, secret, restore_rate):
        port = free_port()
        cmd = [sys.executable, "-m", "shopify_simulator", "serve", "--port", str(port), "--shop", shop]
        cmd += ["--token", token, "--secret", secret, "--restore-rate", str(restore_rate)]
        self._spawn("simulator", cmd, "simulator-bench.log")
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_sim/health", 30)
        return url

    def start_odoo(self):
        if self.odoo_log and Path(self.odoo_log).exists():
            Path(self.odoo_log).unlink()
        # One database named by -d (db_name) and no dbfilter: Odoo then answers a
        # request without a session from config, instead of connecting to the
        # "postgres" database to list databases on every such request.
        cmd = [sys.executable, f"{self.odoo_src}/odoo-bin", "-c", self.conf, "-d", self.db]
        self._spawn("odoo", cmd, "odoo-bench.out")
        wait_http(f"{self.odoo_url}/web/login", 120)
        deadline = time.monotonic() + 60
        while "WorkerJobRunner" not in self.workers().values():
            if time.monotonic() > deadline:
                raise RuntimeError(f"no queue_job runner worker seen in {self.odoo_log}")
            time.sleep(0.5)

    @property
    def odoo_pid(self):
        return self.procs["odoo"][0].pid

    def workers(self):
        """{pid: worker class} for the live children of the Odoo server."""
        kinds = {}
        if self.odoo_log and Path(self.odoo_log).exists():
            for match in WORKER_ALIVE.finditer(Path(self.odoo_log).read_text(errors="replace")):
                kinds[int(match.group(2))] = match.group(1)
        return {pid: kinds.get(pid) or _other_kind(pid) for pid in children(self.odoo_pid)}

    def log_count(self, text):
        """How many lines of Odoo's log contain ``text``."""
        if not (self.odoo_log and Path(self.odoo_log).exists()):
            return 0
        return sum(text in line for line in Path(self.odoo_log).read_text(errors="replace").splitlines())

    def runner_pid(self):
        pids = [pid for pid, kind in self.workers().items() if kind == "WorkerJobRunner"]
        if len(pids) != 1:
            raise RuntimeError(f"expected one queue_job runner worker, found {pids}")
        return pids[0]

    def pause_runner(self):
        """SIGSTOP the queue_job runner: jobs are still created and notified, none is started."""
        pid = self.runner_pid()
        os.kill(pid, signal.SIGSTOP)
        self.runner_paused = pid

    def resume_runner(self):
        if self.runner_paused:
            try:
                os.kill(self.runner_paused, signal.SIGCONT)
            except ProcessLookupError:
                pass
            self.runner_paused = None

    def stop(self):
        self.resume_runner()
        for name in ("odoo", "simulator"):
            if name not in self.procs:
                continue
            proc, log = self.procs.pop(name)
            stop_process_group(proc, 30)
            log.close()

    def check_alive(self):
        for name, (proc, _log) in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode} (logs in {self.var})")


class MemorySampler(threading.Thread):
    """Sample RSS and PSS of the Odoo server's worker processes every ``interval`` seconds."""

    def __init__(self, services, interval=0.25):
        super().__init__(name="bench-memory", daemon=True)
        self.services, self.interval = services, interval
        self.peak_rss_sum = self.peak_pss_sum = self.peak_rss_one = 0
        self.peak_by_kind = {}
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def sample(self):
        rss_sum = pss_sum = 0
        for pid, kind in self.services.workers().items():
            rss, pss = memory_kb(pid)
            self.peak_by_kind[kind] = max(self.peak_by_kind.get(kind, 0), rss)
            if kind in ("other", "gone"):
                continue  # a child caught between fork and its "alive" log line: not counted
            rss_sum += rss
            pss_sum += pss
            self.peak_rss_one = max(self.peak_rss_one, rss)
        self.peak_rss_sum = max(self.peak_rss_sum, rss_sum)
        self.peak_pss_sum = max(self.peak_pss_sum, pss_sum)
        self.samples += 1

    def stop(self):
        self._stop_event.set()
        self.join(5)


class Db:
    """A plain autocommit connection for polling; never the ORM, never a long transaction."""

    def __init__(self, db):
        self.conn = psycopg2.connect(dbname=db)
        self.conn.autocommit = True

    def one(self, sql, args=None):
        with self.conn.cursor() as cr:
            cr.execute(sql, args)
            return cr.fetchone()

    def all(self, sql, args=None):
        with self.conn.cursor() as cr:
            cr.execute(sql, args)
            return cr.fetchall()

    def execute(self, sql, args=None):
        with self.conn.cursor() as cr:
            cr.execute(sql, args)
            return cr.rowcount

    def close(self):
        self.conn.close()


class BenchDb(Db):
    """The questions the bench asks the database about one shop's orders and jobs."""

    WAITING = ("wait_dependencies", "pending", "enqueued", "started")

    def __init__(self, db, shop_id):
        super().__init__(db)
        self.shop_id = shop_id

    def keys(self, resource_type, ids):
        return [f"shopify_sync:{self.shop_id}:{resource_type}:{i}" for i in ids]

    def waiting_jobs(self, keys):
        """Work still ahead for ``keys``: their queue jobs, the shop's dispatcher and undispatched deliveries."""
        sql = "SELECT count(*) FROM queue_job WHERE identity_key = ANY(%s) AND state IN %s"
        jobs = self.one(sql, ([*keys, f"shopify_sync:{self.shop_id}:dispatch"], self.WAITING))[0]
        sql = "SELECT count(*) FROM shopify_webhook_delivery WHERE shop_id = %s AND state = 'received'"
        return jobs + self.one(sql, (self.shop_id,))[0]

    def confirmed(self, ids):
        sql = "SELECT count(*) FROM sale_order WHERE x_shopify_shop_id=%s AND x_shopify_id = ANY(%s) AND state='sale'"
        return self.one(sql, (self.shop_id, ids))[0]

    def failures(self, ids):
        rows = self.all(
            "SELECT category, count(*) FROM shopify_sync_job WHERE shop_id=%s AND resource_type='order' "
            "AND resource_id = ANY(%s) AND needs_action GROUP BY category",
            (self.shop_id, ids),
        )
        return dict(rows) or "none recorded"

    def job_stats(self, keys, prefix):
        """Counts and average times of the queue jobs of ``keys`` (queue_job counts attempts in ``retry``)."""
        row = self.one(
            "SELECT count(*), coalesce(sum(greatest(retry - 1, 0)), 0), count(*) FILTER (WHERE state='failed'), "
            "avg(extract(epoch FROM date_done - date_started)), "
            "avg(extract(epoch FROM date_started - date_created)) "
            "FROM queue_job WHERE identity_key = ANY(%s)",
            (keys,),
        )
        return {
            f"{prefix}_jobs": row[0],
            f"{prefix}_job_retries": int(row[1]),
            f"{prefix}_jobs_failed": row[2],
            f"{prefix}_job_run_ms_avg": round(float(row[3] or 0) * 1000, 1),
            f"{prefix}_job_wait_s_avg": round(float(row[4] or 0), 2),
        }

    def settle(self, sql, args, quiet=1.5):
        """The row of ``sql`` once it has not changed for ``quiet`` seconds."""
        last, since = None, time.monotonic()
        while True:
            row = self.one(sql, args)
            if row != last:
                last, since = row, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return row
            time.sleep(0.25)

    def backend_idle(self, application_name, db, seconds=1.0):
        """Whether the backend of ``application_name`` has been idle for ``seconds``."""
        row = self.one(
            "SELECT state, extract(epoch FROM now() - state_change) FROM pg_stat_activity "
            "WHERE application_name=%s AND datname=%s",
            (application_name, db),
        )
        return bool(row and row[0] == "idle" and row[1] > seconds)
