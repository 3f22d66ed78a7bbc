"""One Odoo node: its config, its command line, its workers and its log; supervised or not.

A node is an ``odoo-bin`` server process (workers=2 and the queue_job runner in
the harness's configs) in a process group of its own.  ``SupervisedNode``
starts it again when its server process exits, as systemd's Restart=always
(RestartSec) does in production.
"""

import configparser
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

from .paths import odoo_src
from .procs import Process, children, other_kind, wait_http

WORKER_ALIVE = re.compile(r"Worker (Worker\w+) \((\d+)\) alive")
RUNNER = "WorkerJobRunner"


def odoo_command(conf, db):
    """The odoo-bin command line of every server the harness starts.

    One database named by -d (db_name) and no dbfilter: Odoo then answers a
    request without a session from config, instead of connecting to the
    "postgres" database to list databases on every such request.
    """
    return [sys.executable, str(odoo_src() / "odoo-bin"), "-c", str(conf), "-d", db]


def conf_value(conf, key, section="options"):
    parser = configparser.RawConfigParser(delimiters=("=",))
    parser.read(conf)
    return parser.get(section, key, fallback=None)


def derive_conf(base, path, options, queue_job=None):
    """Write at ``path`` the config ``base`` with some [options] and [queue_job] values replaced."""
    parser = configparser.RawConfigParser(delimiters=("=",))
    parser.read(base)
    for section, values in (("options", options), ("queue_job", queue_job or {})):
        if values and not parser.has_section(section):
            parser.add_section(section)
        for key, value in values.items():
            parser.set(section, key, str(value))
    with open(path, "w", encoding="utf-8") as handle:
        parser.write(handle)
    return path


class OdooNode:
    """An Odoo server on ``port``, its stdout in ``var/<name>.out``, its log where its config says."""

    def __init__(self, conf, db, port, var, name="odoo"):
        self.conf, self.db, self.port, self.var, self.name = conf, db, port, Path(var), name
        self.log_path = conf_value(conf, "logfile")
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        self.old_logs = []
        self.paused = []

    # -- start, stop, kill ------------------------------------------------------------------
    def spawn(self):
        self.process = Process(odoo_command(self.conf, self.db), self.var / f"{self.name}.out", self.name).start()

    def start(self, timeout=120):
        """Start the server on a fresh log; return once it answers HTTP and its queue_job runner is up."""
        if self.log_path and Path(self.log_path).exists():
            Path(self.log_path).unlink()
        self.spawn()
        wait_http(f"{self.url}/web/login", timeout)
        deadline = time.monotonic() + 60
        while RUNNER not in self.workers().values():
            if time.monotonic() > deadline:
                raise RuntimeError(f"no queue_job runner worker seen in {self.log_path}")
            time.sleep(0.5)

    def stop(self, patience=30):
        self.resume_runner()
        if self.process:
            self.process.stop(patience)

    def kill(self):
        """kill -9 of the whole node: its server process, HTTP workers, runner and gevent worker."""
        self.resume_runner()
        self.process.kill()

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def check_alive(self):
        if self.process and self.process.exited() is not None:
            raise RuntimeError(f"{self.name} exited with code {self.process.exited()} (logs in {self.var})")

    def serving(self):
        """Whether the node answers HTTP and its queue_job runner is up."""
        try:
            wait_http(f"{self.url}/web/login", 2)
        except RuntimeError:
            return False
        return RUNNER in self.workers().values()

    # -- workers and log --------------------------------------------------------------------
    def workers(self):
        """{pid: worker class} for the live children of the server process."""
        pid = self.pid
        if pid is None:
            return {}
        kinds = {}
        if self.log_path and Path(self.log_path).exists():
            for match in WORKER_ALIVE.finditer(Path(self.log_path).read_text(errors="replace")):
                kinds[int(match.group(2))] = match.group(1)
        return {child: kinds.get(child) or other_kind(child) for child in children(pid)}

    def logs(self):
        """The logs of every server of this node so far (an exited server's log is kept aside)."""
        current = [Path(self.log_path)] if self.log_path and Path(self.log_path).exists() else []
        return [*self.old_logs, *current]

    def log_count(self, text):
        """How many lines of the node's logs contain ``text``."""
        return sum(sum(text in line for line in p.read_text(errors="replace").splitlines()) for p in self.logs())

    def runner_pids(self):
        return [pid for pid, kind in self.workers().items() if kind == RUNNER]

    def pause_runner(self):
        """SIGSTOP the queue_job runner: jobs are still created and notified, none is started."""
        for pid in self.runner_pids():
            os.kill(pid, signal.SIGSTOP)
            self.paused.append(pid)

    def resume_runner(self):
        for pid in self.paused:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.paused = []


class SupervisedNode(OdooNode):
    """A node whose server is started again ``restart_delay`` s after it exits.

    Each restart is recorded (when, exit code, the log of the server that
    exited).  ``check_alive`` raises only when the supervisor gives up:
    ``max_restarts`` restarts within a minute.  ``hold()`` keeps a node down
    (a rolling restart or a node kill decides itself when it comes back).
    """

    def __init__(self, *args, restart_delay=1.0, max_restarts=30, **kwargs):
        super().__init__(*args, **kwargs)
        self.restart_delay, self.max_restarts = restart_delay, max_restarts
        self.restarts = []
        self.given_up = None
        self.held = False
        self._lock = threading.RLock()
        self._halt = threading.Event()
        self._thread = None

    def start(self, timeout=120):
        with self._lock:
            self.held = False
            super().start(timeout)
        if self._thread is None:
            self._halt.clear()
            self._thread = threading.Thread(target=self._watch, name=f"{self.name}-supervisor", daemon=True)
            self._thread.start()

    def hold(self):
        """Restart no more until ``start()``."""
        with self._lock:
            self.held = True

    def _watch(self):
        while not self._halt.wait(0.25):
            with self._lock:
                code = self.process.exited() if self.process else None
                if code is None or self.given_up or self.held:
                    continue
                self._restart(code)

    def _restart(self, code):
        exited = time.monotonic()
        recent = [r for r in self.restarts if exited - r["monotonic"] < 60]
        if len(recent) >= self.max_restarts:
            self.given_up = f"Odoo exited {len(recent) + 1} times within a minute (last exit code {code})"
            return
        self.process.stop()
        saved = self.keep_log()
        self._halt.wait(self.restart_delay)
        # The new server is not waited for: while PostgreSQL is down it starts without a registry,
        # and senders see refused connections until it listens, as they would in production.
        self.spawn()
        self.restarts.append(
            {
                "monotonic": exited,
                "exit_code": code,
                "restarted_after_s": round(time.monotonic() - exited, 1),
                "log": str(saved) if saved else None,
            }
        )

    def keep_log(self):
        """Move the current log aside (the next server writes a new one); its new path."""
        if not (self.log_path and Path(self.log_path).exists()):
            return None
        saved = self.var / f"{Path(self.log_path).stem}-exit-{len(self.old_logs) + 1}.log"
        Path(self.log_path).replace(saved)
        self.old_logs.append(saved)
        return saved

    def kill(self):
        """kill -9 of the whole node; the supervisor restarts it unless ``hold()`` was called."""
        with self._lock:
            super().kill()
            self.keep_log()

    def restart(self, timeout=120):
        """A graceful restart (SIGTERM: running jobs finish first), as a rolling deployment does it."""
        self.hold()
        with self._lock:
            self.resume_runner()
            self.process.stop(60)
            self.keep_log()
        self.start(timeout)

    @property
    def pid(self):
        """The running server's pid; None in the moment between an exit and the restart."""
        with self._lock:
            return self.process.pid if self.process else None

    def check_alive(self):
        if self.given_up:
            raise RuntimeError(f"the supervisor gave up: {self.given_up}")

    def stop(self, patience=30):
        self._halt.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        with self._lock:
            super().stop(patience)
