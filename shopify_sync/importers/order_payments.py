"""A Shopify order's money -> its one invoice and one payment per sale or capture, reconciled."""

from .. import const
from ..mapping import accounting as amap
from ..mapping import history as hmap
from ..mapping import order as omap
from ..mapping.common import money, money_side
from ..services.errors import DataConflictError, MappingError
from ..services.gid import to_gid
from ..services.queries import ORDER_PAYMENTS_QUERY
from ..services.resources import Topic
from ..services.shopify_enums import FULFILLED, PAID_FINANCIAL_STATUSES
from .accounting import PaymentBooker, reconcile
from .base import ResourceHandler, SyncResult


class OrderPaymentsHandler(ResourceHandler):
    """Resource id: the Shopify order id. Run after each order sync and for each order transaction."""

    resource_type = const.ORDER_PAYMENTS
    type_label = "Invoice and payments"
    channel = const.CHANNEL_ACCOUNTING
    rollout_object = "accounting"
    topics = {"order_transactions/create": Topic("order_id")}
    binding_models = ("shopify.transaction.binding", "shopify.invoice.binding")

    def _run(self, resource_id):
        node = self.client.fetch_node(ORDER_PAYMENTS_QUERY, to_gid("order", resource_id), "order")
        label = node.get("name") or resource_id
        order = self.env["shopify.order.binding"]._record(self.shop, resource_id)
        if not order:
            raise MappingError(
                self.env._("The payments of Shopify order %s wait for the order, which is not in Odoo yet.", label),
                missing=self.env._("the Odoo order for Shopify order %s", label),
                retry_advice=self.env._("Retry once the order is synced: each payment is made once."),
                fix_model="sale.order",
            )
        if self.shop.invoice_policy == "never":
            return SyncResult("skipped", order, label, None, self.env._("The store's invoice policy is Never."))
        self._lock_related("order", resource_id)
        side = money_side(node, order.currency_id.name)  # the order's set of amounts, for payments and total
        paid = amap.payments(node.get("transactions"), side)
        if self._kept_in_former_books(resource_id, node, paid):
            note = self.env._(
                "Paid before the accounting start date (%s): the former books hold it, no invoice or payment.",
                self.shop.accounting_start_date,
            )
            return SyncResult("skipped", order, label, None, note)
        booker = PaymentBooker(self, order, resource_id, label)
        booker.book(paid, "inbound", order.partner_invoice_id)
        invoice, warning = self._invoice(node, order, label, side)
        reconcile(booker.order_payments(), invoice)
        for other in order.invoice_ids.filtered(
            lambda move: move != invoice and move.move_type == "out_invoice" and move.state == "posted"
        ):
            reconcile(booker.order_payments(), other)  # e.g. the invoice of an exchange's difference
        payments = booker.order_payments()
        note = self.env._(
            "%(invoice)s; %(count)s payment(s) %(amount).2f",
            invoice=self._describe(invoice),
            count=len(payments),
            amount=sum(payments.mapped("amount")),
        )
        return SyncResult("updated", invoice or order, label, None, note, warning)

    def _kept_in_former_books(self, resource_id, node, paid):
        """A historical or cancelled order paid before the shop's accounting start: nothing to book."""
        standing = self.env["shopify.order.binding"]._find(self.shop, resource_id).import_standing
        if standing not in (hmap.HISTORY, hmap.CANCELLED):
            return False
        paid_at = hmap.paid_at([tx["date"] for tx in paid], node)
        return hmap.before_accounting_start(paid_at, self.shop.accounting_start_date)

    def _describe(self, invoice):
        if not invoice:
            return self.env._("not invoiced yet")
        return f"{invoice.name or invoice.id} {invoice.state} {invoice.payment_state}"

    def _due(self, node, order):
        if node.get("cancelledAt") or order.state != "sale":
            return False
        if self.shop.invoice_policy == "on_paid":
            # an order on payment terms (B2B) is invoiced with its terms, unpaid
            return (node.get("displayFinancialStatus") or "") in PAID_FINANCIAL_STATUSES or bool(
                omap.payment_terms_name(node)
            )
        return (node.get("displayFulfillmentStatus") or "") == FULFILLED

    def _invoice(self, node, order, label, side):
        """The order's one invoice: created when the policy says so, posted when its total is Shopify's."""
        bindings = self.env["shopify.invoice.binding"]
        invoice = bindings._record(self.shop, node["legacyResourceId"])
        if not invoice:
            if not self._due(node, order):
                return invoice, None
            invoice = order.with_company(order.company_id)._create_invoices(final=True)
            bindings._bind(self.shop, node["legacyResourceId"], invoice)
        if invoice.state != "draft":
            return invoice, None
        shopify_total = money(node.get("totalPriceSet"), side)
        if amap.differs(invoice.amount_total, shopify_total, self.shop.total_tolerance):
            currency = invoice.currency_id.name
            return invoice, DataConflictError(
                self.env._(
                    "Invoice %(invoice)s of %(order)s totals %(odoo).2f %(currency)s but Shopify's order totals "
                    "%(shopify).2f %(currency)s: it was left in draft, nothing was posted.",
                    invoice=invoice.display_name,
                    order=label,
                    odoo=invoice.amount_total,
                    shopify=float(shopify_total),
                    currency=currency,
                ),
                missing=self.env._("an invoice equal to Shopify's total"),
                retry_advice=self.env._("Correct the draft invoice, then retry: it is posted once."),
                fix_model="account.move",
            )
        invoice.action_post()
        return invoice, None
