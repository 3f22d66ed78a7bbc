"""orders/paid delivered five times at once: one invoice and one payment.

Each delivery runs the order job and then its invoice-and-payments job on a committed
cursor of its own, as five queue_job workers would, retrying when told to.
"""

import threading
import time

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError

from shopify_simulator import ShopifySimulator

from ..services.identity import shop_keys_pattern
from .accounting_common import setup_accounting
from .common import API_VERSION, SECRET, TOKEN, drop_committed_shop

DELIVERIES = 5


@tagged("post_install", "-at_install")
class TestConcurrentPaidOrder(TransactionCase):
    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.simulator = ShopifySimulator(
            shop_domain="race-paid.myshopify.com", access_token=TOKEN, client_secret=SECRET, api_version=API_VERSION
        ).start()
        self.addCleanup(self.simulator.stop)
        self.seeded = self.simulator.generate(customers=1, products=2, orders=1)["orders"][0]
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": self.simulator.shop_domain,
                    "domain": self.simulator.shop_domain,
                    "base_url": self.simulator.base_url,
                    "new_access_token": TOKEN,
                    "new_client_secret": SECRET,
                    "api_version": API_VERSION,
                    "confirm_policy": "on_paid",
                    "fallback_product_id": env["product.product"].create({"name": "Race product"}).id,
                }
            )
            # A name of its own: the tax is committed and kept by the invoice's history
            tax = env["account.tax"].create({"name": f"Race 6% ({shop.id})", "amount": 6.0, "type_tax_use": "sale"})
            env["shopify.tax.mapping"].create({"shop_id": shop.id, "rate": 0.06, "tax_id": tax.id})
            books = setup_accounting(env, shop)
            self.shop_id, self.tax_id = shop.id, tax.id
            self.journal_ids = (books.card | books.paypal | books.gift).ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        """The store's payments and invoice go first (their bindings keep them), then the store.

        Its queue jobs may still be touched by a worker when the test ends (the order-link
        flush it enqueued): a serialization failure is waited out, never left as a committed
        shop that every later test would meet.
        """
        for _attempt in range(20):
            try:
                self._cleanup_once()
                break
            except pg_errors.SerializationFailure:
                time.sleep(0.5)
        drop_committed_shop(self.dbname, self.shop_id)

    def _cleanup_once(self):
        with db_connect(self.dbname).cursor() as cr:  # committed when the block ends
            env = api.Environment(cr, SUPERUSER_ID, {})
            payments = env["shopify.transaction.binding"].search([("shop_id", "=", self.shop_id)])
            invoices = env["shopify.invoice.binding"].search([("shop_id", "=", self.shop_id)])
            payment_records, invoice_records = payments.odoo_id, invoices.odoo_id
            payments.unlink()
            invoices.unlink()
            payment_records.action_draft()
            payment_records.unlink()
            invoice_records.button_draft()
            invoice_records.with_context(force_delete=True).unlink()
            cr.execute("DELETE FROM queue_job WHERE identity_key LIKE %s", (shop_keys_pattern(self.shop_id),))

    def _deliver(self, results):
        """One delivery of orders/paid: the order job, then the invoice-and-payments job, retried as told."""
        for resource_type in ("order", "order_payments"):
            for _attempt in range(60):
                try:
                    outcome = self._run_once(resource_type)
                except (RetryableJobError, pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                    # queue_job retries a job that lost a concurrent update, as it does a RetryableJobError
                    time.sleep(0.1)
                    continue
                except Exception as err:  # noqa: BLE001 - reported to the test below
                    results.append(f"error: {err}")
                    return
                results.append(outcome)
                break
            else:
                results.append(f"{resource_type}: retries exhausted")

    def _run_once(self, resource_type):
        """One attempt of a job on a cursor of its own: committed when it succeeds, rolled back otherwise."""
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["shopify.sync.job"].run_sync(self.shop_id, resource_type, str(self.seeded["id"]))

    def test_orders_paid_five_times_at_once(self):
        results = []
        threads = [threading.Thread(target=self._deliver, args=(results,)) for _index in range(DELIVERIES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertFalse([r for r in results if r.startswith(("error", "order"))], results)
        self.assertEqual(len(results), 2 * DELIVERIES, results)
        with db_connect(self.dbname).cursor() as cr:
            cr.execute("SELECT count(*) FROM shopify_order_binding WHERE shop_id = %s", (self.shop_id,))
            orders = cr.fetchone()[0]
            cr.execute(
                """
                SELECT count(DISTINCT m.id) FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id
                  JOIN sale_order_line_invoice_rel r ON r.invoice_line_id = l.id
                  JOIN sale_order_line sol ON sol.id = r.order_line_id
                  JOIN shopify_order_binding b ON b.odoo_id = sol.order_id
                 WHERE b.shop_id = %s AND m.move_type = 'out_invoice'
                """,
                (self.shop_id,),
            )
            invoices = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM account_payment WHERE journal_id IN %s", (tuple(self.journal_ids),))
            payments = cr.fetchone()[0]
            cr.execute(
                "SELECT m.payment_state FROM shopify_invoice_binding b JOIN account_move m ON m.id = b.odoo_id "
                "WHERE b.shop_id = %s",
                (self.shop_id,),
            )
            states = [row[0] for row in cr.fetchall()]
        self.assertEqual((orders, invoices, payments), (1, 1, 1))
        self.assertEqual(states, ["paid"])
