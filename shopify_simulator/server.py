"""The simulator: an HTTP server speaking Shopify's GraphQL Admin API, plus a control API."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from graphql.error import GraphQLError

from .faults import CostBucket, Faults
from .graphql_api import GraphQLApi
from .store import Store, recompute_total
from .webhooks import webhook_payload

GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[0-9]{4}-[0-9]{2}|unstable)/graphql\.json$")
MAX_QUERY_COST = 1000
OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)")


class ShopifySimulator:
    """Start with ``.start()``; ``base_url`` then points at it. Thread-safe."""

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
    ):
        self.shop_domain = shop_domain
        self.shop_name = shop_name or shop_domain.split(".")[0].replace("-", " ").title()
        self.access_token = access_token
        self.client_secret = client_secret
        self.api_version = api_version
        self.host, self.port = host, port
        self.throttle_mode = throttle_mode  # "graphql" (THROTTLED error) or "http429"
        self.store = Store(shop_domain)
        self.api = GraphQLApi(self)
        self.faults = Faults()
        self.bucket = CostBucket(bucket_size, restore_rate)
        self.token_revoked = False
        self.calls, self.mutations, self.idempotent_results = [], [], {}
        self._log_lock = threading.Lock()
        self._server = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self):
        handler = type("Handler", (_Handler,), {"simulator": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, name="shopify-simulator", daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"

    def graphql_url(self, version=None):
        return f"{self.base_url}/admin/api/{version or self.api_version}/graphql.json"

    # -- test handle: data -------------------------------------------------------------
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

    def set_inventory(self, item_id, location_id, available):
        self.store.set_inventory(item_id, location_id, available)

    def inventory(self, item_id, location_id):
        return self.store.inventory.get((int(item_id), int(location_id)))

    def generate(self, **kwargs):
        return self.store.generate(**kwargs)

    def touch(self, resource, resource_id):
        return self.store.touch(resource, resource_id)

    def delete(self, resource, resource_id):
        self.store.delete(resource, resource_id)

    @staticmethod
    def recompute_total(order):
        return recompute_total(order)

    def webhook_payload(self, topic, resource_id=None, **kwargs):
        return webhook_payload(self.store, topic, resource_id, **kwargs)

    # -- test handle: faults -------------------------------------------------------------
    def fail_next(self, n=1, status=500, operation=None):
        with self.faults.lock:
            self.faults.fail.append((n, status, operation))

    def slow_next(self, n=1, seconds=2.0, operation=None):
        with self.faults.lock:
            self.faults.slow.append((n, seconds, operation))

    def malformed_next(self, n=1):
        with self.faults.lock:
            self.faults.malformed += n

    def throttle_next(self, n=1):
        with self.faults.lock:
            self.faults.throttle += n

    def revoke_token(self):
        self.token_revoked = True

    def restore_token(self):
        self.token_revoked = False

    def reset_faults(self):
        self.faults.reset()
        self.token_revoked = False
        self.throttle_mode = "graphql"

    # -- records ---------------------------------------------------------------------
    def record_mutation(self, name, variables, key, result, applied):
        with self._log_lock:
            self.mutations.append(
                {
                    "name": name,
                    "variables": _jsonable(variables),
                    "idempotency_key": key,
                    "result": _jsonable(result),
                    "applied": applied,
                    "time": time.time(),
                }
            )

    def mutations_named(self, name, applied=None):
        with self._log_lock:
            return [m for m in self.mutations if m["name"] == name and applied in (None, m["applied"])]

    def _record_call(self, operation, query, variables, status):
        with self._log_lock:
            self.calls.append(
                {"time": time.time(), "operation": operation, "query": query, "variables": variables, "status": status}
            )

    # -- request handling --------------------------------------------------------------
    def handle_graphql(self, headers, raw):
        """Return (status, headers, body bytes) for one Admin API call."""
        if self.token_revoked or headers.get("X-Shopify-Access-Token") != self.access_token:
            body = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
            self._record_call(None, None, None, 401)
            return 401, {}, json.dumps(body).encode()
        try:
            request = json.loads(raw or b"{}")
            query = request["query"]
        except (ValueError, KeyError, TypeError):
            return 400, {}, json.dumps({"errors": "Bad Request: body must be JSON with a query"}).encode()
        variables = request.get("variables") or {}
        match = OPERATION.match(query)
        operation = request.get("operationName") or (match.group(1) if match else None)
        status = self.faults.take_failure(operation)
        if status:
            self._record_call(operation, query, variables, status)
            return status, {}, json.dumps({"errors": "Internal error"}).encode()
        if self.faults.take_throttle():
            return self._throttled(operation, query, variables, cost=self.bucket.maximum + 1)
        try:
            body, cost = self.api.execute(query, variables, operation)
        except GraphQLError as exc:
            body, cost = {"errors": [{"message": exc.message, "extensions": {"code": "PARSE_ERROR"}}]}, 0
        if cost > MAX_QUERY_COST:
            message = f"Query cost is {cost}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."
            body = {
                "errors": [
                    {
                        "message": message,
                        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MAX_QUERY_COST},
                    }
                ]
            }
            self._record_call(operation, query, variables, 200)
            return 200, {}, json.dumps(body).encode()
        if cost and not self.bucket.spend(cost):
            return self._throttled(operation, query, variables, cost)
        actual = min(self.api.actual_cost(body.get("data")), cost) if cost else 0
        self.bucket.refund(cost - actual)
        body["extensions"] = {
            "cost": {"requestedQueryCost": cost, "actualQueryCost": actual, "throttleStatus": self.bucket.status()}
        }
        self._record_call(operation, query, variables, 200)
        delay = self.faults.take_slowness(operation)
        if delay:
            time.sleep(delay)  # the work is done; only the answer is late
        if self.faults.take_malformed():
            return 200, {}, b'{"data": {"order": {"id": "gid://shopify/Or'
        return 200, {}, json.dumps(body).encode()

    def _throttled(self, operation, query, variables, cost):
        self._record_call(operation, query, variables, 429 if self.throttle_mode == "http429" else 200)
        if self.throttle_mode == "http429":
            retry = f"{self.bucket.retry_after(cost):.1f}"
            return 429, {"Retry-After": retry}, json.dumps({"errors": "Exceeded 2 calls per second"}).encode()
        body = {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage"},
                }
            ],
            "extensions": {
                "cost": {"requestedQueryCost": cost, "actualQueryCost": None, "throttleStatus": self.bucket.status()}
            },
        }
        return 200, {}, json.dumps(body).encode()


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


class _Handler(BaseHTTPRequestHandler):
    simulator = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):
        pass

    def _reply(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):  # noqa: N802 - http.server API
        raw = self._body()
        if GRAPHQL_PATH.match(self.path):
            status, headers, body = self.simulator.handle_graphql(self.headers, raw)
            return self._reply(status, body, headers)
        if self.path.startswith("/_sim/"):
            from .control import handle_control

            status, body = handle_control(self.simulator, "POST", self.path, raw)
            return self._reply(status, json.dumps(body, default=str).encode())
        return self._reply(404, b'{"errors": "Not Found"}')

    def do_GET(self):  # noqa: N802 - http.server API
        if self.path.startswith("/_sim/"):
            from .control import handle_control

            status, body = handle_control(self.simulator, "GET", self.path, b"")
            return self._reply(status, json.dumps(body, default=str).encode())
        return self._reply(404, b'{"errors": "Not Found"}')
