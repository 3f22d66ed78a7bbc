"""The Shopify shop: its connection, its rules, and the shop-wide parts of each flow.

One model in one file, in sections: connection and credentials, accounting,
catalogue, day-one import, rollout switches, running sync (stock pushes,
reconciliation), locations and API budget, manual edits. Concerns with a
state of their own are models of their own, reached from here through a
relation and thin buttons: the access token (shopify_shop_auth.py), webhook
subscriptions (shopify_webhook_subscription.py), go-live readiness
(shopify_readiness.py), the duplicate self-test (shopify_selftest.py), the
team note (shopify_team_note.py), health statistics (shopify_shop_health.py).
"""

import re
from collections import namedtuple
from datetime import datetime, time, timedelta
from urllib.parse import urlparse

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import Cursor

from odoo.addons.queue_job.exception import RetryableJobError

from .. import const
from ..importers.shop_events import UNINSTALLED_SUMMARY
from ..mapping import catalogue
from ..mapping import history as hmap
from ..mapping.common import parse_datetime
from ..services import bulk
from ..services import stock as stock_rules
from ..services import webhook_subscriptions as subs
from ..services.actions import notify
from ..services.api_versions import DEFAULT_API_VERSION
from ..services.connection import CONNECTION_QUERY, version_warning
from ..services.db import independent_env
from ..services.errors import SyncError, TemporaryError
from ..services.graphql_client import ShopifyGraphQLClient
from ..services.identity import payout_list_key, reconcile_identity_key
from ..services.queries import IMPORT_PREVIEW_QUERY, UPDATED_SINCE_QUERY
from ..services.rate_budget import ShopBudget
from ..services.resources import UPDATED_SINCE
from ..services.rollout import MODES, OBJECT_LABELS, OBJECTS, RECONCILED, object_of, switch_field
from .shopify_shop_auth import AUTH_METHODS
from .shopify_shop_health import (
    COLOR_AMBER,
    COLOR_GREEN,
    COLOR_RED,
    FAILURE_REASONS,
    human_duration,
)

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
INVOICE_POLICIES = [("never", "Never"), ("on_paid", "When paid"), ("on_fulfilled", "When fulfilled")]
# From this many new products on, a publication is one bulk mutation (shopify_sync.bulk_publish_from).
BULK_PUBLISH_FROM = 10
_OWNER = {"compute": "_compute_catalogue_owners", "inverse": "_inverse_catalogue_owners", "readonly": False}
IMPORT_KINDS = ("products", "customers", "orders")
ACTIVE_STATES = ("draft", "running", "reading")
PAGE_SIZE = 100


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


def _switch(obj):
    """A rollout switch (off, review, automatic): off holds the deliveries and writes nothing.

    Turning an object back on catches up: the held deliveries are dispatched
    again and a reconciliation lists what Shopify changed since it went off.
    """
    label = OBJECT_LABELS[obj]
    return fields.Selection(
        MODES,
        string=label,
        default="automatic",
        required=True,
        tracking=True,
        help=f"{label}: off (deliveries held, nothing written), review (each change waits for approval "
        "with its diff) or automatic.",
    )


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
    # Authentication: the issued tokens and their logic are shopify.shop.auth's (shopify_shop_auth.py).
    auth_method = fields.Selection(
        AUTH_METHODS,
        string="Authentication",
        required=True,
        default="client_credentials",
        tracking=True,
        help="Client credentials: Odoo obtains a 24 h token with the app's client ID and secret. "
        "Authorization code: a manager clicks Connect and approves the app in Shopify. "
        "Static token: a token pasted from a legacy admin-created app.",
    )
    client_id = fields.Char(string="Client ID", tracking=True, help="The app's client ID, from the Dev Dashboard.")
    auth_ids = fields.One2many("shopify.shop.auth", "shop_id")
    token_expires_at = fields.Datetime(string="Token Expires", compute="_compute_auth_state")
    granted_scopes = fields.Char(compute="_compute_auth_state")
    connection_message = fields.Char(compute="_compute_auth_state")
    api_deprecation_reason = fields.Char(string="API Deprecations", compute="_compute_auth_state")
    oauth_redirect_url = fields.Char(string="Redirect URL", compute="_compute_oauth_redirect_url")
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

    @api.depends("auth_ids.expires_at", "auth_ids.scopes", "auth_ids.message", "auth_ids.deprecation_reason")
    def _compute_auth_state(self):
        for shop in self:
            auth = shop.sudo().auth_ids[:1]
            shop.token_expires_at = auth.expires_at
            shop.granted_scopes = auth.scopes
            shop.connection_message = auth.message
            shop.api_deprecation_reason = auth.deprecation_reason

    @api.depends("domain")
    def _compute_oauth_redirect_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for shop in self:
            shop.oauth_redirect_url = f"{base.rstrip('/')}{const.OAUTH_CALLBACK_ROUTE}"

    def _auth(self, create=False):
        """The shop's token record (sudo); ``create`` makes it for a shop that predates it."""
        return self.env["shopify.shop.auth"]._of(self, create=create)

    def _api_access_token(self):
        """The token a call sends: the static one, or the issued one, renewed ahead of its expiry."""
        return self.env["shopify.shop.auth"]._access_token_for(self)

    def action_oauth_connect(self):
        """Send the manager to Shopify to approve the app; Shopify comes back to the callback route."""
        self.ensure_one()
        if not self.client_id or not self.sudo().client_secret:
            return _notify(self.env._("Enter the app's client ID and client secret first."), "warning")
        url = self.env["shopify.shop.auth"]._authorize_url(self)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

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
            # A shop created with a token and no method is a legacy one (tools, older scripts).
            if "auth_method" not in vals and (vals.get("new_access_token") or vals.get("access_token")):
                vals["auth_method"] = "static_token"
        self.env.registry.clear_cache()  # _door_shops
        shops = super().create(vals_list)
        shops._follow_by_responsible()
        self.env["shopify.shop.auth"].sudo().create([{"shop_id": shop.id} for shop in shops])
        return shops

    def write(self, vals):
        switched = [obj for obj in OBJECTS if switch_field(obj) in vals]
        before = {shop.id: {obj: shop[switch_field(obj)] for obj in switched} for shop in self} if switched else {}
        started = (
            self.filtered(lambda s: not s._pushes_stock())
            if {"push_inventory", "stock_authority"} & set(vals)
            else self.browse()
        )
        if vals.get("domain"):
            vals["domain"] = vals["domain"].strip().lower()
        if DOOR_FIELDS.intersection(vals):
            self.env.registry.clear_cache()  # _door_shops
        result = super().write(vals)
        if "user_id" in vals:
            self._follow_by_responsible()
        if vals.get("sync_enabled"):
            self._close_uninstalled_activities()
        started = started.filtered(lambda s: s._pushes_stock())
        if started:
            # Stock pushed again after a pause may have drifted: agree again before the first push.
            started._forget_stock_agreements()
            started._request_stock_comparison()
        # A rollout switch turned off is dated; one turned back on catches up.
        for shop in self.filtered(lambda s: s.id in before):
            since, resumed = shop._switched(before[shop.id])
            if since != (shop.rollout_off_since or {}):
                super(ShopifyShop, shop).write({"rollout_off_since": since or False})
            if resumed:
                shop._catch_up(resumed)
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
        auths = self.env["shopify.shop.auth"]
        renew = None
        if self.auth_method != "static_token":

            def renew(stale):
                return auths._renew(self, stale_token=stale)

        return ShopifyGraphQLClient(
            self._graphql_endpoint(),
            self._api_access_token(),
            timeout=max(self.api_timeout, 1),
            renew_token=renew,
            on_deprecation=lambda reason: auths._record_deprecation(self, reason),
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
            return _notify(*self.env["shopify.shop.auth"]._connection_failure(exc))
        except Exception as exc:  # noqa: BLE001 - never a traceback on this button
            return _notify(_("Unexpected error while contacting Shopify: %s", exc), "danger")
        return _notify(*self.env["shopify.shop.auth"]._connection_report(self, data))

    # ======================================================================================
    # Accounting: invoices, payments, gift cards and Shopify Payments payouts
    # ======================================================================================

    invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        default="never",
        required=True,
        help="When the sale order of a Shopify order is invoiced. The invoice is posted only if its total equals "
        "Shopify's within the tolerance; the order's Shopify transactions become payments reconciled with it.",
    )
    accounting_start_date = fields.Date(
        help="The first day of the books kept in Odoo: no invoice, payment or credit note of an order is "
        "booked for money that moved before it (the former books hold it). Empty: set to the day the "
        "first import of orders starts.",
    )
    gateway_mapping_ids = fields.One2many("shopify.gateway.mapping", "shop_id", string="Payment Gateways")
    post_credit_notes = fields.Boolean(
        help="Post a refund's credit note when it equals the money Shopify refunded; otherwise it stays draft."
    )
    gift_card_product_id = fields.Many2one(
        "product.product",
        help="Used for gift cards sold: a service whose income account is the gift-card liability account.",
    )
    gift_card_account_id = fields.Many2one(
        "account.account",
        string="Gift-Card Liability Account",
        domain="[('account_type', 'in', ('liability_current', 'liability_non_current'))]",
    )
    payout_journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', 'in', ('bank', 'general')), ('company_id', '=', company_id)]",
        help="Journal of the payout entries (typically the Shopify Payments clearing journal).",
    )
    payout_clearing_account_id = fields.Many2one(
        "account.account",
        string="Shopify Payments Clearing Account",
        help="Where Shopify Payments payments wait for their payout: the outstanding receipts account of the "
        "journal mapped to the shopify_payments gateway.",
    )
    payout_transit_account_id = fields.Many2one(
        "account.account",
        string="Payouts in Transit Account",
        help="Each payout's net amount lands here as one line, to be matched with the bank deposit.",
    )
    payout_fee_account_id = fields.Many2one("account.account", string="Payment Fees Account")
    payout_dispute_account_id = fields.Many2one(
        "account.account",
        string="Disputes and Adjustments Account",
        help="Chargebacks, reserves and adjustments of the Shopify Payments balance.",
    )
    last_payout_import_at = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _cron_import_payouts(self):
        for shop in self.search([("sync_enabled", "=", True), ("payout_journal_id", "!=", False)]):
            shop._enqueue_payout_list()

    def action_import_payouts(self):
        """*Import payouts now*: one job lists the payouts, one job per payout books it (each once)."""
        for shop in self:
            shop._enqueue_payout_list()
        return True

    def _enqueue_payout_list(self):
        self.ensure_one()
        self.env["shopify.sync.job"].sudo()._ensure(self, "payout_list", payout_list_key())
        return self.env["shopify.sync.job"].sudo()._enqueue_resource(self.id, "payout_list", payout_list_key())

    # ======================================================================================
    # Catalogue: who owns each product field (the protected fields), product pushes
    # ======================================================================================

    catalogue_title_owner = fields.Selection(catalogue.OWNERS, string="Title", **_OWNER)
    catalogue_description_owner = fields.Selection(catalogue.OWNERS, string="Description", **_OWNER)
    catalogue_vendor_owner = fields.Selection(catalogue.OWNERS, string="Vendor", **_OWNER)
    catalogue_product_type_owner = fields.Selection(catalogue.OWNERS, string="Product type", **_OWNER)
    catalogue_tags_owner = fields.Selection(catalogue.OWNERS, string="Tags", **_OWNER)
    catalogue_sku_owner = fields.Selection(catalogue.OWNERS, string="SKU", **_OWNER)
    catalogue_barcode_owner = fields.Selection(catalogue.OWNERS, string="Barcode", **_OWNER)
    catalogue_weight_owner = fields.Selection(catalogue.OWNERS, string="Weight", **_OWNER)
    catalogue_price_owner = fields.Selection(catalogue.OWNERS, string="Price", **_OWNER)
    catalogue_compare_at_price_owner = fields.Selection(catalogue.OWNERS, string="Compare-at price", **_OWNER)
    catalogue_cost_owner = fields.Selection(catalogue.OWNERS, string="Cost", **_OWNER)
    catalogue_images_owner = fields.Selection(catalogue.OWNERS, string="Images", **_OWNER)
    catalogue_status_owner = fields.Selection(catalogue.OWNERS, string="Status", **_OWNER)
    catalogue_options_owner = fields.Selection(catalogue.OWNERS, string="Options and variants", **_OWNER)
    catalogue_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Prices from pricelist",
        help="When the price is Odoo-owned: each variant's price in this pricelist is pushed "
        "(its currency must be the store's). Empty: the product's sales price.",
    )
    catalogue_flap_limit = fields.Integer(
        string="Stop a field flapping more than",
        default=5,
        help="A product whose Odoo-owned fields Shopify changed back this many times within an hour "
        "(each restored by a push) is not pushed any more: the push fails for a decision.",
    )
    catalogue_debounce_seconds = fields.Integer(
        string="Product push delay (s)",
        default=30,
        help="Changes of a product's Odoo-owned fields are gathered this long, then pushed once.",
    )

    @api.depends("protected_fields")
    def _compute_catalogue_owners(self):
        for shop in self:
            for key, owner in catalogue.owners(shop._protected_field_specs()).items():
                shop[f"catalogue_{key}_owner"] = owner

    def _inverse_catalogue_owners(self):
        for shop in self:
            wanted = {
                field.key: shop[f"catalogue_{field.key}_owner"] or catalogue.SHOPIFY
                for field in catalogue.CATALOGUE_FIELDS
            }
            specs = catalogue.with_owners(shop._protected_field_specs(), wanted)
            if specs != shop._protected_field_specs():
                shop.protected_fields = ",".join(specs)

    def _catalogue_owners(self):
        """{field key: "odoo" or "shopify"} of this shop."""
        self.ensure_one()
        return catalogue.owners(self._protected_field_specs())

    def _odoo_owned(self):
        """The catalogue field keys Odoo owns in this shop."""
        return {key for key, owner in self._catalogue_owners().items() if owner == catalogue.ODOO}

    # -- publishing and pushing ---------------------------------------------------------
    def _schedule_product_push(self, templates, eta=None):
        """One waiting push job per (shop, product): the identity key absorbs a burst of edits."""
        jobs = self.env["shopify.sync.job"].sudo()
        for shop in self:
            delay = max(shop.catalogue_debounce_seconds, 0) if eta is None else eta
            for template in templates:
                sync_job = jobs._ensure(shop, const.PRODUCT_PUSH, str(template.id))
                sync_job._enqueue(eta=delay)

    def _publish_products(self, templates):
        """Publish ``templates`` to these shops now (created in Shopify, or updated when bound).

        Each template gets its handle here, committed with the request: the push job upserts by
        it, so a retry after a timeout finds the product the first attempt created.
        """
        for template in templates.filtered(lambda t: not t.shopify_handle):
            template.with_context(shopify_sync=True).shopify_handle = catalogue.handle(template.name, template.id)
        bindings = self.env["shopify.product.binding"].sudo()
        for shop in self:
            new = templates - bindings._of(shop, templates).odoo_id
            if len(new) < shop._bulk_publish_threshold():
                shop._schedule_product_push(templates, eta=0)
                continue
            # Many new products: one bulk mutation (models/shopify_publish_batch.py); the bound ones one by one.
            shop._schedule_product_push(templates - new, eta=0)
            batch = self.env["shopify.publish.batch"].sudo().create({"shop_id": shop.id, "product_tmpl_ids": new.ids})
            for template in new:
                self.env["shopify.sync.job"].sudo()._ensure(shop, const.PRODUCT_PUSH, str(template.id))
            batch._enqueue_step("start")

    def _bulk_publish_threshold(self):
        """From this many new products on, a publication is one bulk mutation (``shopify_sync.bulk_publish_from``)."""
        value = self.env["ir.config_parameter"].sudo().get_param("shopify_sync.bulk_publish_from")
        return max(int(value), 1) if value else BULK_PUBLISH_FROM

    @api.model
    def _product_changed(self, templates, names):
        """Odoo changed ``names`` of ``templates``: push them to the shops where those fields are Odoo's."""
        bindings = self.env["shopify.product.binding"].sudo().search([("odoo_id", "in", templates.ids)])
        for shop in bindings.shop_id.filtered("sync_enabled"):
            if catalogue.watched_names(set(shop._protected_field_specs())) & set(names):
                shop._schedule_product_push(bindings.filtered(lambda b, s=shop: b.shop_id == s).odoo_id)

    # ======================================================================================
    # Day-one import: start it, follow it, restart it (the runs: shopify_import_run.py)
    # ======================================================================================

    import_run_ids = fields.One2many("shopify.import.run", "shop_id", string="Import Runs", readonly=True)
    import_state = fields.Selection(
        [("none", "Never run"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        compute="_compute_import",
    )
    import_progress = fields.Float(compute="_compute_import", help="Lines read of the exports, in percent.")
    import_rows_read = fields.Integer(compute="_compute_import")
    import_created_count = fields.Integer(compute="_compute_import")
    import_linked_count = fields.Integer(compute="_compute_import")
    import_updated_count = fields.Integer(compute="_compute_import")
    import_failed_count = fields.Integer(compute="_compute_import")
    import_message = fields.Text(compute="_compute_import")
    import_latest_run_ids = fields.Many2many(
        "shopify.import.run", string="Import result", compute="_compute_import", help="The newest run of each kind."
    )

    history_cutoff = fields.Date(
        string="History Cut-off",
        help="Orders placed before this day are history: recorded in their final state, without a delivery. "
        "Orders fulfilled or closed in Shopify before the import started are history anyway.",
    )
    import_started_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the first import of orders started: orders done with before it are history.",
    )

    def _latest_import_runs(self):
        """The newest run of each kind: the import as it stands."""
        self.ensure_one()
        runs = self.env["shopify.import.run"]
        for kind in IMPORT_KINDS:
            runs |= self.env["shopify.import.run"].search(
                [("shop_id", "=", self.id), ("object_kind", "=", kind)], order="id desc", limit=1
            )
        return runs

    @api.depends("import_run_ids.state", "import_run_ids.rows_read", "import_run_ids.message")
    def _compute_import(self):
        for shop in self:
            runs = shop._latest_import_runs() if shop.id else self.env["shopify.import.run"]
            states = set(runs.mapped("state"))
            if not runs:
                state = "none"
            elif states & set(ACTIVE_STATES):
                state = "running"
            else:
                state = "failed" if "failed" in states else "done"
            shop.import_state = state
            shop.import_latest_run_ids = runs
            total = sum(runs.mapped("object_count"))
            read = sum(runs.mapped("rows_read"))
            done = all(run.state == "done" for run in runs) and bool(runs)
            shop.import_progress = 100.0 if done else bulk.progress(read, total)
            shop.import_rows_read = read
            shop.import_created_count = sum(runs.mapped("created_count"))
            shop.import_linked_count = sum(runs.mapped("linked_count"))
            shop.import_updated_count = sum(runs.mapped("updated_count"))
            shop.import_failed_count = sum(runs.mapped("failed_count"))
            shop.import_message = (
                "\n".join(f"{run.display_name}: {run.message}" for run in runs if run.message) or False
            )

    def action_import(self, objects=IMPORT_KINDS, since=None):
        """Import the store's records of ``objects`` with bulk operations; the runs started.

        ``since`` (a datetime) limits the orders to those created since then: the
        catalogue and the customers are imported whole.
        """
        self.ensure_one()
        if not self.sync_enabled:
            raise UserError(self.env._("Sync is disabled for %s.", self.name))
        unknown = set(objects) - set(IMPORT_KINDS)
        if unknown:
            raise UserError(self.env._("Cannot import %s from Shopify.", ", ".join(sorted(unknown))))
        running = self.import_run_ids.filtered(lambda r: r.state in ACTIVE_STATES and r.object_kind in objects)
        if running:
            raise UserError(self.env._("An import of %s is already running.", ", ".join(running.mapped("object_kind"))))
        return self._start_import_runs(objects, since=since)

    def _start_import_runs(self, objects, since=None):
        if "orders" in objects:
            self._mark_import_start()
        runs = self.env["shopify.import.run"]
        for kind in IMPORT_KINDS:
            if kind not in objects:
                continue
            run = runs.sudo().create(
                {"shop_id": self.id, "object_kind": kind, "since": since if kind == "orders" else False}
            )
            run._enqueue_step("start")
            runs |= run
        return runs

    def _mark_import_start(self):
        """Day one: the moment the first import of orders starts and, if not set, the accounting start."""
        values = {}
        if not self.import_started_at:
            values["import_started_at"] = fields.Datetime.now()
        if not self.accounting_start_date:
            values["accounting_start_date"] = fields.Date.context_today(self)
        if values:
            self.sudo().write(values)

    def _history_rules(self):
        """(import start, cut-off) as naive UTC datetimes for mapping.history.standing."""
        self.ensure_one()
        cutoff = self.history_cutoff and datetime.combine(self.history_cutoff, time.min)
        return self.import_started_at or None, cutoff or None

    def _import_preview(self, since=None, cutoff=None):
        """What the store holds, counted by Shopify (one cheap query, no export): orders open,
        history, cancelled, refunded (fully, partly), and the first and last order's dates."""
        self.ensure_one()
        with self._graphql_client() as client:
            data = client.execute(IMPORT_PREVIEW_QUERY, bulk.preview_searches(since, cutoff))
        counts = {key: int((data.get(key) or {}).get("count") or 0) for key in hmap.PREVIEW_COUNTS}
        found = hmap.summary(counts)
        for key in ("oldest", "newest"):
            first = ((data.get(key) or {}).get("nodes") or [{}])[0]
            found[key] = parse_datetime(first.get("processedAt"))
        return found

    def action_open_import_wizard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_import_wizard")
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_restart_import(self):
        """Start again the kinds whose latest run failed."""
        self.ensure_one()
        failed = self._latest_import_runs().filtered(lambda r: r.state == "failed")
        if not failed:
            raise UserError(self.env._("No failed import to restart."))
        return failed.action_restart()

    def action_view_import_runs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imports"),
            "res_model": "shopify.import.run",
            "view_mode": "list,form",
            "domain": [("shop_id", "=", self.id)],
        }

    # ======================================================================================
    # Rollout switches per object: off, review or automatic
    # ======================================================================================

    rollout_orders = _switch("orders")
    rollout_customers = _switch("customers")
    rollout_products = _switch("products")
    rollout_fulfillments = _switch("fulfillments")
    rollout_refunds = _switch("refunds")
    rollout_stock = _switch("stock")
    rollout_deliveries = _switch("deliveries")
    rollout_accounting = _switch("accounting")
    rollout_off_since = fields.Json(readonly=True, copy=False, help="Per object switched off: since when (UTC).")
    review_count = fields.Integer(
        string="To review", compute="_compute_review_count", help="Sync jobs waiting for a reviewer's decision."
    )

    def _compute_review_count(self):
        groups = self.env["shopify.sync.job"]._read_group(
            [("shop_id", "in", self.ids), ("state", "=", "to_review")], ["shop_id"], ["__count"]
        )
        counts = {shop.id: count for shop, count in groups}
        for shop in self:
            shop.review_count = counts.get(shop.id, 0)

    def _rollout_mode(self, resource_type):
        """off, review or automatic for a sync job's resource type (automatic when no switch covers it)."""
        self.ensure_one()
        obj = object_of(resource_type)
        return self[switch_field(obj)] if obj else "automatic"

    def _switched(self, before):
        """When objects went off (``{object: since}``), and those turned back on (with their off-since)."""
        since = dict(self.rollout_off_since or {})
        now = fields.Datetime.now()
        resumed = {}
        for obj, old in before.items():
            new = self[switch_field(obj)]
            if new == "off" and old != "off":
                since[obj] = fields.Datetime.to_string(now)
            elif old == "off" and new != "off":
                resumed[obj] = fields.Datetime.to_datetime(since.pop(obj, None)) or now
        return since, resumed

    def _catch_up(self, resumed):
        """Dispatch the held deliveries of resumed objects again, run the jobs that ran while off
        (stock pushes, deliveries), and reconcile since they went off."""
        resource_types = tuple(rtype for obj in resumed for rtype in OBJECTS[obj][1])
        self.flush_recordset()  # the dispatcher reads the switches on a cursor of its own
        deliveries = self.env["shopify.webhook.delivery"].sudo()
        held = deliveries.search(
            [("shop_id", "=", self.id), ("state", "=", "off"), ("resource_type", "in", resource_types)]
        )
        if held:
            held.write({"state": "received"})
            deliveries.flush_model(["state"])
            deliveries._wake_dispatcher(self.id)
        held_jobs = (
            self.env["shopify.sync.job"]
            .sudo()
            .search([("shop_id", "=", self.id), ("resource_type", "in", resource_types), ("held_by_switch", "=", True)])
        )
        for job in held_jobs:
            job._enqueue()
        reconciled = [obj for obj in resumed if set(OBJECTS[obj][1]) & set(RECONCILED)]
        if reconciled and self.sync_enabled:
            since = min(resumed[obj] for obj in reconciled) - timedelta(hours=self.reconcile_overlap_hours)
            self.sudo().with_delay(
                channel=const.CHANNEL_ROOT,
                identity_key=reconcile_identity_key(self.id),
                description=f"Shopify catch-up after a switch turned on: {self.name}",
            ).reconcile(fields.Datetime.to_string(since))

    def action_view_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_job")
        action.update(
            domain=[],
            context=self._shop_facet_context({"search_default_to_review": 1}),
            name=self.env._("To review: %s", self.name),
        )
        return action

    # ======================================================================================
    # Running sync: stock pushes and their integrity, reconciliation
    # ======================================================================================

    reconcile_progress = fields.Char(readonly=True, copy=False)

    location_mapping_ids = fields.One2many("shopify.location.mapping", "shop_id", string="Location Mappings")
    push_inventory = fields.Boolean(
        string="Push stock to Shopify",
        default=True,
        help="Odoo is the authority for stock: available quantities of mapped locations are pushed, "
        "for products tracked on both sides, once the two sides agreed on them (Stock agreement).",
    )
    stock_authority = fields.Selection(
        [("odoo", "Odoo"), ("shopify", "Shopify")],
        default="odoo",
        required=True,
        help="Odoo: the warehouse counts stock, Odoo pushes it. Shopify: stock is counted by Shopify "
        "(its POS or a 3PL); each inventory level change sets Odoo's quantity at the mapped location, "
        "and Odoo never pushes to this shop.",
    )
    inventory_debounce_seconds = fields.Integer(default=30, help="Changes are gathered this long, then pushed.")
    inventory_hold_zero_percent = fields.Integer(
        string="Hold a push zeroing more than (%)",
        default=stock_rules.DEFAULT_HOLD_ZERO_PERCENT,
        help="A push run that would set more than this share of the shop's pushed variants to 0 is held.",
    )
    inventory_hold_change_percent = fields.Integer(
        string="Hold a push changing more than (%)",
        default=stock_rules.DEFAULT_HOLD_CHANGE_PERCENT,
        help="A push run that would change more than this share of the shop's pushed variants is held.",
    )
    inventory_hold_min_variants = fields.Integer(
        string="Never hold fewer than",
        default=stock_rules.DEFAULT_HOLD_MIN_VARIANTS,
        help="A run that zeroes or changes fewer variants than this is never held (a few sell-outs are normal).",
    )
    stock_agreement_ids = fields.One2many("shopify.stock.agreement", "shop_id", string="Stock agreements")
    inventory_hold_ids = fields.One2many("shopify.inventory.hold", "shop_id", string="Held stock pushes")
    stock_to_decide_count = fields.Integer(compute="_compute_stock_to_decide_count")
    push_fulfillments = fields.Boolean(
        string="Push deliveries to Shopify",
        help="For stores that ship from Odoo: validating a delivery creates the Shopify fulfillment.",
    )

    def _schedule_inventory_push(self):
        """At most one waiting push job per shop: the identity key absorbs the burst."""
        self.ensure_one()
        if self.push_inventory and self.stock_authority == "odoo":
            sync_job = self.env["shopify.sync.job"].sudo()._ensure(self, "inventory_push", "all")
            eta = 0 if self.env.context.get("shopify_push_now") else max(self.inventory_debounce_seconds, 0)
            sync_job._enqueue(eta=eta)

    # -- stock integrity: agreement before the first push, the breaker -----------------
    def _compute_stock_to_decide_count(self):
        for shop in self:
            shop.stock_to_decide_count = self.env["shopify.stock.agreement"].search_count(
                [("shop_id", "=", shop.id), ("state", "=", "draft")]
            ) + self.env["shopify.inventory.hold"].search_count([("shop_id", "=", shop.id), ("state", "=", "held")])

    def _request_stock_comparison(self):
        """Queue one comparison of the pairs not agreed yet (the identity key absorbs repeats)."""
        for shop in self:
            if shop.push_inventory and shop.stock_authority == "odoo" and shop.location_mapping_ids:
                sync_job = self.env["shopify.sync.job"].sudo()._ensure(shop, "stock_compare", "all")
                sync_job._enqueue(eta=max(shop.inventory_debounce_seconds, 0))

    def _forget_stock_agreements(self, mappings=None):
        """Agree again before the next push: at ``mappings`` (default: every mapped location)."""
        for shop in self:
            ids = tuple((mappings or shop.location_mapping_ids).ids) or (0,)
            self.env.cr.execute("DELETE FROM shopify_variant_binding_stock_agreed_rel WHERE mapping_id IN %s", (ids,))
        self.env["shopify.variant.binding"].invalidate_model(["stock_agreed_mapping_ids"])

    def _pushed_variant_count(self):
        """How many (variant, location) pairs the shop pushes: the circuit breaker's whole."""
        self.ensure_one()
        self.env["shopify.variant.binding"].flush_model()
        self.env.cr.execute(
            """
            SELECT count(*) FROM shopify_variant_binding_stock_agreed_rel rel
              JOIN shopify_variant_binding b ON b.id = rel.binding_id
             WHERE b.shop_id = %s
            """,
            (self.id,),
        )
        return self.env.cr.fetchone()[0]

    def _pushes_stock(self):
        return self.push_inventory and self.stock_authority == "odoo"

    def action_compare_stock(self):
        """Compare now, on the button: the agreement to decide on, or a note that all is agreed."""
        self.ensure_one()
        try:
            agreement = self.env["shopify.stock.agreement"]._compare(self)
        except SyncError as exc:
            raise UserError(self.env._("Shopify's quantities could not be read: %s", exc)) from exc
        if not agreement:
            return notify(self.env._("Every bound variant is agreed at every mapped location."), "info")
        return agreement._open()

    def action_open_stock_decisions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Stock to decide"),
            "res_model": "shopify.stock.agreement",
            "view_mode": "list,form",
            "domain": [("shop_id", "=", self.id)],
            "context": {"search_default_to_decide": 1, "default_shop_id": self.id},
        }

    def action_open_inventory_holds(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Held stock pushes"),
            "res_model": "shopify.inventory.hold",
            "view_mode": "list,form",
            "domain": [("shop_id", "=", self.id)],
        }

    # -- reconciliation -------------------------------------------------------
    @api.model
    def _cron_reconcile(self):
        """Per shop: enqueue the sync of everything updated since the last run, minus the overlap."""
        for shop in self.search([("sync_enabled", "=", True)]):
            since = (shop.last_reconciled_at or fields.Datetime.now() - timedelta(days=1)) - timedelta(
                hours=shop.reconcile_overlap_hours
            )
            shop.with_delay(
                channel=const.CHANNEL_ROOT,
                identity_key=reconcile_identity_key(shop.id),
                description=f"Shopify reconciliation: {shop.name}",
            ).reconcile(fields.Datetime.to_string(since))

    def action_sync_now(self, days=7):
        self.ensure_one()
        if not self.sync_enabled:
            raise UserError(_("Sync is disabled for %s.", self.name))
        since = fields.Datetime.now() - timedelta(days=days)
        self.reconcile_progress = _("Queued: everything updated in the last %s days.", days)
        self.with_delay(
            channel=const.CHANNEL_ROOT,
            identity_key=reconcile_identity_key(self.id),
            description=f"Shopify sync now: {self.name}",
        ).reconcile(fields.Datetime.to_string(since))
        return True

    def reconcile(self, since):
        """Queue job: list orders, customers and products updated since ``since``, enqueue their sync.

        The per-resource jobs use the same identity keys as webhooks: a record
        the webhooks already brought is skipped by its job, never duplicated.
        """
        self.ensure_one()
        started = fields.Datetime.now()
        since_dt = fields.Datetime.to_datetime(since)
        stamp = since_dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        counts = {}
        sync_jobs = self.env["shopify.sync.job"].sudo()
        try:
            with self._graphql_client() as client:
                for resource_type, root in UPDATED_SINCE.items():
                    counts[resource_type] = 0
                    for node in self._paginate(client, root, f"updated_at:>='{stamp}'"):
                        job = sync_jobs._ensure(self, resource_type, node["legacyResourceId"])
                        job._enqueue(priority=20)
                        counts[resource_type] += 1
        except TemporaryError as err:
            # Shopify throttled, failed or timed out: the job is retried on its
            # retry pattern, and starts again from ``since`` (enqueueing is idempotent).
            self._note_reconcile_progress(_("Waiting to retry: %s", err))
            raise RetryableJobError(str(err)) from err
        except SyncError as err:
            self._note_reconcile_progress(_("Failed: %s", err))
            raise
        self._note_reconcile_done(
            {
                "last_reconciled_at": started,
                "reconcile_progress": _("Done %(when)s: %(counts)s", when=started, counts=_format_counts(counts)),
            }
        )
        return _format_counts(counts)

    def _note_reconcile_done(self, vals):
        """Stamp the shop row at the end of a reconciliation, in a short transaction of its own.

        The job's transaction is long (it pages through Shopify) and the shop row is
        written meanwhile by others (a switch, a setting, another job): written from the
        job's snapshot, the row would fail to serialize and the whole reconciliation run
        again. READ COMMITTED waits for such a writer instead, and only what changed is
        written. The job's own work is flushed first, so the stamp is its last statement;
        a writer that holds the row too long (lock timeout) leaves it to the job's transaction.
        """
        self.env.flush_all()
        try:
            with independent_env(self.env) as env:
                if isinstance(env.cr, Cursor):
                    env.cr.execute("SET LOCAL lock_timeout = '10s'")
                shop = env[self._name].browse(self.id)
                changed = {name: value for name, value in vals.items() if shop[name] != value}
                if changed:
                    shop.write(changed)
        except pg_errors.LockNotAvailable:
            self.write(vals)
            return
        self.invalidate_recordset(list(vals))

    def _note_reconcile_progress(self, text):
        """Write the progress line in a transaction of its own: the job's is rolled back."""
        with independent_env(self.env) as env:
            env[self._name].browse(self.id).reconcile_progress = text
        self.invalidate_recordset(["reconcile_progress"])

    def _paginate(self, client, root, search):
        query = UPDATED_SINCE_QUERY % {"root": root}
        return client.paginate(query, root, {"query": search}, page_size=PAGE_SIZE)

    # ======================================================================================
    # Shopify locations (shopify_location.py), API budget (shopify_rate_budget.py)
    # ======================================================================================

    shopify_location_ids = fields.One2many("shopify.location", "shop_id", string="Shopify Locations", readonly=True)

    def action_fetch_locations(self):
        """Read the store's locations from Shopify and keep the list here current."""
        self.ensure_one()
        count = self.env["shopify.location"]._fetch_for_shop(self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s Shopify location(s) of %(shop)s.", count=count, shop=self.name),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    api_budget_summary = fields.Char(string="Shopify API Budget", compute="_compute_api_budget_summary")

    def _compute_api_budget_summary(self):
        budgets = self.env["shopify.rate.budget"].sudo()
        for shop in self:
            budget = budgets.search([("shop_id", "=", shop.id)], limit=1)
            if not budget:
                shop.api_budget_summary = self.env._("No request sent yet.")
                continue
            shop.api_budget_summary = self.env._(
                "%(rate)s points/s, bucket %(maximum)s; %(draws)s requests, %(waits)s waited their turn "
                "(%(seconds)s s in all), %(throttled)s throttled by Shopify.",
                rate=f"{budget.restore_rate:g}",
                maximum=f"{budget.maximum:g}",
                draws=budget.draws,
                waits=budget.waits,
                seconds=f"{budget.wait_seconds:.1f}",
                throttled=budget.throttled,
            )

    # ======================================================================================
    # Manual edits and the suggestions made from them (shopify_manual_edit.py)
    # ======================================================================================

    suggestion_ids = fields.One2many("shopify.sync.suggestion", "shop_id", string="Suggestions")
    manual_edit_count = fields.Integer(compute="_compute_manual_edit_count")

    def _compute_manual_edit_count(self):
        groups = self.env["shopify.manual.edit"]._read_group([("shop_id", "in", self.ids)], ["shop_id"], ["__count"])
        counts = {shop.id: count for shop, count in groups}
        for shop in self:
            shop.manual_edit_count = counts.get(shop.id, 0)

    def action_refresh_suggestions(self):
        for shop in self:
            self.env["shopify.sync.suggestion"]._refresh_for_shop(shop)
        return True

    # ======================================================================================
    # Webhook subscriptions: the table and the work in shopify_webhook_subscription.py
    # ======================================================================================

    webhook_subscription_ids = fields.One2many("shopify.webhook.subscription", "shop_id", string="Subscriptions")
    manage_webhooks = fields.Boolean(
        string="Odoo manages webhooks",
        copy=False,
        help="Set by Register webhooks: the daily check then re-creates subscriptions Shopify dropped.",
    )
    webhooks_ok_at = fields.Datetime(
        string="Webhooks last complete", readonly=True, copy=False, help="The last check that found every subscription."
    )
    webhooks_checked_at = fields.Datetime(string="Webhooks checked", readonly=True, copy=False)
    compliance_webhook_help = fields.Char(compute="_compute_compliance_webhook_help")

    @api.depends("webhook_url")
    def _compute_compliance_webhook_help(self):
        for shop in self:
            shop.compliance_webhook_help = self.env._(
                "The compliance topics (%(topics)s) can only be set in the app's configuration in the Dev "
                "Dashboard (Versions > Compliance webhooks), not by API: paste %(url)s there.",
                topics=", ".join(subs.COMPLIANCE_TOPICS),
                url=shop.webhook_url,
            )

    def action_register_webhooks(self):
        """Make Shopify hold exactly the subscriptions the shop needs; running it again changes nothing."""
        self.ensure_one()
        try:
            changes, done = self.env["shopify.webhook.subscription"]._sync_shop(
                self, actions=("create", "update", "delete")
            )
        except SyncError as err:
            return _notify(str(err), "danger")
        self.manage_webhooks = True
        self.webhooks_ok_at = fields.Datetime.now()
        return _notify(
            self.env._(
                "%(count)s topics subscribed at %(url)s; %(done)s change(s) made in Shopify.",
                count=len([c for c in changes if c.state != "extra"]),
                url=self.webhook_url,
                done=done,
            ),
            "success",
        )

    def action_check_webhooks(self):
        self.ensure_one()
        try:
            repaired = self.env["shopify.webhook.subscription"]._check_shop(self)
        except SyncError as err:
            return _notify(str(err), "danger")
        if repaired:
            return _notify(
                self.env._(
                    "Re-created %(topics)s; the changes since %(since)s are being reconciled.",
                    topics=", ".join(repaired),
                    since=self.webhooks_ok_at,
                ),
                "warning",
            )
        return _notify(self.env._("Every webhook subscription is in place."), "success")

    @api.model
    def _cron_check_webhooks(self):
        self.env["shopify.webhook.subscription"]._cron_check()

    # ======================================================================================
    # Go-live: readiness (shopify_readiness.py), duplicate self-test (shopify_selftest.py),
    # team note (shopify_team_note.py)
    # ======================================================================================

    readiness_line_ids = fields.One2many("shopify.readiness.line", "shop_id", string="Readiness")
    readiness_checked_at = fields.Datetime(readonly=True, copy=False)
    readiness_ok = fields.Boolean(compute="_compute_readiness_ok", string="Ready to go live")
    selftest_at = fields.Datetime(string="Self-test run", readonly=True, copy=False)
    selftest_ok = fields.Boolean(string="Self-test passed", readonly=True, copy=False)
    selftest_note = fields.Text(string="Self-test result", readonly=True, copy=False)

    @api.depends("readiness_line_ids.state")
    def _compute_readiness_ok(self):
        for shop in self:
            lines = shop.readiness_line_ids
            shop.readiness_ok = bool(lines) and not lines.filtered(lambda line: line.state == "red")

    def action_check_readiness(self):
        for shop in self:
            shop._check_readiness()
        return True

    def _check_readiness(self):
        """Recompute the checklist; returns ``{code: state}``."""
        self.ensure_one()
        return self.env["shopify.readiness.line"]._check_shop(self)

    def action_run_selftest(self):
        """Replay one recent event twice, concurrently, through the door; record the result."""
        self.ensure_one()
        return self.env["shopify.selftest"]._run(self)

    # ======================================================================================
    # Health at a glance: the statistics are shopify.shop.health's (shopify_shop_health.py)
    # ======================================================================================

    last_webhook_at = fields.Datetime(compute="_compute_health")
    last_webhook_age = fields.Char(string="Last webhook", compute="_compute_health")
    backlog_count = fields.Integer(string="Jobs waiting", compute="_compute_health")
    delivery_backlog_count = fields.Integer(string="Deliveries waiting", compute="_compute_health")
    oldest_waiting_delivery_at = fields.Datetime(compute="_compute_health")
    open_failure_count = fields.Integer(string="Open failures", compute="_compute_health")
    open_failures_by_reason = fields.Char(compute="_compute_health")
    failure_temporary_count = fields.Integer(string="Temporary", compute="_compute_health")
    failure_configuration_count = fields.Integer(string="Configuration", compute="_compute_health")
    failure_mapping_count = fields.Integer(string="Mapping", compute="_compute_health")
    failure_data_conflict_count = fields.Integer(string="Data conflict", compute="_compute_health")
    failure_protected_field_count = fields.Integer(string="Protected field", compute="_compute_health")
    average_lag_seconds = fields.Float(string="Average lag (s, last 24 h)", compute="_compute_lag")
    lag_median_seconds = fields.Float(string="Lag median (s, 24 h)", compute="_compute_lag")
    lag_p95_seconds = fields.Float(string="Lag p95 (s, 24 h)", compute="_compute_lag")
    lag_display = fields.Char(string="Lag (24 h)", compute="_compute_lag")
    last_reconciled_age = fields.Char(string="Last reconciliation", compute="_compute_health")
    # Filled by the connection work (webhook subscriptions, token expiry): see _compute_connection_health.
    connection_health = fields.Char(
        compute="_compute_connection_health",
        help="Webhook subscription state and token expiry, one line; empty while nothing is known.",
    )
    connection_needs_attention = fields.Boolean(compute="_compute_connection_health")
    needs_attention = fields.Boolean(compute="_compute_health", help="Something on this shop needs a person.")
    overview_color = fields.Integer(
        compute="_compute_health",
        help="Kanban colour: red when a person is needed, amber while changes wait for review, else green.",
    )
    attention_reason = fields.Char(compute="_compute_health")
    sync_job_count = fields.Integer(compute="_compute_smart_counts")
    delivery_count = fields.Integer(compute="_compute_smart_counts")
    order_count = fields.Integer(compute="_compute_smart_counts")
    product_count = fields.Integer(compute="_compute_smart_counts")

    def _compute_connection_health(self):
        """Hook for the webhook subscription state and the token expiry: nothing known here yet.

        Override to set ``connection_health`` (one readable line) and
        ``connection_needs_attention`` (turns the overview card red).
        """
        for shop in self:
            shop.connection_health = False
            shop.connection_needs_attention = False

    @api.depends_context("uid")
    def _compute_health(self):
        now = fields.Datetime.now()
        health = self.env["shopify.shop.health"]
        for shop in self:
            stats = health._stats(shop) if shop.id else {}
            last_webhook = stats.get("last_webhook_at")
            reasons = stats.get("reasons", {})
            shop.last_webhook_at = last_webhook
            shop.last_webhook_age = health._age(last_webhook, now)
            shop.backlog_count = stats.get("jobs_waiting", 0)
            shop.delivery_backlog_count = stats.get("deliveries_waiting", 0)
            shop.oldest_waiting_delivery_at = stats.get("oldest_waiting")
            shop.open_failure_count = sum(reasons.values())
            labels = dict(self.env["shopify.sync.job"]._fields["category"]._description_selection(self.env))
            shop.open_failures_by_reason = (
                ", ".join(f"{labels.get(reason, reason)}: {count}" for reason, count in reasons.items()) or False
            )
            for reason in FAILURE_REASONS:
                shop[f"failure_{reason}_count"] = reasons.get(reason, 0)
            shop.last_reconciled_age = health._age(shop.last_reconciled_at, now)
            attention = health._attention_reasons(shop, now)
            shop.needs_attention = bool(attention)
            shop.attention_reason = "; ".join(attention) or False
            # Red: a person must act; amber: changes wait for a review decision; green: all fine.
            if attention:
                shop.overview_color = COLOR_RED
            elif shop.id and shop.review_count:
                shop.overview_color = COLOR_AMBER
            else:
                shop.overview_color = COLOR_GREEN

    def _compute_lag(self):
        """Lag of the last 24 h: Shopify's updatedAt to the real syncs; no-ops are no lag."""
        health = self.env["shopify.shop.health"]
        for shop in self:
            average, median, p95 = health._lag(shop) if shop.id else (None, None, None)
            shop.average_lag_seconds = average or 0.0
            shop.lag_median_seconds = median or 0.0
            shop.lag_p95_seconds = p95 or 0.0
            shop.lag_display = (
                self.env._("median %(median)s · p95 %(p95)s", median=human_duration(median), p95=human_duration(p95))
                if median is not None
                else self.env._("no sync in 24 h")
            )

    def _compute_smart_counts(self):
        jobs = self.env["shopify.sync.job"]
        deliveries = self.env["shopify.webhook.delivery"]
        for shop in self:
            if not shop.id:
                shop.update(sync_job_count=0, delivery_count=0, order_count=0, product_count=0)
                continue
            shop.sync_job_count = jobs.search_count([("shop_id", "=", shop.id)])
            shop.delivery_count = deliveries.search_count([("shop_id", "=", shop.id)])
            shop.order_count = len(shop._bound("shopify.order.binding"))
            shop.product_count = len(shop._bound("shopify.variant.binding"))

    def _bound(self, binding_model):
        return self.env[binding_model].sudo().search([("shop_id", "=", self.id)]).odoo_id

    # -- where the numbers lead --------------------------------------------------
    def _sync_job_action(self, name, context=None):
        """Sync jobs of this shop, narrowed by facets the user sees (and can remove), not by a hidden domain."""
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_job")
        action.update(name=name, domain=[], context=self._shop_facet_context(context))
        return action

    def _shop_facet_context(self, context=None):
        """An action's context opening on a visible *Shop* facet (the search view's shop_id field)."""
        return {"search_default_shop_id": self.id, **(context or {})}

    def action_open_failures(self):
        """Open failures of this shop; ``failure_category`` in the context narrows to one reason."""
        self.ensure_one()
        context = {"search_default_needs_action": 1}
        category = self.env.context.get("failure_category")
        if category:
            context["search_default_category"] = category
        else:
            context["search_default_group_category"] = 1
        return self._sync_job_action(self.env._("Failures: %s", self.name), context)

    def action_retry_failures(self):
        """Retry every open failure of this shop (of one reason with ``failure_category``): the card's *Retry all*."""
        self.ensure_one()
        domain = [("shop_id", "=", self.id), ("needs_action", "=", True)]
        category = self.env.context.get("failure_category")
        if category:
            domain.append(("category", "=", category))
        jobs = self.env["shopify.sync.job"].search(domain)
        jobs.action_retry()
        labels = dict(self.env["shopify.sync.job"]._fields["category"]._description_selection(self.env))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if jobs else "info",
                "message": self.env._(
                    "%(count)s sync job(s) of %(shop)s queued again (%(reason)s).",
                    count=len(jobs),
                    shop=self.name,
                    reason=labels.get(category, category) if category else self.env._("every reason"),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_sync_jobs(self):
        self.ensure_one()
        return self._sync_job_action(self.env._("Sync jobs: %s", self.name))

    def action_open_waiting_jobs(self):
        self.ensure_one()
        return self._sync_job_action(self.env._("Waiting: %s", self.name), {"search_default_pending": 1})

    def action_open_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_webhook_delivery")
        # the search view's "waiting" filter is state in WAITING_DELIVERY_STATES
        waiting = {"search_default_waiting": 1} if self.env.context.get("waiting_only") else {}
        action.update(domain=[], context=self._shop_facet_context(waiting))
        return action

    def action_open_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Orders: %s", self.name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self._bound("shopify.order.binding").ids)],
        }

    def action_open_products(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Products: %s", self.name),
            "res_model": "product.product",
            "view_mode": "list,form",
            "domain": [("id", "in", self._bound("shopify.variant.binding").ids)],
        }

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


def _format_counts(counts):
    return ", ".join(f"{count} {kind}(s)" for kind, count in counts.items()) or "nothing"
