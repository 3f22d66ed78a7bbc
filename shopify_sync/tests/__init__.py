from . import test_failures, test_shop, test_sync_jobs, test_webhook
