"""Reusable helpers for shopify_sync's tests.

The remote end is the local Shopify simulator (``shopify_simulator``), a real
HTTP server on 127.0.0.1; jobs are real ``queue.job`` records, performed the
way queue_job's runner performs them.
"""

import json
import uuid
import zlib

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests.common import HttpCase, TransactionCase, new_test_user

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from shopify_simulator import ShopifySimulator, WebhookSender

from ..models.shopify_sync_job import SyncFailed
from ..services.identity import ORDER_LINKS, dispatch_identity_key, order_links_key, shop_keys_pattern
from ..services.webhook_auth import compute_hmac

SHOP_DOMAIN = "test-shop.myshopify.com"
TOKEN = "shpat_test_token"
SECRET = "whsec_test_secret"
API_VERSION = "2026-01"
BINDING_MODELS = {
    "customer": "shopify.partner.binding",
    "product": "shopify.product.binding",
    "variant": "shopify.variant.binding",
    "order": "shopify.order.binding",
    "fulfillment": "shopify.fulfillment.binding",
    "refund": "shopify.refund.binding",
}


def start_simulator(*, domain=SHOP_DOMAIN, token=TOKEN, secret=SECRET, client_id=None, restore_rate=100000):
    """A running simulator for one store (the caller stops it)."""
    extra = {"client_id": client_id} if client_id else {}
    return ShopifySimulator(
        shop_domain=domain,
        access_token=token,
        client_secret=secret,
        api_version=API_VERSION,
        restore_rate=restore_rate,
        **extra,
    ).start()


def shop_values(simulator, *, name, domain, token=TOKEN, secret=SECRET, **extra):
    """Values of a shop pointed at ``simulator``: static token unless ``extra`` says otherwise."""
    values = {
        "name": name,
        "domain": domain,
        "base_url": simulator.base_url,
        "api_version": API_VERSION,
        "new_client_secret": secret,
        "confirm_policy": "on_create",
    }
    if token:
        values["new_access_token"] = token
    values.update(extra)
    return values


class ShopifyTestMixin:
    """Start a simulator and a shop pointed at it, once per test class."""

    @classmethod
    def setup_shopify(cls):
        cls.simulator = start_simulator()
        cls.addClassCleanup(cls.simulator.stop)
        cls.shop = cls.env["shopify.shop"].create(shop_values(cls.simulator, name="Test Shop", domain=SHOP_DOMAIN))
        # Shopify rounds each line's tax: the readiness asks the company to round alike
        cls.shop.company_id.tax_calculation_rounding_method = "round_per_line"
        cls.tax = cls.env["account.tax"].create(
            {"name": "Test 6%", "amount": 6.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        cls.env["shopify.tax.mapping"].create(
            {"shop_id": cls.shop.id, "rate": 0.06, "price_include": False, "tax_id": cls.tax.id}
        )

    def setUp(self):
        super().setUp()
        self.simulator.reset_faults()

    # -- Shopify side ---------------------------------------------------------
    def seed_order(self, **overrides):
        """Seed one order (with its customer and products) in the simulator.

        Without a ``seed``, each call of a test gets its own, from the test's name: a test seeds the
        same orders whatever ran before it (test_generated_orders.py walks many seeds on purpose).
        """
        seed = overrides.pop("seed", None)
        if seed is None:
            self._orders_seeded = getattr(self, "_orders_seeded", 0) + 1
            seed = zlib.crc32(f"{self.id()}:{self._orders_seeded}".encode())
        data = self.simulator.generate(customers=1, products=2, orders=1, lines_per_order=2, seed=seed)
        order = data["orders"][0]
        order.update(overrides)
        if overrides:
            self.simulator.seed_order(order)
        return order

    # -- Odoo side ----------------------------------------------------------
    def sync(self, resource_type, resource_id):
        """Run the sync job function directly, as its queue job would."""
        return self.env["shopify.sync.job"].run_sync(self.shop.id, resource_type, str(resource_id))

    def bound(self, kind, shopify_id, shop=None):
        """The Odoo record bound to Shopify ``kind`` ``shopify_id`` in ``shop`` (the test shop by default)."""
        return self.env[BINDING_MODELS[kind]]._record(shop or self.shop, shopify_id)

    def bind(self, kind, shopify_id, record, shop=None, **values):
        return self.env[BINDING_MODELS[kind]]._bind(shop or self.shop, shopify_id, record, **values)

    def item_of(self, product, shop=None):
        """The Shopify inventory item of an Odoo variant in ``shop``."""
        return self.env["shopify.variant.binding"]._of(shop or self.shop, product).inventory_item_id

    def agree_stock(self, choice="shopify"):
        """Run the waiting stock comparison as the runner would, then a manager's choice on it."""
        for record in self.shopify_jobs().filtered(lambda job: ":stock_compare:" in job.identity_key):
            self._perform_one(record.uuid)
        agreement = self.env["shopify.stock.agreement"].search(
            [("shop_id", "=", self.shop.id), ("state", "=", "draft")]
        )
        agreement._apply(choice)
        return agreement

    def orders_named(self, name):
        """Every Odoo sale order made for a Shopify order name, bound or not: a duplicate shows as two."""
        return self.env["sale.order"].with_context(active_test=False).search([("client_order_ref", "=", name)])

    def map_skus(self, line_items):
        """Fix a mapping failure: one Odoo product per Shopify SKU."""
        for sku, title in {item["sku"]: item["title"] for item in line_items}.items():
            self.env["product.product"].create({"name": title, "default_code": sku})

    def flush_order_links(self):
        """Run the shop's order-link flush job (importers/order_links.py) directly."""
        return self.sync(ORDER_LINKS, order_links_key())

    def waiting_links(self, shop=None):
        return self.env["shopify.order.link.outbox"].search([("shop_id", "=", (shop or self.shop).id)])

    def metafield_writes(self, order_id):
        owner = f"gid://shopify/Order/{order_id}"
        return [
            m
            for m in self.simulator.mutations_named("metafieldsSet")
            if any(f["ownerId"] == owner for f in m["variables"]["metafields"])
        ]

    def sync_fails(self, resource_type, resource_id):
        """Run the job function, expecting a recorded failure; return the sync job.

        Odoo's assertRaises rolls back to a savepoint, which in tests would
        also drop the failure record (written on a second cursor in
        production): this helper does not.
        """
        try:
            self.sync(resource_type, resource_id)
        except SyncFailed as err:
            self.assertTrue(str(err))
        else:
            self.fail(f"sync of {resource_type} {resource_id} did not fail")
        return self.sync_job(resource_type, resource_id)

    def sync_job(self, resource_type, resource_id):
        return self.env["shopify.sync.job"].search(
            [
                ("shop_id", "=", self.shop.id),
                ("resource_type", "=", resource_type),
                ("resource_id", "=", str(resource_id)),
            ]
        )

    def shopify_jobs(self, states=("pending", "enqueued")):
        """The shop's sync jobs in queue_job (the webhook dispatcher's excluded)."""
        return self.env["queue.job"].search(
            [
                ("identity_key", "=like", shop_keys_pattern(self.shop.id)),
                ("identity_key", "!=", dispatch_identity_key(self.shop.id)),
                ("state", "in", list(states)),
            ]
        )

    def dispatcher_jobs(self, states=("pending", "enqueued")):
        return self.env["queue.job"].search(
            [("identity_key", "=", dispatch_identity_key(self.shop.id)), ("state", "in", list(states))]
        )

    def dispatch(self):
        """Perform the waiting webhook dispatcher, as the runner would: deliveries become sync jobs."""
        return [(record.uuid, self._perform_one(record.uuid)) for record in self.dispatcher_jobs()]

    def perform_jobs(self, max_rounds=10):
        """Perform the dispatcher, then pending sync jobs, like queue_job's runner: retries postpone, errors fail.

        Returns the list of (job uuid, outcome) of the sync jobs performed.
        """
        performed = []
        for _round in range(max_rounds):
            self.assertEqual({outcome for _uuid, outcome in self.dispatch()} - {"done"}, set(), "dispatcher failed")
            records = self.shopify_jobs(states=("pending", "enqueued"))
            if not records:
                break
            for record in records:
                performed.append((record.uuid, self._perform_one(record.uuid)))
        return performed

    def outcomes_of(self, performed, resource_type):
        """The outcomes in ``performed`` of the queue jobs of ``resource_type`` (e.g. without the order-link flush)."""
        keys = dict(
            self.env["queue.job"]
            .search([("uuid", "in", [u for u, _o in performed])])
            .mapped(lambda job: (job.uuid, job.identity_key))
        )
        marker = f":{resource_type}:"
        return [outcome for uuid, outcome in performed if marker in (keys.get(uuid) or "")]

    def _perform_one(self, job_uuid):
        job = Job.load(self.env, job_uuid)
        job.set_started()
        job.store()
        # No savepoint here: run_sync rolls its own work back, and its failure
        # record (a second cursor in production) must survive.
        try:
            job.perform()
        except RetryableJobError as err:
            job.postpone(result=str(err), seconds=0)
            job.set_pending(reset_retry=False)
            job.eta = None
            job.store()
            return "retry"
        except Exception as err:  # noqa: BLE001 - mirror the runner: any error fails the job
            job.set_failed(exc_name=type(err).__name__, exc_message=str(err), exc_info="")
            job.store()
            return "failed"
        job.set_done()
        job.store()
        return "done"


class ShopifyTransactionCase(ShopifyTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Failures are recorded on a second cursor: in tests it must be a test
        # cursor on this transaction.
        cls.registry_enter_test_mode_cls()
        cls.setup_shopify()


class ShopifyHttpCase(ShopifyTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_shopify()

    def setUp(self):
        super().setUp()
        # the simulator's webhook sender does not carry the test cookie
        self.http_request_allow_all = True
        self.sender = WebhookSender(self.webhook_url(), SHOP_DOMAIN, SECRET, api_version=API_VERSION)

    @classmethod
    def webhook_url(cls):
        return f"{cls.base_url()}/shopify_sync/webhook"

    def post_webhook(self, topic, payload, headers=None, secret=SECRET, raw=None):
        """POST through Odoo's real HTTP stack, with Shopify's headers."""
        body = raw if raw is not None else json.dumps(payload).encode()
        all_headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": "2026-11-25T10:00:00Z",
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Hmac-Sha256": compute_hmac(secret, body),
        }
        all_headers.update(headers or {})
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        self.env.flush_all()
        response = self.url_open("/shopify_sync/webhook", data=body, headers=all_headers, timeout=20)
        self.env.invalidate_all()
        return response

    def send_with(self, method, *args, **kwargs):
        """Call a WebhookSender method while the test lets the HTTP server in."""
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = getattr(self.sender, method)(*args, **kwargs)
        self.env.invalidate_all()
        return result

    def deliveries(self):
        return self.env["shopify.webhook.delivery"].search([("shop_id", "=", self.shop.id)])


def drop_committed_shop(dbname, shop_id):
    """Remove a shop committed by a concurrency test, with its orders, bindings and sync jobs."""
    with db_connect(dbname).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shop = env["shopify.shop"].with_context(active_test=False).browse(shop_id)
        orders = env["shopify.order.binding"].search([("shop_id", "=", shop_id)]).odoo_id
        partners = env["shopify.partner.binding"].search([("shop_id", "=", shop_id)]).odoo_id
        variants = env["shopify.variant.binding"].search([("shop_id", "=", shop_id)]).odoo_id
        for model in BINDING_MODELS.values():
            env[model].search([("shop_id", "=", shop_id)]).unlink()
        orders._action_cancel()
        orders.unlink()
        env["shopify.sync.job"].search([("shop_id", "=", shop_id)]).unlink()
        shop.unlink()
        # The simulator's customers have the same emails in every test: no committed contact
        # may be left to match a later test's customer.
        contacts = (partners | partners.child_ids).filtered(lambda p: not p.shopify_binding_ids)
        try:
            with cr.savepoint():
                contacts.unlink()
        except Exception:  # noqa: BLE001 - kept by accounting entries: archived without an email
            contacts.write({"email": False, "active": False})
        # Nor a product with one of their SKUs: a later test would find two Odoo products for it.
        variants = variants.filtered(lambda v: not v.shopify_binding_ids)
        try:
            with cr.savepoint():
                variants.product_tmpl_id.unlink()
        except Exception:  # noqa: BLE001 - kept by stock or accounting: archived without a reference
            variants.write({"default_code": False, "shopify_created_sku": False, "active": False})


def make_user(env, login, groups):
    return new_test_user(env, login=login, groups=groups)
