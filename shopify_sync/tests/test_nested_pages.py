from odoo.tests import tagged

from ..services.errors import DataConflictError
from ..services.graphql_client import refuse_truncated
from .common import ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestNestedPages(ShopifyTransactionCase):
    """Lists inside a record (order lines, variants...) are read to the end, or the record is refused."""

    def test_order_with_more_lines_than_one_page(self):
        data = self.simulator.generate(customers=1, products=30, orders=1, lines_per_order=120, seed=7)
        seeded = data["orders"][0]
        self.assertEqual(len(seeded["line_items"]), 120)
        self.simulator.calls.clear()
        self.sync("order", seeded["id"])
        order = self.bound("order", seeded["id"])
        self.assertEqual(self.orders_named(seeded["name"]), order)
        product_lines = order.order_line.filtered(lambda line: line.product_id.shopify_binding_ids)
        self.assertEqual(len(product_lines), 120, "all four pages of lines")
        self.assertAlmostEqual(order.amount_total, float(seeded["total_price"]), places=2)
        pages = self.simulator.calls_named("NextPage")
        self.assertEqual(len(pages), 3, "lines 11-60, 61-110 and 111-120 (the order query reads the first 10)")

    def test_product_with_more_variants_than_one_page(self):
        product = self.simulator.generate(products=1, variants_per_product=24, seed=8)["products"][0]
        # 24 colour/size variants x 3 editions: 72, more than one page of 50
        base, variants = product["variants"], []
        for edition in ("A", "B", "C"):
            for variant in base:
                variants.append(
                    dict(
                        variant,
                        id=self.simulator.store.next_id(),
                        inventory_item_id=self.simulator.store.next_id(),
                        sku=f"{variant['sku']}-{edition}",
                        title=f"{variant['title']} / {edition}",
                        option3=edition,
                        position=len(variants) + 1,
                    )
                )
        product.update(
            variants=variants,
            options=product["options"] + [{"name": "Edition", "position": 3, "values": ["A", "B", "C"]}],
        )
        variants_seeded = self.simulator.seed_product(product)["variants"]
        self.sync("product", product["id"])
        template = self.bound("product", product["id"])
        bindings = self.env["shopify.variant.binding"]._of(self.shop, template.product_variant_ids)
        self.assertEqual(len(template.product_variant_ids), 72)
        self.assertEqual(sorted(bindings.mapped("shopify_id")), sorted(str(v["id"]) for v in variants_seeded))

    def test_a_list_left_partial_is_refused(self):
        complete = {"lineItems": {"nodes": [{"id": 1}], "pageInfo": {"hasNextPage": False}}}
        refuse_truncated(complete, "order 1")
        partial = {
            "fulfillmentOrders": {
                "nodes": [{"id": "a", "lineItems": {"nodes": [{"id": 1}] * 50, "pageInfo": {"hasNextPage": True}}}],
                "pageInfo": {"hasNextPage": False},
            }
        }
        with self.assertRaises(DataConflictError) as caught:
            refuse_truncated(partial, "order 7")
        message = str(caught.exception)
        self.assertIn("order 7 has more fulfillmentOrders.lineItems than the sync reads (50 read)", message)
        self.assertIn("Retrying will not help", caught.exception.retry_advice)
