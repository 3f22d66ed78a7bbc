"""The duplicate self-test and the awkward case of the readiness check.

Self-test: one recent real event of the shop is sent again, twice at the same
moment, through the webhook door (signed like Shopify signs it, with a new
event id shared by both copies); then its resource is synced at once. It
passes when the door kept one delivery for the two copies and nothing new
was created in Odoo.
"""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..services.db import independent_env
from ..services.errors import SyncError
from ..services.labels import local_time
from ..services.topics import TOPIC_RESOURCES, payload_with
from ..services.webhook_auth import compute_hmac

BINDING_MODELS = (
    "shopify.partner.binding",
    "shopify.product.binding",
    "shopify.variant.binding",
    "shopify.order.binding",
    "shopify.fulfillment.binding",
    "shopify.refund.binding",
)
RECORD_MODELS = ("res.partner", "product.product", "sale.order", "stock.picking", "account.move")


class ShopifySelftest(models.AbstractModel):
    """The self-test's work; its result (when, passed, what happened) is kept on the shop."""

    _name = "shopify.selftest"
    _description = "Shopify duplicate self-test"

    @api.model
    def _run(self, shop):
        """Replay one recent event of ``shop`` twice, concurrently, through the door; record the result on it."""
        shop.ensure_one()
        if not (shop.active and shop.sync_enabled):
            raise UserError(self.env._("Sync is off for %s: the self-test sent nothing.", shop.name))
        delivery = self._event(shop)
        if not delivery:
            raise UserError(
                self.env._(
                    "%s has no recent event of an object that is switched on: the self-test sent nothing.", shop.name
                )
            )
        before = self._counts()
        event_id = f"selftest-{uuid.uuid4()}"
        statuses = self._send(shop, delivery, event_id)
        # The door committed in its own transactions: read them on a READ COMMITTED cursor.
        with independent_env(self.env) as env:
            copies = env["shopify.webhook.delivery"].search([("shop_id", "=", shop.id), ("event_id", "=", event_id)])
            copies = [(copy.receipt_count, copy.state) for copy in copies]
        self.env.invalidate_all()
        outcome = self._sync(shop, delivery)
        after = self._counts()
        created = {model: after[model] - before[model] for model in before if after[model] != before[model]}
        ok = statuses == [200, 200] and len(copies) == 1 and copies[0][0] == 2 and not created
        note = self.env._(
            "%(topic)s %(resource)s sent twice at once: answers %(statuses)s, %(copies)s delivery recorded "
            "(%(receipts)s receipts), sync: %(outcome)s; new records: %(created)s.",
            topic=delivery.topic,
            resource=delivery.resource_id,
            statuses=statuses,
            copies=len(copies),
            receipts=sum(receipts for receipts, _state in copies),
            outcome=outcome,
            created=", ".join(f"{model} +{count}" for model, count in created.items()) or self.env._("none"),
        )
        shop.write({"selftest_at": fields.Datetime.now(), "selftest_ok": ok, "selftest_note": note})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Duplicate self-test"),
                "message": note,
                "type": "success" if ok else "danger",
                "sticky": not ok,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _event(self, shop):
        """The newest event of the shop already synced, for an object that is switched to automatic."""
        deliveries = self.env["shopify.webhook.delivery"].search(
            [("shop_id", "=", shop.id), ("state", "=", "done"), ("topic", "in", list(TOPIC_RESOURCES))],
            order="id desc",
            limit=50,
        )
        return deliveries.filtered(
            lambda d: TOPIC_RESOURCES[d.topic][1] and shop._rollout_mode(d.resource_type) == "automatic"
        )[:1]

    @api.model
    def _counts(self):
        counts = {}
        for model in BINDING_MODELS + RECORD_MODELS:
            self.env[model].flush_model()
            counts[model] = self.env[model].sudo().with_context(active_test=False).search_count([])
        return counts

    @api.model
    def _send(self, shop, delivery, event_id):
        """POST the event twice at once to the webhook door; the HTTP status of each copy."""
        key = TOPIC_RESOURCES[delivery.topic][1]
        resource_id = int(delivery.resource_id) if delivery.resource_id.isdigit() else delivery.resource_id
        body = json.dumps({**payload_with(key, resource_id), "selftest": True}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": delivery.topic,
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Webhook-Id": event_id,
            "X-Shopify-Triggered-At": fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "X-Shopify-API-Version": shop.api_version,
            "X-Shopify-Hmac-Sha256": compute_hmac(shop.sudo().client_secret or "", body),
        }
        url = shop.webhook_url
        self.env.flush_all()

        def post(_copy):
            try:
                return requests.post(url, data=body, headers=headers, timeout=20).status_code
            except requests.RequestException:
                return None

        with ThreadPoolExecutor(max_workers=2) as pool:
            return sorted(pool.map(post, range(2)), key=lambda status: status or 0)

    @api.model
    def _sync(self, shop, delivery):
        """Sync the event's resource now, as its job would; its summary."""
        try:
            return self.env["shopify.sync.job"].sudo().run_sync(shop.id, delivery.resource_type, delivery.resource_id)
        except (SyncError, UserError) as err:
            return str(err)
        except Exception as err:  # noqa: BLE001 - the self-test reports, it does not crash
            return f"{type(err).__name__}: {err}"

    # -- readiness lines (shopify_readiness.py) and the team note ----------------------
    @api.model
    def _ready(self, shop):
        fix = {
            "type": "ir.actions.act_window",
            "res_model": "shopify.shop",
            "res_id": shop.id,
            "view_mode": "form",
            "views": [[False, "form"]],
        }
        if not shop.selftest_at:
            return "red", self.env._("Never run: press “Run duplicate self-test” on the Go-live tab."), fix
        when = local_time(self.env, shop.selftest_at)
        if not shop.selftest_ok:
            return "red", self.env._("Failed on %(when)s: %(note)s", when=when, note=shop.selftest_note), fix
        return "green", self.env._("Passed on %(when)s: %(note)s", when=when, note=shop.selftest_note), None

    @api.model
    def _awkward_case(self, shop):
        """The newest sync job that failed, then succeeded on a retry (from the sync-job history)."""
        jobs = self.env["shopify.sync.job"].search(
            [
                ("shop_id", "=", shop.id),
                ("failure_count", ">", 0),
                ("state", "=", "done"),
                ("last_success_at", "!=", False),
            ],
            order="last_success_at desc",
        )
        # Times are to the second: a retry within the second of its failure counts too.
        return jobs.filtered(lambda job: job.last_failed_at and job.last_success_at >= job.last_failed_at)[:1]

    @api.model
    def _ready_awkward(self, shop):
        job = self._awkward_case(shop)
        if not job:
            fix = {
                "type": "ir.actions.act_window",
                "name": self.env._("Failed sync jobs"),
                "res_model": "shopify.sync.job",
                "view_mode": "list,form",
                "views": [[False, "list"], [False, "form"]],
                "domain": [("shop_id", "=", shop.id), ("state", "=", "failed")],
            }
            return (
                "red",
                self.env._(
                    "No failure was fixed and retried yet: raise one on purpose (e.g. an unmapped SKU), fix it, retry."
                ),
                fix,
            )
        return (
            "green",
            self.env._(
                "%(job)s failed on %(failed)s, was fixed and retried: %(category)s on %(done)s.",
                job=job.name,
                failed=local_time(self.env, job.last_failed_at),
                category=job.outcome or "-",
                done=local_time(self.env, job.last_success_at),
            ),
            None,
        )
