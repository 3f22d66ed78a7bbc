"""Payments and reconciliation shared by the order-payments and refund handlers."""

from ..mapping.accounting import is_store_credit
from ..services.errors import ConfigurationError, MappingError


class PaymentBooker:
    """Turn Shopify transactions into posted Odoo payments, one per transaction, and reconcile them."""

    def __init__(self, handler, order, order_shopify_id, label):
        self.env = handler.env
        self.shop = handler.shop
        self.order = order
        self.order_shopify_id = str(order_shopify_id)
        self.label = label
        self.bindings = self.env["shopify.transaction.binding"]

    def journals(self, transactions):
        """The journal of each transaction's gateway; a mapping failure naming the first unmapped one."""
        mappings = self.env["shopify.gateway.mapping"]
        journals = {}
        for tx in transactions:
            journal = mappings._journal(self.shop, tx["gateway"])
            if not journal:
                raise MappingError(
                    self.env._(
                        "Payment gateway '%(gateway)s' of Shopify order %(order)s (%(amount)s %(currency)s) "
                        "has no journal.",
                        gateway=tx["gateway"],
                        order=self.label,
                        amount=f"{tx['amount']:.2f}",
                        currency=tx["currency"] or "",
                    ),
                    missing=self.env._("a journal for payment gateway '%s'", tx["gateway"]),
                    retry_advice=self.env._("Retry is safe once the gateway is mapped: one payment per transaction."),
                    fix_model="shopify.gateway.mapping",
                    fix_hint={"gateway": tx["gateway"]},
                )
            journals[tx["id"]] = journal
        return journals

    def book(self, transactions, payment_type, partner):
        """Create the payments of the transactions not booked yet; return them."""
        todo = [tx for tx in transactions if not self.bindings._find(self.shop, tx["id"])]
        journals = self.journals(todo)
        payments = self.env["account.payment"]
        for tx in todo:
            payment = self._payment(tx, journals[tx["id"]], payment_type, partner)
            self.bindings._bind(
                self.shop,
                tx["id"],
                payment,
                order_shopify_id=self.order_shopify_id,
                kind=tx["kind"],
                gateway=tx["gateway"],
                shopify_updated_at=tx["date"],
            )
            payments |= payment
        return payments

    def _currency(self, tx, journal):
        currency = self.order.currency_id if self.order else journal.company_id.currency_id
        code = tx["currency"] or currency.name
        if code != currency.name:
            raise ConfigurationError(
                self.env._(
                    "Transaction %(tx)s of %(order)s is in %(code)s, the Odoo order in %(currency)s: "
                    "amounts are never converted silently.",
                    tx=tx["id"],
                    order=self.label,
                    code=code,
                    currency=currency.name,
                ),
                missing=self.env._("a pricelist (and active currency) in %s for this store's orders", code),
                fix_model="product.pricelist",
            )
        return currency

    def _payment(self, tx, journal, payment_type, partner):
        currency = self._currency(tx, journal)
        values = {
            "payment_type": payment_type,
            "partner_type": "customer",
            "partner_id": partner.commercial_partner_id.id,
            "amount": float(tx["amount"]),
            "currency_id": currency.id,
            "journal_id": journal.id,
            "date": (tx["date"] or self.env.cr.now()).date(),
            "memo": f"Shopify {self.label} {tx['kind'].lower()} {tx['id']} ({tx['gateway']})",
        }
        account = self._store_credit_account(tx) if is_store_credit(tx) else None
        payment = self.env["account.payment"].with_company(journal.company_id).create(values)
        if account:
            # set once the payment method (and its account) is computed: the entry, made on posting, uses it
            payment.outstanding_account_id = account
        payment.action_post()
        return payment

    def _store_credit_account(self, tx):
        """Store credit issued or used moves the shop's store-credit liability, whatever the journal."""
        account = self.shop.store_credit_account_id
        if not account:
            raise ConfigurationError(
                self.env._(
                    "Transaction %(tx)s of %(order)s is store credit (%(gateway)s) and the store has no "
                    "store-credit liability account.",
                    tx=tx["id"],
                    order=self.label,
                    gateway=tx["gateway"],
                ),
                missing=self.env._("the store-credit liability account of the store"),
                retry_advice=self.env._("Retry is safe once the account is set: one payment per transaction."),
                fix_model="shopify.shop",
            )
        return account

    def order_payments(self):
        bindings = self.bindings.search(
            [("shop_id", "=", self.shop.id), ("order_shopify_id", "=", self.order_shopify_id)]
        )
        return bindings.odoo_id


def reconcile(payments, move):
    """Reconcile posted payments with a posted invoice or credit note, as the payment widget does."""
    if move.state != "posted":
        return
    for payment in payments.filtered(lambda p: p.move_id and p.state != "draft"):
        open_lines = move.line_ids.filtered(
            lambda line: line.account_id.account_type in ("asset_receivable", "liability_payable")
            and not line.reconciled
        )
        if not open_lines:
            return
        _reconcile_on(open_lines[0].account_id, payment.move_id.line_ids, open_lines)


def _reconcile_on(account, payment_lines, open_lines):
    lines = payment_lines.filtered(lambda line: line.account_id == account and not line.reconciled)
    if lines:
        (lines + open_lines.filtered(lambda line: line.account_id == account)).reconcile()
