"""The demo's story: what Shopify sends, what Odoo makes of it, and the report."""

import time
import uuid
from collections import Counter

from shopify_simulator import SimulatorControl, WebhookSender
from tools.demo_accounting import DemoAccounting
from tools.demo_catalogue import DemoCatalogue
from tools.demo_history import HistoryStore
from tools.demo_kinds import DemoOrderKinds
from tools.demo_review import review_mode
from tools.demo_second_store import SecondStore
from tools.demo_stock import DemoStock
from tools.harness import jobs, records
from tools.harness.orm import Orm, ShopSettings, configure_shop

DEMO_DOMAIN = "demo-shop.myshopify.com"
DEMO_TOKEN = "shpat_demo_token"
DEMO_SECRET = "whsec_demo_secret"
DEMO_CLIENT_ID = "demo_client_id"
GIFT_SKU = "GIFT-WRAP"
SHOPIFY_LOCATION = 655441491
FULFILLMENT_ID = 880000000001


def gift_order(order):
    """``order`` with a custom line (no variant) of SKU GIFT-WRAP, which no Odoo product maps."""
    order["line_items"].append(
        {
            "id": 990000000001,
            "variant_id": None,
            "product_id": None,
            "title": "Gift wrap",
            "variant_title": None,
            "sku": GIFT_SKU,
            "quantity": 1,
            "price": "5.00",
            "total_discount": "0.00",
            "tax_lines": [{"price": "0.30", "rate": 0.06, "title": "State Tax"}],
        }
    )
    order["total_price"] = f"{float(order['total_price']) + 5.30:.2f}"
    return order


class Scenario:
    def __init__(self, conf, db, odoo_url):
        self.orm = Orm(conf, db, context={})
        self.odoo_url = odoo_url
        self.sender = WebhookSender(f"{odoo_url}/shopify_sync/webhook", DEMO_DOMAIN, DEMO_SECRET)
        self.eu = None
        self.history = None
        self.sim = None
        self.notes = []
        self.expected_orders = set()
        self.accounting = DemoAccounting(self)
        self.stock = DemoStock(self)
        self.kinds = DemoOrderKinds(self)
        self.odoo_catalogue = DemoCatalogue(self)
        self.shopify_location = SHOPIFY_LOCATION

    def configure_shop(self, simulator_url=None):
        settings = ShopSettings(
            "Demo Shop",
            DEMO_DOMAIN,
            simulator_url or "http://127.0.0.1:1",
            DEMO_TOKEN,
            DEMO_SECRET,
            api_timeout=3,
            tax_name="Shopify demo 6%",
            location_id=SHOPIFY_LOCATION,
            inventory_debounce_seconds=5,
            client_id=DEMO_CLIENT_ID,
        )
        self.shop_id = configure_shop(self.orm, settings)

    def cr(self, func, *args):
        """``func(cursor, *args)`` in one ORM transaction."""
        return self.orm.run(lambda env: func(env.cr, *args))

    # -- the story -------------------------------------------------------------
    def run(self, simulator_url, eu_simulator_url, history_simulator_url=None):
        self.sim = SimulatorControl(simulator_url)
        self.eu_simulator_url = eu_simulator_url
        self.history_simulator_url = history_simulator_url
        self.configure_shop(simulator_url)
        self.accounting.setup()
        self.register_webhooks()
        self.before = self.cr(records.shop_record_counts, self.shop_id)
        self.data = self.sim.generate(customers=6, products=5, variants_per_product=2, orders=12, lines_per_order=3)
        self.expected_orders = {str(o["id"]) for o in self.data["orders"]}
        for step in (
            self.catalogue,
            self.orders_twice,
            self.storm,
            self.out_of_order,
            self.stock.agree,
            self.timeout,
            self.unmapped_product,
            self.fulfillment,
            self.stock_count,
            self.stock.ship_from_odoo,
            self.fix_and_retry,
            self.accounting.run,
            self.review_mode,
            self.second_store,
            self.odoo_catalogue.run,
            self.kinds.run,
            self.store_with_a_past,
        ):
            step()
        return self.report()

    def register_webhooks(self):
        """Connect by client credentials (Odoo obtains the token) and subscribe the shop's webhooks."""
        result = self.orm.run(lambda env: env["shopify.shop"].browse(self.shop_id).action_register_webhooks())
        self.notes.append(f"Register webhooks: {result['params']['message']}")

    def step(self, text):
        print(f"[demo] {text}")

    def catalogue(self):
        self.step("Catalogue and customers: products/create and customers/create webhooks")
        for product in self.data["products"]:
            self.sender.send("products/create", product)
        for customer in self.data["customers"]:
            self.sender.send("customers/create", customer)

    def orders_twice(self):
        self.step("12 new orders, each webhook delivered twice (same event id, new webhook id)")
        for order in self.data["orders"][:10]:
            event = str(uuid.uuid4())
            self.sender.send("orders/create", order, event_id=event)
            self.sender.send("orders/create", order, event_id=event)

    def storm(self):
        self.step("A concurrent duplicate storm: one order event sent by 20 threads at once")
        answers = self.sender.send_concurrent("orders/create", self.data["orders"][10], copies=20)
        self.notes.append(f"storm answers: {dict(Counter(r.status_code for r in answers))}")

    def out_of_order(self):
        self.step("Out of order: orders/updated arrives before orders/create")
        late = self.data["orders"][11]
        self.sender.send("orders/updated", late)
        self.sender.send("orders/create", late)
        self.wait_for_jobs()

    def new_order(self):
        order = self.sim.generate(customers=1, products=0, orders=1, lines_per_order=1)["orders"][0]
        self.expected_orders.add(str(order["id"]))
        return order

    def timeout(self):
        self.step("A timeout: Shopify does the metafield write but answers after the client gave up")
        order = self.new_order()
        self.sim.faults(slow_next=1, seconds=5, operation="SetMetafields")
        self.sender.send("orders/create", order)

    def unmapped_product(self):
        self.step(f"An order with an unmapped product (custom line, SKU {GIFT_SKU}): a mapping failure")
        gift = gift_order(self.new_order())
        self.sim.seed(orders=[gift])
        self.sender.send("orders/create", gift)
        self.wait_for_jobs()

    def fulfillment(self):
        self.step("A Shopify fulfillment, announced twice (create, then update): one validation in Odoo")
        shipped = self.data["orders"][0]
        lines = [dict(line) for line in shipped["line_items"]]
        self.sim.seed_fulfillment(
            shipped["id"],
            {"id": FULFILLMENT_ID, "status": "success", "tracking_company": "UPS", "tracking_number": "1Z999AA1"}
            | {"line_items": lines},
        )
        fulfillment = self.sim.payload("fulfillments/create", FULFILLMENT_ID)
        for topic in ("fulfillments/create", "fulfillments/update", "fulfillments/create"):
            self.sender.send(topic, fulfillment)

    def stock_count(self):
        self.step("Stock counted in Odoo: pushed to Shopify once, and Shopify's echo makes no job")
        self.stock_item = self.orm.run(self._count_stock)
        self.wait_for_jobs()
        payload = self.sim.payload(
            "inventory_levels/update", None, inventory_item_id=int(self.stock_item[0]), location_id=SHOPIFY_LOCATION
        )
        self.echo = self.sender.send("inventory_levels/update", payload)
        self.wait_for_jobs()
        self.failures_before_fix = self.orm.run(self._failures)

    def fix_and_retry(self):
        self.step(f"Staff fix the mapping (an Odoo product with reference {GIFT_SKU}) and press Retry")
        self.orm.run(self._fix_and_retry)
        self.wait_for_jobs()

    def review_mode(self):
        review_mode(self)

    def second_store(self):
        self.step("A second store, EU, sells the same catalogue (its own Shopify ids) and takes 3 orders")
        self.eu = SecondStore(self.orm, self.eu_simulator_url, self.odoo_url)
        self.eu.sell(self.data["products"])
        self.wait_for_jobs()

    def store_with_a_past(self):
        if not self.history_simulator_url:
            return
        self.step("A third store, with a past (80 % of its orders done with months ago), is imported on day one")
        self.history = HistoryStore(self.orm, self.history_simulator_url)
        self.history.import_all(self.wait_for_jobs)

    def wait_for_jobs(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.cr(jobs.waiting_anywhere):
                return
            time.sleep(1)
        print(f"[demo] jobs still waiting after {timeout} s")

    def _count_stock(self, env):
        """An inventory count of 42 on one synced variant, as a warehouse clerk would do."""
        product, inventory_item = records.stock_variant(env, self.shop_id)
        warehouse = env["stock.warehouse"].search([], limit=1)
        env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 42}
        ).action_apply_inventory()
        return inventory_item, product.default_code

    def _fix_and_retry(self, env):
        if not env["product.product"].search([("default_code", "=", GIFT_SKU)]):
            env["product.product"].create({"name": "Gift wrap", "default_code": GIFT_SKU, "type": "service"})
        failed = env["shopify.sync.job"].search(
            [("shop_id", "=", self.shop_id), ("needs_action", "=", True), ("category", "=", "mapping")]
        )
        failed.action_retry()

    def _failures(self, env):
        found = env["shopify.sync.job"].search([("shop_id", "=", self.shop_id), ("needs_action", "=", True)])
        return Counter(found.mapped("category"))

    # -- report ----------------------------------------------------------------
    def _report_data(self, env):
        cr, shop = env.cr, self.shop_id
        events, receipts = jobs.delivery_totals(cr, shop)
        retried = env["shopify.sync.job"].search(
            [("shop_id", "=", shop), ("outcome_note", "=", False), ("resource_type", "=", "order")]
            + [("failure_count", ">", 0)]
        )
        return dict(
            pickings=records.pickings_of_fulfillment(env, FULFILLMENT_ID),
            echo_notes=jobs.delivery_notes(cr, shop, "inventory_levels/update"),
            events=events,
            receipts=receipts,
            states=jobs.delivery_states(cr, shop),
            jobs=jobs.shop_job_states(cr, shop),
            dispatcher_runs=jobs.dispatcher_runs(cr, shop),
            outcomes=jobs.outcomes(cr, shop),
            duplicates=records.duplicated_ids(cr, shop),
            synced=records.synced_order_ids(cr, shop),
            counts=records.shop_record_counts(cr, shop),
            failures_now=self._failures(env),
            retried=[(j.name, j.state) for j in retried],
            screens=self._screens(env),
        )

    def _screens(self, env):
        """What the overview and the sync job list show: the shops on the overview, orders reading Created."""
        from odoo.tools.safe_eval import safe_eval  # noqa: PLC0415 - the virtualenv's Odoo, as in harness.orm

        action = env.ref("shopify_sync.action_shopify_overview")
        shops = env["shopify.shop"].search(safe_eval(action.domain or "[]"))
        created_label = dict(env["shopify.sync.job"]._fields["last_outcome"]._description_selection(env))["created"]
        order_jobs = env["shopify.sync.job"].search([("shop_id", "in", shops.ids), ("resource_type", "=", "order")])
        return {
            "overview": shops.mapped("name"),
            "reading_created": len(order_jobs.filtered(lambda j: (j.display_outcome or "").startswith(created_label))),
            "orders_created": sum(shops.mapped("order_count")),
        }

    def report_rows(self, data):
        created = {k: data["counts"][k] - self.before[k] for k in data["counts"]}
        states, job_states = data["states"], data["jobs"]
        stock_item, stock_code = self.stock_item
        pushes = len(self.sim.mutations("inventorySetQuantities"))
        return [
            ("webhook deliveries received", data["receipts"]),
            ("distinct events recorded", data["events"]),
            ("duplicate deliveries suppressed", data["receipts"] - data["events"]),
            ("events merged into a waiting job", states.get("duplicate", 0)),
            ("events ignored (topic or echo)", states.get("ignored", 0)),
            ("webhook dispatcher runs (deliveries -> sync jobs)", data["dispatcher_runs"]),
            ("events still waiting for dispatch", states.get("received", 0)),
            (
                "sync queue jobs (done / failed), reconciliation included",
                f"{job_states.get('done', 0)} / {job_states.get('failed', 0)}",
            ),
            ("orders created in Odoo", created["orders"]),
            ("customers created in Odoo", created["customers"]),
            ("product variants linked in Odoo", created["products"]),
            ("sync outcomes", ", ".join(f"{k}: {v}" for k, v in sorted(data["outcomes"].items(), key=str))),
            ("failures before the fix, by reason", dict(self.failures_before_fix) or "none"),
            ("failures open now, by reason", dict(data["failures_now"]) or "none"),
            ("retried after a failure", ", ".join(f"{n}: {s}" for n, s in data["retried"]) or "none"),
            ("fulfillment 3 events -> deliveries validated", ", ".join(f"{n} {st}" for n, st in data["pickings"])),
            (
                f"{stock_code} counted 42 in Odoo: available in Shopify (less what open orders hold)",
                f"{self.sim.inventory(stock_item, SHOPIFY_LOCATION)} ({pushes} inventorySetQuantities call(s))",
            ),
            ("Shopify's inventory webhook after the push", "; ".join(data["echo_notes"]) or "none"),
            ("shops on the overview", f"{len(data['screens']['overview'])} ({', '.join(data['screens']['overview'])})"),
            (
                "order jobs whose outcome reads Created / orders created (both stores)",
                f"{data['screens']['reading_created']} / {data['screens']['orders_created']}",
            ),
            ("Shopify orders missing in Odoo", len(self.expected_orders - data["synced"])),
            ("duplicated Odoo records", data["duplicates"]),
        ]

    def _screens_ok(self, screens):
        """Every demo shop on the overview, and every order the sync created reads Created in the job list."""
        shown = {"Demo Shop", "Demo Shop EU"} <= set(screens["overview"])
        return shown and screens["reading_created"] == screens["orders_created"]

    def report(self):
        data = self.orm.run(self._report_data)
        eu_rows, eu_ok = self.eu.report(self.shop_id)
        accounting_rows, accounting_ok = self.accounting.report()
        stock_rows, stock_ok = self.stock.report()
        kinds_rows, kinds_ok = self.kinds.report()
        catalogue_rows, catalogue_ok = self.odoo_catalogue.report()
        history_rows, history_ok = self.history.report() if self.history else ([], True)
        rows = (
            self.report_rows(data) + stock_rows + accounting_rows + kinds_rows + eu_rows + catalogue_rows + history_rows
        )
        width = max(len(label) for label, _value in rows)
        print("\n==== shopify_sync demo report " + "=" * 40)
        for label, value in rows:
            print(f"  {label:<{width}}  {value}")
        for note in self.notes:
            print(f"  ({note})")
        ok = (
            data["duplicates"] == 0
            and not self.expected_orders - data["synced"]
            and len(data["pickings"]) == 1
            and not data["states"].get("received", 0)
            and eu_ok
            and accounting_ok
            and stock_ok
            and kinds_ok
            and history_ok
            and catalogue_ok
            and self._screens_ok(data["screens"])
        )
        print("=" * 70)
        print("RESULT:", "OK - nothing duplicated, nothing lost" if ok else "PROBLEM - see above")
        return ok
