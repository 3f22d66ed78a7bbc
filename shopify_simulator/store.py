"""In-memory shop data, seeded from the REST shape Shopify's webhooks deliver."""

import copy
import itertools
import random
import threading
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_LOCATION = {"id": 655441491, "name": "Main warehouse", "active": True}
FIRST_NAMES = ["Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Iris", "Omar", "Lena", "Hugo", "Nora", "Theo"]
LAST_NAMES = ["Walker", "Chen", "Garcia", "Okafor", "Larsen", "Dubois", "Kowalski", "Silva", "Haddad", "Novak"]
CITIES = [("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Portland", "OR", "97205"), ("Boston", "MA", "02108")]
PRODUCTS = ["Organic Tee", "Trail Hoodie", "Canvas Tote", "Wool Beanie", "Rain Jacket", "Linen Shirt", "Cargo Shorts"]
COLORS = [("Blue", "BL"), ("Black", "BK"), ("Green", "GR"), ("Sand", "SD")]
SIZES = ["S", "M", "L", "XL"]
TAX_RATE = Decimal("0.06")
SHIPPING = Decimal("5.00")


def cents(value):
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Orders, customers, products, fulfillments, refunds, inventory and metafields."""

    def __init__(self, shop_domain, currency="USD"):
        self.lock = threading.RLock()
        self.shop_domain = shop_domain
        self.currency = currency
        self.orders, self.customers, self.products, self.variants = {}, {}, {}, {}
        self.fulfillments, self.refunds, self.locations, self.fulfillment_orders = {}, {}, {}, {}
        self.inventory = {}  # (item id, location id) -> available
        self.metafields = {}  # owner gid -> {(namespace, key): metafield}
        self._ids = itertools.count(7_000_000_001)
        self._clock = datetime(2026, 11, 1, tzinfo=UTC)
        self.seed_location(DEFAULT_LOCATION)

    def next_id(self):
        return next(self._ids)

    def tick(self):
        """A strictly increasing timestamp, never behind the wall clock."""
        with self.lock:
            self._clock = max(self._clock + timedelta(seconds=1), datetime.now(UTC).replace(microsecond=0))
            return iso(self._clock)

    # -- seeding from REST ----------------------------------------------------
    def seed_customer(self, rest):
        with self.lock:
            customer = copy.deepcopy(rest)
            customer.setdefault("created_at", self.tick())
            customer["updated_at"] = customer.get("updated_at") or self.tick()
            self.customers[int(customer["id"])] = customer
            return customer

    def seed_product(self, rest):
        with self.lock:
            product = copy.deepcopy(rest)
            product.setdefault("created_at", self.tick())
            product["updated_at"] = product.get("updated_at") or self.tick()
            for position, variant in enumerate(product.get("variants") or [], start=1):
                variant.setdefault("product_id", product["id"])
                variant.setdefault("position", position)
                variant.setdefault("inventory_item_id", self.next_id())
                variant.setdefault("updated_at", product["updated_at"])
                self.variants[int(variant["id"])] = variant
                self.inventory.setdefault((int(variant["inventory_item_id"]), DEFAULT_LOCATION["id"]), 0)
            self.products[int(product["id"])] = product
            return product

    def seed_order(self, rest):
        with self.lock:
            order = copy.deepcopy(rest)
            order.setdefault("created_at", self.tick())
            order.setdefault("processed_at", order["created_at"])
            order["updated_at"] = order.get("updated_at") or self.tick()
            order.setdefault("currency", self.currency)
            previous = self.orders.get(int(order["id"]))
            if previous and order["updated_at"] <= previous["updated_at"]:
                order["updated_at"] = self.tick()
            if order.get("customer"):
                known = self.customers.get(int(order["customer"]["id"]))
                if not known:
                    self.seed_customer(order["customer"])
            for line in order.get("line_items") or []:
                line.setdefault("id", self.next_id())
            self.orders[int(order["id"])] = order
            if not any(fo["order_id"] == int(order["id"]) for fo in self.fulfillment_orders.values()):
                self._create_fulfillment_order(order)
            return order

    def _create_fulfillment_order(self, order):
        lines = [
            {
                "id": self.next_id(),
                "line_item_id": int(line["id"]),
                "total": int(line["quantity"]),
                "remaining": int(line["quantity"]),
            }
            for line in order.get("line_items") or []
        ]
        fo_id = self.next_id()
        self.fulfillment_orders[fo_id] = {
            "id": fo_id,
            "order_id": int(order["id"]),
            "status": "OPEN",
            "location_id": DEFAULT_LOCATION["id"],
            "lines": lines,
        }

    def seed_fulfillment(self, order_id, rest):
        with self.lock:
            fulfillment = copy.deepcopy(rest)
            fulfillment["order_id"] = int(order_id)
            fulfillment.setdefault("id", self.next_id())
            fulfillment.setdefault("created_at", self.tick())
            fulfillment["updated_at"] = fulfillment.get("updated_at") or self.tick()
            fulfillment.setdefault("status", "success")
            fulfillment.setdefault("name", f"{self.orders[int(order_id)]['name']}.{len(self.fulfillments) + 1}")
            self.fulfillments[int(fulfillment["id"])] = fulfillment
            self._consume_fulfillment_orders(int(order_id), fulfillment.get("line_items") or [])
            return fulfillment

    def _consume_fulfillment_orders(self, order_id, line_items):
        for item in line_items:
            for fo in self.fulfillment_orders.values():
                if fo["order_id"] != order_id:
                    continue
                for line in fo["lines"]:
                    if line["line_item_id"] == int(item["id"]):
                        line["remaining"] = max(line["remaining"] - int(item["quantity"]), 0)

    def seed_refund(self, order_id, rest):
        with self.lock:
            refund = copy.deepcopy(rest)
            refund["order_id"] = int(order_id)
            refund.setdefault("id", self.next_id())
            refund.setdefault("created_at", self.tick())
            refund.setdefault("processed_at", refund["created_at"])
            self.refunds[int(refund["id"])] = refund
            return refund

    def seed_location(self, rest):
        with self.lock:
            self.locations[int(rest["id"])] = dict(rest)

    def set_inventory(self, item_id, location_id, available):
        with self.lock:
            self.inventory[(int(item_id), int(location_id))] = int(available)

    def touch(self, resource, resource_id):
        with self.lock:
            record = self.collection(resource)[int(resource_id)]
            record["updated_at"] = self.tick()
            return record

    def delete(self, resource, resource_id):
        with self.lock:
            self.collection(resource).pop(int(resource_id), None)

    def collection(self, resource):
        return {
            "order": self.orders,
            "customer": self.customers,
            "product": self.products,
            "variant": self.variants,
            "fulfillment": self.fulfillments,
            "refund": self.refunds,
            "location": self.locations,
        }[resource]

    # -- generators ---------------------------------------------------------------
    def generate(self, customers=0, products=0, variants_per_product=2, orders=0, lines_per_order=2, seed=None):
        rng = random.Random(seed if seed is not None else self.next_id())
        made = {"customers": [], "products": [], "orders": []}
        for _i in range(customers):
            made["customers"].append(self.seed_customer(self._customer(rng)))
        for _i in range(products):
            made["products"].append(self.seed_product(self._product(rng, variants_per_product)))
        for _i in range(orders):
            customer = made["customers"][_i % len(made["customers"])] if made["customers"] else self._customer(rng)
            catalogue = made["products"] or [self.seed_product(self._product(rng, 2)) for _p in range(2)]
            made["orders"].append(self.seed_order(self._order(rng, customer, catalogue, lines_per_order)))
        return copy.deepcopy(made)

    def _address(self, rng, first, last):
        city, province, zipcode = rng.choice(CITIES)
        return {
            "first_name": first,
            "last_name": last,
            "name": f"{first} {last}",
            "company": None,
            "address1": f"{rng.randint(1, 999)} {rng.choice(['Main', 'Oak', 'Pine', 'Lake'])} St",
            "address2": None,
            "city": city,
            "province": province,
            "province_code": province,
            "country": "United States",
            "country_code": "US",
            "zip": zipcode,
            "phone": None,
            "default": True,
        }

    def _customer(self, rng):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        cid = self.next_id()
        address = dict(self._address(rng, first, last), id=self.next_id(), customer_id=cid)
        return {
            "id": cid,
            "email": f"{first.lower()}.{last.lower()}.{cid % 100000}@example.com",
            "first_name": first,
            "last_name": last,
            "phone": None,
            "state": "enabled",
            "note": None,
            "verified_email": True,
            "tax_exempt": False,
            "tags": "",
            "currency": self.currency,
            "default_address": address,
            "addresses": [address],
        }

    def _product(self, rng, variants_per_product):
        title = rng.choice(PRODUCTS)
        pid = self.next_id()
        code = "".join(word[0] for word in title.split()).upper() + str(pid)[-7:]
        price = cents(rng.choice([12.5, 19.99, 24.0, 35.5, 49.95]))
        combos = [(color, size) for color in COLORS for size in SIZES][: max(variants_per_product, 1)]
        variants = []
        for (color, color_code), size in combos:
            variants.append(
                {
                    "id": self.next_id(),
                    "product_id": pid,
                    "title": f"{color} / {size}",
                    "sku": f"{code}-{color_code}-{size}",
                    "price": str(price),
                    "barcode": None,
                    "option1": color,
                    "option2": size,
                    "inventory_item_id": self.next_id(),
                    "taxable": True,
                }
            )
        options = [
            {"id": self.next_id(), "name": "Color", "position": 1, "values": sorted({v["option1"] for v in variants})},
            {"id": self.next_id(), "name": "Size", "position": 2, "values": sorted({v["option2"] for v in variants})},
        ]
        return {
            "id": pid,
            "title": f"{title} {pid % 1000}",
            "handle": f"{title.lower().replace(' ', '-')}-{pid}",
            "status": "active",
            "product_type": "Apparel",
            "vendor": "Demo Outfitters",
            "variants": variants,
            "options": options,
        }

    def _order(self, rng, customer, catalogue, lines_per_order):
        oid = self.next_id()
        lines = []
        pairs = [(product, variant) for product in catalogue for variant in product["variants"]]
        chosen = rng.sample(pairs, min(lines_per_order, len(pairs)))
        chosen += [rng.choice(pairs) for _extra in range(lines_per_order - len(chosen))]
        for product, variant in chosen:
            quantity = rng.randint(1, 3)
            price = cents(variant["price"])
            discount = cents(price * quantity * Decimal("0.10")) if rng.random() < 0.3 else Decimal("0.00")
            tax = cents((price * quantity - discount) * TAX_RATE)
            lines.append(
                {
                    "id": self.next_id(),
                    "variant_id": variant["id"],
                    "product_id": product["id"],
                    "title": product["title"],
                    "variant_title": variant["title"],
                    "sku": variant["sku"],
                    "quantity": quantity,
                    "price": str(price),
                    "total_discount": str(discount),
                    "requires_shipping": True,
                    "taxable": True,
                    "tax_lines": [{"price": str(tax), "rate": float(TAX_RATE), "title": "State Tax"}],
                }
            )
        address = customer.get("default_address") or self._address(rng, customer["first_name"], customer["last_name"])
        order = {
            "id": oid,
            "name": f"#{1000 + oid % 100000}",
            "email": customer["email"],
            "financial_status": "paid",
            "fulfillment_status": None,
            "currency": self.currency,
            "taxes_included": False,
            "note": None,
            "customer": copy.deepcopy(customer),
            "billing_address": copy.deepcopy(address),
            "shipping_address": copy.deepcopy(address),
            "line_items": lines,
            "shipping_lines": [
                {
                    "id": self.next_id(),
                    "title": "Standard",
                    "code": "STANDARD",
                    "price": str(SHIPPING),
                    "discounted_price": str(SHIPPING),
                    "tax_lines": [
                        {"price": str(cents(SHIPPING * TAX_RATE)), "rate": float(TAX_RATE), "title": "State Tax"}
                    ],
                }
            ],
            "cancelled_at": None,
            "cancel_reason": None,
        }
        order["total_price"] = recompute_total(order)
        return order


def recompute_total(order):
    """total_price of a REST order from its lines, discounts, shipping and taxes."""
    total = Decimal("0")
    for line in order.get("line_items") or []:
        price, quantity = Decimal(str(line["price"])), int(line["quantity"])
        discount = Decimal(str(line.get("total_discount") or "0"))
        rate = Decimal(str((line.get("tax_lines") or [{}])[0].get("rate") or 0))
        net = price * quantity - discount
        tax = cents(net * rate)
        for tax_line in line.get("tax_lines") or []:
            tax_line["price"] = str(tax)
        total += net + tax
    for ship in order.get("shipping_lines") or []:
        price = Decimal(str(ship.get("discounted_price") or ship["price"]))
        tax = sum((Decimal(str(t["price"])) for t in ship.get("tax_lines") or []), Decimal("0"))
        total += price + tax
    return str(cents(total))
