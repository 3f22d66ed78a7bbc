"""Per-test fault injection and Shopify's cost-based rate limit (a leaky bucket)."""

import threading
import time


class Faults:
    """Queued faults, each for the next ``n`` GraphQL calls (optionally one operation only)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.fail = []  # [[remaining, status, operation]]
            self.slow = []  # [[remaining, seconds, operation]]
            self.malformed = []  # [[remaining, True, operation]]
            self.throttle = []  # [[remaining, True, operation]]
            self.before = []  # [[remaining, callback, operation]]: run just before executing
            self.token_revoked = False

    def add(self, kind, n, value, operation=None):
        if n > 0:
            with self.lock:
                getattr(self, kind).append([int(n), value, operation])

    def take(self, kind, operation, exact=False):
        """The value of the first matching fault of ``kind``, consuming one use; else None.

        ``exact``: only faults queued for ``operation`` itself (the token endpoint's).
        """
        with self.lock:
            queue = getattr(self, kind)
            for index, entry in enumerate(queue):
                if entry[2] == operation or (entry[2] is None and not exact):
                    entry[0] -= 1
                    if entry[0] <= 0:
                        queue.pop(index)
                    return entry[1]
        return None

    def pending(self):
        with self.lock:
            return {
                kind: [
                    {"remaining": n, "value": v, "operation": op}
                    for n, v, op in getattr(self, kind)
                ]
                for kind in ("fail", "slow", "malformed", "throttle")
            } | {"token_revoked": self.token_revoked}


class CostBucket:
    """Shopify's leaky bucket: ``maximum`` cost points, refilled at ``restore_rate`` per second."""

    def __init__(self, maximum=2000.0, restore_rate=100.0, clock=time.monotonic):
        self.clock = clock
        self.maximum = float(maximum)
        self.restore_rate = float(restore_rate)
        self.available = float(maximum)
        self.updated = clock()
        self.lock = threading.Lock()

    def _refill(self):
        now = self.clock()
        self.available = min(
            self.maximum, self.available + (now - self.updated) * self.restore_rate
        )
        self.updated = now

    def spend(self, cost):
        """Take ``cost`` points up front; False (nothing taken) when the bucket cannot pay."""
        with self.lock:
            self._refill()
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def refund(self, points):
        """Give back what a query did not use (requested - actual)."""
        with self.lock:
            self._refill()
            self.available = min(self.maximum, self.available + max(points, 0))

    def reset(self):
        with self.lock:
            self.available, self.updated = self.maximum, self.clock()

    def configure(self, maximum=None, restore_rate=None):
        """Another plan: a new size and restore rate, the bucket full (Shopify's is, when idle)."""
        with self.lock:
            if maximum is not None:
                self.maximum = float(maximum)
            if restore_rate is not None:
                self.restore_rate = float(restore_rate)
            self.available, self.updated = self.maximum, self.clock()

    def status(self):
        with self.lock:
            self._refill()
            return {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": int(self.available),
                "restoreRate": self.restore_rate,
            }

    def retry_after(self, cost):
        """Seconds until ``cost`` points are available (at least 1, as Shopify's Retry-After)."""
        with self.lock:
            self._refill()
            missing = max(cost - self.available, 0)
            return max(missing / self.restore_rate if self.restore_rate else 60.0, 1.0)
