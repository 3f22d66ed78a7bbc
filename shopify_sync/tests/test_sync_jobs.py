import json
import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError

from ..services.queries import METAFIELDS_SET
from .common import API_VERSION, SECRET, TOKEN, ShopifyHttpCase, ShopifyTransactionCase, drop_committed_shop


def orders_of(env, shop, shopify_id):
    return env["shopify.order.binding"]._record(shop, shopify_id)


@tagged("post_install", "-at_install")
class TestOrderSync(ShopifyTransactionCase):
    def _set_odoo_metafield(self, order_id, value):
        """Write the order's odoo.sale_order metafield in the simulator, as a restored database left it."""
        metafield = {
            "ownerId": f"gid://shopify/Order/{order_id}",
            "namespace": "odoo",
            "key": "sale_order",
            "type": "json",
            "value": json.dumps(value),
        }
        with self.shop._graphql_client() as client:
            client.mutate(METAFIELDS_SET, {"metafields": [metafield]}, "metafieldsSet")

    def test_order_created_with_customer_products_taxes(self):
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        order = orders_of(self.env, self.shop, seeded["id"])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale", "confirm policy on_create")
        self.assertEqual(order.shopify_binding_ids.shopify_name, seeded["name"])
        self.assertEqual(self.orders_named(seeded["name"]), order)
        self.assertAlmostEqual(order.amount_total, float(seeded["total_price"]), places=2)
        self.assertEqual(order.partner_id, self.bound("customer", seeded["customer"]["id"]))
        product_lines = order.order_line.filtered(lambda line: line.product_id.shopify_binding_ids)
        self.assertEqual(len(product_lines), len(seeded["line_items"]))
        self.assertEqual(product_lines.tax_ids, self.tax)
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.state, job.outcome, job.res_id), ("done", "created", order.id))
        self.assertEqual(self.waiting_links().order_id, order)
        self.flush_order_links()
        self.assertFalse(self.waiting_links())
        metafields = self.metafield_writes(seeded["id"])
        self.assertEqual(len(metafields), 1)
        value = json.loads(metafields[0]["variables"]["metafields"][0]["value"])
        self.assertEqual((value["id"], value["name"]), (order.id, order.name))

    def test_second_run_skips_and_stale_is_skipped(self):
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.assertEqual(len(orders_of(self.env, self.shop, seeded["id"])), 1)
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.outcome, job.category, job.needs_action), ("skipped", "stale", False))

    def test_update_applied_when_newer(self):
        self.shop.confirm_policy = "never"
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        changed = dict(seeded, note="Leave at the door")
        self.simulator.seed_order(changed)
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        order = orders_of(self.env, self.shop, seeded["id"])
        self.assertEqual(len(order), 1)
        self.assertEqual(self.sync_job("order", seeded["id"]).outcome, "updated")

    def test_lines_changed_after_confirmation_are_protected(self):
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        order = orders_of(self.env, self.shop, seeded["id"])
        self.assertEqual(order.state, "sale")
        quantities = order.order_line.mapped("product_uom_qty")
        edited = dict(seeded)
        edited["line_items"] = [dict(line, quantity=line["quantity"] + 1) for line in seeded["line_items"]]
        edited["total_price"] = self.simulator.recompute_total(edited)
        self.simulator.seed_order(edited)
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.assertEqual(order.order_line.mapped("product_uom_qty"), quantities, "confirmed lines kept")
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.outcome, job.category, job.needs_action), ("updated", "protected_field", True))
        self.assertEqual(job.problem_activity_id.res_model, "sale.order")
        self.assertEqual(job.problem_activity_id.res_id, order.id)

    def test_link_by_metafield_instead_of_creating(self):
        seeded = self.seed_order()
        partner = self.env["res.partner"].create({"name": "Restored"})
        existing = self.env["sale.order"].create({"partner_id": partner.id})
        value = {
            "id": existing.id,
            "name": existing.name,
            "database": self.env["ir.config_parameter"].get_param("database.uuid"),
        }
        self._set_odoo_metafield(seeded["id"], value)
        count = self.env["sale.order"].search_count([])
        self.sync("order", seeded["id"])
        self.assertEqual(self.env["sale.order"].search_count([]), count, "linked, not created")
        self.assertEqual(self.bound("order", seeded["id"]), existing)
        self.assertEqual(self.sync_job("order", seeded["id"]).outcome, "linked")

    def test_metafield_of_another_database_is_ignored(self):
        seeded = self.seed_order()
        existing = self.env["sale.order"].create({"partner_id": self.env["res.partner"].create({"name": "X"}).id})
        value = {"id": existing.id, "name": existing.name, "database": "another-db"}
        self._set_odoo_metafield(seeded["id"], value)
        self.sync("order", seeded["id"])
        self.assertFalse(existing.shopify_binding_ids)
        self.assertEqual(self.sync_job("order", seeded["id"]).outcome, "created")

    def test_guest_checkout_reuses_partner_by_email(self):
        first = self.seed_order(customer=None, email="Guest@Example.com")
        second = self.seed_order(customer=None, email="guest@example.com", seed=7)
        self.sync("order", first["id"])
        self.sync("order", second["id"])
        partners = (
            orders_of(self.env, self.shop, first["id"]) | orders_of(self.env, self.shop, second["id"])
        ).partner_id
        self.assertEqual(len(partners), 1)
        self.assertEqual(partners.shopify_binding_ids.shopify_id, "guest:guest@example.com")

    def test_unmapped_tax_is_a_mapping_failure(self):
        self.env["shopify.tax.mapping"].search([("shop_id", "=", self.shop.id)]).unlink()
        seeded = self.seed_order()
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual((job.state, job.category), ("failed", "mapping"))
        self.assertIn("6% (excluded)", job.message)
        self.assertFalse(orders_of(self.env, self.shop, seeded["id"]), "nothing half-written")

    def test_total_mismatch_fails_with_both_amounts(self):
        seeded = self.seed_order()
        wrong_total = f"{float(seeded['total_price']) + 5:.2f}"
        self.simulator.seed_order(dict(seeded, total_price=wrong_total))
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "data_conflict")
        self.assertRegex(job.message, rf"Odoo \d+\.\d\d USD, Shopify {wrong_total} USD")

    def test_small_difference_is_booked_on_rounding_line(self):
        seeded = self.seed_order()
        total = f"{float(seeded['total_price']) + 0.03:.2f}"
        self.simulator.seed_order(dict(seeded, total_price=total))
        self.sync("order", seeded["id"])
        order = orders_of(self.env, self.shop, seeded["id"])
        self.assertAlmostEqual(order.amount_total, float(total), places=2)
        self.assertTrue(order.order_line.filtered(lambda line: line.name == "Rounding"))

    def test_update_of_a_confirmed_order_with_a_rounding_line_is_no_line_change(self):
        # The Rounding line uses the built-in rounding product (the shop names none): an update
        # with the same Shopify lines must not read it as a changed line after confirmation.
        self.assertFalse(self.shop.rounding_product_id)
        seeded = self.seed_order()
        total = f"{float(seeded['total_price']) + 0.03:.2f}"
        self.simulator.seed_order(dict(seeded, total_price=total))
        self.sync("order", seeded["id"])
        order = orders_of(self.env, self.shop, seeded["id"])
        self.assertEqual(order.state, "sale")
        lines = order.order_line
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.outcome, job.needs_action), ("updated", False), job.message)
        self.assertNotEqual(job.category, "protected_field")
        self.assertEqual(order.order_line, lines)

    def test_cancelled_order_is_cancelled(self):
        self.shop.confirm_policy = "never"
        seeded = self.seed_order()
        self.sync("order", seeded["id"])
        self.simulator.seed_order(dict(seeded, cancelled_at="2026-11-25T12:00:00Z", cancel_reason="customer"))
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.assertEqual(orders_of(self.env, self.shop, seeded["id"]).state, "cancel")

    def test_deleted_order_is_a_visible_failure(self):
        seeded = self.seed_order()
        self.simulator.delete("order", seeded["id"])
        self.sync_fails("order", seeded["id"])
        self.assertEqual(self.sync_job("order", seeded["id"]).category, "data_conflict")


@tagged("post_install", "-at_install")
class TestJobsThroughQueue(ShopifyHttpCase):
    def test_duplicate_webhook_one_order(self):
        seeded = self.seed_order()
        payload = self.simulator.webhook_payload("orders/create", seeded["id"])
        self.post_webhook("orders/create", payload)
        self.post_webhook("orders/create", payload)
        self.post_webhook("orders/updated", payload)
        self.perform_jobs()
        self.assertEqual(len(orders_of(self.env, self.shop, seeded["id"])), 1)
        self.assertEqual(set(self.deliveries().mapped("state")), {"done"})

    def test_timeout_after_work_then_retry_makes_no_second_order(self):
        """The order job runs again after its commit (its answer lost), then the batched link write times
        out after Shopify applied it and is retried: one order, one link waiting, written (twice, same value)."""
        seeded = self.seed_order()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.dispatch()
        order_job = self.shopify_jobs().filtered(lambda job: ":order:" in job.identity_key)
        self.assertEqual(self._perform_one(order_job.uuid), "done")
        self.simulator.touch("order", seeded["id"])  # a newer version: the rerun is not skipped as stale
        order_job.write({"state": "pending"})
        self.assertEqual(self._perform_one(order_job.uuid), "done")
        order = orders_of(self.env, self.shop, seeded["id"])
        self.assertEqual(len(order), 1)
        self.assertEqual(self.sync_job("order", seeded["id"]).outcome, "updated")
        self.assertEqual(self.waiting_links().order_id, order, "one link waiting, not two")
        self.assertFalse(self.metafield_writes(seeded["id"]), "the link waits for the flush job")
        self.shop.api_timeout = 1
        # Odoo's test harness raises request timeouts below 10 s to 10 s
        self.simulator.slow_next(1, 11.0, operation="SetMetafields")
        outcomes = [outcome for _uuid, outcome in self.perform_jobs()]
        self.assertEqual(outcomes, ["retry", "done"], "the flush timed out (temporary), then succeeded")
        self.assertEqual(len(orders_of(self.env, self.shop, seeded["id"])), 1)
        self.assertFalse(self.waiting_links())
        writes = self.metafield_writes(seeded["id"])
        self.assertEqual(len(writes), 2, "the slow write was applied too")
        values = {json.loads(w["variables"]["metafields"][0]["value"])["id"] for w in writes}
        self.assertEqual(values, {order.id})
        # The link works: with the binding gone, the order is linked, not created again.
        order.shopify_binding_ids.unlink()
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.assertEqual(self.sync_job("order", seeded["id"]).outcome, "linked")
        self.assertEqual(self.orders_named(seeded["name"]), order)

    def test_links_of_many_orders_are_batched_25_a_call(self):
        seeded = [self.seed_order(seed=700 + n) for n in range(27)]
        for order in seeded:
            self.sync("order", order["id"])
        self.assertEqual(len(self.waiting_links()), 27)
        self.assertEqual(len(self.shopify_jobs().filtered(lambda job: ":order_links:" in job.identity_key)), 1)
        before = len(self.simulator.mutations_named("metafieldsSet"))
        self.perform_jobs()
        calls = self.simulator.mutations_named("metafieldsSet")[before:]
        self.assertEqual(sorted(len(c["variables"]["metafields"]) for c in calls), [2, 25])
        self.assertFalse(self.waiting_links())
        for order in seeded:
            self.assertEqual(len(self.metafield_writes(order["id"])), 1)

    def test_link_of_an_order_deleted_in_shopify_is_dropped_the_others_sent(self):
        kept, gone = self.seed_order(), self.seed_order(seed=41)
        self.sync("order", kept["id"])
        self.sync("order", gone["id"])
        self.simulator.delete("order", gone["id"])
        applied_before = len(self.simulator.mutations_named("metafieldsSet", applied=True))
        self.flush_order_links()
        self.assertFalse(self.waiting_links(), "nothing left to block the next batches")
        self.assertEqual(len(self.metafield_writes(kept["id"])), 2, "refused with the batch, then sent alone")
        applied = len(self.simulator.mutations_named("metafieldsSet", applied=True)) - applied_before
        self.assertEqual(applied, 1, "Shopify applies a batch whole or not at all")
        job = self.sync_job("order_links", "outbox")
        self.assertEqual(job.state, "done")
        self.assertIn("Refused by Shopify", job.outcome_note)
        self.assertIn(str(gone["id"]), job.outcome_note)
        self.assertEqual(len(self.metafield_writes(gone["id"])), 1)

    def test_5xx_and_429_retried_then_success(self):
        seeded = self.seed_order()
        self.simulator.fail_next(2, status=502)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        performed = self.perform_jobs()
        self.assertEqual(self.outcomes_of(performed, "order"), ["retry", "retry", "done"])
        self.assertEqual(self.outcomes_of(performed, "order_links"), ["done"], "the order link, batched")
        self.simulator.throttle_mode = "http429"
        self.simulator.throttle_next(1)
        self.simulator.touch("order", seeded["id"])
        self.post_webhook("orders/updated", self.simulator.webhook_payload("orders/updated", seeded["id"]))
        outcomes = [outcome for _uuid, outcome in self.perform_jobs()]
        self.assertEqual(outcomes, ["retry", "done"])
        self.assertEqual(len(orders_of(self.env, self.shop, seeded["id"])), 1)
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.state, job.failure_count), ("done", 3))

    def test_401_fails_at_once_without_retries(self):
        seeded = self.seed_order()
        self.simulator.revoke_token()
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        outcomes = [outcome for _uuid, outcome in self.perform_jobs()]
        self.assertEqual(outcomes, ["failed"])
        job = self.sync_job("order", seeded["id"])
        self.assertEqual((job.category, job.attempt_count, job.needs_action), ("configuration", 1, True))
        self.assertIn("401", job.message)
        self.assertEqual(self.deliveries().state, "failed")


@tagged("post_install", "-at_install")
class TestConcurrentJobs(TransactionCase):
    """Two jobs for one order at once, each on its own committed cursor."""

    def test_two_jobs_one_order(self):
        from shopify_simulator import ShopifySimulator

        dbname = self.env.cr.dbname
        simulator = ShopifySimulator(
            shop_domain="race-shop.myshopify.com", access_token=TOKEN, client_secret=SECRET, api_version=API_VERSION
        ).start()
        self.addCleanup(simulator.stop)
        seeded = simulator.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": "Race",
                    "domain": "race-shop.myshopify.com",
                    "base_url": simulator.base_url,
                    "new_access_token": TOKEN,
                    "new_client_secret": SECRET,
                    "api_version": API_VERSION,
                }
            )
            env["shopify.tax.mapping"].create(
                {
                    "shop_id": shop.id,
                    "rate": 0.06,
                    "tax_id": env["account.tax"]
                    .create({"name": f"Race 6% {uuid.uuid4().hex[:6]}", "amount": 6.0, "type_tax_use": "sale"})
                    .id,
                }
            )
            shop_id = shop.id
            env["shopify.sync.job"]._ensure(shop, "order", str(seeded["id"]))  # as the webhook door does
        self.addCleanup(self._cleanup, dbname, shop_id)
        simulator.slow_next(1, 1.0)  # the first job holds the lock while Shopify answers
        outcomes = []

        def run():
            with db_connect(dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                try:
                    outcomes.append(env["shopify.sync.job"].run_sync(shop_id, "order", str(seeded["id"])))
                except RetryableJobError as err:
                    cr.rollback()
                    outcomes.append(f"retry: {err}")

        threads = [threading.Thread(target=run) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(len([o for o in outcomes if o.startswith("retry")]), 1, outcomes)
        run()  # the retried job, after the first committed
        with db_connect(dbname).cursor() as cr:
            cr.execute("SELECT count(*) FROM sale_order WHERE client_order_ref = %s", (seeded["name"],))
            self.assertEqual(cr.fetchone()[0], 1)
        self.assertTrue(outcomes[-1].startswith("skipped"), outcomes)

    @staticmethod
    def _cleanup(dbname, shop_id):
        drop_committed_shop(dbname, shop_id)
