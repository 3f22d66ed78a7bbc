"""Go-live readiness: a checklist per shop, computed from live data (Odoo and Shopify).

Each check gives one line: green, red or "not available" (what it checks is
not part of this installation), what it found, and a Fix button that opens
the screen where it is fixed. The lines are recomputed by *Check readiness*.
"""

from odoo import api, fields, models

from ..mapping.accounting import STORE_CREDIT_GATEWAYS
from ..services import readiness as rules
from ..services.errors import SyncError
from ..services.queries import SHOP_QUERY
from ..services.rollout import OBJECTS, switch_field

LINE_STATES = [("green", "Ready"), ("red", "To fix"), ("na", "Not available")]
LIABILITY_TYPES = ("liability_current", "liability_non_current")


class ShopifyReadinessLine(models.Model):
    _name = "shopify.readiness.line"
    _description = "Shopify go-live readiness line"
    _order = "shop_id, sequence, id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer()
    code = fields.Char(required=True)
    name = fields.Char(string="Check", required=True)
    state = fields.Selection(LINE_STATES, required=True)
    detail = fields.Text()
    checked_at = fields.Datetime(default=fields.Datetime.now)
    fix_action = fields.Json(help="The window action that opens where this is fixed.")

    def action_fix(self):
        self.ensure_one()
        return self.fix_action or _shop_form(self.shop_id)

    # -- the checks: each takes the shop and returns (state, detail, fix action) ------------
    @api.model
    def _check_shop(self, shop):
        """Recompute ``shop``'s checklist; returns ``{code: state}``."""
        shop.ensure_one()
        orders, order_error = self._readiness_orders(shop)
        checks = [
            ("authority", self.env._("Source of truth set for each object"), self._ready_authority(shop)),
            ("product_refs", self.env._("No duplicate internal references"), self._ready_product_refs(shop)),
            ("variant_skus", self.env._("Every Shopify variant has a SKU"), self._ready_variant_skus(shop)),
            ("partner_emails", self.env._("No contacts sharing an email"), self._ready_partner_emails(shop)),
            ("taxes", self.env._("Tax rates of the last 60 days mapped"), self._ready_taxes(shop, orders, order_error)),
            ("tax_rounding", self.env._("Taxes rounded per line, as Shopify does"), self._ready_tax_rounding(shop)),
            ("gateways", self.env._("Payment gateways mapped"), self._ready_gateways(shop, orders, order_error)),
            (
                "liabilities",
                self.env._("Gift cards and store credit on liability accounts"),
                self._ready_liabilities(shop),
            ),
            (
                "locations",
                self.env._("Locations of the last 60 days mapped"),
                self._ready_locations(shop, orders, order_error),
            ),
            (
                "carriers",
                self.env._("Carriers of the last 60 days mapped"),
                self._ready_carriers(shop, orders, order_error),
            ),
            ("stock", self.env._("Stock tracked alike and agreed before pushing"), self._ready_stock(shop)),
            ("failures", self.env._("Recent failures explain their reason"), self._ready_failures(shop)),
            ("token", self.env._("Access token works"), self._ready_token(shop)),
            ("webhooks", self.env._("Webhook subscriptions healthy"), self._ready_webhooks(shop)),
            ("selftest", self.env._("Duplicate self-test passed"), self.env["shopify.selftest"]._ready(shop)),
            (
                "awkward",
                self.env._("A failure was raised, fixed and retried"),
                self.env["shopify.selftest"]._ready_awkward(shop),
            ),
        ]
        now = fields.Datetime.now()
        shop.readiness_line_ids.unlink()
        self.env["shopify.readiness.line"].create(
            [
                {
                    "shop_id": shop.id,
                    "sequence": index,
                    "code": code,
                    "name": name,
                    "state": state,
                    "detail": detail,
                    "fix_action": fix or False,
                    "checked_at": now,
                }
                for index, (code, name, (state, detail, fix)) in enumerate(checks)
            ]
        )
        shop.readiness_checked_at = now
        return {code: state for code, _name, (state, _detail, _fix) in checks}

    @api.model
    def _ready_authority(self, shop):
        off = [OBJECTS[obj][0] for obj in OBJECTS if shop[switch_field(obj)] == "off"]
        problems, notes = [], []
        if shop.rollout_stock != "off":
            if not shop.location_mapping_ids:
                problems.append(self.env._("Stock is on but no location is mapped"))
            elif shop.stock_authority == "odoo" and not shop.push_inventory:
                notes.append(self.env._("Stock: Odoo is its authority but does not push it"))
        if shop.rollout_deliveries != "off" and not shop.push_fulfillments:
            # Not a fault: deliveries are then done in Shopify and validated in Odoo by its fulfillments.
            notes.append(self.env._("Deliveries: done in Shopify, not pushed from Odoo"))
        if len(off) == len(OBJECTS):
            problems.append(self.env._("Every object is switched off"))
        if problems:
            return "red", "; ".join(problems) + ". " + self.env._("Set the direction or switch the object off."), None
        detail = self.env._("Each object on has its source set.")
        if notes:
            detail += " " + "; ".join(notes) + "."
        if off:
            detail += " " + self.env._("Off: %s.", ", ".join(off))
        return "green", detail, None

    @api.model
    def _ready_product_refs(self, shop):
        if not shop.match_product_by_sku:
            return "green", self.env._("Products are not matched by internal reference."), None
        groups = self.env["product.product"]._read_group(
            [("default_code", "!=", False), ("company_id", "in", [False, shop.company_id.id])],
            ["default_code"],
            ["__count"],
            having=[("__count", ">", 1)],
        )
        codes = [code for code, _count in groups]
        if not codes:
            return "green", self.env._("Every internal reference the shop would match is unique."), None
        fix = _window(self.env._("Duplicate internal references"), "product.product", [("default_code", "in", codes)])
        return "red", self.env._("Shared by several products: %s", rules.shorten(codes)), fix

    @api.model
    def _ready_variant_skus(self, shop):
        if not shop.match_product_by_sku:
            return "green", self.env._("Variants are not matched by SKU."), None
        try:
            with shop._graphql_client() as client:
                products = list(self._paginate_nodes(client, rules.VARIANTS_QUERY, "products"))
        except SyncError as err:
            return "red", self.env._("Could not read the variants from Shopify: %s", err), None
        missing = rules.variants_without_sku(products)
        if not missing:
            return "green", self.env._("All %s Shopify products have a SKU on every variant.", len(products)), None
        fix = {"type": "ir.actions.act_url", "url": f"https://{shop.domain}/admin/products", "target": "new"}
        names = [f"{product} ({variant})" for product, variant in missing]
        return "red", self.env._("Variants without a SKU in Shopify: %s", rules.shorten(names)), fix

    @api.model
    def _ready_partner_emails(self, shop):
        if not shop.match_partner_by_email:
            return "green", self.env._("Customers are not matched by email."), None
        groups = self.env["res.partner"]._read_group(
            [
                ("email_normalized", "!=", False),
                ("parent_id", "=", False),
                ("company_id", "in", [False, shop.company_id.id]),
            ],
            ["email_normalized"],
            ["__count"],
            having=[("__count", ">", 1)],
        )
        emails = [email for email, _count in groups]
        if not emails:
            return "green", self.env._("No two contacts share an email."), None
        domain = [("email_normalized", "in", emails), ("parent_id", "=", False)]
        fix = _window(self.env._("Contacts sharing an email"), "res.partner", domain)
        return "red", self.env._("Shared by several contacts: %s", rules.shorten(emails)), fix

    @api.model
    def _readiness_orders(self, shop):
        """The shop's orders of the last 60 days, read from Shopify (None and the error if unreadable)."""
        try:
            with shop._graphql_client() as client:
                search = rules.since_filter(fields.Datetime.now())
                return list(self._paginate_nodes(client, rules.RECENT_ORDERS_QUERY, "orders", search)), None
        except SyncError as err:
            return None, err

    @api.model
    def _paginate_nodes(self, client, query, root, search=None):
        return client.paginate(query, root, {"query": search} if search else None, page_size=rules.PAGE_SIZE)

    @api.model
    def _ready_taxes(self, shop, orders, error):
        if orders is None:
            return "red", self.env._("Could not read the orders from Shopify: %s", error), None
        taxes, _locations, _carriers = rules.seen_in_orders(orders)
        mappings = self.env["shopify.tax.mapping"]
        missing = [tax for tax in taxes if not mappings._find(shop, tax[0], tax[1], tax[2])]
        if not missing:
            detail = self.env._(
                "%(taxes)s tax rate(s) seen in %(orders)s order(s), all mapped.", taxes=len(taxes), orders=len(orders)
            )
            return "green", detail, None
        rate, included, country, _title = sorted(missing)[0]
        fix = _window(
            self.env._("Tax Mappings"),
            "shopify.tax.mapping",
            [("shop_id", "=", shop.id)],
            context={
                "default_shop_id": shop.id,
                "default_rate": rate,
                "default_price_include": included,
                "default_country_code": country or False,
            },
        )
        labels = [
            f"{title or 'tax'} {rate * 100:g}%{' incl.' if inc else ''} {cc}".strip()
            for rate, inc, cc, title in missing
        ]
        return "red", self.env._("No tax mapping for: %s", rules.shorten(labels)), fix

    @api.model
    def _ready_tax_rounding(self, shop):
        company = shop.company_id
        if company.tax_calculation_rounding_method == "round_per_line":
            return "green", self.env._("%s rounds each line's tax, as Shopify does.", company.name), None
        fix = self.env["ir.actions.actions"]._for_xml_id("account.action_account_config")
        detail = self.env._(
            "%s rounds taxes per tax, Shopify per line: orders whose taxes differ by a cent get a rounding "
            "line and Odoo's tax totals drift from Shopify's. Set Tax Calculation Rounding Method to "
            "Round per Line in the Accounting settings.",
            company.name,
        )
        return "red", detail, fix

    @api.model
    def _ready_liabilities(self, shop):
        """Red when a gift-card or store-credit gateway is mapped without its liability account."""
        mapped = {gateway.strip().lower() for gateway in shop.gateway_mapping_ids.mapped("gateway")}
        rows = [
            (self.env._("Gift cards"), shop.gift_card_account_id, "gift_card" in mapped),
            (self.env._("Store credit"), shop.store_credit_account_id, bool(mapped & set(STORE_CREDIT_GATEWAYS))),
        ]
        found, problems = [], []
        for label, account, used in rows:
            if account and account.account_type not in LIABILITY_TYPES:
                problems.append(
                    self.env._("%(what)s: %(account)s is not a liability", what=label, account=account.display_name)
                )
            elif account:
                found.append(f"{label}: {account.display_name}")
            elif used:
                problems.append(self.env._("%s: a gateway is mapped but no liability account is set", label))
            else:
                found.append(self.env._("%s: no account (no gateway mapped)", label))
        if problems:
            return "red", "; ".join(problems) + ".", _shop_form(shop)
        return "green", "; ".join(found) + ".", None

    def _ready_gateways(self, shop, orders, error):
        if "shopify.gateway.mapping" not in self.env:
            return "na", self.env._("Gateway mappings are not part of this installation."), None
        if orders is None:
            return "red", self.env._("Could not read the orders from Shopify: %s", error), None
        gateways = set()
        try:
            with shop._graphql_client() as client:
                for order in orders[:50]:
                    gid = f"gid://shopify/Order/{order['legacyResourceId']}"
                    node = client.execute(rules.ORDER_GATEWAYS_QUERY, {"id": gid}).get("order") or {}
                    gateways.update(t.get("gateway") for t in node.get("transactions") or [] if t.get("gateway"))
        except SyncError as err:
            return "na", self.env._("Shopify does not give the gateways of orders here: %s", err), None
        mapped = set(self.env["shopify.gateway.mapping"].search([("shop_id", "=", shop.id)]).mapped("gateway"))
        missing = gateways - mapped
        fix = _window(
            self.env._("Gateway Mappings"),
            "shopify.gateway.mapping",
            [("shop_id", "=", shop.id)],
            context={"default_shop_id": shop.id},
        )
        if missing:
            return "red", self.env._("No gateway mapping for: %s", rules.shorten(missing)), fix
        return "green", self.env._("%s gateway(s) seen, all mapped.", len(gateways)), None

    @api.model
    def _ready_locations(self, shop, orders, error):
        if orders is None:
            return "red", self.env._("Could not read the orders from Shopify: %s", error), None
        _taxes, locations, _carriers = rules.seen_in_orders(orders)
        mapped = set(shop.location_mapping_ids.mapped("shopify_location_id"))
        missing = {lid: name for lid, name in locations.items() if lid not in mapped}
        if not missing:
            return "green", self.env._("%s location(s) seen, all mapped.", len(locations)), None
        fix = _window(
            self.env._("Location Mappings"),
            "shopify.location.mapping",
            [("shop_id", "=", shop.id)],
            context={"default_shop_id": shop.id, "default_shopify_location_id": sorted(missing)[0]},
        )
        labels = [f"{name} ({lid})" for lid, name in missing.items()]
        return "red", self.env._("No location mapping for: %s", rules.shorten(labels)), fix

    @api.model
    def _ready_carriers(self, shop, orders, error):
        if orders is None:
            return "red", self.env._("Could not read the orders from Shopify: %s", error), None
        _taxes, _locations, carriers = rules.seen_in_orders(orders)
        product = shop.shipping_product_id or self.env.ref("shopify_sync.product_shopify_shipping", False)
        if carriers and not product:
            return "red", self.env._("Shipping of %s has no product to be booked on.", rules.shorten(carriers)), None
        detail = self.env._(
            "%(count)s carrier(s) seen, booked on %(product)s.",
            count=len(carriers),
            product=product.display_name if product else "-",
        )
        return "green", detail, None

    @api.model
    def _ready_stock(self, shop):
        """Where Odoo pushes stock: every bound variant tracked on both sides and agreed, no push held."""
        if shop.stock_authority == "shopify":
            if not shop.location_mapping_ids:
                return "red", self.env._("Shopify is the stock authority but no location is mapped."), None
            return "green", self.env._("Shopify is the stock authority: its level changes update Odoo."), None
        if not shop.push_inventory:
            return "green", self.env._("Stock is not pushed to this shop."), None
        bindings = self.env["shopify.variant.binding"].search(
            [("shop_id", "=", shop.id), ("inventory_item_id", "!=", False)]
        )
        by_state = {}
        for binding in bindings:
            by_state.setdefault(binding._stock_state(), self.env["shopify.variant.binding"])
            by_state[binding._stock_state()] |= binding
        labels = dict(self.env["shopify.variant.binding"]._fields["stock_state"]._description_selection(self.env))
        problems, shown = [], self.env["shopify.variant.binding"]
        for state in ("odoo_untracked", "shopify_untracked", "to_agree"):
            found = by_state.get(state)
            if found:
                names = rules.shorten(found.odoo_id.mapped("display_name"))
                problems.append(f"{labels[state]}: {len(found)} ({names})")
                shown |= found
        held = shop.inventory_hold_ids.filtered(lambda hold: hold.state == "held")
        if held:
            problems.append(self.env._("%s stock push(es) held by the circuit breaker", len(held)))
        if not problems:
            detail = self.env._("%s bound variant(s) pushed, all tracked on both sides and agreed.", len(bindings))
            return "green", detail, None
        fix = (
            _window(
                self.env._("Variants whose stock is not pushed"), "shopify.variant.binding", [("id", "in", shown.ids)]
            )
            if shown
            else shop.action_open_inventory_holds()
        )
        return "red", "; ".join(problems) + ".", fix

    @api.model
    def _ready_failures(self, shop):
        jobs = self.env["shopify.sync.job"].search(
            [("shop_id", "=", shop.id), ("last_failed_at", "!=", False)],
            order="last_failed_at desc",
            limit=rules.FAILURES_CHECKED,
        )
        unexplained = jobs.filtered(lambda job: job.state == "failed" and not (job.category and job.message))
        if unexplained:
            fix = _window(self.env._("Unexplained failures"), "shopify.sync.job", [("id", "in", unexplained.ids)])
            return "red", self.env._("%s of the last failures have no reason.", len(unexplained)), fix
        return "green", self.env._("The last %s failure(s) each say why.", len(jobs)), None

    @api.model
    def _ready_token(self, shop):
        """The shop's own way to a token: a saved static token, or one issued (and renewed) for its app."""
        if shop.auth_method == "static_token" and not shop.sudo().access_token:
            return "red", self.env._("No access token saved."), _shop_form(shop)
        try:
            with shop._graphql_client() as client:
                client.execute(SHOP_QUERY)
        except SyncError as err:
            return "red", self.env._("Shopify refused the token: %s", err), _shop_form(shop)
        method = dict(shop._fields["auth_method"]._description_selection(self.env))[shop.auth_method]
        return "green", self.env._("Shopify answers with the shop's token (%s).", method), None

    @api.model
    def _ready_webhooks(self, shop):
        if "webhook_subscription_ids" not in shop._fields:
            return "na", self.env._("Webhook subscriptions are not checked by this installation."), None
        subscriptions = shop.webhook_subscription_ids
        bad = subscriptions.filtered(lambda sub: sub.state in ("missing", "wrong"))
        if not subscriptions or bad:
            detail = (
                self.env._("Missing or wrong: %s", rules.shorten(bad.mapped("topic")))
                if bad
                else self.env._("Never checked.")
            )
            return "red", detail, _shop_form(shop)
        return "green", self.env._("%s subscription(s) in place.", len(subscriptions)), None


def _window(name, model, domain, context=None):
    return {
        "type": "ir.actions.act_window",
        "name": name,
        "res_model": model,
        "view_mode": "list,form",
        "views": [[False, "list"], [False, "form"]],
        "domain": domain,
        "context": context or {},
    }


def _shop_form(shop):
    return {
        "type": "ir.actions.act_window",
        "res_model": "shopify.shop",
        "res_id": shop.id,
        "view_mode": "form",
        "views": [[False, "form"]],
    }
