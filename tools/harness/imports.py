"""Questions about a shop's day-one import: its runs (``shopify_import_run``) and the points it used.

Run functions take a cursor (``Db.run(func, ...)`` hands them one). The states of
a run are draft, running (Shopify exports), reading (Odoo imports the file),
done and failed; the last two are final.
"""

from .keys import identity, sync_pattern

FINAL = ("done", "failed")
RUN_COLUMNS = (
    "id",
    "object_kind",
    "state",
    "rows_read",
    "object_count",
    "created_count",
    "linked_count",
    "updated_count",
    "skipped_count",
    "failed_count",
    "deferred_count",
    "poll_count",
    "message",
)
TEXT_COLUMNS = ("object_kind", "state", "message")
COUNTS = ("created", "linked", "updated", "skipped", "failed", "deferred")


def step_pattern(shop_id):
    """LIKE pattern of the queue jobs of the shop's import steps (start, poll, read)."""
    return identity.import_identity_key(shop_id, "%", "%")


def job_stats(cr, shop_id):
    """The import's queue jobs: its steps, and the shop's sync jobs (records handed to their own job)."""
    cr.execute(
        "SELECT count(*), coalesce(sum(greatest(retry - 1, 0)), 0), count(*) FILTER (WHERE state = 'failed'), "
        "avg(extract(epoch FROM date_done - date_started)) FILTER (WHERE name LIKE %s), "
        "count(*) FILTER (WHERE name LIKE %s) "
        "FROM queue_job WHERE identity_key LIKE %s",
        ("%: read", "%: read", step_pattern(shop_id)),
    )
    steps = cr.fetchone()
    cr.execute(
        "SELECT count(*), count(*) FILTER (WHERE state = 'failed') FROM queue_job "
        "WHERE identity_key LIKE %s AND identity_key NOT LIKE %s",
        (sync_pattern(shop_id), step_pattern(shop_id)),
    )
    sync = cr.fetchone()
    return {
        "import_step_jobs": steps[0],
        "import_step_job_retries": int(steps[1]),
        "import_step_jobs_failed": steps[2],
        "import_read_jobs": steps[4],
        "import_read_job_s_avg": round(float(steps[3] or 0), 2),
        "import_sync_jobs": sync[0],
        "import_sync_jobs_failed": sync[1],
    }


def import_runs(cr, shop_id, run_ids=None):
    """The shop's import runs (those of ``run_ids`` if given) as dicts, oldest first."""
    # Integer fields are NULL until written (Odoo gives them no column default): read as 0.
    columns = ", ".join(c if c in TEXT_COLUMNS else f"coalesce({c}, 0)" for c in RUN_COLUMNS)
    sql = f"SELECT {columns} FROM shopify_import_run WHERE shop_id = %s"  # noqa: S608
    args = [shop_id]
    if run_ids is not None:
        sql += " AND id = ANY(%s)"
        args.append(list(run_ids))
    cr.execute(sql + " ORDER BY id", args)
    return [dict(zip(RUN_COLUMNS, row, strict=True)) for row in cr.fetchall()]


def all_final(runs):
    """Whether every run of ``runs`` (import_runs' dicts) is done or failed."""
    return bool(runs) and all(run["state"] in FINAL for run in runs)


def imported(run):
    """Records a run brought into Odoo: created, linked, updated, or already as Shopify has them."""
    return run["created_count"] + run["linked_count"] + run["updated_count"] + run["skipped_count"]


def points_used(calls):
    """Shopify cost points of the simulator's ``calls`` (GET /_sim/calls): {"points", "requested", "calls",
    "throttled"}.

    Shopify takes the requested cost from the bucket and gives back the difference once the
    query has run (shopify_simulator/query_cost.py), so a call that ran used its actual cost;
    a throttled call ran nothing and used nothing.
    """
    ran = [c for c in calls if c.get("actual_cost") is not None]
    return {
        "points": sum(c["actual_cost"] for c in ran),
        "requested": sum(c.get("requested_cost") or 0 for c in ran),
        "calls": len(calls),
        "throttled": sum(1 for c in calls if c.get("throttled")),
    }
