"""Go-live readiness: the Shopify reads of the check and the pure rules over them."""

from datetime import timedelta

from .gid import numeric_id

LOOKBACK_DAYS = 60
FAILURES_CHECKED = 20
PAGE_SIZE = 10  # orders or products per page: nested lists keep each query within Shopify's cost limit

RECENT_ORDERS_QUERY = """
query RecentOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    nodes {
      legacyResourceId name taxesIncluded
      shippingAddress { countryCodeV2 }
      lineItems(first: 25) { nodes { taxLines { title rate } } }
      shippingLines(first: 3) { nodes { title code taxLines { title rate } } }
      fulfillmentOrders(first: 3) { nodes { assignedLocation { name location { legacyResourceId name } } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ORDER_GATEWAYS_QUERY = """
query OrderGateways($id: ID!) { order(id: $id) { transactions(first: 10) { gateway } } }
"""

VARIANTS_QUERY = """
query Variants($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    nodes { legacyResourceId title variants(first: 50) { nodes { legacyResourceId title sku } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def since_filter(now):
    """The Shopify search filter of the orders the check reads."""
    return f"created_at:>='{(now - timedelta(days=LOOKBACK_DAYS)):%Y-%m-%dT%H:%M:%SZ}'"


def seen_in_orders(orders):
    """What the orders use: tax rates (rate, included, country), locations and carriers."""
    taxes, locations, carriers = set(), {}, set()
    for order in orders:
        country = (order.get("shippingAddress") or {}).get("countryCodeV2") or ""
        included = bool(order.get("taxesIncluded"))
        lines = ((order.get("lineItems") or {}).get("nodes") or []) + (
            (order.get("shippingLines") or {}).get("nodes") or []
        )
        for line in lines:
            for tax in line.get("taxLines") or []:
                taxes.add((round(float(tax.get("rate") or 0.0), 6), included, country, tax.get("title") or ""))
        for ship in (order.get("shippingLines") or {}).get("nodes") or []:
            carriers.add(ship.get("title") or ship.get("code") or "?")
        for fulfillment_order in (order.get("fulfillmentOrders") or {}).get("nodes") or []:
            assigned = fulfillment_order.get("assignedLocation") or {}
            location = assigned.get("location") or {}
            if location.get("legacyResourceId"):
                locations[str(numeric_id(location["legacyResourceId"]))] = location.get("name") or assigned.get("name")
    return taxes, locations, carriers


def variants_without_sku(products):
    """``[(product title, variant title)]`` of Shopify variants with no SKU."""
    return [
        (product.get("title"), variant.get("title"))
        for product in products
        for variant in (product.get("variants") or {}).get("nodes") or []
        if not (variant.get("sku") or "").strip()
    ]


def shorten(items, limit=5):
    items = sorted(str(item) for item in items)
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")
