from . import (
    test_binding_concurrency,
    test_bindings,
    test_failures,
    test_fulfillment_refund,
    test_inventory_fulfillment_push,
    test_mapping,
    test_nested_pages,
    test_retry_policy,
    test_shop,
    test_sync_jobs,
    test_ui_tour,
    test_webhook,
)
