"""Questions about a shop's work: its queue jobs, webhook deliveries and sync jobs.

Functions take a cursor (``Db.run(func, ...)`` hands them one).  The sync jobs
of a shop have the identity keys shopify_sync:<shop>:<resource type>:<id>.
The shop's webhook dispatcher (shopify_sync:<shop>:dispatch) turns received
deliveries into sync jobs, and its reconciliation (shopify_sync:<shop>:reconcile)
lists what changed: both count as work still to do, never as sync jobs.
Identity columns of Odoo records are read in ``records`` only.
"""

from .keys import RUNNER_LOCK_ID, WAITING, all_pattern, dispatch_key, shop_pattern, sync_pattern


def _one(cr, sql, args=None):
    cr.execute(sql, args)
    return cr.fetchone()


def _all(cr, sql, args=None):
    cr.execute(sql, args)
    return cr.fetchall()


# -- waiting work ----------------------------------------------------------------------------------
def waiting(cr, shop_id):
    """Waiting queue jobs of the shop: its sync jobs, and its webhook dispatcher and reconciliation.

    (A delivery left "received" always has a dispatcher waiting for it, unless that
    dispatcher failed: then it is not waited for, and counts as lost if nothing else
    brings its order in.)
    """
    sql = "SELECT count(*) FROM queue_job WHERE identity_key LIKE %s AND state IN %s"
    return _one(cr, sql, (shop_pattern(shop_id), WAITING))[0]


def sync_jobs_waiting(cr, shop_id):
    """Waiting sync jobs of the shop (its dispatcher not counted)."""
    sql = "SELECT count(*) FROM queue_job WHERE identity_key LIKE %s AND state IN %s"
    return _one(cr, sql, (sync_pattern(shop_id), WAITING))[0]


def waiting_for_keys(cr, shop_id, keys):
    """Work still ahead for ``keys``: their queue jobs, the shop's dispatcher and undispatched deliveries."""
    sql = "SELECT count(*) FROM queue_job WHERE identity_key = ANY(%s) AND state IN %s"
    jobs = _one(cr, sql, ([*keys, dispatch_key(shop_id)], WAITING))[0]
    sql = "SELECT count(*) FROM shopify_webhook_delivery WHERE shop_id = %s AND state = 'received'"
    return jobs + _one(cr, sql, (shop_id,))[0]


def waiting_anywhere(cr):
    """Waiting queue jobs of every shop."""
    sql = "SELECT count(*) FROM queue_job WHERE identity_key LIKE %s AND state IN %s"
    return _one(cr, sql, (all_pattern(), WAITING))[0]


def jobs_started(cr):
    """Queue jobs running now, anywhere."""
    return _one(cr, "SELECT count(*) FROM queue_job WHERE state='started'")[0]


# -- what the jobs did ---------------------------------------------------------------------------
def stats_of_keys(cr, keys, prefix):
    """Counts and average times of the queue jobs of ``keys`` (queue_job counts attempts in ``retry``)."""
    row = _one(
        cr,
        "SELECT count(*), coalesce(sum(greatest(retry - 1, 0)), 0), count(*) FILTER (WHERE state='failed'), "
        "avg(extract(epoch FROM date_done - date_started)), "
        "avg(extract(epoch FROM date_started - date_created)) "
        "FROM queue_job WHERE identity_key = ANY(%s)",
        (keys,),
    )
    return {
        f"{prefix}_jobs": row[0],
        f"{prefix}_job_retries": int(row[1]),
        f"{prefix}_jobs_failed": row[2],
        f"{prefix}_job_run_ms_avg": round(float(row[3] or 0) * 1000, 1),
        f"{prefix}_job_wait_s_avg": round(float(row[4] or 0), 2),
    }


def shop_stats(cr, shop_id):
    """States of the shop's sync queue jobs and the attempts they used; its dispatcher jobs apart."""
    sync = (sync_pattern(shop_id),)
    states = dict(_all(cr, "SELECT state, count(*) FROM queue_job WHERE identity_key LIKE %s GROUP BY 1", sync))
    row = _one(
        cr,
        "SELECT coalesce(sum(greatest(retry - 1, 0)), 0), coalesce(max(retry), 0), "
        "count(*) FILTER (WHERE retry > 1) FROM queue_job WHERE identity_key LIKE %s",
        sync,
    )
    failed = _all(
        cr, "SELECT exc_name, count(*) FROM queue_job WHERE identity_key LIKE %s AND state='failed' GROUP BY 1", sync
    )
    return {
        "queue_jobs": states,
        "job_retries": int(row[0]),
        "job_max_attempts": int(row[1]),
        "jobs_retried": int(row[2]),
        "queue_jobs_failed_by_exception": {str(name): count for name, count in failed},
        "dispatcher_jobs": dispatcher_states(cr, shop_id),
        "deliveries": delivery_states(cr, shop_id),
    }


def dispatcher_states(cr, shop_id):
    """{state: count} of the shop's webhook dispatcher jobs."""
    return dict(
        _all(cr, "SELECT state, count(*) FROM queue_job WHERE identity_key = %s GROUP BY 1", (dispatch_key(shop_id),))
    )


def shop_job_states(cr, shop_id):
    """{state: count} of the shop's queue jobs, its dispatcher apart (reconciliation included)."""
    sql = "SELECT state, count(*) FROM queue_job WHERE identity_key LIKE %s AND identity_key != %s GROUP BY state"
    return dict(_all(cr, sql, (shop_pattern(shop_id), dispatch_key(shop_id))))


def cancel_waiting(cr, shop_id):
    """Cancel the shop's waiting queue jobs; how many."""
    sql = "UPDATE queue_job SET state='cancelled' WHERE identity_key LIKE %s AND state IN %s"
    cr.execute(sql, (shop_pattern(shop_id), WAITING))
    return cr.rowcount


def runner_leader(cr):
    """The application name (odoo-<pid>) of the backend holding queue_job's master runner lock, or None."""
    row = _one(
        cr,
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
        (RUNNER_LOCK_ID,),
    )
    return row[0] if row else None


def backend_idle(cr, application_name, db, seconds=1.0):
    """Whether the backend of ``application_name`` has been idle for ``seconds``."""
    row = _one(
        cr,
        "SELECT state, extract(epoch FROM now() - state_change) FROM pg_stat_activity "
        "WHERE application_name=%s AND datname=%s",
        (application_name, db),
    )
    return bool(row and row[0] == "idle" and row[1] > seconds)


# -- webhook deliveries ---------------------------------------------------------------------------
def delivery_states(cr, shop_id):
    """{state: count} of the shop's recorded webhook deliveries."""
    return dict(
        _all(cr, "SELECT state, count(*) FROM shopify_webhook_delivery WHERE shop_id=%s GROUP BY 1", (shop_id,))
    )


def delivery_totals(cr, shop_id, event_ids=None):
    """(deliveries recorded, receipts counted) of the shop, or of its ``event_ids`` only."""
    sql = "SELECT count(*), coalesce(sum(receipt_count), 0) FROM shopify_webhook_delivery WHERE shop_id=%s"
    if event_ids is None:
        return _one(cr, sql, (shop_id,))
    return _one(cr, sql + " AND event_id = ANY(%s)", (shop_id, list(event_ids)))


def recorded_and_received_sql():
    """SQL (one parameter: the shop) of (deliveries recorded, of which still 'received')."""
    return "SELECT count(*), count(*) FILTER (WHERE state = 'received') FROM shopify_webhook_delivery WHERE shop_id=%s"


def ignore_received(cr, shop_id, note):
    """Mark the shop's received deliveries ignored, with ``note``."""
    cr.execute(
        "UPDATE shopify_webhook_delivery SET state='ignored', note=%s WHERE shop_id=%s AND state='received'",
        (note, shop_id),
    )
    return cr.rowcount


def delivery_notes(cr, shop_id, topic):
    """The notes of the shop's deliveries of ``topic``."""
    sql = "SELECT note FROM shopify_webhook_delivery WHERE shop_id=%s AND topic=%s"
    return [row[0] for row in _all(cr, sql, (shop_id, topic))]


def stuck_deliveries(cr, shop_id):
    """Accepted deliveries left received or queued whose sync job shows no failure to a person."""
    return _all(
        cr,
        "SELECT d.id, d.topic, d.resource_type, d.resource_id, q.state, q.exc_name "
        "FROM shopify_webhook_delivery d LEFT JOIN shopify_sync_job j ON j.id = d.sync_job_id "
        "LEFT JOIN queue_job q ON q.id = d.queue_job_id WHERE d.shop_id = %s AND d.state IN ('received', 'queued') "
        "AND NOT coalesce(j.state = 'failed' OR j.needs_action, false) ORDER BY d.id",
        (shop_id,),
    )


# -- sync jobs (shopify_sync_job) -------------------------------------------------------------------
def visible_failures(cr, shop_id, ids):
    """Order ids whose sync job shows a failure to a person (failed, or needs action)."""
    sql = (
        "SELECT resource_id FROM shopify_sync_job WHERE shop_id=%s AND resource_type='order' "
        "AND resource_id = ANY(%s) AND (state='failed' OR needs_action)"
    )
    return {row[0] for row in _all(cr, sql, (shop_id, list(ids)))}


def failures_needing_action(cr, shop_id, ids):
    """{category: count} of the order sync jobs of ``ids`` that need action, or "none recorded"."""
    rows = _all(
        cr,
        "SELECT category, count(*) FROM shopify_sync_job WHERE shop_id=%s AND resource_type='order' "
        "AND resource_id = ANY(%s) AND needs_action GROUP BY category",
        (shop_id, list(ids)),
    )
    return dict(rows) or "none recorded"


def orders_with_failures(cr, shop_id):
    """(orders whose sync job recorded a failure, failures recorded in all)."""
    return _one(
        cr,
        "SELECT count(*), coalesce(sum(failure_count), 0) FROM shopify_sync_job WHERE shop_id=%s "
        "AND resource_type='order' AND failure_count > 0",
        (shop_id,),
    )


def failed_orders_by_category(cr, shop_id):
    """{category: count} of the shop's order sync jobs failed or needing action."""
    return dict(
        _all(
            cr,
            "SELECT coalesce(category, '?'), count(*) FROM shopify_sync_job WHERE shop_id=%s "
            "AND resource_type='order' AND (state='failed' OR needs_action) GROUP BY 1",
            (shop_id,),
        )
    )


def outcomes(cr, shop_id):
    """{outcome: count} of the shop's sync jobs."""
    return dict(
        _all(cr, "SELECT outcome, count(*) FROM shopify_sync_job WHERE shop_id=%s GROUP BY outcome", (shop_id,))
    )


def dispatcher_runs(cr, shop_id):
    """How many times the shop's webhook dispatcher ran to the end."""
    return _one(
        cr, "SELECT count(*) FROM queue_job WHERE identity_key = %s AND state = 'done'", (dispatch_key(shop_id),)
    )[0]


# -- the shop ---------------------------------------------------------------------------------------
def shop_value(cr, shop_id, column):
    """One column of shopify_shop (keep_raw_body, reconcile_progress...)."""
    return _one(cr, f"SELECT {column} FROM shopify_shop WHERE id = %s", (shop_id,))[0]  # noqa: S608
