"""Sync jobs fed by a day-one import: a bulk export row goes through the job's own path."""

import logging

from psycopg2 import errors as pg_errors

from odoo import api, fields, models

from ..importers import HANDLERS
from ..importers.base import SyncResult
from ..services.errors import DataConflictError, SyncError, TemporaryError
from ..services.identity import try_lock_resource

_logger = logging.getLogger(__name__)

# What an import row can end as, besides the handler's outcomes: its record failed,
# or it was handed to the ordinary sync job (another job held it, or a temporary failure).
FAILED = "failed"
DEFERRED = "deferred"


IMPORT_RESULTS = [("created", "Created"), ("linked", "Linked"), ("present", "Already there"), ("failed", "Failed")]


class ShopifySyncJob(models.Model):
    _inherit = "shopify.sync.job"  # pylint: disable=consider-merging-classes-inherited

    import_run_id = fields.Many2one(
        "shopify.import.run",
        string="Last import",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The last import run that read this record.",
    )
    import_result = fields.Selection(IMPORT_RESULTS, readonly=True, help="What that import did to the record.")

    @api.model
    def _import_node(self, shop, resource_type, resource_id, node):
        """Bring one fetched record into Odoo as its sync job would; return the outcome.

        Same sync job row, lock, handler, bindings and identity keys as a webhook's
        job: only the fetch is skipped (the export row is the fresh Shopify data).
        Runs in an import chunk's transaction and never raises for one record: a
        failure is recorded on the record's sync job and the chunk goes on.
        """
        inserted = set()
        try:
            with self.env.cr.savepoint():
                sync_job = self._ensure(shop, resource_type, resource_id, inserted=inserted)
        except pg_errors.SerializationFailure:
            # Created meanwhile by a webhook's door: that resource's own job takes it.
            return self._defer(shop, resource_type, resource_id)
        if not try_lock_resource(self.env.cr, sync_job.identity_key):
            # A webhook's job is syncing the record right now: a job of its own follows
            # (it fetches Shopify afresh, and finds what that one wrote).
            return self._defer(shop, resource_type, resource_id)
        handler = HANDLERS[resource_type](self.env, shop, sync_job)
        started = fields.Datetime.now()
        try:
            with self.env.cr.savepoint():
                result = sync_job._run_handler(handler, resource_id, node=node)
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            return self._defer(shop, resource_type, resource_id)
        except TemporaryError as err:
            sync_job._record_failure(err, final=False, attempt=1, in_transaction=True)
            return self._defer(shop, resource_type, resource_id)
        except SyncError as err:
            err.label, err.summary = handler.label, handler.summary
            sync_job._record_failure(err, final=True, in_transaction=True)
            return FAILED
        except (KeyError, TypeError, ValueError) as err:
            # A row the mapping cannot read (a field missing or of another shape).
            error = DataConflictError(
                self.env._(
                    "Shopify's export row of %(name)s could not be read: %(error)r", name=sync_job.name, error=err
                ),
                missing=self.env._("a complete export row"),
                retry_advice=self.env._("Retry is safe: it reads the record from Shopify again."),
            )
            sync_job._record_failure(error, final=True, in_transaction=True)
            return FAILED
        if sync_job.id in inserted:
            sync_job._record_first_import(result, started)
        else:
            sync_job._record_success(result, started)
        return result.outcome

    def _record_first_import(self, result, started):
        """The success of a sync job row this import inserted: its fields and the record's chatter line only.

        The row is new in this transaction: no webhook delivery points at it, no failure or
        activity came before, so the job's own chatter line, the deliveries' update (a
        cursor of its own) and the activity's look are left out. Any other result (a
        review, a switch, a warning) takes the full path.
        """
        self.ensure_one()
        if type(result) is not SyncResult or result.warning:
            return self._record_success(result, started)
        self.write(self._success_vals(result))
        self._note_on_record(result)
        return None

    @api.model
    def _import_failure(self, shop, resource_type, resource_id, error):
        """Record a row that cannot be imported at all (a line that does not parse, fields missing)."""
        try:
            with self.env.cr.savepoint():
                sync_job = self._ensure(shop, resource_type, resource_id)
        except pg_errors.SerializationFailure:
            return self._defer(shop, resource_type, resource_id)
        sync_job._record_failure(error, final=True, in_transaction=True)
        return FAILED

    @api.model
    def _defer(self, shop, resource_type, resource_id):
        """Hand a record to its ordinary sync job (enqueued once whatever the callers)."""
        self.sudo()._enqueue_resource(shop.id, resource_type, resource_id, priority=20)
        return DEFERRED
