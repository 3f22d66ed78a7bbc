"""A shop's health at a glance: the statistics the overview card, the shop list and the smart buttons show."""

from datetime import timedelta

from odoo import api, fields, models

from ..services.identity import shop_keys_pattern

PENDING_STATES = ("wait_dependencies", "pending", "enqueued", "started")
WAITING_DELIVERY_STATES = ("received", "queued")
# A delivery waiting longer than this means the dispatcher or the workers are not keeping up.
STUCK_AFTER = timedelta(minutes=15)
# The overview card's colours (Odoo's kanban colour indexes).
COLOR_RED, COLOR_AMBER, COLOR_GREEN = 1, 2, 10
# Failure reasons with a number of their own on the card (stale is an outcome, never a failure).
FAILURE_REASONS = ("temporary", "configuration", "mapping", "data_conflict", "protected_field")


def human_duration(seconds):
    """``42 s``, ``3.5 min``, ``2.1 h``, ``3 d``: a duration for a person, not a float."""
    if seconds is None:
        return False
    seconds = max(float(seconds), 0.0)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} d"


class ShopifyShopHealth(models.AbstractModel):
    """The statistics behind a shop's health: read live from the deliveries, the queue and the sync jobs.

    Nothing is stored: the shop's health fields (shopify_shop.py) are computed from these queries.
    """

    _name = "shopify.shop.health"
    _description = "Shopify shop health statistics"

    @api.model
    def _stats(self, shop):
        """``shop``'s counters in four aggregate queries (SQL: counts over queue_job and deliveries)."""
        shop.ensure_one()
        self.env["shopify.webhook.delivery"].flush_model(["shop_id", "state", "received_at"])
        self.env["shopify.sync.job"].flush_model(["shop_id", "needs_action", "category"])
        self.env["queue.job"].flush_model(["identity_key", "state"])
        cr = self.env.cr
        cr.execute(
            """
            SELECT max(received_at),
                   count(*) FILTER (WHERE state IN %(waiting)s),
                   min(received_at) FILTER (WHERE state IN %(waiting)s)
              FROM shopify_webhook_delivery WHERE shop_id = %(shop)s
            """,
            {"shop": shop.id, "waiting": WAITING_DELIVERY_STATES},
        )
        last_webhook_at, deliveries_waiting, oldest_waiting = cr.fetchone()
        cr.execute(
            "SELECT count(*) FROM queue_job WHERE identity_key LIKE %s AND state IN %s",
            (shop_keys_pattern(shop.id), PENDING_STATES),
        )
        jobs_waiting = cr.fetchone()[0]
        cr.execute(
            "SELECT category, count(*) FROM shopify_sync_job WHERE shop_id = %s AND needs_action "
            "GROUP BY category ORDER BY 2 DESC, 1",
            (shop.id,),
        )
        return {
            "last_webhook_at": last_webhook_at,
            "deliveries_waiting": deliveries_waiting,
            "oldest_waiting": oldest_waiting,
            "jobs_waiting": jobs_waiting,
            "reasons": dict(cr.fetchall()),
        }

    @api.model
    def _lag(self, shop):
        """(average, median, p95) in seconds of ``shop``'s lag in the last 24 h: Shopify's updatedAt to the
        real syncs (SQL: percentiles); no-ops are no lag. None where there was no sync."""
        since = fields.Datetime.now() - timedelta(days=1)
        self.env["shopify.sync.job"].flush_model(["shop_id", "lag_at", "lag_seconds"])
        self.env.cr.execute(
            """
            SELECT avg(lag_seconds),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_seconds),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY lag_seconds)
              FROM shopify_sync_job
             WHERE shop_id = %s AND lag_at > %s AND lag_seconds IS NOT NULL
            """,
            (shop.id, since),
        )
        return self.env.cr.fetchone()

    @api.model
    def _attention_reasons(self, shop, now):
        """Why a person is needed on ``shop``, in words (empty: all is well)."""
        reasons = []
        if shop.open_failure_count:
            reasons.append(self.env._("%s open failure(s)", shop.open_failure_count))
        if not shop.sync_enabled:
            reasons.append(self.env._("sync disabled"))
        if shop.oldest_waiting_delivery_at and now - shop.oldest_waiting_delivery_at > STUCK_AFTER:
            reasons.append(self.env._("deliveries waiting for more than %s min", int(STUCK_AFTER.total_seconds() / 60)))
        if shop.connection_needs_attention:
            reasons.append(shop.connection_health or self.env._("connection"))
        return reasons

    @api.model
    def _age(self, when, now):
        if not when:
            return self.env._("never")
        return self.env._("%s ago", human_duration((now - when).total_seconds()))
