"""The demo's story: what Shopify sends, what Odoo makes of it, and the report."""

import time
import uuid
from collections import Counter

from shopify_simulator import SimulatorControl, WebhookSender

DEMO_DOMAIN = "demo-shop.myshopify.com"
DEMO_TOKEN = "shpat_demo_token"
DEMO_SECRET = "whsec_demo_secret"
GIFT_SKU = "GIFT-WRAP"
SHOPIFY_LOCATION = 655441491
FULFILLMENT_ID = 880000000001


class Scenario:
    def __init__(self, conf, db, simulator_url, odoo_url):
        self.conf, self.db = conf, db
        self.sim = SimulatorControl(simulator_url)
        self.simulator_url = simulator_url
        self.sender = WebhookSender(f"{odoo_url}/shopify_sync/webhook", DEMO_DOMAIN, DEMO_SECRET)
        self.registry = None
        self.notes = []

    # -- Odoo access (in-process ORM, its own transactions) ------------------
    def env_cursor(self):
        from odoo import SUPERUSER_ID, api
        from odoo.modules.registry import Registry
        from odoo.tools import config

        if self.registry is None:
            config.parse_config(["-c", self.conf, "-d", self.db])
            self.registry = Registry(self.db)
        cr = self.registry.cursor()
        return cr, api.Environment(cr, SUPERUSER_ID, {})

    def orm(self, func):
        cr, env = self.env_cursor()
        try:
            result = func(env)
            cr.commit()
            return result
        finally:
            cr.close()

    def configure_shop(self, simulator_url=None):
        def configure(env):
            shop = env["shopify.shop"].with_context(active_test=False).search([("domain", "=", DEMO_DOMAIN)])
            vals = {
                "name": "Demo Shop",
                "domain": DEMO_DOMAIN,
                "base_url": simulator_url or "http://127.0.0.1:1",
                "new_access_token": DEMO_TOKEN,
                "new_client_secret": DEMO_SECRET,
                "api_version": "2026-01",
                "active": True,
                "sync_enabled": True,
                "confirm_policy": "on_create",
                "api_timeout": 3,
                "user_id": env.ref("base.user_admin").id,
            }
            shop = shop.write(vals) and shop if shop else env["shopify.shop"].create(vals)
            if not shop.location_mapping_ids:
                warehouse = env["stock.warehouse"].search([("company_id", "=", shop.company_id.id)], limit=1)
                env["shopify.location.mapping"].create(
                    {
                        "shop_id": shop.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "shopify_location_id": str(SHOPIFY_LOCATION),
                        "name": "Main warehouse",
                    }
                )
            shop.inventory_debounce_seconds = 5
            if not shop.tax_mapping_ids:
                tax = env["account.tax"].search([("name", "=", "Shopify demo 6%")], limit=1) or env[
                    "account.tax"
                ].create({"name": "Shopify demo 6%", "amount": 6.0, "type_tax_use": "sale"})
                env["shopify.tax.mapping"].create({"shop_id": shop.id, "rate": 0.06, "tax_id": tax.id})
            return shop.id

        self.shop_id = self.orm(configure)

    # -- the story -------------------------------------------------------------
    def run(self):
        self.configure_shop(self.simulator_url)
        self.before = self.orm(self._counts)
        data = self.sim.generate(customers=6, products=5, variants_per_product=2, orders=12, lines_per_order=3)
        self.step("Catalogue and customers: products/create and customers/create webhooks")
        for product in data["products"]:
            self.sender.send("products/create", product)
        for customer in data["customers"]:
            self.sender.send("customers/create", customer)
        self.step("12 new orders, each webhook delivered twice (same event id, new webhook id)")
        for order in data["orders"][:10]:
            event = str(uuid.uuid4())
            self.sender.send("orders/create", order, event_id=event)
            self.sender.send("orders/create", order, event_id=event)
        self.step("A concurrent duplicate storm: one order event sent by 20 threads at once")
        storm = data["orders"][10]
        codes = Counter(r.status_code for r in self.sender.send_concurrent("orders/create", storm, copies=20))
        self.notes.append(f"storm answers: {dict(codes)}")
        self.step("Out of order: orders/updated arrives before orders/create")
        late = data["orders"][11]
        self.sender.send("orders/updated", late)
        self.sender.send("orders/create", late)
        self.wait_for_jobs()
        self.step("A timeout: Shopify does the metafield write but answers after the client gave up")
        timeout_order = self.sim.generate(customers=1, products=0, orders=1, lines_per_order=1)["orders"][0]
        self.sim.faults(slow_next=1, seconds=5, operation="SetMetafields")
        self.sender.send("orders/create", timeout_order)
        self.step(f"An order with an unmapped product (custom line, SKU {GIFT_SKU}): a mapping failure")
        gift = self.sim.generate(customers=1, products=0, orders=1, lines_per_order=1)["orders"][0]
        gift["line_items"].append(
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
        gift["total_price"] = f"{float(gift['total_price']) + 5.30:.2f}"
        self.sim.seed(orders=[gift])
        self.sender.send("orders/create", gift)
        self.wait_for_jobs()
        self.step("A Shopify fulfillment, announced twice (create, then update): one validation in Odoo")
        shipped = data["orders"][0]
        self.sim.seed_fulfillment(
            shipped["id"],
            {
                "id": FULFILLMENT_ID,
                "status": "success",
                "tracking_company": "UPS",
                "tracking_number": "1Z999AA1",
                "line_items": [dict(line) for line in shipped["line_items"]],
            },
        )
        fulfillment = self.sim.payload("fulfillments/create", FULFILLMENT_ID)
        self.sender.send("fulfillments/create", fulfillment)
        self.sender.send("fulfillments/update", fulfillment)
        self.sender.send("fulfillments/create", fulfillment)
        self.step("Stock counted in Odoo: pushed to Shopify once, and Shopify's echo makes no job")
        self.stock_item = self.orm(self._count_stock)
        self.wait_for_jobs()
        self.echo = self.sender.send(
            "inventory_levels/update",
            self.sim.payload(
                "inventory_levels/update", None, inventory_item_id=int(self.stock_item[0]), location_id=SHOPIFY_LOCATION
            ),
        )
        self.wait_for_jobs()
        self.failures_before_fix = self.orm(self._failures)
        self.step(f"Staff fix the mapping (an Odoo product with reference {GIFT_SKU}) and press Retry")
        self.orm(self._fix_and_retry)
        self.wait_for_jobs()
        self.expected_orders = {str(o["id"]) for o in data["orders"]} | {str(timeout_order["id"]), str(gift["id"])}
        demo_review_mode(self)
        return self.report()

    def step(self, text):
        print(f"[demo] {text}")

    def wait_for_jobs(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = self.orm(
                lambda env: env["queue.job"].search_count(
                    [
                        ("identity_key", "=like", "shopify_sync:%"),
                        ("state", "in", ["wait_dependencies", "pending", "enqueued", "started"]),
                    ]
                )
            )
            if not waiting:
                return
            time.sleep(1)
        print(f"[demo] jobs still waiting after {timeout} s")

    def _count_stock(self, env):
        """An inventory count of 42 on one synced variant, as a warehouse clerk would do."""
        product = env["product.product"].search(
            [("x_shopify_shop_id", "=", self.shop_id), ("x_shopify_inventory_item_id", "!=", False)], limit=1
        )
        product.is_storable = True
        warehouse = env["stock.warehouse"].search([], limit=1)
        env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": warehouse.lot_stock_id.id, "inventory_quantity": 42}
        ).action_apply_inventory()
        return product.x_shopify_inventory_item_id, product.default_code

    def _fix_and_retry(self, env):
        if not env["product.product"].search([("default_code", "=", GIFT_SKU)]):
            env["product.product"].create({"name": "Gift wrap", "default_code": GIFT_SKU, "type": "service"})
        failed = env["shopify.sync.job"].search(
            [("shop_id", "=", self.shop_id), ("needs_action", "=", True), ("category", "=", "mapping")]
        )
        failed.action_retry()

    # -- report ----------------------------------------------------------------
    def _counts(self, env):
        shop = [("x_shopify_shop_id", "=", self.shop_id)]
        return {
            "orders": env["sale.order"].search_count(shop),
            "customers": env["res.partner"].with_context(active_test=False).search_count(shop),
            "products": env["product.product"].with_context(active_test=False).search_count(shop),
        }

    def _failures(self, env):
        jobs = env["shopify.sync.job"].search([("shop_id", "=", self.shop_id), ("needs_action", "=", True)])
        return Counter(jobs.mapped("category"))

    def _report_data(self, env):
        cr = env.cr
        cr.execute(
            "SELECT count(*), coalesce(sum(receipt_count), 0) FROM shopify_webhook_delivery WHERE shop_id=%s",
            (self.shop_id,),
        )
        events, receipts = cr.fetchone()
        cr.execute(
            "SELECT state, count(*) FROM shopify_webhook_delivery WHERE shop_id=%s GROUP BY state", (self.shop_id,)
        )
        states = dict(cr.fetchall())
        dispatch_key = f"shopify_sync:{self.shop_id}:dispatch"
        cr.execute(
            "SELECT state, count(*) FROM queue_job WHERE identity_key LIKE %s AND identity_key != %s GROUP BY state",
            (f"shopify_sync:{self.shop_id}:%", dispatch_key),
        )
        jobs = dict(cr.fetchall())
        cr.execute("SELECT count(*) FROM queue_job WHERE identity_key = %s AND state = 'done'", (dispatch_key,))
        dispatcher_runs = cr.fetchone()[0]
        cr.execute("SELECT outcome, count(*) FROM shopify_sync_job WHERE shop_id=%s GROUP BY outcome", (self.shop_id,))
        outcomes = dict(cr.fetchall())
        duplicates = 0
        for table in ("sale_order", "res_partner", "product_product"):
            cr.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE x_shopify_shop_id=%s "  # noqa: S608
                "GROUP BY x_shopify_id HAVING count(*) > 1) d",
                (self.shop_id,),
            )
            duplicates += cr.fetchone()[0]
        cr.execute("SELECT x_shopify_id FROM sale_order WHERE x_shopify_shop_id=%s", (self.shop_id,))
        synced = {row[0] for row in cr.fetchall()}
        gift = env["shopify.sync.job"].search(
            [
                ("shop_id", "=", self.shop_id),
                ("outcome_note", "=", False),
                ("resource_type", "=", "order"),
                ("failure_count", ">", 0),
            ]
        )
        pickings = env["stock.picking"].search([("x_shopify_fulfillment_id", "=", str(FULFILLMENT_ID))])
        cr.execute(
            "SELECT note FROM shopify_webhook_delivery WHERE shop_id=%s AND topic='inventory_levels/update'",
            (self.shop_id,),
        )
        echo_notes = [row[0] for row in cr.fetchall()]
        return dict(
            pickings=[(p.name, p.state) for p in pickings],
            echo_notes=echo_notes,
            events=events,
            receipts=receipts,
            states=states,
            jobs=jobs,
            dispatcher_runs=dispatcher_runs,
            outcomes=outcomes,
            duplicates=duplicates,
            synced=synced,
            counts=self._counts(env),
            failures_now=self._failures(env),
            retried=[(j.name, j.state) for j in gift],
        )

    def report(self):
        data = self.orm(self._report_data)
        created = {k: data["counts"][k] - self.before[k] for k in data["counts"]}
        missing = self.expected_orders - data["synced"]
        rows = [
            ("webhook deliveries received", data["receipts"]),
            ("distinct events recorded", data["events"]),
            ("duplicate deliveries suppressed", data["receipts"] - data["events"]),
            ("events merged into a waiting job", data["states"].get("duplicate", 0)),
            ("events ignored (topic or echo)", data["states"].get("ignored", 0)),
            ("webhook dispatcher runs (deliveries -> sync jobs)", data["dispatcher_runs"]),
            ("events still waiting for dispatch", data["states"].get("received", 0)),
            (
                "sync queue jobs (done / failed), reconciliation included",
                f"{data['jobs'].get('done', 0)} / {data['jobs'].get('failed', 0)}",
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
                f"free quantity of {self.stock_item[1]} (42 counted) in Shopify",
                f"{self.sim.inventory(self.stock_item[0], SHOPIFY_LOCATION)} "
                f"({len(self.sim.mutations('inventorySetQuantities'))} inventorySetQuantities call(s))",
            ),
            ("Shopify's inventory webhook after the push", "; ".join(data["echo_notes"]) or "none"),
            ("Shopify orders missing in Odoo", len(missing)),
            ("duplicated Odoo records", data["duplicates"]),
        ]
        width = max(len(label) for label, _value in rows)
        print("\n==== shopify_sync demo report " + "=" * 40)
        for label, value in rows:
            print(f"  {label:<{width}}  {value}")
        for note in self.notes:
            print(f"  ({note})")
        ok = (
            data["duplicates"] == 0
            and not missing
            and len(data["pickings"]) == 1
            and not data["states"].get("received", 0)
        )
        print("=" * 70)
        print("RESULT:", "OK - nothing duplicated, nothing lost" if ok else "PROBLEM - see above")
        return ok


def demo_review_mode(scenario):
    """Rollout: customers in review mode; a new customer waits with its diff, then is approved."""
    scenario.step("Rollout: customers switched to review; a new customer waits with its diff until approved")
    scenario.orm(lambda env: env["shopify.shop"].browse(scenario.shop_id).write({"rollout_customers": "review"}))
    customer = scenario.sim.generate(customers=1)["customers"][0]
    scenario.sender.send("customers/create", customer)
    scenario.wait_for_jobs()

    def approve(env):
        job = env["shopify.sync.job"].search(
            [("shop_id", "=", scenario.shop_id), ("resource_id", "=", str(customer["id"])), ("state", "=", "to_review")]
        )
        if not job:
            return "no review waiting", ""
        diff = job.review_summary
        job.action_approve()
        job.shop_id.rollout_customers = "automatic"
        return diff, f"{job.state} ({job.outcome}, {job.review_decision} by {job.reviewed_by_id.name})"

    diff, outcome = scenario.orm(approve)
    scenario.notes.append(f"review mode: diff '{diff}' approved -> {outcome}")
    print(f"[demo]   diff: {diff}\n[demo]   approved: {outcome}")
