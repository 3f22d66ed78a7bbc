"""Shopify's OAuth endpoints: the token endpoint, the authorize redirect, and the tokens they issue.

* ``POST /admin/oauth/access_token`` (form-encoded, as Shopify documents it; JSON is accepted too):

  - ``grant_type=client_credentials`` with ``client_id`` and ``client_secret``: an access token
    that expires after ``client_credentials_ttl`` seconds (about 24 h), no refresh token;
  - ``code`` (authorization code grant), with ``expiring=1`` for an expiring offline token:
    ``expires_in`` (1 h), ``refresh_token`` and ``refresh_token_expires_in`` (90 days);
  - ``grant_type=refresh_token``: a new token pair. The refresh token rotates; the previous one
    keeps working until the app uses its replacement (token or refresh token).

  Errors are OAuth bodies ``{"error": code, "error_description": text}``: 400
  ``invalid_client`` for a wrong id or secret, 400 ``app_not_installed`` when the app is not
  installed, 400 ``invalid_grant`` for a bad code or refresh token.
* ``GET /admin/oauth/authorize?client_id&scope&redirect_uri&state``: the merchant approves at
  once; a 302 to ``redirect_uri`` with ``code``, ``hmac``, ``host``, ``shop``, ``state`` and
  ``timestamp``, the HMAC-SHA256 (hex) of the other parameters, sorted, with the client secret.

Time is read from a clock the tests can move (:meth:`OAuthServer.advance`).
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlparse

CLIENT_CREDENTIALS_TTL = 86399
EXPIRING_OFFLINE_TTL = 3600
REFRESH_TOKEN_TTL = 90 * 86400
# Root fields and the access scope Shopify requires to read them.
REQUIRED_SCOPES = {
    "order": "read_orders",
    "orders": "read_orders",
    "customer": "read_customers",
    "customers": "read_customers",
    "product": "read_products",
    "products": "read_products",
    "productVariant": "read_products",
}
ALL_SCOPES = (
    "read_orders",
    "write_orders",
    "read_customers",
    "write_customers",
    "read_products",
    "write_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_fulfillments",
    "write_fulfillments",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
)


def query_hmac(params, secret):
    """Shopify's OAuth HMAC: hex HMAC-SHA256 of ``k=v`` pairs sorted by key, ``&``-joined."""
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()) if key != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class OAuthServer:
    """Issued tokens, grants and the clock of one simulated shop. Thread-safe."""

    def __init__(self, shop_domain, client_id, client_secret, static_token):
        self.shop_domain = shop_domain
        self.client_id, self.client_secret = client_id, client_secret
        self.static_token = static_token
        self.installed = True
        self.scopes = list(ALL_SCOPES)  # what the app's version grants
        self.client_credentials_ttl = CLIENT_CREDENTIALS_TTL
        self.offset = 0.0
        self.tokens = {}  # access token -> {"expires_at", "scopes", "grant", "revoked"}
        self.refresh_tokens = {}  # refresh token -> {"expires_at", "retired", "pair"}
        self.codes = {}  # authorization code -> {"scopes", "used"}
        self.grants = []  # one entry per token endpoint answer, for the tests
        self._lock = threading.Lock()

    # -- the clock -----------------------------------------------------------------------
    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        with self._lock:
            self.offset += float(seconds)

    # -- tokens ----------------------------------------------------------------------------
    def token_scopes(self, token):
        """The scopes of a valid token, or None when Shopify would answer 401."""
        if token and token == self.static_token:
            return list(ALL_SCOPES)
        with self._lock:
            entry = self.tokens.get(token)
            if not entry or entry["revoked"] or entry["expires_at"] <= self.now():
                return None
            self._retire_predecessor(entry)
            return entry["scopes"]

    def revoke_issued(self):
        """Invalidate every issued access token (as when the app's secret is rotated)."""
        with self._lock:
            for entry in self.tokens.values():
                entry["revoked"] = True

    def handle_token(self, content_type, raw):
        """(status, body dict) for ``POST /admin/oauth/access_token``."""
        if "json" in (content_type or ""):
            try:
                params = {k: str(v) for k, v in (json.loads(raw or b"{}") or {}).items()}
            except (ValueError, AttributeError):
                params = {}
        else:
            params = dict(parse_qsl((raw or b"").decode("utf-8", "replace")))
        if (
            params.get("client_id") != self.client_id
            or params.get("client_secret") != self.client_secret
        ):
            return self._refused("invalid_client", "Client authentication failed.", params)
        if not self.installed:
            return self._refused(
                "app_not_installed", "The application is not installed on this shop.", params
            )
        grant = params.get("grant_type") or ("authorization_code" if params.get("code") else "")
        with self._lock:
            if grant == "client_credentials":
                body = self._issue(self.scopes, self.client_credentials_ttl, grant, refresh=False)
            elif grant == "authorization_code":
                body = self._exchange_code(params)
            elif grant == "refresh_token":
                body = self._refresh(params.get("refresh_token"))
            else:
                body = {"error": "unsupported_grant_type", "error_description": grant}
            status = 400 if "error" in body else 200
            self.grants.append({"grant_type": grant, "status": status, "error": body.get("error")})
        return status, body

    def _refused(self, code, text, params):
        with self._lock:
            self.grants.append(
                {"grant_type": params.get("grant_type"), "status": 400, "error": code}
            )
        return 400, {"error": code, "error_description": text}

    def _issue(self, scopes, ttl, grant, refresh, predecessor=None):
        token = f"shpat_{secrets.token_hex(16)}"
        now = self.now()
        self.tokens[token] = {
            "expires_at": now + ttl,
            "scopes": list(scopes),
            "grant": grant,
            "revoked": False,
            "predecessor": predecessor,
        }
        body = {"access_token": token, "scope": ",".join(scopes), "expires_in": int(ttl)}
        if refresh:
            refresh_token = f"shprt_{secrets.token_hex(16)}"
            self.refresh_tokens[refresh_token] = {
                "expires_at": now + REFRESH_TOKEN_TTL,
                "retired": False,
                "scopes": list(scopes),
                "predecessor": predecessor,
            }
            self.tokens[token]["refresh_token"] = refresh_token
            body.update(refresh_token=refresh_token, refresh_token_expires_in=REFRESH_TOKEN_TTL)
        return body

    def _exchange_code(self, params):
        entry = self.codes.get(params.get("code"))
        if not entry or entry["used"]:
            return {
                "error": "invalid_grant",
                "error_description": "The authorization code is invalid.",
            }
        entry["used"] = True
        if params.get("expiring") == "1":
            return self._issue(entry["scopes"], EXPIRING_OFFLINE_TTL, "authorization_code", True)
        token = f"shpat_{secrets.token_hex(16)}"
        self.tokens[token] = {
            "expires_at": float("inf"),
            "scopes": entry["scopes"],
            "grant": "authorization_code",
            "revoked": False,
            "predecessor": None,
        }
        return {"access_token": token, "scope": ",".join(entry["scopes"])}

    def _refresh(self, refresh_token):
        entry = self.refresh_tokens.get(refresh_token)
        if not entry or entry["retired"] or entry["expires_at"] <= self.now():
            return {"error": "invalid_grant", "error_description": "The refresh token is invalid."}
        if entry["predecessor"]:
            self._retire(entry["predecessor"])
        return self._issue(
            entry["scopes"], EXPIRING_OFFLINE_TTL, "refresh_token", True, predecessor=refresh_token
        )

    def _retire_predecessor(self, token_entry):
        """Using a refreshed pair retires the refresh token that produced it."""
        if token_entry.get("predecessor"):
            self._retire(token_entry["predecessor"])

    def _retire(self, refresh_token):
        entry = self.refresh_tokens.get(refresh_token)
        if entry:
            entry["retired"] = True

    def refresh_token_valid(self, refresh_token):
        with self._lock:
            entry = self.refresh_tokens.get(refresh_token)
            return bool(entry and not entry["retired"] and entry["expires_at"] > self.now())

    # -- authorize -------------------------------------------------------------------------
    def authorize(self, path):
        """(status, headers) for ``GET /admin/oauth/authorize?...``: the merchant approves."""
        params = dict(parse_qsl(urlparse(path).query))
        if params.get("client_id") != self.client_id or not params.get("redirect_uri"):
            return 400, {}
        requested = [s for s in (params.get("scope") or "").split(",") if s]
        granted = [s for s in requested if s in self.scopes]
        code = secrets.token_hex(16)
        with self._lock:
            self.codes[code] = {"scopes": granted, "used": False}
        return 302, {
            "Location": self.callback_url(params["redirect_uri"], code, params.get("state"))
        }

    def callback_url(self, redirect_uri, code, state, secret=None, shop=None):
        """The signed URL Shopify sends the merchant back to (tests may sign it badly)."""
        shop = shop or self.shop_domain
        params = {
            "code": code,
            "host": base64.b64encode(
                f"admin.shopify.com/store/{shop.split('.')[0]}".encode()
            ).decode(),
            "shop": shop,
            "state": state or "",
            "timestamp": str(int(self.now())),
        }
        params["hmac"] = query_hmac(params, secret or self.client_secret)
        return f"{redirect_uri}?{urlencode(params)}"
