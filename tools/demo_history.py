"""The demo's third store, "History": a store with a past, imported on its first day.

Most of its orders were fulfilled and closed months ago, some cancelled or refunded; the
last days' orders are open. *Import from Shopify* records the history as history (no
delivery, no invoice before the accounting start) and the open orders as work.
"""

import time

from shopify_simulator import SimulatorControl
from tools.harness.orm import ShopSettings, configure_shop

HISTORY_DOMAIN = "demo-shop-history.myshopify.com"
HISTORY_TOKEN = "shpat_demo_history_token"
HISTORY_SECRET = "whsec_demo_history_secret"
ORDERS, HISTORY_SHARE, SEED = 20, 0.8, 2828
PAST = {"cancelled": 0.1, "refunded": 0.2}  # of the history (generator_past.Past)
IMPORT_TIMEOUT = 300


class HistoryStore:
    def __init__(self, orm, simulator_url):
        self.orm = orm
        self.sim = SimulatorControl(simulator_url)
        self.made = self.sim.generate(
            customers=4,
            products=3,
            orders=ORDERS,
            lines_per_order=2,
            seed=SEED,
            history=HISTORY_SHARE,
            past=PAST,
        )
        settings = ShopSettings(
            "Demo Shop History",
            HISTORY_DOMAIN,
            simulator_url,
            HISTORY_TOKEN,
            HISTORY_SECRET,
            tax_name="Shopify demo 6%",
        )
        self.shop_id = configure_shop(orm, settings)
        self.orm.run(self._books)
        self.finished = False

    def _books(self, env):
        """Invoices when paid, through the payment journal the demo's first shop uses."""
        mapping = env["shopify.gateway.mapping"].search([("gateway", "=", "shopify_payments")], limit=1)
        shop = env["shopify.shop"].browse(self.shop_id)
        if mapping and not shop.gateway_mapping_ids:
            env["shopify.gateway.mapping"].create(
                {"shop_id": shop.id, "gateway": "shopify_payments", "journal_id": mapping.journal_id.id}
            )
            shop.invoice_policy = "on_paid"

    def import_all(self, wait_for_jobs):
        """Import from Shopify (products, customers, orders), as the wizard starts it; wait for it."""
        self.orm.run(lambda env: env["shopify.shop"].browse(self.shop_id).action_import().ids)
        deadline = time.monotonic() + IMPORT_TIMEOUT
        while time.monotonic() < deadline:
            state = self.orm.run(lambda env: env["shopify.shop"].browse(self.shop_id).import_state)
            if state in ("done", "failed"):
                self.finished = state == "done"
                break
            time.sleep(1)
        wait_for_jobs()  # the invoices and payments of the open orders, the order links

    def report(self):
        """(rows, ok) of the store-with-a-past part of the report."""
        data = self.orm.run(self._data)
        rows = [
            (
                "import of a store with a past",
                f"{data['history']} orders as history, {data['open']} open, {data['cancelled']} cancelled, "
                f"{data['deliveries']} open deliveries for history, "
                f"{data['early']} invoices before the accounting start ({data['start']})",
            ),
        ]
        past = self.made.get("past") or {"open": len(self.made["orders"]), "history": 0}
        ok = (
            self.finished
            and data["open"] == past["open"]
            and data["history"] + data["cancelled"] == past["history"]
            and data["deliveries"] == 0
            and data["early"] == 0
        )
        return rows, ok

    def _data(self, env):
        shop = env["shopify.shop"].browse(self.shop_id)
        bindings = env["shopify.order.binding"].search([("shop_id", "=", shop.id)])
        orders = {
            standing: bindings.filtered(lambda b, s=standing: b.import_standing == s).odoo_id
            for standing in ("history", "open", "cancelled")
        }
        deliveries = orders["history"].picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        early = env["account.move"].search_count(
            [
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("invoice_date", "<", shop.accounting_start_date),
                ("invoice_line_ids.sale_line_ids.order_id", "in", bindings.odoo_id.ids),
            ]
        )
        return {
            "history": len(orders["history"]),
            "open": len(orders["open"]),
            "cancelled": len(orders["cancelled"]),
            "deliveries": len(deliveries),
            "early": early,
            "start": shop.accounting_start_date,
        }
