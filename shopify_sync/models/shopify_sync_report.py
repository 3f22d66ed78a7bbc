"""Sync health: one reporting row per thing that happened or waits, for Odoo's graph and pivot views.

A read-only SQL view, like ``sale.report``. Its rows:

- *Synced*: a sync job's last real sync (created, updated or linked a newer
  Shopify version, see ``_is_real_sync``), at the time its lag was measured;
- *Failed*: a sync job's last failure, with the reason it failed with (kept
  once it is fixed);
- *Waiting job* and *Waiting delivery*: the backlog, a sync job waiting to run
  and a webhook delivery not dispatched yet, since they wait.

Counts are a sum of ones (an integer measure); the lag percentiles are real
percentiles of the rows of each group, computed in SQL (``_read_group_select``).
"""

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..services.errors import CATEGORIES
from ..services.resources import RESOURCE_TYPES
from .shopify_shop_health import WAITING_DELIVERY_STATES
from .shopify_sync_job import MEANINGFUL_OUTCOMES

KINDS = [
    ("synced", "Synced"),
    ("failed", "Failed"),
    ("waiting", "Waiting job"),
    ("waiting_delivery", "Waiting delivery"),
]
# Measures aggregated as a percentile of the rows' lag, whatever aggregator the view asks for.
PERCENTILES = {"lag_p50": 0.5, "lag_p95": 0.95}


class ShopifySyncReport(models.Model):
    _name = "shopify.sync.report"
    _description = "Shopify Sync Health"
    _auto = False
    _order = "date desc"
    _rec_name = "date"
    # What the view reads: flushed before the report is queried.
    _depends = {
        "shopify.sync.job": [
            "lag_at",
            "lag_seconds",
            "last_failed_at",
            "failed_category",
            "last_outcome",
            "last_seen",
            "state",
            "shop_id",
            "company_id",
            "resource_type",
        ],
        "shopify.webhook.delivery": ["received_at", "state", "shop_id", "resource_type", "sync_job_id"],
        "shopify.shop": ["company_id"],
    }

    kind = fields.Selection(KINDS, readonly=True)
    date = fields.Datetime(readonly=True, help="When it was synced, failed, or since when it waits.")
    shop_id = fields.Many2one("shopify.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    resource_type = fields.Selection(RESOURCE_TYPES, readonly=True)
    failed_category = fields.Selection(CATEGORIES, string="Reason", readonly=True)
    outcome = fields.Selection(MEANINGFUL_OUTCOMES, readonly=True)
    sync_job_id = fields.Many2one("shopify.sync.job", readonly=True)
    count = fields.Integer(readonly=True, aggregator="sum")
    lag_seconds = fields.Float(string="Lag average (s)", readonly=True, aggregator="avg")
    lag_p50 = fields.Float(string="Lag p50 (s)", readonly=True, aggregator="avg")
    lag_p95 = fields.Float(string="Lag p95 (s)", readonly=True, aggregator="avg")

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in PERCENTILES:
            lag = self._field_to_sql(self._table, "lag_seconds", query)
            return SQL("percentile_cont(%s) WITHIN GROUP (ORDER BY %s)", PERCENTILES[fname], lag)
        return super()._read_group_select(aggregate_spec, query)

    def _query(self):
        return SQL(
            """
            SELECT j.id * 4 AS id, 'synced' AS kind, j.lag_at AS date, j.shop_id, j.company_id,
                   j.resource_type, NULL AS failed_category, j.last_outcome AS outcome, j.id AS sync_job_id,
                   1 AS count, j.lag_seconds, j.lag_seconds AS lag_p50, j.lag_seconds AS lag_p95
              FROM shopify_sync_job j
             WHERE j.lag_at IS NOT NULL
            UNION ALL
            SELECT j.id * 4 + 1, 'failed', j.last_failed_at, j.shop_id, j.company_id,
                   j.resource_type, j.failed_category, NULL, j.id, 1, NULL, NULL, NULL
              FROM shopify_sync_job j
             WHERE j.last_failed_at IS NOT NULL
            UNION ALL
            SELECT j.id * 4 + 2, 'waiting', j.last_seen, j.shop_id, j.company_id,
                   j.resource_type, NULL, NULL, j.id, 1, NULL, NULL, NULL
              FROM shopify_sync_job j
             WHERE j.state = 'pending'
            UNION ALL
            SELECT d.id * 4 + 3, 'waiting_delivery', d.received_at, d.shop_id, s.company_id,
                   d.resource_type, NULL, NULL, d.sync_job_id, 1, NULL, NULL, NULL
              FROM shopify_webhook_delivery d
              JOIN shopify_shop s ON s.id = d.shop_id
             WHERE d.state IN %s
            """,
            WAITING_DELIVERY_STATES,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
