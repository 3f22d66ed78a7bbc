"""A shop's running sync: reconciliation and the pushes of stock to Shopify (health: shopify_shop_health.py)."""

import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.sql_db import Cursor

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..services import stock as stock_rules
from ..services.actions import notify
from ..services.db import independent_env
from ..services.errors import SyncError, TemporaryError
from ..services.identity import reconcile_identity_key
from ..services.queries import UPDATED_SINCE_QUERY
from ..services.resources import UPDATED_SINCE

_logger = logging.getLogger(__name__)

PAGE_SIZE = 100


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    reconcile_progress = fields.Char(readonly=True, copy=False)

    location_mapping_ids = fields.One2many("shopify.location.mapping", "shop_id", string="Location Mappings")
    push_inventory = fields.Boolean(
        string="Push stock to Shopify",
        default=True,
        help="Odoo is the authority for stock: available quantities of mapped locations are pushed, "
        "for products tracked on both sides, once the two sides agreed on them (Stock agreement).",
    )
    stock_authority = fields.Selection(
        [("odoo", "Odoo"), ("shopify", "Shopify")],
        default="odoo",
        required=True,
        help="Odoo: the warehouse counts stock, Odoo pushes it. Shopify: stock is counted by Shopify "
        "(its POS or a 3PL); each inventory level change sets Odoo's quantity at the mapped location, "
        "and Odoo never pushes to this shop.",
    )
    inventory_debounce_seconds = fields.Integer(default=30, help="Changes are gathered this long, then pushed.")
    inventory_hold_zero_percent = fields.Integer(
        string="Hold a push zeroing more than (%)",
        default=stock_rules.DEFAULT_HOLD_ZERO_PERCENT,
        help="A push run that would set more than this share of the shop's pushed variants to 0 is held.",
    )
    inventory_hold_change_percent = fields.Integer(
        string="Hold a push changing more than (%)",
        default=stock_rules.DEFAULT_HOLD_CHANGE_PERCENT,
        help="A push run that would change more than this share of the shop's pushed variants is held.",
    )
    inventory_hold_min_variants = fields.Integer(
        string="Never hold fewer than",
        default=stock_rules.DEFAULT_HOLD_MIN_VARIANTS,
        help="A run that zeroes or changes fewer variants than this is never held (a few sell-outs are normal).",
    )
    stock_agreement_ids = fields.One2many("shopify.stock.agreement", "shop_id", string="Stock agreements")
    inventory_hold_ids = fields.One2many("shopify.inventory.hold", "shop_id", string="Held stock pushes")
    stock_to_decide_count = fields.Integer(compute="_compute_stock_to_decide_count")
    push_fulfillments = fields.Boolean(
        string="Push deliveries to Shopify",
        help="For stores that ship from Odoo: validating a delivery creates the Shopify fulfillment.",
    )

    def _schedule_inventory_push(self):
        """At most one waiting push job per shop: the identity key absorbs the burst."""
        self.ensure_one()
        if self.push_inventory and self.stock_authority == "odoo":
            sync_job = self.env["shopify.sync.job"].sudo()._ensure(self, "inventory_push", "all")
            eta = 0 if self.env.context.get("shopify_push_now") else max(self.inventory_debounce_seconds, 0)
            sync_job._enqueue(eta=eta)

    # -- stock integrity: agreement before the first push, the breaker -----------------
    def _compute_stock_to_decide_count(self):
        for shop in self:
            shop.stock_to_decide_count = self.env["shopify.stock.agreement"].search_count(
                [("shop_id", "=", shop.id), ("state", "=", "draft")]
            ) + self.env["shopify.inventory.hold"].search_count([("shop_id", "=", shop.id), ("state", "=", "held")])

    def _request_stock_comparison(self):
        """Queue one comparison of the pairs not agreed yet (the identity key absorbs repeats)."""
        for shop in self:
            if shop.push_inventory and shop.stock_authority == "odoo" and shop.location_mapping_ids:
                sync_job = self.env["shopify.sync.job"].sudo()._ensure(shop, "stock_compare", "all")
                sync_job._enqueue(eta=max(shop.inventory_debounce_seconds, 0))

    def _forget_stock_agreements(self, mappings=None):
        """Agree again before the next push: at ``mappings`` (default: every mapped location)."""
        for shop in self:
            ids = tuple((mappings or shop.location_mapping_ids).ids) or (0,)
            self.env.cr.execute("DELETE FROM shopify_variant_binding_stock_agreed_rel WHERE mapping_id IN %s", (ids,))
        self.env["shopify.variant.binding"].invalidate_model(["stock_agreed_mapping_ids"])

    def _pushed_variant_count(self):
        """How many (variant, location) pairs the shop pushes: the circuit breaker's whole."""
        self.ensure_one()
        self.env["shopify.variant.binding"].flush_model()
        self.env.cr.execute(
            """
            SELECT count(*) FROM shopify_variant_binding_stock_agreed_rel rel
              JOIN shopify_variant_binding b ON b.id = rel.binding_id
             WHERE b.shop_id = %s
            """,
            (self.id,),
        )
        return self.env.cr.fetchone()[0]

    def write(self, vals):
        started = (
            self.filtered(lambda s: not s._pushes_stock())
            if {"push_inventory", "stock_authority"} & set(vals)
            else self.browse()
        )
        result = super().write(vals)
        started = started.filtered(lambda s: s._pushes_stock())
        if started:
            # Stock pushed again after a pause may have drifted: agree again before the first push.
            started._forget_stock_agreements()
            started._request_stock_comparison()
        return result

    def _pushes_stock(self):
        return self.push_inventory and self.stock_authority == "odoo"

    def action_compare_stock(self):
        """Compare now, on the button: the agreement to decide on, or a note that all is agreed."""
        self.ensure_one()
        try:
            agreement = self.env["shopify.stock.agreement"]._compare(self)
        except SyncError as exc:
            raise UserError(self.env._("Shopify's quantities could not be read: %s", exc)) from exc
        if not agreement:
            return notify(self.env._("Every bound variant is agreed at every mapped location."), "info")
        return agreement._open()

    def action_open_stock_decisions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stock to decide"),
            "res_model": "shopify.stock.agreement",
            "view_mode": "list,form",
            "domain": [("shop_id", "=", self.id)],
            "context": {"search_default_to_decide": 1, "default_shop_id": self.id},
        }

    def action_open_inventory_holds(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Held stock pushes"),
            "res_model": "shopify.inventory.hold",
            "view_mode": "list,form",
            "domain": [("shop_id", "=", self.id)],
        }

    # -- reconciliation -------------------------------------------------------
    @api.model
    def _cron_reconcile(self):
        """Per shop: enqueue the sync of everything updated since the last run, minus the overlap."""
        for shop in self.search([("sync_enabled", "=", True)]):
            since = (shop.last_reconciled_at or fields.Datetime.now() - timedelta(days=1)) - timedelta(
                hours=shop.reconcile_overlap_hours
            )
            shop.with_delay(
                channel=const.CHANNEL_ROOT,
                identity_key=reconcile_identity_key(shop.id),
                description=f"Shopify reconciliation: {shop.name}",
            ).reconcile(fields.Datetime.to_string(since))

    def action_sync_now(self, days=7):
        self.ensure_one()
        if not self.sync_enabled:
            raise UserError(_("Sync is disabled for %s.", self.name))
        since = fields.Datetime.now() - timedelta(days=days)
        self.reconcile_progress = _("Queued: everything updated in the last %s days.", days)
        self.with_delay(
            channel=const.CHANNEL_ROOT,
            identity_key=reconcile_identity_key(self.id),
            description=f"Shopify sync now: {self.name}",
        ).reconcile(fields.Datetime.to_string(since))
        return True

    def reconcile(self, since):
        """Queue job: list orders, customers and products updated since ``since``, enqueue their sync.

        The per-resource jobs use the same identity keys as webhooks: a record
        the webhooks already brought is skipped by its job, never duplicated.
        """
        self.ensure_one()
        started = fields.Datetime.now()
        since_dt = fields.Datetime.to_datetime(since)
        stamp = since_dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        counts = {}
        sync_jobs = self.env["shopify.sync.job"].sudo()
        try:
            with self._graphql_client() as client:
                for resource_type, root in UPDATED_SINCE.items():
                    counts[resource_type] = 0
                    for node in self._paginate(client, root, f"updated_at:>='{stamp}'"):
                        job = sync_jobs._ensure(self, resource_type, node["legacyResourceId"])
                        job._enqueue(priority=20)
                        counts[resource_type] += 1
        except TemporaryError as err:
            # Shopify throttled, failed or timed out: the job is retried on its
            # retry pattern, and starts again from ``since`` (enqueueing is idempotent).
            self._note_reconcile_progress(_("Waiting to retry: %s", err))
            raise RetryableJobError(str(err)) from err
        except SyncError as err:
            self._note_reconcile_progress(_("Failed: %s", err))
            raise
        self._note_reconcile_done(
            {
                "last_reconciled_at": started,
                "reconcile_progress": _("Done %(when)s: %(counts)s", when=started, counts=_format_counts(counts)),
            }
        )
        return _format_counts(counts)

    def _note_reconcile_done(self, vals):
        """Stamp the shop row at the end of a reconciliation, in a short transaction of its own.

        The job's transaction is long (it pages through Shopify) and the shop row is
        written meanwhile by others (a switch, a setting, another job): written from the
        job's snapshot, the row would fail to serialize and the whole reconciliation run
        again. READ COMMITTED waits for such a writer instead, and only what changed is
        written. The job's own work is flushed first, so the stamp is its last statement;
        a writer that holds the row too long (lock timeout) leaves it to the job's transaction.
        """
        self.env.flush_all()
        try:
            with independent_env(self.env) as env:
                if isinstance(env.cr, Cursor):
                    env.cr.execute("SET LOCAL lock_timeout = '10s'")
                shop = env[self._name].browse(self.id)
                changed = {name: value for name, value in vals.items() if shop[name] != value}
                if changed:
                    shop.write(changed)
        except pg_errors.LockNotAvailable:
            self.write(vals)
            return
        self.invalidate_recordset(list(vals))

    def _note_reconcile_progress(self, text):
        """Write the progress line in a transaction of its own: the job's is rolled back."""
        with independent_env(self.env) as env:
            env[self._name].browse(self.id).reconcile_progress = text
        self.invalidate_recordset(["reconcile_progress"])

    def _paginate(self, client, root, search):
        query = UPDATED_SINCE_QUERY % {"root": root}
        return client.paginate(query, root, {"query": search}, page_size=PAGE_SIZE)


def _format_counts(counts):
    return ", ".join(f"{count} {kind}(s)" for kind, count in counts.items()) or "nothing"
