import json
import uuid
from unittest.mock import patch

from odoo import Command
from odoo.modules.module import load_script
from odoo.tests import tagged

from ..models import shopify_webhook_delivery
from .common import SECRET, ShopifyHttpCase

ORDER = {"id": 820982911946154508, "name": "#9999", "email": "jon@example.com", "total_price": "10.00"}


@tagged("post_install", "-at_install")
class TestWebhookIntake(ShopifyHttpCase):
    def test_bad_inputs_get_exact_statuses(self):
        cases = [
            ("no hmac", dict(headers={"X-Shopify-Hmac-Sha256": None}), 401),
            ("bad hmac", dict(secret="wrong"), 401),
            ("no topic", dict(headers={"X-Shopify-Topic": None}), 400),
            ("no event id", dict(headers={"X-Shopify-Event-Id": None}), 400),
            ("no webhook id", dict(headers={"X-Shopify-Webhook-Id": None}), 400),
            ("no shop", dict(headers={"X-Shopify-Shop-Domain": None}), 400),
            ("unknown shop", dict(headers={"X-Shopify-Shop-Domain": "other.myshopify.com"}), 401),
            ("not json", dict(raw=b"{not json"), 400),
            ("json array", dict(raw=b"[1, 2]"), 400),
            ("order without id", dict(raw=json.dumps({"name": "#1"}).encode()), 400),
            ("id not 64-bit", dict(raw=b'{"id": 123456789012345678901234567890}'), 400),
            ("id float", dict(raw=b'{"id": 1e309}'), 400),
            ("NUL in shop domain", dict(headers={"X-Shopify-Shop-Domain": "a\x00.myshopify.com"}), 400),
            ("NUL in event id", dict(headers={"X-Shopify-Event-Id": "ab\x00c"}), 400),
            ("raw NUL in body", dict(raw=b'{"id": 1, "note": "a\x00b"}'), 400),
            ("UTF-16 body", dict(raw=json.dumps(ORDER).encode("utf-16")), 400),
            (
                "nesting deeper than the parser goes",
                dict(raw=b'{"id": 1, "x": ' + b"[" * 100000 + b"]" * 100000 + b"}"),
                400,
            ),
        ]
        for label, kwargs, status in cases:
            with self.subTest(label):
                response = self.post_webhook("orders/create", ORDER, **kwargs)
                self.assertEqual(response.status_code, status, f"{label}: {response.text}")
        self.assertFalse(self.deliveries(), "no bad request is recorded")

    def test_body_over_cap_is_413(self):
        self.shop.webhook_max_bytes = 1024
        big = dict(ORDER, note="x" * 2000)
        self.assertEqual(self.post_webhook("orders/create", big).status_code, 413)

    def test_sync_disabled_shop_is_503_so_shopify_retries(self):
        self.shop.sync_enabled = False
        self.assertEqual(self.post_webhook("orders/create", ORDER).status_code, 503)

    def test_accepted_delivery_is_recorded_with_one_job(self):
        response = self.post_webhook("orders/create", ORDER)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["message"], "received")
        delivery = self.deliveries()
        self.assertEqual(len(delivery), 1)
        self.assertEqual(
            (delivery.topic, delivery.resource_type, delivery.resource_id), ("orders/create", "order", str(ORDER["id"]))
        )
        # The request only records the delivery and wakes the shop's dispatcher.
        self.assertEqual(delivery.state, "received")
        self.assertFalse(self.shopify_jobs())
        dispatcher = self.dispatcher_jobs()
        self.assertEqual(len(dispatcher), 1)
        self.assertEqual((dispatcher.channel, dispatcher.args), ("root.shopify.dispatch", [self.shop.id]))
        self.assertEqual(self.dispatch(), [(dispatcher.uuid, "done")])
        self.assertEqual(dispatcher.result, "1 queued")
        delivery.invalidate_recordset()
        self.assertEqual(delivery.state, "queued")
        job = self.shopify_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual(job.identity_key, f"shopify_sync:{self.shop.id}:order:{ORDER['id']}")
        self.assertEqual(job.channel, "root.shopify.order")
        self.assertEqual(job.args, [self.shop.id, "order", str(ORDER["id"]), delivery.id], "ids only")
        self.assertEqual(delivery.queue_job_id, job)
        self.assertEqual(delivery.sync_job_id.identity_key, job.identity_key)

    def test_one_waiting_dispatcher_serves_many_deliveries(self):
        for offset in range(3):
            self.post_webhook("orders/create", dict(ORDER, id=ORDER["id"] + offset))
        self.assertEqual(len(self.dispatcher_jobs()), 1, "a waiting dispatcher is reused, not enqueued again")
        self.dispatch()
        self.assertEqual(sorted(self.deliveries().mapped("state")), ["queued"] * 3)
        self.assertEqual(len(self.shopify_jobs()), 3)
        self.assertFalse(self.dispatcher_jobs())
        # a dispatcher that has run is never reused: the next delivery wakes a new one
        self.post_webhook("orders/create", dict(ORDER, id=ORDER["id"] + 3))
        self.assertEqual(len(self.dispatcher_jobs()), 1)

    def test_dispatcher_out_of_time_hands_over_to_a_successor(self):
        self.post_webhook("orders/create", ORDER)
        first = self.dispatcher_jobs()
        with patch.object(shopify_webhook_delivery, "DISPATCH_SECONDS", -1):
            self.dispatch()
        self.assertEqual(first.result, "1 left to a successor dispatcher")
        self.assertEqual(self.deliveries().state, "received", "nothing lost: still waiting")
        successor = self.dispatcher_jobs()
        self.assertEqual(len(successor), 1)
        self.assertNotEqual(successor, first)
        self.dispatch()
        self.assertEqual(self.deliveries().state, "queued")

    def test_same_event_new_webhook_id_is_one_job(self):
        event = str(uuid.uuid4())
        for _copy in range(3):
            response = self.post_webhook("orders/create", ORDER, headers={"X-Shopify-Event-Id": event})
            self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["message"], "duplicate")
        delivery = self.deliveries()
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.receipt_count, 3)
        self.dispatch()
        self.assertEqual(len(self.shopify_jobs()), 1)

    def test_concurrent_copies_one_record_one_job(self):
        event = str(uuid.uuid4())
        results = self.send_with("send_concurrent", "orders/create", ORDER, copies=20, event_id=event)
        self.assertEqual(sorted({r.status_code for r in results}), [200])
        delivery = self.deliveries()
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.receipt_count, 20)
        self.assertEqual(len(self.dispatcher_jobs()), 1)
        self.dispatch()
        self.assertEqual(len(self.shopify_jobs()), 1)

    def test_door_function_is_made_again_by_an_upgrade(self):
        # An upgrade runs init(): the webhook door's function is replaced by this version's body.
        self.env.cr.execute("DROP FUNCTION shopify_webhook_door")
        self.env["shopify.webhook.delivery"].init()
        event = str(uuid.uuid4())
        for _copy in range(2):
            response = self.post_webhook("orders/create", ORDER, headers={"X-Shopify-Event-Id": event})
            self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["message"], "duplicate")
        self.assertEqual(self.deliveries().receipt_count, 2)
        self.assertEqual(len(self.dispatcher_jobs()), 1)

    def test_the_upgrade_drops_the_delivery_indexes_of_earlier_versions(self):
        self.env.cr.execute("CREATE INDEX shopify_webhook_delivery__topic_index ON shopify_webhook_delivery (topic)")
        pre = load_script("shopify_sync/migrations/19.0.2.2.0/pre-migration.py", "shopify_sync_pre_19_0_2_2_0")
        pre.migrate(self.env.cr, "19.0.2.1.0")
        self.env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'shopify_webhook_delivery__topic_index'")
        self.assertFalse(self.env.cr.fetchall())

    def test_two_events_same_order_one_pending_job(self):
        self.post_webhook("orders/create", ORDER)
        self.post_webhook("orders/updated", ORDER)
        self.dispatch()
        deliveries = self.deliveries()
        self.assertEqual(len(deliveries), 2)
        self.assertEqual(sorted(deliveries.mapped("state")), ["duplicate", "queued"])
        self.assertEqual(len(self.shopify_jobs()), 1)
        self.assertEqual(len(deliveries.sync_job_id), 1)

    def test_event_after_job_started_gets_its_own_job(self):
        """A started job may hold data older than the event: it never absorbs it (OCA/queue#66)."""
        self.post_webhook("orders/create", ORDER)
        self.dispatch()
        first = self.shopify_jobs()
        first.state = "started"
        self.post_webhook("orders/updated", ORDER)
        self.dispatch()
        second = self.shopify_jobs()
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second, first)
        self.assertEqual(second.identity_key, first.identity_key)

    def test_raw_body_kept_only_when_the_shop_says_so(self):
        self.assertFalse(self.shop.keep_raw_body, "webhook bodies hold customer data: not kept by default")
        self.post_webhook("orders/create", ORDER)
        self.assertFalse(self.deliveries().raw_body)
        self.shop.keep_raw_body = True
        self.post_webhook("orders/updated", ORDER)
        kept = self.deliveries().filtered(lambda d: d.topic == "orders/updated")
        self.assertEqual(json.loads(kept.raw_body), ORDER)

    def test_unknown_topic_is_ignored(self):
        response = self.post_webhook("carts/create", {"id": 1})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.deliveries().state, "ignored")
        self.assertFalse(self.dispatcher_jobs(), "nothing to dispatch")
        self.assertFalse(self.shopify_jobs())

    def test_stragglers_get_a_dispatcher(self):
        """Deliveries left received with no dispatcher (a failed one, a restore) are picked up by the cron."""
        self.post_webhook("orders/create", ORDER)
        self.dispatcher_jobs().unlink()
        deliveries = self.env["shopify.webhook.delivery"]
        self.assertFalse(deliveries._cron_dispatch_stragglers(), "too recent to be a straggler")
        self.deliveries().sudo().write({"received_at": "2000-01-01 00:00:00"})
        self.assertEqual(deliveries._cron_dispatch_stragglers(), [self.shop.id])
        self.dispatch()
        self.assertEqual(self.deliveries().state, "queued")
        self.assertEqual(len(self.shopify_jobs()), 1)

    def test_secret_rotation(self):
        self.shop.new_client_secret = "whsec_rotated"
        self.assertEqual(self.post_webhook("orders/create", ORDER, secret="whsec_rotated").status_code, 200)
        self.assertEqual(
            self.post_webhook("orders/updated", ORDER, secret=SECRET).status_code,
            200,
            "the previous secret still works during the rotation window",
        )
        self.shop.sudo().previous_secret_valid_until = "2000-01-01 00:00:00"
        self.assertEqual(self.post_webhook("orders/paid", ORDER, secret=SECRET).status_code, 401)

    def test_sender_signs_like_shopify(self):
        response = self.send_with("send", "customers/create", {"id": 706405506930370084, "email": "bob@example.com"})
        self.assertEqual(response.status_code, 200, response.error)
        self.assertEqual(self.deliveries().resource_type, "customer")

    def test_privacy_topics(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Ana Privacy",
                "email": "ana@example.com",
                "street": "1 Main St",
            }
        )
        self.bind("customer", "1111", partner)
        payload = {
            "shop_id": 1,
            "shop_domain": self.shop.domain,
            "customer": {"id": 1111, "email": "ana@example.com"},
            "orders_to_redact": [],
        }
        for wrong in (5, "x", True, None, [1111]):
            with self.subTest(customer=wrong):
                self.assertEqual(self.post_webhook("customers/redact", dict(payload, customer=wrong)).status_code, 400)
        self.assertEqual(self.post_webhook("customers/data_request", payload).status_code, 200)
        self.perform_jobs()
        activities = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertTrue(activities.filtered(lambda a: "data request" in (a.summary or "").lower()))
        self.assertEqual(self.post_webhook("customers/redact", payload).status_code, 200)
        self.perform_jobs()
        self.assertEqual(partner.with_context(active_test=False).name, "Redacted customer 1111")
        self.assertFalse(partner.email)
        self.assertFalse(partner.street)
        self.assertFalse(partner.shopify_binding_ids, "the store's binding is removed")

    def test_redact_kept_when_accounting_documents_exist(self):
        partner = self.env["res.partner"].create({"name": "Kept Customer"})
        self.bind("customer", "2222", partner)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [Command.create({"name": "Item", "quantity": 1, "price_unit": 10.0})],
            }
        )
        invoice.action_post()
        payload = {"shop_id": 1, "customer": {"id": 2222}, "orders_to_redact": []}
        self.post_webhook("customers/redact", payload)
        self.perform_jobs()
        self.assertEqual(partner.name, "Kept Customer")
        job = self.sync_job("customer_redact", "2222")
        self.assertEqual((job.state, job.category, job.needs_action), ("failed", "data_conflict", True))
        self.assertTrue(job.problem_activity_id)

    def test_app_uninstalled_disables_sync(self):
        self.post_webhook("app/uninstalled", {"id": 1, "domain": self.shop.domain})
        self.perform_jobs()
        self.assertFalse(self.shop.sync_enabled)
        self.assertTrue(self.shop.activity_ids)
        self.assertEqual(self.post_webhook("orders/create", ORDER).status_code, 503)
        # reinstalled and sync enabled again: the activity's problem is solved, it is done
        self.shop.sync_enabled = True
        self.assertFalse(self.shop.activity_ids, "no activity is left open once its problem is solved")
