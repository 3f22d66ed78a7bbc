"""A refund's credit note checked against the money Shopify refunded, and its refund payments."""

from odoo import Command

from ..mapping import accounting as amap
from ..mapping import order as omap
from ..mapping.common import nodes
from ..services.errors import DataConflictError
from .accounting import PaymentBooker, reconcile


class RefundSettlement:
    def __init__(self, handler, node, order, label):
        self.handler = handler
        self.env = handler.env
        self.shop = handler.shop
        self.node = node
        self.order = order
        self.label = label

    def settle(self, credit_note):
        """Post the credit note if it matches (and the shop posts them); book one payment per refund transaction.

        A difference within the shop's tolerance (a unit price Odoo keeps to fewer decimals than the
        refunded subtotal needs) goes on a rounding line, as on orders: the credit note then equals
        the money refunded and its refund payment settles it in full.

        Returns a DataConflictError (a warning: the job succeeds, a person is told) on a mismatch.
        """
        transactions = nodes(self.node.get("transactions"))
        side = self.handler.side
        refunded = amap.refunded_total(transactions, side)
        if credit_note.move_type == "out_invoice":
            return self._settle_exchange_invoice(credit_note, refunded)
        warning = None
        if credit_note.state == "draft":
            if amap.differs(credit_note.amount_total, refunded, self.shop.total_tolerance):
                warning = self._mismatch(credit_note, refunded)
            else:
                self._round(credit_note, refunded)
                if self.shop.post_credit_notes:
                    credit_note.action_post()
        if self.shop.invoice_policy != "never":
            order_id = (self.node.get("order") or {}).get("legacyResourceId")
            booker = PaymentBooker(self.handler, self.order, order_id, self.order.client_order_ref or self.label)
            payments = booker.book(amap.refunds(transactions, side), "outbound", self.order.partner_invoice_id)
            refund_payments = (
                self.env["shopify.transaction.binding"]
                .search(
                    [
                        ("shop_id", "=", self.shop.id),
                        ("shopify_id", "in", [tx["id"] for tx in amap.refunds(transactions, side)]),
                    ]
                )
                .odoo_id
            )
            reconcile(refund_payments | payments, credit_note)
        return warning

    def _settle_exchange_invoice(self, invoice, refunded):
        """An exchange worth more than the return: Shopify refunded nothing and charged the difference
        on the order; the invoice of the difference is posted and paid by the order's open payments."""
        warning = None
        if invoice.state == "draft":
            if refunded:
                warning = self._mismatch(invoice, -refunded)
            elif self.shop.post_credit_notes:
                invoice.action_post()
        if self.shop.invoice_policy != "never":
            order_id = (self.node.get("order") or {}).get("legacyResourceId")
            booker = PaymentBooker(self.handler, self.order, order_id, self.order.client_order_ref or self.label)
            reconcile(booker.order_payments(), invoice)
        return warning

    def _round(self, credit_note, refunded):
        difference = omap.rounding_difference(refunded, credit_note.amount_total)
        if not difference or not refunded:
            return
        product = self.shop._rounding_product()
        credit_note.invoice_line_ids = [
            Command.create(
                {
                    "product_id": product.id,
                    "name": "Rounding",
                    "quantity": 1,
                    "price_unit": float(difference),
                    "tax_ids": [Command.clear()],
                }
            )
        ]

    def _mismatch(self, credit_note, refunded):
        currency = credit_note.currency_id.name
        return DataConflictError(
            self.env._(
                "Credit note %(note)s of %(refund)s totals %(odoo).2f %(currency)s but Shopify refunded "
                "%(shopify).2f %(currency)s: it stays in draft.",
                note=credit_note.display_name,
                refund=self.label,
                odoo=credit_note.amount_total,
                shopify=float(refunded),
                currency=currency,
            ),
            missing=self.env._("a credit note equal to the money Shopify refunded"),
            retry_advice=self.env._("Correct the draft credit note, then retry: it is checked and paid once."),
            fix_model="account.move",
        )
