"""One Admin API call (and one token request), as the simulator answers them.

Mixed into ``ShopifySimulator`` (server.py): the access token and its scopes, the queued
faults, query validation and cost, the cost bucket, execution, and the record of every
call and mutation. Uses the simulator's ``api``, ``oauth``, ``faults``, ``bucket``,
``calls``, ``mutations``, ``_request`` (the call's thread-local), ``_call_ids``,
``_log_lock``, ``_stopping``, ``throttle_mode`` and ``deprecated_reason``.
"""

import json
import time
import uuid

from graphql.utilities import get_operation_ast

from .admin_responses import (
    INVALID_TOKEN,
    RATE_LIMIT_TEXT,
    failure_body,
    max_cost_body,
    throttled_body,
)
from .oauth import REQUIRED_SCOPES
from .query_cost import MAX_QUERY_COST
from .received import record_document


class AdminCalls:
    def handle_token(self, headers, raw):
        """(status, headers, body bytes) for the token endpoint."""
        call = {
            "id": next(self._call_ids),
            "time": time.time(),
            "api_version": None,
            "operation": "access_token",
            "query": None,
            "variables": None,
            "fault": None,
        }
        status = self.faults.take("fail", "access_token", exact=True)
        if status:
            self._record_call(call, status, fault=f"fail_next {status}")
            return status, {}, json.dumps({"errors": "simulated failure"}).encode()
        delay = self.faults.take("slow", "access_token", exact=True)
        if delay:
            self._stopping.wait(delay)
        status, body = self.oauth.handle_token(headers.get("Content-Type"), raw)
        self._record_call(call, status)
        return status, {}, json.dumps(body).encode()

    def handle_graphql(self, headers, raw, version=None):
        """Return (status, headers, body bytes) for one Admin API call."""
        version = version or self.api_version
        out = {"X-Shopify-API-Version": version, "X-Request-Id": str(uuid.uuid4())}
        self._request.client = headers.get("User-Agent")
        call, prepared = self._graphql_call(raw, version)
        query = call["query"]
        scopes = self.oauth.token_scopes(headers.get("X-Shopify-Access-Token"))
        if self.faults.token_revoked or scopes is None:
            self._record_call(
                call, 401, fault="token_revoked" if self.faults.token_revoked else None
            )
            return 401, out, json.dumps(INVALID_TOKEN).encode()
        self._request.scopes, self._request.version = scopes, version
        reason = self.deprecated_reason or (
            "WebhookSubscription.callbackUrl" if "callbackUrl" in (query or "") else None
        )
        if reason:
            out["X-Shopify-API-Deprecated-Reason"] = reason
        refused = self._admit(call, out, prepared, scopes)
        if refused:
            return refused
        return self._execute(call, out, prepared)

    def _graphql_call(self, raw, version):
        """(the call's record, the prepared query or None when the body is not a query)."""
        call = {
            "id": next(self._call_ids),
            "time": time.time(),
            "api_version": version,
            "operation": None,
            "query": None,
            "variables": None,
            "fault": None,
        }
        try:
            request = json.loads(raw or b"{}")
            query, variables = request["query"], request.get("variables") or {}
            operation_name = request.get("operationName")
        except (ValueError, KeyError, TypeError):
            query, variables, operation_name = None, None, None
        prepared = None
        if isinstance(query, str):
            record_document(version, query, client=self._request.client)
            prepared = self.api.prepare(query, variables, operation_name, version)
        call.update(
            query=query, variables=variables, operation=operation_name or _operation_name(prepared)
        )
        return call, prepared

    def _admit(self, call, out, prepared, scopes):
        """The answer of a call that does not run (a fault, a bad query, no access, no
        points), or None: then its requested cost has been taken from the bucket."""
        operation = call["operation"]
        status = self.faults.take("fail", operation)
        if status:
            self._record_call(call, status, fault=f"fail_next {status}")
            return status, out, failure_body(status, out)
        if prepared is None:
            self._record_call(call, 400)
            return (
                400,
                out,
                json.dumps({"errors": {"query": "Required parameter missing or invalid"}}).encode(),
            )
        if prepared.errors:
            body = {"errors": prepared.errors, "extensions": self._cost(0, 0)}
            self._record_call(call, 200, requested_cost=0, actual_cost=0)
            return 200, out, json.dumps(body).encode()
        denied = _access_denied(prepared, scopes)
        if denied:
            self._record_call(call, 200, requested_cost=0, actual_cost=0, fault="access_denied")
            return 200, out, json.dumps({"errors": denied, "data": None}).encode()
        requested = prepared.requested_cost
        if self.faults.take("throttle", operation):
            return self._throttled(call, out, requested, fault="throttle_next")
        if requested > MAX_QUERY_COST:
            body = max_cost_body(requested)
            body["extensions"] = self._cost(requested, None)
            self._record_call(call, 200, requested_cost=requested)
            return 200, out, json.dumps(body).encode()
        if not self.bucket.spend(requested):
            return self._throttled(call, out, requested)
        return None

    def _execute(self, call, out, prepared):
        """Run an admitted call; refund what it did not cost; the slow and malformed faults."""
        operation, requested = call["operation"], prepared.requested_cost
        hook = self.faults.take("before", operation)
        if hook:
            hook()  # e.g. a concurrent edit between the client's read and its write
        body, actual, records = self.api.run(prepared)
        self.bucket.refund(requested - actual)
        body["extensions"] = self._cost(requested, actual)
        self._record_call(call, 200, requested_cost=requested, actual_cost=actual)
        self._record_mutations(call, records)
        delay = self.faults.take("slow", operation)
        if delay:
            call["fault"] = f"slow_next {delay}s"
            self._stopping.wait(delay)  # the work is done; only the answer is late
        encoded = json.dumps(body).encode()
        if self.faults.take("malformed", operation):
            call["fault"] = "malformed_next"
            return 200, out, encoded[: max(len(encoded) // 2, 1)]
        return 200, out, encoded

    def _cost(self, requested, actual):
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self.bucket.status(),
            }
        }

    def _record_call(self, call, status, **details):
        call.update(status=status, **details)
        with self._log_lock:
            self.calls.append(call)
        return call

    def _record_mutations(self, call, records):
        with self._log_lock:
            for record in records:
                self.mutations.append(
                    dict(
                        record,
                        operation=call["operation"],
                        request_variables=call["variables"],
                        time=call["time"],
                        call_id=call["id"],
                    )
                )

    def _record_bulk_mutations(self, records):
        """The mutations one line of a bulk mutation applied (its call is the bulk operation)."""
        call = {
            "operation": "bulkOperationRunMutation",
            "variables": None,
            "time": time.time(),
            "id": None,
        }
        self._record_mutations(call, records)

    def _throttled(self, call, headers, cost, fault=None):
        if self.throttle_mode == "http429":
            self._record_call(call, 429, requested_cost=cost, throttled=True, fault=fault)
            headers = dict(headers, **{"Retry-After": f"{self.bucket.retry_after(cost):.1f}"})
            return 429, headers, json.dumps({"errors": RATE_LIMIT_TEXT}).encode()
        self._record_call(call, 200, requested_cost=cost, throttled=True, fault=fault)
        return 200, headers, json.dumps(throttled_body(self._cost(cost, None))).encode()


def _access_denied(prepared, scopes):
    """Shopify's ACCESS_DENIED errors for root fields the token's scopes do not cover."""
    operation = get_operation_ast(prepared.document, prepared.operation_name)
    errors = []
    for selection in getattr(operation, "selection_set", None).selections if operation else ():
        name = getattr(getattr(selection, "name", None), "value", None)
        needed = REQUIRED_SCOPES.get(name)
        if needed and needed not in scopes and needed.replace("read_", "write_") not in scopes:
            errors.append(
                {
                    "message": f"Access denied for {name} field. Required access: `{needed}` "
                    "access scope.",
                    "path": [name],
                    "extensions": {
                        "code": "ACCESS_DENIED",
                        "documentation": "https://shopify.dev/api/usage/access-scopes",
                        "requiredAccess": f"`{needed}` access scope.",
                    },
                }
            )
    return errors


def _operation_name(prepared):
    operation = getattr(getattr(prepared, "cost", None), "operation", None)
    return operation.name.value if operation is not None and operation.name else None
