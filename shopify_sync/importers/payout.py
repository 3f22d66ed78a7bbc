"""Shopify Payments payouts -> one journal entry per payout, one line per balance transaction, each once.

The entry (payout journal) credits the clearing account with each charge and debits it
with each refund, which clears the Shopify Payments payments booked there; books the
fees to the fee account, disputes, reserves and adjustments to their account, and
leaves the payout's net amount as one line in the payouts-in-transit account, the
amount the bank deposit is matched with.
"""

from odoo import Command

from .. import const
from ..mapping import accounting as amap
from ..services.errors import ConfigurationError, DataConflictError
from ..services.gid import numeric_id, to_gid
from ..services.queries import BALANCE_TRANSACTIONS_QUERY, PAYOUTS_QUERY
from ..services.shopify_enums import DISPUTE_WITHDRAWAL, PAYOUT_PAID
from .base import ResourceHandler, SyncResult

PAGE = 50
MAX_PAGES = 40
PAYOUT_QUERY = """
query Payout($id: ID!) {
  node(id: $id) {
    ... on ShopifyPaymentsPayout { id legacyResourceId issuedAt status transactionType net { amount currencyCode } }
  }
}
"""
ACCOUNT_FIELDS = (
    "payout_journal_id",
    "payout_clearing_account_id",
    "payout_transit_account_id",
    "payout_fee_account_id",
    "payout_dispute_account_id",
)


class PayoutListHandler(ResourceHandler):
    """List the shop's payouts, newest first, and enqueue one job per paid payout not booked yet."""

    resource_type = const.PAYOUT_LIST
    type_label = "Payout list"
    channel = const.CHANNEL_ACCOUNTING
    rollout_object = "accounting"

    def _run(self, resource_id):
        bindings = self.env["shopify.payout.binding"]
        jobs = self.env["shopify.sync.job"].sudo()
        queued, seen = 0, 0
        payouts = self.client.paginate(
            PAYOUTS_QUERY, "shopifyPaymentsAccount.payouts", page_size=PAGE, max_pages=MAX_PAGES
        )
        for payout in payouts:
            seen += 1
            payout_id = payout["legacyResourceId"]
            if payout.get("status") == PAYOUT_PAID and not bindings._find(self.shop, payout_id):
                jobs._enqueue_resource(self.shop.id, "payout", str(payout_id))
                queued += 1
        self.shop.sudo().last_payout_import_at = self.env.cr.now()
        note = self.env._("%(seen)s payout(s) read, %(queued)s to book.", seen=seen, queued=queued)
        return SyncResult("handled", self.shop, self.env._("Payouts"), None, note)


class PayoutHandler(ResourceHandler):
    resource_type = const.PAYOUT
    type_label = "Payout"
    channel = const.CHANNEL_ACCOUNTING
    rollout_object = "accounting"
    binding_models = ("shopify.payout.binding", "shopify.balance.transaction.binding")
    gid_type = "ShopifyPaymentsPayout"

    def _run(self, resource_id):
        bindings = self.env["shopify.payout.binding"]
        label = self.env._("Payout %s", resource_id)
        done = bindings._record(self.shop, resource_id)
        if done:
            return SyncResult("skipped", done, label, None, self.env._("Payout already booked."))
        self._check_configuration()
        payout = self.client.fetch_node(PAYOUT_QUERY, to_gid("payout", resource_id), "node")
        balances = [amap.balance_transaction(node) for node in self._balance_nodes(resource_id)]
        net = amap.to_decimal((payout.get("net") or {}).get("amount"))
        self._check(payout, balances, net, label)
        move, lines = self._entry(payout, balances, net, label)
        bindings._bind(self.shop, resource_id, move, net_amount=float(net), status=payout.get("status"))
        cleared = 0
        for balance in balances:
            line = lines[balance["id"]]
            self.env["shopify.balance.transaction.binding"]._bind(
                self.shop,
                balance["id"],
                line,
                payout_shopify_id=str(resource_id),
                transaction_type=balance["type"],
                amount=float(balance["amount"]),
                fee=float(balance["fee"]),
                shopify_updated_at=balance["date"],
            )
            cleared += self._clear(balance, line)
            if balance["type"] == DISPUTE_WITHDRAWAL:
                self._dispute_activity(balance, label)
        note = self.env._(
            "%(move)s: net %(net)s, %(count)s balance transaction(s), %(cleared)s payment(s) cleared",
            move=move.name,
            net=f"{net:.2f}",
            count=len(balances),
            cleared=cleared,
        )
        return SyncResult("created", move, label, None, note)

    # -- reading -------------------------------------------------------------------
    def _balance_nodes(self, payout_id):
        def too_many(_page_info):
            raise DataConflictError(self.env._("Payout %s has more balance transactions than can be read.", payout_id))

        nodes = self.client.paginate(
            BALANCE_TRANSACTIONS_QUERY,
            "shopifyPaymentsAccount.balanceTransactions",
            {"query": f"payout_id:{payout_id}"},
            page_size=PAGE,
            max_pages=MAX_PAGES,
            on_more=too_many,
        )
        return [
            node
            for node in nodes
            if numeric_id((node.get("associatedPayout") or {}).get("id") or "0") == str(payout_id)
        ]

    def _check_configuration(self):
        missing = [self.shop._fields[name].string for name in ACCOUNT_FIELDS if not self.shop[name]]
        if missing:
            raise ConfigurationError(
                self.env._(
                    "Store %(shop)s cannot book payouts: %(missing)s not set.",
                    shop=self.shop.name,
                    missing=", ".join(missing),
                ),
                missing=", ".join(missing),
                fix_model="shopify.shop",
            )

    def _check(self, payout, balances, net, label):
        company_currency = self.shop.company_id.currency_id.name
        currency = (payout.get("net") or {}).get("currencyCode")
        if currency and currency != company_currency:
            raise ConfigurationError(
                self.env._(
                    "%(payout)s is in %(currency)s, company %(company)s keeps its books in %(company_currency)s: "
                    "payouts are booked in the company currency only.",
                    payout=label,
                    currency=currency,
                    company=self.shop.company_id.name,
                    company_currency=company_currency,
                ),
                missing=self.env._("a company in %s for this store", currency),
                fix_model="shopify.shop",
            )
        total = sum((b["net"] for b in balances), amap.to_decimal(0))
        if total != net:
            raise DataConflictError(
                self.env._(
                    "%(payout)s pays out %(net)s but its balance transactions net %(total)s: nothing was booked.",
                    payout=label,
                    net=f"{net:.2f}",
                    total=f"{total:.2f}",
                ),
                missing=self.env._("the complete list of the payout's balance transactions"),
            )

    # -- booking -------------------------------------------------------------------
    def _partner(self, balance):
        order = balance["order_id"] and self.env["shopify.order.binding"]._record(self.shop, balance["order_id"])
        return order.partner_invoice_id.commercial_partner_id if order else self.env["res.partner"]

    def _entry(self, payout, balances, net, label):
        shop = self.shop
        names, line_vals = {}, []
        for balance in balances:
            account = (
                shop.payout_clearing_account_id if amap.settles_payment(balance) else shop.payout_dispute_account_id
            )
            names[balance["id"]] = f"{balance['type']} {balance['order_name'] or ''} [{balance['id']}]".replace(
                "  ", " "
            )
            line_vals.append(
                {
                    "name": names[balance["id"]],
                    "account_id": account.id,
                    "partner_id": self._partner(balance).id or False,
                    "balance": -float(balance["amount"]),
                }
            )
        fees = sum((b["fee"] for b in balances), amap.to_decimal(0))
        if fees:
            line_vals.append(
                {
                    "name": self.env._("Shopify Payments fees, %s", label),
                    "account_id": shop.payout_fee_account_id.id,
                    "balance": float(fees),
                }
            )
        line_vals.append(
            {
                "name": self.env._("%s, net amount", label),
                "account_id": shop.payout_transit_account_id.id,
                "balance": float(net),
            }
        )
        move = (
            self.env["account.move"]
            .with_company(shop.company_id)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": shop.payout_journal_id.id,
                    "date": amap.parse_datetime(payout.get("issuedAt")).date(),
                    "ref": self.env._("Shopify %s", label),
                    "line_ids": [Command.create(vals) for vals in line_vals],
                }
            )
        )
        move.action_post()
        lines = {
            bt_id: move.line_ids.filtered(lambda line, n=name: line.name == n)[:1] for bt_id, name in names.items()
        }
        return move, lines

    def _clear(self, balance, line):
        """Reconcile a charge or refund line with the clearing line of its payment; 1 if cleared."""
        if not (amap.settles_payment(balance) and balance["transaction_id"]):
            return 0
        payment = self.env["shopify.transaction.binding"]._record(self.shop, balance["transaction_id"])
        counterpart = payment.move_id.line_ids.filtered(
            lambda aml: aml.account_id == line.account_id and not aml.reconciled
        )
        if not counterpart:
            return 0
        (counterpart + line).reconcile()
        return 1

    def _dispute_activity(self, balance, label):
        order = balance["order_id"] and self.env["shopify.order.binding"]._record(self.shop, balance["order_id"])
        target = order or self.shop
        target.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Shopify dispute on %s", balance["order_name"] or label)[:250],
            note=self.env._(
                "Shopify Payments withdrew %(amount)s (fee %(fee)s) for a dispute, in %(payout)s. "
                "Answer the dispute in Shopify.",
                amount=f"{-balance['amount']:.2f}",
                fee=f"{balance['fee']:.2f}",
                payout=label,
            ),
            user_id=(self.shop.user_id or self.env.ref("base.user_admin")).id,
        )
