"""Authorization code grant: Connect, Shopify's signed callback, expiring tokens and their rotation."""

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import HttpCase

from shopify_simulator.oauth import query_hmac

from ..models.shopify_shop_auth import CALLBACK_ROUTE
from .common import ShopifyTestMixin, shop_values, start_simulator

DOMAIN = "client-store.myshopify.com"
CLIENT_ID = "partner_app_id"
SECRET = "partner_app_secret"


@tagged("post_install", "-at_install")
class TestAuthorizationCode(ShopifyTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulator = start_simulator(
            domain=DOMAIN, token="shpat_static_not_used", secret=SECRET, client_id=CLIENT_ID
        )
        cls.addClassCleanup(cls.simulator.stop)
        cls.shop = cls.env["shopify.shop"].create(
            shop_values(
                cls.simulator,
                name="Client Store",
                domain=DOMAIN,
                token=None,
                secret=SECRET,
                auth_method="authorization_code",
                client_id=CLIENT_ID,
            )
        )

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("web.base.url", self.base_url())
        self.shop.invalidate_recordset(["oauth_redirect_url"])

    # -- helpers ---------------------------------------------------------------------
    def approve(self):
        """Connect, then let the simulated merchant approve: the callback URL Shopify redirects to."""
        action = self.shop.action_oauth_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        query = parse_qs(urlparse(action["url"]).query)
        self.assertEqual(query["redirect_uri"], [f"{self.base_url()}{CALLBACK_ROUTE}"])
        self.assertIn("read_orders", query["scope"][0])
        response = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 302)
        return response.headers["Location"]

    def open_callback(self, url):
        self.env.flush_all()
        response = self.url_open(url.replace(self.base_url(), ""), allow_redirects=False, timeout=20)
        self.env.invalidate_all()
        return response

    def resigned(self, url, **changes):
        """The callback URL with some parameters changed, signed again with the right secret."""
        params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        params.update(changes)
        params["hmac"] = query_hmac(params, SECRET)
        return f"{url.split('?')[0]}?{urlencode(params)}"

    # -- tests ---------------------------------------------------------------------------
    def test_connect_stores_an_expiring_offline_token(self):
        response = self.open_callback(self.approve())
        self.assertEqual(response.status_code, 303, response.text)
        self.assertIn(f"/{self.shop.id}", response.headers["Location"])
        auth = self.shop._auth()
        self.assertTrue(auth.access_token.startswith("shpat_"))
        self.assertTrue(auth.refresh_token.startswith("shprt_"))
        self.assertLess(auth.expires_at - fields.Datetime.now(), timedelta(hours=1, minutes=1))
        self.assertFalse(auth.oauth_state_digest, "the state is used up")
        result = self.shop.action_test_connection()["params"]
        self.assertEqual(result["type"], "success", result["message"])
        self.assertIn("Authorization code", result["message"])

    def test_refresh_token_rotates_and_is_stored_with_its_token(self):
        self.open_callback(self.approve())
        auth = self.shop._auth()
        old_token, old_refresh = auth.access_token, auth.refresh_token
        self.simulator.advance_clock(3600 - 120)
        auth.expires_at = fields.Datetime.now() + timedelta(minutes=2)
        self.env.flush_all()
        result = self.shop.action_test_connection()["params"]
        self.assertEqual(result["type"], "success", result["message"])
        auth.invalidate_recordset()
        self.assertNotIn(auth.access_token, (old_token, False))
        self.assertNotIn(auth.refresh_token, (old_refresh, False))
        self.assertEqual(self.simulator.token_grants[-1]["grant_type"], "refresh_token")
        self.assertFalse(self.simulator.oauth.refresh_token_valid(old_refresh), "retired once the new pair is used")
        self.assertTrue(self.simulator.oauth.refresh_token_valid(auth.refresh_token))

    def test_bad_callbacks_are_403_and_store_nothing(self):
        url = self.approve()
        params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        base = url.split("?")[0]
        bad_hmac = dict(params, hmac=query_hmac(params, "not-the-secret"))
        cases = [
            ("bad hmac", f"{base}?{urlencode(bad_hmac)}"),
            ("no hmac", f"{base}?{urlencode({k: v for k, v in params.items() if k != 'hmac'})}"),
            ("unknown state", self.resigned(url, state="forged-state")),
            ("not a myshopify domain", self.resigned(url, shop="client-store.example.com")),
            ("another shop's domain", self.resigned(url, shop="other-store.myshopify.com")),
        ]
        for label, bad_url in cases:
            with self.subTest(label):
                response = self.open_callback(bad_url)
                self.assertEqual(response.status_code, 403, response.text)
                auth = self.shop._auth()
                self.assertFalse(auth.access_token, "nothing is stored")
                self.assertTrue(auth.oauth_state_digest, "the real state is still waiting")
        self.assertFalse([g for g in self.simulator.token_grants if g["grant_type"] == "authorization_code"])
        self.assertEqual(self.open_callback(url).status_code, 303, "the genuine callback still works")
        token = self.shop._auth().access_token
        self.assertEqual(self.open_callback(url).status_code, 403, "a reused state is refused")
        self.assertEqual(self.shop._auth().access_token, token)

    def test_expired_state_is_refused(self):
        url = self.approve()
        self.shop._auth().oauth_state_expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(self.open_callback(url).status_code, 403)
        self.assertFalse(self.shop._auth().access_token)

    def test_code_exchange_refused_is_shown_on_the_shop(self):
        url = self.approve()
        self.simulator.set_app_installed(False)
        response = self.open_callback(url)
        self.assertEqual(response.status_code, 303, "back to the shop, which says why")
        self.shop.invalidate_recordset()
        self.assertIn("not installed", self.shop.connection_message)
        self.assertFalse(self.shop._auth().access_token)
