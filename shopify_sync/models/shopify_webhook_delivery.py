import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models

from ..services.db import begin_read_committed
from ..services.gid import to_gid
from ..services.identity import dispatch_identity_key, dispatch_lock_key
from ..services.labels import door_label
from ..services.resources import GID_RESOURCE_TYPES
from ..services.topics import RESOURCE_TYPES, door_note, resource_of
from ..services.webhook_door import CALL_DOOR_SQL, CREATE_DOOR_FUNCTION_SQL

_logger = logging.getLogger(__name__)


DELIVERY_STATES = [
    ("received", "Received"),
    ("queued", "Queued"),
    ("duplicate", "Merged"),
    ("ignored", "Ignored"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("off", "Held: sync off"),  # rollout switch off (models/shopify_shop.py)
]


class ShopifyWebhookDelivery(models.Model):
    """One Shopify event as received, however many times it was delivered."""

    _name = "shopify.webhook.delivery"
    _description = "Shopify Webhook Delivery"
    _order = "id desc"
    _rec_name = "event_id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id")
    topic = fields.Char(required=True, readonly=True)
    event_id = fields.Char(required=True, readonly=True)
    webhook_id = fields.Char(readonly=True, help="X-Shopify-Webhook-Id of the first delivery.")
    triggered_at = fields.Char(readonly=True)
    api_version = fields.Char(readonly=True)
    resource_type = fields.Selection(RESOURCE_TYPES, readonly=True)
    resource_id = fields.Char(readonly=True)
    resource_gid = fields.Char(compute="_compute_resource_gid")
    received_at = fields.Datetime(readonly=True)
    last_received_at = fields.Datetime(readonly=True)
    receipt_count = fields.Integer(readonly=True, default=1, aggregator="sum")
    state = fields.Selection(DELIVERY_STATES, required=True, default="received", readonly=True)
    sync_job_id = fields.Many2one("shopify.sync.job", readonly=True, index="btree_not_null", ondelete="set null")
    queue_job_id = fields.Many2one("queue.job", readonly=True, ondelete="set null")
    raw_body = fields.Text(readonly=True, help="Kept for audit only; jobs always fetch fresh data.")
    note = fields.Char(readonly=True)

    # Every webhook inserts a row: few indexes and foreign keys (the company comes through
    # the shop; the row has no author). (shop, event) also serves lookups by shop, the
    # dispatcher reads the received rows of a shop through the partial index, and ids
    # follow the order of reception.
    _shop_event_uniq = models.UniqueIndex("(shop_id, event_id)", "This event was already received.")
    _received_idx = models.Index("(shop_id, id) WHERE state = 'received'")

    def init(self):
        # (the indexes of earlier versions are dropped by migrations/19.0.2.2.0)
        # Raw bodies are kept for audit: lz4 compresses them at a fraction of pglz's cost.
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("ALTER TABLE shopify_webhook_delivery ALTER COLUMN raw_body SET COMPRESSION lz4")
        except psycopg2.Error:
            _logger.info("PostgreSQL without lz4: raw webhook bodies keep the default compression")
        # The webhook door's statement (services/webhook_door.py), current with this version's code
        self.env.cr.execute(CREATE_DOOR_FUNCTION_SQL)

    @api.depends("resource_type", "resource_id")
    def _compute_resource_gid(self):
        for delivery in self:
            delivery.resource_gid = (
                to_gid(delivery.resource_type, delivery.resource_id)
                if delivery.resource_type in GID_RESOURCE_TYPES and delivery.resource_id
                else False
            )

    # -- intake -------------------------------------------------------------
    @api.model
    def _ingest(self, shop, headers, body, payload):
        """Record one authenticated delivery; returns its state.

        One short READ COMMITTED transaction on the request's cursor: concurrent
        copies of one event wait for each other at the unique index and are
        counted, never inserted twice. A new event is left "received" for the
        shop's dispatcher (``dispatch_deliveries``), which turns deliveries into
        sync jobs off the request path; the request only makes sure one
        dispatcher is waiting. Raises ``PayloadError`` when the body lacks the
        ids its topic needs.
        """
        topic = headers["topic"]
        route = resource_of(topic, payload, headers["event_id"])
        state, note = "received", door_note(topic, shop.stock_authority)
        if note or route is None:
            state, note = "ignored", note or f"Topic {topic} is not handled."
        label = door_label(route[0], payload) if route else None
        delivery_id, inserted, dispatcher_waiting = self._upsert(shop, headers, body, route, state, note, label)
        if not inserted:
            return "duplicate"
        if state == "received":
            if not dispatcher_waiting:
                self._enqueue_dispatcher(shop.id)
        elif self.env["shopify.echo"]._consume(shop, topic, payload):
            self.env.cr.execute(
                "UPDATE shopify_webhook_delivery SET note = %s WHERE id = %s",
                ("Echo of a write made by this addon.", delivery_id),
            )
        return state

    @api.model
    def _door_shop(self, domain):
        """What the webhook door needs of a shop (None if unknown or archived), from the registry cache."""
        return self.env["shopify.shop"]._door_shops().get(domain)

    @api.model
    def _upsert(self, shop, headers, body, route, state, note, label=None):
        """Insert the delivery, or count one more receipt of it; returns (id, inserted, dispatcher_waiting).

        One round trip, to the function of services/webhook_door.py. A received
        delivery first takes its shop's dispatch lock in shared mode, held until
        commit (see ``_wake_dispatcher``); the insert is a later statement, so
        its look for a waiting dispatcher sees every dispatcher that started
        before the lock was granted.
        """
        resource_type, resource_id = route or (None, None)
        self.env["queue.job"].flush_model(["state", "identity_key"])
        self.env.cr.execute(
            begin_read_committed(self.env.cr) + CALL_DOOR_SQL,
            {
                "lock": dispatch_lock_key(shop.id) if state == "received" else None,
                "dispatcher": dispatch_identity_key(shop.id),
                "shop": shop.id,
                "topic": headers["topic"],
                "event": headers["event_id"],
                "webhook": headers.get("webhook_id"),
                "triggered": headers.get("triggered_at"),
                "version": headers.get("api_version"),
                "rtype": resource_type,
                "rid": resource_id,
                "state": state,
                "note": note,
                "now": fields.Datetime.now(),
                "body": body.decode("utf-8") if shop.keep_raw_body else None,  # valid UTF-8 JSON: no NUL
                "label": label,
            },
        )
        return self.env.cr.fetchone()

    def _mark(self, state, note=None):
        vals = {"state": state}
        if note is not None:
            vals["note"] = note[:250]
        self.write(vals)

    # -- retention ----------------------------------------------------------
    @api.model
    def _cron_purge(self):
        """Drop raw bodies, then whole deliveries, older than each shop's retention."""
        for shop in self.env["shopify.shop"].with_context(active_test=False).search([]):
            limit = fields.Datetime.now() - timedelta(days=shop.delivery_retention_days)
            old = self.search([("shop_id", "=", shop.id), ("received_at", "<", limit)])
            old.filtered(lambda d: d.state in ("done", "ignored", "duplicate")).unlink()
            (old.exists()).write({"raw_body": False})
