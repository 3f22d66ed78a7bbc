"""A reconciliation does not fail to serialize because someone wrote its shop meanwhile.

The job runs on a committed cursor, as a queue_job worker would; the shop is saved
on another one while the job pages through Shopify.
"""

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..services.identity import shop_keys_pattern
from .common import drop_committed_shop, shop_values, start_simulator


@tagged("post_install", "-at_install")
class TestReconcileConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.simulator = start_simulator(domain="reconcile-race.myshopify.com")
        self.addCleanup(self.simulator.stop)
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                shop_values(self.simulator, name="Reconcile race", domain="reconcile-race.myshopify.com")
            )
            self.shop_id = shop.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["queue.job"].search([("identity_key", "=like", shop_keys_pattern(self.shop_id))]).unlink()
        drop_committed_shop(self.dbname, self.shop_id)

    def test_a_shop_saved_during_a_reconciliation_does_not_make_it_run_again(self):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].browse(self.shop_id)
            self.assertTrue(shop.name)  # the job's snapshot starts here
            with db_connect(self.dbname).cursor() as other:  # someone saves a setting of the shop meanwhile
                api.Environment(other, SUPERUSER_ID, {})["shopify.shop"].browse(self.shop_id).write(
                    {"inventory_debounce_seconds": 31}
                )
            # nothing updated since: no sync job is queued (and committed) for a runner to take
            counts = shop.reconcile("2099-01-01 00:00:00")
            env.flush_all()  # the job's transaction commits: no serialization failure
        self.assertIn("0 customer(s)", counts)
        with db_connect(self.dbname).cursor() as cr:
            cr.execute(
                "SELECT last_reconciled_at, reconcile_progress, inventory_debounce_seconds FROM shopify_shop "
                "WHERE id = %s",
                (self.shop_id,),
            )
            stamped_at, progress, debounce = cr.fetchone()
        self.assertTrue(stamped_at)
        self.assertTrue(progress.startswith("Done"), progress)
        self.assertEqual(debounce, 31, "the other writer's setting is kept")
