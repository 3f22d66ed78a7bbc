"""GraphQL documents sent to the Admin API, in one place."""

import json

METAFIELD_NAMESPACE = "odoo"
METAFIELD_KEY = "sale_order"

SHOP_QUERY = "query ShopName { shop { name myshopifyDomain currencyCode } }"

# Both sets of amounts: an order is booked in one of them (shop setting "Book Orders In").
MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"

ADDRESS_FIELDS = """
    firstName lastName name company address1 address2 city
    province provinceCode country countryCodeV2 zip phone
"""

CUSTOMER_FIELDS = f"""
    id legacyResourceId firstName lastName displayName email phone note
    createdAt updatedAt taxExempt
    defaultAddress {{ {ADDRESS_FIELDS} }}
"""

CUSTOMER_QUERY = f"""
query Customer($id: ID!) {{
  customer(id: $id) {{ {CUSTOMER_FIELDS} }}
}}
"""

COMPANY_ADDRESS_FIELDS = "address1 address2 city companyName countryCode firstName lastName phone zip zoneCode"
COMPANY_LOCATIONS_FIRST = 25
COMPANY_CONTACTS_FIRST = 25
COMPANY_LOCATION_FIELDS = f"""
    id name updatedAt
    taxSettings {{ taxExempt taxExemptions taxRegistrationId }}
    billingAddress {{ {COMPANY_ADDRESS_FIELDS} }}
    shippingAddress {{ {COMPANY_ADDRESS_FIELDS} }}
"""
COMPANY_CONTACT_FIELDS = f"id title isMainContact customer {{ {CUSTOMER_FIELDS} }}"
COMPANY_QUERY = f"""
query Company($id: ID!) {{
  company(id: $id) {{
    id name note externalId updatedAt
    locations(first: {COMPANY_LOCATIONS_FIRST}) {{
      nodes {{ {COMPANY_LOCATION_FIELDS} }} pageInfo {{ hasNextPage endCursor }}
    }}
    contacts(first: {COMPANY_CONTACTS_FIRST}) {{
      nodes {{ {COMPANY_CONTACT_FIELDS} }} pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""

# Whether Shopify still has a customer (the losing customer of a merge is deleted once merged).
CUSTOMER_EXISTS_QUERY = """
query CustomerExists($id: ID!) {
  customer(id: $id) { id }
}
"""

PAGE_INFO = "pageInfo { hasNextPage endCursor }"
# Nested connections: a small first page with the record (Shopify reserves the
# cost of every entry ``first:`` asks for, docs/BENCHMARKS.md "Points per
# order"), the next ones 50 entries at a time with a query of their own
# (``page_query``) only when there are more, so that no record is imported from
# a partial list.
NESTED_PAGE_SIZE = 50
ORDER_LINES_FIRST = 10
SHIPPING_LINES_FIRST = 2
# The refunds an order already has when Odoo first meets it: their jobs are enqueued then (a refund read
# before its order waits for it).
ORDER_REFUNDS_FIRST = 20
# the dates of an order's fulfillments (a list, not a connection): when it left the warehouse
FULFILLMENT_DATES_FIRST = 3
ORDER_REFUND_LINES_FIRST = 10  # a refund's lines, to tell units an edit removed from refunded ones
VARIANTS_FIRST = 25

VARIANT_FIELDS = """
    id legacyResourceId title sku barcode price position
    selectedOptions { name value }
    inventoryItem { id tracked }
"""

PRODUCT_QUERY = f"""
query Product($id: ID!) {{
  product(id: $id) {{
    id legacyResourceId title handle status productType vendor updatedAt
    options(first: 3) {{ name position values }}
    variants(first: {VARIANTS_FIRST}) {{ nodes {{ {VARIANT_FIELDS} }} {PAGE_INFO} }}
  }}
}}
"""

# Only the objects the mapping reads (each object costs a point, scalars are free):
# a line's product is asked for only when its variant is not bound yet
# (VARIANT_PRODUCT_QUERY), a tax line's amount is never used (Odoo computes it).
TAX_LINE_FIELDS = "title rate"

LINE_ITEM_FIELDS = f"""
    id name title variantTitle sku quantity currentQuantity unfulfilledQuantity isGiftCard
    variant {{ id legacyResourceId }}
    originalUnitPriceSet {{ {MONEY} }}
    totalDiscountSet {{ {MONEY} }}
    taxLines {{ {TAX_LINE_FIELDS} }}
    duties {{ id price {{ {MONEY} }} taxLines {{ title rate priceSet {{ {MONEY} }} }} }}
"""

SHIPPING_LINE_FIELDS = f"""
    id title code
    discountedPriceSet {{ {MONEY} }}
    taxLines {{ {TAX_LINE_FIELDS} }}
"""

VARIANT_PRODUCT_QUERY = """
query VariantProduct($id: ID!) {
  productVariant(id: $id) { id product { id legacyResourceId } }
}
"""

# The order's own fields, the same for one order (ORDER_QUERY) and for an export of orders.
ORDER_FIELDS = f"""id legacyResourceId name email phone createdAt updatedAt processedAt
    cancelledAt cancelReason closedAt displayFinancialStatus displayFulfillmentStatus edited
    currencyCode presentmentCurrencyCode taxesIncluded note sourceName poNumber
    paymentTerms {{ paymentTermsName paymentTermsType dueInDays }}
    purchasingEntity {{ ... on PurchasingCompany {{ company {{ id }} location {{ id taxSettings {{ taxExempt }} }} }} }}
    retailLocation {{ id legacyResourceId }}
    risk {{ recommendation assessments {{ riskLevel }} }}
    totalTipReceivedSet {{ {MONEY} }}
    additionalFees {{ id name price {{ {MONEY} }} taxLines {{ {TAX_LINE_FIELDS} }} }}
    customer {{ {CUSTOMER_FIELDS} }}
    billingAddress {{ {ADDRESS_FIELDS} }}
    shippingAddress {{ {ADDRESS_FIELDS} }}
    totalPriceSet {{ {MONEY} }}"""

ORDER_QUERY = f"""
query Order($id: ID!) {{
  order(id: $id) {{
    {ORDER_FIELDS}
    lineItems(first: {ORDER_LINES_FIRST}) {{ nodes {{ {LINE_ITEM_FIELDS} }} {PAGE_INFO} }}
    shippingLines(first: {SHIPPING_LINES_FIRST}) {{ nodes {{ {SHIPPING_LINE_FIELDS} }} {PAGE_INFO} }}
    fulfillments(first: {FULFILLMENT_DATES_FIRST}) {{ createdAt }}
    metafield(namespace: "{METAFIELD_NAMESPACE}", key: "{METAFIELD_KEY}") {{ id value }}
    refunds(first: {ORDER_REFUNDS_FIRST}) {{
      legacyResourceId
      refundLineItems(first: {ORDER_REFUND_LINES_FIRST}) {{ nodes {{ quantity lineItem {{ id }} }} }}
    }}
  }}
}}
"""

METAFIELDS_SET = """
mutation SetMetafields($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key value }
    userErrors { field message code }
  }
}
"""

# The roots of UPDATED_SINCE_QUERY, per resource type, are declared on the handlers
# (``reconciliation_root``): services.resources.UPDATED_SINCE.
UPDATED_SINCE_QUERY = """
query UpdatedSince($first: Int!, $after: String, $query: String) {
  %(root)s(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id legacyResourceId updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

FULFILLMENT_LINE_FIELDS = "id quantity lineItem { id sku variant { id legacyResourceId } }"

FULFILLMENT_QUERY = f"""
query Fulfillment($id: ID!) {{
  fulfillment(id: $id) {{
    id legacyResourceId name status createdAt updatedAt
    order {{ id legacyResourceId name }}
    trackingInfo(first: 5) {{ company number url }}
    fulfillmentLineItems(first: {NESTED_PAGE_SIZE}) {{ nodes {{ {FULFILLMENT_LINE_FIELDS} }} {PAGE_INFO} }}
  }}
}}
"""

REFUND_LINE_FIELDS = f"""
    quantity restockType
    lineItem {{ id sku variant {{ id legacyResourceId }} }}
    subtotalSet {{ {MONEY} }}
"""

REFUND_SHIPPING_FIELDS = f"subtotalAmountSet {{ {MONEY} }}"

REFUND_TRANSACTION_FIELDS = f"""
    id kind status gateway test processedAt createdAt
    amountSet {{ {MONEY} }}
    parentTransaction {{ id kind }}
"""

ORDER_ADJUSTMENT_FIELDS = f"amountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }} reason"

# What of the order was shipped when the refund is read: a refund line not restocked is a refund of
# unshipped units when nothing of its line was fulfilled (mapping/order.py unshipped_refund_lines).
# Small pages (each entry costs a point) and no pageInfo: a list read to its limit may be partial, and
# the mapping then counts the line as shipped (nothing is taken off the order).
REFUND_FULFILLMENTS_FIRST = 5
REFUND_FULFILLMENT_LINES_FIRST = 25
REFUND_ORDER_FIELDS = f"""
    id legacyResourceId name
    fulfillments(first: {REFUND_FULFILLMENTS_FIRST}) {{
      status
      fulfillmentLineItems(first: {REFUND_FULFILLMENT_LINES_FIRST}) {{ nodes {{ quantity lineItem {{ id }} }} }}
    }}
"""

# The items a return sends in exchange: each processed one is a new line item of the order.
EXCHANGE_LINE_ITEMS = f"""
    exchangeLineItems(first: 10) {{
      nodes {{
        id quantity processedQuantity
        lineItems {{
          id name sku quantity taxable variant {{ id legacyResourceId }}
          discountedUnitPriceSet {{ {MONEY} }}
        }}
      }}
    }}
"""

REFUND_QUERY = f"""
query Refund($id: ID!) {{
  refund(id: $id) {{
    id legacyResourceId createdAt processedAt updatedAt note
    return {{ id name {EXCHANGE_LINE_ITEMS} }}
    order {{ {REFUND_ORDER_FIELDS} }}
    totalRefundedSet {{ {MONEY} }}
    refundLineItems(first: {NESTED_PAGE_SIZE}) {{ nodes {{ {REFUND_LINE_FIELDS} }} {PAGE_INFO} }}
    refundShippingLines(first: 5) {{ nodes {{ {REFUND_SHIPPING_FIELDS} }} {PAGE_INFO} }}
    transactions(first: 20) {{ nodes {{ {REFUND_TRANSACTION_FIELDS} }} {PAGE_INFO} }}
    orderAdjustments(first: 10) {{ nodes {{ {ORDER_ADJUSTMENT_FIELDS} }} {PAGE_INFO} }}
  }}
}}
"""

# A return, its units (by fulfillment line item), and where each processed unit went (the dispositions
# of its reverse fulfillment orders' line items).
RETURN_LINE_ITEM_FIELDS = """
    lineItem { id sku name variant { id legacyResourceId } }
"""
RETURN_LINES_FIRST = 20  # a return of more line items is refused (refuse_truncated), never read in part
RETURN_RFOS_FIRST = 3
RETURN_QUERY = f"""
query Return($id: ID!) {{
  return(id: $id) {{
    id name status createdAt closedAt requestApprovedAt totalQuantity
    decline {{ reason note }}
    order {{ id legacyResourceId name }}
    {EXCHANGE_LINE_ITEMS}
    returnLineItems(first: {RETURN_LINES_FIRST}) {{
      nodes {{
        id quantity processedQuantity
        ... on ReturnLineItem {{ fulfillmentLineItem {{ id {RETURN_LINE_ITEM_FIELDS} }} }}
      }}
      {PAGE_INFO}
    }}
    reverseFulfillmentOrders(first: {RETURN_RFOS_FIRST}) {{
      nodes {{
        id status
        lineItems(first: {RETURN_LINES_FIRST}) {{
          nodes {{
            id totalQuantity
            fulfillmentLineItem {{ id {RETURN_LINE_ITEM_FIELDS} }}
            dispositions {{ type quantity location {{ id }} }}
          }}
          {PAGE_INFO}
        }}
      }}
      {PAGE_INFO}
    }}
  }}
}}
"""

INVENTORY_LEVEL_QUERY = """
query InventoryLevel($id: ID!, $locationId: ID!) {
  inventoryItem(id: $id) {
    id tracked
    inventoryLevel(locationId: $locationId) { quantities(names: ["available", "on_hand"]) { name quantity } }
  }
}
"""

# Every item stocked at one location with its quantities: the day-one stock comparison.
LOCATION_LEVELS_QUERY = """
query LocationLevels($id: ID!, $first: Int!, $after: String) {
  location(id: $id) {
    id
    inventoryLevels(first: $first, after: $after) {
      nodes {
        item { id legacyResourceId tracked }
        quantities(names: ["available", "on_hand"]) { name quantity }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

INVENTORY_SET = """
mutation SetInventory($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}
"""

# The holds of every fulfillment order of a fulfillment order's order, as they are now
# (fulfillment_holds/added and /released): the order's deliveries show them all.
FULFILLMENT_HOLDS_FIRST = 10
FULFILLMENT_ORDER_HOLDS_QUERY = f"""
query FulfillmentOrderHolds($id: ID!) {{
  fulfillmentOrder(id: $id) {{
    id
    order {{
      id legacyResourceId name
      fulfillmentOrders(first: {FULFILLMENT_HOLDS_FIRST}) {{
        nodes {{ id status fulfillmentHolds {{ id reason reasonNotes displayReason }} }}
        {PAGE_INFO}
      }}
    }}
  }}
}}
"""

FULFILLMENT_ORDERS_QUERY = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        lineItems(first: 50) {
          nodes { id totalQuantity remainingQuantity lineItem { id variant { id legacyResourceId } } }
          pageInfo { hasNextPage endCursor }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation CreateFulfillment($fulfillment: FulfillmentInput!, $key: String!) {
  fulfillmentCreate(fulfillment: $fulfillment) @idempotent(key: $key) {
    fulfillment { id legacyResourceId status }
    userErrors { field message }
  }
}
"""

# The two-way catalogue (importers/product_push.py): Shopify's product as the push compares it,
# and productSet, which upserts by handle (a retry after a timeout updates the product the
# first call created, never a second one) or by id once the product is bound.
CATALOGUE_PRODUCT_QUERY = f"""
query CatalogueProduct($id: ID!) {{
  product(id: $id) {{
    id legacyResourceId title handle descriptionHtml vendor productType tags status updatedAt
    options(first: 3) {{ name position values }}
    variants(first: {VARIANTS_FIRST}) {{ nodes {{ {VARIANT_FIELDS} compareAtPrice }} {PAGE_INFO} }}
  }}
}}
"""

PRODUCT_SET = """
mutation PublishProduct($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product {
      id legacyResourceId handle updatedAt
      variants(first: 250) {
        nodes { id legacyResourceId sku selectedOptions { name value } inventoryItem { id tracked } }
      }
    }
    userErrors { field message code }
  }
}
"""


# Bulk publishing (models/shopify_publish_batch.py): the JSONL of productSet variables is uploaded
# to a staged upload target, then Shopify runs PRODUCT_SET once per line.
STAGED_UPLOADS_CREATE = """
mutation StageUpload($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
"""

# A product's image (importers/product_push.py): a staged upload target, the same mutation.
STAGE_IMAGE = """
mutation StageImage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
"""

BULK_RUN_MUTATION = """
mutation RunBulkMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(
    mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier
  ) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""


def page_query(root_field, connection, fields):
    """The query that reads the page of ``root_field(id).connection`` after ``$after``."""
    return (
        f"query NextPage($id: ID!, $after: String!) {{ {root_field}(id: $id) {{ "
        f"{connection}(first: {NESTED_PAGE_SIZE}, after: $after) {{ nodes {{ {fields} }} {PAGE_INFO} }} }} }}"
    )


# The nested connections read in full, per root field: {connection: the fields of a node}.
# Any other connection left with a next page makes the import fail visibly.
NESTED_CONNECTIONS = {
    "product": {"variants": VARIANT_FIELDS},
    "order": {"lineItems": LINE_ITEM_FIELDS, "shippingLines": SHIPPING_LINE_FIELDS},
    "fulfillment": {"fulfillmentLineItems": FULFILLMENT_LINE_FIELDS},
    "refund": {
        "refundLineItems": REFUND_LINE_FIELDS,
        "refundShippingLines": REFUND_SHIPPING_FIELDS,
        "transactions": REFUND_TRANSACTION_FIELDS,
        "orderAdjustments": ORDER_ADJUSTMENT_FIELDS,
    },
    "company": {"locations": COMPANY_LOCATION_FIELDS, "contacts": COMPANY_CONTACT_FIELDS},
}

LOCATIONS_QUERY = """
query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: true) {
    nodes { id legacyResourceId name isActive }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# -- accounting ----------------------------------------------------------------------
TRANSACTION_FIELDS = """
    id kind status gateway test processedAt createdAt
    amountSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
    parentTransaction { id kind }
"""

ORDER_PAYMENTS_QUERY = f"""
query OrderPayments($id: ID!) {{
  order(id: $id) {{
    id legacyResourceId name currencyCode presentmentCurrencyCode
    paymentTerms {{ paymentTermsName }}
    displayFinancialStatus displayFulfillmentStatus cancelledAt
    totalPriceSet {{ {MONEY} }}
    transactions(first: 100) {{ {TRANSACTION_FIELDS} }}
  }}
}}
"""

MONEY_V2 = "amount currencyCode"

PAYOUTS_QUERY = f"""
query Payouts($first: Int!, $after: String) {{
  shopifyPaymentsAccount {{
    id
    payouts(first: $first, after: $after, reverse: true) {{
      nodes {{ id legacyResourceId issuedAt status transactionType net {{ {MONEY_V2} }} }}
      {PAGE_INFO}
    }}
  }}
}}
"""

BALANCE_TRANSACTION_FIELDS = f"""
    id type test transactionDate sourceType sourceOrderTransactionId adjustmentReason
    amount {{ {MONEY_V2} }} fee {{ {MONEY_V2} }} net {{ {MONEY_V2} }}
    associatedOrder {{ id name }}
    associatedPayout {{ id status }}
"""

BALANCE_TRANSACTIONS_QUERY = f"""
query PayoutTransactions($first: Int!, $after: String, $query: String) {{
  shopifyPaymentsAccount {{
    id
    balanceTransactions(first: $first, after: $after, query: $query) {{
      nodes {{ {BALANCE_TRANSACTION_FIELDS} }}
      {PAGE_INFO}
    }}
  }}
}}
"""

# -- day-one import: bulk operations ---------------------------------------------------
BULK_RUN_QUERY = """
mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

BULK_OPERATION_FIELDS = (
    "id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl"
)

BULK_OPERATION_QUERY = f"""
query BulkOperation($id: ID!) {{
  node(id: $id) {{ ... on BulkOperation {{ {BULK_OPERATION_FIELDS} }} }}
}}
"""

# The record fields of each export, the same as the single-record queries above
# (the fields the mapping uses); nested connections are read in full, as lines of their own.
BULK_ROOT_FIELDS = {
    "products": f"""
        id legacyResourceId title handle status productType vendor updatedAt
        options(first: 3) {{ name position values }}
        variants {{ edges {{ node {{ {VARIANT_FIELDS} }} }} }}
    """,
    "customers": CUSTOMER_FIELDS,
    "orders": f"""
        {ORDER_FIELDS}
        lineItems {{ edges {{ node {{ {LINE_ITEM_FIELDS} }} }} }}
        shippingLines {{ edges {{ node {{ {SHIPPING_LINE_FIELDS} }} }} }}
        metafield(namespace: "{METAFIELD_NAMESPACE}", key: "{METAFIELD_KEY}") {{ id value }}
    """,
}


def bulk_export_query(kind, search=None):
    """The query a bulk operation runs to export every record of ``kind`` (matching ``search``)."""
    arguments = f"(query: {json.dumps(search)})" if search else ""
    return f"{{ {kind}{arguments} {{ edges {{ node {{ {BULK_ROOT_FIELDS[kind]} }} }} }} }}"


# -- day-one import: what the store holds, before importing it ---------------------------
# ``limit: null``: Shopify counts every match (its default stops at 10,000, AT_LEAST).
# The variables: the search terms of each count (services/bulk.preview_searches).
IMPORT_PREVIEW_QUERY = """
query ImportPreview($all: String, $open: String, $cancelled: String, $refunded: String,
                    $partlyRefunded: String) {
  all: ordersCount(query: $all, limit: null) { count precision }
  open: ordersCount(query: $open, limit: null) { count precision }
  cancelled: ordersCount(query: $cancelled, limit: null) { count precision }
  refunded: ordersCount(query: $refunded, limit: null) { count precision }
  partlyRefunded: ordersCount(query: $partlyRefunded, limit: null) { count precision }
  oldest: orders(first: 1, sortKey: PROCESSED_AT, query: $all) { nodes { processedAt } }
  newest: orders(first: 1, sortKey: PROCESSED_AT, reverse: true, query: $all) { nodes { processedAt } }
}
"""
