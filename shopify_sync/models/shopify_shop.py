import re
from collections import namedtuple
from datetime import timedelta
from urllib.parse import urlparse

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .. import const
from ..importers.shop_events import UNINSTALLED_SUMMARY
from ..services.api_versions import DEFAULT_API_VERSION
from ..services.connection import CONNECTION_QUERY, version_warning
from ..services.errors import SyncError
from ..services.graphql_client import ShopifyGraphQLClient
from ..services.rate_budget import ShopBudget

WEBHOOK_ROUTE = const.WEBHOOK_ROUTE
_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
_API_VERSION_RE = re.compile(r"^\d{4}-(01|04|07|10)$|^unstable$")
SECRET_FIELDS = ("access_token", "client_secret", "previous_client_secret")
# Models whose fields a shop may protect: those the sync writes.
PROTECTABLE_MODELS = ("res.partner", "sale.order", "sale.order.line", "product.template", "product.product")
DEFAULT_PROTECTED_FIELDS = (
    "res.partner.name,res.partner.street,res.partner.street2,res.partner.city,"
    "res.partner.zip,res.partner.state_id,res.partner.country_id,sale.order.order_line"
)


DOOR_FIELDS = {
    "domain",
    "active",
    "company_id",
    "client_secret",
    "previous_client_secret",
    "previous_secret_valid_until",
    "webhook_max_bytes",
    "keep_raw_body",
    "sync_enabled",
}


class DoorShop(
    namedtuple(
        "DoorShop",
        "id company_id client_secret previous_client_secret "
        "previous_secret_valid_until webhook_max_bytes keep_raw_body sync_enabled stock_authority",
    )
):
    """A shop as the webhook door sees it: plain values, no ORM."""

    def webhook_secrets(self):
        secrets = [self.client_secret]
        if (
            self.previous_client_secret
            and self.previous_secret_valid_until
            and (self.previous_secret_valid_until > fields.Datetime.now())
        ):
            secrets.append(self.previous_client_secret)
        return [secret for secret in secrets if secret]


class ShopifyShop(models.Model):
    _name = "shopify.shop"
    _description = "Shopify Shop"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    domain = fields.Char(
        string="Shop Domain",
        required=True,
        tracking=True,
        help="The shop's permanent domain, e.g. my-store.myshopify.com.",
    )
    base_url = fields.Char(
        string="API Base URL",
        help="Only for a local or test endpoint: http(s)://host[:port]. "
        "Leave empty for a real shop (https://<domain>).",
    )
    api_version = fields.Char(string="Admin API Version", required=True, default=DEFAULT_API_VERSION)
    api_version_warning = fields.Char(compute="_compute_api_version_warning")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Receives the activities raised by sync failures.",
    )
    active = fields.Boolean(default=True)
    sync_enabled = fields.Boolean(
        default=True,
        tracking=True,
        help="Cleared when Shopify reports that the app was uninstalled.",
    )
    # Credentials: stored, readable only by managers, never sent back to a view.
    access_token = fields.Char(string="Stored Access Token", groups="shopify_sync.group_shopify_manager", copy=False)
    client_secret = fields.Char(string="Stored Client Secret", groups="shopify_sync.group_shopify_manager", copy=False)
    previous_client_secret = fields.Char(groups="shopify_sync.group_shopify_manager", copy=False)
    previous_secret_valid_until = fields.Datetime(groups="shopify_sync.group_shopify_manager", copy=False)
    new_access_token = fields.Char(
        string="Access Token",
        compute="_compute_secret_inputs",
        inverse="_inverse_new_access_token",
        groups="shopify_sync.group_shopify_manager",
    )
    new_client_secret = fields.Char(
        string="Client Secret",
        compute="_compute_secret_inputs",
        inverse="_inverse_new_client_secret",
        groups="shopify_sync.group_shopify_manager",
        help="The app's client secret (Dev Dashboard, app Settings): it obtains tokens and verifies "
        "webhook signatures.",
    )
    access_token_hint = fields.Char(string="Saved Token", compute="_compute_secret_hints")
    client_secret_hint = fields.Char(string="Saved Secret", compute="_compute_secret_hints")
    webhook_url = fields.Char(compute="_compute_webhook_url")
    api_timeout = fields.Integer(string="API Timeout (s)", default=10, help="Read timeout of calls to Shopify.")
    # Webhook intake
    webhook_max_bytes = fields.Integer(string="Max Webhook Size (bytes)", default=2 * 1024 * 1024)
    keep_raw_body = fields.Boolean(
        string="Keep Raw Bodies",
        default=False,
        help="Store each webhook body for audit (it holds customer data), purged after the retention period. "
        "Jobs never read it: they fetch fresh data from Shopify.",
    )
    delivery_retention_days = fields.Integer(default=30)
    sync_job_retention_days = fields.Integer(default=90, help="Done sync jobs are forgotten after this many days.")
    # Matching and mapping rules
    match_partner_by_email = fields.Boolean(
        help="Link a new Shopify customer to an existing Odoo contact with the same email. "
        "Several matches are a failure for review, never a merge."
    )
    match_product_by_sku = fields.Boolean(
        default=True,
        help="Link a Shopify variant to an existing Odoo product with the same internal reference.",
    )
    create_products = fields.Boolean(default=True, help="Create Odoo products for Shopify products that match nothing.")
    fallback_product_id = fields.Many2one(
        "product.product", help="Used for order lines whose product is not mapped. Leave empty to fail instead."
    )
    shipping_product_id = fields.Many2one("product.product")
    rounding_product_id = fields.Many2one("product.product")
    tip_product_id = fields.Many2one("product.product", help="The product of an order's tip line.")
    duty_product_id = fields.Many2one("product.product", help="The product of an order's duties line.")
    import_tax_product_id = fields.Many2one(
        "product.product", help="The product of the line of the import taxes charged on an order's duties."
    )
    fee_product_id = fields.Many2one(
        "product.product", string="Additional Fee Product", help="The product of an order's additional fee lines."
    )
    total_tolerance = fields.Float(
        default=0.05,
        help="Differences up to this amount between Odoo's and Shopify's order total "
        "are booked on a rounding line; larger ones fail for review.",
    )
    order_currency = fields.Selection(
        [("shop", "Shop currency"), ("presentment", "Customer's currency")],
        string="Book Orders In",
        default="shop",
        required=True,
        help="Shop currency: orders are booked with Shopify's shop money, in the shop's currency. "
        "Customer's currency: an order paid in another currency (Markets) is booked in that currency "
        "with Shopify's presentment money, on a pricelist in that currency. Each order keeps the set "
        "of amounts it was booked with; its total, invoice and payments are checked against that set.",
    )
    confirm_policy = fields.Selection(
        [("on_create", "When created"), ("on_paid", "When paid"), ("never", "Never")],
        default="on_paid",
        required=True,
    )
    pos_team_id = fields.Many2one(
        "crm.team",
        string="POS Sales Team",
        help="The sales team of orders taken at a Shopify point of sale (a location mapping may name another).",
    )
    risk_hold_threshold = fields.Selection(
        [("medium", "Medium or high risk"), ("high", "High risk"), ("never", "Never")],
        string="Hold Orders At",
        default="high",
        required=True,
        help="An order Shopify rates at or above this risk is held: not confirmed, an activity asks for a review, "
        "and it stays held until a person releases it.",
    )
    refund_policy = fields.Selection(
        [("lines", "Refunded lines and shipping"), ("amount", "Refunded amount only")],
        default="lines",
        required=True,
        help="Refunds become draft credit notes for review.",
    )
    refund_restock = fields.Boolean(
        string="Create returns for restocks",
        help="A refund restocked as RETURN without a Shopify return becomes a return receipt. A Shopify "
        "return's units come back with the return itself, whatever this option says.",
    )
    return_scrap_location_id = fields.Many2one(
        "stock.location",
        string="Location of returns not restocked",
        domain="[('usage', 'in', ('internal', 'inventory'))]",
        check_company=True,
        help="Where a Shopify return's units disposed as not restocked (or needing processing) are received. "
        "Empty: the company's scrap location.",
    )
    tax_mapping_ids = fields.One2many("shopify.tax.mapping", "shop_id", string="Tax Mappings")
    payment_term_mapping_ids = fields.One2many(
        "shopify.payment.term.mapping",
        "shop_id",
        string="Payment Terms Mappings",
        help="B2B orders on payment terms: Shopify's payment terms name -> Odoo payment terms. An order whose "
        "terms are not mapped fails as configuration, naming them.",
    )
    protected_fields = fields.Char(
        default=DEFAULT_PROTECTED_FIELDS,
        help="Comma-separated model.field names that sync never overwrites once the record exists.",
    )
    # The same list, picked by label: stored as protected_fields (model.field), which the sync reads.
    protected_field_ids = fields.Many2many(
        "ir.model.fields",
        string="Protected fields",
        compute="_compute_protected_field_ids",
        inverse="_inverse_protected_field_ids",
        domain=[("model", "in", PROTECTABLE_MODELS), ("store", "=", True)],
        help="Fields of synced records that Odoo keeps once the record exists: a change in Shopify is "
        "reported, not written.",
    )
    reconcile_overlap_hours = fields.Integer(default=2)
    last_reconciled_at = fields.Datetime(readonly=True, copy=False)

    _domain_company_uniq = models.UniqueIndex(
        "(company_id, lower(domain))", "A shop with this domain already exists in this company."
    )

    # -- credentials --------------------------------------------------------
    def _compute_secret_inputs(self):
        for shop in self:
            shop.new_access_token = False
            shop.new_client_secret = False

    def _inverse_new_access_token(self):
        for shop in self.filtered("new_access_token"):
            shop.access_token = shop.new_access_token.strip()

    def _inverse_new_client_secret(self):
        for shop in self.filtered("new_client_secret"):
            old = shop.sudo().client_secret
            new = shop.new_client_secret.strip()
            if old and old != new:
                shop.previous_client_secret = old
                shop.previous_secret_valid_until = fields.Datetime.now() + timedelta(hours=1)
            shop.client_secret = new

    @api.depends_context("uid")
    def _compute_secret_hints(self):
        for shop in self:
            secrets = shop.sudo().read(["access_token", "client_secret"])[0] if shop.id else {}
            shop.access_token_hint = _mask(secrets.get("access_token"))
            shop.client_secret_hint = _mask(secrets.get("client_secret"))

    # -- validation ---------------------------------------------------------
    @api.constrains("domain", "base_url", "api_version")
    def _check_connection_fields(self):
        for shop in self:
            if not _DOMAIN_RE.match((shop.domain or "").strip().lower()):
                raise ValidationError(
                    _("'%s' is not a Shopify shop domain: expected <name>.myshopify.com.", shop.domain)
                )
            if shop.base_url:
                parsed = urlparse(shop.base_url)
                if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path not in ("", "/"):
                    raise ValidationError(
                        _("API Base URL must look like https://host[:port], got '%s'.", shop.base_url)
                    )
            if not _API_VERSION_RE.match(shop.api_version or ""):
                raise ValidationError(
                    _("Admin API version must look like 2026-01 (YYYY-01/04/07/10), got '%s'.", shop.api_version)
                )

    @api.constrains("protected_fields")
    def _check_protected_fields(self):
        for shop in self:
            for spec in shop._protected_field_specs():
                model, _sep, field = spec.rpartition(".")
                if model not in self.env or field not in self.env[model]._fields:
                    raise ValidationError(_("Protected field '%s' does not exist.", spec))

    @api.constrains("webhook_max_bytes", "total_tolerance", "delivery_retention_days", "api_timeout")
    def _check_limits(self):
        for shop in self:
            if (
                shop.webhook_max_bytes <= 0
                or shop.total_tolerance < 0
                or shop.delivery_retention_days < 1
                or shop.api_timeout < 1
            ):
                raise ValidationError(
                    _("Max webhook size and retention must be positive, and the tolerance not negative.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("domain"):
                vals["domain"] = vals["domain"].strip().lower()
        self.env.registry.clear_cache()  # _door_shops
        shops = super().create(vals_list)
        shops._follow_by_responsible()
        return shops

    def write(self, vals):
        if vals.get("domain"):
            vals["domain"] = vals["domain"].strip().lower()
        if DOOR_FIELDS.intersection(vals):
            self.env.registry.clear_cache()  # _door_shops
        result = super().write(vals)
        if "user_id" in vals:
            self._follow_by_responsible()
        if vals.get("sync_enabled"):
            self._close_uninstalled_activities()
        return result

    def _close_uninstalled_activities(self):
        """Sync enabled again: the *app uninstalled* activity has nothing left to ask."""
        activity_type = self.env.ref("shopify_sync.mail_activity_type_sync_failure")
        for shop in self:
            found = shop.sudo().activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type and (a.summary or "").startswith(UNINSTALLED_SUMMARY)
            )
            if found:
                found.action_feedback(feedback=self.env._("Resolved: sync is enabled again."))

    def _follow_by_responsible(self):
        """The responsible user follows the shop up front: sync failures raise activities
        on it from concurrent jobs, which must not all try to add the same follower."""
        for shop in self.filtered("user_id"):
            shop.message_subscribe(partner_ids=shop.user_id.partner_id.ids)

    def unlink(self):
        self.env.registry.clear_cache()  # _door_shops
        return super().unlink()

    @api.model
    @tools.ormcache()
    def _door_shops(self):
        """Active shops as the webhook door sees them: ``{domain: DoorShop}``, read-only.

        Cached in the registry, so that a webhook costs no query to find its
        shop; any write on a shop clears the cache in every worker (Odoo's
        registry signalling).
        """
        self.env.cr.execute(
            """
            SELECT lower(domain), id, company_id, client_secret, previous_client_secret,
                   previous_secret_valid_until, webhook_max_bytes, keep_raw_body, sync_enabled,
                   stock_authority
              FROM shopify_shop
             WHERE active
            """
        )
        return {row[0]: DoorShop(*row[1:]) for row in self.env.cr.fetchall()}

    @api.depends("protected_fields")
    def _compute_protected_field_ids(self):
        model_fields = self.env["ir.model.fields"].sudo()
        for shop in self:
            found = model_fields
            for spec in shop._protected_field_specs():
                model, _sep, name = spec.rpartition(".")
                found |= model_fields._get(model, name) if model in self.env else model_fields
            shop.protected_field_ids = found.sudo(False)

    def _inverse_protected_field_ids(self):
        for shop in self:
            picked = {f"{field.model}.{field.name}" for field in shop.protected_field_ids.sudo()}
            kept = [spec for spec in shop._protected_field_specs() if spec in picked]
            added = sorted(picked - set(kept))
            shop.protected_fields = ",".join(kept + added) or False

    def _protected_field_specs(self):
        self.ensure_one()
        return [s.strip() for s in (self.protected_fields or "").split(",") if s.strip()]

    def _is_protected(self, model, field):
        return f"{model}.{field}" in self._protected_field_specs()

    def _extra_product(self, kind):
        """The product of a tip, duty, import-tax or additional-fee line (mapping.order.order_extras)."""
        self.ensure_one()
        field, xmlid = const.ORDER_EXTRA_PRODUCTS[kind]
        return self[field] or self.env.ref(xmlid)

    def _rounding_product(self):
        """The product of the Rounding line an order gets when Odoo's total is a cent off Shopify's."""
        self.ensure_one()
        return self.rounding_product_id or self.env.ref("shopify_sync.product_shopify_rounding")

    # -- Shopify API --------------------------------------------------------
    def _graphql_endpoint(self):
        self.ensure_one()
        base = (self.base_url or f"https://{self.domain}").rstrip("/")
        return f"{base}/admin/api/{self.api_version}/graphql.json"

    def _graphql_client(self):
        """A client with the shop's current token; after a 401 it renews an issued token once and retries."""
        self.ensure_one()
        renew = None
        if self.auth_method != "static_token":

            def renew(stale):
                return self._renew_access_token(stale_token=stale)

        return ShopifyGraphQLClient(
            self._graphql_endpoint(),
            self._api_access_token(),
            timeout=max(self.api_timeout, 1),
            renew_token=renew,
            on_deprecation=self._record_deprecation,
            budget=ShopBudget(self.env.registry, self.id),
        )

    @api.depends("api_version")
    def _compute_api_version_warning(self):
        today = fields.Date.context_today(self)
        for shop in self:
            warning = version_warning(shop.api_version, today)
            if warning is None:
                shop.api_version_warning = False
                continue
            end, days_left = warning
            shop.api_version_warning = (
                self.env._(
                    "Shopify supports API %(version)s until %(end)s (%(days)s days left): choose a newer version.",
                    version=shop.api_version,
                    end=end,
                    days=days_left,
                )
                if days_left > 0
                else self.env._("Shopify no longer supports API %s: choose a newer version.", shop.api_version)
            )

    @api.depends("domain")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for shop in self:
            shop.webhook_url = f"{base.rstrip('/')}{WEBHOOK_ROUTE}"

    def action_test_connection(self):
        """Reports the method in use, when the token expires, the granted scopes and any missing one."""
        self.ensure_one()
        if self.auth_method == "static_token" and not self.sudo().access_token:
            return _notify(_("No access token saved for %s.", self.name), "warning")
        try:
            with self._graphql_client() as client:
                data = client.execute(CONNECTION_QUERY)
        except SyncError as exc:
            return _notify(*self._connection_failure(exc))
        except Exception as exc:  # noqa: BLE001 - never a traceback on this button
            return _notify(_("Unexpected error while contacting Shopify: %s", exc), "danger")
        return _notify(*self._connection_report(data))

    # -- store credit (refunds to store credit, orders paid with it) --------------------------
    store_credit_account_id = fields.Many2one(
        "account.account",
        string="Store-Credit Liability Account",
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current'))]",
        help="Store credit Shopify issues (a refund to store credit) or takes (an order paid with it) moves "
        "this liability, never the bank: its payments use this account as their outstanding account.",
    )

    # -- B2B tax exemption (company locations exempt from tax in Shopify) ----------
    tax_exempt_fiscal_position_id = fields.Many2one(
        "account.fiscal.position",
        string="Fiscal Position for Tax-Exempt Locations",
        check_company=True,
        help="Set on the orders of B2B company locations that Shopify exempts from tax: it maps taxes away, "
        "so that lines added or invoiced in Odoo stay without tax as Shopify's order is.",
    )


def _mask(secret):
    if not secret:
        return False
    return f"{'•' * 8}{secret[-4:]}" if len(secret) > 8 else "•" * 8


def _notify(message, kind):
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"title": "Shopify", "message": message, "type": kind, "sticky": kind != "success"},
    }
