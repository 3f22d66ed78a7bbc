"""Rate-limited end-to-end phases and the durable-acknowledgement floor, for tools/bench.py.

``e2e_rl100`` and ``e2e_rl1000``: the end-to-end measure of tools/bench.py with
the simulator's bucket set to a Shopify plan (100 points/s, Standard; 1,000,
Plus), full at the start as Shopify's is when the app was idle, sized 20 times
the restore rate. Besides orders/s they record what Shopify was asked for:
``points_per_order`` (the actual cost of every call of the phase, the batched
order links included, over the orders) and the calls by operation.

``floor``: the bench addon's route that inserts one row and commits
(bench/addons/shopify_bench_bare/controllers/floor.py), run by wrk beside the
bare route and the webhook in the ack phase.
"""

import os
import time

from tools.harness import jobs, keys
from tools.harness.load import Deliverer

FLOOR_PATH = "/shopify_bench_bare/floor"
RL_PHASES = {"e2e_rl100": 100, "e2e_rl1000": 1000}
BUCKET_SECONDS = 20  # a plan's bucket holds 20 s of its restore rate (2,000 points at 100/s)


def rl_orders():
    """Orders per rate-limited phase: BENCH_RL_ORDERS, else BENCH_ORDERS, else 200."""
    return int(os.environ.get("BENCH_RL_ORDERS") or os.environ.get("BENCH_ORDERS") or 200)


def outbox_size(cr, shop_id):
    cr.execute("SELECT count(*) FROM shopify_order_link_outbox WHERE shop_id = %s", (shop_id,))
    return cr.fetchone()[0]


def backlog_reads(cr, shop_id, after_id):
    """The shop's backlog reads after id ``after_id``: [(id, state, orders waiting, orders staged)]."""
    cr.execute(
        "SELECT id, state, waiting_count, staged_count FROM shopify_backlog_read WHERE shop_id = %s AND id > %s"
        " ORDER BY id",
        (shop_id, after_id),
    )
    return [list(row) for row in cr.fetchall()]


def last_backlog_read(cr, shop_id):
    cr.execute("SELECT coalesce(max(id), 0) FROM shopify_backlog_read WHERE shop_id = %s", (shop_id,))
    return cr.fetchone()[0]


def points(calls):
    """Totals of simulator calls: {operation: {calls, requested, actual, throttled}}."""
    by_operation = {}
    for call in calls:
        entry = by_operation.setdefault(
            call.get("operation") or "?", {"calls": 0, "requested": 0, "actual": 0, "throttled": 0}
        )
        entry["calls"] += 1
        entry["requested"] += call.get("requested_cost") or 0
        entry["actual"] += call.get("actual_cost") or 0
        entry["throttled"] += 1 if call.get("throttled") else 0
    return by_operation


def run_rate_limited(bench, phase, orders, host):
    """One rate-limited end-to-end phase on ``orders`` (REST bodies already in the simulator)."""
    rate = RL_PHASES[phase]
    ids = [str(o["id"]) for o in orders]
    order_keys = keys.job_keys(bench.shop_id, "order", ids)
    requests_ = [bench.request("orders/create", o) for o in orders]
    bench.sim.set_bucket(maximum=rate * BUCKET_SECONDS, restore_rate=rate)
    first_call = len(bench.sim.calls())
    reads_before = bench.db.run(last_backlog_read, bench.shop_id)
    bench.log(f"{phase}: {len(orders)} orders/create webhooks, Shopify restoring {rate} points/s")
    deliverer = Deliverer(host, bench.args.port, bench.e2e_senders)
    started = time.monotonic()
    try:
        sender = deliverer.send_in_background(requests_)
        seconds = bench.wait_until(
            phase,
            lambda: bench.confirmed(ids) == len(ids),
            timeout=max(300, 4 * len(ids) * 100 // rate),
            stalled=lambda: not sender.is_alive() and not bench.waiting(order_keys),
        )
        elapsed = time.monotonic() - started if seconds is None else seconds
        sender.join()
        done = bench.confirmed(ids)
        # The order links go out after the orders: their points belong to the phase too.
        if (
            bench.wait_until(f"{phase} links", lambda: not bench.db.run(outbox_size, bench.shop_id), timeout=120)
            is None
        ):
            left = bench.db.run(outbox_size, bench.shop_id)
            bench.results["notes"].append(f"{phase}: {left} order link(s) still in the outbox after 120 s")
        calls = bench.sim.calls(since=first_call)
    finally:
        bench.sim.set_bucket(maximum=max(2000, bench.restore_rate * BUCKET_SECONDS), restore_rate=bench.restore_rate)
    by_operation = points(calls)
    actual = sum(entry["actual"] for entry in by_operation.values())
    per_order = actual / max(done, 1)
    result = {
        f"{phase}_orders": len(ids),
        f"{phase}_confirmed": done,
        f"{phase}_seconds": round(elapsed, 2),
        f"{phase}_orders_per_s": done / elapsed,
        f"{phase}_steady_orders_per_s": rate / per_order if per_order else None,
        f"{phase}_points_per_order": round(per_order, 2),
        f"{phase}_calls": len(calls),
        f"{phase}_throttled": sum(entry["throttled"] for entry in by_operation.values()),
        f"{phase}_by_operation": by_operation,
        f"{phase}_backlog_reads": bench.db.run(backlog_reads, bench.shop_id, reads_before),
        **bench.db.run(jobs.stats_of_keys, order_keys, phase),
    }
    if done < len(ids):
        bench.results["notes"].append(
            f"{phase}: only {done} of {len(ids)} orders confirmed; failures: {bench.failures(ids)}"
        )
    bench.log(f"{phase}: {done} orders in {elapsed:.1f} s, {per_order:.1f} points an order")
    return result


def floor_figures(floor, ack):
    """The floor route's figures and the webhook's ratio to it."""
    return {
        "ack_floor_rps": floor["rps"],
        "ack_floor_p50_ms": floor["p50_us"] / 1000,
        "ack_floor_p99_ms": floor["p99_us"] / 1000,
        "ack_ratio_floor": ack["rps"] / floor["rps"] if floor["rps"] else None,
        "ack_floor_non_2xx": sum(
            floor[k] for k in ("err_status", "err_timeout", "err_connect", "err_read", "err_write")
        ),
        "floor_wrk": floor,
    }
