"""Webhook authenticity: Shopify signs the raw body with the app's client secret."""

import base64
import hashlib
import hmac


def compute_hmac(secret, body):
    """Base64 HMAC-SHA256 of ``body`` (bytes) with ``secret`` (str)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_hmac(body, header_value, secrets):
    """True when ``header_value`` is the signature of ``body`` by one of ``secrets``.

    Several secrets are accepted during a rotation window.  The comparison is
    constant-time, and is made for every secret so that timing does not tell
    which one matched.
    """
    if not header_value:
        return False
    expected = header_value.strip().encode()
    matched = False
    for secret in secrets:
        if secret and hmac.compare_digest(compute_hmac(secret, body).encode(), expected):
            matched = True
    return matched
