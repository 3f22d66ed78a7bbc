"""The simulator: an HTTP server speaking Shopify's GraphQL Admin API, plus a control API."""

import gc
import itertools
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from graphql.utilities import get_operation_ast

from .admin_responses import (
    INVALID_TOKEN,
    RATE_LIMIT_TEXT,
    failure_body,
    max_cost_body,
    throttled_body,
)
from .bulk_control import BulkVerbs
from .bulk_operations import BulkOperations
from .control import handle_control
from .faults import CostBucket, Faults
from .generator import Generator, recompute_totals
from .graphql_api import GraphQLApi
from .oauth import ALL_SCOPES, REQUIRED_SCOPES, OAuthServer
from .payloads import webhook_payload
from .payouts import seed_payout
from .query_cost import MAX_QUERY_COST
from .store import Store
from .subscriptions import Subscriptions

GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/graphql\.json$")
TOKEN_PATH = "/admin/oauth/access_token"
AUTHORIZE_PATH = "/admin/oauth/authorize"


class ShopifySimulator(BulkVerbs):
    """Start with ``.start()`` (or ``with``); ``base_url`` then points at it. Thread-safe."""

    def __init__(
        self,
        shop_domain="demo-shop.myshopify.com",
        access_token="shpat_test",
        client_secret="whsec_test",
        api_version="2026-01",
        port=0,
        host="127.0.0.1",
        bucket_size=2000,
        restore_rate=100,
        throttle_mode="graphql",
        shop_name=None,
        currency="USD",
        timezone="America/New_York",
        client_id="sim_client_id",
    ):
        self.shop_domain, self.access_token, self.client_secret = (
            shop_domain,
            access_token,
            client_secret,
        )
        self.api_version, self.host, self.port = api_version, host, port
        self.throttle_mode = (
            throttle_mode  # "graphql": 200 + THROTTLED error; "http429": 429 + Retry-After
        )
        self.store = Store(shop_domain, currency=currency, timezone=timezone, shop_name=shop_name)
        self.api = GraphQLApi(self.store)
        self.oauth = OAuthServer(shop_domain, client_id, client_secret, access_token)
        self.subscriptions = Subscriptions(api_version)
        self.api.root.update(self.subscriptions.resolvers())
        self.api.root["currentAppInstallation"] = self._current_installation
        self._request = threading.local()
        self.bulk = BulkOperations(self.api, lambda: self.base_url, self._request)
        self.deprecated_reason = None  # sent as X-Shopify-API-Deprecated-Reason when set
        self.faults = Faults()
        self.bucket = CostBucket(bucket_size, restore_rate)
        self.calls, self.mutations = [], []
        self._call_ids = itertools.count(1)
        self._log_lock = threading.Lock()
        self._server = None
        self._stopping = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------
    def start(self):
        handler = type("Handler", (_Handler,), {"simulator": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._stopping.clear()
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        thread.name = f"shopify-simulator-{self.port}"
        thread.start()
        return self

    def stop(self):
        self._stopping.set()  # wakes requests held by slow_next
        self.bulk.close()
        gc.unfreeze()  # generate(summary=True) froze the store's objects
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self if self._server else self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"

    def graphql_url(self, version=None):
        return f"{self.base_url}/admin/api/{version or self.api_version}/graphql.json"

    # -- data -------------------------------------------------------------------------
    def seed_order(self, rest):
        return self.store.seed_order(rest)

    def seed_customer(self, rest):
        return self.store.seed_customer(rest)

    def seed_product(self, rest):
        return self.store.seed_product(rest)

    def seed_fulfillment(self, order_id, rest):
        return self.store.seed_fulfillment(order_id, rest)

    def seed_refund(self, order_id, rest):
        return self.store.seed_refund(order_id, rest)

    def seed_location(self, rest):
        return self.store.seed_location(rest)

    def seed_payout(self, **kwargs):
        """Pay out the Shopify Payments transactions not paid out yet (see payouts.seed_payout)."""
        return seed_payout(self.store, **kwargs)

    def set_inventory(self, item_id, location_id, available):
        return self.store.set_inventory(item_id, location_id, available)

    def inventory(self, item_id, location_id):
        """Available quantity of an inventory item at a location (None when not stocked there)."""
        return self.store.available(item_id, location_id)

    def generate(self, seed=42, tax_rate="0.06", **counts):
        """Seed realistic REST customers, products and orders; return them as seeded.

        ``counts``: Generator.run's ``customers``, ``products``, ``variants_per_product``,
        ``orders``, ``lines_per_order`` and ``summary`` (large stores: counts returned only)."""
        return Generator(self.store, seed=seed, tax_rate=tax_rate).run(**counts)

    def touch(self, resource, resource_id):
        return self.store.touch(resource, resource_id)

    def delete(self, resource, resource_id):
        return self.store.delete(resource, resource_id)

    @staticmethod
    def recompute_total(order):
        """Recompute a REST order's taxes and totals in place; return its total_price."""
        return recompute_totals(order)

    def webhook_payload(self, topic, resource_id=None, **extra):
        return webhook_payload(self.store, topic, resource_id, **extra)

    # -- faults ---------------------------------------------------------------------------
    def fail_next(self, n=1, status=500, operation=None):
        self.faults.add("fail", n, int(status), operation)

    def before_next(self, operation, callback):
        """Run ``callback()`` just before the next call of ``operation`` executes."""
        self.faults.add("before", 1, callback, operation)

    def slow_next(self, n=1, seconds=2.0, operation=None):
        self.faults.add("slow", n, float(seconds), operation)

    def malformed_next(self, n=1, operation=None):
        self.faults.add("malformed", n, True, operation)

    def throttle_next(self, n=1, operation=None):
        self.faults.add("throttle", n, True, operation)

    def revoke_token(self):
        self.faults.token_revoked = True

    def restore_token(self):
        self.faults.token_revoked = False

    @property
    def token_revoked(self):
        return self.faults.token_revoked

    def reset_faults(self):
        """Clear queued faults; restore the token, the default throttle mode and a full bucket."""
        self.faults.reset()
        self.deprecated_reason = None
        self.oauth.installed = True
        self.oauth.scopes = list(ALL_SCOPES)
        self.throttle_mode = "graphql"
        self.bucket.reset()
        self.bulk.reset_faults()

    def reset_records(self):
        with self._log_lock:
            self.calls.clear()
            self.mutations.clear()

    # -- records ---------------------------------------------------------------------------
    def mutations_named(self, name, applied=None):
        with self._log_lock:
            return [
                m for m in self.mutations if m["name"] == name and applied in (None, m["applied"])
            ]

    def calls_named(self, operation):
        with self._log_lock:
            return [c for c in self.calls if c["operation"] == operation]

    def _record_call(self, call, status, **details):
        call.update(status=status, **details)
        with self._log_lock:
            self.calls.append(call)
        return call

    # -- OAuth, access scopes, subscriptions ----------------------------------------------
    @property
    def client_id(self):
        return self.oauth.client_id

    def advance_clock(self, seconds):
        """Move the clock of token expiry forward (tests: a token gets old without waiting)."""
        self.oauth.advance(seconds)

    def set_app_installed(self, installed):
        self.oauth.installed = bool(installed)

    def set_app_scopes(self, scopes):
        """The scopes the app's version grants to tokens issued from now on."""
        self.oauth.scopes = list(scopes)

    def revoke_issued_tokens(self):
        """Issued tokens answer 401 from now on; the static token still works."""
        self.oauth.revoke_issued()

    @property
    def token_grants(self):
        return list(self.oauth.grants)

    def authorize_url(self, **params):
        return f"{self.base_url}{AUTHORIZE_PATH}?" + "&".join(f"{k}={v}" for k, v in params.items())

    def webhook_subscriptions(self):
        """The subscriptions Shopify holds: [{"id", "topic", "uri", "format", "include_fields"}]."""
        return [dict(r) for r in sorted(self.subscriptions.records.values(), key=lambda r: r["id"])]

    def deliver(self, topic, resource_id=None, payload=None, timeout=10):
        """Send an event to the subscriptions of ``topic``, as Shopify does: [(id, HTTP status)]."""
        payload = payload if payload is not None else self.webhook_payload(topic, resource_id)
        return self.subscriptions.deliver(
            topic, payload, self.shop_domain, self.client_secret, timeout=timeout
        )

    def _current_installation(self, _info):
        scopes = getattr(self._request, "scopes", None) or []
        return {
            "id": "gid://shopify/AppInstallation/1",
            "accessScopes": [{"handle": s, "description": s} for s in scopes],
        }

    def handle_token(self, headers, raw):
        """(status, headers, body bytes) for the token endpoint."""
        call = {
            "id": next(self._call_ids),
            "time": time.time(),
            "api_version": None,
            "operation": "access_token",
            "query": None,
            "variables": None,
            "fault": None,
        }
        status = self.faults.take("fail", "access_token", exact=True)
        if status:
            self._record_call(call, status, fault=f"fail_next {status}")
            return status, {}, json.dumps({"errors": "simulated failure"}).encode()
        delay = self.faults.take("slow", "access_token", exact=True)
        if delay:
            self._stopping.wait(delay)
        status, body = self.oauth.handle_token(headers.get("Content-Type"), raw)
        self._record_call(call, status)
        return status, {}, json.dumps(body).encode()

    # -- the Admin API ---------------------------------------------------------------------
    def handle_graphql(self, headers, raw, version=None):
        """Return (status, headers, body bytes) for one Admin API call."""
        version = version or self.api_version
        out = {"X-Shopify-API-Version": version, "X-Request-Id": str(uuid.uuid4())}
        call = {
            "id": next(self._call_ids),
            "time": time.time(),
            "api_version": version,
            "operation": None,
            "query": None,
            "variables": None,
            "fault": None,
        }
        try:
            request = json.loads(raw or b"{}")
            query, variables = request["query"], request.get("variables") or {}
            operation_name = request.get("operationName")
        except (ValueError, KeyError, TypeError):
            query, variables, operation_name = None, None, None
        prepared = (
            self.api.prepare(query, variables, operation_name) if isinstance(query, str) else None
        )
        call.update(
            query=query, variables=variables, operation=operation_name or _operation_name(prepared)
        )
        operation = call["operation"]
        scopes = self.oauth.token_scopes(headers.get("X-Shopify-Access-Token"))
        if self.faults.token_revoked or scopes is None:
            self._record_call(
                call, 401, fault="token_revoked" if self.faults.token_revoked else None
            )
            return 401, out, json.dumps(INVALID_TOKEN).encode()
        self._request.scopes, self._request.version = scopes, version
        reason = self.deprecated_reason or (
            "WebhookSubscription.callbackUrl" if "callbackUrl" in (query or "") else None
        )
        if reason:
            out["X-Shopify-API-Deprecated-Reason"] = reason
        status = self.faults.take("fail", operation)
        if status:
            self._record_call(call, status, fault=f"fail_next {status}")
            return status, out, failure_body(status, out)
        if prepared is None:
            self._record_call(call, 400)
            return (
                400,
                out,
                json.dumps({"errors": {"query": "Required parameter missing or invalid"}}).encode(),
            )
        if prepared.errors:
            body = {"errors": prepared.errors, "extensions": self._cost(0, 0)}
            self._record_call(call, 200, requested_cost=0, actual_cost=0)
            return 200, out, json.dumps(body).encode()
        denied = _access_denied(prepared, scopes)
        if denied:
            self._record_call(call, 200, requested_cost=0, actual_cost=0, fault="access_denied")
            return 200, out, json.dumps({"errors": denied, "data": None}).encode()
        requested = prepared.requested_cost
        if self.faults.take("throttle", operation):
            return self._throttled(call, out, requested, fault="throttle_next")
        if requested > MAX_QUERY_COST:
            body = max_cost_body(requested)
            body["extensions"] = self._cost(requested, None)
            self._record_call(call, 200, requested_cost=requested)
            return 200, out, json.dumps(body).encode()
        if not self.bucket.spend(requested):
            return self._throttled(call, out, requested)
        hook = self.faults.take("before", operation)
        if hook:
            hook()  # e.g. a concurrent edit between the client's read and its write
        body, actual, records = self.api.run(prepared)
        self.bucket.refund(requested - actual)
        body["extensions"] = self._cost(requested, actual)
        self._record_call(call, 200, requested_cost=requested, actual_cost=actual)
        self._record_mutations(call, records)
        delay = self.faults.take("slow", operation)
        if delay:
            call["fault"] = f"slow_next {delay}s"
            self._stopping.wait(delay)  # the work is done; only the answer is late
        encoded = json.dumps(body).encode()
        if self.faults.take("malformed", operation):
            call["fault"] = "malformed_next"
            return 200, out, encoded[: max(len(encoded) // 2, 1)]
        return 200, out, encoded

    def _cost(self, requested, actual):
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status(),
            }
        }

    def _record_mutations(self, call, records):
        with self._log_lock:
            for record in records:
                self.mutations.append(
                    dict(
                        record,
                        operation=call["operation"],
                        request_variables=call["variables"],
                        time=call["time"],
                        call_id=call["id"],
                    )
                )

    def _throttled(self, call, headers, cost, fault=None):
        if self.throttle_mode == "http429":
            self._record_call(call, 429, requested_cost=cost, throttled=True, fault=fault)
            headers = dict(headers, **{"Retry-After": f"{self.bucket.retry_after(cost):.1f}"})
            return 429, headers, json.dumps({"errors": RATE_LIMIT_TEXT}).encode()
        self._record_call(call, 200, requested_cost=cost, throttled=True, fault=fault)
        return 200, headers, json.dumps(throttled_body(self._cost(cost, None))).encode()


def _access_denied(prepared, scopes):
    """Shopify's ACCESS_DENIED errors for root fields the token's scopes do not cover."""
    operation = get_operation_ast(prepared.document, prepared.operation_name)
    errors = []
    for selection in getattr(operation, "selection_set", None).selections if operation else ():
        name = getattr(getattr(selection, "name", None), "value", None)
        needed = REQUIRED_SCOPES.get(name)
        if needed and needed not in scopes and needed.replace("read_", "write_") not in scopes:
            errors.append(
                {
                    "message": f"Access denied for {name} field. Required access: `{needed}` "
                    "access scope.",
                    "path": [name],
                    "extensions": {
                        "code": "ACCESS_DENIED",
                        "documentation": "https://shopify.dev/api/usage/access-scopes",
                        "requiredAccess": f"`{needed}` access scope.",
                    },
                }
            )
    return errors


def _operation_name(prepared):
    operation = getattr(getattr(prepared, "cost", None), "operation", None)
    return operation.name.value if operation is not None and operation.name else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients must not wait for a SYN retry


class _Handler(BaseHTTPRequestHandler):
    simulator = None
    protocol_version = "HTTP/1.1"
    server_version = "ShopifySimulator/1.0"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stall

    def log_message(self, *_args):
        pass

    def _reply(self, status, body, headers=None):
        headers = dict(headers or {})
        self.send_response(status)
        self.send_header(
            "Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8")
        )
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):  # noqa: N802 - http.server API
        raw = self._body()
        match = GRAPHQL_PATH.match(self.path.split("?", 1)[0])
        if match:
            try:
                status, headers, body = self.simulator.handle_graphql(
                    self.headers, raw, match["version"]
                )
            except Exception as exc:  # noqa: BLE001 - a server answers 500, it does not hang up
                status, headers = 500, {}
                body = json.dumps(
                    {"errors": f"simulator error: {type(exc).__name__}: {exc}"}
                ).encode()
            return self._reply(status, body, headers)
        if self.path.split("?", 1)[0] == TOKEN_PATH:
            status, headers, body = self.simulator.handle_token(self.headers, raw)
            return self._reply(status, body, headers)
        if self.path.startswith("/_sim/"):
            status, body = handle_control(self.simulator, "POST", self.path, raw)
            return self._reply(status, json.dumps(body, default=str).encode())
        return self._reply(404, b'{"errors":"Not Found"}')

    def do_GET(self):  # noqa: N802 - http.server API
        if self.simulator.bulk.serve(self, self.path):
            return None  # a bulk operation's JSONL, streamed
        if self.path.split("?", 1)[0] == AUTHORIZE_PATH:
            status, headers = self.simulator.oauth.authorize(self.path)
            return self._reply(status, b"", headers)
        if self.path.startswith("/_sim/"):
            status, body = handle_control(self.simulator, "GET", self.path, b"")
            return self._reply(status, json.dumps(body, default=str).encode())
        return self._reply(404, b'{"errors":"Not Found"}')
