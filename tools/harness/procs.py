"""Ports, processes in groups of their own, and what /proc tells about them."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from .paths import ROOT


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_http(url, seconds=120):
    """Wait until ``url`` answers below 500; RuntimeError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=3).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop_process_group(proc, patience=20):
    """SIGTERM the process group of ``proc`` (started with start_new_session), SIGKILL after ``patience`` s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(patience)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


class Process:
    """A command in a process group of its own, its output appended to ``log_path``."""

    def __init__(self, cmd, log_path, name=None):
        self.cmd, self.log_path, self.name = cmd, Path(log_path), name or Path(cmd[0]).name
        self.proc = self.log = None

    def start(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def exited(self):
        """The exit code once the process has exited, else None."""
        return self.proc.poll() if self.proc else None

    def kill(self):
        """SIGKILL the whole process group (kill -9 of every process it started)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, patience=20):
        if self.proc:
            stop_process_group(self.proc, patience)
        if self.log:
            self.log.close()
            self.log = None


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


def other_kind(pid):
    """What a child of Odoo's server that logged no "alive" line is: gevent, other, or gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            args = handle.read().split(b"\0")
    except OSError:
        return "gone"
    return "gevent" if b"gevent" in args else "other"


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
