"""Bulk-operation verbs for the simulator, the control API and ``SimulatorControl``.

In process: ``sim.bulk_fail_next("TIMEOUT")``, ``sim.bulk_expire_next()``,
``sim.bulk_running(polls=3, seconds=0)``, ``sim.bulk_expire(id=None)``,
``sim.bulk_operations()``, ``sim.bulk_wait(id=None)``. Over HTTP, ``POST /_sim/faults``
takes ``{"bulk_fail_next": "TIMEOUT"}``, ``{"bulk_expire_next": true}``,
``{"bulk_fail_line": 1}``, ``{"bulk_running_polls": 3}``, ``{"bulk_running_seconds": 2.5}``,
``{"bulk_expire": n or "latest"}``; ``GET /_sim/bulk`` lists the operations and what is queued.
"""


def bulk_faults(sim, params):
    """Apply the ``bulk_*`` keys of a ``/_sim/faults`` body."""
    if params.get("bulk_fail_next"):
        sim.bulk_fail_next(params["bulk_fail_next"])
    if params.get("bulk_fail_line") is not None:
        sim.bulk_fail_line(params["bulk_fail_line"])
    if params.get("bulk_expire_next"):
        sim.bulk_expire_next()
    if "bulk_running_polls" in params or "bulk_running_seconds" in params:
        sim.bulk_running(params.get("bulk_running_polls"), params.get("bulk_running_seconds"))
    if params.get("bulk_expire"):
        target = params["bulk_expire"]
        sim.bulk_expire(None if target in ("latest", True) else target)


def bulk_listing(sim):
    return {
        "operations": sim.bulk_operations(),
        "pending": sim.bulk.pending(),
        "failing_lines": sim.bulk.failing_lines(),
    }


class BulkVerbs:
    """Mixed into ShopifySimulator (which has ``self.bulk``, a BulkOperations)."""

    def bulk_fail_next(self, error_code="INTERNAL_SERVER_ERROR"):
        """The next bulk operation ends FAILED with ``error_code`` (half its rows kept)."""
        self.bulk.fail_next(error_code)

    def bulk_fail_line(self, number):
        """Line ``number`` (from 0) of the next bulk mutation answers a user error."""
        self.bulk.fail_line(number)

    def bulk_expire_next(self):
        """The next bulk operation shows EXPIRED (url null) where it would show COMPLETED."""
        self.bulk.expire_next()

    def bulk_running(self, polls=None, seconds=None):
        """Operations show RUNNING for at least ``polls`` polls and ``seconds`` seconds."""
        self.bulk.set_running(polls, seconds)

    def bulk_expire(self, operation_id=None):
        """Expire an operation now (the latest when no id); its URL then answers 403."""
        return self.bulk.expire(operation_id)

    def bulk_operations(self):
        """Every bulk operation as a poll would see it (without counting as a poll)."""
        with self.bulk.lock:
            operations = [o for _n, o in sorted(self.bulk.operations.items())]
        return [self.bulk.snapshot(o) for o in operations]

    def bulk_wait(self, operation_id=None, timeout=60):
        """Block until the operation's query has been written out; its snapshot."""
        return self.bulk.wait(operation_id, timeout)


class BulkControlVerbs:
    """Mixed into SimulatorControl: the same verbs over the control API."""

    def bulk_fail_next(self, error_code="INTERNAL_SERVER_ERROR"):
        return self.faults(bulk_fail_next=error_code)

    def bulk_fail_line(self, number):
        return self.faults(bulk_fail_line=number)

    def bulk_expire_next(self):
        return self.faults(bulk_expire_next=True)

    def bulk_running(self, polls=None, seconds=None):
        body = {"bulk_running_polls": polls, "bulk_running_seconds": seconds}
        return self.faults(**{k: v for k, v in body.items() if v is not None})

    def bulk_expire(self, operation_id=None):
        return self.faults(bulk_expire=operation_id or "latest")

    def bulk_operations(self):
        return self._get("bulk")["operations"]
