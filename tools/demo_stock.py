"""The demo's stock: day-one stock agreed before the first push, then a product born in Shopify shipped by Odoo.

The store tracks 50 of a new product. It arrives by products/create (Odoo makes it a
storable product, because Shopify tracks it), its stock is agreed by taking Shopify's
quantity, an order takes one, and the warehouse validates the delivery in Odoo. The
store must then show 49, as it did after the order: never 0.
"""

import copy

from shopify_simulator.totals import recompute_totals

QUANTITY = 50


class DemoStock:
    def __init__(self, scenario):
        self.scenario = scenario
        self.agreed = None  # counts of the day-one agreement
        self.shipped = None  # the new product's story

    @property
    def sim(self):
        return self.scenario.sim

    def run_orm(self, func, *args):
        shop_id = self.scenario.shop_id
        return self.scenario.orm.run(lambda env: func(env, shop_id, *args))

    # -- steps --------------------------------------------------------------------------
    def agree(self):
        """A manager agrees on day-one stock: Shopify's quantities become Odoo's opening count."""
        self.scenario.step("Day-one stock: the comparison, and a manager takes Shopify's quantities")
        self.scenario.wait_for_jobs()
        self.agreed = self.run_orm(_take_shopify)

    def ship_from_odoo(self):
        scenario = self.scenario
        scenario.step(f"A product born in Shopify ({QUANTITY} in stock), ordered once, shipped from Odoo")
        product = self.sim.generate(products=1, variants_per_product=1)["products"][0]
        variant = product["variants"][0]
        location = scenario.shopify_location
        self.sim.set_inventory(variant["inventory_item_id"], location, QUANTITY)
        scenario.sender.send("products/create", product)
        scenario.wait_for_jobs()
        story = {"sku": variant["sku"], "storable": self.run_orm(_storable, variant["id"])}
        story["agreed"] = self.run_orm(_take_shopify)
        story["before"] = self.sim.inventory(variant["inventory_item_id"], location)
        order_id = self._order_for(variant)
        scenario.expected_orders.add(str(order_id))
        scenario.sender.send("orders/create", self.sim.payload("orders/create", order_id))
        scenario.wait_for_jobs()
        story["after_order"] = self.sim.inventory(variant["inventory_item_id"], location)
        story["delivery"] = self.run_orm(_deliver, order_id)
        scenario.wait_for_jobs()
        story["after_delivery"] = self.sim.inventory(variant["inventory_item_id"], location)
        story["zeros"] = [
            m
            for m in self.sim.mutations_named("inventorySetQuantities", applied=True)
            if m["variables"]["quantities"][0]["inventoryItemId"].endswith(f"/{variant['inventory_item_id']}")
            and m["variables"]["quantities"][0]["quantity"] == 0
        ]
        self.shipped = story

    def _order_for(self, variant):
        """A new order for one unit of ``variant``, shaped as a demo order (customer, taxes, payment); its id."""
        order = copy.deepcopy(self.scenario.data["orders"][1])
        for key in ("id", "name", "order_number", "number", "admin_graphql_api_id"):
            order.pop(key, None)
        line = copy.deepcopy(order["line_items"][0])
        for key in ("id", "admin_graphql_api_id"):
            line.pop(key, None)
        line.update(
            variant_id=variant["id"],
            product_id=variant["product_id"],
            sku=variant["sku"],
            variant_title=variant["title"],
            quantity=1,
            price=variant["price"],
            total_discount="0.00",
            discount_allocations=[],
        )
        order.update(line_items=[line], discount_applications=[], discount_codes=[])
        total = recompute_totals(order)
        for transaction in order.get("transactions") or []:
            transaction.pop("id", None)
            transaction["amount"] = total
        return self.sim.seed_order(order)["seeded"]["orders"][0]

    # -- report -------------------------------------------------------------------------
    def report(self):
        story, agreed = self.shipped, self.agreed or {}
        rows = [
            (
                "day-one stock agreement (equal / Odoo higher / Odoo lower / unknown in Odoo)",
                " / ".join(str(agreed.get(k, 0)) for k in ("equal", "higher", "lower", "unknown")),
            ),
            (
                f"new product {story['sku']} from Shopify: tracked in Odoo",
                "yes" if story["storable"] else "NO",
            ),
            (
                "  its Shopify quantity: before the order / after it / after Odoo's delivery",
                f"{story['before']} / {story['after_order']} / {story['after_delivery']} ({story['delivery']})",
            ),
        ]
        ok = (
            story["storable"]
            and story["before"] == QUANTITY
            and story["after_delivery"] == QUANTITY - 1
            and not story["zeros"]
            and story["delivery"] == "done"
        )
        return rows, ok


def _take_shopify(env, shop_id):
    """Apply the shop's waiting stock agreement by taking Shopify's quantities; its counts."""
    agreement = env["shopify.stock.agreement"].search([("shop_id", "=", shop_id), ("state", "=", "draft")], limit=1)
    if not agreement:
        return {}
    counts = {
        "equal": agreement.count_equal,
        "higher": agreement.count_odoo_higher,
        "lower": agreement.count_odoo_lower,
        "unknown": agreement.count_unknown,
    }
    agreement.action_take_shopify()
    return counts


def _storable(env, shop_id, variant_id):
    shop = env["shopify.shop"].browse(shop_id)
    return env["shopify.variant.binding"]._record(shop, variant_id).is_storable


def _deliver(env, shop_id, order_id):
    """The warehouse validates the order's delivery in Odoo; its state."""
    shop = env["shopify.shop"].browse(shop_id)
    picking = env["shopify.order.binding"]._record(shop, order_id).picking_ids[:1]
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    # Without the SMS confirmation Odoo's stock_sms asks for when the customer has a phone.
    picking.with_context(skip_sms=True).button_validate()
    return picking.state or "no delivery"
