"""Local Shopify simulators: one ``python -m shopify_simulator serve`` per shop, each in a process group."""

import sys
from pathlib import Path

from .procs import Process, free_port, wait_http


class Simulators:
    """The simulators of a run, stopped together."""

    def __init__(self, var):
        self.var = Path(var)
        self.procs = []

    def start(self, shop, token, secret, restore_rate=None, log_name=None, client_id=None):
        """Start a simulator for ``shop`` on a free port; its URL once it answers."""
        port = free_port()
        cmd = [sys.executable, "-m", "shopify_simulator", "serve", "--port", str(port), "--shop", shop]
        cmd += ["--token", token, "--secret", secret]
        if client_id:
            cmd += ["--client-id", client_id]
        if restore_rate is not None:
            cmd += ["--restore-rate", f"{restore_rate:g}"]
        log = self.var / (log_name or f"simulator-{shop.split('.')[0]}.log")
        self.procs.append(Process(cmd, log, name="simulator").start())
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_sim/health", 90)
        return url

    def check_alive(self):
        for proc in self.procs:
            if proc.exited() is not None:
                raise RuntimeError(f"simulator exited with code {proc.exited()} (log: {proc.log_path})")

    def stop(self, patience=10):
        for proc in self.procs:
            proc.stop(patience)
        self.procs = []
