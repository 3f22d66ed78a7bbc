"""The values of Shopify's Admin API enums the addon compares against, and only from here.

Each constant is declared with :func:`shopify_values`, which records the enum it belongs to:
tests/test_schema_contract.py checks every recorded value exists in Shopify's published schema
(the default and the oldest supported API version), so a value Shopify never sends cannot leave
a branch that never runs. Error ``extensions.code`` values of top-level GraphQL errors
(THROTTLED, ACCESS_DENIED, ...) are not schema enums and are not listed here.
"""

ENUMS = {}  # Shopify enum name -> every value of it the addon uses


def shopify_values(enum, *values):
    """``values`` of Shopify's ``enum``, as a tuple; recorded for the schema contract test."""
    ENUMS.setdefault(enum, set()).update(values)
    return tuple(values)


# Order transactions (OrderTransaction.kind / .status)
PAYMENT_KINDS = shopify_values("OrderTransactionKind", "SALE", "CAPTURE")
REFUND_KINDS = shopify_values("OrderTransactionKind", "REFUND")
(TRANSACTION_SUCCESS,) = shopify_values("OrderTransactionStatus", "SUCCESS")

# Orders (Order.displayFinancialStatus / .displayFulfillmentStatus)
PAID_FINANCIAL_STATUSES = shopify_values("OrderDisplayFinancialStatus", "PAID", "PARTIALLY_REFUNDED", "REFUNDED")
(FULFILLED,) = shopify_values("OrderDisplayFulfillmentStatus", "FULFILLED")

# Fulfillments (Fulfillment.status) that never shipped anything
FAILED_FULFILLMENT_STATUSES = shopify_values("FulfillmentStatus", "CANCELLED", "ERROR", "FAILURE")

# Refunds (RefundLineItem.restockType): the goods came back (RETURN); never shipped (CANCEL);
# not restocked (NO_RESTOCK, and the deprecated LEGACY_RESTOCK): unshipped only when nothing of the
# line was fulfilled (mapping/order.py unshipped_refund_lines)
(RESTOCK_RETURN, RESTOCK_CANCEL) = shopify_values("RefundLineItemRestockType", "RETURN", "CANCEL")
NOT_RESTOCKED = shopify_values("RefundLineItemRestockType", "NO_RESTOCK", "LEGACY_RESTOCK")

# Shopify Payments: payouts and balance transactions (ShopifyPaymentsBalanceTransaction.type)
(PAYOUT_PAID,) = shopify_values("ShopifyPaymentsPayoutStatus", "PAID")
SETTLING_BALANCE_TYPES = shopify_values("ShopifyPaymentsTransactionType", "CHARGE", "REFUND")
# A dispute (chargeback) takes the money back: Shopify names it DISPUTE_WITHDRAWAL (there is no
# DISPUTE type; DISPUTE is a sourceType). A won dispute comes back as DISPUTE_REVERSAL.
(DISPUTE_WITHDRAWAL,) = shopify_values("ShopifyPaymentsTransactionType", "DISPUTE_WITHDRAWAL")

# inventorySetQuantities user errors
(CHANGE_FROM_QUANTITY_STALE,) = shopify_values("InventorySetQuantitiesUserErrorCode", "CHANGE_FROM_QUANTITY_STALE")

# Bulk operations (BulkOperation.status / .errorCode, bulkOperationRunQuery's userErrors)
BULK_WAITING_STATUSES = shopify_values("BulkOperationStatus", "CREATED", "RUNNING", "CANCELING")
(BULK_COMPLETED, BULK_EXPIRED, BULK_CANCELED) = shopify_values(
    "BulkOperationStatus", "COMPLETED", "EXPIRED", "CANCELED"
)
(BULK_ACCESS_DENIED, BULK_INTERNAL_SERVER_ERROR, BULK_TIMEOUT) = shopify_values(
    "BulkOperationErrorCode", "ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT"
)
BULK_LIMIT_CODES = shopify_values("BulkOperationUserErrorCode", "LIMIT_REACHED", "OPERATION_IN_PROGRESS")
BULK_MUTATION_LIMIT_CODES = shopify_values("BulkMutationErrorCode", "LIMIT_REACHED", "OPERATION_IN_PROGRESS")

# Webhook subscriptions (the topics themselves: services/topics.py, checked by the same test)
(WEBHOOK_FORMAT_JSON,) = shopify_values("WebhookSubscriptionFormat", "JSON")

# Returns (Return.status, ReverseFulfillmentOrderDisposition.type)
RETURN_STATUSES = shopify_values("ReturnStatus", "REQUESTED", "OPEN", "CLOSED", "DECLINED", "CANCELED")
(DISPOSITION_RESTOCKED, DISPOSITION_MISSING) = shopify_values(
    "ReverseFulfillmentOrderDispositionType", "RESTOCKED", "MISSING"
)
NOT_RESTOCKED_DISPOSITIONS = shopify_values(
    "ReverseFulfillmentOrderDispositionType", "NOT_RESTOCKED", "PROCESSING_REQUIRED"
)
