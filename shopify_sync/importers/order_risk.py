"""An order's risk, as Shopify rates it: recorded on the sale order, held for review at the shop's threshold."""

from ..mapping import order as omap


def risk_changed(order, node):
    """Whether Shopify's risk level differs from the one the Odoo order holds.

    A new risk assessment (orders/risk_assessment_changed) need not change the
    order's ``updatedAt``: without this, the order job would skip it as stale.
    """
    return bool(order) and (order.shopify_risk_level or "none") != omap.risk_level(node)


def apply_risk(shop, order, node):
    """Record the order's risk level; hold it when it reaches the shop's threshold. Return whether it is held.

    A hold lasts until a person releases it (sale.order.action_shopify_release_risk_hold): later
    updates, whatever their risk, keep it. After a release, only a level above the released one
    holds the order again.
    """
    level = omap.risk_level(node)
    if order.shopify_risk_level != level:
        order.shopify_risk_level = level
    released = order.shopify_risk_released_level
    reaches = omap.risk_at_least(level, shop.risk_hold_threshold)
    if reaches and not (released and omap.risk_at_least(released, level)):
        order._shopify_hold_for_risk(level)
    return order.shopify_risk_hold
