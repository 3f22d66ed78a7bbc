"""Peak memory of Odoo's worker processes, sampled while a phase runs."""

import threading

from .procs import memory_kb


class MemorySampler(threading.Thread):
    """Sample RSS and PSS of the workers of ``odoo`` (a Deployment or a node) every ``interval`` seconds."""

    def __init__(self, odoo, interval=0.25):
        super().__init__(name="harness-memory", daemon=True)
        self.odoo, self.interval = odoo, interval
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
        for pid, kind in self.odoo.workers().items():
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
