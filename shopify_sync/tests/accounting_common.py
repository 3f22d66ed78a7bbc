"""Journals, accounts and gateway mappings of an accounting test shop."""

import uuid

from odoo import Command


def make_account(env, name, account_type, reconcile=False):
    return env["account.account"].create(
        {"name": name, "code": f"S{uuid.uuid4().int % 10**6:06d}", "account_type": account_type, "reconcile": reconcile}
    )


def make_journal(env, name, journal_type, outstanding=None):
    journal = env["account.journal"].create(
        {"name": name, "type": journal_type, "code": f"S{uuid.uuid4().hex[:4].upper()}"}
    )
    if outstanding:
        journal.inbound_payment_method_line_ids.payment_account_id = outstanding
        journal.outbound_payment_method_line_ids.payment_account_id = outstanding
    return journal


def setup_accounting(env, shop, policy="on_paid"):
    """Shopify Payments through a clearing account, PayPal, gift cards as a liability; payouts configured."""
    books = type("Books", (), {})()
    books.clearing = make_account(env, "Shopify Payments clearing", "asset_current", reconcile=True)
    books.transit = make_account(env, "Shopify payouts in transit", "asset_current", reconcile=True)
    books.fees = make_account(env, "Payment processing fees", "expense")
    books.disputes = make_account(env, "Shopify disputes and adjustments", "asset_current", reconcile=True)
    books.gift_liability = make_account(env, "Gift cards outstanding", "liability_current", reconcile=True)
    books.card = make_journal(env, "Shopify Payments", "bank", outstanding=books.clearing)
    books.paypal = make_journal(env, "PayPal", "bank")
    books.gift = make_journal(env, "Gift cards", "cash", outstanding=books.gift_liability)
    books.gift_product = env["product.product"].create(
        {
            "name": "Gift card",
            "type": "service",
            "invoice_policy": "order",
            "property_account_income_id": books.gift_liability.id,
            "taxes_id": [Command.clear()],
        }
    )
    shop.write(
        {
            "invoice_policy": policy,
            "gift_card_product_id": books.gift_product.id,
            "gift_card_account_id": books.gift_liability.id,
            "payout_journal_id": books.card.id,
            "payout_clearing_account_id": books.clearing.id,
            "payout_transit_account_id": books.transit.id,
            "payout_fee_account_id": books.fees.id,
            "payout_dispute_account_id": books.disputes.id,
            "gateway_mapping_ids": [
                Command.create({"gateway": "shopify_payments", "journal_id": books.card.id}),
                Command.create({"gateway": "paypal", "journal_id": books.paypal.id}),
                Command.create({"gateway": "gift_card", "journal_id": books.gift.id}),
            ],
        }
    )
    return books
