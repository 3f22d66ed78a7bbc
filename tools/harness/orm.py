"""The in-process Odoo ORM (its own transactions, as the superuser) and shop set-up."""

from dataclasses import dataclass

import psycopg2


class Orm:
    """The registry of ``db`` loaded in this process; ``run(func)`` calls ``func(env)`` in one transaction."""

    def __init__(self, conf, db, context=None):
        from odoo.modules.registry import Registry
        from odoo.tools import config

        config.parse_config(["-c", str(conf), "-d", db])
        self.registry = Registry(db)
        self.context = {"tracking_disable": True} if context is None else context

    def run(self, func):
        """``func(env)`` in one committed transaction, as the superuser."""
        from odoo import SUPERUSER_ID, api

        self.registry.check_signaling()
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, dict(self.context))
                result = func(env)
                cr.commit()
        except Exception:
            self.registry.reset_changes()
            raise
        # Caches this transaction cleared (e.g. the webhook door's shops) are cleared in
        # the running Odoo servers too, as a request of theirs would signal.
        self.registry.signal_changes()
        return result

    def run_again(self, func):
        """``run(func)``, once more on a fresh connection if the server dropped the old one."""
        try:
            return self.run(func)
        except psycopg2.OperationalError:
            return self.run(func)


@dataclass
class ShopSettings:
    """A shopify.shop as a run wants it: the simulator it talks to, its secrets, its mappings."""

    name: str
    domain: str
    base_url: str
    token: str
    secret: str
    api_timeout: int = 10
    tax_name: str = "Shopify bench 6%"
    keep_raw_body: bool | None = None  # None: the addon's default
    location_id: int | None = None  # a Shopify location mapped to the main warehouse
    inventory_debounce_seconds: int | None = None
    client_id: str | None = None  # connect by client credentials (``secret`` is the app's) instead of ``token``


def configure_shop(orm, settings):
    """Create or update the shop of ``settings.domain``, with a 6 % tax mapping; its id."""
    return orm.run(lambda env: _configure(env, settings))


def _configure(env, s):
    shops = env["shopify.shop"].with_context(active_test=False)
    shop = shops.search([("domain", "=", s.domain)])
    vals = {
        "name": s.name,
        "domain": s.domain,
        "base_url": s.base_url,
        "new_client_secret": s.secret,
        "api_version": "2026-01",
        "active": True,
        "sync_enabled": True,
        "confirm_policy": "on_create",
        "api_timeout": s.api_timeout,
        "user_id": env.ref("base.user_admin").id,
    }
    if s.client_id:
        vals.update(auth_method="client_credentials", client_id=s.client_id)
    else:
        vals["new_access_token"] = s.token
    if s.keep_raw_body is not None:
        vals["keep_raw_body"] = s.keep_raw_body
    if shop:
        shop.write(vals)
    else:
        shop = shops.create(vals)
    if s.location_id and not shop.location_mapping_ids:
        warehouse = env["stock.warehouse"].search([("company_id", "=", shop.company_id.id)], limit=1)
        env["shopify.location.mapping"].create(
            {
                "shop_id": shop.id,
                "location_id": warehouse.lot_stock_id.id,
                "shopify_location_id": str(s.location_id),
                "name": "Main warehouse",
            }
        )
    if s.inventory_debounce_seconds is not None:
        shop.inventory_debounce_seconds = s.inventory_debounce_seconds
    # Shopify rounds each line's tax: the merchant follows the readiness line and rounds alike
    shop.company_id.tax_calculation_rounding_method = "round_per_line"
    if not shop.tax_mapping_ids:
        taxes = env["account.tax"]
        group = tax_group(env, 6.0)
        tax = taxes.search([("name", "=", s.tax_name)], limit=1) or taxes.create(
            {
                "name": s.tax_name,
                "amount": 6.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "tax_group_id": group.id,
            }
        )
        if tax.tax_group_id != group:
            tax.tax_group_id = group  # made by an earlier version in the default group ("Tax 15%")
        env["shopify.tax.mapping"].create({"shop_id": shop.id, "rate": 0.06, "tax_id": tax.id})
    return shop.id


def tax_group(env, percent):
    """The tax group ``Tax 6%`` of the company: what a sale order's totals name the tax."""
    name = f"Tax {percent:g}%"
    groups = env["account.tax.group"]
    return groups.search([("name", "=", name), ("company_id", "=", env.company.id)], limit=1) or groups.create(
        {"name": name, "company_id": env.company.id}
    )
