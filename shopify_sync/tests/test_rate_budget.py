import threading

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from shopify_simulator import ShopifySimulator

from ..services.errors import ThrottledError
from ..services.queries import LOCATIONS_QUERY, SHOP_QUERY
from ..services.rate_budget import MAX_WAIT, ShopBudget
from .common import API_VERSION, SECRET, TOKEN, ShopifyTransactionCase, drop_committed_shop


@tagged("post_install", "-at_install")
class TestBudgetArithmetic(ShopifyTransactionCase):
    """The row's draw, wait, refund and settle, on the test transaction."""

    def budget_row(self):
        self.env.invalidate_all()
        return self.env["shopify.rate.budget"].search([("shop_id", "=", self.shop.id)])

    def test_draws_queue_by_the_restore_rate_and_long_waits_give_back(self):
        slept = []
        budget = ShopBudget(self.env.registry, self.shop.id, sleep=slept.append)
        self.assertEqual(budget.draw(60), 0.0, "no row before Shopify's first answer: nothing drawn")
        budget.settle(0, 0, {"currentlyAvailable": 100, "maximumAvailable": 100, "restoreRate": 10})
        budget.draw(60)
        self.assertEqual(slept, [], "60 of 100 points: no wait")
        budget.draw(60)
        self.assertEqual(len(slept), 1)
        self.assertAlmostEqual(slept[0], 2.0, delta=0.1, msg="20 points short at 10 points/s")
        # Not assertRaises: it would roll back to a savepoint, and with it the budget's own commits.
        try:
            budget.draw(10 * MAX_WAIT + 100)
        except ThrottledError as err:
            self.assertGreater(err.retry_after, MAX_WAIT)
        else:
            self.fail("a wait over MAX_WAIT must be refused")
        row = self.budget_row()
        self.assertAlmostEqual(row.available, -20, delta=2, msg="the refused draw was given back")
        self.assertEqual((row.draws, row.waits), (3, 2))
        # Settling gives back what was not used, but never above Shopify's own figure.
        budget.settle(60, 10, {"currentlyAvailable": 5, "maximumAvailable": 100, "restoreRate": 10})
        self.assertAlmostEqual(self.budget_row().available, 5, delta=0.5)
        budget.settle(50, 0, {"currentlyAvailable": 100, "maximumAvailable": 100, "restoreRate": 10}, throttled=True)
        row = self.budget_row()
        self.assertAlmostEqual(row.available, 55, delta=1)
        self.assertEqual(row.throttled, 1)
        self.assertIn("1 throttled", self.shop.api_budget_summary)

    def test_http_429_is_counted_and_spends_nothing(self):
        with self.shop._graphql_client() as client:
            client.execute(SHOP_QUERY)  # the first answer creates the shop's row
            self.simulator.throttle_mode = "http429"
            self.simulator.throttle_next(1)
            try:
                client.execute(SHOP_QUERY)
            except ThrottledError as err:
                self.assertIn("HTTP 429", str(err))
            else:
                self.fail("the 429 must reach the job (which postpones it without using up an attempt)")
        row = self.budget_row()
        self.assertEqual((row.draws, row.throttled), (1, 1))
        self.assertAlmostEqual(row.available, row.maximum, delta=5, msg="the throttled draw was given back")
        self.assertIn("1 throttled by Shopify", self.shop.api_budget_summary)


@tagged("post_install", "-at_install")
class TestSharedBudget(TransactionCase):
    """Jobs of one shop, each on its own committed cursor, draw from one budget: they wait their turn."""

    def test_jobs_of_a_shop_share_the_bucket_at_a_low_restore_rate(self):
        dbname = self.env.cr.dbname
        domain = "budget-race.myshopify.com"
        simulator = ShopifySimulator(
            shop_domain=domain,
            access_token=TOKEN,
            client_secret=SECRET,
            api_version=API_VERSION,
            bucket_size=300,
            restore_rate=100,
        ).start()
        self.addCleanup(simulator.stop)
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": "Budget race",
                    "domain": domain,
                    "base_url": simulator.base_url,
                    "api_version": API_VERSION,
                    "new_access_token": TOKEN,
                    "new_client_secret": SECRET,
                }
            )
            shop_id = shop.id
        self.addCleanup(drop_committed_shop, dbname, shop_id)
        errors = []

        def job(calls):
            try:
                with db_connect(dbname).cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    with env["shopify.shop"].browse(shop_id)._graphql_client() as client:
                        for _call in range(calls):
                            client.execute(LOCATIONS_QUERY, {"first": 100})  # 102 points requested
            except Exception as err:  # noqa: BLE001 - reported by the assertion below
                errors.append(err)

        job(2)  # Shopify's first answers tell the shop's bucket (300 points, 100 points/s)
        # Each answer comes a second late: the six jobs draw 6 x 102 points before any gives back.
        simulator.slow_next(6, 1.0, operation="Locations")
        threads = [threading.Thread(target=job, args=(2,)) for _i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        calls = [c for c in simulator.calls if c["operation"] == "Locations"]
        self.assertEqual(len(calls), 14)
        self.assertEqual([c for c in calls if c.get("throttled")], [], "no job discovered THROTTLED")
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT draws, waits, wait_seconds, throttled, maximum, restore_rate FROM shopify_rate_budget "
                "WHERE shop_id = %s",
                (shop_id,),
            )
            draws, waits, wait_seconds, throttled, maximum, rate = cr.fetchone()
        self.assertEqual((maximum, rate, throttled), (300, 100, 0))
        self.assertGreaterEqual(draws, 13)
        self.assertGreaterEqual(waits, 3, "the 4th, 5th and 6th jobs waited for the bucket")
        self.assertGreater(wait_seconds, 0.5)
