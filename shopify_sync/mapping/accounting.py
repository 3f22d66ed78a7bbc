"""Shopify money -> plain values for invoices, payments and payouts (pure functions)."""

from decimal import Decimal

from ..services.gid import numeric_id
from ..services.shopify_enums import PAYMENT_KINDS, REFUND_KINDS, SETTLING_BALANCE_TYPES
from ..services.shopify_enums import TRANSACTION_SUCCESS as SUCCESS
from .common import SHOP_MONEY, currency_of, money, parse_datetime  # noqa: F401 - parse_datetime used by importers

# The gateways of Shopify's store credit: money owed to the customer, never the merchant's bank.
STORE_CREDIT_GATEWAYS = ("shopify_store_credit", "store_credit")


def is_store_credit(tx):
    """True for a transaction (as ``transaction`` returns it) paid from or refunded to store credit."""
    return (tx.get("gateway") or "").strip().lower() in STORE_CREDIT_GATEWAYS


def transaction(node, side=SHOP_MONEY):
    """One OrderTransaction node as plain values, its amount in ``side`` money (the order's set)."""
    parent = node.get("parentTransaction") or {}
    return {
        "id": numeric_id(node["id"]),
        "kind": (node.get("kind") or "").upper(),
        "status": (node.get("status") or "").upper(),
        "gateway": node.get("gateway") or "",
        "amount": money(node.get("amountSet"), side),
        "currency": currency_of(node.get("amountSet"), side),
        "date": parse_datetime(node.get("processedAt") or node.get("createdAt")),
        "parent_id": numeric_id(parent["id"]) if parent.get("id") else None,
        "test": bool(node.get("test")),
    }


def payments(transaction_nodes, side=SHOP_MONEY):
    """The transactions that moved money to the merchant: successful sales and captures.

    Authorizations move no money (their captures do), voids cancel an authorization
    that never became a payment, failed and pending transactions moved nothing.
    """
    found = (transaction(node, side) for node in transaction_nodes or [])
    return [t for t in found if t["kind"] in PAYMENT_KINDS and t["status"] == SUCCESS and t["amount"] > 0]


def refunds(transaction_nodes, side=SHOP_MONEY):
    """The successful refund transactions: money given back to the customer."""
    found = (transaction(node, side) for node in transaction_nodes or [])
    return [t for t in found if t["kind"] in REFUND_KINDS and t["status"] == SUCCESS and t["amount"] > 0]


def refunded_total(transaction_nodes, side=SHOP_MONEY):
    return sum((t["amount"] for t in refunds(transaction_nodes, side)), Decimal("0"))


def to_decimal(value):
    return Decimal(str(value if value is not None else "0"))


def differs(odoo_amount, shopify_amount, tolerance):
    """True when two amounts differ by more than the tolerance (in currency units)."""
    difference = abs(Decimal(str(round(odoo_amount, 2))) - Decimal(str(shopify_amount)).quantize(Decimal("0.01")))
    return difference > Decimal(str(tolerance or 0)) + Decimal("0.000001")


def balance_transaction(node):
    """One ShopifyPaymentsBalanceTransaction node as plain values; ``amount`` is signed, ``fee`` positive."""
    order = node.get("associatedOrder") or {}
    return {
        "id": numeric_id(node["id"]),
        "type": (node.get("type") or "").upper(),
        "amount": Decimal(str((node.get("amount") or {}).get("amount") or "0")),
        "fee": Decimal(str((node.get("fee") or {}).get("amount") or "0")),
        "net": Decimal(str((node.get("net") or {}).get("amount") or "0")),
        "currency": (node.get("amount") or {}).get("currencyCode"),
        "transaction_id": str(node["sourceOrderTransactionId"]) if node.get("sourceOrderTransactionId") else None,
        "order_id": numeric_id(order["id"]) if order.get("id") else None,
        "order_name": order.get("name"),
        "date": parse_datetime(node.get("transactionDate")),
    }


def settles_payment(balance):
    """CHARGE and REFUND balance transactions settle an Odoo payment in the clearing account."""
    return balance["type"] in SETTLING_BALANCE_TYPES
