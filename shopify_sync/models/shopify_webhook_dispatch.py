"""From recorded deliveries to sync jobs, off the request path.

The webhook door only records a delivery ("received") and makes sure one
dispatcher job waits for the shop. The dispatcher reads the received
deliveries in batches and gives each resource its sync job, with the same
identity rules as before: one waiting job per resource, a started job never
absorbs a new event. A cron wakes a dispatcher for deliveries left behind
(a dispatcher that failed, or a database restored from a backup).
"""

import logging
import time
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..services.db import independent_env
from ..services.identity import (
    DISPATCHER_WAITING_SQL,
    dispatch_identity_key,
    dispatch_params,
    hold_dispatch_exclusive,
    hold_dispatch_shared,
    try_lock_dispatcher,
)

_logger = logging.getLogger(__name__)

DISPATCH_BATCH = 25
DISPATCH_SECONDS = 30
DISPATCH_CHANNEL = const.CHANNEL_DISPATCH
DISPATCH_PRIORITY = 5
STRAGGLER_AGE = timedelta(minutes=2)
ECHO_TOPICS = ("fulfillments/create", "fulfillments/update", "products/create", "products/update")


class ShopifyWebhookDelivery(models.Model):
    _inherit = "shopify.webhook.delivery"

    # -- at the door ---------------------------------------------------------
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

    # -- the dispatcher job ----------------------------------------------------
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
