"""Two stores importing the same new SKU at the same moment make one Odoo product.

Each job runs on its own committed cursor, as two queue_job workers would.
"""

import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError

from shopify_simulator import ShopifySimulator, same_product_elsewhere

from .common import API_VERSION, SECRET, TOKEN, drop_committed_shop


@tagged("post_install", "-at_install")
class TestConcurrentStores(TransactionCase):
    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.simulators = []
        for name in ("race-us", "race-eu"):
            simulator = ShopifySimulator(
                shop_domain=f"{name}.myshopify.com", access_token=TOKEN, client_secret=SECRET, api_version=API_VERSION
            ).start()
            self.addCleanup(simulator.stop)
            self.simulators.append(simulator)
        rest = self.simulators[0].generate(products=1, variants_per_product=1)["products"][0]
        rest["variants"][0]["sku"] = f"RACE-{uuid.uuid4().hex[:8]}"
        self.sku = rest["variants"][0]["sku"]
        self.products = [
            self.simulators[0].seed_product(rest),
            self.simulators[1].seed_product(same_product_elsewhere(rest, 1)),
        ]
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.shop_ids = [
                env["shopify.shop"]
                .create(
                    {
                        "name": simulator.shop_domain,
                        "domain": simulator.shop_domain,
                        "base_url": simulator.base_url,
                        "new_access_token": TOKEN,
                        "new_client_secret": SECRET,
                        "api_version": API_VERSION,
                    }
                )
                .id
                for simulator in self.simulators
            ]
            for shop_id, product in zip(self.shop_ids, self.products, strict=True):  # as the webhook door does
                env["shopify.sync.job"]._ensure(env["shopify.shop"].browse(shop_id), "product", str(product["id"]))
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for shop_id in self.shop_ids:
            drop_committed_shop(self.dbname, shop_id)
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["product.product"].with_context(active_test=False).search(
                [("default_code", "=", self.sku)]
            ).product_tmpl_id.unlink()

    def _import(self, index, started=None, proceed=None, hold=None, ran=None):
        """Run store ``index``'s product job on a committed cursor; its outcome, or 'retry: ...'.

        ``started`` is set once the transaction has its snapshot, then the job waits for
        ``proceed``; ``ran`` is set once the job has run, and ``hold`` then keeps the
        transaction open (its locks held) until set.
        """
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT 1")  # the snapshot of a REPEATABLE READ transaction starts here
            if started:
                started.set()
                proceed.wait(20)
            try:
                outcome = env["shopify.sync.job"].run_sync(self.shop_ids[index], "product", self.products[index]["id"])
            except RetryableJobError as err:
                cr.rollback()
                return f"retry: {err}"
            if ran:
                ran.set()
            if hold:
                hold.wait(20)
            return outcome

    def _count(self):
        with db_connect(self.dbname).cursor() as cr:
            cr.execute("SELECT count(*) FROM product_product WHERE default_code = %s", (self.sku,))
            products = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM shopify_variant_binding b JOIN product_product p ON p.id = b.odoo_id "
                "WHERE p.default_code = %s",
                (self.sku,),
            )
            return products, cr.fetchone()[0]

    def _in_thread(self, outcomes, *args, **kwargs):
        thread = threading.Thread(target=lambda: outcomes.append(self._import(*args, **kwargs)))
        thread.start()
        return thread

    def test_second_store_waits_for_the_sku_lock(self):
        """The first store holds the SKU lock while it creates the product: the second retries, then links."""
        created, ran, hold = [], threading.Event(), threading.Event()
        first = self._in_thread(created, 0, ran=ran, hold=hold)
        # the first job has created the product and still holds its transaction (and the SKU lock)
        ran.wait(60)
        try:
            second = self._import(1)
        finally:
            hold.set()
            first.join(30)
        self.assertTrue(second.startswith("retry"), second)
        self.assertTrue(created[0].startswith("created"), created)
        self.assertTrue(self._import(1).startswith("linked"))
        self.assertEqual(self._count(), (1, 2), "one product, bound to both stores")

    def test_second_store_with_an_older_snapshot_is_caught_by_the_index(self):
        """The second job's snapshot predates the first one's commit: the unique index makes it retry."""
        outcomes, started, proceed = [], threading.Event(), threading.Event()
        second = self._in_thread(outcomes, 1, started=started, proceed=proceed)
        started.wait(20)
        first = self._import(0)
        proceed.set()
        second.join(30)
        self.assertTrue(first.startswith("created"), first)
        self.assertTrue(outcomes[0].startswith("retry"), outcomes)
        self.assertTrue(self._import(1).startswith("linked"))
        self.assertEqual(self._count(), (1, 2))
