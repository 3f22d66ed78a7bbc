"""A shop's books as the tools set them up, and every read the tools make of its accounting records.

The set-up is the one readme/AUTHORITY.md describes: Shopify Payments payments in a
bank journal whose outstanding receipts account is the Shopify Payments clearing
account, PayPal in a journal of its own, gift cards in a cash journal whose
outstanding account is the gift-card liability; payouts booked in the Shopify Payments
journal, their net amount in "payouts in transit", fees in an expense account.
It is idempotent (found by code, else created), so a run on a kept database reuses it.

The reads follow the addon's bindings: ``shopify.invoice.binding`` (order -> invoice),
``shopify.transaction.binding`` (transaction -> account.payment, with ``order_shopify_id``),
``shopify.refund.binding`` (refund -> credit note), ``shopify.payout.binding`` (payout ->
entry) and ``shopify.balance.transaction.binding`` (balance transaction -> entry line).
They take an environment.
"""

from collections import Counter

# key: (code, name, account type, reconcilable)
ACCOUNTS = {
    "clearing": ("SHPCLR", "Shopify Payments clearing", "asset_current", True),
    "paypal": ("SHPPPL", "PayPal outstanding receipts", "asset_current", True),
    "transit": ("SHPTRN", "Shopify payouts in transit", "asset_current", True),
    "fees": ("SHPFEE", "Payment processing fees", "expense", False),
    "disputes": ("SHPDSP", "Shopify disputes and adjustments", "asset_current", True),
    "gift_liability": ("SHPGFT", "Gift cards outstanding", "liability_current", True),
}
# gateway: (journal code, name, type, outstanding account key)
JOURNALS = {
    "shopify_payments": ("SHPAY", "Shopify Payments", "bank", "clearing"),
    "paypal": ("PYPAL", "PayPal", "bank", "paypal"),
    "gift_card": ("GIFTC", "Gift cards", "cash", "gift_liability"),
}
GIFT_CARD_SKU = "SHOPIFY-GIFT-CARD"


def _account(env, company, key):
    code, name, account_type, reconcile = ACCOUNTS[key]
    accounts = env["account.account"].with_company(company)
    found = accounts.search([("code", "=", code), ("company_ids", "in", company.id)], limit=1)
    return found or accounts.create({"code": code, "name": name, "account_type": account_type, "reconcile": reconcile})


def _journal(env, company, gateway, accounts):
    code, name, journal_type, outstanding = JOURNALS[gateway]
    journals = env["account.journal"].with_company(company)
    journal = journals.search([("code", "=", code), ("company_id", "=", company.id)], limit=1)
    if not journal:
        journal = journals.create({"name": name, "type": journal_type, "code": code, "company_id": company.id})
        account = accounts[outstanding]
        journal.inbound_payment_method_line_ids.payment_account_id = account
        journal.outbound_payment_method_line_ids.payment_account_id = account
    return journal


def configure_accounting(env, shop_id, policy="on_paid"):
    """Books, gateway mappings and payout accounts of the shop; {gateway: journal id}."""
    shop = env["shopify.shop"].browse(shop_id)
    company = shop.company_id
    accounts = {key: _account(env, company, key) for key in ACCOUNTS}
    journals = {gateway: _journal(env, company, gateway, accounts) for gateway in JOURNALS}
    products = env["product.product"].with_company(company)
    gift = products.search([("default_code", "=", GIFT_CARD_SKU)], limit=1) or products.create(
        {
            "name": "Gift card",
            "default_code": GIFT_CARD_SKU,
            "type": "service",
            "invoice_policy": "order",
            "property_account_income_id": accounts["gift_liability"].id,
            "taxes_id": [(5, 0, 0)],
        }
    )
    mapped = set(shop.gateway_mapping_ids.mapped("gateway"))
    shop.write(
        {
            "invoice_policy": policy,
            "post_credit_notes": True,
            "gift_card_product_id": gift.id,
            "gift_card_account_id": accounts["gift_liability"].id,
            "payout_journal_id": journals["shopify_payments"].id,
            "payout_clearing_account_id": accounts["clearing"].id,
            "payout_transit_account_id": accounts["transit"].id,
            "payout_fee_account_id": accounts["fees"].id,
            "payout_dispute_account_id": accounts["disputes"].id,
            "gateway_mapping_ids": [
                (0, 0, {"gateway": gateway, "journal_id": journal.id})
                for gateway, journal in journals.items()
                if gateway not in mapped
            ],
        }
    )
    return {gateway: journal.id for gateway, journal in journals.items()}


def set_invoice_policy(env, shop_id, policy):
    env["shopify.shop"].browse(shop_id).invoice_policy = policy


# -- invoices ----------------------------------------------------------------------------------------
def invoice_summary(env, shop_id):
    """{"invoices", "posted", "paid", "orders_invoiced_twice"} of the shop's Shopify orders."""
    invoices = env["shopify.invoice.binding"].search([("shop_id", "=", shop_id)]).odoo_id
    orders = env["shopify.order.binding"].search([("shop_id", "=", shop_id)]).odoo_id
    twice = orders.filtered(
        lambda o: len(o.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state != "cancel")) > 1
    )
    return {
        "invoices": len(invoices),
        "posted": len(invoices.filtered(lambda m: m.state == "posted")),
        "paid": len(invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))),
        "orders_invoiced_twice": len(twice),
    }


def invoices_of_orders(env, shop_id, order_ids):
    """{Shopify order id: (invoice name, state, payment state, total)} of ``order_ids`` (invoiced ones)."""
    bindings = env["shopify.invoice.binding"].search(
        [("shop_id", "=", shop_id), ("shopify_id", "in", [str(i) for i in order_ids])]
    )
    return {
        b.shopify_id: (b.odoo_id.name, b.odoo_id.state, b.odoo_id.payment_state, b.odoo_id.amount_total)
        for b in bindings
    }


def paid_invoices(cr, shop_id, order_ids):
    """How many of the Shopify orders ``order_ids`` have a posted invoice paid in full (a cursor read)."""
    cr.execute(
        "SELECT count(*) FROM shopify_invoice_binding b JOIN account_move m ON m.id = b.odoo_id "
        "WHERE b.shop_id = %s AND b.shopify_id = ANY(%s) AND m.state = 'posted' "
        "AND m.payment_state IN ('paid', 'in_payment')",
        (shop_id, [str(i) for i in order_ids]),
    )
    return cr.fetchone()[0]


# -- payments ----------------------------------------------------------------------------------------
def payments_by_journal(env, shop_id, order_ids=None):
    """{(journal name, "in" or "out"): payments} of the shop's Shopify transactions (of ``order_ids``)."""
    domain = [("shop_id", "=", shop_id)]
    if order_ids is not None:
        domain.append(("order_shopify_id", "in", [str(i) for i in order_ids]))
    payments = env["shopify.transaction.binding"].search(domain).odoo_id
    return Counter((p.journal_id.name, "in" if p.payment_type == "inbound" else "out") for p in payments)


def transactions_booked_twice(cr, shop_id):
    """Shopify transactions with more than one Odoo payment (their memo names the transaction id)."""
    cr.execute(
        "SELECT count(*) FROM (SELECT b.shopify_id FROM shopify_transaction_binding b "
        "JOIN account_payment p ON p.memo LIKE '%% ' || b.shopify_id || ' (%%' "
        "WHERE b.shop_id = %s AND p.state != 'canceled' GROUP BY b.shopify_id HAVING count(p.id) > 1) d",
        (shop_id,),
    )
    return cr.fetchone()[0]


# -- credit notes ------------------------------------------------------------------------------------
def credit_notes(env, shop_id):
    """{Shopify refund id: (credit note name, state, payment state, total)} of the shop's refunds."""
    return {
        b.shopify_id: (b.odoo_id.name, b.odoo_id.state, b.odoo_id.payment_state, b.odoo_id.amount_total)
        for b in env["shopify.refund.binding"].search([("shop_id", "=", shop_id)])
    }


def refunded_before_shipping(env, shop_id, order_id, variant_id):
    """{ordered, removed, open, to_invoice} of an order's line of a variant: its ordered quantity, the units
    taken off because Shopify will not ship them, the units its open delivery still holds, and those
    "to invoice"."""
    shop = env["shopify.shop"].browse(shop_id)
    order = env["shopify.order.binding"]._record(shop, str(order_id))
    product = env["shopify.variant.binding"]._record(shop, str(variant_id))
    line = order.order_line.filtered(lambda sol: sol.product_id == product)[:1]
    moves = line.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
    return {
        "ordered": line.product_uom_qty,
        "removed": line.shopify_removed_qty,
        "open": sum(moves.mapped("product_uom_qty")),
        "to_invoice": line.qty_to_invoice,
    }


# -- payouts -----------------------------------------------------------------------------------------
def payouts(env, shop_id):
    """[{"payout", "entry", "net", "lines": {type: count}, "fees", "transit"}] of the shop's booked payouts."""
    shop = env["shopify.shop"].browse(shop_id)
    out = []
    for binding in env["shopify.payout.binding"].search([("shop_id", "=", shop_id)], order="id"):
        balances = env["shopify.balance.transaction.binding"].search(
            [("shop_id", "=", shop_id), ("payout_shopify_id", "=", binding.shopify_id)]
        )
        move = binding.odoo_id

        def on(account, move=move):
            return sum(move.line_ids.filtered(lambda line: line.account_id == account).mapped("balance"))

        out.append(
            {
                "payout": binding.shopify_id,
                "entry": move.name,
                "net": binding.net_amount,
                "lines": dict(Counter(balances.mapped("transaction_type"))),
                "fees": on(shop.payout_fee_account_id),
                "transit": on(shop.payout_transit_account_id),
            }
        )
    return out


def clearing_of_payouts(env, shop_id):
    """The clearing account for the paid-out transactions: {"lines", "cleared", "net", "account_balance"}.

    ``lines``: the payouts' charge and refund lines on the clearing account; ``cleared``: how many
    are reconciled with their payment's line; ``net``: those lines and their payments' lines
    together (zero when every paid-out payment is cleared); ``account_balance``: the whole account.
    """
    shop = env["shopify.shop"].browse(shop_id)
    clearing = shop.payout_clearing_account_id
    lines = (
        env["shopify.balance.transaction.binding"]
        .search([("shop_id", "=", shop_id)])
        .odoo_id.filtered(lambda line: line.account_id == clearing)
    )
    counterparts = lines.matched_debit_ids.debit_move_id | lines.matched_credit_ids.credit_move_id
    everything = env["account.move.line"].search([("account_id", "=", clearing.id), ("parent_state", "=", "posted")])
    return {
        "lines": len(lines),
        "cleared": len(lines.filtered("reconciled")),
        "net": round(sum(lines.mapped("balance")) + sum(counterparts.mapped("balance")), 2),
        "account_balance": round(sum(everything.mapped("balance")), 2),
    }
