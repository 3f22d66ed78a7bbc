"""Transport to Shopify's GraphQL Admin API.

One :class:`ShopifyGraphQLClient` per shop and per job.  It sends the access
token, applies connect/read timeouts, paces itself with the cost-based rate
limit Shopify reports in ``extensions.cost.throttleStatus``, and turns every
failure into one of the classes of :mod:`.errors`.
"""

import json
import logging
import re
import time

import requests

from .errors import (
    ConfigurationError,
    DataConflictError,
    ResourceGoneError,
    ShopifyUserError,
    TemporaryError,
    ThrottledError,
)
from .queries import NESTED_CONNECTIONS, page_query
from .rate_budget import ACTUAL_COST, DEFAULT_COST

_logger = logging.getLogger(__name__)

TIMEOUT = 10
# Wait before a query when fewer points than this remain in the bucket.
LOW_BUCKET_POINTS = 100
# Throttled answers are retried in place this many times before the job is
# postponed by queue_job's retry pattern.
MAX_THROTTLE_WAITS = 3
MAX_THROTTLE_SLEEP = 10.0
# Pages read after the first for one nested connection (50 entries each).
MAX_NESTED_PAGES = 40


DEPRECATION_HEADER = "X-Shopify-API-Deprecated-Reason"
# The requested cost Shopify last reported per query document, in this process: what a
# request draws from the shop's budget before it is sent.
_REQUESTED_COST = {}


class ShopifyGraphQLClient:
    """``renew_token(stale_token)``, when given, returns a new token after a 401: the
    request is sent once more with it. ``on_deprecation(reason)`` is called when a
    response carries a new ``X-Shopify-API-Deprecated-Reason``."""

    def __init__(
        self,
        endpoint,
        access_token,
        timeout=TIMEOUT,
        sleep=time.sleep,
        renew_token=None,
        on_deprecation=None,
        budget=None,
    ):
        self.endpoint = endpoint
        # The shop's budget shared by its jobs (services/rate_budget.py); without one, the client
        # paces itself from the last throttleStatus it saw.
        self.budget = budget
        self.timeout = timeout
        self._sleep = sleep
        self._renew_token = renew_token
        self._renewed = False
        self._on_deprecation = on_deprecation
        self.deprecation_reason = None
        self.session = requests.Session()
        self.session.headers.update(
            {
                "X-Shopify-Access-Token": access_token or "",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": "odoo-shopify-sync",
            }
        )
        self.throttle_status = None

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- public API ---------------------------------------------------------
    def execute(self, query, variables=None, operation_name=None):
        """Run a query or mutation and return its ``data``.

        Raises TemporaryError, ConfigurationError or ShopifyUserError-like
        errors; never a requests exception.
        """
        payload = {"query": query, "variables": variables or {}}
        if operation_name:
            payload["operationName"] = operation_name
        for attempt in range(MAX_THROTTLE_WAITS + 1):
            body = self._send(payload)
            errors = body.get("errors")
            if errors and _is_throttled(errors):
                wait = self._throttle_wait(body)
                if attempt < MAX_THROTTLE_WAITS and wait <= MAX_THROTTLE_SLEEP:
                    self._sleep(wait)
                    continue
                raise ThrottledError(
                    "Shopify throttled the request (query cost budget exhausted).",
                    retry_after=wait,
                )
            if errors:
                raise _graphql_error(errors)
            return body.get("data") or {}
        raise ThrottledError("Shopify kept throttling the request.")  # pragma: no cover

    def _send(self, payload):
        """POST once, drawing the query's expected cost from the shop's budget and settling it after."""
        if self.budget is None:
            self._pace()
            return self._post(payload)
        query = payload["query"]
        drawn = self.budget.draw(_REQUESTED_COST.get(query, DEFAULT_COST))
        # Without an answer (timeout, HTTP error) nothing is settled: Shopify's figure is
        # unknown, and the points drawn come back with time as the row refills.
        try:
            body = self._post(payload)
        except ThrottledError:
            self.budget.settle(drawn, 0, None, throttled=True)  # HTTP 429: nothing was spent
            raise
        cost = (body.get("extensions") or {}).get("cost") or {}
        throttled = bool(body.get("errors")) and _is_throttled(body["errors"])
        if cost.get("requestedQueryCost") is not None:
            _REQUESTED_COST[query] = cost["requestedQueryCost"]
        actual = 0 if throttled else cost.get("actualQueryCost", cost.get("requestedQueryCost"))
        if not throttled and cost.get("actualQueryCost") is not None:
            ACTUAL_COST[query] = cost["actualQueryCost"]
        self.budget.settle(drawn, actual, cost.get("throttleStatus"), throttled=throttled)
        return body

    def fetch_node(self, query, gid, root_field, variables=None):
        """Run ``query`` with ``$id: gid`` and return ``data[root_field]``, its lists complete.

        A ``null`` answer means Shopify no longer has the resource.  The
        nested connections of ``NESTED_CONNECTIONS`` are read to their last
        page; any other one with a next page is refused (DataConflictError):
        a record is never imported from a partial list.
        """
        data = self.execute(query, dict(variables or {}, id=gid))
        node = data.get(root_field)
        if node is None:
            raise ResourceGoneError(
                f"Shopify has no {root_field} {gid}: it was deleted, or the token " "cannot see it.",
                retry_advice="Retry only if the resource exists again in Shopify.",
            )
        for connection, fields in NESTED_CONNECTIONS.get(root_field, {}).items():
            if isinstance(node.get(connection), dict):
                self._read_all_pages(node, gid, root_field, connection, fields)
        refuse_truncated(node, f"{root_field} {gid}")
        return node

    def paginate(self, query, root_path, variables=None, page_size=None, max_pages=None, after=None, on_more=None):
        """Yield the nodes of a connection, page after page (``hasNextPage`` / ``endCursor``).

        ``root_path`` says where the connection is in the answer: a key, a dotted path
        (``"shopifyPaymentsAccount.payouts"``; a missing step reads as an empty page), or a
        function of the answer's data that returns the connection (and may raise).
        ``variables`` are sent with every page, plus ``first`` (when ``page_size`` is given)
        and ``after``: the cursor of the page before, ``after`` for the first page.
        At most ``max_pages`` pages are read (all of them when None); if Shopify still has
        more, ``on_more`` is called with the last page's ``pageInfo``.
        """
        connection_of = root_path if callable(root_path) else _connection_at(root_path)
        pages = 0
        while True:
            page_variables = dict(variables or {})
            if page_size is not None:
                page_variables["first"] = page_size
            page_variables["after"] = after
            connection = connection_of(self.execute(query, page_variables))
            pages += 1
            yield from connection.get("nodes") or []
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info.get("endCursor")
            if max_pages is not None and pages >= max_pages:
                if on_more is not None:
                    on_more(info)
                return

    def _read_all_pages(self, node, gid, root_field, connection, fields):
        entries = node[connection]
        info = entries.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return

        last_info = dict(info)

        def page_of(data):
            page = (data.get(root_field) or {}).get(connection)
            if not isinstance(page, dict):
                raise TemporaryError(
                    f"Shopify's {root_field} {gid} changed while its {connection} were read page by page."
                )
            last_info.clear()
            last_info.update(page.get("pageInfo") or {})
            return page

        entries["nodes"] = (entries.get("nodes") or []) + list(
            self.paginate(
                page_query(root_field, connection, fields),
                page_of,
                {"id": gid},
                max_pages=MAX_NESTED_PAGES,
                after=info.get("endCursor"),
            )
        )
        # still a next page: refuse_truncated says so
        entries["pageInfo"] = last_info

    def mutate(self, query, variables, root_field):
        """Run a mutation; raise ShopifyUserError if it answers userErrors."""
        data = self.execute(query, variables)
        result = data.get(root_field) or {}
        user_errors = result.get("userErrors") or []
        if user_errors:
            text = "; ".join(
                f"{'.'.join(map(str, err.get('field') or [])) or root_field}: {err.get('message')}"
                for err in user_errors
            )
            raise ShopifyUserError(f"Shopify refused {root_field}: {text}", user_errors=user_errors)
        return result

    # -- internals ----------------------------------------------------------
    def _post(self, payload):
        try:
            response = self.session.post(self.endpoint, data=json.dumps(payload), timeout=self.timeout)
        except requests.ConnectTimeout as exc:
            raise TemporaryError(f"Shop not reachable: timeout after {self.timeout} s.") from exc
        except requests.Timeout as exc:
            raise TemporaryError(
                f"Shopify did not answer within {self.timeout} s (it may have done the work: "
                "the retry re-reads before writing)."
            ) from exc
        except requests.RequestException as exc:
            raise TemporaryError(f"Shopify not reachable: {exc.__class__.__name__}: {exc}") from exc
        status = response.status_code
        self._note_deprecation(response.headers.get(DEPRECATION_HEADER))
        if status == 401 and self._renew_token and not self._renewed:
            # One renewal and one retry per client: a token Shopify revoked or let expire.
            self._renewed = True
            stale = self.session.headers.get("X-Shopify-Access-Token")
            self.session.headers["X-Shopify-Access-Token"] = self._renew_token(stale) or ""
            return self._post(payload)
        if status == 401 and self._renewed:
            raise ConfigurationError(
                "Shopify rejected the access token (HTTP 401) again after it was renewed: the app may "
                "have been uninstalled, or its credentials changed.",
                missing="a valid access token for this shop",
                retry_advice="Retry is safe once Test connection succeeds on the shop.",
                fix_model="shopify.shop",
            )
        if status == 429:
            retry_after = _float(response.headers.get("Retry-After"), 2.0)
            raise ThrottledError(
                f"Shopify rate limit hit (HTTP 429), retry after {retry_after:g} s.",
                retry_after=retry_after,
            )
        if status in (401, 403):
            raise ConfigurationError(
                f"Shopify rejected the access token (HTTP {status}).",
                missing="a valid Admin API access token with the required scopes",
                retry_advice="Retry is safe after a valid access token is saved on the shop.",
                fix_model="shopify.shop",
            )
        if status == 404:
            raise ConfigurationError(
                f"Shopify answered HTTP 404 for {self.endpoint}: check the shop domain " "and the Admin API version.",
                missing="a valid shop domain and API version",
                fix_model="shopify.shop",
            )
        if status >= 500:
            raise TemporaryError(f"Shopify server error (HTTP {status}).")
        if status >= 400:
            raise ConfigurationError(f"Shopify refused the request (HTTP {status}).", fix_model="shopify.shop")
        try:
            body = response.json()
        except ValueError as exc:
            raise TemporaryError("Shopify answered with malformed JSON.") from exc
        if not isinstance(body, dict):
            raise TemporaryError("Shopify answered with an unexpected JSON document.")
        cost = (body.get("extensions") or {}).get("cost") or {}
        self.throttle_status = cost.get("throttleStatus") or self.throttle_status
        return body

    def _note_deprecation(self, reason):
        reason = (reason or "").strip()[:500]
        if reason and reason != self.deprecation_reason:
            self.deprecation_reason = reason
            if self._on_deprecation:
                self._on_deprecation(reason)

    def _pace(self):
        status = self.throttle_status
        if not status:
            return
        available = _float(status.get("currentlyAvailable"), 0.0)
        if available >= LOW_BUCKET_POINTS:
            return
        restore = max(_float(status.get("restoreRate"), 50.0), 1.0)
        wait = min((LOW_BUCKET_POINTS - available) / restore, MAX_THROTTLE_SLEEP)
        _logger.debug("Shopify bucket low (%s points), waiting %.2f s", available, wait)
        self._sleep(wait)

    def _throttle_wait(self, body):
        """Seconds until the bucket holds the throttled query's cost."""
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or self.throttle_status or {}
        restore = max(_float(status.get("restoreRate"), 50.0), 1.0)
        available = _float(status.get("currentlyAvailable"), 0.0)
        needed = max(_float(cost.get("requestedQueryCost"), LOW_BUCKET_POINTS), LOW_BUCKET_POINTS)
        return max((needed - available) / restore, 0.5)


def _connection_at(path):
    """The function that reads the connection at a dotted ``path`` of an answer's data."""
    keys = path.split(".")

    def connection_of(data):
        for key in keys:
            data = (data or {}).get(key)
        return data or {}

    return connection_of


def refuse_truncated(value, label, path=""):
    """Raise DataConflictError if a connection in ``value`` still has a next page."""
    if isinstance(value, list):
        for item in value:
            refuse_truncated(item, label, path)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key == "pageInfo" and isinstance(item, dict) and item.get("hasNextPage"):
            read = len(value.get("nodes") or [])
            raise DataConflictError(
                f"Shopify's {label} has more {path or 'entries'} than the sync reads ({read} read): "
                "importing it from a partial list would be wrong, so it is not imported.",
                missing=f"support for more than {read} {path or 'entries'}",
                retry_advice="Retrying will not help: enter this record in Odoo by hand, then mark the "
                "problem resolved.",
            )
        refuse_truncated(item, label, f"{path}.{key}".strip(".") if key != "nodes" else path)


def _float(value, default):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _is_throttled(errors):
    if isinstance(errors, str):
        return False
    return any(((err.get("extensions") or {}).get("code") == "THROTTLED") for err in errors)


def _graphql_error(errors):
    if isinstance(errors, str):
        # Shopify's REST-style error string, e.g. on an invalid token.
        return ConfigurationError(f"Shopify refused the request: {errors}", fix_model="shopify.shop")
    messages = "; ".join(str(err.get("message")) for err in errors)
    codes = {(err.get("extensions") or {}).get("code") for err in errors}
    if "ACCESS_DENIED" in codes or "access" in messages.lower() and "scope" in messages.lower():
        required = sorted(
            {
                scope
                for err in errors
                for scope in re.findall(r"`(\w+)`", str((err.get("extensions") or {}).get("requiredAccess") or ""))
            }
        )
        return ConfigurationError(
            f"Access token lacks a required scope: {messages}",
            missing=", ".join(required) or "an access scope (e.g. read_orders, read_products, read_customers)",
            retry_advice="Retry is safe after the app is granted the scope and the token saved again.",
            fix_model="shopify.shop",
        )
    if "INTERNAL_SERVER_ERROR" in codes:
        return TemporaryError(f"Shopify internal error: {messages}")
    return ConfigurationError(
        f"Shopify rejected the query: {messages}",
        retry_advice="The query does not match this API version: check the shop's API version.",
        fix_model="shopify.shop",
    )
