"""Scenarios 6 to 9 of tools/chaos.py: two Odoo nodes on one database behind nginx (6 to 8, --cluster), and
every HTTP worker killed at once (9, one node or two).

6. The duplicate storm through nginx: no duplicate, nothing lost, no
   connection refused by a listen queue.
7. kill -9 of a whole node (the one whose queue_job runner leads) in the
   middle of a run: the other node answers, its runner takes the lead, the
   dead jobs are requeued; the sync pause is measured.
8. A rolling restart: each node taken out of nginx, restarted gracefully and put
   back, one after the other, during a run.
9. Every HTTP worker killed at once while two sync jobs run: how long the
   sync pauses until queue_job's runner re-queues the dead jobs.
"""

import os
import signal
import threading
import time

from tools.chaos_env import PacedDelivery, TimedSender
from tools.harness import jobs
from tools.harness.load import Deliverer, storm_requests
from tools.harness.procs import listen_overflows

SECRET = "whsec_chaos_secret"
DEAD_JOB = "Re-queued dead job"
CRASH_RATE = 10.0  # webhooks per second of the crash scenario: jobs run two at a time


def _order_items(shop):
    return [("orders/create", order, str(order["id"])) for order in shop.data["orders"]]


def _wait(h, condition, timeout, poll=0.2):
    deadline = time.monotonic() + timeout
    while not condition():
        h.services.check_alive()
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def leading_node(h):
    """The node whose queue_job runner holds the master lock (application name odoo-<pid>), or None."""
    app = h.probe.run(jobs.runner_leader) or ""
    pid = app.removeprefix("odoo-")
    return h.services.node_of(int(pid)) if pid.isdigit() else None


class Progress(threading.Thread):
    """Samples, every 0.25 s, how many of the shop's orders are in Odoo: when the sync moved last."""

    def __init__(self, h, shop):
        super().__init__(name="chaos-progress", daemon=True)
        self.h, self.shop, self.samples, self.halt = h, shop, [], threading.Event()

    def run(self):
        while not self.halt.wait(0.25):
            self.samples.append((time.monotonic(), len(self.h.synced(self.shop, self.shop.order_ids))))

    def pause_after(self, moment):
        """Seconds from ``moment`` until the next order came in (None if none did)."""
        before = max((n for t, n in self.samples if t <= moment), default=0)
        return next((round(t - moment, 1) for t, n in self.samples if t > moment and n > before), None)

    def stop(self):
        self.halt.set()
        self.join(5)


# -- 6. the duplicate storm through nginx -----------------------------------------------------------
def storm_through_nginx(h, shop):
    """Each event sent ``storm_copies`` times, shuffled, by ``storm_senders`` at once, through nginx."""
    sizes, ids = h.sizes, shop.order_ids
    events, requests_ = storm_requests(shop.data["orders"], sizes["storm_copies"], h.args.port, shop.domain, SECRET)
    overflows, since = listen_overflows(), h.services.access_log_size()
    deliverer = Deliverer("127.0.0.1", h.args.port, sizes["storm_senders"])
    started = time.monotonic()
    deliverer.send(requests_)
    seconds = h.settle(shop, ids, label="storm")
    seconds = None if seconds is None else time.monotonic() - started
    dropped = listen_overflows() - overflows
    split = h.services.requests_by_node(since, "/shopify_sync/webhook")
    statuses = {str(k or "no answer"): v for k, v in sorted(deliverer.statuses.items())}
    result = h.outcome(
        shop,
        ids,
        ids,
        seconds,
        checks={
            "no connection refused by a listen queue (ListenOverflows)": dropped == 0,
            "every delivery answered 2xx": deliverer.non_2xx == 0,
            "both nodes answered webhooks": len([n for n in split if n.startswith("node")]) == 2,
        },
        deliveries_sent=len(requests_),
        events=len(events),
        statuses=statuses,
        send_seconds=round(deliverer.seconds, 1),
        listen_overflows=dropped,
        requests_by_node=split,
    )
    result["notes"] = [
        f"{len(requests_)} deliveries in {deliverer.seconds:.1f} s through nginx, answers {statuses}; "
        f"per node {split}; listen-queue drops {dropped}"
    ]
    return result


# -- 7. kill -9 of a whole node ----------------------------------------------------------------------
def node_kill(h, shop):
    """kill -9 of the leading node a third of the way through, kept down ``node_down_s``, then back."""
    sizes, ids = h.sizes, shop.order_ids
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), sizes["send_rate"], sizes["time_scale"])
    progress = Progress(h, shop)
    started = time.monotonic()
    delivery.start()
    progress.start()
    # The kill comes a third of the way through the sync, or at the latest with a third of the events still
    # to send (a loaded machine syncs behind the sender): webhooks keep arriving while the node is down.
    third = max(1, len(ids) // 3)
    _wait(
        h,
        lambda: len(h.synced(shop, ids)) >= third or delivery.submitted >= len(ids) - third,
        timeout=max(300, 3 * len(ids)),
    )
    victim = leading_node(h) or h.services.nodes[0]
    survivor = next(n for n in h.services.nodes if n is not victim)
    requeued_before, running = survivor.log_count(DEAD_JOB), h.probe.run(jobs.jobs_started)
    h.log(f"node_kill: kill -9 of {victim.name} (its runner leads; {running} jobs running)")
    victim.hold()
    killed = time.monotonic()
    victim.kill()
    took_lead = _wait(h, lambda: leading_node(h) is survivor, timeout=60, poll=0.25)
    takeover_s = round(time.monotonic() - killed, 1) if took_lead else None
    h.log(
        f"node_kill: {survivor.name}'s runner leads after {takeover_s} s; {victim.name} down {sizes['node_down_s']} s"
    )
    time.sleep(max(0.0, killed + sizes["node_down_s"] - time.monotonic()))
    back = time.monotonic()
    victim.start()
    seconds = h.finish(shop, delivery, started, "node_kill")
    progress.stop()
    while_down = sender.statuses(killed, back)
    checks = {
        "the other node answered 2xx while one was down": any(k.startswith("2") for k in while_down),
        "the other node's runner took the lead": took_lead,
    }
    return _paced_outcome(
        h,
        shop,
        (sender, delivery, seconds),
        checks,
        killed_node=victim.name,
        jobs_running_at_kill=running,
        runner_takeover_s=takeover_s,
        sync_pause_s=progress.pause_after(killed),
        node_down_s=round(back - killed, 1),
        attempts_while_down=dict(while_down),
        dead_jobs_requeued=survivor.log_count(DEAD_JOB) - requeued_before,
    )


def _paced_outcome(h, shop, run, checks, **extra):
    """The outcome of a paced run ``(sender, delivery, seconds)``: every event accepted, every order in Odoo."""
    sender, delivery, seconds = run
    checks["every event accepted (sender retries)"] = delivery.summary()["events_given_up"] == 0
    checks["every order in Odoo"] = len(h.synced(shop, shop.order_ids)) == len(shop.order_ids)
    extra.update(attempt_statuses=dict(sender.statuses()), delivery=delivery.summary())
    return h.outcome(shop, shop.order_ids, delivery.accepted(), seconds, checks=checks, **extra)


# -- 8. rolling restart ------------------------------------------------------------------------------
def rolling_restart(h, shop):
    """Each node in turn taken out of nginx, restarted gracefully (SIGTERM, start, serving) and put back."""
    sizes, ids = h.sizes, shop.order_ids
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), sizes["send_rate"], sizes["time_scale"])
    started = time.monotonic()
    delivery.start()
    restarts = []
    for share, node in zip((0.25, 0.5), h.services.nodes, strict=False):
        _wait(h, lambda share=share: len(h.synced(shop, ids)) >= max(1, int(share * len(ids))), timeout=300)
        began = time.monotonic()
        h.services.rolling_restart(node)
        restarts.append(
            {"node": node.name, "at_s": round(began - started, 1), "took_s": round(time.monotonic() - began, 1)}
        )
        h.log(f"rolling: {node.name} restarted in {restarts[-1]['took_s']} s")
    seconds = h.finish(shop, delivery, started, "rolling")
    not_2xx = {k: v for k, v in sender.statuses().items() if not k.startswith("2")}
    checks = {
        "both nodes restarted": len(restarts) == len(h.services.nodes),
        "no 4xx answer (Shopify retries only what it can)": not any(k.startswith("4") for k in not_2xx),
    }
    return _paced_outcome(h, shop, (sender, delivery, seconds), checks, restarts=restarts, non_2xx_answers=not_2xx)


# -- 9. every HTTP worker killed at once ------------------------------------------------------------
def double_crash(h, shop):
    """kill -9 of every HTTP worker while two jobs run: the pause until queue_job re-queues the dead jobs."""
    sizes, ids = h.sizes, shop.order_ids
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), CRASH_RATE, sizes["time_scale"])
    progress = Progress(h, shop)
    requeued_before = h.services.log_count(DEAD_JOB)
    started = time.monotonic()
    delivery.start()
    progress.start()
    two = _wait(h, lambda: h.probe.run(jobs.jobs_started) >= 2, timeout=max(60, len(ids)), poll=0.02)
    running = h.probe.run(jobs.jobs_started)
    workers = [pid for pid, kind in h.services.workers().items() if kind == "WorkerHTTP"]
    killed = time.monotonic()
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    h.log(f"crash: {len(workers)} HTTP workers killed with {running} jobs running")
    seconds = h.finish(shop, delivery, started, "crash")
    progress.stop()
    checks = {"two jobs were running at the kill": two and running >= 2}
    return _paced_outcome(
        h,
        shop,
        (sender, delivery, seconds),
        checks,
        workers_killed=len(workers),
        jobs_running_at_kill=running,
        sync_pause_s=progress.pause_after(killed),
        dead_jobs_requeued=h.services.log_count(DEAD_JOB) - requeued_before,
    )
