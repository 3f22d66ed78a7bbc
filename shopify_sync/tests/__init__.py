from . import (
    test_auth,
    test_failures,
    test_oauth_callback,
    test_shop,
    test_sync_jobs,
    test_webhook,
    test_webhook_subscriptions,
)
