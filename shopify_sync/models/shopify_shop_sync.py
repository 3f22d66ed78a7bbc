"""A shop's running sync: reconciliation and the pushes of stock to Shopify (health: shopify_shop_health.py)."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..services.db import independent_env
from ..services.errors import SyncError, TemporaryError
from ..services.identity import reconcile_identity_key
from ..services.queries import UPDATED_SINCE, UPDATED_SINCE_QUERY

_logger = logging.getLogger(__name__)

PAGE_SIZE = 100


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    reconcile_progress = fields.Char(readonly=True, copy=False)

    location_mapping_ids = fields.One2many("shopify.location.mapping", "shop_id", string="Location Mappings")
    push_inventory = fields.Boolean(
        string="Push stock to Shopify",
        default=True,
        help="Odoo is the authority for stock: available quantities of mapped locations are pushed.",
    )
    inventory_debounce_seconds = fields.Integer(default=30, help="Changes are gathered this long, then pushed.")
    push_fulfillments = fields.Boolean(
        string="Push deliveries to Shopify",
        help="For stores that ship from Odoo: validating a delivery creates the Shopify fulfillment.",
    )

    def _schedule_inventory_push(self):
        """At most one waiting push job per shop: the identity key absorbs the burst."""
        self.ensure_one()
        if self.push_inventory:
            sync_job = self.env["shopify.sync.job"].sudo()._ensure(self, "inventory_push", "all")
            sync_job._enqueue(eta=max(self.inventory_debounce_seconds, 0))

    # -- reconciliation -------------------------------------------------------
    @api.model
    def _cron_reconcile(self):
        """Per shop: enqueue the sync of everything updated since the last run, minus the overlap."""
        for shop in self.search([("sync_enabled", "=", True)]):
            since = (shop.last_reconciled_at or fields.Datetime.now() - timedelta(days=1)) - timedelta(
                hours=shop.reconcile_overlap_hours
            )
            shop.with_delay(
                channel="root.shopify",
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
            channel="root.shopify",
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
                        self.reconcile_progress = _("Running: %s", _format_counts(counts))
        except TemporaryError as err:
            # Shopify throttled, failed or timed out: the job is retried on its
            # retry pattern, and starts again from ``since`` (enqueueing is idempotent).
            self._note_reconcile_progress(_("Waiting to retry: %s", err))
            raise RetryableJobError(str(err)) from err
        except SyncError as err:
            self._note_reconcile_progress(_("Failed: %s", err))
            raise
        self.write(
            {
                "last_reconciled_at": started,
                "reconcile_progress": _("Done %(when)s: %(counts)s", when=started, counts=_format_counts(counts)),
            }
        )
        return _format_counts(counts)

    def _note_reconcile_progress(self, text):
        """Write the progress line in a transaction of its own: the job's is rolled back."""
        with independent_env(self.env) as env:
            env[self._name].browse(self.id).reconcile_progress = text
        self.invalidate_recordset(["reconcile_progress"])

    def _paginate(self, client, root, search):
        query = UPDATED_SINCE_QUERY % {"root": root}
        after = None
        while True:
            data = client.execute(query, {"first": PAGE_SIZE, "after": after, "query": search})
            connection = data.get(root) or {}
            yield from connection.get("nodes") or []
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return
            after = page.get("endCursor")


def _format_counts(counts):
    return ", ".join(f"{count} {kind}(s)" for kind, count in counts.items()) or "nothing"
