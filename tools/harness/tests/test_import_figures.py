"""What the bench reads of an import (tools/harness/imports.py): the runs by SQL, and the points of the call log."""

import requests

from odoo.tests import TransactionCase, tagged

from shopify_simulator.server import ShopifySimulator
from tools.harness import imports

PRODUCTS_QUERY = "query Products { products(first: 5) { nodes { id title variants(first: 3) { nodes { id } } } } }"


@tagged("post_install", "-at_install")
class TestImportFigures(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["shopify.shop"].create(
            {"name": "Figures Shop", "domain": "figures-shop.myshopify.com", "base_url": "http://127.0.0.1:1"}
        )

    def new_run(self, kind, **vals):
        return self.env["shopify.import.run"].create({"shop_id": self.shop.id, "object_kind": kind, **vals})

    def test_runs_are_read_as_the_table_holds_them(self):
        products = self.new_run("products", state="done", created_count=7, linked_count=2, skipped_count=1)
        orders = self.new_run("orders", state="reading", rows_read=40, failed_count=3)
        self.env.flush_all()
        runs = imports.import_runs(self.env.cr, self.shop.id)
        self.assertEqual([r["id"] for r in runs], [products.id, orders.id])
        self.assertEqual(imports.imported(runs[0]), 10)
        self.assertEqual((runs[1]["rows_read"], runs[1]["failed_count"]), (40, 3))
        self.assertFalse(imports.all_final(runs), "a run still reading is not final")
        self.assertTrue(imports.all_final(imports.import_runs(self.env.cr, self.shop.id, [products.id])))
        orders.write({"state": "failed"})
        self.env.flush_all()
        self.assertTrue(imports.all_final(imports.import_runs(self.env.cr, self.shop.id)))
        self.assertFalse(imports.all_final([]), "no run at all is not an import done")

    def test_points_are_the_actual_cost_of_the_calls_that_ran(self):
        with ShopifySimulator(restore_rate=100).start() as sim:
            sim.generate(products=3, customers=1, orders=0)
            headers = {"X-Shopify-Access-Token": sim.access_token}
            answers = [
                requests.post(sim.graphql_url(), json={"query": PRODUCTS_QUERY}, headers=headers, timeout=10).json()
                for _ in range(2)
            ]
            sim.throttle_next(1)
            requests.post(sim.graphql_url(), json={"query": PRODUCTS_QUERY}, headers=headers, timeout=10)
            calls = list(sim.calls)
        costs = [a["extensions"]["cost"] for a in answers]
        used = imports.points_used(calls)
        self.assertEqual(used["points"], sum(c["actualQueryCost"] for c in costs))
        self.assertEqual(used["requested"], sum(c["requestedQueryCost"] for c in costs))
        self.assertLess(used["points"], used["requested"], "3 of 5 products asked for: the difference is given back")
        self.assertEqual((used["calls"], used["throttled"]), (3, 1))
