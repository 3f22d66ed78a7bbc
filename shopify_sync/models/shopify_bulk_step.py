"""What the steps of an import run and of a backlog read share: one GraphQL call and its failures."""

from odoo import fields, models

from ..services.errors import SyncError, TemporaryError
from ..services.queries import BULK_OPERATION_QUERY


class ShopifyBulkStep(models.AbstractModel):
    """A record driven by queue jobs around one bulk operation (``shop_id``, ``_retry_or_fail``, ``_fail``)."""

    _name = "shopify.bulk.step"
    _description = "Shopify Bulk Operation Steps"

    bulk_operation_gid = fields.Char(readonly=True, copy=False)
    bulk_status = fields.Char(readonly=True, copy=False)
    result_url = fields.Char(readonly=True, copy=False)
    poll_count = fields.Integer(readonly=True)

    def _call(self, query, variables):
        """One GraphQL call's data; a temporary failure is retried by queue_job, any other fails the record (None)."""
        try:
            with self.shop_id._graphql_client() as client:
                return client.execute(query, variables)
        except TemporaryError as err:
            self._retry_or_fail(err)
            return None
        except SyncError as err:
            self._fail(self._refused_message(err))
            return None

    def _refused_message(self, error):
        """The message of a record whose call Shopify refused (not a temporary failure)."""
        raise NotImplementedError

    def _poll_operation(self):
        """The bulk operation as Shopify reports it now, its status and this poll recorded; None when the
        call failed (the record is then retried or failed by ``_call``)."""
        data = self._call(BULK_OPERATION_QUERY, {"id": self.bulk_operation_gid})
        if data is None:
            return None
        operation = data.get("node") or {}
        self.write({"bulk_status": operation.get("status"), "poll_count": self.poll_count + 1})
        return operation
