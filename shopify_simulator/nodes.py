"""REST records of the store -> GraphQL objects.

Objects are dicts; a callable value is a resolver that receives the field's
arguments, so nested objects are only built when a query selects them.
"""

import hashlib
import json
from datetime import datetime

from graphql import GraphQLError

from .formatting import (
    cents,
    enum_value,
    gid,
    graphql_decimal,
    graphql_time,
    level_quantity,
    money_bag,
    parse_gid,
    rest_money,
    to_decimal,
)
from .order_nodes import OrderNodes
from .pagination import paged
from .payouts import PayoutNodes
from .refund_nodes import RefundNodes
from .return_nodes import ReturnNodes
from .transaction_nodes import TransactionNodes

QUANTITY_NAMES = {
    "available",
    "on_hand",
    "committed",
    "incoming",
    "reserved",
    "damaged",
    "safety_stock",
    "quality_control",
}
APP_NAMESPACE = "app--1"


def app_namespace(namespace):
    """``None``/``$app`` -> the app-reserved namespace, as Shopify resolves it."""
    if namespace in (None, "", "$app"):
        return APP_NAMESPACE
    if namespace.startswith("$app:"):
        return f"{APP_NAMESPACE}--{namespace[5:]}"
    return namespace


def split_tags(value):
    if isinstance(value, list):
        return value
    return [tag.strip() for tag in (value or "").split(",") if tag.strip()]


def level_gid(item_id, location_id):
    return gid("InventoryLevel", f"{location_id}?inventory_item_id={item_id}")


def parse_level_gid(value):
    kind, location_id = parse_gid(value)
    try:
        item_id = int(value.split("inventory_item_id=", 1)[1].split("&", 1)[0])
    except (IndexError, ValueError, AttributeError):
        return None, None
    return (item_id, location_id) if kind == "InventoryLevel" else (None, None)


class NodeFactory(OrderNodes, RefundNodes, ReturnNodes, TransactionNodes, PayoutNodes):
    def __init__(self, store):
        self.store = store
        self.currency = store.currency
        self.extra_kinds = {}  # GID kind -> resolver of the full GID (bulk operations)

    def money(self, amount, order=None):
        """A MoneyBag; for an ``order`` (REST) in another presentment currency, its presentmentMoney
        is the amount converted at the store's rate of that currency, to the cent."""
        bag = money_bag(amount, self.currency)
        code = (order or {}).get("presentment_currency")
        rate = self.store.presentment_rates.get(code) if code and code != self.currency else None
        if rate is not None:
            converted = cents(to_decimal(amount) * to_decimal(rate))
            bag["presentmentMoney"] = {"amount": graphql_decimal(converted), "currencyCode": code}
        return bag

    def by_gid(self, value):
        """Any supported object from its GID, or None (unknown type, unknown or deleted id)."""
        kind, numeric = parse_gid(value)
        store = self.store
        builders = {
            "Order": lambda: self.order(store.orders.get(numeric)),
            "Customer": lambda: self.customer(store.customers.get(numeric)),
            "Product": lambda: self.product(store.products.get(numeric)),
            "ProductVariant": lambda: self.variant(store.variants.get(numeric)),
            "Fulfillment": lambda: self.fulfillment(store.fulfillments.get(numeric)),
            "FulfillmentOrder": lambda: self.fulfillment_order(
                store.fulfillment_orders.get(numeric)
            ),
            "Refund": lambda: self.refund(store.refunds.get(numeric)),
            "Return": lambda: self.return_node(store.returns.get(numeric)),
            "InventoryItem": lambda: self.inventory_item(numeric),
            "InventoryLevel": lambda: self.inventory_level(*parse_level_gid(value)),
            "Location": lambda: self.location(numeric),
            "Shop": lambda: self.shop() if numeric == store.shop_id else None,
            "OrderTransaction": lambda: self.transaction_by_id(numeric),
            "ShopifyPaymentsPayout": lambda: self.payout_by_id(numeric),
        }
        if kind in self.extra_kinds:
            return self.extra_kinds[kind](value)
        builder = builders.get(kind)
        return builder() if builder and numeric is not None else None

    def shop(self):
        store = self.store
        return {
            "__typename": "Shop",
            "id": gid("Shop", store.shop_id),
            "name": store.shop_name,
            "email": f"owner@{store.shop_domain}",
            "myshopifyDomain": store.shop_domain,
            "currencyCode": store.currency,
            "ianaTimezone": store.timezone,
            "timezoneAbbreviation": datetime.now(store.zone).tzname() or "UTC",
            "taxesIncluded": False,
        }

    def address(self, rest, model="Address"):
        if not rest:
            return None
        first, last = rest.get("first_name"), rest.get("last_name")
        return {
            "__typename": "MailingAddress",
            "id": gid("MailingAddress", f"{rest.get('id') or 0}?model_name={model}"),
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

    # -- B2B companies -------------------------------------------------------------
    def company(self, rest):
        if not rest or self.store.is_deleted("company", rest["id"]):
            return None
        return {
            "__typename": "Company",
            "id": gid("Company", rest["id"]),
            "name": rest.get("name") or "",
            "note": rest.get("note"),
            "externalId": rest.get("external_id"),
            "createdAt": graphql_time(rest.get("created_at")),
            "updatedAt": graphql_time(rest.get("updated_at")),
            "locations": paged(
                lambda: [self.company_location(loc, rest) for loc in rest["locations"]]
            ),
            "contacts": paged(lambda: [self.company_contact(c, rest) for c in rest["contacts"]]),
        }

    def company_location(self, rest, company):
        return {
            "__typename": "CompanyLocation",
            "id": gid("CompanyLocation", rest["id"]),
            "name": rest.get("name") or "",
            "updatedAt": graphql_time(rest.get("updated_at")),
            "billingAddress": self.company_address(rest.get("billing_address"), company),
            "shippingAddress": self.company_address(rest.get("shipping_address"), company),
            "company": lambda _info: self.company(company),
            "taxSettings": self.company_location_tax_settings(rest.get("tax_settings")),
        }

    @staticmethod
    def company_location_tax_settings(rest):
        """REST ``tax_settings`` (tax_exempt, tax_exemptions, tax_registration_id)."""
        rest = rest or {}
        return {
            "taxExempt": bool(rest.get("tax_exempt")),
            "taxExemptions": list(rest.get("tax_exemptions") or []),
            "taxRegistrationId": rest.get("tax_registration_id"),
        }

    def company_address(self, rest, company):
        if not rest:
            return None
        return {
            "__typename": "CompanyAddress",
            "id": gid("CompanyAddress", rest.get("id") or 0),
            "address1": rest.get("address1") or "",
            "address2": rest.get("address2"),
            "city": rest.get("city"),
            "companyName": rest.get("company") or company.get("name") or "",
            "countryCode": rest.get("country_code") or "US",
            "firstName": rest.get("first_name"),
            "lastName": rest.get("last_name"),
            "phone": rest.get("phone"),
            "recipient": rest.get("recipient"),
            "zip": rest.get("zip"),
            "zoneCode": rest.get("province_code"),
            "province": rest.get("province"),
        }

    def company_contact(self, rest, company):
        customer_id = int(rest["customer_id"])
        return {
            "__typename": "CompanyContact",
            "id": gid("CompanyContact", rest["id"]),
            "title": rest.get("title"),
            "isMainContact": bool(rest.get("is_main_contact")),
            "updatedAt": graphql_time(rest.get("updated_at")),
            "customer": lambda _info: self.customer(self.store.customers.get(customer_id)),
            "company": lambda _info: self.company(company),
        }

    # -- metafields ----------------------------------------------------------------
    def metafield(self, stored):
        if not stored:
            return None
        value = stored["value"]
        try:
            json_value = (
                json.loads(value)
                if stored["type"] == "json" or stored["type"].startswith("number")
                else value
            )
        except ValueError:
            json_value = value
        digest = hashlib.sha256(
            f"{stored['id']}|{value}|{stored['updatedAt']}".encode()
        ).hexdigest()
        return dict(stored, __typename="Metafield", jsonValue=json_value, compareDigest=digest)

    def metafield_fields(self, owner_gid):
        def one(_info, key, namespace=None):
            found = self.store.metafields.get(owner_gid, {}).get((app_namespace(namespace), key))
            return self.metafield(found)

        def many(_info, namespace=None, keys=None, **page):
            wanted = {tuple(k.split(".", 1)) for k in keys or [] if "." in k}
            found = [
                self.metafield(m)
                for (ns, key), m in sorted(self.store.metafields.get(owner_gid, {}).items())
                if (namespace is None or ns == app_namespace(namespace))
                and (not keys or (ns, key) in wanted)
            ]
            return paged(lambda: found)(_info, **page)

        return {"metafield": one, "metafields": many}

    # -- customers -----------------------------------------------------------------
    def customer(self, rest):
        if not rest:
            return None
        cid = int(rest["id"])
        if self.store.is_deleted("customer", cid):
            return None
        rest = self.store.customers.get(cid, rest)
        name = " ".join(filter(None, [rest.get("first_name"), rest.get("last_name")]))
        return {
            "__typename": "Customer",
            "id": gid("Customer", cid),
            "legacyResourceId": str(cid),
            "firstName": rest.get("first_name"),
            "lastName": rest.get("last_name"),
            "displayName": name or rest.get("email") or rest.get("phone") or "",
            "email": rest.get("email"),
            "phone": rest.get("phone"),
            "note": rest.get("note"),
            "createdAt": graphql_time(rest.get("created_at")),
            "updatedAt": graphql_time(rest.get("updated_at")),
            "state": enum_value(
                rest.get("state"), {"DECLINED", "DISABLED", "ENABLED", "INVITED"}, "DISABLED"
            ),
            "tags": split_tags(rest.get("tags")),
            "verifiedEmail": bool(rest.get("verified_email")),
            "taxExempt": bool(rest.get("tax_exempt")),
            "defaultAddress": self.address(rest.get("default_address"), "CustomerAddress"),
            "addresses": lambda _info, first=None: [
                self.address(a, "CustomerAddress") for a in rest.get("addresses") or []
            ][:first],
            **self.metafield_fields(gid("Customer", cid)),
        }

    # -- catalogue -----------------------------------------------------------------
    def product(self, rest):
        if not rest:
            return None
        pid = int(rest["id"])
        options = rest.get("options") or [
            {"id": 1, "name": "Title", "position": 1, "values": ["Default Title"]}
        ]
        return {
            "__typename": "Product",
            "id": gid("Product", pid),
            "legacyResourceId": str(pid),
            "title": rest.get("title") or "",
            "handle": rest.get("handle") or str(pid),
            "status": enum_value(
                rest.get("status"), {"ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"}, "ACTIVE"
            ),
            "productType": rest.get("product_type") or "",
            "vendor": rest.get("vendor") or "",
            "tags": split_tags(rest.get("tags")),
            "descriptionHtml": rest.get("body_html") or "",
            "createdAt": graphql_time(rest.get("created_at")),
            "updatedAt": graphql_time(rest.get("updated_at")),
            "options": lambda _info, first=None: [
                {
                    "id": gid("ProductOption", option.get("id") or index),
                    "name": option["name"],
                    "position": option.get("position") or index,
                    "values": list(option.get("values") or []),
                }
                for index, option in enumerate(options, start=1)
            ][:first],
            "variants": paged(lambda: [self.variant(v, rest) for v in rest.get("variants") or []]),
            **self.metafield_fields(gid("Product", pid)),
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
        title = rest.get("title") or "Default Title"
        item_id = int(rest["inventory_item_id"])
        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", vid),
            "legacyResourceId": str(vid),
            "title": title,
            "displayName": f"{(product_rest or {}).get('title', '')} - {title}",
            "sku": rest.get("sku"),
            "barcode": rest.get("barcode"),
            "price": rest_money(rest.get("price")),
            "compareAtPrice": rest_money(rest["compare_at_price"])
            if rest.get("compare_at_price")
            else None,
            "position": int(rest.get("position") or 1),
            "taxable": bool(rest.get("taxable", True)),
            "selectedOptions": selected or [{"name": "Title", "value": "Default Title"}],
            "product": lambda _info: self.product(product_rest),
            "inventoryItem": lambda _info: self.inventory_item(item_id),
            "inventoryQuantity": lambda _info: sum(
                self.store.levels[(item_id, loc)]["available"]
                for loc in self.store.locations
                if (item_id, loc) in self.store.levels
            ),
            "createdAt": graphql_time(rest.get("created_at")),
            "updatedAt": graphql_time(
                rest.get("updated_at") or (product_rest or {}).get("updated_at")
            ),
            "metafield": self.metafield_fields(gid("ProductVariant", vid))["metafield"],
        }

    # -- locations and inventory -----------------------------------------------------
    def location(self, location_id):
        rest = self.store.locations.get(int(location_id or 0))
        if not rest:
            return None
        return {
            "__typename": "Location",
            "id": gid("Location", rest["id"]),
            "legacyResourceId": str(rest["id"]),
            "name": rest.get("name") or "",
            "isActive": bool(rest.get("active", True)),
            "fulfillsOnlineOrders": True,
            "inventoryLevels": paged(
                lambda: [
                    lvl
                    for lvl in (
                        self.inventory_level(item, loc)
                        for item, loc in sorted(self.store.levels)
                        if loc == rest["id"]
                    )
                    if lvl
                ]
            ),
        }

    def inventory_item(self, item_id):
        if item_id is None:
            return None
        item_id = int(item_id)
        variant = self.store.variant_for_item(item_id)
        if variant is None:
            return None
        locations = [
            loc for loc in sorted(self.store.locations) if (item_id, loc) in self.store.levels
        ]
        return {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", item_id),
            "legacyResourceId": str(item_id),
            "sku": variant.get("sku"),
            "tracked": variant.get("inventory_management", "shopify") == "shopify",
            "requiresShipping": bool(variant.get("requires_shipping", True)),
            "variant": lambda _info: self.variant(variant),
            "createdAt": graphql_time(variant.get("created_at")),
            "updatedAt": graphql_time(variant.get("updated_at")),
            "inventoryLevel": lambda _info, locationId: self.inventory_level(
                item_id, parse_gid(locationId)[1]
            ),
            "inventoryLevels": paged(
                lambda: [
                    lvl for lvl in (self.inventory_level(item_id, loc) for loc in locations) if lvl
                ]
            ),
        }

    def inventory_level(self, item_id, location_id):
        if item_id is None or location_id is None:
            return None
        level = self.store.levels.get((int(item_id), int(location_id)))
        if level is None or int(location_id) not in self.store.locations:
            return None
        if self.store.variant_for_item(item_id) is None:
            return None

        def quantities(_info, names):
            unknown = [name for name in names if name not in QUANTITY_NAMES]
            if unknown:
                raise GraphQLError(f"Invalid quantity name(s): {', '.join(unknown)}.")
            return [
                {
                    "id": gid(
                        "InventoryQuantity",
                        f"{location_id}?inventory_item_id={item_id}&name={name}",
                    ),
                    "name": name,
                    "quantity": level_quantity(level, name),
                    "updatedAt": graphql_time(level["updated_at"]),
                }
                for name in names
            ]

        return {
            "__typename": "InventoryLevel",
            "id": level_gid(item_id, location_id),
            "item": lambda _info: self.inventory_item(item_id),
            "location": lambda _info: self.location(location_id),
            "quantities": quantities,
            "createdAt": graphql_time(level["created_at"]),
            "updatedAt": graphql_time(level["updated_at"]),
        }
