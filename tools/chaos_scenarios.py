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

from tools.chaos_env import PacedDelivery, TimedSender
from tools.chaos_pg import chaos_cluster, pg_ctl, watch_until_ready
from tools.harness import jobs

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
    return len(h.synced(shop, ids))


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
            return _synced(h, shop, ids) >= target or (not delivery.is_alive() and not h.waiting(shop))

        if not _wait(h, f"{target} orders", reached, timeout=max(300, 3 * len(ids))):
            break
        time.sleep(rng.uniform(0, 1.0))
        kill = _kill_one(h, rng)
        kill["at_s"] = round(time.monotonic() - started, 1)
        kill["orders_synced"] = _synced(h, shop, ids)
        kills.append(kill)
        h.log(f"kill {len(kills)}/{len(marks)}: {kill.get('kind')} {kill.get('pid')} at {kill['orders_synced']} orders")
    seconds = h.finish(shop, delivery, started, "kill")
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
    running = h.probe.run(jobs.jobs_started)
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
    requeued_before, restarts_before = h.services.log_count(DEAD_JOB), len(h.services.restarts)
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), sizes["send_rate"], sizes["time_scale"])
    started = time.monotonic()
    delivery.start()
    third = max(1, len(ids) // 3)
    _wait(h, "a third of the webhooks", lambda: delivery.submitted >= third and _synced(h, shop, ids) >= 1)
    h.log(f"pg: stopping PostgreSQL {version}/{name} (port {h.args.pg_port}) at {delivery.submitted} sent")
    synced_at_stop = _synced(h, shop, ids)
    t = _outage(h, version, name, max(sizes["pg_outage"], 0.0))
    # When Odoo serves again: its server process may have exited during the outage (the supervisor
    # restarts it), and its queue_job runner must be back.
    serving = h.wait_serving(timeout=300)
    t["serving"] = time.monotonic()
    h.log(f"pg: Odoo serving again {t['serving'] - t['up']:.1f} s after PostgreSQL came back")
    seconds = h.finish(shop, delivery, started, "pg")
    seen = _pg_answers(sender, t)
    retried = sum(1 for attempts in delivery.attempts.values() if len(attempts) > 1)
    checks = {
        "webhooks arrived during the outage": sum(seen["during"].values()) > 0,
        "none answered 2xx while PostgreSQL refused connections": seen["answered_2xx"] == 0,
        "the sender retried the refused events": retried > 0,
        "Odoo serving again after the outage": serving,
        "every order in Odoo": _synced(h, shop, ids) == len(ids),
        "every event accepted (sender retries)": delivery.summary()["events_given_up"] == 0,
    }
    result = h.outcome(
        shop,
        ids,
        delivery.accepted(),
        seconds,
        checks=checks,
        cluster=f"{version}/{name} (port {h.args.pg_port})",
        **_pg_figures(t, seen),
        orders_synced_at_stop=synced_at_stop,
        events_retried=retried,
        attempt_statuses=dict(sender.statuses()),
        delivery=delivery.summary(),
        dead_jobs_requeued=h.services.log_count(DEAD_JOB) - requeued_before,
    )
    restarts = len(h.services.restarts) - restarts_before
    result["notes"] = _pg_notes(t, seen, retried, restarts)
    return result


def _outage(h, version, name, outage):
    """Stop PostgreSQL, wait ``outage`` s, start it again: the moments (monotonic) of each step."""
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
    t = {"down": down, "stopped": stopped, "up": up, "down_until": seen["down_until"], "ready": seen.get("ready", up)}
    h.log(
        f"pg: PostgreSQL down for {up - down:.1f} s (stop took {stopped - down:.1f} s; refusing connections "
        f"until {t['down_until'] - down:.1f} s), started again"
    )
    return t


def _pg_answers(sender, t):
    """What the sender saw: attempts during the outage, 2xx answers while PostgreSQL refused connections."""
    # Answered 2xx although started after the stop completed and answered before PostgreSQL accepted
    # connections again: an event acknowledged without being recorded.
    ok_after = [s for s, _e, st, _ in sender.timeline if st and 200 <= st < 300 and s >= t["up"]]
    return {
        "during": sender.statuses(t["down"], t["up"]),
        "answered_2xx": sender.answered_2xx_within(t["stopped"], t["down_until"]),
        "first_2xx_after": min(ok_after, default=None),
        "non_2xx": sum(n for status, n in sender.statuses().items() if not status.startswith("2")),
    }


def _pg_figures(t, seen):
    first = seen["first_2xx_after"]
    return {
        "outage_seconds": round(t["up"] - t["down"], 1),
        "stop_took_s": round(t["stopped"] - t["down"], 1),
        "refused_connections_s": round(t["down_until"] - t["stopped"], 1),
        "ready_before_start_returned_s": round(t["up"] - t["ready"], 1),
        "attempts_during_outage": dict(seen["during"]),
        "answered_2xx_during_outage": seen["answered_2xx"],
        "non_2xx_answers": seen["non_2xx"],
        "odoo_serving_after_s": round(t["serving"] - t["up"], 1),
        "first_2xx_after_s": round(first - t["up"], 1) if first else None,
    }


def _pg_notes(t, seen, retried, restarts):
    during = seen["during"]
    return [
        f"PostgreSQL down {t['up'] - t['down']:.1f} s; {sum(during.values())} attempts during the outage "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(during.items()))}); {seen['answered_2xx']} answered 2xx while "
        f"it refused connections ({t['down_until'] - t['stopped']:.1f} s); "
        f"{seen['non_2xx']} non-2xx answers in all, {retried} events retried by the sender",
        f"Odoo serving again {t['serving'] - t['up']:.1f} s after PostgreSQL came back; "
        "Odoo restarted by the supervisor: "
        f"{'yes, ' + str(restarts) + ' time(s)' if restarts else 'no'}",
    ]


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
    sizes, ids = h.sizes, shop.order_ids
    windows = _fault_windows(sizes)
    rate = len(ids) / (2 * CALM_S + sum(sizes[key] for _label, key, _tag, _kwargs in windows))
    sender = TimedSender(h.webhook_url, shop.domain, SECRET)
    delivery = PacedDelivery(sender, _order_items(shop), rate, sizes["time_scale"])
    shop.sim.reset(records=True)
    started = time.monotonic()
    delivery.start()
    _sleep_watching(h, CALM_S)
    timeline = [_fault_window(h, shop, window, started) for window in windows]
    _count_faults(timeline, shop.sim.calls(), slow=sizes["api_timeout"] + 2)
    seconds = h.finish(shop, delivery, started, "faults")
    touched = h.probe.run(jobs.orders_with_failures, shop.shop_id)
    final = h.probe.run(jobs.failed_orders_by_category, shop.shop_id)
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


def _fault_windows(sizes):
    """[(label, size key, fault tag, simulator faults)] in the order they are served."""
    slow = sizes["api_timeout"] + 2
    return [
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


def _fault_window(h, shop, window, started):
    """Serve one fault for its seconds; what the shop looked like when it began."""
    label, key, tag, kwargs = window
    ids = shop.order_ids
    begin, wall = time.monotonic(), time.time()
    synced, waiting = _synced(h, shop, ids), h.probe.run(jobs.sync_jobs_waiting, shop.shop_id)
    shop.sim.faults(**kwargs)
    _sleep_watching(h, h.sizes[key])
    shop.sim.reset()  # the window ends: no fault left queued, throttle mode and cost bucket as before
    h.log(f"faults: {h.sizes[key]} s of {label} over ({_synced(h, shop, ids)}/{len(ids)} orders in Odoo)")
    return {
        "fault": label,
        "tag": tag,
        "from_s": round(begin - started, 1),
        "seconds": round(time.monotonic() - begin, 1),
        "wall": (wall, time.time()),
        "orders_synced_at_start": synced,
        "sync_jobs_waiting_at_start": waiting,
    }


def _count_faults(timeline, calls, slow):
    """Note in each window the Admin API calls the simulator received in it, and the faults it served."""
    for window in timeline:
        low, high = window.pop("wall")
        tag = window.pop("tag")
        inside = [c for c in calls if low <= c["time"] <= high + slow]
        window["api_calls"] = len(inside)
        window["faults_served"] = sum(1 for c in inside if str(c.get("fault") or "").startswith(tag))


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
    synced_before = set(h.synced(shop, ids))
    missing_before = set(ids) - synced_before
    h.log(f"drop: {len(dropped)} dropped, {len(synced_before)} orders synced; reconciliation (action_sync_now)")
    reconcile_started = time.monotonic()
    h.orm_run(lambda env: env["shopify.shop"].browse(shop.shop_id).action_sync_now(days=1))
    reconcile_seconds = h.settle(shop, ids, label="drop (reconcile)")
    recovered = missing_before & set(h.synced(shop, ids))
    progress = h.probe.run(jobs.shop_value, shop.shop_id, "reconcile_progress")
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
            "every order in Odoo": len(h.synced(shop, ids)) == len(ids),
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
