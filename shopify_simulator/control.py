"""Control API (``/_sim/...``) so that another process can drive a running simulator.

All bodies are JSON. Routes (GET or POST unless noted):

* ``GET /_sim/health``
* ``POST /_sim/seed`` ``{"customers": [...], "products": [...], "orders": [...], "locations": [...],
  "fulfillments": [{"order_id": ..., ...}], "refunds": [{"order_id": ..., ...}],
  "inventory": [{"inventory_item_id": ..., "location_id": ..., "available": ...}]}``
* ``POST /_sim/generate`` ``{"customers": N, "products": M, "orders": K, ...,
  "gateways": ["gift_card", "shopify_payments"]}``
* ``POST /_sim/payout`` ``{"dispute_order_id": ..., "dispute_amount": "25.00",
  "adjustment": "-2.50", "status": "PAID"}``: pay out the Shopify Payments transactions
  not paid out yet; answers the payout (REST shape)
* ``POST /_sim/faults`` ``{"fail_next": 2, "status": 502, "slow_next": 1, "seconds": 5,
  "malformed_next": 1, "throttle_next": 1, "throttle_mode": "http429", "revoke_token": true,
  "restore_token": true, "delete": {"resource": "order", "id": 1}, "operation": "SetMetafields"}``;
  ``GET /_sim/faults`` lists what is still queued
* ``POST /_sim/reset`` ``{"records": false}``: faults (and, if asked, calls and mutations)
* ``POST /_sim/touch`` / ``POST /_sim/delete`` ``{"resource": "order", "id": 1}``
* ``POST /_sim/edit`` ``{"order_id": 1, "quantities": {"<line item id>": 0}, "add": [[variant id,
  quantity]], "staff_note": ""}``: commit an order edit; answers ``{"order_edit", "user_errors"}``
* ``POST /_sim/cancel`` ``{"order_id": 1, "reason": "customer", "refund": true,
  "gateway": "shopify_payments"}``: cancel an order as the admin does (the unshipped rest
  cancelled and restocked, its money refunded); answers ``{"order": ..., "refund": ...}``
* ``POST /_sim/inventory`` ``{"inventory_item_id", "location_id", "available"}``;
  ``GET /_sim/inventory?inventory_item_id=..&location_id=..``
* ``POST /_sim/payload`` ``{"topic": "orders/create", "id": 1, "extra": {}}``
* ``GET /_sim/resource?type=order&id=1``: the stored REST record
* ``GET /_sim/mutations?name=..&applied=true``, ``GET /_sim/calls?operation=..``
  (``&since=N``: the calls after the first N)
* ``POST /_sim/bucket`` ``{"maximum": 2000, "restore_rate": 100}``: another plan's bucket, full;
  ``GET /_sim/bucket``: its throttleStatus
* ``POST /_sim/webhook`` ``{"url", "topic", "id" or "payload", "copies", "concurrent",
  "event_id"}``: sign with the shop's client secret and deliver
* ``POST /_sim/oauth`` ``{"advance_clock": seconds, "installed": false, "scopes": [...],
  "revoke_issued_tokens": true, "deprecated_reason": "..."}``; ``GET /_sim/oauth``: the token
  endpoint's answers so far
* ``GET /_sim/subscriptions``: the webhook subscriptions Shopify holds;
  ``POST /_sim/deliver`` ``{"topic", "id" or "payload"}``: send an event to them
* ``GET /_sim/bulk``: the bulk operations; ``bulk_*`` faults (bulk_control.py);
  ``GET /_sim/bulk/<n>.jsonl``: a bulk operation's result (served by the server itself)
"""

import json
from urllib.parse import parse_qs, urlparse

from .bulk_control import bulk_faults, bulk_listing
from .control_client import SimulatorControl
from .order_edits import OrderEditError
from .webhooks import WebhookSender

__all__ = ["NotFound", "SimulatorControl", "handle_control"]  # SimulatorControl: control_client.py


class NotFound(LookupError):
    """An unknown route or resource: answered with HTTP 404."""


def _flag(value):
    return str(value).lower() in ("1", "true", "yes")


def _faults(sim, params):
    operation = params.get("operation")
    if params.get("fail_next"):
        sim.fail_next(int(params["fail_next"]), int(params.get("status", 500)), operation)
    if params.get("slow_next"):
        sim.slow_next(int(params["slow_next"]), float(params.get("seconds", 2.0)), operation)
    if params.get("malformed_next"):
        sim.malformed_next(int(params["malformed_next"]), operation)
    if params.get("throttle_next"):
        sim.throttle_next(int(params["throttle_next"]), operation)
    if params.get("throttle_mode"):
        if params["throttle_mode"] not in ("graphql", "http429"):
            raise ValueError("throttle_mode is 'graphql' or 'http429'")
        sim.throttle_mode = params["throttle_mode"]
    if params.get("revoke_token"):
        sim.revoke_token()
    if params.get("restore_token"):
        sim.restore_token()
    if params.get("delete"):
        sim.delete(params["delete"]["resource"], params["delete"]["id"])
    bulk_faults(sim, params)
    return {"ok": True, "pending": sim.faults.pending(), "throttle_mode": sim.throttle_mode}


def _seed(sim, params):
    seeded = {}
    for kind in ("locations", "customers", "products", "orders"):
        seed = getattr(sim, f"seed_{kind[:-1]}")
        seeded[kind] = [seed(record)["id"] for record in params.get(kind) or []]
    for kind in ("fulfillments", "refunds"):
        seed = getattr(sim, f"seed_{kind[:-1]}")
        seeded[kind] = [seed(r["order_id"], r)["id"] for r in params.get(kind) or []]
    for level in params.get("inventory") or []:
        sim.set_inventory(level["inventory_item_id"], level["location_id"], level["available"])
    return {"ok": True, "seeded": seeded}


PAYOUT_PARAMS = ("dispute_order_id", "dispute_amount", "adjustment", "status")


def _payout(sim, params):
    unknown = set(params) - set(PAYOUT_PARAMS)
    if unknown:
        raise ValueError(f"unknown payout parameter(s): {', '.join(sorted(unknown))}")
    return sim.seed_payout(**{k: v for k, v in params.items() if v is not None})


def _cancel(sim, params):
    order, refund = sim.cancel_order(
        params["order_id"],
        reason=params.get("reason") or "customer",
        refund=_flag(params.get("refund", True)),
        gateway=params.get("gateway") or "shopify_payments",
    )
    return {"order": order, "refund": refund}


def _edit(sim, params):
    """Commit an order edit: ``quantities`` {line item id: qty}, ``add`` [[variant id, qty]]."""
    try:
        edit = sim.store.edit_order(
            params["order_id"],
            quantities={int(k): int(v) for k, v in (params.get("quantities") or {}).items()},
            add=[(int(v), int(q)) for v, q in params.get("add") or []],
            staff_note=params.get("staff_note") or "",
        )
    except OrderEditError as exc:
        return {"order_edit": None, "user_errors": [str(exc)]}
    return {"order_edit": edit, "user_errors": []}


def _webhook(sim, params):
    sender = WebhookSender(params["url"], sim.shop_domain, sim.client_secret, sim.api_version)
    payload = params.get("payload") or sim.webhook_payload(
        params["topic"], params.get("id"), **params.get("extra", {})
    )
    copies = int(params.get("copies", 1))
    if _flag(params.get("concurrent", False)):
        deliveries = sender.send_concurrent(
            params["topic"], payload, copies=copies, event_id=params.get("event_id")
        )
    else:
        deliveries = sender.send_duplicate(
            params["topic"], payload, copies=copies, event_id=params.get("event_id")
        )
    return [d.as_dict() for d in deliveries]


def _oauth(sim, params):
    if params.get("advance_clock"):
        sim.advance_clock(float(params["advance_clock"]))
    if "installed" in params:
        sim.set_app_installed(_flag(params["installed"]))
    if params.get("scopes") is not None:
        sim.set_app_scopes(params["scopes"])
    if params.get("revoke_issued_tokens"):
        sim.revoke_issued_tokens()
    if "deprecated_reason" in params:
        sim.deprecated_reason = params["deprecated_reason"] or None
    return {"ok": True, "grants": sim.token_grants}


def handle_control(sim, method, path, raw):
    """(status, JSON-able body) for one control request."""
    url = urlparse(path)
    route = url.path.removeprefix("/_sim/").strip("/")
    try:
        if method == "POST":
            params = json.loads(raw or b"{}")
        else:
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        return 200, _route(sim, method, route, params)
    except NotFound as exc:
        return 404, {"error": str(exc)}
    except KeyError as exc:
        return 400, {"error": f"missing or unknown parameter or resource: {exc}"}
    except (ValueError, TypeError) as exc:
        return 400, {"error": f"{type(exc).__name__}: {exc}"}


def _route(sim, method, route, params):
    if route not in ROUTES:
        raise NotFound(f"unknown control route {route!r}")
    if route == "health":
        return {
            "ok": True,
            "shop": sim.shop_domain,
            "graphql_url": sim.graphql_url(),
            "api_version": sim.api_version,
        }
    if route == "faults":
        return _faults(sim, params) if method == "POST" else {"pending": sim.faults.pending()}
    if route == "reset":
        sim.reset_faults()
        if _flag(params.get("records", False)):
            sim.reset_records()
        return {"ok": True}
    if route == "inventory":
        item, location = params["inventory_item_id"], params["location_id"]
        if method == "POST":
            sim.set_inventory(item, location, int(params["available"]))
        return {
            "inventory_item_id": int(item),
            "location_id": int(location),
            "available": sim.inventory(item, location),
        }
    if route == "mutations":
        applied = _flag(params["applied"]) if "applied" in params else None
        return (
            sim.mutations_named(params["name"], applied)
            if params.get("name")
            else list(sim.mutations)
        )
    if route == "calls":
        calls = sim.calls_named(params["operation"]) if params.get("operation") else list(sim.calls)
        return calls[int(params.get("since") or 0) :]
    if route == "bucket":
        if method == "POST":
            sim.bucket.configure(params.get("maximum"), params.get("restore_rate"))
        return sim.bucket.status()
    if route == "oauth":
        return _oauth(sim, params) if method == "POST" else {"grants": sim.token_grants}
    if route == "subscriptions":
        return sim.webhook_subscriptions()
    if route == "bulk":
        return bulk_listing(sim)
    if route == "resource":
        record = sim.store.get(params["type"], params["id"])
        if record is None:
            raise NotFound(f"no {params['type']} {params['id']}")
        return record
    handlers = {
        "seed": lambda: _seed(sim, params),
        "generate": lambda: sim.generate(**params),
        "payout": lambda: _payout(sim, params),
        "touch": lambda: sim.touch(params["resource"], params["id"]),
        "cancel": lambda: _cancel(sim, params),
        "edit": lambda: _edit(sim, params),
        "delete": lambda: {"deleted": sim.delete(params["resource"], params["id"])},
        "payload": lambda: sim.webhook_payload(
            params["topic"], params.get("id"), **params.get("extra", {})
        ),
        "webhook": lambda: _webhook(sim, params),
        "deliver": lambda: sim.deliver(params["topic"], params.get("id"), params.get("payload")),
    }
    return handlers[route]()


ROUTES = {
    "health",
    "faults",
    "reset",
    "inventory",
    "mutations",
    "calls",
    "bucket",
    "resource",
    "seed",
    "generate",
    "payout",
    "touch",
    "cancel",
    "edit",
    "delete",
    "payload",
    "webhook",
    "oauth",
    "subscriptions",
    "deliver",
    "bulk",
}
