"""Webhook bodies in the REST shape Shopify sends, built from the store's current state."""

import copy

from .formatting import gid
from .nodes import level_gid
from .store import merge_payload
from .transaction_nodes import transaction_payload

PRIVACY_TOPICS = {"customers/redact", "customers/data_request", "shop/redact"}
DELETE_TOPICS = {"orders/delete", "products/delete", "customers/delete"}


def _order(store, order_id):
    order = copy.deepcopy(store.orders[int(order_id)])
    order.pop("transactions", None)  # order webhooks carry no transactions
    order.pop(
        "risk_assessments", None
    )  # nor risks (GraphQL Order.risk; orders/risk_assessment_changed)
    order.pop("risk_recommendation", None)
    customer = order.get("customer")
    if customer and int(customer.get("id") or 0) in store.customers:
        current = store.customers[int(customer["id"])]
        order["customer"] = {k: copy.deepcopy(v) for k, v in current.items() if k != "addresses"}
    order["fulfillments"] = [
        _fulfillment(store, f["id"])
        for f in store.fulfillments.values()
        if f["order_id"] == int(order_id)
    ]
    order["refunds"] = [
        _refund(store, r["id"]) for r in store.refunds.values() if r["order_id"] == int(order_id)
    ]
    return order


def _fulfillment(store, fulfillment_id):
    """Fulfillment payload: the order's full line items, with the fulfilled quantities."""
    fulfillment = copy.deepcopy(store.fulfillments[int(fulfillment_id)])
    order = store.orders.get(fulfillment["order_id"]) or {}
    lines = {int(line["id"]): line for line in order.get("line_items") or []}
    full = []
    for item in fulfillment.get("line_items") or []:
        line = copy.deepcopy(lines.get(int(item["id"]), {}))
        line.update({k: v for k, v in item.items() if k != "fulfillment_line_item_id"})
        line["fulfillment_status"] = "fulfilled"
        full.append(line)
    fulfillment["line_items"] = full
    fulfillment.setdefault("service", "manual")
    fulfillment.setdefault("shipment_status", None)
    fulfillment.setdefault("origin_address", {})
    fulfillment.setdefault("receipt", {})
    return fulfillment


def _refund(store, refund_id):
    return copy.deepcopy(store.refunds[int(refund_id)])


def _fulfillment_hold(store, topic, fo_id, hold_id):
    """fulfillment_holds/added and /released: the hold and its fulfillment order."""
    fo = store.fulfillment_orders[int(fo_id)]
    holds = (fo.get("holds") or []) + (fo.get("released_holds") or [])
    hold = next((h for h in holds if hold_id is None or int(h["id"]) == int(hold_id)), None) or {}
    return {
        "fulfillment_hold": {
            "id": gid("FulfillmentHold", hold.get("id") or 0),
            "reason": hold.get("reason") or "other",
            "reason_notes": hold.get("reason_notes"),
            "held_by_requesting_app": False,
        },
        "fulfillment_order": {
            "id": gid("FulfillmentOrder", fo["id"]),
            "status": str(fo.get("status") or "OPEN").lower(),
        },
    }


def _return(store, return_id):
    ret = store.returns[int(return_id)]
    return {
        "id": ret["id"],
        "admin_graphql_api_id": gid("Return", ret["id"]),
        "name": ret["name"],
        "order_id": ret["order_id"],
        "status": ret["status"].lower(),
        "return_line_items": [
            {
                "id": item["id"],
                "admin_graphql_api_id": gid("ReturnLineItem", item["id"]),
                "fulfillment_line_item_id": item["fulfillment_line_item_id"],
                "quantity": item["quantity"],
            }
            for item in ret["return_line_items"]
        ],
    }


def _reverse_fulfillment_order(store, rfo_id):
    for ret in store.returns.values():
        for rfo in ret["reverse_fulfillment_orders"]:
            if rfo["id"] == int(rfo_id):
                return {
                    "id": rfo["id"],
                    "admin_graphql_api_id": gid("ReverseFulfillmentOrder", rfo["id"]),
                    "dispositions": [
                        {
                            "reverse_fulfillment_order_line_item_id": line["id"],
                            "type": d["type"].lower(),
                            "quantity": d["quantity"],
                            "location_id": d.get("location_id"),
                        }
                        for line in rfo["lines"]
                        for d in line["dispositions"]
                    ],
                }
    raise KeyError(rfo_id)


def _shop(store):
    return {
        "id": store.shop_id,
        "name": store.shop_name,
        "email": f"owner@{store.shop_domain}",
        "domain": store.shop_domain,
        "myshopify_domain": store.shop_domain,
        "country": "US",
        "currency": store.currency,
        "iana_timezone": store.timezone,
        "plan_name": "basic",
        "admin_graphql_api_id": gid("Shop", store.shop_id),
    }


def _privacy(store, topic, resource_id, extra):
    body = {"shop_id": store.shop_id, "shop_domain": store.shop_domain}
    if topic == "shop/redact":
        return body
    customer = (
        store.customers.get(int(resource_id)) or extra.get("customer") or {"id": int(resource_id)}
    )
    body["customer"] = {
        "id": int(customer["id"]),
        "email": customer.get("email"),
        "phone": customer.get("phone"),
    }
    orders = extra.get("orders")
    if orders is None:
        orders = sorted(
            o["id"]
            for o in store.orders.values()
            if int((o.get("customer") or {}).get("id") or 0) == int(resource_id)
        )
    if topic == "customers/redact":
        body["orders_to_redact"] = list(orders)
    else:
        body["orders_requested"] = list(orders)
        body["data_request"] = {"id": extra.get("data_request_id", store.next_id())}
    return body


def _company(company):
    """A company as in Shopify's companies/* bodies (and their locations' and contacts')."""
    main = next((c for c in company.get("contacts") or [] if c.get("is_main_contact")), None)
    return {
        "name": company.get("name"),
        "note": company.get("note"),
        "external_id": company.get("external_id"),
        "main_contact_admin_graphql_api_id": gid("CompanyContact", main["id"]) if main else None,
        "created_at": company.get("created_at"),
        "updated_at": company.get("updated_at"),
        "customer_since": company.get("customer_since") or company.get("created_at"),
        "admin_graphql_api_id": gid("Company", company["id"]),
    }


def _company_address(address, company, entry):
    if not address:
        return None
    return {
        "address1": address.get("address1"),
        "city": address.get("city"),
        "province": address.get("province"),
        "country": address.get("country"),
        "zip": address.get("zip"),
        "recipient": address.get("recipient"),
        "first_name": address.get("first_name"),
        "last_name": address.get("last_name"),
        "address2": address.get("address2"),
        "phone": address.get("phone"),
        "zone_code": address.get("province_code"),
        "country_code": address.get("country_code"),
        "created_at": entry.get("created_at"),
        "updated_at": entry.get("updated_at"),
        "admin_graphql_api_id": gid("CompanyAddress", address.get("id") or 0),
        "company_admin_graphql_api_id": gid("Company", company["id"]),
    }


def _company_location(location, company):
    """company_locations/*: the location with its tax settings, addresses and company."""
    taxes = location.get("tax_settings") or {}
    exemptions = list(taxes.get("tax_exemptions") or [])
    registration = taxes.get("tax_registration_id")
    return {
        "name": location.get("name"),
        "external_id": location.get("external_id"),
        "phone": location.get("phone"),
        "locale": location.get("locale") or "en",
        "created_at": location.get("created_at"),
        "updated_at": location.get("updated_at"),
        "note": location.get("note"),
        "buyer_experience_configuration": None,
        "admin_graphql_api_id": gid("CompanyLocation", location["id"]),
        "tax_exemptions": exemptions,
        "tax_settings": {
            "tax_registration_id": registration,
            "tax_exempt": bool(taxes.get("tax_exempt")),
            "tax_exemptions": exemptions,
        },
        "company": _company(company),
        "billing_address": _company_address(location.get("billing_address"), company, location),
        "shipping_address": _company_address(location.get("shipping_address"), company, location),
        "tax_registration": {"tax_id": registration} if registration else None,
    }


def _company_contact(contact, company):
    """company_contacts/*: the contact, its customer by id, and its company."""
    return {
        "customer_admin_graphql_api_id": gid("Customer", contact["customer_id"]),
        "title": contact.get("title"),
        "locale": contact.get("locale") or "en",
        "created_at": contact.get("created_at"),
        "updated_at": contact.get("updated_at"),
        "admin_graphql_api_id": gid("CompanyContact", contact["id"]),
        "company": _company(company),
    }


def _company_entry(store, topic, entry_id):
    """company_locations/* and company_contacts/*: the location or contact, with its company
    (a deleted one as it was, from what its deletion removed)."""
    kind = "locations" if topic.startswith("company_locations/") else "contacts"
    company = store.company_of(kind, entry_id)
    if company is not None:
        entry = next(e for e in company[kind] if int(e["id"]) == int(entry_id))
    else:
        entry, company = store.removed[(kind, int(entry_id))]
    if kind == "locations":
        return _company_location(entry, company)
    return _company_contact(entry, company)


def webhook_payload(store, topic, resource_id=None, **extra):
    """The body Shopify would send for ``topic`` about a stored resource.

    ``inventory_levels/update`` takes ``inventory_item_id`` and ``location_id``;
    ``customers/redact`` and ``customers/data_request`` take the customer id and
    optionally ``orders=[...]`` (default: that customer's orders in the store).
    """
    with store.lock:
        if topic in DELETE_TOPICS:
            return {"id": int(resource_id)}
        if topic in PRIVACY_TOPICS:
            return _privacy(store, topic, resource_id, extra)
        if topic.startswith("companies/"):
            rid = int(resource_id)
            company = store.companies.get(rid) or store.removed.get(("company", rid)) or {"id": rid}
            return _company(company)
        if topic.startswith(("company_locations/", "company_contacts/")):
            return _company_entry(store, topic, resource_id)
        if topic == "customers/merge":  # resource_id: the deleted customer; kept_id: the kept one
            return merge_payload(extra["kept_id"], resource_id, extra.get("status", "completed"))
        if topic.startswith("fulfillment_holds/"):
            return _fulfillment_hold(store, topic, resource_id, extra.get("hold_id"))
        if topic == "orders/risk_assessment_changed":
            order = store.orders[int(resource_id)]
            level = ((order.get("risk_assessments") or [{}])[-1]).get("risk_level") or "none"
            return {
                "order_id": str(order["id"]),
                "admin_graphql_api_order_id": gid("Order", order["id"]),
                "risk_level": level,
                "provider_id": None,
                "provider_title": None,
                "created_at": order.get("updated_at"),
            }
        if topic == "orders/edited":  # resource_id: the order (its latest edit) or the edit
            return store.order_edit_payload(resource_id)
        if topic.startswith("orders/"):
            return _order(store, resource_id)
        if topic.startswith("customers/"):
            return copy.deepcopy(store.customers[int(resource_id)])
        if topic.startswith("products/"):
            return copy.deepcopy(store.products[int(resource_id)])
        if topic.startswith("fulfillments/"):
            return _fulfillment(store, resource_id)
        if topic == "refunds/create":
            return _refund(store, resource_id)
        if topic.startswith("returns/"):
            return _return(store, resource_id)
        if topic == "reverse_fulfillment_orders/dispose":
            return _reverse_fulfillment_order(store, resource_id)
        if topic == "inventory_levels/update":
            item = int(extra.get("inventory_item_id") or resource_id)
            location = int(extra.get("location_id") or store.first_location_id())
            level = store.levels.get((item, location)) or {}
            return {
                "inventory_item_id": item,
                "location_id": location,
                "available": level.get("available"),
                "updated_at": level.get("updated_at") or store.tick(),
                "admin_graphql_api_id": level_gid(item, location),
            }
        if topic == "app/uninstalled":
            return _shop(store)
        if topic == "order_transactions/create":
            return transaction_payload(store, resource_id)
    raise ValueError(f"no payload builder for topic {topic!r}")
