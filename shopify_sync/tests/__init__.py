from . import test_shop
from . import test_webhook
from . import test_sync_jobs
from . import test_failures
