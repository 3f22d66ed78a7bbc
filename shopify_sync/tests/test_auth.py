"""Client credentials: tokens obtained, renewed before expiry and after a 401, scopes checked."""

import threading
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..services.connection import support_end, version_warning
from ..services.errors import ConfigurationError
from ..services.graphql_client import ShopifyGraphQLClient
from ..services.queries import SHOP_QUERY
from .common import API_VERSION, ShopifyTestMixin, make_user, shop_values, start_simulator

CC_DOMAIN = "cc-shop.myshopify.com"
CC_CLIENT = "cc_client_id"
CC_SECRET = "cc_client_secret"
STATIC = "shpat_static_not_used"


def cc_simulator(domain=CC_DOMAIN):
    return start_simulator(domain=domain, token=STATIC, secret=CC_SECRET, client_id=CC_CLIENT)


def cc_shop_values(simulator, domain=CC_DOMAIN, **extra):
    return shop_values(
        simulator,
        name="Client Credentials Shop",
        domain=domain,
        token=None,
        secret=CC_SECRET,
        auth_method="client_credentials",
        client_id=CC_CLIENT,
        **extra,
    )


@tagged("post_install", "-at_install")
class TestClientCredentials(ShopifyTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry_enter_test_mode_cls()
        cls.simulator = cc_simulator()
        cls.addClassCleanup(cls.simulator.stop)
        cls.shop = cls.env["shopify.shop"].create(cc_shop_values(cls.simulator))
        tax = cls.env["account.tax"].create({"name": "CC 6%", "amount": 6.0, "type_tax_use": "sale"})
        cls.env["shopify.tax.mapping"].create({"shop_id": cls.shop.id, "rate": 0.06, "tax_id": tax.id})

    def grants(self):
        return [g for g in self.simulator.token_grants if g["status"] == 200]

    def forget_token(self):
        self.shop._auth().write({"access_token": False, "expires_at": False})
        self.env.flush_all()  # the renewal reads on a cursor of its own

    def connect(self):
        return self.shop.action_test_connection()["params"]

    def test_token_obtained_then_reused(self):
        before = len(self.grants())
        result = self.connect()
        self.assertEqual(result["type"], "success", result["message"])
        for text in ("Client credentials", "Token expires", "read_orders", API_VERSION):
            self.assertIn(text, result["message"])
        auth = self.shop._auth()
        self.assertTrue(auth.access_token.startswith("shpat_"))
        lifetime = auth.expires_at - fields.Datetime.now()
        self.assertGreater(lifetime, timedelta(hours=23))
        self.assertEqual(self.shop.token_expires_at, auth.expires_at)
        self.assertIn("write_orders", self.shop.granted_scopes)
        self.connect()
        self.assertEqual(len(self.grants()), before + 1, "a valid token is reused, not requested again")
        self.assertEqual(self.grants()[-1]["grant_type"], "client_credentials")

    def test_renewed_before_expiry(self):
        self.connect()
        auth = self.shop._auth()
        old = auth.access_token
        # 2 minutes of the 24 h are left, on both sides.
        self.simulator.advance_clock(86399 - 120)
        auth.expires_at = fields.Datetime.now() + timedelta(minutes=2)
        self.env.flush_all()
        before = len(self.grants())
        result = self.connect()
        self.assertEqual(result["type"], "success", result["message"])
        self.assertEqual(len(self.grants()), before + 1)
        self.assertNotEqual(self.shop._auth().access_token, old)
        self.simulator.advance_clock(180)
        self.assertIsNone(self.simulator.oauth.token_scopes(old), "the old token has expired by now")
        self.assertEqual(self.connect()["type"], "success", "the renewed one still works")

    def test_401_renews_once_and_retries(self):
        self.connect()
        old = self.shop._auth().access_token
        self.simulator.revoke_issued_tokens()
        before = len(self.grants())
        result = self.connect()
        self.assertEqual(result["type"], "success", result["message"])
        self.assertEqual(len(self.grants()), before + 1)
        self.assertNotEqual(self.shop._auth().access_token, old)

    def test_401_after_renewal_is_a_configuration_failure(self):
        self.connect()
        self.simulator.revoke_token()  # every token answers 401, also a new one
        before = len(self.grants())
        result = self.connect()
        self.assertEqual(result["type"], "danger")
        self.assertIn("again after it was renewed", result["message"])
        self.assertEqual(len(self.grants()), before + 1, "one renewal, no more")

    def test_job_after_401_after_renewal_fails_as_configuration(self):
        seeded = self.seed_order()
        self.sync("order", seeded["id"])  # a token is in place
        self.simulator.revoke_token()
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("after it was renewed", job.message)

    def test_token_endpoint_refusals_are_clear_messages(self):
        cases = [
            ("wrong secret", lambda: self.shop.write({"new_client_secret": "nope"}), "client ID or client secret"),
            ("app not installed", lambda: self.simulator.set_app_installed(False), "not installed on this shop"),
            ("HTTP 401", lambda: self.simulator.fail_next(1, 401, operation="access_token"), "HTTP 401"),
        ]
        for label, arrange, text in cases:
            with self.subTest(label):
                self.simulator.reset_faults()
                self.shop.write({"new_client_secret": CC_SECRET})
                self.forget_token()
                arrange()
                self.env.flush_all()  # the renewal reads the shop on a cursor of its own
                result = self.connect()
                self.assertEqual(result["type"], "danger", result["message"])
                self.assertIn(text, result["message"])
                self.shop.invalidate_recordset()
                self.assertIn(text, self.shop.connection_message, "the shop shows it too")
                self.assertEqual(self.shop._auth().message_category, "configuration")

    def test_token_endpoint_timeout_or_unreachable_is_temporary(self):
        self.forget_token()
        self.shop.api_timeout = 1  # Odoo's test harness raises request timeouts under 10 s to 10 s
        self.env.flush_all()
        self.simulator.slow_next(1, seconds=10.5, operation="access_token")
        result = self.connect()
        self.assertEqual(result["type"], "danger", result["message"])
        self.assertIn("did not answer within", result["message"])
        self.assertIn("temporary", result["message"])
        self.assertEqual(self.shop._auth().message_category, "temporary")
        self.shop.base_url = "http://127.0.0.1:9"
        self.env.flush_all()
        result = self.connect()
        self.assertIn("not reachable", result["message"])
        self.assertEqual(self.shop._auth().message_category, "temporary")

    def test_missing_scope_names_it(self):
        self.forget_token()
        self.simulator.set_app_scopes(["read_customers", "write_customers", "read_products", "write_products"])
        result = self.connect()
        self.assertEqual(result["type"], "danger")
        self.assertIn("read_orders", result["message"])
        seeded = self.seed_order()
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("read_orders", job.message)

    def test_access_denied_from_shopify_names_the_scope(self):
        self.simulator.set_app_scopes(["read_products"])
        grant = self.simulator.oauth.handle_token(
            "application/x-www-form-urlencoded",
            f"grant_type=client_credentials&client_id={CC_CLIENT}&client_secret={CC_SECRET}".encode(),
        )[1]
        with ShopifyGraphQLClient(self.shop._graphql_endpoint(), grant["access_token"]) as client:
            with self.assertRaises(ConfigurationError) as caught:
                client.execute("query Orders { orders(first: 1) { nodes { id } } }")
        self.assertEqual(caught.exception.missing, "read_orders")

    def test_secrets_stay_with_managers(self):
        self.connect()
        user = make_user(self.env, "shopify_auth_user", "base.group_user,shopify_sync.group_shopify_user")
        auth = self.shop._auth().with_user(user).sudo(False)
        with self.assertRaises(AccessError):
            auth.read(["access_token"])
        with self.assertRaises(AccessError):
            self.shop.with_user(user).read(["client_secret"])
        shop = self.shop.with_user(user)
        self.assertTrue(shop.token_expires_at, "expiry and scopes are shown to users")
        self.assertNotIn(self.shop._auth().access_token, str(shop.read()[0]))

    def test_deprecation_reason_recorded_and_shown(self):
        self.simulator.deprecated_reason = "Order.totalPriceSet"
        self.connect()
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.api_deprecation_reason, "Order.totalPriceSet")

    def test_api_version_support_window(self):
        self.assertEqual(self.env["shopify.shop"].default_get(["api_version"])["api_version"], "2026-10")
        self.assertEqual(support_end("2026-10"), date(2027, 10, 1))
        self.assertEqual(support_end("2026-01"), date(2027, 1, 1))
        self.assertIsNone(version_warning("2026-10", date(2027, 7, 1)))
        self.assertEqual(version_warning("2026-10", date(2027, 8, 15)), (date(2027, 10, 1), 47))
        self.assertIsNone(support_end("unstable"))
        with freeze_time("2027-08-15"):
            self.shop.invalidate_recordset(["api_version_warning"])
            self.shop.api_version = "2026-10"
            self.assertIn("47 days left", self.shop.api_version_warning)
            self.shop.api_version = "2027-07"
            self.assertFalse(self.shop.api_version_warning)

    def test_mutations_follow_the_2026_04_rules(self):
        """Refund and inventory-adjustment mutations carry @idempotent; inventorySetQuantities a changeFromQuantity."""
        import re

        from ..importers import inventory_push
        from ..services import queries, webhook_subscriptions

        sources = {
            name: value
            for module in (queries, webhook_subscriptions)
            for name, value in vars(module).items()
            if isinstance(value, str) and value.lstrip().startswith("mutation")
        }
        self.assertTrue(sources)
        for name, text in sources.items():
            for root in re.findall(r"\b(\w+)\s*\([^)]*\)\s*(@idempotent)?", text.split("{", 1)[1]):
                field, directive = root
                if field in ("inventorySetQuantities", "inventoryAdjustQuantities", "refundCreate", "returnCreate"):
                    self.assertTrue(directive, f"{name}: {field} without @idempotent")
        with open(inventory_push.__file__) as source:
            self.assertIn('"changeFromQuantity"', source.read())


@tagged("post_install", "-at_install")
class TestConcurrentRenewal(TransactionCase):
    """Two jobs meet a 401 at once, each on its own committed cursor: one renewal serves both."""

    def test_two_jobs_share_one_renewal(self):
        dbname = self.env.cr.dbname
        simulator = cc_simulator("race-auth.myshopify.com")
        self.addCleanup(simulator.stop)
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(cc_shop_values(simulator, domain="race-auth.myshopify.com"))
            shop_id = shop.id
        self.addCleanup(self._cleanup, dbname, shop_id)
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            first = env["shopify.shop"].browse(shop_id)._api_access_token()
        simulator.revoke_issued_tokens()
        simulator.slow_next(1, 1.0, operation="access_token")  # the renewal holds the lock a while
        outcomes = []

        def job():
            with db_connect(dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                with env["shopify.shop"].browse(shop_id)._graphql_client() as client:
                    outcomes.append(
                        (client.execute(SHOP_QUERY)["shop"]["name"], client.session.headers["X-Shopify-Access-Token"])
                    )

        threads = [threading.Thread(target=job) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(len(outcomes), 2, outcomes)
        grants = [g for g in simulator.token_grants if g["status"] == 200]
        self.assertEqual(len(grants), 2, "the first token, then one renewal for both jobs")
        tokens = {token for _name, token in outcomes}
        self.assertEqual(len(tokens), 1, "both jobs went on with the one new token")
        self.assertNotIn(first, tokens)
        self.assertEqual(len([c for c in simulator.calls if c["status"] == 401]), 2, "both met the 401")

    @staticmethod
    def _cleanup(dbname, shop_id):
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["shopify.shop"].with_context(active_test=False).browse(shop_id).unlink()
