"""A classified failure is handled: its queue job fails with one log line, no traceback, through the runner's door."""

import logging
from unittest.mock import patch

from odoo.tests import tagged

from ..models import shopify_sync_job as sync_job_module
from .common import ShopifyHttpCase


@tagged("post_install", "-at_install")
class TestHandledFailures(ShopifyHttpCase):
    def _enqueued_unmapped_order(self):
        """An order whose product is not mapped, its sync queue job enqueued for the runner."""
        self.shop.write({"create_products": False, "match_product_by_sku": True})
        seeded = self.seed_order(seed=4)
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.dispatch()
        record = self.shopify_jobs().filtered(lambda job: ":order:" in job.identity_key)
        self.assertEqual(len(record), 1)
        record.write({"state": "enqueued"})
        self.env.flush_all()
        return seeded, record

    def test_a_mapping_failure_fails_its_queue_job_with_one_line_and_no_traceback(self):
        _seeded, record = self._enqueued_unmapped_order()
        with self.assertLogs("odoo", level="DEBUG") as logs:
            response = self.url_open(f"/queue_job/runjob?job_uuid={record.uuid}")
        self.assertEqual(response.status_code, 200, "answered as any job that ran: the runner logs nothing")
        records = [r for r in logs.records if r.name != "odoo.sql_db"]  # its queries carry the stored traceback
        lines = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in records]
        self.assertFalse([line for line in lines if "Traceback" in line], lines)
        self.assertFalse([r for r in records if r.levelno >= logging.WARNING], "not an error, nor a warning")
        said = [r for r in records if r.levelno >= logging.INFO]
        self.assertEqual(len(said), 1, lines)
        self.assertIn("failed (mapping, final=True)", said[0].getMessage())
        self.env.invalidate_all()
        self.assertEqual(record.state, "failed")
        self.assertIn("SyncFailed", record.exc_name)
        self.assertIn("[mapping]", record.exc_message)
        self.assertIn("Traceback", record.exc_info, "the traceback is kept on the queue job, for a developer")
        # (the sync job's own failure record is written on a second cursor, which the test mode's
        # shared transaction rolls back with the job: test_failures.py checks it)

    def test_an_unexpected_error_still_logs_its_traceback(self):
        _seeded, record = self._enqueued_unmapped_order()

        def crash(*_args, **_kwargs):
            raise ValueError("not a classified failure")

        with (
            patch.dict(sync_job_module.HANDLERS, {"order": crash}),
            self.assertLogs("odoo.addons.queue_job", level="ERROR") as logs,
        ):
            self.url_open(f"/queue_job/runjob?job_uuid={record.uuid}")
        self.assertIn("Traceback", logs.output[0])
        self.assertIn("not a classified failure", logs.output[0])
