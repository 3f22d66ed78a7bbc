"""Senders of tools/chaos.py that remember when each attempt ran, and a paced Shopify-style delivery.

Odoo, nginx, the simulators, the database probe and the ORM come from
``tools.harness``; what is here is what the chaos scenarios need on top.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from shopify_simulator import WebhookSender


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
