"""The demo's second store, "EU": it sells the demo shop's catalogue under its own Shopify ids.

One Odoo catalogue serves both stores: every product is bound in each, none is made twice.
"""

from shopify_simulator import SimulatorControl, WebhookSender, same_product_elsewhere
from tools.harness import records
from tools.harness.orm import ShopSettings, configure_shop

EU_DOMAIN = "demo-shop-eu.myshopify.com"
EU_TOKEN = "shpat_demo_eu_token"
EU_SECRET = "whsec_demo_eu_secret"
EU_CLIENT_ID = "demo_eu_client_id"
# Shopify gives each store its own ids: the EU copies are kept apart from the first store's.
ID_OFFSET = 500_000_000


class SecondStore:
    def __init__(self, orm, simulator_url, odoo_url):
        self.orm = orm
        self.sim = SimulatorControl(simulator_url)
        self.sender = WebhookSender(f"{odoo_url}/shopify_sync/webhook", EU_DOMAIN, EU_SECRET)
        settings = ShopSettings(
            "Demo Shop EU",
            EU_DOMAIN,
            simulator_url,
            EU_TOKEN,
            EU_SECRET,
            tax_name="Shopify demo 6%",
            client_id=EU_CLIENT_ID,
        )
        self.shop_id = configure_shop(orm, settings)
        self.orm.run(lambda env: env["shopify.shop"].browse(self.shop_id).action_register_webhooks())
        self.expected_orders = set()

    def sell(self, products, orders=3):
        """The same products in the EU store (products/create), then a few EU orders."""
        for product in products:
            copy = same_product_elsewhere(product, ID_OFFSET)
            self.sim.seed_product(copy)
            self.sender.send("products/create", copy)
        made = self.sim.generate(customers=2, products=0, orders=orders, lines_per_order=2)["orders"]
        for order in made:
            self.expected_orders.add(str(order["id"]))
            self.sender.send("orders/create", order)

    def report(self, first_shop_id):
        """(rows, ok) of the two-store part of the report."""
        data = self.orm.run(lambda env: self._data(env.cr, first_shop_id))
        rows = [
            ("stores sharing the catalogue", "Demo Shop, Demo Shop EU"),
            ("Odoo products bound in both stores", data["shared"]),
            ("SKUs with more than one Odoo product", data["skus"]),
            ("EU orders in Odoo / sent", f"{data['orders']} / {len(self.expected_orders)}"),
            ("duplicated Odoo records (EU)", data["duplicates"]),
        ]
        ok = data["shared"] > 0 and data["skus"] == 0 and data["duplicates"] == 0 and data["missing"] == 0
        return rows, ok

    def _data(self, cr, first_shop_id):
        synced = records.synced_order_ids(cr, self.shop_id)
        return {
            "shared": records.shared_products(cr, [first_shop_id, self.shop_id]),
            "skus": records.duplicated_skus(cr, [first_shop_id, self.shop_id]),
            "orders": len(self.expected_orders & synced),
            "missing": len(self.expected_orders - synced),
            "duplicates": records.duplicated_ids(cr, self.shop_id),
        }
