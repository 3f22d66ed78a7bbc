"""Shopify's OAuth: token grants, the authorize URL, the callback's HMAC, access scopes.

Pure helpers, no ORM. Every failure is one of :mod:`.errors`' classes, with a
message an operator can act on.
"""

import hashlib
import hmac
import re
from collections import namedtuple
from urllib.parse import urlencode

import requests

from .errors import ConfigurationError, TemporaryError

TOKEN_PATH = "/admin/oauth/access_token"
AUTHORIZE_PATH = "/admin/oauth/authorize"
SHOP_DOMAIN_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-]*\.myshopify\.com$")

# What the addon reads and writes, by feature. A write scope implies its read scope.
BASE_SCOPES = ("read_orders", "write_orders", "read_customers", "write_customers", "read_products", "write_products")
INVENTORY_SCOPES = ("read_inventory", "write_inventory", "read_locations")
FULFILLMENT_SCOPES = ("read_merchant_managed_fulfillment_orders", "write_merchant_managed_fulfillment_orders")

# What an OAuth error code means for the operator.
OAUTH_ERRORS = {
    "app_not_installed": "The app is not installed on this shop: install it from the Dev Dashboard "
    "(or with the app's install link), then try again.",
    "invalid_client": "Shopify refused the client ID or client secret: copy both again from the app's "
    "Settings in the Dev Dashboard.",
    "shop_not_permitted": "Client credentials only work for a store of the app's own organization: use "
    "the authorization code method (Connect) for a client's store.",
    "invalid_grant": "Shopify refused the authorization code or refresh token (used, expired or revoked): "
    "connect the shop again.",
    "invalid_scope": "Shopify refused the requested access scopes: check the scopes of the app's version.",
}

TokenGrant = namedtuple("TokenGrant", "access_token scopes expires_in refresh_token refresh_expires_in")


def required_scopes(push_inventory=False, push_fulfillments=False):
    """The access scopes the enabled features need, in a stable order."""
    scopes = list(BASE_SCOPES)
    if push_inventory:
        scopes += INVENTORY_SCOPES
    if push_fulfillments:
        scopes += FULFILLMENT_SCOPES
    return scopes


def missing_scopes(granted, required):
    """The required scopes ``granted`` does not cover (``write_x`` covers ``read_x``)."""
    have = set(granted or ())
    return [s for s in required if s not in have and s.replace("read_", "write_", 1) not in have]


def parse_scopes(text):
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def token_url(base):
    return f"{base.rstrip('/')}{TOKEN_PATH}"


def client_credentials_grant(base, client_id, client_secret, timeout):
    return _request_token(
        token_url(base),
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        timeout,
    )


def code_grant(base, client_id, client_secret, code, timeout):
    """Exchange an authorization code for an expiring offline token (``expiring=1``)."""
    return _request_token(
        token_url(base),
        {"client_id": client_id, "client_secret": client_secret, "code": code, "expiring": "1"},
        timeout,
    )


def refresh_grant(base, client_id, client_secret, refresh_token, timeout):
    return _request_token(
        token_url(base),
        {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        },
        timeout,
    )


def _request_token(url, data, timeout):
    """POST the form to Shopify's token endpoint; a TokenGrant, or a TemporaryError/ConfigurationError."""
    try:
        response = requests.post(url, data=data, headers={"Accept": "application/json"}, timeout=timeout)
    except requests.Timeout as exc:
        raise TemporaryError(f"Shopify's token endpoint did not answer within {timeout} s.") from exc
    except requests.RequestException as exc:
        raise TemporaryError(f"Shopify's token endpoint is not reachable: {exc.__class__.__name__}.") from exc
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if status == 429 or status >= 500:
        raise TemporaryError(f"Shopify's token endpoint answered HTTP {status}; the renewal is retried.")
    if status >= 400 or not body.get("access_token"):
        code = str(body.get("error") or "")
        advice = OAUTH_ERRORS.get(code) or (
            "Shopify refused the app's credentials: check the client ID and secret, and that the app "
            "is installed on this shop."
        )
        raise ConfigurationError(
            f"Shopify refused the access token request (HTTP {status}{', ' + code if code else ''}). {advice}",
            missing="valid app credentials for this shop",
            retry_advice="Retry is safe once the credentials are fixed on the shop.",
            fix_model="shopify.shop",
        )
    return TokenGrant(
        access_token=body["access_token"],
        scopes=parse_scopes(body.get("scope")),
        expires_in=_int(body.get("expires_in")),
        refresh_token=body.get("refresh_token") or None,
        refresh_expires_in=_int(body.get("refresh_token_expires_in")),
    )


def _int(value):
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


# -- authorization code grant ---------------------------------------------------------
def authorize_url(base, client_id, scopes, redirect_uri, state):
    query = urlencode({"client_id": client_id, "scope": ",".join(scopes), "redirect_uri": redirect_uri, "state": state})
    return f"{base.rstrip('/')}{AUTHORIZE_PATH}?{query}"


def query_hmac(params, secret):
    """Shopify's hex HMAC-SHA256 of the query parameters but ``hmac``, sorted, ``k=v`` joined by ``&``."""
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()) if key not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_query_hmac(params, secrets):
    """True when ``params["hmac"]`` signs the other parameters with one of ``secrets`` (constant time)."""
    given = str(params.get("hmac") or "").strip().lower()
    if not given:
        return False
    matched = False
    for secret in secrets:
        if secret and hmac.compare_digest(query_hmac(params, secret), given):
            matched = True
    return matched


def state_digest(state):
    """What is stored of a ``state``: its SHA-256, so the database never holds a usable value."""
    return hashlib.sha256(state.encode()).hexdigest()


def valid_shop_domain(domain):
    return bool(domain) and bool(SHOP_DOMAIN_RE.match(domain))
