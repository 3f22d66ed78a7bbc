"""The demo's accounting: invoices when paid, payments by card, PayPal and gift card, a refund, a payout.

The refund is of one unit not shipped yet: the report shows it left the order line and its open
delivery, and that the line is not "to invoice" again.

The demo shop invoices every order when it is paid (set up before the first order), so the
payout that closes the story pays out every Shopify Payments transaction of the demo, and
each of them has its payment in Odoo to clear.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from tools.harness import accounting

# (what the report calls it, the gateways of its sales in the simulator's generator)
PAID_ORDERS = (
    ("card", None),
    ("PayPal", ["paypal"]),
    ("gift card + card", ["gift_card", "shopify_payments"]),
)
REFUND_ID = 7700000001
TAX_RATE = Decimal("0.06")


def cents(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def one_unit_refund(order, refund_id):
    """A refund of one unit of the order's first line, its money back to the card; (refund, money back)."""
    line = order["line_items"][0]
    unit = cents(Decimal(line["price"]) - Decimal(line.get("total_discount") or 0) / int(line["quantity"]))
    money_back = unit + cents(unit * TAX_RATE)
    sale = next(t for t in order["transactions"] if t["gateway"] == "shopify_payments")
    refund = {
        "id": refund_id,
        "order_id": order["id"],
        "note": "Refunded before shipping",
        "refund_line_items": [{"line_item_id": line["id"], "quantity": 1, "restock_type": "no_restock"}],
        "transactions": [
            {
                "kind": "refund",
                "status": "success",
                "gateway": "shopify_payments",
                "amount": str(money_back),
                "parent_id": sale["id"],
            }
        ],
    }
    return refund, money_back


class DemoAccounting:
    def __init__(self, scenario):
        self.scenario = scenario
        self.paid = []  # (label, REST order)
        self.money_back = None
        self.payout = None

    def run_orm(self, func, *args):
        shop_id = self.scenario.shop_id
        return self.scenario.orm.run(lambda env: func(env, shop_id, *args))

    def setup(self):
        """Journals, gateway mappings (card, PayPal, gift card) and payout accounts; invoices when paid."""
        self.run_orm(accounting.configure_accounting, "on_paid")

    def run(self):
        self.pay()
        self.refund()
        self.import_payout()

    def pay(self):
        s = self.scenario
        s.step("Accounting: orders paid by card, PayPal, gift card + card; orders/paid delivered twice")
        for index, (label, gateways) in enumerate(PAID_ORDERS):
            # a seed of its own, so that each order draws other lines
            made = s.sim.generate(customers=1, orders=1, lines_per_order=2, gateways=gateways, seed=150 + index)
            order = made["orders"][0]
            s.expected_orders.add(str(order["id"]))
            self.paid.append((label, order))
            s.sender.send("orders/create", order)
            event = str(uuid.uuid4())
            s.sender.send("orders/paid", order, event_id=event)
            s.sender.send("orders/paid", order, event_id=event)
        s.wait_for_jobs()

    def refund(self):
        s = self.scenario
        label, order = self.paid[0]
        s.step(f"Accounting: the {label} order {order['name']} refunds one item (refunds/create sent twice)")
        refund, self.money_back = one_unit_refund(order, REFUND_ID)
        s.sim.seed_refund(order["id"], refund)
        payload = s.sim.payload("refunds/create", REFUND_ID)
        for _copy in range(2):
            s.sender.send("refunds/create", payload)
        s.wait_for_jobs()

    def import_payout(self):
        s = self.scenario
        self.payout = s.sim.seed_payout()
        s.step(f"Accounting: Shopify Payments pays out {self.payout['net']}; Import payouts now, pressed twice")
        for _press in range(2):
            s.orm.run(lambda env: env["shopify.shop"].browse(s.shop_id).action_import_payouts())
            s.wait_for_jobs()

    # -- report ----------------------------------------------------------------------------
    def _data(self, env, shop_id):
        orders = [str(order["id"]) for _label, order in self.paid]
        return dict(
            invoices=accounting.invoice_summary(env, shop_id),
            of_orders=accounting.invoices_of_orders(env, shop_id, orders),
            journals=accounting.payments_by_journal(env, shop_id),
            payments_of={o: accounting.payments_by_journal(env, shop_id, [o]) for o in orders},
            booked_twice=accounting.transactions_booked_twice(env.cr, shop_id),
            credit_notes=accounting.credit_notes(env, shop_id),
            refunded_line=self._refunded_line(env, shop_id),
            payouts=accounting.payouts(env, shop_id),
            clearing=accounting.clearing_of_payouts(env, shop_id),
        )

    def _refunded_line(self, env, shop_id):
        _label, order = self.paid[0]
        return accounting.refunded_before_shipping(env, shop_id, order["id"], order["line_items"][0]["variant_id"])

    def report(self):
        """(rows, ok): invoices, payments, credit notes and payout lines, and whether they add up."""
        data = self.run_orm(self._data)
        inv, clearing = data["invoices"], data["clearing"]
        rows = [
            (
                "invoices posted / paid / all (orders invoiced twice)",
                f"{inv['posted']} / {inv['paid']} / {inv['invoices']} ({inv['orders_invoiced_twice']})",
            ),
            ("payments by journal (in / out)", _journals(data["journals"])),
            ("transactions with more than one payment", data["booked_twice"]),
        ]
        orders_ok = True
        for label, order in self.paid:
            name, state, payment_state, total = data["of_orders"].get(str(order["id"]), ("none", "", "", 0.0))
            orders_ok &= state == "posted" and payment_state in ("paid", "in_payment")
            rows.append(
                (
                    f"{label} order {order['name']} ({order['total_price']})",
                    f"{name} {state} {payment_state} {total:.2f}; "
                    f"payments {_journals(data['payments_of'][str(order['id'])])}",
                )
            )
        note = data["credit_notes"].get(str(REFUND_ID))
        rows.append(
            (
                f"credit note of refund {REFUND_ID} (Shopify refunded {self.money_back})",
                f"{note[0]} {note[1]} {note[2]} {note[3]:.2f}" if note else "none",
            )
        )
        line = data["refunded_line"]
        _label, refunded_order = self.paid[0]
        shopify_quantity = int(refunded_order["line_items"][0]["quantity"])
        # refunded before shipping: the line and its open delivery lost the unit, nothing is "to invoice"
        line_ok = (
            line["removed"] == 1
            and line["ordered"] == shopify_quantity - 1
            and line["open"] == line["ordered"]
            and line["to_invoice"] == 0
        )
        rows.append(
            (
                f"refunded line of {refunded_order['name']} "
                f"(Shopify: {shopify_quantity} ordered, 1 refunded before shipping)",
                f"ordered {line['ordered']:g} (removed {line['removed']:g}); the open delivery holds "
                f"{line['open']:g}; to invoice {line['to_invoice']:g}",
            )
        )
        for payout in data["payouts"]:
            lines = ", ".join(f"{kind} {n}" for kind, n in sorted(payout["lines"].items()))
            rows.append(
                (
                    f"payout {payout['payout']} (imported twice) -> {payout['entry']}",
                    f"net {payout['net']:.2f} in transit {payout['transit']:.2f}; lines: {lines}; "
                    f"fees {payout['fees']:.2f}",
                )
            )
        rows.append(
            (
                "clearing account, paid-out transactions",
                f"{clearing['net']:.2f} ({clearing['cleared']} of {clearing['lines']} payout lines cleared; "
                f"account balance {clearing['account_balance']:.2f})",
            )
        )
        ok = (
            inv["orders_invoiced_twice"] == 0
            and data["booked_twice"] == 0
            and orders_ok
            and bool(note and note[1] == "posted")
            and line_ok
            and len(data["payouts"]) == 1
            and clearing["net"] == 0
            and clearing["cleared"] == clearing["lines"] > 0
        )
        return rows, ok


def _journals(counter):
    by_journal = {}
    for (journal, direction), n in counter.items():
        by_journal.setdefault(journal, {"in": 0, "out": 0})[direction] += n
    return ", ".join(f"{j} {c['in']}/{c['out']}" for j, c in sorted(by_journal.items())) or "none"
