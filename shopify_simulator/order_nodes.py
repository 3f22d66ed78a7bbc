"""GraphQL objects of orders: line items, shipping, fulfillments, fulfillment orders."""

from decimal import Decimal

from .formatting import enum_value, gid, graphql_time, to_decimal
from .pagination import paged

FINANCIAL = {
    "AUTHORIZED",
    "EXPIRED",
    "PAID",
    "PARTIALLY_PAID",
    "PARTIALLY_REFUNDED",
    "PENDING",
    "REFUNDED",
    "VOIDED",
}
FULFILLMENT_DISPLAY = {
    "fulfilled": "FULFILLED",
    "partial": "PARTIALLY_FULFILLED",
    "restocked": "RESTOCKED",
    "in_progress": "IN_PROGRESS",
    "on_hold": "ON_HOLD",
    "scheduled": "SCHEDULED",
}
RISK_LEVELS = {"HIGH", "LOW", "MEDIUM", "NONE", "PENDING"}
RISK_RECOMMENDATIONS = {"ACCEPT", "CANCEL", "INVESTIGATE", "NONE"}
HOLD_REASONS = {
    "AWAITING_PAYMENT",
    "AWAITING_RETURN_ITEMS",
    "HIGH_RISK_OF_FRAUD",
    "INCORRECT_ADDRESS",
    "INVENTORY_OUT_OF_STOCK",
    "ONLINE_STORE_POST_PURCHASE_CROSS_SELL",
    "OTHER",
    "UNKNOWN_DELIVERY_DATE",
}
CANCEL_REASONS = {"CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF"}
PAYMENT_TERMS_TYPES = {"FIXED", "FULFILLMENT", "NET", "RECEIPT", "UNKNOWN"}
FULFILLMENT_STATUSES = {"CANCELLED", "ERROR", "FAILURE", "OPEN", "PENDING", "SUCCESS"}


def sum_decimal(values):
    return sum((to_decimal(v) for v in values), Decimal("0"))


class OrderNodes:
    """Mixed into NodeFactory, which provides ``store``, ``money()``, ``customer()``..."""

    def tax_lines(self, rest_lines, order=None):
        return [
            {
                "title": tax.get("title") or "Tax",
                "rate": float(tax.get("rate") or 0),
                "ratePercentage": round(float(tax.get("rate") or 0) * 100, 4),
                "priceSet": self.money(tax.get("price"), order),
                "channelLiable": bool(tax.get("channel_liable")),
            }
            for tax in rest_lines or []
        ]

    def _unfulfilled(self, order_id, line_id):
        """What is left to ship of a line: its fulfillment order lines' remaining quantities."""
        return sum(
            line["remaining"]
            for fo in self.store.fulfillment_orders_of(order_id)
            if fo["status"] != "CANCELLED"
            for line in fo["lines"]
            if line["line_item_id"] == line_id
        )

    def line_item(self, rest, order):
        quantity = int(rest.get("quantity") or 0)
        price = to_decimal(rest.get("price"))
        discount = to_decimal(rest.get("total_discount"))
        line_id = int(rest["id"])
        variant_id = int(rest.get("variant_id") or 0)
        product_id = int(rest.get("product_id") or 0)
        unit = (
            ((price * quantity - discount) / quantity).quantize(Decimal("0.01"))
            if quantity
            else price
        )
        return {
            "__typename": "LineItem",
            "id": gid("LineItem", line_id),
            "name": rest.get("name")
            or " - ".join(filter(None, [rest.get("title"), rest.get("variant_title")])),
            "title": rest.get("title") or "",
            "variantTitle": rest.get("variant_title"),
            "sku": rest.get("sku"),
            "vendor": rest.get("vendor"),
            "quantity": quantity,
            "currentQuantity": self.store.current_quantity(int(order["id"]), rest),
            "unfulfilledQuantity": lambda _info: self._unfulfilled(int(order["id"]), line_id),
            "requiresShipping": bool(rest.get("requires_shipping", True)),
            "isGiftCard": bool(rest.get("gift_card")),
            "duties": [self.duty(duty) for duty in rest.get("duties") or []],
            "taxable": bool(rest.get("taxable", True)),
            "variant": lambda _info: self.variant(self.store.variants.get(variant_id)),
            "product": lambda _info: self.product(self.store.products.get(product_id)),
            "originalUnitPriceSet": self.money(price, order),
            "discountedUnitPriceSet": self.money(unit, order),
            "totalDiscountSet": self.money(discount, order),
            "originalTotalSet": self.money(price * quantity, order),
            "discountedTotalSet": self.money(price * quantity - discount, order),
            "taxLines": lambda _info, first=None: self.tax_lines(rest.get("tax_lines"), order)[
                :first
            ],
        }

    def purchasing_entity(self, rest):
        """A B2B order (REST ``company``: id, location_id): its location; else its customer."""
        placed_for = rest.get("company") or {}
        company = self.store.companies.get(int(placed_for.get("id") or 0))
        if not company:
            return self.customer(rest.get("customer"))
        location_id = int(placed_for.get("location_id") or 0)
        location = next(
            (loc for loc in company["locations"] if int(loc["id"]) == location_id), None
        )
        # an order keeps the location it was placed for, deleted since or not
        location = location or (self.store.removed.get(("locations", location_id)) or (None,))[0]
        customer_id = int((rest.get("customer") or {}).get("id") or 0)
        contact = next(
            (c for c in company["contacts"] if int(c["customer_id"]) == customer_id), None
        )
        return {
            "__typename": "PurchasingCompany",
            "company": self.company(company),
            "location": self.company_location(location, company) if location else None,
            "contact": self.company_contact(contact, company) if contact else None,
        }

    def payment_terms(self, rest):
        """A B2B order's payment terms (REST ``payment_terms``: name, type, due_in_days)."""
        if not rest:
            return None
        return {
            "__typename": "PaymentTerms",
            "id": gid("PaymentTerms", rest.get("id") or 1),
            "paymentTermsName": rest.get("payment_terms_name") or "",
            "paymentTermsType": enum_value(
                rest.get("payment_terms_type"), PAYMENT_TERMS_TYPES, "NET"
            ),
            "dueInDays": rest.get("due_in_days"),
        }

    def shipping_line(self, rest, order=None):
        return {
            "id": gid("ShippingLine", rest["id"]) if rest.get("id") else None,
            "title": rest.get("title") or "Shipping",
            "code": rest.get("code"),
            "source": rest.get("source"),
            "originalPriceSet": self.money(rest.get("price"), order),
            "discountedPriceSet": self.money(
                rest.get("discounted_price") or rest.get("price"), order
            ),
            "taxLines": self.tax_lines(rest.get("tax_lines"), order),
        }

    def order(self, rest):
        if not rest:
            return None
        oid = int(rest["id"])
        store = self.store
        shipping = sum_decimal(
            s.get("discounted_price") or s.get("price") for s in rest.get("shipping_lines") or []
        )

        def refunded(_info):
            amounts = (
                t.get("amount")
                for r in store.refunds.values()
                if r["order_id"] == oid
                for t in r.get("transactions") or []
                if t.get("kind") == "refund" and t.get("status", "success") == "success"
            )
            return self.money(sum_decimal(amounts), rest)

        order_taxes = rest.get("tax_lines") or _merge_taxes(rest)
        duties = sum_decimal(
            duty.get("price")
            for line in rest.get("line_items") or []
            for duty in line.get("duties") or []
        )
        fees = sum_decimal(fee.get("price") for fee in rest.get("additional_fees") or [])
        return {
            "__typename": "Order",
            "id": gid("Order", oid),
            "legacyResourceId": str(oid),
            "name": rest.get("name") or f"#{oid}",
            "email": rest.get("email"),
            "phone": rest.get("phone"),
            "sourceName": rest.get("source_name"),
            "retailLocation": lambda _info: self.location(rest.get("location_id")),
            "risk": self.order_risk(rest),
            "totalTipReceivedSet": self.money(rest.get("total_tip_received")),
            "originalTotalDutiesSet": self.money(duties) if duties else None,
            "currentTotalDutiesSet": self.money(duties) if duties else None,
            "additionalFees": [
                self.additional_fee(fee) for fee in rest.get("additional_fees") or []
            ],
            "originalTotalAdditionalFeesSet": self.money(fees) if fees else None,
            "currentTotalAdditionalFeesSet": self.money(fees) if fees else None,
            "createdAt": graphql_time(rest.get("created_at")),
            "updatedAt": graphql_time(rest.get("updated_at")),
            "processedAt": graphql_time(rest.get("processed_at") or rest.get("created_at")),
            "cancelledAt": graphql_time(rest.get("cancelled_at")),
            "cancelReason": enum_value(rest.get("cancel_reason"), CANCEL_REASONS)
            if rest.get("cancelled_at")
            else None,
            "closed": bool(rest.get("closed_at")),
            "edited": bool(rest.get("edited")),
            "closedAt": graphql_time(rest.get("closed_at")),
            "test": bool(rest.get("test")),
            "displayFinancialStatus": enum_value(rest.get("financial_status"), FINANCIAL),
            "displayFulfillmentStatus": FULFILLMENT_DISPLAY.get(
                rest.get("fulfillment_status") or "", "UNFULFILLED"
            ),
            "currencyCode": rest.get("currency") or self.currency,
            "presentmentCurrencyCode": rest.get("presentment_currency")
            or rest.get("currency")
            or self.currency,
            "taxesIncluded": bool(rest.get("taxes_included")),
            "note": rest.get("note"),
            "poNumber": rest.get("po_number"),
            "paymentTerms": self.payment_terms(rest.get("payment_terms")),
            "purchasingEntity": lambda _info: self.purchasing_entity(rest),
            "tags": [t.strip() for t in (rest.get("tags") or "").split(",") if t.strip()],
            "customer": lambda _info: self.customer(rest.get("customer")),
            "billingAddress": self.address(rest.get("billing_address")),
            "shippingAddress": self.address(rest.get("shipping_address")),
            "totalPriceSet": self.money(rest.get("total_price"), rest),
            "subtotalPriceSet": self.money(rest.get("subtotal_price"), rest),
            "totalTaxSet": self.money(rest.get("total_tax"), rest),
            "totalDiscountsSet": self.money(rest.get("total_discounts"), rest),
            "totalShippingPriceSet": self.money(shipping, rest),
            "currentTotalPriceSet": self.money(
                rest.get("current_total_price") or rest.get("total_price"), rest
            ),
            "currentSubtotalPriceSet": self.money(
                rest.get("current_subtotal_price") or rest.get("subtotal_price"), rest
            ),
            "currentTotalTaxSet": self.money(
                rest.get("current_total_tax") or rest.get("total_tax"), rest
            ),
            "totalRefundedSet": refunded,
            "lineItems": paged(
                lambda: [self.line_item(li, rest) for li in rest.get("line_items") or []]
            ),
            "shippingLines": paged(
                lambda: [self.shipping_line(s, rest) for s in rest.get("shipping_lines") or []]
            ),
            "taxLines": lambda _info, first=None: self.tax_lines(order_taxes, rest)[:first],
            "transactions": lambda _info, first=None, **_filters: self.order_transaction_list(oid)[
                :first
            ],
            "fulfillments": lambda _info, first=None: [
                self.fulfillment(f) for f in store.fulfillments.values() if f["order_id"] == oid
            ][:first],
            "refunds": lambda _info, first=None: [
                self.refund(r) for r in store.refunds.values() if r["order_id"] == oid
            ][:first],
            "fulfillmentOrders": paged(
                lambda: [self.fulfillment_order(fo) for fo in store.fulfillment_orders_of(oid)]
            ),
            "returns": paged(
                lambda: [
                    self.return_node(r) for r in store.returns.values() if r["order_id"] == oid
                ]
            ),
            **self.metafield_fields(gid("Order", oid)),
        }

    def _order_line(self, order_id, line_item_id):
        order = self.store.orders.get(int(order_id)) or {}
        rest = next(
            (li for li in order.get("line_items") or [] if int(li["id"]) == int(line_item_id)), None
        )
        return self.line_item(rest, order) if rest else None

    def fulfillment(self, rest):
        if not rest:
            return None
        fid, oid = int(rest["id"]), rest["order_id"]
        numbers = rest.get("tracking_numbers") or []
        urls = rest.get("tracking_urls") or []
        tracking = [
            {
                "company": rest.get("tracking_company"),
                "number": number,
                "url": urls[i] if i < len(urls) else None,
            }
            for i, number in enumerate(numbers)
        ]
        if not tracking and (rest.get("tracking_company") or urls):
            tracking = [
                {
                    "company": rest.get("tracking_company"),
                    "number": None,
                    "url": (urls or [None])[0],
                }
            ]
        lines = rest.get("line_items") or []
        return {
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", fid),
            "legacyResourceId": str(fid),
            "name": rest.get("name") or str(fid),
            "status": enum_value(rest.get("status"), FULFILLMENT_STATUSES, "SUCCESS"),
            "createdAt": graphql_time(rest.get("created_at")),
            "updatedAt": graphql_time(rest.get("updated_at")),
            "order": lambda _info: self.order(self.store.orders.get(oid)),
            "totalQuantity": sum(int(li.get("quantity") or 0) for li in lines),
            "trackingInfo": lambda _info, first=None: tracking[:first],
            "location": lambda _info: self.location(rest.get("location_id")),
            "fulfillmentLineItems": paged(
                lambda: [
                    {
                        "__typename": "FulfillmentLineItem",
                        "id": gid(
                            "FulfillmentLineItem", li.get("fulfillment_line_item_id") or li["id"]
                        ),
                        "quantity": int(li.get("quantity") or 0),
                        "originalTotalSet": self.money(
                            to_decimal(self._line_price(oid, li["id"]))
                            * int(li.get("quantity") or 0)
                        ),
                        "lineItem": self._order_line(oid, li["id"]),
                    }
                    for li in lines
                ]
            ),
        }

    def _line_price(self, order_id, line_item_id):
        order = self.store.orders.get(int(order_id)) or {}
        line = next(
            (li for li in order.get("line_items") or [] if int(li["id"]) == int(line_item_id)), {}
        )
        return line.get("price")

    def fulfillment_order(self, fo):
        if not fo:
            return None
        location = self.store.locations.get(fo["location_id"]) or {}
        return {
            "__typename": "FulfillmentOrder",
            "id": gid("FulfillmentOrder", fo["id"]),
            "status": fo.get("status", "OPEN"),
            "createdAt": graphql_time(fo.get("created_at")),
            "updatedAt": graphql_time(fo.get("updated_at")),
            "assignedLocation": {
                "location": self.location(fo["location_id"]),
                "name": location.get("name") or "",
                "countryCode": location.get("country_code") or "US",
            },
            "order": lambda _info: self.order(self.store.orders.get(fo["order_id"])),
            "fulfillmentHolds": [self.fulfillment_hold(hold) for hold in fo.get("holds") or []],
            "lineItems": paged(
                lambda: [
                    {
                        "__typename": "FulfillmentOrderLineItem",
                        "id": gid("FulfillmentOrderLineItem", line["id"]),
                        "totalQuantity": line["total"],
                        "remainingQuantity": line["remaining"],
                        "sku": (self._order_line(fo["order_id"], line["line_item_id"]) or {}).get(
                            "sku"
                        ),
                        "lineItem": self._order_line(fo["order_id"], line["line_item_id"]),
                    }
                    for line in fo["lines"]
                ]
            ),
        }

    def duty(self, rest):
        return {
            "id": gid("Duty", rest["id"]),
            "price": self.money(rest.get("price")),
            "taxLines": self.tax_lines(rest.get("tax_lines")),
            "harmonizedSystemCode": rest.get("harmonized_system_code"),
        }

    def additional_fee(self, rest):
        return {
            "id": gid("AdditionalFee", rest["id"]),
            "name": rest.get("name") or "Fee",
            "price": self.money(rest.get("price")),
            "taxLines": self.tax_lines(rest.get("tax_lines")),
        }

    @staticmethod
    def fulfillment_hold(hold):
        reason = enum_value(hold.get("reason"), HOLD_REASONS, "OTHER")
        return {
            "id": gid("FulfillmentHold", hold["id"]),
            "reason": reason,
            "reasonNotes": hold.get("reason_notes"),
            "displayReason": reason.replace("_", " ").capitalize(),
            "heldByRequestingApp": False,
            "handle": hold.get("handle") or "",
        }

    @staticmethod
    def order_risk(rest):
        """Order.risk: every assessment made so far and Shopify's recommendation
        (the stored order's ``risk_*`` keys)."""
        assessments = [
            {
                "riskLevel": enum_value(a.get("risk_level"), RISK_LEVELS, "NONE"),
                "facts": [
                    {
                        "description": f.get("description") or "",
                        "sentiment": f.get("sentiment") or "NEUTRAL",
                    }
                    for f in a.get("facts") or []
                ],
            }
            for a in rest.get("risk_assessments") or []
        ]
        return {
            "recommendation": enum_value(
                rest.get("risk_recommendation"), RISK_RECOMMENDATIONS, "NONE"
            ),
            "assessments": assessments,
        }


def _merge_taxes(rest):
    """Order-level tax lines: the line and shipping taxes summed by title and rate."""
    merged = {}
    lines = (rest.get("line_items") or []) + (rest.get("shipping_lines") or [])
    for tax in (t for line in lines for t in line.get("tax_lines") or []):
        key = (tax.get("title"), tax.get("rate"))
        entry = merged.setdefault(key, {"title": key[0], "rate": key[1], "price": Decimal("0")})
        entry["price"] += to_decimal(tax.get("price"))
    return list(merged.values())
