import shutil

from odoo.tests import tagged

from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestReadinessTour(ShopifyHttpCase):
    def test_readiness_fix_green(self):
        if not shutil.which("chromium"):
            self.skipTest("Debian chromium is not installed")
        self.shop.match_partner_by_email = True
        twins = self.env["res.partner"].create(
            [
                {"name": "Tour Twin A", "email": "tour.twin@example.com"},
                {"name": "Tour Twin B", "email": "tour.twin@example.com"},
            ]
        )
        self.assertFalse(self.shop.readiness_line_ids, "the tour runs the first check")
        self.env.flush_all()
        self.start_tour(
            f"/odoo/action-shopify_sync.action_shopify_shop/{self.shop.id}",
            "shopify_sync_readiness_fix_green",
            login="admin",
        )
        self.env.invalidate_all()
        self.assertEqual(twins[1].email, "tour.twin.b@example.com")
        line = self.shop.readiness_line_ids.filtered(lambda line: line.code == "partner_emails")
        self.assertEqual(line.state, "green")
