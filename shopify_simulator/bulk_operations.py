"""Bulk query operations: ``bulkOperationRunQuery``, polling, the JSONL file, faults.

``bulkOperationRunQuery(query:)`` validates the query (Shopify's bulk limits, see
bulk_query.py) and starts it on a background thread: the query is executed by the
simulator's GraphQL engine without page limits, a window of root records at a
time, and each window's nodes are written to disk as JSONL lines at once, so a
large store is never held as one result (the writer is bulk_files.py). The file is served,
streamed and without authentication (as Shopify's signed URL), at
``<base>/_sim/bulk/<n>.jsonl`` (bulk_files.py).

Polling (``node(id:)``, ``bulkOperation(id:)``, ``currentBulkOperation``) reads the
operation; it stays RUNNING for at least ``running_polls`` polls and
``running_seconds`` seconds, so clients have to poll. Faults: ``fail_next(code)``
ends the next operation FAILED with that errorCode (half of its rows at
``partialDataUrl``), ``expire_next()`` makes it EXPIRED when it would show
COMPLETED, ``expire(id)`` expires one now (its URL then answers 403).

The mutation costs what any mutation costs (10 points); the query it runs takes
nothing from the cost bucket. At most 5 bulk queries run at once per shop from
API version 2026-01 (LIMIT_REACHED), one before it (OPERATION_IN_PROGRESS).
"""

import itertools
import json
import os
import shutil
import tempfile
import threading
import time

from graphql import parse, validate
from graphql.error import GraphQLError

from .bulk_files import WINDOW_SIZE, serve_bulk_file, timestamp, write_result
from .bulk_mutations import run_mutation_lines, validated_mutation
from .bulk_query import BulkQuery, BulkQueryError
from .formatting import gid, parse_gid
from .graphql_api import SCHEMA_VERSION
from .oauth import REQUIRED_SCOPES
from .received import record_document

__all__ = ["ACTIVE", "ERROR_CODES", "WINDOW_SIZE", "BulkOperations", "Operation"]

ERROR_CODES = ("ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT")
ACTIVE = ("CREATED", "RUNNING", "CANCELING")


class Operation:
    """One bulk operation; the worker fills the counters, polls read ``visible_status``."""

    def __init__(self, number, query, spec, fault, kind="QUERY"):
        self.number, self.query, self.spec, self.type = number, query, spec, kind
        self.field_name = None  # a bulk mutation's mutation field
        self.failing_lines = set(fault.get("lines") or ())
        self.created_at, self.created = timestamp(), time.monotonic()
        self.phase = "running"  # running -> completed / failed / canceled (the worker's view)
        self.error_code = fault.get("error_code")
        self.expire_when_done = fault.get("expire", False)
        self.expired = self.cancel_requested = False
        self.object_count = self.root_object_count = 0
        self.file_size = None
        self.completed_at = None
        self.polls = 0
        self.path = self.partial_path = None

    @property
    def gid(self):
        return gid("BulkOperation", self.number)


class BulkOperations:
    def __init__(self, api, base_url, request):
        """``base_url()``: the simulator's address; ``request``: the thread-local of the
        current Admin API call (its ``version`` and token ``scopes``)."""
        self.api, self.base_url, self.request = api, base_url, request
        self.lock = threading.Lock()
        self.operations = {}
        self._numbers = itertools.count(1)
        self.directory = tempfile.mkdtemp(prefix="shopify-sim-bulk-")
        self.uploads = None  # StagedUploads (server.py): the files bulk mutations read
        self.on_records = None  # called with the mutation records of each bulk mutation line
        self.reset_faults()
        api.root.update(self.query_resolvers())
        api.root.update(self.mutation_resolvers())
        api.nodes.extra_kinds["BulkOperation"] = self.by_gid

    # -- control ---------------------------------------------------------------------
    def reset_faults(self):
        with self.lock:
            self.faults = []  # [{"error_code": ...} or {"expire": True}], one per next operation
            self.line_faults = set()  # lines failing in the next bulk mutation
            self.running_polls, self.running_seconds = 1, 0.0

    def fail_next(self, error_code="INTERNAL_SERVER_ERROR"):
        if error_code not in ERROR_CODES:
            raise ValueError(f"errorCode is one of {', '.join(ERROR_CODES)}")
        with self.lock:
            self.faults.append({"error_code": error_code})

    def fail_line(self, number):
        """Line ``number`` (from 0) of the next bulk mutation answers a user error."""
        with self.lock:
            self.line_faults.add(int(number))

    def failing_lines(self):
        with self.lock:
            return sorted(self.line_faults)

    def expire_next(self):
        with self.lock:
            self.faults.append({"expire": True})

    def set_running(self, polls=None, seconds=None):
        """An operation shows RUNNING for at least ``polls`` polls and ``seconds`` seconds."""
        with self.lock:
            if polls is not None:
                self.running_polls = max(int(polls), 0)
            if seconds is not None:
                self.running_seconds = max(float(seconds), 0.0)

    def expire(self, operation_id=None):
        """Expire an operation now (the latest when no id): url null, the file gone."""
        operation = self.find(operation_id) if operation_id else self._latest()
        if operation is None:
            raise LookupError(f"no bulk operation {operation_id}")
        with self.lock:
            self._expire(operation)
        return self.snapshot(operation)

    def wait(self, operation_id=None, timeout=60):
        """Block until the operation's worker has finished (tests); return its snapshot."""
        operation = self.find(operation_id) if operation_id else self._latest()
        if operation is None:
            raise LookupError(f"no bulk operation {operation_id}")
        deadline = time.monotonic() + timeout
        while operation.phase == "running" and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.snapshot(operation)

    def pending(self):
        with self.lock:
            return {
                "faults": list(self.faults),
                "running_polls": self.running_polls,
                "running_seconds": self.running_seconds,
            }

    def serve(self, handler, path):
        """Stream ``/_sim/bulk/<n>.jsonl`` to an http.server handler; False if not ours."""
        return serve_bulk_file(self, handler, path)

    def close(self):
        with self.lock:
            for operation in self.operations.values():
                operation.cancel_requested = True
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- GraphQL -----------------------------------------------------------------------
    def query_resolvers(self):
        return {
            "currentBulkOperation": lambda _info, type="QUERY": self.node(
                self._latest(type), poll=True
            ),
            "bulkOperation": lambda _info, id: self.by_gid(id),
        }

    def mutation_resolvers(self):
        return {
            "bulkOperationRunQuery": self._run_query,
            "bulkOperationRunMutation": self._run_mutation,
            "bulkOperationCancel": self._cancel,
        }

    def by_gid(self, value):
        kind, numeric = parse_gid(value)
        return self.node(self.find(numeric), poll=True) if kind == "BulkOperation" else None

    def node(self, operation, poll=False):
        if operation is None:
            return None
        return {"__typename": "BulkOperation", **self.snapshot(operation, poll=poll)}

    def snapshot(self, operation, poll=False):
        with self.lock:
            if poll:
                operation.polls += 1
            status = self._status(operation, poll)
            done = status in ("COMPLETED", "EXPIRED")
            base = self.base_url()
            return {
                "id": operation.gid,
                "type": operation.type,
                "status": status,
                "errorCode": operation.error_code if status == "FAILED" else None,
                "createdAt": operation.created_at,
                "completedAt": operation.completed_at if done else None,
                "objectCount": str(operation.object_count),
                "rootObjectCount": str(operation.root_object_count),
                "fileSize": str(operation.file_size)
                if done and operation.file_size is not None
                else None,
                "url": f"{base}/_sim/bulk/{operation.number}.jsonl"
                if status == "COMPLETED" and operation.object_count
                else None,
                "partialDataUrl": f"{base}/_sim/bulk/{operation.number}-partial.jsonl"
                if status == "FAILED" and operation.partial_path
                else None,
                "query": operation.query,
            }

    def _status(self, operation, poll=False):
        """What a poll sees (under the lock); may expire the operation as it is seen.

        The first ``running_polls`` polls see RUNNING; ``poll``: this is one of them (counted
        already), else the status the next poll will not be held below."""
        if operation.expired:
            return "EXPIRED"
        if operation.phase == "canceled":
            return "CANCELED"
        if operation.cancel_requested:
            return "CANCELING"
        polls = operation.polls if poll else operation.polls + 1
        held = polls <= self.running_polls or (
            time.monotonic() - operation.created < self.running_seconds
        )
        if operation.phase == "running" or held:
            return "RUNNING"
        if operation.phase == "failed":
            return "FAILED"
        if operation.expire_when_done:
            self._expire(operation)
            return "EXPIRED"
        return "COMPLETED"

    def _expire(self, operation):
        operation.expired = True
        if operation.path:
            try:
                os.unlink(operation.path)
            except FileNotFoundError:
                pass

    def find(self, number):
        with self.lock:
            return self.operations.get(int(number)) if number is not None else None

    def _latest(self, kind=None):
        with self.lock:
            numbers = [n for n, o in self.operations.items() if kind is None or o.type == kind]
            return self.operations[max(numbers)] if numbers else None

    # -- bulkOperationRunQuery -------------------------------------------------------------
    def _run_query(self, info, query, groupObjects=False):
        entry = {
            "name": "bulkOperationRunQuery",
            "alias": info.field_nodes[0].alias.value if info.field_nodes[0].alias else None,
            "input": {"query": query, "groupObjects": groupObjects},
            "variables": {"query": query},
            "idempotency_key": None,
            "applied": False,
            "replayed": False,
        }
        entry["alias"] = entry["alias"] or "bulkOperationRunQuery"
        info.context["pending"].append(entry)
        try:
            spec = self._validated(query, info.schema)
        except BulkQueryError as error:
            return _refused(str(error), "INVALID")
        with self.lock:
            running = [
                o
                for o in self.operations.values()
                if o.type == "QUERY" and self._status(o) in ACTIVE
            ]
            version = getattr(self.request, "version", None) or "unstable"
            limit = 5 if version >= "2026-01" else 1  # "unstable" sorts after any YYYY-MM
            if len(running) >= limit:
                if limit == 1:
                    message = (
                        "A bulk query operation for this app and shop is already in progress: "
                        f"{running[0].gid}."
                    )
                    return _refused(message, "OPERATION_IN_PROGRESS")
                return _refused(
                    "Bulk operations limit reached. Please try again later.", "LIMIT_REACHED"
                )
            fault = self.faults.pop(0) if self.faults else {}
            if spec.root_field in _denied_fields(getattr(self.request, "scopes", None)):
                fault = {"error_code": "ACCESS_DENIED"}
            operation = Operation(next(self._numbers), query, spec, fault)
            self.operations[operation.number] = operation
        entry["applied"] = True
        created = dict(self.snapshot(operation), status="CREATED")
        threading.Thread(
            target=write_result,
            args=(self, operation),
            daemon=True,
            name=f"bulk-{operation.number}",
        ).start()
        return {"bulkOperation": {"__typename": "BulkOperation", **created}, "userErrors": []}

    # -- bulkOperationRunMutation ----------------------------------------------------------
    def _run_mutation(
        self,
        info,
        mutation,
        stagedUploadPath,  # noqa: N803 - GraphQL argument
        clientIdentifier=None,  # noqa: ARG002,N803 - GraphQL argument
        groupObjects=True,  # noqa: ARG002,N803 - GraphQL argument
    ):
        entry = {
            "name": "bulkOperationRunMutation",
            "alias": info.field_nodes[0].alias.value
            if info.field_nodes[0].alias
            else "bulkOperationRunMutation",
            "input": {"mutation": mutation, "stagedUploadPath": stagedUploadPath},
            "variables": {"mutation": mutation, "stagedUploadPath": stagedUploadPath},
            "idempotency_key": None,
            "applied": False,
            "replayed": False,
        }
        info.context["pending"].append(entry)
        version = getattr(self.request, "version", None) or SCHEMA_VERSION
        record_document(version, mutation, client=getattr(self.request, "client", None))
        try:
            _document, field_name = validated_mutation(info.schema, mutation)
        except ValueError as error:
            return _mutation_refused(str(error), "INVALID_MUTATION", "mutation")
        content = self.uploads.file(stagedUploadPath) if self.uploads else None
        if content is None:
            return _mutation_refused(
                "The JSONL file could not be found. Try uploading the file again, and "
                "check that you've entered the URL correctly for the stagedUploadPath "
                "mutation argument.",
                "NO_SUCH_FILE",
                "stagedUploadPath",
            )
        try:
            for raw in content.decode("utf-8").splitlines():
                if raw.strip() and not isinstance(json.loads(raw), dict):
                    raise ValueError(raw)
        except ValueError:
            return _mutation_refused(
                "Unexpected file structure - expected JSONL",
                "INVALID_STAGED_UPLOAD_FILE",
                "stagedUploadPath",
            )
        with self.lock:
            running = [
                o
                for o in self.operations.values()
                if o.type == "MUTATION" and self._status(o) in ACTIVE
            ]
            limit = 5 if version >= "2026-01" else 1
            if len(running) >= limit:
                if limit == 1:
                    message = (
                        "A bulk mutation operation for this app and shop is already in "
                        f"progress: {running[0].gid}."
                    )
                    return _mutation_refused(message, "OPERATION_IN_PROGRESS", None)
                return _mutation_refused(
                    "Bulk operations limit reached. Please try again later.", "LIMIT_REACHED", None
                )
            fault = dict(self.faults.pop(0) if self.faults else {}, lines=set(self.line_faults))
            self.line_faults = set()
            operation = Operation(next(self._numbers), mutation, None, fault, kind="MUTATION")
            operation.field_name = field_name
            self.operations[operation.number] = operation
        entry["applied"] = True
        created = dict(self.snapshot(operation), status="CREATED")
        threading.Thread(
            target=run_mutation_lines,
            args=(self, operation, content, version, self.on_records),
            daemon=True,
            name=f"bulk-{operation.number}",
        ).start()
        return {"bulkOperation": {"__typename": "BulkOperation", **created}, "userErrors": []}

    def _validated(self, query, schema):
        """The bulk query, checked against the schema of the API version it was sent to."""
        version = getattr(self.request, "version", None) or SCHEMA_VERSION
        record_document(version, query, bulk=True, client=getattr(self.request, "client", None))
        try:
            document = parse(query)
        except GraphQLError as error:
            raise BulkQueryError(f"Invalid bulk query: {error.message}") from None
        errors = validate(schema, document)
        if errors:
            raise BulkQueryError(f"Invalid bulk query: {errors[0].message}")
        return BulkQuery(schema, document)

    def _cancel(self, _info, id):
        kind, numeric = parse_gid(id)
        operation = self.find(numeric) if kind == "BulkOperation" else None
        if operation is None:
            message = "Bulk operation does not exist"
            return {"bulkOperation": None, "userErrors": [{"field": ["id"], "message": message}]}
        with self.lock:
            status = self._status(operation)
            if status in ACTIVE:
                operation.cancel_requested = True
                if operation.phase != "running":  # done, only held RUNNING: canceled at once
                    operation.phase = "canceled"
        errors = []
        if status not in ACTIVE:
            message = f"A bulk operation cannot be canceled when it is {status.lower()}"
            errors.append({"field": None, "message": message})
        return {"bulkOperation": self.node(operation), "userErrors": errors}


def _refused(message, code):
    return {
        "bulkOperation": None,
        "userErrors": [
            {"field": ["query"] if code == "INVALID" else None, "message": message, "code": code}
        ],
    }


def _mutation_refused(message, code, field):
    return {
        "bulkOperation": None,
        "userErrors": [{"field": [field] if field else None, "message": message, "code": code}],
    }


def _denied_fields(scopes):
    """Root fields the request's token may not read (None: no request, nothing denied)."""
    if scopes is None:
        return set()
    return {
        name
        for name, needed in REQUIRED_SCOPES.items()
        if needed not in scopes and needed.replace("read_", "write_") not in scopes
    }
