"""19.0.2.3.0: what the reports need from the sync jobs of earlier versions.

- ``failed_category`` (the reason a job failed with, kept once fixed) starts as
  the open reason of each job whose problem is still open; a fixed failure of an
  earlier version no longer has one.
- ``lag_at`` (when the lag of the last real sync was measured) starts as the
  last success of each job with a lag: earlier versions measured it then.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE shopify_sync_job SET failed_category = category
         WHERE failed_category IS NULL AND last_failed_at IS NOT NULL
           AND category IS NOT NULL AND category != 'stale'
        """
    )
    cr.execute(
        """
        UPDATE shopify_sync_job SET lag_at = last_success_at
         WHERE lag_at IS NULL AND lag_seconds IS NOT NULL AND last_success_at IS NOT NULL
        """
    )
