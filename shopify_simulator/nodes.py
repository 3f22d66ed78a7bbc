"""REST records of the store -> GraphQL objects (dicts; callables take field arguments)."""

from decimal import Decimal

GID_TYPES = {
    "Order": "order",
    "Customer": "customer",
    "Product": "product",
    "ProductVariant": "variant",
    "Fulfillment": "fulfillment",
    "Refund": "refund",
    "Location": "location",
}


def gid(kind, numeric):
    return f"gid://shopify/{kind}/{numeric}"


def parse_gid(value):
    try:
        _prefix, kind, numeric = value.rsplit("/", 2)
        return kind, int(numeric.split("?")[0])
    except (ValueError, AttributeError):
        return None, None


def money(amount, currency):
    value = {"amount": str(Decimal(str(amount or "0"))), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": value}


def connection(items, first=None, after=None):
    start = int(after) if after and str(after).isdigit() else 0
    size = first if first is not None else 50
    page = items[start : start + size]
    edges = [{"node": node, "cursor": str(start + i + 1)} for i, node in enumerate(page)]
    return {
        "nodes": page,
        "edges": edges,
        "pageInfo": {
            "hasNextPage": start + size < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def paged(builder):
    """A connection field: ``builder()`` gives the full list."""
    return lambda _info, first=None, after=None, **_kw: connection(builder(), first, after)


class NodeFactory:
    def __init__(self, store):
        self.store = store
        self.currency = store.currency

    def _money(self, amount):
        return money(amount, self.currency)

    def address(self, rest):
        if not rest:
            return None
        first, last = rest.get("first_name"), rest.get("last_name")
        return {
            "id": gid("MailingAddress", rest.get("id") or 1),
            "firstName": first,
            "lastName": last,
            "name": rest.get("name") or " ".join(filter(None, [first, last])) or None,
            "company": rest.get("company"),
            "address1": rest.get("address1"),
            "address2": rest.get("address2"),
            "city": rest.get("city"),
            "province": rest.get("province"),
            "provinceCode": rest.get("province_code"),
            "country": rest.get("country"),
            "countryCodeV2": rest.get("country_code"),
            "zip": rest.get("zip"),
            "phone": rest.get("phone"),
        }

    def metafield_lookup(self, owner_gid):
        def metafield(_info, key, namespace=None):
            return self.store.metafields.get(owner_gid, {}).get((namespace or "app", key))

        return metafield

    def customer(self, rest):
        if not rest:
            return None
        cid = int(rest["id"])
        rest = self.store.customers.get(cid, rest)
        name = " ".join(filter(None, [rest.get("first_name"), rest.get("last_name")])) or rest.get("email") or ""
        return {
            "__typename": "Customer",
            "id": gid("Customer", cid),
            "legacyResourceId": str(cid),
            "firstName": rest.get("first_name"),
            "lastName": rest.get("last_name"),
            "displayName": name,
            "email": rest.get("email"),
            "phone": rest.get("phone"),
            "note": rest.get("note"),
            "createdAt": rest.get("created_at"),
            "updatedAt": rest.get("updated_at"),
            "state": (rest.get("state") or "enabled").upper(),
            "tags": [t for t in (rest.get("tags") or "").split(",") if t],
            "verifiedEmail": bool(rest.get("verified_email")),
            "taxExempt": bool(rest.get("tax_exempt")),
            "defaultAddress": self.address(rest.get("default_address")),
            "addresses": lambda _info, first=None: [self.address(a) for a in rest.get("addresses") or []][:first],
            "metafield": self.metafield_lookup(gid("Customer", cid)),
        }

    def variant(self, rest, product=None):
        if not rest:
            return None
        vid = int(rest["id"])
        product_rest = product or self.store.products.get(int(rest.get("product_id") or 0))
        option_names = [o["name"] for o in (product_rest or {}).get("options") or []]
        selected = [
            {"name": name, "value": rest.get(f"option{i}")}
            for i, name in enumerate(option_names, start=1)
            if rest.get(f"option{i}")
        ]
        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", vid),
            "legacyResourceId": str(vid),
            "title": rest.get("title") or "Default Title",
            "sku": rest.get("sku"),
            "barcode": rest.get("barcode"),
            "price": str(rest.get("price") or "0"),
            "compareAtPrice": rest.get("compare_at_price"),
            "position": rest.get("position") or 1,
            "taxable": rest.get("taxable", True),
            "selectedOptions": selected or [{"name": "Title", "value": "Default Title"}],
            "product": lambda _info: self.product(product_rest),
            "inventoryItem": lambda _info: self.inventory_item(rest),
            "updatedAt": rest.get("updated_at") or (product_rest or {}).get("updated_at"),
        }

    def product(self, rest):
        if not rest:
            return None
        pid = int(rest["id"])
        options = rest.get("options") or [{"id": 1, "name": "Title", "position": 1, "values": ["Default Title"]}]
        return {
            "__typename": "Product",
            "id": gid("Product", pid),
            "legacyResourceId": str(pid),
            "title": rest.get("title"),
            "handle": rest.get("handle") or str(pid),
            "status": (rest.get("status") or "active").upper(),
            "productType": rest.get("product_type") or "",
            "vendor": rest.get("vendor") or "",
            "createdAt": rest.get("created_at"),
            "updatedAt": rest.get("updated_at"),
            "options": lambda _info, first=None: [
                {
                    "id": gid("ProductOption", o.get("id") or i),
                    "name": o["name"],
                    "position": o.get("position", i),
                    "values": o.get("values") or [],
                }
                for i, o in enumerate(options, start=1)
            ][:first],
            "variants": paged(lambda: [self.variant(v, rest) for v in rest.get("variants") or []]),
            "metafield": self.metafield_lookup(gid("Product", pid)),
        }

    def location(self, location_id):
        rest = self.store.locations.get(int(location_id))
        if not rest:
            return None
        return {
            "__typename": "Location",
            "id": gid("Location", rest["id"]),
            "legacyResourceId": str(rest["id"]),
            "name": rest.get("name"),
            "isActive": rest.get("active", True),
        }

    def inventory_level(self, item_id, location_id):
        key = (int(item_id), int(location_id))
        if key not in self.store.inventory or int(location_id) not in self.store.locations:
            return None
        return {
            "__typename": "InventoryLevel",
            "id": gid("InventoryLevel", f"{item_id}?inventory_item_id={location_id}"),
            "item": lambda _info: self.inventory_item({"inventory_item_id": item_id}),
            "location": lambda _info: self.location(location_id),
            "quantities": lambda _info, names: [
                {"name": n, "quantity": self.store.inventory[key] if n in ("available", "on_hand") else 0}
                for n in names
            ],
            "updatedAt": self.store.tick(),
        }

    def inventory_item(self, variant_rest):
        item_id = int(variant_rest["inventory_item_id"])
        variant = next((v for v in self.store.variants.values() if int(v["inventory_item_id"]) == item_id), None)
        if variant is None:
            return None
        levels = [loc for (item, loc) in self.store.inventory if item == item_id]
        return {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", item_id),
            "legacyResourceId": str(item_id),
            "sku": variant.get("sku"),
            "tracked": True,
            "variant": lambda _info: self.variant(variant),
            "inventoryLevel": lambda _info, locationId: self.inventory_level(item_id, parse_gid(locationId)[1]),
            "inventoryLevels": paged(lambda: [self.inventory_level(item_id, loc) for loc in levels]),
        }

    def tax_lines(self, rest_lines):
        return [
            {
                "title": t.get("title") or "Tax",
                "rate": float(t.get("rate") or 0),
                "ratePercentage": float(t.get("rate") or 0) * 100,
                "priceSet": self._money(t.get("price")),
                "channelLiable": False,
            }
            for t in rest_lines or []
        ]

    def line_item(self, rest, order):
        quantity = int(rest.get("quantity") or 0)
        price = Decimal(str(rest.get("price") or "0"))
        discount = Decimal(str(rest.get("total_discount") or "0"))
        variant = self.store.variants.get(int(rest["variant_id"])) if rest.get("variant_id") else None
        unit_discounted = (price * quantity - discount) / quantity if quantity else price
        return {
            "__typename": "LineItem",
            "id": gid("LineItem", rest["id"]),
            "name": " - ".join(filter(None, [rest.get("title"), rest.get("variant_title")])),
            "title": rest.get("title") or "",
            "variantTitle": rest.get("variant_title"),
            "sku": rest.get("sku"),
            "quantity": quantity,
            "currentQuantity": quantity,
            "requiresShipping": rest.get("requires_shipping", True),
            "variant": self.variant(variant) if variant else None,
            "product": self.product(self.store.products.get(int(rest.get("product_id") or 0))),
            "originalUnitPriceSet": self._money(price),
            "discountedUnitPriceSet": self._money(unit_discounted.quantize(Decimal("0.01"))),
            "totalDiscountSet": self._money(discount),
            "originalTotalSet": self._money(price * quantity),
            "taxLines": self.tax_lines(rest.get("tax_lines")),
        }

    def order(self, rest):
        if not rest:
            return None
        oid = int(rest["id"])
        lines = {int(li["id"]): li for li in rest.get("line_items") or []}
        shipping_total = sum(
            Decimal(str(s.get("discounted_price") or s.get("price") or 0)) for s in rest.get("shipping_lines") or []
        )
        financial = (rest.get("financial_status") or "pending").upper()
        return {
            "__typename": "Order",
            "id": gid("Order", oid),
            "legacyResourceId": str(oid),
            "name": rest.get("name"),
            "email": rest.get("email"),
            "phone": rest.get("phone"),
            "createdAt": rest.get("created_at"),
            "updatedAt": rest.get("updated_at"),
            "processedAt": rest.get("processed_at") or rest.get("created_at"),
            "cancelledAt": rest.get("cancelled_at"),
            "cancelReason": (rest.get("cancel_reason") or "").upper() or None,
            "closed": bool(rest.get("closed_at")),
            "displayFinancialStatus": financial,
            "displayFulfillmentStatus": (rest.get("fulfillment_status") or "unfulfilled").upper(),
            "currencyCode": rest.get("currency") or self.currency,
            "taxesIncluded": bool(rest.get("taxes_included")),
            "note": rest.get("note"),
            "customer": self.customer(rest.get("customer")),
            "billingAddress": self.address(rest.get("billing_address")),
            "shippingAddress": self.address(rest.get("shipping_address")),
            "totalPriceSet": self._money(rest.get("total_price")),
            "subtotalPriceSet": self._money(rest.get("subtotal_price") or rest.get("total_price")),
            "totalTaxSet": self._money(rest.get("total_tax")),
            "totalDiscountsSet": self._money(rest.get("total_discounts")),
            "totalShippingPriceSet": self._money(shipping_total),
            "currentTotalPriceSet": self._money(rest.get("total_price")),
            "lineItems": paged(lambda: [self.line_item(li, rest) for li in lines.values()]),
            "shippingLines": paged(
                lambda: [
                    {
                        "id": gid("ShippingLine", s.get("id") or 1),
                        "title": s.get("title") or "Shipping",
                        "code": s.get("code"),
                        "source": s.get("source"),
                        "originalPriceSet": self._money(s.get("price")),
                        "discountedPriceSet": self._money(s.get("discounted_price") or s.get("price")),
                        "taxLines": self.tax_lines(s.get("tax_lines")),
                    }
                    for s in rest.get("shipping_lines") or []
                ]
            ),
            "taxLines": self.tax_lines(rest.get("tax_lines")),
            "fulfillments": lambda _info, first=None: [
                self.fulfillment(f) for f in self.store.fulfillments.values() if f["order_id"] == oid
            ][:first],
            "refunds": lambda _info, first=None: [
                self.refund(r) for r in self.store.refunds.values() if r["order_id"] == oid
            ][:first],
            "fulfillmentOrders": paged(
                lambda: [
                    self.fulfillment_order(fo) for fo in self.store.fulfillment_orders.values() if fo["order_id"] == oid
                ]
            ),
            "metafield": self.metafield_lookup(gid("Order", oid)),
            "metafields": lambda _info, first=None, namespace=None, **_kw: {
                "nodes": [
                    m
                    for (ns, _k), m in self.store.metafields.get(gid("Order", oid), {}).items()
                    if namespace in (None, ns)
                ][:first],
                "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
            },
        }

    def _order_line(self, order_id, line_item_id):
        order = self.store.orders.get(int(order_id)) or {}
        rest = next((li for li in order.get("line_items") or [] if int(li["id"]) == int(line_item_id)), None)
        return self.line_item(rest, order) if rest else None

    def fulfillment(self, rest):
        if not rest:
            return None
        fid = int(rest["id"])
        numbers = rest.get("tracking_numbers") or ([rest["tracking_number"]] if rest.get("tracking_number") else [])
        return {
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", fid),
            "legacyResourceId": str(fid),
            "name": rest.get("name") or str(fid),
            "status": (rest.get("status") or "success").upper(),
            "createdAt": rest.get("created_at"),
            "updatedAt": rest.get("updated_at"),
            "order": lambda _info: self.order(self.store.orders.get(rest["order_id"])),
            "trackingInfo": lambda _info, first=None: [
                {"company": rest.get("tracking_company"), "number": n, "url": None} for n in numbers
            ][:first],
            "location": self.location(rest.get("location_id") or next(iter(self.store.locations))),
            "fulfillmentLineItems": paged(
                lambda: [
                    {
                        "id": gid("FulfillmentLineItem", li.get("fulfillment_line_item_id") or li["id"]),
                        "quantity": int(li.get("quantity") or 0),
                        "lineItem": self._order_line(rest["order_id"], li["id"]),
                    }
                    for li in rest.get("line_items") or []
                ]
            ),
        }

    def fulfillment_order(self, fo):
        if not fo:
            return None
        return {
            "__typename": "FulfillmentOrder",
            "id": gid("FulfillmentOrder", fo["id"]),
            "status": fo.get("status", "OPEN"),
            "assignedLocation": {"location": self.location(fo["location_id"]), "name": "Main warehouse"},
            "order": lambda _info: self.order(self.store.orders.get(fo["order_id"])),
            "lineItems": paged(
                lambda: [
                    {
                        "id": gid("FulfillmentOrderLineItem", line["id"]),
                        "totalQuantity": line["total"],
                        "remainingQuantity": line["remaining"],
                        "lineItem": self._order_line(fo["order_id"], line["line_item_id"]),
                    }
                    for line in fo["lines"]
                ]
            ),
        }

    def refund(self, rest):
        if not rest:
            return None
        rid = int(rest["id"])
        items = rest.get("refund_line_items") or []
        shipping = [a for a in rest.get("order_adjustments") or [] if a.get("kind") == "shipping_refund"]
        transactions = rest.get("transactions") or []
        total = sum(
            (Decimal(str(t.get("amount") or 0)) for t in transactions if t.get("kind") == "refund"), Decimal("0")
        )
        return {
            "__typename": "Refund",
            "id": gid("Refund", rid),
            "legacyResourceId": str(rid),
            "createdAt": rest.get("created_at"),
            "updatedAt": rest.get("processed_at") or rest.get("created_at"),
            "note": rest.get("note"),
            "order": lambda _info: self.order(self.store.orders.get(rest["order_id"])),
            "totalRefundedSet": self._money(total),
            "refundLineItems": paged(
                lambda: [
                    {
                        "id": gid("RefundLineItem", i.get("id") or n),
                        "quantity": int(i.get("quantity") or 0),
                        "restockType": (i.get("restock_type") or "no_restock").upper(),
                        "restocked": (i.get("restock_type") or "no_restock") != "no_restock",
                        "lineItem": self._order_line(rest["order_id"], i.get("line_item_id") or i["line_item"]["id"]),
                        "location": None,
                        "priceSet": self._money((i.get("line_item") or {}).get("price")),
                        "subtotalSet": self._money(i.get("subtotal")),
                        "totalTaxSet": self._money(i.get("total_tax")),
                    }
                    for n, i in enumerate(items, start=1)
                ]
            ),
            "refundShippingLines": paged(
                lambda: [
                    {
                        "id": None,
                        "shippingLine": None,
                        "subtotalAmountSet": self._money(-Decimal(str(a["amount"]))),
                        "taxAmountSet": self._money(-Decimal(str(a.get("tax_amount") or 0))),
                    }
                    for a in shipping
                ]
            ),
            "transactions": paged(
                lambda: [
                    {
                        "id": gid("OrderTransaction", t.get("id") or n),
                        "kind": (t.get("kind") or "refund").upper(),
                        "status": (t.get("status") or "success").upper(),
                        "gateway": t.get("gateway"),
                        "amountSet": self._money(t.get("amount")),
                        "processedAt": rest.get("created_at"),
                    }
                    for n, t in enumerate(transactions, start=1)
                ]
            ),
        }
