"""Generated orders: their lines, discount, shipping, totals and the sales that pay them.

Mixed into ``Generator`` (generator.py); every draw from its seeded RNG happens in the
order it always did, so that a seed gives the same store as before.
"""

import copy
from decimal import Decimal

from .formatting import cents, gid, rest_money, to_decimal
from .totals import recompute_totals

SHIPPING_METHODS = [
    ("Standard Shipping", "STANDARD", "5.00"),
    ("Express Shipping", "EXPRESS", "15.00"),
]
DISCOUNT_CODE, DISCOUNT_PERCENT = "WELCOME10", Decimal("0.10")
GATEWAY = "shopify_payments"
# in a split tender, each gateway but the last pays this much (at most half the order)
SPLIT_SHARE = Decimal("10.00")


class OrderMaking:
    """Orders of a generator's customers and catalogue: uses its ``rng``, ``store``,
    ``tax_rate``, ``gateways``, ``address()`` and ``_pairs``."""

    def order(self, customer, catalogue, lines_per_order):
        oid, number = self.store.next_id(), self.store.next_order_number()
        chosen = self._chosen_variants(catalogue, lines_per_order)
        discounted = self.rng.random() < 0.3
        shipping_method = self.rng.choice(SHIPPING_METHODS)
        order = self._order_head(oid, number, customer, self._order_address(customer))
        order["line_items"] = [
            self.line(product, variant, discounted) for product, variant in chosen
        ]
        order["shipping_lines"] = [self._shipping_line(*shipping_method)]
        order.update(discount_codes=[], discount_applications=[], fulfillments=[], refunds=[])
        if discounted:
            order["discount_applications"] = [_discount_application()]
        recompute_totals(order)
        order["transactions"] = self.transactions(order)
        if discounted:
            order["discount_codes"] = [
                {"code": DISCOUNT_CODE, "amount": order["total_discounts"], "type": "percentage"}
            ]
        return order

    def transactions(self, order):
        """The sales that pay ``order`` (see ``sales``)."""
        return sales(self.gateways, order["total_price"])

    def _catalogue_pairs(self, catalogue):
        if self._pairs[0] is not catalogue:
            pairs = [(product, variant) for product in catalogue for variant in product["variants"]]
            self._pairs = (catalogue, pairs)
        return self._pairs[1]

    def _chosen_variants(self, catalogue, lines_per_order):
        """(product, variant) of each line: distinct while the catalogue has enough."""
        pairs = self._catalogue_pairs(catalogue)
        chosen = self.rng.sample(pairs, min(lines_per_order, len(pairs)))
        chosen += [self.rng.choice(pairs) for _extra in range(lines_per_order - len(chosen))]
        return chosen

    def _order_address(self, customer):
        address = customer.get("default_address") or self.address(
            customer["first_name"], customer["last_name"], customer.get("phone")
        )
        return {k: v for k, v in address.items() if k not in ("id", "customer_id", "default")}

    def _order_head(self, oid, number, customer, address):
        """The order's own fields, its customer and addresses (no lines yet)."""
        return {
            "id": oid,
            "admin_graphql_api_id": gid("Order", oid),
            "name": f"#{number}",
            "number": number - 1000,
            "order_number": number,
            "email": customer.get("email"),
            "contact_email": customer.get("email"),
            "phone": customer.get("phone"),
            "currency": self.store.currency,
            "presentment_currency": self.store.currency,
            "financial_status": "paid",
            "fulfillment_status": None,
            "confirmed": True,
            "test": False,
            "taxes_included": False,
            "estimated_taxes": False,
            "source_name": "web",
            "gateway": self.gateways[0],
            "payment_gateway_names": list(dict.fromkeys(self.gateways)),
            "buyer_accepts_marketing": False,
            "note": None,
            "note_attributes": [],
            "tags": "",
            "customer_locale": "en",
            "cancelled_at": None,
            "cancel_reason": None,
            "closed_at": None,
            "customer": {
                k: copy.copy(v) if isinstance(v, dict | list) else v
                for k, v in customer.items()
                if k != "addresses"
            },
            "billing_address": dict(address),
            "shipping_address": dict(address),
        }

    def _tax_lines(self):
        """One State Tax line; its price is set by recompute_totals."""
        return [
            {
                "title": "State Tax",
                "rate": float(self.tax_rate),
                "price": "0.00",
                "channel_liable": False,
            }
        ]

    def _shipping_line(self, title, code, price):
        return {
            "id": self.store.next_id(),
            "title": title,
            "code": code,
            "source": "shopify",
            "price": price,
            "discounted_price": price,
            "discount_allocations": [],
            "tax_lines": self._tax_lines(),
        }

    def line(self, product, variant, discounted):
        quantity = self.rng.randint(1, 3)
        price = to_decimal(variant["price"])
        discount = cents(price * quantity * DISCOUNT_PERCENT) if discounted else Decimal("0")
        line_id = self.store.next_id()
        allocations = (
            [{"amount": rest_money(discount), "discount_application_index": 0}]
            if discounted
            else []
        )
        return {
            "id": line_id,
            "admin_graphql_api_id": gid("LineItem", line_id),
            "variant_id": variant["id"],
            "product_id": product["id"],
            "title": product["title"],
            "variant_title": variant["title"],
            "name": f"{product['title']} - {variant['title']}",
            "sku": variant["sku"],
            "vendor": product.get("vendor"),
            "quantity": quantity,
            "current_quantity": quantity,
            "fulfillable_quantity": quantity,
            "fulfillment_status": None,
            "fulfillment_service": "manual",
            "grams": variant.get("grams", 0),
            "price": rest_money(price),
            "total_discount": rest_money(discount),
            "discount_allocations": allocations,
            "requires_shipping": True,
            "taxable": True,
            "gift_card": False,
            "product_exists": True,
            "properties": [],
            "tax_lines": self._tax_lines(),
        }


def _discount_application():
    return {
        "type": "discount_code",
        "code": DISCOUNT_CODE,
        "value": "10.0",
        "value_type": "percentage",
        "allocation_method": "across",
        "target_selection": "all",
        "target_type": "line_item",
    }


def sales(gateways, total_price):
    """One successful sale per gateway; a single sale has no amount: it is for the order's
    total (also once a test recomputes it). In a split tender each gateway but the last pays
    ``SPLIT_SHARE`` (at most half the order between them), the last the rest."""
    sales_ = [{"kind": "sale", "status": "success", "gateway": g} for g in gateways]
    if len(sales_) > 1:
        total, others = to_decimal(total_price), len(sales_) - 1
        share = min(SPLIT_SHARE, cents(total / (2 * others)))
        for index, sale in enumerate(sales_):
            sale["amount"] = rest_money(share if index < others else total - share * others)
    return sales_
