"""Exchanges: a Shopify return that sends other items in exchange. The exchanged items become lines
of the same Odoo order with one new delivery; the money is booked net, as Shopify's refund is: one
credit note of the difference when the return is worth more, one invoice of it when the exchange
is, each with its one payment. Webhooks delivered twice, out of order, and jobs run again after a
timeout change none of it."""

from odoo.tests import tagged

from . import test_returns as returns
from .test_accounting_refunds import unit_price


@tagged("post_install", "-at_install")
class TestExchanges(returns.ReturnsCase):
    def exchange(self, fulfillment_id, worth_more):
        """A shipped order; one unit of one line returned, one unit of the other's variant sent in exchange.

        ``worth_more``: the exchanged item is the dearer one (the customer pays the difference).
        """
        seeded, order = self.shipped_order(fulfillment_id)
        store = self.simulator.store
        returned, exchanged = seeded["line_items"][:2]
        self.assertNotEqual(returned["variant_id"], exchanged["variant_id"])
        # the item sent in exchange costs 10.00 more, or less, than the one returned (its price in Shopify now)
        price = unit_price(returned) + (10 if worth_more else -10)
        store.variants[int(exchanged["variant_id"])]["price"] = f"{price:.2f}"
        exchanged = dict(exchanged, price=f"{price:.2f}")
        shipped = next(
            line for line in store.fulfillments[fulfillment_id]["line_items"] if line["id"] == returned["id"]
        )
        ret = store.request_return(
            seeded["id"],
            [{"fulfillment_line_item_id": shipped["fulfillment_line_item_id"], "quantity": 1}],
            approve=True,
            exchange=[{"variant_id": exchanged["variant_id"], "quantity": 1}],
        )
        back = round(unit_price(returned) * 1.06, 2)
        sent = round(float(exchanged["price"]) * 1.06, 2)
        net = round(back - sent, 2)
        sale = next(t for t in store.orders[int(seeded["id"])]["transactions"] if t["kind"] == "sale")
        store.process_return(
            ret["id"],
            [
                {
                    "id": ret["return_line_items"][0]["id"],
                    "quantity": 1,
                    "dispositions": [{"type": "RESTOCKED", "quantity": 1, "location_id": returns.SHOPIFY_LOCATION}],
                }
            ],
            refund=[{"parent_id": sale["id"], "amount": f"{net:.2f}"}] if net > 0 else None,
            exchange=[{"id": ret["exchange_line_items"][0]["id"], "quantity": 1}],
            charge={"amount": f"{-net:.2f}"} if net < 0 else None,
        )
        topics = self.simulator.take_webhooks()
        refund_id = next(rid for topic, rid in topics if topic == "refunds/create")
        product = self.env["shopify.variant.binding"]._record(self.shop, exchanged["variant_id"])
        return seeded, order, ret, refund_id, net, product

    def deliver_twice_out_of_order(self, ret, refund_id):
        self.webhook("refunds/create", refund_id, copies=2)
        self.webhook("returns/process", ret["id"], copies=2)
        self.perform_jobs()
        self.webhook("returns/close", ret["id"])
        self.perform_jobs()
        self.rerun("refund", refund_id)
        self.rerun("return", ret["id"])

    def exchange_lines(self, order):
        return order.order_line.filtered("shopify_exchange_line_id")

    def new_deliveries(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state != "done")

    def assert_one_delivery(self, order, product):
        lines = self.exchange_lines(order)
        self.assertEqual(len(lines), 1, "one order line for the exchanged item")
        self.assertEqual((lines.product_id, lines.product_uom_qty), (product, 1.0))
        delivery = self.new_deliveries(order)
        self.assertEqual(len(delivery), 1, "one new delivery")
        self.assertEqual([(move.product_id, move.product_uom_qty) for move in delivery.move_ids], [(product, 1.0)])
        self.assertEqual(len(self.receipts(order)), 1, "one return receipt")
        return lines

    def test_exchange_worth_less_one_delivery_one_credit_note_one_payment(self):
        seeded, order, ret, refund_id, net, product = self.exchange(5910001, worth_more=False)
        self.assertGreater(net, 0)
        self.deliver_twice_out_of_order(ret, refund_id)
        line = self.assert_one_delivery(order, product)
        credit_note = self.bound("refund", refund_id)
        self.assertEqual(self.credit_notes(order), credit_note, "one credit note")
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertAlmostEqual(credit_note.amount_total, net, delta=0.02, msg="net of the exchange")
        payments = self.refund_payments({"id": refund_id})
        self.assertEqual(len(payments), 1, "one refund payment")
        self.assertAlmostEqual(payments.amount, net, places=2)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertEqual(line.qty_invoiced, 1.0, "the exchanged item is invoiced by the credit note")
        self.assertEqual(line.qty_to_invoice, 0.0, "never invoiced twice")
        self.assertEqual(self.sync_job("refund", refund_id).outcome, "skipped")
        # the order read again afterwards: Shopify's new line item is the exchange line Odoo has
        self.webhook("orders/updated", seeded["id"])
        self.perform_jobs()
        self.assertEqual(self.exchange_lines(order), line)
        self.assert_one_delivery(order, product)

    def test_exchange_worth_more_one_delivery_one_invoice_one_payment(self):
        seeded, order, ret, refund_id, net, product = self.exchange(5910002, worth_more=True)
        self.assertLess(net, 0)
        invoices = order.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")
        self.deliver_twice_out_of_order(ret, refund_id)
        self.sync("order_payments", seeded["id"])
        self.sync("order_payments", seeded["id"])
        line = self.assert_one_delivery(order, product)
        self.assertFalse(self.credit_notes(order), "no credit note: the customer owes the difference")
        extra = self.bound("refund", refund_id)
        self.assertEqual(order.invoice_ids.filtered(lambda move: move.move_type == "out_invoice"), invoices | extra)
        self.assertEqual((extra.move_type, extra.state), ("out_invoice", "posted"))
        self.assertAlmostEqual(extra.amount_total, -net, delta=0.02)
        charged = self.payments_of(seeded["id"]).filtered(lambda p: abs(p.amount + net) < 0.001)
        self.assertEqual(len(charged), 1, "one payment of the difference")
        self.assertEqual(extra.payment_state, "paid")
        self.assertEqual(line.qty_to_invoice, 0.0, "the exchanged item invoiced once")
