"""Webhook deliveries: one Shopify event as received, and its way to a sync job.

Sections, in the order a delivery lives through them:

- *the row*: fields, indexes, the readable title (``orders/create #1015``) and receipts;
- *the door* (the request path): the delivery recorded in one short transaction
  (``_ingest``, ``_upsert``) and a dispatcher made sure to wait for the shop;
- *the dispatcher* (off the request path): the dispatcher job reads the received
  deliveries in batches and gives each resource its sync job, with the same
  identity rules as before: one waiting job per resource, a started job never
  absorbs a new event. A cron wakes a dispatcher for deliveries left behind (a
  dispatcher that failed, or a database restored from a backup);
- *retention*.
"""

import logging
import time
from collections import Counter
from datetime import timedelta

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..services.db import begin_read_committed, independent_env
from ..services.gid import to_gid
from ..services.identity import (
    DISPATCHER_WAITING_SQL,
    dispatch_identity_key,
    dispatch_lock_key,
    dispatch_params,
    hold_dispatch_exclusive,
    hold_dispatch_shared,
    try_lock_dispatcher,
)
from ..services.labels import delivery_title, door_label, label_from_payload
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
DISPATCH_BATCH = 25
DISPATCH_SECONDS = 30
DISPATCH_CHANNEL = const.CHANNEL_DISPATCH
DISPATCH_PRIORITY = 5
STRAGGLER_AGE = timedelta(minutes=2)
ECHO_TOPICS = ("fulfillments/create", "fulfillments/update", "products/create", "products/update")


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
    resource_label = fields.Char(
        readonly=True, help="Order number or product title, as the webhook named it (no personal data)."
    )
    repeat_count = fields.Integer(
        string="Suppressed repeats",
        compute="_compute_receipts",
        help="Receipts of this same event after the first: acknowledged and counted, nothing run again.",
    )
    receipts_summary = fields.Char(string="Receipts", compute="_compute_receipts")

    # Every webhook inserts a row: few indexes and foreign keys (the company comes through
    # the shop; the row has no author). (shop, event) also serves lookups by shop, the
    # dispatcher reads the received rows of a shop through the partial index, and ids
    # follow the order of reception.
    _shop_event_uniq = models.UniqueIndex("(shop_id, event_id)", "This event was already received.")
    _received_idx = models.Index("(shop_id, id) WHERE state = 'received'")

    # -- the row --------------------------------------------------------------
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

    @api.depends("receipt_count")
    def _compute_receipts(self):
        for delivery in self:
            receipts = max(delivery.receipt_count, 1)
            delivery.repeat_count = receipts - 1
            if receipts == 1:
                delivery.receipts_summary = self.env._("Received once")
            else:
                delivery.receipts_summary = self.env._(
                    "Received %(receipts)s times: the first served, %(repeats)s suppressed as repeats",
                    receipts=receipts,
                    repeats=receipts - 1,
                )

    @api.depends("topic", "resource_id", "resource_label", "sync_job_id.resource_label")
    def _compute_display_name(self):
        for delivery in self:
            label = delivery.resource_label or delivery.sync_job_id.resource_label
            if not label:
                label, _summary = label_from_payload(delivery.resource_type, delivery.raw_body)
            delivery.display_name = delivery_title(delivery.topic, label, delivery.resource_id or delivery.event_id)

    # -- the door -----------------------------------------------------------
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

    @api.model
    def _wake_dispatcher(self, shop_id):
        """Make sure a dispatcher that has not started yet will read the shop's received deliveries.

        Takes the shop's dispatch lock in shared mode (held until commit); the
        check below is a later statement, so it sees every dispatcher that
        started before the lock was granted. The webhook door does the same in
        its insert's round trip (``_upsert``). Returns whether one was enqueued.
        """
        cr = self.env.cr
        hold_dispatch_shared(cr, shop_id)
        self.env["queue.job"].flush_model(["state", "identity_key"])
        cr.execute(f"SELECT {DISPATCHER_WAITING_SQL}", dispatch_params(shop_id))
        if cr.fetchone()[0]:
            return False
        self._enqueue_dispatcher(shop_id)
        return True

    @api.model
    def _enqueue_dispatcher(self, shop_id):
        """Enqueue the shop's dispatcher job (identity key: one waiting per shop)."""
        self.sudo().with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        ).with_delay(
            channel=DISPATCH_CHANNEL,
            # Before the sync jobs (10) when a channel is shared: it is short and turns a burst
            # into jobs, which a backlog read can only count once they are dispatched.
            priority=DISPATCH_PRIORITY,
            identity_key=dispatch_identity_key(shop_id),
            description=f"Shopify webhooks: dispatch (shop {shop_id})",
        ).dispatch_deliveries(shop_id)

    # -- the dispatcher job (off the request path) ------------------------------
    def dispatch_deliveries(self, shop_id):
        """Queue job: give every received delivery of a shop its sync job.

        Works in short READ COMMITTED batches committed one by one (a batch
        holds its deliveries' rows, which late copies of those events update),
        so that a crash keeps what was dispatched and the next dispatcher goes
        on from there. A run stops after ``DISPATCH_SECONDS`` and leaves the
        rest to a successor, so that a burst never meets the worker's time limit.
        """
        if not try_lock_dispatcher(self.env.cr, shop_id):
            # Its predecessor is still at work: wait, still counted as waiting by the door.
            raise RetryableJobError("Another dispatcher of this shop is running.", seconds=2, ignore_retry=True)
        counts = Counter()
        deadline = time.monotonic() + DISPATCH_SECONDS
        while True:
            if time.monotonic() > deadline:
                # Well inside the worker's time limit: a successor goes on from here.
                self._wake_dispatcher(shop_id)
                counts["left to a successor dispatcher"] = 1
                break
            with independent_env(self.env) as env:
                hold_dispatch_exclusive(env.cr, shop_id)
                env.cr.execute(
                    """
                    SELECT id FROM shopify_webhook_delivery
                     WHERE shop_id = %s AND state = 'received'
                     ORDER BY id LIMIT %s
                    """,
                    (shop_id, DISPATCH_BATCH),
                )
                ids = [row[0] for row in env.cr.fetchall()]
            if not ids:
                break
            with independent_env(self.env) as env:
                batch = env[self._name]._dispatch_batch(shop_id, ids)
            counts.update(batch)
            if batch.get("queued"):
                self._consider_backlog_read(shop_id)
        self.invalidate_model()
        return ", ".join(f"{count} {state}" for state, count in sorted(counts.items())) or "nothing to dispatch"

    def _consider_backlog_read(self, shop_id):
        """After a batch that queued jobs, its own transaction: is the shop's order backlog worth one bulk read?

        models/shopify_backlog_read.py decides; a failure there is logged and never stops the dispatch.
        """
        try:
            with independent_env(self.env) as env:
                shop = env["shopify.shop"].with_context(active_test=False).browse(shop_id)
                env["shopify.backlog.read"]._consider_backlog_read(shop)
        except Exception:  # noqa: BLE001 - the reads only save points: dispatching goes on without them
            _logger.exception("Shopify: backlog read of shop %s not considered", shop_id)

    @api.model
    def _dispatch_batch(self, shop_id, ids):
        """Hand each delivery to its resource's sync job; returns the states given."""
        shop = self.env["shopify.shop"].with_context(active_test=False).browse(shop_id)
        sync_jobs = self.env["shopify.sync.job"]
        self.env.cr.execute(
            """
            SELECT id, topic, resource_type, resource_id FROM shopify_webhook_delivery
             WHERE id IN %s AND state = 'received'
             ORDER BY id FOR UPDATE
            """,
            (tuple(ids),),
        )
        states = Counter()
        for delivery_id, topic, resource_type, resource_id in self.env.cr.fetchall():
            if topic in ECHO_TOPICS and self.env["shopify.echo"]._consume_key(shop, topic, resource_id):
                self._set_dispatched(delivery_id, "ignored", note="Echo of a write made by this addon.")
                states["ignored"] += 1
                continue
            if shop._rollout_mode(resource_type) == "off":  # rollout switch off: models/shopify_shop.py
                self._set_dispatched(delivery_id, "off", note="Held: this object's sync is switched off.")
                states["off"] += 1
                continue
            sync_job = sync_jobs._ensure(shop, resource_type, resource_id)
            queue_job_id, created = sync_jobs._enqueue_resource(
                shop.id, resource_type, resource_id, delivery_id=delivery_id
            )
            state = "queued" if created else "duplicate"
            self._set_dispatched(delivery_id, state, sync_job.id, queue_job_id)
            states[state] += 1
        return states

    def _set_dispatched(self, delivery_id, state, sync_job_id=None, queue_job_id=None, note=None):
        self.env.cr.execute(
            """
            UPDATE shopify_webhook_delivery
               SET state = %s, sync_job_id = %s, queue_job_id = %s, note = COALESCE(%s, note)
             WHERE id = %s
            """,
            (state, sync_job_id, queue_job_id, note, delivery_id),
        )

    # -- safety net ----------------------------------------------------------
    @api.model
    def _cron_dispatch_stragglers(self):
        """Wake a dispatcher for shops whose received deliveries wait for none."""
        self.flush_model(["state", "received_at"])
        self.env.cr.execute(
            "SELECT DISTINCT shop_id FROM shopify_webhook_delivery WHERE state = 'received' AND received_at < %s",
            (fields.Datetime.now() - STRAGGLER_AGE,),
        )
        woken = [shop_id for (shop_id,) in self.env.cr.fetchall() if self._wake_dispatcher(shop_id)]
        if woken:
            _logger.warning("Shopify: deliveries waited over %s with no dispatcher, shops %s", STRAGGLER_AGE, woken)
        return woken

    # -- retention ----------------------------------------------------------
    @api.model
    def _cron_purge(self):
        """Drop raw bodies, then whole deliveries, older than each shop's retention."""
        for shop in self.env["shopify.shop"].with_context(active_test=False).search([]):
            limit = fields.Datetime.now() - timedelta(days=shop.delivery_retention_days)
            old = self.search([("shop_id", "=", shop.id), ("received_at", "<", limit)])
            old.filtered(lambda d: d.state in ("done", "ignored", "duplicate")).unlink()
            (old.exists()).write({"raw_body": False})
