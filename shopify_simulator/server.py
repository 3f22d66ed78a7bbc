"""The simulator: an HTTP server speaking Shopify's GraphQL Admin API, plus a control API.

The calls themselves are answered by admin_calls.py, the paths dispatched by
http_handler.py, the control API by control.py.
"""

import gc
import itertools
import threading

from .admin_calls import AdminCalls
from .bulk_control import BulkVerbs
from .bulk_mutations import StagedUploads
from .bulk_operations import BulkOperations
from .faults import CostBucket, Faults
from .generator import Generator
from .graphql_api import GraphQLApi
from .http_handler import AUTHORIZE_PATH, Handler, Server
from .oauth import ALL_SCOPES, OAuthServer
from .payloads import webhook_payload
from .payouts import seed_payout
from .store import Store
from .subscriptions import Subscriptions
from .totals import recompute_totals


class ShopifySimulator(AdminCalls, BulkVerbs):
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
        self.uploads = StagedUploads(lambda: self.base_url, shop_domain)
        self.api.root.update(self.uploads.resolvers())
        self.api.uploads = self.uploads  # productSet's files name uploaded files
        self.bulk.uploads = self.uploads
        self.bulk.on_records = self._record_bulk_mutations
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
        handler = type("Handler", (Handler,), {"simulator": self})
        self._server = Server((self.host, self.port), handler)
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

    def seed_company(self, rest):
        return self.store.seed_company(rest)

    def remove_company_entry(self, kind, entry_id):
        """Delete a company location (``kind`` "locations") or contact ("contacts")."""
        return self.store.remove_company_entry(kind, entry_id)

    def seed_product(self, rest):
        return self.store.seed_product(rest)

    def assess_order_risk(self, order_id, risk_level, recommendation=None, facts=()):
        """A new risk assessment on an order; returns the orders/risk_assessment_changed body."""
        return self.store.assess_order_risk(order_id, risk_level, recommendation, facts)

    def hold_fulfillment_order(self, order_id, reason="other", reason_notes=None):
        """Hold the order's fulfillment order; returns the fulfillment_holds/added body."""
        fo_id, hold = self.store.hold_fulfillment_order(order_id, reason, reason_notes)
        return self.webhook_payload("fulfillment_holds/added", fo_id, hold_id=hold["id"])

    def release_fulfillment_holds(self, order_id):
        """Release the order's holds; returns one fulfillment_holds/released body per hold."""
        return [
            self.webhook_payload("fulfillment_holds/released", fo_id, hold_id=hold["id"])
            for fo_id, hold in self.store.release_fulfillment_holds(order_id)
        ]

    def seed_fulfillment(self, order_id, rest):
        return self.store.seed_fulfillment(order_id, rest)

    def seed_refund(self, order_id, rest):
        return self.store.seed_refund(order_id, rest)

    def seed_location(self, rest):
        return self.store.seed_location(rest)

    def cancel_order(self, order_id, reason="customer", refund=True, gateway="shopify_payments"):
        """Cancel an order as the admin does (order_store.cancel_order).

        Returns ``(order, refund or None)``."""
        return self.store.cancel_order(order_id, reason=reason, refund=refund, gateway=gateway)

    def edit_order(self, order_id, quantities=None, add=None, staff_note=""):
        """Commit an order edit as the admin (or orderEditBegin ... orderEditCommit) does
        (order_edits.edit_order): ``quantities`` {line item id: new quantity, 0 removes},
        ``add`` [(variant id, quantity)]. Returns the order edit; raises OrderEditError."""
        return self.store.edit_order(
            order_id, quantities=quantities, add=add, staff_note=staff_note
        )

    def seed_payout(self, **kwargs):
        """Pay out the Shopify Payments transactions not paid out yet (see payouts.seed_payout)."""
        return seed_payout(self.store, **kwargs)

    def set_inventory(self, item_id, location_id, available):
        return self.store.set_inventory(item_id, location_id, available)

    def inventory(self, item_id, location_id):
        """Available quantity of an inventory item at a location (None when not stocked there)."""
        return self.store.available(item_id, location_id)

    def generate(self, seed=42, tax_rate="0.06", gateways=None, **counts):
        """Seed realistic REST customers, products and orders; return them as seeded.

        ``counts``: Generator.run's ``customers``, ``products``, ``variants_per_product``,
        ``orders``, ``lines_per_order`` and ``summary`` (large stores: counts returned only);
        ``gateways``: the payment gateways of each order's sales (see ``Generator``)."""
        return Generator(self.store, seed=seed, tax_rate=tax_rate, gateways=gateways).run(**counts)

    def touch(self, resource, resource_id):
        return self.store.touch(resource, resource_id)

    def delete(self, resource, resource_id):
        return self.store.delete(resource, resource_id)

    def set_presentment_rate(self, currency, rate):
        """Markets: orders in presentment ``currency`` show their amounts converted at ``rate``."""
        self.store.presentment_rates[currency] = str(rate)

    def merge_customers(self, kept_id, deleted_id):
        """Merge ``deleted_id`` into ``kept_id``; returns the customers/merge webhook body."""
        return self.store.merge_customers(kept_id, deleted_id)

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

    def take_webhooks(self):
        """The webhooks Shopify would have sent about the mutations applied since the last call:
        ``[(topic, id)]``, oldest first (``webhook_payload(topic, id)`` makes each body)."""
        with self.store.lock:
            taken = list(self.store.webhook_outbox)
            self.store.webhook_outbox.clear()
        return taken

    # -- records ---------------------------------------------------------------------------
    def mutations_named(self, name, applied=None):
        with self._log_lock:
            return [
                m for m in self.mutations if m["name"] == name and applied in (None, m["applied"])
            ]

    def calls_named(self, operation):
        with self._log_lock:
            return [c for c in self.calls if c["operation"] == operation]

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
