"""Faults injected per test: errors, slowness, malformed bodies, throttling."""

import threading


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.fail = []  # [(remaining, status, operation)]
            self.slow = []  # [(remaining, seconds, operation)]
            self.malformed = 0
            self.throttle = 0

    def _take(self, queue, operation):
        with self.lock:
            for index, (remaining, value, wanted) in enumerate(queue):
                if wanted in (None, operation):
                    if remaining <= 1:
                        queue.pop(index)
                    else:
                        queue[index] = (remaining - 1, value, wanted)
                    return value
        return None

    def take_failure(self, operation):
        return self._take(self.fail, operation)

    def take_slowness(self, operation):
        return self._take(self.slow, operation)

    def take_malformed(self):
        with self.lock:
            if self.malformed:
                self.malformed -= 1
                return True
        return False

    def take_throttle(self):
        with self.lock:
            if self.throttle:
                self.throttle -= 1
                return True
        return False


class CostBucket:
    """Shopify's leaky bucket of query cost points."""

    def __init__(self, maximum=2000.0, restore_rate=100.0, clock=None):
        import time

        self.clock = clock or time.monotonic
        self.maximum = float(maximum)
        self.restore_rate = float(restore_rate)
        self.available = float(maximum)
        self.updated = self.clock()
        self.lock = threading.Lock()

    def _refill(self):
        now = self.clock()
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore_rate)
        self.updated = now

    def spend(self, cost):
        """Take ``cost`` points; False when the bucket cannot pay."""
        with self.lock:
            self._refill()
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def refund(self, points):
        with self.lock:
            self.available = min(self.maximum, self.available + max(points, 0))

    def status(self):
        with self.lock:
            self._refill()
            return {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": round(self.available),
                "restoreRate": self.restore_rate,
            }

    def retry_after(self, cost):
        with self.lock:
            return max((cost - self.available) / self.restore_rate, 1.0)
