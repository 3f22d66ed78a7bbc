from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SECRET, TOKEN, ShopifyTransactionCase, make_user


@tagged("post_install", "-at_install")
class TestShop(ShopifyTransactionCase):
    def test_domain_is_validated(self):
        for bad in ("example.com", "shop.myshopify.com.evil.io", "no_dots", "a b.myshopify.com"):
            with self.subTest(domain=bad), self.assertRaises(ValidationError), self.cr.savepoint():
                self.env["shopify.shop"].create({"name": "Bad", "domain": bad})

    def test_domain_unique_per_company(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["shopify.shop"].create({"name": "Again", "domain": self.shop.domain.upper()})
        other = self.env["res.company"].create({"name": "Other Co"})
        twin = self.env["shopify.shop"].create({"name": "Twin", "domain": self.shop.domain, "company_id": other.id})
        self.assertEqual(twin.domain, self.shop.domain)

    def test_base_url_and_api_version_validated(self):
        with self.assertRaises(ValidationError):
            self.shop.base_url = "ftp://127.0.0.1:1/x"
        with self.assertRaises(ValidationError):
            self.shop.api_version = "latest"

    def test_secrets_are_stored_but_never_shown(self):
        self.assertEqual(self.shop.sudo().access_token, TOKEN)
        self.assertEqual(self.shop.sudo().client_secret, SECRET)
        self.assertFalse(self.shop.new_access_token, "the input field never reads back the token")
        self.assertTrue(self.shop.access_token_hint.endswith(TOKEN[-4:]))
        self.assertNotIn(TOKEN, self.shop.access_token_hint)

    def test_plain_user_cannot_read_token(self):
        user = make_user(self.env, "shopify_plain_user", "base.group_user,shopify_sync.group_shopify_user")
        shop = self.shop.with_user(user)
        self.assertEqual(shop.name, "Test Shop")
        with self.assertRaises(AccessError):
            shop.read(["access_token"])
        with self.assertRaises(AccessError):
            shop.write({"name": "Renamed"})
        outsider = make_user(self.env, "shopify_outsider", "base.group_user")
        with self.assertRaises(AccessError):
            self.shop.with_user(outsider).read(["name"])

    def test_secret_rotation_keeps_previous_for_an_hour(self):
        self.shop.new_client_secret = "whsec_new"
        self.env.flush_all()
        door = self.env["shopify.webhook.delivery"]._door_shop(self.shop.domain)
        self.assertEqual(door.webhook_secrets(), ["whsec_new", SECRET])

    def test_connection_ok(self):
        action = self.shop.action_test_connection()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("Connected to", action["params"]["message"])
        self.assertIn("2026-01", action["params"]["message"])

    def test_connection_rejected_token(self):
        self.simulator.revoke_token()
        try:
            action = self.shop.action_test_connection()
        finally:
            self.simulator.restore_token()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("HTTP 401", action["params"]["message"])

    def test_connection_unreachable(self):
        self.shop.base_url = "http://127.0.0.1:9"
        action = self.shop.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("not reachable", action["params"]["message"])

    def test_settings_reach_the_shops(self):
        settings = self.env["res.config.settings"].create({})
        self.assertGreaterEqual(settings.shopify_shop_count, 1)
        action = settings.action_shopify_shops()
        self.assertEqual(action["res_model"], "shopify.shop")

    def test_webhook_url_shown(self):
        self.env["ir.config_parameter"].set_param("web.base.url", "https://erp.example.com")
        self.shop.invalidate_recordset(["webhook_url"])
        self.assertEqual(self.shop.webhook_url, "https://erp.example.com/shopify_sync/webhook")
