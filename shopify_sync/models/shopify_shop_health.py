"""A shop's health at a glance: what the overview card, the shop list and the smart buttons show."""

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


class ShopifyShop(models.Model):
    _name = "shopify.shop"
    _inherit = "shopify.shop"

    last_webhook_at = fields.Datetime(compute="_compute_health")
    last_webhook_age = fields.Char(string="Last webhook", compute="_compute_health")
    backlog_count = fields.Integer(string="Jobs waiting", compute="_compute_health")
    delivery_backlog_count = fields.Integer(string="Deliveries waiting", compute="_compute_health")
    oldest_waiting_delivery_at = fields.Datetime(compute="_compute_health")
    open_failure_count = fields.Integer(string="Open failures", compute="_compute_health")
    open_failures_by_reason = fields.Char(compute="_compute_health")
    failure_temporary_count = fields.Integer(string="Temporary", compute="_compute_health")
    failure_configuration_count = fields.Integer(string="Configuration", compute="_compute_health")
    failure_mapping_count = fields.Integer(string="Mapping", compute="_compute_health")
    failure_data_conflict_count = fields.Integer(string="Data conflict", compute="_compute_health")
    failure_protected_field_count = fields.Integer(string="Protected field", compute="_compute_health")
    average_lag_seconds = fields.Float(string="Average lag (s, last 24 h)", compute="_compute_lag")
    lag_median_seconds = fields.Float(string="Lag median (s, 24 h)", compute="_compute_lag")
    lag_p95_seconds = fields.Float(string="Lag p95 (s, 24 h)", compute="_compute_lag")
    lag_display = fields.Char(string="Lag (24 h)", compute="_compute_lag")
    last_reconciled_age = fields.Char(string="Last reconciliation", compute="_compute_health")
    # Filled by the connection work (webhook subscriptions, token expiry): see _compute_connection_health.
    connection_health = fields.Char(
        compute="_compute_connection_health",
        help="Webhook subscription state and token expiry, one line; empty while nothing is known.",
    )
    connection_needs_attention = fields.Boolean(compute="_compute_connection_health")
    needs_attention = fields.Boolean(compute="_compute_health", help="Something on this shop needs a person.")
    overview_color = fields.Integer(
        compute="_compute_health",
        help="Kanban colour: red when a person is needed, amber while changes wait for review, else green.",
    )
    attention_reason = fields.Char(compute="_compute_health")
    sync_job_count = fields.Integer(compute="_compute_smart_counts")
    delivery_count = fields.Integer(compute="_compute_smart_counts")
    order_count = fields.Integer(compute="_compute_smart_counts")
    product_count = fields.Integer(compute="_compute_smart_counts")

    def _compute_connection_health(self):
        """Hook for the webhook subscription state and the token expiry: nothing known here yet.

        Override to set ``connection_health`` (one readable line) and
        ``connection_needs_attention`` (turns the overview card red).
        """
        for shop in self:
            shop.connection_health = False
            shop.connection_needs_attention = False

    @api.depends_context("uid")
    def _compute_health(self):
        now = fields.Datetime.now()
        for shop in self:
            stats = shop._health_stats() if shop.id else {}
            last_webhook = stats.get("last_webhook_at")
            reasons = stats.get("reasons", {})
            shop.last_webhook_at = last_webhook
            shop.last_webhook_age = shop._age(last_webhook, now)
            shop.backlog_count = stats.get("jobs_waiting", 0)
            shop.delivery_backlog_count = stats.get("deliveries_waiting", 0)
            shop.oldest_waiting_delivery_at = stats.get("oldest_waiting")
            shop.open_failure_count = sum(reasons.values())
            labels = dict(self.env["shopify.sync.job"]._fields["category"]._description_selection(self.env))
            shop.open_failures_by_reason = (
                ", ".join(f"{labels.get(reason, reason)}: {count}" for reason, count in reasons.items()) or False
            )
            for reason in FAILURE_REASONS:
                shop[f"failure_{reason}_count"] = reasons.get(reason, 0)
            shop.last_reconciled_age = shop._age(shop.last_reconciled_at, now)
            attention = shop._attention_reasons(now)
            shop.needs_attention = bool(attention)
            shop.attention_reason = "; ".join(attention) or False
            # Red: a person must act; amber: changes wait for a review decision; green: all fine.
            if attention:
                shop.overview_color = COLOR_RED
            elif shop.id and shop.review_count:
                shop.overview_color = COLOR_AMBER
            else:
                shop.overview_color = COLOR_GREEN

    def _age(self, when, now):
        if not when:
            return self.env._("never")
        return self.env._("%s ago", human_duration((now - when).total_seconds()))

    def _attention_reasons(self, now):
        """Why a person is needed on this shop, in words (empty: all is well)."""
        reasons = []
        if self.open_failure_count:
            reasons.append(self.env._("%s open failure(s)", self.open_failure_count))
        if not self.sync_enabled:
            reasons.append(self.env._("sync disabled"))
        if self.oldest_waiting_delivery_at and now - self.oldest_waiting_delivery_at > STUCK_AFTER:
            reasons.append(self.env._("deliveries waiting for more than %s min", int(STUCK_AFTER.total_seconds() / 60)))
        if self.connection_needs_attention:
            reasons.append(self.connection_health or self.env._("connection"))
        return reasons

    def _health_stats(self):
        """The shop's counters in four aggregate queries (SQL: counts over queue_job and deliveries)."""
        self.ensure_one()
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
            {"shop": self.id, "waiting": WAITING_DELIVERY_STATES},
        )
        last_webhook_at, deliveries_waiting, oldest_waiting = cr.fetchone()
        cr.execute(
            "SELECT count(*) FROM queue_job WHERE identity_key LIKE %s AND state IN %s",
            (shop_keys_pattern(self.id), PENDING_STATES),
        )
        jobs_waiting = cr.fetchone()[0]
        cr.execute(
            "SELECT category, count(*) FROM shopify_sync_job WHERE shop_id = %s AND needs_action "
            "GROUP BY category ORDER BY 2 DESC, 1",
            (self.id,),
        )
        return {
            "last_webhook_at": last_webhook_at,
            "deliveries_waiting": deliveries_waiting,
            "oldest_waiting": oldest_waiting,
            "jobs_waiting": jobs_waiting,
            "reasons": dict(cr.fetchall()),
        }

    def _compute_lag(self):
        """Lag of the last 24 h: Shopify's updatedAt to the real syncs (SQL: percentiles); no-ops are no lag."""
        since = fields.Datetime.now() - timedelta(days=1)
        self.env["shopify.sync.job"].flush_model(["shop_id", "lag_at", "lag_seconds"])
        for shop in self:
            row = (None, None, None)
            if shop.id:
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
                row = self.env.cr.fetchone()
            average, median, p95 = row
            shop.average_lag_seconds = average or 0.0
            shop.lag_median_seconds = median or 0.0
            shop.lag_p95_seconds = p95 or 0.0
            shop.lag_display = (
                self.env._("median %(median)s · p95 %(p95)s", median=human_duration(median), p95=human_duration(p95))
                if median is not None
                else self.env._("no sync in 24 h")
            )

    def _compute_smart_counts(self):
        jobs = self.env["shopify.sync.job"]
        deliveries = self.env["shopify.webhook.delivery"]
        for shop in self:
            if not shop.id:
                shop.update(sync_job_count=0, delivery_count=0, order_count=0, product_count=0)
                continue
            shop.sync_job_count = jobs.search_count([("shop_id", "=", shop.id)])
            shop.delivery_count = deliveries.search_count([("shop_id", "=", shop.id)])
            shop.order_count = len(shop._bound("shopify.order.binding"))
            shop.product_count = len(shop._bound("shopify.variant.binding"))

    def _bound(self, binding_model):
        return self.env[binding_model].sudo().search([("shop_id", "=", self.id)]).odoo_id

    # -- where the numbers lead --------------------------------------------------
    def _sync_job_action(self, name, context=None):
        """Sync jobs of this shop, narrowed by facets the user sees (and can remove), not by a hidden domain."""
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_job")
        action.update(name=name, domain=[], context=self._shop_facet_context(context))
        return action

    def _shop_facet_context(self, context=None):
        """An action's context opening on a visible *Shop* facet (the search view's shop_id field)."""
        return {"search_default_shop_id": self.id, **(context or {})}

    def action_open_failures(self):
        """Open failures of this shop; ``failure_category`` in the context narrows to one reason."""
        self.ensure_one()
        context = {"search_default_needs_action": 1}
        category = self.env.context.get("failure_category")
        if category:
            context["search_default_category"] = category
        else:
            context["search_default_group_category"] = 1
        return self._sync_job_action(self.env._("Failures: %s", self.name), context)

    def action_retry_failures(self):
        """Retry every open failure of this shop (of one reason with ``failure_category``): the card's *Retry all*."""
        self.ensure_one()
        domain = [("shop_id", "=", self.id), ("needs_action", "=", True)]
        category = self.env.context.get("failure_category")
        if category:
            domain.append(("category", "=", category))
        jobs = self.env["shopify.sync.job"].search(domain)
        jobs.action_retry()
        labels = dict(self.env["shopify.sync.job"]._fields["category"]._description_selection(self.env))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if jobs else "info",
                "message": self.env._(
                    "%(count)s sync job(s) of %(shop)s queued again (%(reason)s).",
                    count=len(jobs),
                    shop=self.name,
                    reason=labels.get(category, category) if category else self.env._("every reason"),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_sync_jobs(self):
        self.ensure_one()
        return self._sync_job_action(self.env._("Sync jobs: %s", self.name))

    def action_open_waiting_jobs(self):
        self.ensure_one()
        return self._sync_job_action(self.env._("Waiting: %s", self.name), {"search_default_pending": 1})

    def action_open_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_webhook_delivery")
        # the search view's "waiting" filter is state in WAITING_DELIVERY_STATES
        waiting = {"search_default_waiting": 1} if self.env.context.get("waiting_only") else {}
        action.update(domain=[], context=self._shop_facet_context(waiting))
        return action

    def action_open_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Orders: %s", self.name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self._bound("shopify.order.binding").ids)],
        }

    def action_open_products(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Products: %s", self.name),
            "res_model": "product.product",
            "view_mode": "list,form",
            "domain": [("id", "in", self._bound("shopify.variant.binding").ids)],
        }
