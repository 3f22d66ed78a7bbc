"""Realistic REST-shaped customers, products and orders, with consistent totals."""

import copy
import gc
import random
from decimal import Decimal

from .formatting import gid
from .generator_orders import GATEWAY, OrderMaking
from .generator_past import Past, PastPlanner
from .totals import recompute_totals

__all__ = ["Generator", "recompute_totals", "same_product_elsewhere"]

FIRST_NAMES = [
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Zoe",
    "Ethan",
    "Iris",
    "Omar",
    "Lena",
    "Hugo",
    "Nora",
    "Theo",
]
LAST_NAMES = [
    "Walker",
    "Chen",
    "Garcia",
    "Okafor",
    "Larsen",
    "Dubois",
    "Kowalski",
    "Silva",
    "Haddad",
    "Novak",
]
STREETS = [
    "Main St",
    "Oak Ave",
    "Pine St",
    "Lake Dr",
    "Maple Ave",
    "Cedar Ln",
    "Elm St",
    "Park Blvd",
]
CITIES = [
    ("Austin", "Texas", "TX", "78701", "512"),
    ("Denver", "Colorado", "CO", "80202", "303"),
    ("Portland", "Oregon", "OR", "97205", "503"),
    ("Boston", "Massachusetts", "MA", "02108", "617"),
    ("Chicago", "Illinois", "IL", "60601", "312"),
    ("Seattle", "Washington", "WA", "98101", "206"),
]
# (title, SKU prefix, product type, unit price)
CATALOGUE = [
    ("Organic Cotton T-Shirt", "TS", "T-Shirts", "24.00"),
    ("Trail Hoodie", "HD", "Sweatshirts", "59.95"),
    ("Canvas Tote Bag", "TB", "Bags", "19.99"),
    ("Merino Wool Beanie", "BN", "Hats", "29.50"),
    ("Packable Rain Jacket", "RJ", "Jackets", "89.00"),
    ("Linen Button-Down Shirt", "LS", "Shirts", "49.95"),
    ("Cargo Shorts", "CS", "Shorts", "39.00"),
    ("Everyday Crew Socks", "SK", "Socks", "12.50"),
]
COLORS = [
    ("Blue", "BL"),
    ("Black", "BK"),
    ("Green", "GR"),
    ("Sand", "SD"),
    ("Red", "RD"),
    ("Grey", "GY"),
]
SIZES = ["S", "M", "L", "XL"]


class Generator(OrderMaking):
    """Builds REST dicts with a seeded RNG and seeds them into a store."""

    def __init__(self, store, seed=42, tax_rate="0.06", gateways=None):
        """``gateways``: who pays each order, e.g. ``["paypal"]``, or for a split tender
        ``["gift_card", "shopify_payments"]`` (the last gateway pays what the others leave);
        Shopify Payments by default."""
        self.store = store
        self.seed = seed
        self.rng = random.Random(seed)
        self.tax_rate = Decimal(str(tax_rate))
        self.gateways = list(gateways or [GATEWAY])
        self._sku_codes = None  # SKU prefixes in use, read from the store once
        self._next_suffix = {}  # prefix -> the suffix the search for a free code resumes at
        self._pairs = (None, [])  # (catalogue it was made from, [(product, variant)])

    def run(
        self,
        customers=0,
        products=0,
        variants_per_product=2,
        orders=0,
        lines_per_order=2,
        summary=False,
        history=0.0,
        past=None,
    ):
        """Seed the records; return them (copies), or with ``summary`` only their counts.

        ``summary`` is for large stores: the records are seeded without being copied in or
        out, which is what makes 10,000 products and 20,000 orders take seconds, not minutes.

        ``history``: the share of the orders that are history (fulfilled fully or partly and
        closed, cancelled or refunded, over months); the others are open, placed in the last
        days. ``past``: the other shares of ``generator_past.Past`` (e.g. ``{"cancelled":
        0.1}``). Without ``history`` every order is new and unfulfilled, as before.
        """
        self.past = Past.of(history, past)
        detach = not summary
        collecting = gc.isenabled()
        if summary:
            gc.disable()  # millions of new dicts, none garbage: collections would only rescan
        try:
            return self._run(
                customers, products, variants_per_product, orders, lines_per_order, detach
            )
        finally:
            if collecting:
                gc.enable()
            if summary:
                gc.freeze()  # the store lives as long as the process: keep it out of collections

    def _run(self, customers, products, variants_per_product, orders, lines_per_order, detach):
        made = {"customers": [], "products": [], "orders": []}
        for _index in range(customers):
            made["customers"].append(self.store.seed_customer(self.customer(), detach=detach))
        for _index in range(products):
            made["products"].append(
                self.store.seed_product(self.product(variants_per_product), detach=detach)
            )
        catalogue = made["products"] or [
            p for p in self.store.products.values() if p.get("variants")
        ]
        if orders and not catalogue:
            catalogue = [
                self.store.seed_product(self.product(variants_per_product), detach=detach)
                for _p in range(2)
            ]
        planner = (
            PastPlanner(self.past, orders, self.seed, zone=self.store.zone)
            if self.past.history
            else None
        )
        for index in range(orders):
            if made["customers"]:
                customer = made["customers"][index % len(made["customers"])]
            else:
                customer = self.store.seed_customer(self.customer(), detach=detach)
            order = self.order(customer, catalogue, lines_per_order)
            if planner:
                planner.apply(order, index)
            made["orders"].append(self.store.seed_order(order, detach=detach))
        if not detach:
            counts = {
                "customers": len(made["customers"]),
                "products": len(made["products"]),
                "variants": sum(len(p.get("variants") or []) for p in made["products"]),
                "orders": len(made["orders"]),
            }
            if planner:
                counts["past"] = dict(planner.made)
            return counts
        if planner:
            made["past"] = dict(planner.made)
        return copy.deepcopy(made)

    def address(self, first, last, phone):
        city, province, code, zipcode, _area = self.rng.choice(CITIES)
        return {
            "first_name": first,
            "last_name": last,
            "name": f"{first} {last}",
            "company": None,
            "address1": f"{self.rng.randint(10, 9999)} {self.rng.choice(STREETS)}",
            "address2": self.rng.choice([None, None, None, f"Apt {self.rng.randint(1, 40)}"]),
            "city": city,
            "province": province,
            "province_code": code,
            "country": "United States",
            "country_code": "US",
            "country_name": "United States",
            "zip": zipcode,
            "phone": phone,
            "latitude": None,
            "longitude": None,
        }

    def customer(self):
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        cid = self.store.next_id()
        area = self.rng.choice(CITIES)[4]
        phone = f"+1{area}555{self.rng.randint(0, 9999):04d}" if self.rng.random() < 0.6 else None
        address = dict(
            self.address(first, last, phone), id=self.store.next_id(), customer_id=cid, default=True
        )
        consent = "subscribed" if self.rng.random() < 0.4 else "not_subscribed"
        return {
            "id": cid,
            "email": f"{first.lower()}.{last.lower()}.{cid % 100000}@example.com",
            "first_name": first,
            "last_name": last,
            "phone": phone,
            "state": "enabled",
            "note": None,
            "verified_email": True,
            "multipass_identifier": None,
            "tax_exempt": False,
            "tags": self.rng.choice(["", "", "vip", "wholesale"]),
            "currency": self.store.currency,
            "tax_exemptions": [],
            "email_marketing_consent": {
                "state": consent,
                "opt_in_level": "single_opt_in",
                "consent_updated_at": None,
            },
            "sms_marketing_consent": None,
            "admin_graphql_api_id": gid("Customer", cid),
            "default_address": address,
            "addresses": [address],
        }

    def product(self, variants_per_product):
        title, prefix, product_type, price = self.rng.choice(CATALOGUE)
        pid = self.store.next_id()
        code = self._free_code(prefix)
        colors = self.rng.sample(COLORS, len(COLORS))
        combos = [(color, size) for color in colors for size in SIZES][
            : max(variants_per_product, 1)
        ]
        variants = [
            self._variant(
                pid=pid,
                position=position,
                color=color,
                size=size,
                price=price,
                sku=f"{code}-{color_code}-{size}",
            )
            for position, ((color, color_code), size) in enumerate(combos, start=1)
        ]
        options = [
            {
                "name": "Color",
                "position": 1,
                "values": list(dict.fromkeys(v["option1"] for v in variants)),
            },
            {
                "name": "Size",
                "position": 2,
                "values": list(dict.fromkeys(v["option2"] for v in variants)),
            },
        ]
        name = title if code == prefix else f"{title} ({code})"
        return {
            "id": pid,
            "title": name,
            "body_html": f"<p>{title}, made to last.</p>",
            "vendor": "Demo Outfitters",
            "product_type": product_type,
            "handle": name.lower().replace(" ", "-").replace("(", "").replace(")", ""),
            "status": "active",
            "published_scope": "global",
            "tags": "",
            "template_suffix": None,
            "admin_graphql_api_id": gid("Product", pid),
            "variants": variants,
            "options": options,
            "images": [],
            "image": None,
        }

    def _variant(self, *, pid, position, color, size, price, sku):
        """One variant of product ``pid``: a barcode, an inventory item and a stock level drawn."""
        variant_id = self.store.next_id()
        return {
            "id": variant_id,
            "product_id": pid,
            "title": f"{color} / {size}",
            "price": price,
            "compare_at_price": None,
            "sku": sku,
            "barcode": f"0{self.rng.randint(10**10, 10**11 - 1)}",
            "position": position,
            "option1": color,
            "option2": size,
            "option3": None,
            "taxable": True,
            "inventory_policy": "deny",
            "inventory_management": "shopify",
            "inventory_item_id": self.store.next_id(),
            "inventory_quantity": self.rng.randint(0, 40),
            "requires_shipping": True,
            "grams": 250,
            "weight": 0.25,
            "weight_unit": "kg",
            "admin_graphql_api_id": gid("ProductVariant", variant_id),
        }

    def _free_code(self, prefix):
        """``TS``, then ``TS2``, ``TS3``...: the first SKU prefix no variant uses yet."""
        if self._sku_codes is None:
            self._sku_codes = {
                (v.get("sku") or "").split("-")[0] for v in self.store.variants.values()
            }
        code, suffix = prefix, self._next_suffix.get(prefix, 2)
        if code in self._sku_codes:
            code = f"{prefix}{suffix}"
            while code in self._sku_codes:  # codes only get used: the search never goes back
                suffix += 1
                code = f"{prefix}{suffix}"
            self._next_suffix[prefix] = suffix
        self._sku_codes.add(code)
        return code


def same_product_elsewhere(rest, id_offset):
    """A REST product as another store sells it: same titles, options and SKUs, its own ids.

    Shopify gives every store its own product, variant and inventory item ids; ``id_offset``
    keeps the copy's ids apart from the original's.
    """
    product = copy.deepcopy(rest)
    product["id"] = int(product["id"]) + id_offset
    product.pop("admin_graphql_api_id", None)
    for variant in product.get("variants") or []:
        variant["id"] = int(variant["id"]) + id_offset
        variant["inventory_item_id"] = int(variant["inventory_item_id"]) + id_offset
        variant.pop("admin_graphql_api_id", None)
        variant.pop("product_id", None)
    for option in product.get("options") or []:
        option.pop("id", None)
        option.pop("product_id", None)
    return product
