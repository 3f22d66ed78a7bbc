"""What Test connection asks Shopify, and how long an Admin API version is supported."""

import re
from datetime import date

CONNECTION_QUERY = """
query Connection {
  shop { name myshopifyDomain }
  currentAppInstallation { accessScopes { handle } }
}
"""

# Shopify supports each stable version for 12 months after its release; warn this long before.
SUPPORT_MONTHS = 12
WARN_DAYS = 60
_VERSION_RE = re.compile(r"^(\d{4})-(01|04|07|10)$")


def support_end(version):
    """The first day a stable version is no longer supported, or None (``unstable``, malformed)."""
    match = _VERSION_RE.match(version or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    months = year * 12 + (month - 1) + SUPPORT_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def version_warning(version, today):
    """``(end, days_left)`` when ``version`` leaves support within WARN_DAYS of ``today``, else None."""
    end = support_end(version)
    if end is None:
        return None
    days_left = (end - today).days
    return (end, days_left) if days_left <= WARN_DAYS else None
