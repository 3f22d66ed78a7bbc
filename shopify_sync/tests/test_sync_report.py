"""Reporting: the reason a job failed with is kept, lag is real syncs only, the Sync health report."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.modules.module import load_script
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ShopifyTransactionCase


@tagged("post_install", "-at_install")
class TestSyncReport(ShopifyTransactionCase):
    def _report(self, domain=()):
        return self.env["shopify.sync.report"].search([("shop_id", "=", self.shop.id), *domain])

    def _customer(self):
        rest = self.simulator.generate(customers=1)["customers"][0]
        self.sync("customer", rest["id"])
        job = self.sync_job("customer", rest["id"])
        self.assertEqual((job.state, job.outcome), ("done", "created"))
        return rest, job

    # -- the reason a failure had --------------------------------------------------
    def test_a_fixed_failure_keeps_the_reason_it_failed_with(self):
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order(seed=4)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual((job.category, job.failed_category), ("mapping", "mapping"))
        self.shop.create_products = True
        self.sync("order", seeded["id"])
        self.assertEqual(job.state, "done")
        self.assertFalse(job.category, "no open problem any more")
        self.assertEqual(job.failed_category, "mapping", "the reason it failed with stays for the reports")
        failed = self._report([("kind", "=", "failed")])
        self.assertEqual((failed.sync_job_id, failed.failed_category, failed.count), (job, "mapping", 1))
        groups = self.env["shopify.sync.report"]._read_group(
            [("shop_id", "=", self.shop.id), ("kind", "=", "failed")], ["failed_category"], ["count:sum"]
        )
        self.assertEqual(groups, [("mapping", 1)], "no Stale, no None")

    # -- lag --------------------------------------------------------------------------
    def test_lag_counts_real_syncs_only(self):
        rest, job = self._customer()
        self.assertTrue(job.lag_at)
        later = fields.Datetime.now() + timedelta(hours=2)
        job.write({"lag_at": job.lag_at - timedelta(hours=3)})  # measured earlier: a re-run must not move it
        measured = (job.lag_at, job.lag_seconds)
        # the same Shopify version again (an import, a reconciliation): a skip, no lag
        self.sync("customer", rest["id"])
        self.assertEqual(job.outcome, "skipped")
        self.assertEqual((job.lag_at, job.lag_seconds), measured)
        self.assertLess(job.lag_at, job.last_success_at)
        # a newer version in Shopify: a real update, its lag measured
        rest["first_name"] = "Changed"
        self.simulator.seed_customer(rest)
        self.simulator.touch("customer", rest["id"])
        self.sync("customer", rest["id"])
        self.assertEqual(job.outcome, "updated")
        self.assertGreater(job.lag_at, measured[0])
        self.assertLess(job.lag_at, later)

    def test_the_card_lag_ignores_a_re_run(self):
        rest, job = self._customer()
        job.write({"lag_at": fields.Datetime.now() - timedelta(days=2), "lag_seconds": 30.0})
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.lag_display, "no sync in 24 h")
        self.sync("customer", rest["id"])  # a no-op re-run today
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.lag_display, "no sync in 24 h", "a re-run is not a sync's lag")

    # -- the Sync health report ---------------------------------------------------------
    def test_lag_percentiles_and_integer_counts_per_shop(self):
        lags = [10.0, 20.0, 30.0, 40.0, 100.0]
        for lag in lags:
            _rest, job = self._customer()
            job.write({"lag_seconds": lag})
        report = self.env["shopify.sync.report"]
        [(shop, count, p50, p95)] = report._read_group(
            [("shop_id", "=", self.shop.id), ("kind", "=", "synced")],
            ["shop_id"],
            ["count:sum", "lag_p50:avg", "lag_p95:avg"],
        )
        self.assertEqual(shop, self.shop)
        self.assertEqual(count, 5)
        self.assertIsInstance(count, int)
        self.assertAlmostEqual(p50, 30.0)
        self.assertAlmostEqual(p95, 40.0 + 0.8 * 60.0, msg="percentile_cont(0.95), not an average")
        # the web client's call for the pivot gives the same
        groups = report.formatted_read_group(
            [("shop_id", "=", self.shop.id), ("kind", "=", "synced")], ["shop_id"], ["lag_p95:avg"]
        )
        self.assertAlmostEqual(groups[0]["lag_p95:avg"], 88.0)

    def test_backlog_rows(self):
        rest = self.simulator.generate(customers=1)["customers"][0]
        self.env["shopify.sync.job"]._ensure(self.shop, "customer", str(rest["id"]))
        waiting = self._report([("kind", "=", "waiting")])
        self.assertEqual(waiting.sync_job_id, self.sync_job("customer", rest["id"]))
        self.sync("customer", rest["id"])
        self.assertFalse(self._report([("kind", "=", "waiting")]))
        self.assertEqual(len(self._report([("kind", "=", "synced")])), 1)

    def test_reports_open_on_the_last_7_days_with_integer_axes(self):
        report = self.env["shopify.sync.report"]
        search = etree.fromstring(report.get_views([(False, "search")])["views"]["search"]["arch"])
        week = safe_eval(
            search.find(".//filter[@name='last_7_days']").get("domain"),
            {"context_today": lambda: fields.Date.context_today(report), "relativedelta": relativedelta},
        )
        _rest, job = self._customer()
        job.write({"last_failed_at": fields.Datetime.now() - timedelta(days=9), "failed_category": "temporary"})
        self.assertEqual(len(self._report(week)), 1, "the sync of today, not the failure of 9 days ago")
        self.assertEqual(len(self._report()), 2)
        for xmlid in (
            "action_shopify_sync_health",
            "action_shopify_failures_graph",
            "action_shopify_lag_graph",
            "action_shopify_orders_graph",
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(f"shopify_sync.{xmlid}")
            self.assertEqual(action["res_model"], "shopify.sync.report", xmlid)
            self.assertTrue(safe_eval(action["context"]).get("search_default_last_7_days"), xmlid)
        for view in ("graph", "graph_failures", "graph_orders", "graph_backlog"):
            arch = etree.fromstring(self.env.ref(f"shopify_sync.shopify_sync_report_view_{view}").arch)
            measure = arch.find("field[@type='measure']")
            self.assertEqual((measure.get("name"), measure.get("widget")), ("count", "shopify_count"), view)
        lag = etree.fromstring(self.env.ref("shopify_sync.shopify_sync_report_view_graph_lag").arch)
        self.assertEqual([f.get("name") for f in lag.iterfind("field") if not f.get("type")], ["date", "shop_id"])
        menus = self.env.ref("shopify_sync.menu_shopify_reporting").child_id
        self.assertIn(self.env.ref("shopify_sync.menu_shopify_sync_health"), menus)

    def test_the_upgrade_fills_the_reason_and_the_lag_time_of_earlier_jobs(self):
        _rest, synced = self._customer()
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        failing = self.sync_fails("order", self.seed_order(seed=5)["id"])
        # as an earlier version left them
        synced.write({"lag_at": False, "lag_seconds": 12.0})
        failing.write({"failed_category": False})
        self.env.flush_all()
        script = load_script("shopify_sync/migrations/19.0.2.3.0/post-sync_report.py", "shopify_sync_post_sync_report")
        script.migrate(self.env.cr, "19.0.2.2.0")
        self.env.invalidate_all()
        self.assertEqual(synced.lag_at, synced.last_success_at)
        self.assertEqual(failing.failed_category, "mapping")
        self.assertEqual(self._report([("kind", "=", "failed")]).failed_category, "mapping")
