"""Two people approving the same review at once: it is applied once.

Each approval runs on its own committed cursor, as two browser requests would.
"""

import threading

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from shopify_simulator import ShopifySimulator

from .common import API_VERSION, SECRET, TOKEN, drop_committed_shop


@tagged("post_install", "-at_install")
class TestConcurrentApproval(TransactionCase):
    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.simulator = ShopifySimulator(
            shop_domain="review-race.myshopify.com", access_token=TOKEN, client_secret=SECRET, api_version=API_VERSION
        ).start()
        self.addCleanup(self.simulator.stop)
        self.customer = self.simulator.generate(customers=1)["customers"][0]
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": "Review race",
                    "domain": self.simulator.shop_domain,
                    "base_url": self.simulator.base_url,
                    "new_access_token": TOKEN,
                    "new_client_secret": SECRET,
                    "api_version": API_VERSION,
                    "rollout_customers": "review",
                }
            )
            self.shop_id = shop.id
            env["shopify.sync.job"].run_sync(shop.id, "customer", str(self.customer["id"]))
            job = env["shopify.sync.job"].search([("shop_id", "=", shop.id)])
            self.assertEqual(job.state, "to_review")
            self.job_id = job.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = env["shopify.partner.binding"].search([("shop_id", "=", self.shop_id)]).odoo_id
            env["shopify.partner.binding"].search([("shop_id", "=", self.shop_id)]).unlink()
            (partners | partners.child_ids).unlink()
        drop_committed_shop(self.dbname, self.shop_id)

    def _approve(self, outcomes, approved=None, hold=None):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            try:
                action = env["shopify.sync.job"].browse(self.job_id).action_approve()
                outcomes.append(action["params"]["message"])
            except UserError as err:
                outcomes.append(f"refused: {err}")
                cr.rollback()
                return
            if approved:
                approved.set()
            if hold:
                hold.wait(20)

    def _bound_partners(self):
        with db_connect(self.dbname).cursor() as cr:
            cr.execute("SELECT count(*) FROM shopify_partner_binding WHERE shop_id = %s", (self.shop_id,))
            bindings = cr.fetchone()[0]
            cr.execute("SELECT count(*) FROM res_partner WHERE email = %s", (self.customer["email"],))
            return bindings, cr.fetchone()[0]

    def test_two_approvals_at_once_apply_once(self):
        first, second = [], []
        approved, hold = threading.Event(), threading.Event()
        thread = threading.Thread(target=self._approve, args=(first,), kwargs={"approved": approved, "hold": hold})
        thread.start()
        try:
            self.assertTrue(approved.wait(30), first)
            self._approve(second)  # while the first approval is not committed yet
        finally:
            hold.set()
            thread.join(30)
        self.assertIn("1 applied", first[0])
        self.assertTrue(second[0].startswith("refused"), second)
        late = []
        self._approve(late)  # after the first committed
        self.assertIn("0 applied", late[0])
        self.assertEqual(self._bound_partners(), (1, 1))
