"""How a shop authenticates: client credentials, authorization code, or a legacy static token.

Issued tokens live in ``shopify.shop.auth``, one row per shop, apart from the
shop's own row: a renewal commits on a cursor of its own while jobs that read
the shop go on, and must not make their later writes on the shop conflict.
The token logic is this model's: its methods take the shop they work for; the
shop keeps its method, client ID and secret, and the Connect and Test
connection buttons.
"""

import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..services import oauth
from ..services.db import independent_env
from ..services.errors import ConfigurationError, SyncError, TemporaryError
from ..services.identity import lock_token_renewal
from ..services.labels import local_time

_logger = logging.getLogger(__name__)

# An issued token is renewed when less than this is left of its life.
RENEW_MARGIN = timedelta(minutes=10)
STATE_TTL = timedelta(minutes=10)
CALLBACK_ROUTE = const.OAUTH_CALLBACK_ROUTE
AUTH_METHODS = [
    ("client_credentials", "Client credentials (app of your own organization)"),
    ("authorization_code", "Authorization code (Connect: app installed on a client's store)"),
    ("static_token", "Static access token (legacy admin-created app)"),
]


class ShopifyShopAuth(models.Model):
    _name = "shopify.shop.auth"
    _description = "Shopify Shop Access Token"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    access_token = fields.Char(groups="shopify_sync.group_shopify_manager", copy=False)
    expires_at = fields.Datetime(copy=False)
    refresh_token = fields.Char(groups="shopify_sync.group_shopify_manager", copy=False)
    refresh_expires_at = fields.Datetime(copy=False)
    scopes = fields.Char(copy=False)
    renewed_at = fields.Datetime(copy=False)
    renewal_count = fields.Integer(copy=False)
    message = fields.Char(copy=False, help="The last problem met while obtaining a token; empty when all is well.")
    message_category = fields.Char(copy=False)
    message_at = fields.Datetime(copy=False)
    deprecation_reason = fields.Char(copy=False)
    deprecation_seen_at = fields.Datetime(copy=False)
    oauth_state_digest = fields.Char(groups="shopify_sync.group_shopify_manager", copy=False)
    oauth_state_expires_at = fields.Datetime(copy=False)

    _shop_uniq = models.UniqueIndex("(shop_id)", "A shop has one access token record.")

    # -- the record of a shop --------------------------------------------------------
    @api.model
    def _of(self, shop, create=False):
        """``shop``'s token record (sudo); ``create`` makes it for a shop that predates it."""
        shop.ensure_one()
        auth = self.sudo().search([("shop_id", "=", shop.id)], limit=1)
        if not auth and create:
            auth = auth.create({"shop_id": shop.id})
        return auth

    @api.model
    def _oauth_base(self, shop):
        return (shop.base_url or f"https://{shop.domain}").rstrip("/")

    @api.model
    def _required_scopes(self, shop):
        shop.ensure_one()
        return oauth.required_scopes(push_inventory=shop.push_inventory, push_fulfillments=shop.push_fulfillments)

    # -- the token a call sends ------------------------------------------------------
    @api.model
    def _access_token_for(self, shop):
        """The token to send: the static one, or the issued one, renewed ahead of its expiry."""
        shop.ensure_one()
        if shop.auth_method == "static_token":
            return shop.sudo().access_token
        auth = self._of(shop)
        token = auth.sudo().access_token
        if not token or (auth.expires_at and auth.expires_at - RENEW_MARGIN <= fields.Datetime.now()):
            return self._renew(shop, stale_token=token)
        self._check_scopes(shop, auth.scopes)
        return token

    @api.model
    def _check_scopes(self, shop, scopes):
        missing = oauth.missing_scopes(oauth.parse_scopes(scopes), self._required_scopes(shop))
        if missing:
            raise ConfigurationError(
                self.env._(
                    "The app's token lacks the access scopes %(scopes)s that the enabled features need: "
                    "add them to the app's version in the Dev Dashboard, release it, then Test connection.",
                    scopes=", ".join(missing),
                ),
                missing=", ".join(missing),
                retry_advice=self.env._("Retry is safe once the scopes are granted."),
                fix_model="shopify.shop",
            )

    @api.model
    def _renew(self, shop, stale_token=None):
        """Obtain a new token for ``shop``, once across all workers; returns it.

        Runs on a cursor of its own, committed at once, so that other workers
        see the new token. A worker that waited for the lock while another
        renewed finds a token other than ``stale_token`` and uses it.
        """
        shop.ensure_one()
        if shop.auth_method == "static_token":
            raise ConfigurationError(
                self.env._("Shopify rejected the static access token: paste a valid one on the shop."),
                fix_model="shopify.shop",
            )
        try:
            with independent_env(self.env) as env:
                # Transaction-level advisory lock: one renewal per shop at a time, released
                # at this cursor's commit; READ COMMITTED, so the read after it sees the
                # token another worker committed while this one waited.
                lock_token_renewal(env.cr, shop.id)
                own_shop = env["shopify.shop"].browse(shop.id)
                auth = env["shopify.shop.auth"]._of(own_shop, create=True)  # under the lock: one creation at most
                current = auth.access_token
                fresh = not auth.expires_at or auth.expires_at - RENEW_MARGIN > fields.Datetime.now()
                if current and current != stale_token and fresh:
                    token, scopes = current, auth.scopes
                else:
                    grant = auth._request_grant()
                    auth.write(auth._grant_values(grant))
                    token, scopes = grant.access_token, ",".join(grant.scopes)
        except SyncError as err:
            self._note_connection_problem(shop, err)
            raise
        self.env["shopify.shop.auth"].invalidate_model()
        self._check_scopes(shop, scopes)
        return token

    def _request_grant(self):
        """A new grant for this record's shop: client credentials, or the refresh token."""
        self.ensure_one()
        shop = self.shop_id
        secret = shop.sudo().client_secret
        if not shop.client_id or not secret:
            raise ConfigurationError(
                self.env._("Enter the app's client ID and client secret (Dev Dashboard, app Settings)."),
                missing=self.env._("client ID and client secret"),
                fix_model="shopify.shop",
            )
        timeout = max(shop.api_timeout, 1)
        base = self._oauth_base(shop)
        if shop.auth_method == "client_credentials":
            return oauth.client_credentials_grant(base, shop.client_id, secret, timeout)
        if not self.refresh_token:
            raise ConfigurationError(
                self.env._(
                    "The shop's token cannot be renewed (no refresh token): click Connect to approve the app again."
                ),
                fix_model="shopify.shop",
            )
        return oauth.refresh_grant(base, shop.client_id, secret, self.refresh_token, timeout)

    def _grant_values(self, grant):
        """The new token pair, written in one statement: a rotated refresh token is never lost."""
        now = fields.Datetime.now()
        return {
            "access_token": grant.access_token,
            "expires_at": now + timedelta(seconds=grant.expires_in) if grant.expires_in else False,
            "refresh_token": grant.refresh_token or False,
            "refresh_expires_at": now + timedelta(seconds=grant.refresh_expires_in)
            if grant.refresh_expires_in
            else False,
            "scopes": ",".join(grant.scopes),
            "renewed_at": now,
            "renewal_count": self.renewal_count + 1,
            "message": False,
            "message_category": False,
            "message_at": False,
        }

    @api.model
    def _note_connection_problem(self, shop, error):
        """Show the problem on the shop; in a transaction of its own, the caller's may roll back."""
        with independent_env(self.env) as env:
            env["shopify.shop.auth"]._of(env["shopify.shop"].browse(shop.id)).write(
                {"message": str(error)[:500], "message_category": error.category, "message_at": fields.Datetime.now()}
            )
        self.env["shopify.shop.auth"].invalidate_model()

    @api.model
    def _record_deprecation(self, shop, reason):
        """Keep the last X-Shopify-API-Deprecated-Reason Shopify sent, shown on the shop."""
        shop_id = shop.id
        try:
            with independent_env(self.env) as env:
                auth = env["shopify.shop.auth"]._of(env["shopify.shop"].browse(shop_id))
                if auth.deprecation_reason != reason:
                    auth.write({"deprecation_reason": reason, "deprecation_seen_at": fields.Datetime.now()})
        except Exception:  # noqa: BLE001 - a note must never break the call it is about
            _logger.warning("Could not record Shopify's deprecation notice for shop %s", shop_id, exc_info=True)

    # -- authorization code grant ------------------------------------------------------
    @api.model
    def _authorize_url(self, shop):
        """Where the manager approves the app: a new single-use state is stored, its digest only."""
        state = secrets.token_urlsafe(32)
        self._of(shop, create=True).write(
            {
                "oauth_state_digest": oauth.state_digest(state),
                "oauth_state_expires_at": fields.Datetime.now() + STATE_TTL,
            }
        )
        return oauth.authorize_url(
            self._oauth_base(shop), shop.client_id, self._required_scopes(shop), shop.oauth_redirect_url, state
        )

    @api.model
    def _oauth_callback(self, params):
        """Handle Shopify's redirect after approval; returns the shop, or None (nothing stored) if refused.

        Checked in this order, before anything is written: the shop domain, the
        state (known and not expired), the HMAC with that shop's client secret.
        The state is then consumed in one statement, so a replay finds it gone.
        """
        domain = str(params.get("shop") or "").strip().lower()
        state = str(params.get("state") or "")
        if not oauth.valid_shop_domain(domain) or not state or not params.get("code"):
            return None
        digest = oauth.state_digest(state)
        auth = self.sudo().search([("oauth_state_digest", "=", digest)], limit=1)
        shop = auth.shop_id
        if not shop or shop.domain != domain or shop.auth_method != "authorization_code":
            return None
        if not oauth.verify_query_hmac(params, [shop.sudo().client_secret]):
            return None
        # Consume the state: only one request can turn this row's digest into NULL.  The clock is the
        # one that wrote the expiry (Python's), not now(), which is the start of the transaction.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE shopify_shop_auth SET oauth_state_digest = NULL, oauth_state_expires_at = NULL "
            "WHERE id = %s AND oauth_state_digest = %s AND oauth_state_expires_at > %s "
            "RETURNING id",
            (auth.id, digest, fields.Datetime.now()),
        )
        if not self.env.cr.fetchone():
            return None
        auth.invalidate_recordset()
        try:
            grant = oauth.code_grant(
                self._oauth_base(shop),
                shop.client_id,
                shop.sudo().client_secret,
                params["code"],
                max(shop.api_timeout, 1),
            )
        except SyncError as err:
            auth.write(
                {"message": str(err)[:500], "message_category": err.category, "message_at": fields.Datetime.now()}
            )
            return shop
        auth.write(auth._grant_values(grant))
        return shop

    # -- Test connection ------------------------------------------------------------------
    @api.model
    def _connection_report(self, shop, data):
        """What Test connection says: method, token expiry, granted scopes, missing ones."""
        method = dict(AUTH_METHODS)[shop.auth_method]
        scopes = [s["handle"] for s in ((data.get("currentAppInstallation") or {}).get("accessScopes") or [])]
        auth = self._of(shop)
        expiry = (
            local_time(self.env, auth.expires_at)
            if shop.auth_method != "static_token" and auth.expires_at
            else self.env._("never")
        )
        missing = oauth.missing_scopes(scopes, self._required_scopes(shop))
        name = (data.get("shop") or {}).get("name") or "?"
        message = self.env._(
            "Connected to %(name)s, API %(version)s. Method: %(method)s. Token expires: %(expiry)s. "
            "Scopes: %(scopes)s.",
            name=name,
            version=shop.api_version,
            method=method,
            expiry=expiry,
            scopes=", ".join(scopes) or "-",
        )
        if missing:
            return message + " " + self.env._("Missing scopes: %s.", ", ".join(missing)), "danger"
        return message, "success"

    @staticmethod
    def _connection_failure(err):
        if isinstance(err, TemporaryError):
            return f"{err} (temporary: try again in a moment)", "danger"
        return str(err), "danger"
