"""In-memory shop data, kept in the REST shape Shopify's webhooks deliver, keyed by numeric id."""

import copy
import itertools
import threading
from datetime import UTC, datetime, timedelta

from .formatting import gid, level_quantity, parse_time, rest_time, shop_zone
from .order_edits import OrderEdits
from .order_store import OrderActivity
from .return_store import ReturnActivity

DEFAULT_LOCATION = {"id": 655441491, "name": "Main warehouse", "active": True}
RESOURCE_NAMES = {
    "order": "order",
    "customer": "customer",
    "product": "product",
    "variant": "variant",
    "product_variant": "variant",
    "productvariant": "variant",
    "fulfillment": "fulfillment",
    "refund": "refund",
    "location": "location",
    "company": "company",
    "fulfillment_order": "fulfillment_order",
    "fulfillmentorder": "fulfillment_order",
}
GRAPHQL_TYPES = {
    "order": "Order",
    "customer": "Customer",
    "product": "Product",
    "variant": "ProductVariant",
    "fulfillment": "Fulfillment",
    "refund": "Refund",
    "location": "Location",
    "fulfillment_order": "FulfillmentOrder",
}


def merge_payload(kept_id, deleted_id, status="completed", errors=()):
    """The customers/merge webhook body: both customers by GID, the merge job, its status."""
    return {
        "admin_graphql_api_customer_kept_id": gid("Customer", kept_id),
        "admin_graphql_api_customer_deleted_id": gid("Customer", deleted_id),
        "admin_graphql_api_job_id": None,
        "status": status,
        "errors": list(errors),
    }


def resource_name(resource):
    """'orders', 'Order', 'product_variant'... -> the store's singular name."""
    name = str(resource).strip().lower()
    name = RESOURCE_NAMES.get(name) or RESOURCE_NAMES.get(name.removesuffix("s"))
    if not name:
        raise KeyError(f"unknown resource type {resource!r}")
    return name


class Store(OrderActivity, OrderEdits, ReturnActivity):
    """Orders, customers, products, fulfillments, refunds, locations, inventory and metafields."""

    def __init__(
        self,
        shop_domain,
        currency="USD",
        timezone="America/New_York",
        shop_id=548380009,
        shop_name=None,
    ):
        self.lock = threading.RLock()
        self.shop_domain, self.currency, self.shop_id = shop_domain, currency, shop_id
        self.shop_name = shop_name or shop_domain.split(".")[0].replace("-", " ").title()
        self.timezone, self.zone = timezone, shop_zone(timezone)
        self.orders, self.customers, self.products, self.variants = {}, {}, {}, {}
        self.fulfillments, self.refunds, self.locations, self.fulfillment_orders = {}, {}, {}, {}
        # B2B: company id -> {"id", "name", "note", "locations": [...], "contacts": [...]}
        self.companies = {}
        # what a deletion removed, for the deletion's webhook body: ("company", id) -> company,
        # ("locations" | "contacts", id) -> (entry, company)
        self.removed = {}
        self.returns = {}  # return id -> return (return_store.py)
        # (inventory item id, location id) -> {"available", "created_at", "updated_at"}
        self.levels = {}
        self.order_edits = {}  # order edit id -> committed edit (order_edits.py)
        self.edit_sessions = {}  # calculated order id -> staged edit (order_edit_mutations.py)
        self._order_fulfillment_orders = {}  # order id -> [fulfillment order], in creation order
        self.item_variants = {}  # inventory item id -> variant id
        self.webhook_outbox = []  # (topic, id) of the webhooks the mutations' writes would send
        self.metafields = {}  # owner GID -> {(namespace, key): metafield dict (GraphQL shape)}
        self.deleted = set()  # (resource, id) deleted after being seeded
        # Markets: presentment currency -> units of it per unit of the shop's currency. An
        # order whose ``presentment_currency`` has a rate has its amounts converted as
        # presentmentMoney.
        self.presentment_rates = {}
        self._ids = itertools.count(7_000_000_001)
        self._order_numbers = itertools.count(1001)
        self._last = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        self.seed_location(DEFAULT_LOCATION)

    # -- ids and clock -------------------------------------------------------------
    def next_id(self):
        return next(self._ids)

    def next_order_number(self):
        return next(self._order_numbers)

    def tick(self):
        """A REST timestamp strictly later than any given before, never behind the wall clock."""
        with self.lock:
            now = datetime.now(UTC).replace(microsecond=0)
            self._last = max(self._last + timedelta(seconds=1), now)
            return rest_time(self._last, self.zone)

    def _observe(self, stamp):
        """Keep the clock ahead of a timestamp that came in with seeded data."""
        moment = parse_time(stamp)
        if moment and moment > self._last:
            self._last = moment.astimezone(UTC).replace(microsecond=0)

    def _stamp(self, record, previous=None):
        record.setdefault("created_at", previous["created_at"] if previous else self.tick())
        given = parse_time(record.get("updated_at"))
        if not given or (previous and given <= parse_time(previous["updated_at"])):
            record["updated_at"] = self.tick()
        self._observe(record["updated_at"])

    def fulfillment_orders_of(self, order_id):
        """The fulfillment orders of an order (an index: no scan of every fulfillment order)."""
        return [
            fo
            for fo in self._order_fulfillment_orders.get(int(order_id), ())
            if self.fulfillment_orders.get(fo["id"]) is fo
        ]

    def first_location_id(self):
        return next(iter(self.locations))

    # -- collections ---------------------------------------------------------------
    def collection(self, resource):
        return {
            "order": self.orders,
            "customer": self.customers,
            "product": self.products,
            "variant": self.variants,
            "fulfillment": self.fulfillments,
            "refund": self.refunds,
            "location": self.locations,
            "company": self.companies,
            "fulfillment_order": self.fulfillment_orders,
        }[resource_name(resource)]

    def get(self, resource, resource_id):
        with self.lock:
            return self.collection(resource).get(int(resource_id))

    def is_deleted(self, resource, resource_id):
        return (resource_name(resource), int(resource_id)) in self.deleted

    # -- seeding -------------------------------------------------------------------
    def seed_customer(self, rest, detach=True):
        """``detach=False``: the store keeps ``rest`` itself and returns the stored record."""
        with self.lock:
            customer = copy.deepcopy(rest) if detach else rest
            customer.setdefault("id", self.next_id())
            cid = int(customer["id"])
            self._stamp(customer, self.customers.get(cid))
            customer.setdefault("admin_graphql_api_id", gid("Customer", cid))
            addresses = customer.get("addresses") or []
            default = customer.get("default_address")
            if default and not any(a.get("id") == default.get("id") for a in addresses):
                addresses.insert(0, default)
            for address in addresses:
                address.setdefault("id", self.next_id())
                address.setdefault("customer_id", cid)
            customer["addresses"] = addresses
            if addresses and not default:
                customer["default_address"] = addresses[0]
            self.customers[cid] = customer
            self.deleted.discard(("customer", cid))
            return copy.deepcopy(customer) if detach else customer

    def seed_company(self, rest):
        """A B2B company with its ``locations`` (name, billing_address, shipping_address: REST
        addresses) and ``contacts`` (customer_id, title, is_main_contact); ids given if missing."""
        with self.lock:
            company = copy.deepcopy(rest)
            company.setdefault("id", self.next_id())
            cid = int(company["id"])
            self._stamp(company, self.companies.get(cid))
            company.setdefault("admin_graphql_api_id", gid("Company", cid))
            for kind, gid_type in (
                ("locations", "CompanyLocation"),
                ("contacts", "CompanyContact"),
            ):
                for entry in company.setdefault(kind, []):
                    entry.setdefault("id", self.next_id())
                    entry.setdefault("admin_graphql_api_id", gid(gid_type, entry["id"]))
                    entry.setdefault("updated_at", company["updated_at"])
                    entry.setdefault("created_at", company["created_at"])
            self.companies[cid] = company
            self.deleted.discard(("company", cid))
            return copy.deepcopy(company)

    def remove_company_entry(self, kind, entry_id):
        """Delete a company's location or contact (``kind``: locations, contacts)."""
        with self.lock:
            company = self.company_of(kind, entry_id)
            if company is None:
                return None
            entry = next(e for e in company[kind] if int(e["id"]) == int(entry_id))
            company[kind] = [e for e in company[kind] if e is not entry]
            company["updated_at"] = self.tick()
            self._observe(company["updated_at"])
            self.removed[(kind, int(entry_id))] = (entry, company)
            return copy.deepcopy(entry)

    def company_of(self, kind, entry_id):
        """The company holding location or contact ``entry_id`` (``kind``: locations, contacts)."""
        return next(
            (
                c
                for c in self.companies.values()
                if any(int(e["id"]) == int(entry_id) for e in c[kind])
            ),
            None,
        )

    def seed_product(self, rest, detach=True):
        with self.lock:
            product = copy.deepcopy(rest) if detach else rest
            product.setdefault("id", self.next_id())
            pid = int(product["id"])
            previous = self.products.get(pid)
            self._stamp(product, previous)
            product.setdefault("admin_graphql_api_id", gid("Product", pid))
            for variant_id in [int(v["id"]) for v in (previous or {}).get("variants") or []]:
                self._forget_variant(variant_id)
            for position, variant in enumerate(product.get("variants") or [], start=1):
                variant.setdefault("id", self.next_id())
                variant["product_id"] = pid
                variant.setdefault("position", position)
                variant.setdefault("inventory_item_id", self.next_id())
                variant.setdefault("created_at", product["created_at"])
                variant.setdefault("updated_at", product["updated_at"])
                variant.setdefault("admin_graphql_api_id", gid("ProductVariant", variant["id"]))
                self.variants[int(variant["id"])] = variant
                item = int(variant["inventory_item_id"])
                self.item_variants[item] = int(variant["id"])
                if not any((item, location) in self.levels for location in self.locations):
                    self._level(
                        item, self.first_location_id(), variant.get("inventory_quantity") or 0
                    )
            for position, option in enumerate(product.get("options") or [], start=1):
                option.setdefault("id", self.next_id())
                option.setdefault("product_id", pid)
                option.setdefault("position", position)
            self.products[pid] = product
            self.deleted.discard(("product", pid))
            return copy.deepcopy(product) if detach else product

    def _forget_variant(self, variant_id):
        variant = self.variants.pop(variant_id, None)
        if variant:
            self.item_variants.pop(int(variant["inventory_item_id"]), None)

    def seed_location(self, rest):
        with self.lock:
            location = copy.deepcopy(rest)
            location.setdefault("id", self.next_id())
            location.setdefault("name", f"Location {location['id']}")
            location.setdefault("active", True)
            location.setdefault("admin_graphql_api_id", gid("Location", location["id"]))
            self.locations[int(location["id"])] = location
            self.deleted.discard(("location", int(location["id"])))
            return copy.deepcopy(location)

    # -- inventory -----------------------------------------------------------------
    def _level(self, item_id, location_id, available):
        stamp = self.tick()
        level = {"available": int(available), "created_at": stamp, "updated_at": stamp}
        self.levels[(int(item_id), int(location_id))] = level
        return level

    def set_inventory(self, item_id, location_id, available):
        with self.lock:
            if int(location_id) not in self.locations:
                self.seed_location({"id": int(location_id)})
            level = self.levels.get((int(item_id), int(location_id)))
            if level is None:
                return self._level(item_id, location_id, available)["available"]
            level["available"], level["updated_at"] = int(available), self.tick()
            return level["available"]

    def available(self, item_id, location_id):
        return self.quantity(item_id, location_id, "available")

    def quantity(self, item_id, location_id, name):
        """``available``, ``committed`` or ``on_hand`` of a level (None: not stocked there)."""
        level = self.levels.get((int(item_id), int(location_id)))
        return None if level is None else level_quantity(level, name)

    def set_quantity(self, item_id, location_id, name, quantity):
        """Set ``available`` or ``on_hand`` (what orders committed stays committed)."""
        with self.lock:
            level = self.levels[(int(item_id), int(location_id))]
            committed = level.get("committed", 0) if name == "on_hand" else 0
            level["available"], level["updated_at"] = int(quantity) - committed, self.tick()

    def variant_for_item(self, item_id):
        variant_id = self.item_variants.get(int(item_id))
        return self.variants.get(variant_id) if variant_id else None

    # -- edits ---------------------------------------------------------------------
    def touch(self, resource, resource_id):
        """Bump updated_at, as an edit in the Shopify admin would."""
        with self.lock:
            record = self.collection(resource)[int(resource_id)]
            record["updated_at"] = self.tick()
            return copy.deepcopy(record)

    def merge_customers(self, kept_id, deleted_id):
        """Merge two customers as Shopify's customerMerge does: the deleted one's orders move to the
        kept one, which is updated; the deleted one is gone. Returns the customers/merge body."""
        with self.lock:
            kept_id, deleted_id = int(kept_id), int(deleted_id)
            kept = self.customers[kept_id]
            for order in self.orders.values():
                if int((order.get("customer") or {}).get("id") or 0) == deleted_id:
                    order["customer"] = {
                        k: copy.deepcopy(v) for k, v in kept.items() if k != "addresses"
                    }
                    order["updated_at"] = self.tick()
            self.delete("customer", deleted_id)
            kept["updated_at"] = self.tick()
            return merge_payload(kept_id, deleted_id)

    def delete(self, resource, resource_id):
        """Remove a resource: GraphQL then answers null for it, as Shopify does."""
        with self.lock:
            name, rid = resource_name(resource), int(resource_id)
            record = self.collection(name).pop(rid, None)
            self.deleted.add((name, rid))
            if name == "company" and record:
                self.removed[(name, rid)] = record
            if name == "product" and record:
                for variant in record.get("variants") or []:
                    self._forget_variant(int(variant["id"]))
                    self.deleted.add(("variant", int(variant["id"])))
            if name == "variant" and record:
                self.item_variants.pop(int(record["inventory_item_id"]), None)
                product = self.products.get(int(record["product_id"]))
                if product:
                    product["variants"] = [v for v in product["variants"] if int(v["id"]) != rid]
            if name == "order":
                for collection in (self.fulfillments, self.refunds, self.fulfillment_orders):
                    for child in [k for k, v in collection.items() if v["order_id"] == rid]:
                        collection.pop(child)
                self._order_fulfillment_orders.pop(rid, None)
            return record is not None
