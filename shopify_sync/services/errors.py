"""The failure vocabulary of the sync.

Every error a sync job can meet is one of these classes.  Each carries the
answers operations staff need: what record, what is missing, which category,
and whether a retry is safe once the cause is fixed.
"""

TEMPORARY = "temporary"
CONFIGURATION = "configuration"
MAPPING = "mapping"
DATA_CONFLICT = "data_conflict"
PROTECTED_FIELD = "protected_field"
STALE = "stale"

CATEGORIES = [
    (TEMPORARY, "Temporary"),
    (CONFIGURATION, "Configuration"),
    (MAPPING, "Mapping"),
    (DATA_CONFLICT, "Data conflict"),
    (PROTECTED_FIELD, "Protected field"),
    (STALE, "Stale"),
]

RETRY_SAFE = "Retry is safe once the cause is fixed: the sync never creates a second record."


class SyncError(Exception):
    """Base class: a sync problem with a category and a readable message.

    :param message: what happened, in words for operations staff
    :param missing: the mapping, permission or data that is missing, if any
    :param retry_advice: whether and when a retry is safe
    :param fix_model: the Odoo model a person opens to fix the cause
    """

    category = DATA_CONFLICT

    def __init__(self, message, missing=None, retry_advice=RETRY_SAFE, fix_model=None, fix_hint=None):
        super().__init__(message)
        self.message = message
        self.missing = missing
        self.retry_advice = retry_advice
        self.fix_model = fix_model
        self.fix_hint = fix_hint or {}

    def __str__(self):
        return self.message


class TemporaryError(SyncError):
    """Network trouble, throttling or a 5xx from Shopify: retried automatically."""

    category = TEMPORARY

    def __init__(self, message, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ThrottledError(TemporaryError):
    """Shopify asked us to slow down (HTTP 429 or GraphQL THROTTLED): waited out, see retry_policy."""


class ConcurrentSyncError(TemporaryError):
    """Another job is writing the same Shopify record right now: retry in a moment."""

    def __init__(self, message, **kwargs):
        kwargs.setdefault("retry_after", 2)
        super().__init__(message, **kwargs)


class ConfigurationError(SyncError):
    """Credentials, scopes or shop settings are wrong: no automatic retry."""

    category = CONFIGURATION


class MappingError(SyncError):
    """A Shopify value has no Odoo counterpart (product, tax, location)."""

    category = MAPPING


class DataConflictError(SyncError):
    """Shopify and Odoo disagree in a way that needs a person."""

    category = DATA_CONFLICT


class ProtectedFieldError(SyncError):
    """Shopify changed a field that Odoo protects once the record exists."""

    category = PROTECTED_FIELD


class ResourceGoneError(DataConflictError):
    """The resource no longer exists in Shopify (deleted after the webhook)."""


class ShopifyUserError(DataConflictError):
    """A GraphQL mutation answered with userErrors."""

    def __init__(self, message, user_errors=None, **kwargs):
        super().__init__(message, **kwargs)
        self.user_errors = user_errors or []

    @property
    def codes(self):
        return {err.get("code") for err in self.user_errors}
