"""Scenarios 1 to 4 of tools/chaos.py: worker kills, a PostgreSQL restart, Shopify faults, dropped webhooks.

Each takes the harness (``chaos.Chaos``) and its shop, injects its fault
during a run of real-looking orders/create webhooks, waits until the shop
has settled and returns the harness's ``outcome``: expected, orders,
duplicates, lost, seconds, plus what the scenario measured.
"""

import json
import os
import random
import signal
import threading
import time

from chaos_env import PacedDelivery, TimedSender
from chaos_pg import chaos_cluster, pg_ctl, watch_until_ready

SECRET = "whsec_chaos_secret"
DEAD_JOB = "Re-queued dead job"
RUNNER_SHARE = 0.15  # share of the kills aimed at the queue_job runner instead of an HTTP worker


def _order_items(shop):
    return [("orders/create", order, str(order["id"])) for order in shop.data["orders"]]


def _wait(h, what, condition, timeout=300, poll=0.2):
    """Poll ``condition()`` until true; False on timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        h.services.check_alive()
        if time.monotonic() > deadline:
            h.log(f"gave up waiting for {what} after {timeout} s")
            return False
        time.sleep(poll)
    return True


def _synced(h, shop, ids):
    return len(h.probe.orders(shop.shop_id, ids))


# -- 1. kill -9 of Odoo workers ----------------------------------------------------------------
def kill_workers(h, shop):
    sizes, ids = h.sizes, shop.order_ids
    rng = random.Random(sizes["seed"] + 1)
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), sizes["send_rate"], sizes["time_scale"])
    # A kill happens when the run reaches a random share of the orders (2 % to kill_window,
    # 90 % by default), then after a random 0-1 s: random moments that are all inside the run.
    marks = sorted(rng.uniform(0.02, sizes["kill_window"]) for _kill in range(sizes["kills"]))
    requeued_before = h.services.log_count(DEAD_JOB)
    started = time.monotonic()
    delivery.start()
    kills = []
    for mark in marks:
        target = max(1, int(mark * len(ids)))

        def reached(target=target):
            return _synced(h, shop, ids) >= target or (not delivery.is_alive() and not h.probe.waiting(shop.shop_id))

        if not _wait(h, f"{target} orders", reached, timeout=max(300, 3 * len(ids))):
            break
        time.sleep(rng.uniform(0, 1.0))
        kill = _kill_one(h, rng)
        kill["at_s"] = round(time.monotonic() - started, 1)
        kill["orders_synced"] = _synced(h, shop, ids)
        kills.append(kill)
        h.log(f"kill {len(kills)}/{len(marks)}: {kill.get('kind')} {kill.get('pid')} at {kill['orders_synced']} orders")
    seconds = h.settle(shop, ids, busy=delivery.is_alive, label="kill")
    delivery.join()
    seconds = None if seconds is None else time.monotonic() - started
    _wait(h, "the worker population", lambda: _kinds(h).count("WorkerHTTP") >= 2, timeout=30)
    made = [k for k in kills if "pid" in k]
    summary = delivery.summary()
    return h.outcome(
        shop,
        ids,
        delivery.accepted(),
        seconds,
        checks={
            f"{sizes['kills']} workers killed during the run": len(made) == sizes["kills"],
            "every order in Odoo": _synced(h, shop, ids) == len(ids),
            "every event accepted (sender retries)": summary["events_given_up"] == 0,
            "2 HTTP workers alive at the end": _kinds(h).count("WorkerHTTP") >= 2,
        },
        kills=kills,
        kills_by_kind={kind: sum(1 for k in made if k["kind"] == kind) for kind in {k["kind"] for k in made}},
        kills_while_jobs_ran=sum(1 for k in made if k["jobs_running"]),
        dead_jobs_requeued=h.services.log_count(DEAD_JOB) - requeued_before,
        workers_at_end=sorted(_kinds(h)),
        delivery=summary,
        attempt_statuses=dict(sender.statuses()),
    )


def _kinds(h):
    return list(h.services.workers().values())


def _kill_one(h, rng):
    workers = h.services.workers()
    http = sorted(pid for pid, kind in workers.items() if kind == "WorkerHTTP")
    runner = sorted(pid for pid, kind in workers.items() if kind == "WorkerJobRunner")
    pool = runner if runner and rng.random() < RUNNER_SHARE else http or runner
    if not pool:
        return {"skipped": "no known worker alive"}
    pid = rng.choice(pool)
    # Odoo names every connection after its master's pid: which worker runs what is not visible
    # in pg_stat_activity, so the kill notes how many jobs were running anywhere.
    running = h.probe.one("SELECT count(*) FROM queue_job WHERE state='started'")[0]
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return {"skipped": f"worker {pid} already gone"}
    return {"pid": pid, "kind": workers[pid], "jobs_running": running}


# -- 2. PostgreSQL restart -----------------------------------------------------------------------
def pg_restart(h, shop):
    """Stop the chaos cluster for ``pg_outage`` seconds in the middle of a run, then start it again."""
    sizes, ids = h.sizes, shop.order_ids
    version, name = chaos_cluster(h)
    requeued_before = h.services.log_count(DEAD_JOB)
    restarts_before = len(h.services.restarts)
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), sizes["send_rate"], sizes["time_scale"])
    started = time.monotonic()
    delivery.start()
    third = max(1, len(ids) // 3)
    _wait(h, "a third of the webhooks", lambda: delivery.submitted >= third and _synced(h, shop, ids) >= 1)
    outage = max(sizes["pg_outage"], 0.0)
    h.log(f"pg: stopping PostgreSQL {version}/{name} (port {h.args.pg_port}) at {delivery.submitted} sent")
    synced_at_stop = _synced(h, shop, ids)
    down = time.monotonic()
    pg_ctl(version, name, "stop")
    stopped = time.monotonic()
    while time.monotonic() - stopped < outage:
        time.sleep(0.2)
    # PostgreSQL accepts connections before pg_ctlcluster returns: a watcher notes
    # the last moment it certainly refused them, which ends the window of the 2xx check.
    seen = {"down_until": time.monotonic()}
    watcher = threading.Thread(target=watch_until_ready, args=(h, seen), daemon=True)
    watcher.start()
    pg_ctl(version, name, "start")
    up = time.monotonic()
    watcher.join(60)
    down_until = seen["down_until"]
    h.log(
        f"pg: PostgreSQL down for {up - down:.1f} s (stop took {stopped - down:.1f} s; refusing connections "
        f"until {down_until - down:.1f} s), started again"
    )
    # When Odoo serves again: its server process may have exited during the outage (the supervisor
    # restarts it), and its queue_job runner must be back.
    serving = h.wait_serving(timeout=300)
    serving_at = time.monotonic()
    h.log(f"pg: Odoo serving again {serving_at - up:.1f} s after PostgreSQL came back")
    seconds = h.settle(shop, ids, busy=delivery.is_alive, label="pg")
    delivery.join()
    seconds = None if seconds is None else time.monotonic() - started
    during = sender.statuses(down, up)
    # Answered 2xx although started after the stop completed and answered before PostgreSQL accepted
    # connections again: an event acknowledged without being recorded.
    answered_2xx = sender.answered_2xx_within(stopped, down_until)
    first_2xx_after = min((s for s, _e, st, _ in sender.timeline if st and 200 <= st < 300 and s >= up), default=None)
    non_2xx = sum(n for status, n in sender.statuses().items() if not status.startswith("2"))
    summary = delivery.summary()
    restarts = len(h.services.restarts) - restarts_before
    retried = sum(1 for attempts in delivery.attempts.values() if len(attempts) > 1)
    checks = {
        "webhooks arrived during the outage": sum(during.values()) > 0,
        "none answered 2xx while PostgreSQL refused connections": answered_2xx == 0,
        "the sender retried the refused events": retried > 0,
        "Odoo serving again after the outage": serving,
        "every order in Odoo": _synced(h, shop, ids) == len(ids),
        "every event accepted (sender retries)": summary["events_given_up"] == 0,
    }
    result = h.outcome(
        shop,
        ids,
        delivery.accepted(),
        seconds,
        checks=checks,
        cluster=f"{version}/{name} (port {h.args.pg_port})",
        outage_seconds=round(up - down, 1),
        stop_took_s=round(stopped - down, 1),
        refused_connections_s=round(down_until - stopped, 1),
        ready_before_start_returned_s=round(up - seen.get("ready", up), 1),
        orders_synced_at_stop=synced_at_stop,
        attempts_during_outage=dict(during),
        answered_2xx_during_outage=answered_2xx,
        non_2xx_answers=non_2xx,
        events_retried=retried,
        odoo_serving_after_s=round(serving_at - up, 1),
        first_2xx_after_s=round(first_2xx_after - up, 1) if first_2xx_after else None,
        attempt_statuses=dict(sender.statuses()),
        delivery=summary,
        dead_jobs_requeued=h.services.log_count(DEAD_JOB) - requeued_before,
    )
    result["notes"] = [
        f"PostgreSQL down {up - down:.1f} s; {sum(during.values())} attempts during the outage "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(during.items()))}); {answered_2xx} answered 2xx while "
        f"it refused connections ({down_until - stopped:.1f} s); "
        f"{non_2xx} non-2xx answers in all, {retried} events retried by the sender",
        f"Odoo serving again {serving_at - up:.1f} s after PostgreSQL came back; Odoo restarted by the supervisor: "
        f"{'yes, ' + str(restarts) + ' time(s)' if restarts else 'no'}",
    ]
    return result


# -- 3. Shopify faults -----------------------------------------------------------------------------
CALM_S = 10  # seconds of normal traffic before the first fault window, and after the last


def _sleep_watching(h, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        h.services.check_alive()
        time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))


def shopify_faults(h, shop):
    """Windows of HTTP 429s, then 500s, then answers slower than the API timeout, while orders arrive.

    Every Admin API call the simulator receives inside a window gets its fault.
    The orders are paced so that webhooks keep arriving from ``CALM_S`` seconds
    before the first window until ``CALM_S`` seconds after the last; the sync
    jobs run with the addon's own retry policy.
    """
    sizes, ids, sim = h.sizes, shop.order_ids, shop.sim
    slow = sizes["api_timeout"] + 2
    windows = [
        (
            "429 (HTTP, Retry-After)",
            "fault_429_s",
            "throttle_next",
            {"throttle_next": 10**6, "throttle_mode": "http429"},
        ),
        ("500", "fault_500_s", "fail_next", {"fail_next": 10**6, "status": 500}),
        (
            f"answers after {slow} s (timeout {sizes['api_timeout']} s)",
            "fault_slow_s",
            "slow_next",
            {"slow_next": 10**6, "seconds": slow},
        ),
    ]
    span = 2 * CALM_S + sum(sizes[key] for _label, key, _tag, _kwargs in windows)
    rate = len(ids) / span
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), rate, sizes["time_scale"])
    sim.reset(records=True)
    started = time.monotonic()
    delivery.start()
    _sleep_watching(h, CALM_S)
    timeline = []
    for label, key, tag, kwargs in windows:
        begin, wall = time.monotonic(), time.time()
        synced, waiting = _synced(h, shop, ids), h.probe.sync_jobs_waiting(shop.shop_id)
        sim.faults(**kwargs)
        _sleep_watching(h, sizes[key])
        sim.reset()  # the window ends: no fault left queued, throttle mode and cost bucket as before
        timeline.append(
            {
                "fault": label,
                "tag": tag,
                "from_s": round(begin - started, 1),
                "seconds": round(time.monotonic() - begin, 1),
                "wall": (wall, time.time()),
                "orders_synced_at_start": synced,
                "sync_jobs_waiting_at_start": waiting,
            }
        )
        h.log(f"faults: {sizes[key]} s of {label} over ({_synced(h, shop, ids)}/{len(ids)} orders in Odoo)")
    calls = sim.calls()
    for window in timeline:
        low, high = window.pop("wall")
        tag = window.pop("tag")
        inside = [c for c in calls if low <= c["time"] <= high + slow]
        window["api_calls"] = len(inside)
        window["faults_served"] = sum(1 for c in inside if str(c.get("fault") or "").startswith(tag))
    seconds = h.settle(shop, ids, busy=delivery.is_alive, label="faults")
    delivery.join()
    seconds = None if seconds is None else time.monotonic() - started
    touched = h.probe.one(
        "SELECT count(*), coalesce(sum(failure_count), 0) FROM shopify_sync_job WHERE shop_id=%s "
        "AND resource_type='order' AND failure_count > 0",
        (shop.shop_id,),
    )
    final = dict(
        h.probe.all(
            "SELECT coalesce(category, '?'), count(*) FROM shopify_sync_job WHERE shop_id=%s "
            "AND resource_type='order' AND (state='failed' OR needs_action) GROUP BY 1",
            (shop.shop_id,),
        )
    )
    result = h.outcome(
        shop,
        ids,
        delivery.accepted(),
        seconds,
        checks={
            "every fault window met Admin API calls": all(w["faults_served"] for w in timeline),
            "every order in Odoo (within the retry policy)": _synced(h, shop, ids) == len(ids),
            "every event accepted": delivery.summary()["events_given_up"] == 0,
        },
        fault_windows=timeline,
        send_rate_per_s=round(rate, 2),
        orders_with_a_recorded_failure=touched[0],
        failures_recorded=int(touched[1]),
        orders_failed_by_category=final,
        delivery=delivery.summary(),
    )
    result["notes"] = [
        ", ".join(f"{w['fault']}: {w['faults_served']} served" for w in timeline),
        f"most attempts used by one job: {result['job_max_attempts']}; "
        f"orders failed visibly: {result['failed_visible']}"
        + (f" ({', '.join(f'{k}: {v}' for k, v in final.items())})" if final else ""),
    ]
    return result


# -- 4. dropped webhooks, then reconciliation -----------------------------------------------------
def dropped_webhooks(h, shop):
    sizes, ids = h.sizes, shop.order_ids
    sender = TimedSender(h.webhook_url, shop.domain, SECRET, drop_rate=sizes["drop_rate"], seed=sizes["seed"])
    started = time.monotonic()
    deliveries = sender.send_many([("orders/create", o) for o in shop.data["orders"]], shuffle=True, concurrency=8)
    key = {id(d): str(json.loads(d.body)["id"]) for d in deliveries}
    dropped = {key[id(d)] for d in deliveries if d.dropped}
    accepted = {key[id(d)] for d in deliveries if d.ok}
    refused = set(ids) - dropped - accepted
    webhook_seconds = h.settle(shop, accepted, label="drop (webhooks)")
    synced_before = set(h.probe.orders(shop.shop_id, ids))
    missing_before = set(ids) - synced_before
    h.log(f"drop: {len(dropped)} dropped, {len(synced_before)} orders synced; reconciliation (action_sync_now)")
    reconcile_started = time.monotonic()
    h.orm_run(lambda env: env["shopify.shop"].browse(shop.shop_id).action_sync_now(days=1))
    reconcile_seconds = h.settle(shop, ids, label="drop (reconcile)")
    recovered = missing_before & set(h.probe.orders(shop.shop_id, ids))
    progress = h.probe.one("SELECT reconcile_progress FROM shopify_shop WHERE id=%s", (shop.shop_id,))[0]
    seconds = None if reconcile_seconds is None else time.monotonic() - started
    result = h.outcome(
        shop,
        ids,
        accepted,
        seconds,
        promised=ids,  # every order is promised: by its webhook, or else by reconciliation
        checks={
            "some webhooks were dropped": bool(dropped),
            "the dropped orders were missing before reconciliation": dropped <= missing_before,
            "reconciliation recovered every missing order": recovered == missing_before,
            "every order in Odoo": len(h.probe.orders(shop.shop_id, ids)) == len(ids),
        },
        dropped=len(dropped),
        refused_not_dropped=len(refused),
        synced_by_webhooks=len(synced_before),
        webhook_phase_seconds=round(webhook_seconds, 1) if webhook_seconds is not None else None,
        missing_before_reconcile=len(missing_before),
        recovered_by_reconcile=len(recovered),
        reconcile_seconds=round(time.monotonic() - reconcile_started, 1),
        reconcile_progress=progress,
        attempt_statuses=dict(sender.statuses()),
    )
    result["notes"] = [
        f"{len(dropped)} dropped, {len(recovered)}/{len(missing_before)} missing orders recovered by reconciliation "
        f"in {result['reconcile_seconds']} s"
    ]
    return result
