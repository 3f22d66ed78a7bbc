"""What the steps of an import run and of a backlog read share: one GraphQL call and its failures."""

from odoo import models

from ..services.errors import SyncError, TemporaryError


class ShopifyBulkStep(models.AbstractModel):
    """A record driven by queue jobs around one bulk operation (``shop_id``, ``_retry_or_fail``, ``_fail``)."""

    _name = "shopify.bulk.step"
    _description = "Shopify Bulk Operation Steps"

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
