"""queue_job's runner endpoint, told about handled failures.

A sync that fails for a known, classified reason (a mapping missing, a
configuration to fix) raises ``SyncFailed`` once the failure is recorded on
its sync job, with one log line (models/shopify_sync_job.py). The
queue job must still end as failed, but it is not a crash: queue_job would
log its traceback at ERROR and answer the runner with an error. Here the
queue job is marked failed as queue_job does it (its traceback kept on the
job, for a developer), without a traceback in the log, and the runner is
answered as for any job that ran.
"""

import logging
import traceback

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import FAILED

from ..models.shopify_sync_job import SyncFailed

_logger = logging.getLogger(__name__)


class ShopifyRunJobController(RunJobController):
    @classmethod
    def _try_perform_job(cls, env, job):
        try:
            return super()._try_perform_job(env, job)
        except SyncFailed as err:
            return cls._fail_handled(env, job, err, traceback.format_exc())

    @classmethod
    def _fail_handled(cls, env, job, error, traceback_txt):
        """Mark ``job`` failed like queue_job's runner, logging one line instead of the traceback."""
        _logger.debug("%s failed, recorded on its sync job: %s", job, error)
        job.env.clear()
        with job.in_temporary_env():
            vals = cls._get_failure_values(job, traceback_txt, error)
            job.set_failed(**vals)
            job.store()
            job.on_fail(vals)
        # Nothing of the job's own is left to commit: its savepoint was rolled back, its cache cleared.

    @classmethod
    def _enqueue_dependent_jobs(cls, env, job):
        if job.state == FAILED:
            return  # a failed job's dependents wait, as after any failure
        return super()._enqueue_dependent_jobs(env, job)
