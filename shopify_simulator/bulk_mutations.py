"""Staged uploads and bulk mutations: ``stagedUploadsCreate``, ``bulkOperationRunMutation``.

``stagedUploadsCreate`` answers one upload target per input, served by the simulator
itself at ``<base>/_sim/staged-uploads``: a multipart ``POST`` of the target's
parameters then the ``file`` (as Shopify's storage bucket takes it; 201), or a raw
``PUT`` to ``<url>/<key>`` for ``httpMethod: PUT``. The ``key`` parameter is what
``bulkOperationRunMutation(stagedUploadPath:)`` names.

``bulkOperationRunMutation(mutation:, stagedUploadPath:)`` checks the mutation (one
mutation field, valid against the schema of the call's API version) and the file
(NO_SUCH_FILE, INVALID_STAGED_UPLOAD_FILE), then runs the mutation once per JSONL line,
each line's object as its variables, on a background thread. The result file has one
line per input line: ``{"data": {...}, "__lineNumber": n}`` (``"errors"`` too when the
line's execution failed), read like a bulk query's: polled (``node(id:)``,
``bulkOperation(id:)``, ``currentBulkOperation(type: MUTATION)``) until COMPLETED, then
at ``url``. Each line's mutation queues its webhooks as the same call would
(``productSet``: ``products/create`` or ``products/update``). The bulk operation costs
10 points; its lines take nothing from the cost bucket.

Faults: ``fail_line(n)`` makes line ``n`` (from 0) of the next bulk mutation answer a
user error of its mutation instead of running it, as a product Shopify refuses does;
``fail_next(code)`` (shared with bulk queries: the next operation of either type) ends it
FAILED with that errorCode before it runs any line.
"""

import json
import os
import threading
import uuid
from email.parser import BytesParser
from email.policy import HTTP

from graphql import OperationType, parse, validate
from graphql.error import GraphQLError
from graphql.utilities import get_operation_ast

from .bulk_files import timestamp

UPLOAD_PATH = "/_sim/staged-uploads"
FAILED_LINE_MESSAGE = "Simulated failure of this line of the bulk mutation."


class StagedUploads:
    """The upload targets handed out and the files received, by key."""

    def __init__(self, base_url, shop_domain):
        self.base_url, self.shop_domain = base_url, shop_domain
        self.lock = threading.Lock()
        self.targets = {}  # key -> input
        self.files = {}  # key -> bytes

    def resolvers(self):
        return {"stagedUploadsCreate": self._create}

    def _create(self, _info, input):  # noqa: A002 - GraphQL argument
        targets = []
        base = self.base_url()
        for entry in input:
            shop = abs(hash(self.shop_domain)) % 10**11
            key = f"tmp/{shop}/bulk/{uuid.uuid4()}/{entry['filename']}"
            with self.lock:
                self.targets[key] = dict(entry)
            if entry.get("httpMethod") == "PUT":
                url, parameters = f"{base}{UPLOAD_PATH}/{key}", []
            else:
                url = f"{base}{UPLOAD_PATH}"
                parameters = [
                    {"name": "key", "value": key},
                    {"name": "Content-Type", "value": entry["mimeType"]},
                    {"name": "success_action_status", "value": "201"},
                    {"name": "acl", "value": "private"},
                ]
            targets.append(
                {"url": url, "resourceUrl": f"{base}{UPLOAD_PATH}/{key}", "parameters": parameters}
            )
        return {"stagedTargets": targets, "userErrors": []}

    def file(self, key):
        with self.lock:
            return self.files.get(key)

    def file_at(self, url):
        """The bytes uploaded for a target's ``resourceUrl`` (None: not ours, or nothing sent)."""
        marker = UPLOAD_PATH + "/"
        return self.file(url.split(marker, 1)[1]) if marker in url else None

    def receive(self, method, path, headers, raw):
        """(status, body) of an upload request, or None when ``path`` is not the upload target."""
        path = path.split("?", 1)[0]
        if method == "PUT" and path.startswith(UPLOAD_PATH + "/"):
            key = path[len(UPLOAD_PATH) + 1 :]
            return self._store(key, raw)
        if method != "POST" or path != UPLOAD_PATH:
            return None
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + (headers.get("Content-Type") or "").encode() + b"\r\n\r\n" + raw
        )
        if not message.is_multipart():
            return 400, b"<Error><Code>InvalidArgument</Code></Error>"
        fields, content = {}, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if name == "file":
                content = data
            else:
                fields[name] = data.decode("utf-8", "replace")
        if content is None or "key" not in fields:
            return 400, b"<Error><Code>InvalidArgument</Code></Error>"
        return self._store(fields["key"], content)

    def _store(self, key, content):
        with self.lock:
            if key not in self.targets:
                return 403, b"<Error><Code>AccessDenied</Code></Error>"
            self.files[key] = content
        return 201, f"<PostResponse><Key>{key}</Key></PostResponse>".encode()


def validated_mutation(schema, mutation):
    """(document, field name) of a bulk mutation, or raise ValueError with Shopify's message."""
    try:
        document = parse(mutation)
    except GraphQLError as error:
        raise ValueError(f"Failed to parse the mutation - {error.message}") from None
    errors = validate(schema, document)
    operation = get_operation_ast(document)
    if errors:
        raise ValueError(f"Invalid mutation: {errors[0].message}")
    if operation is None or operation.operation != OperationType.MUTATION:
        raise ValueError("Invalid mutation: the document must contain one mutation.")
    fields = operation.selection_set.selections
    if len(fields) != 1:
        raise ValueError("Invalid mutation: bulk mutations can have only one top-level field.")
    return document, fields[0].name.value


def run_mutation_lines(bulk, operation, content, version, on_records):
    """The worker of a bulk mutation (its thread): run each line, write the result file."""
    if operation.error_code:  # bulk_fail_next: the operation fails before running a line
        with bulk.lock:
            operation.phase = "failed"
        return
    part = os.path.join(bulk.directory, f"{operation.number}.jsonl.part")
    try:
        os.makedirs(bulk.directory, exist_ok=True)
        with open(part, "w", encoding="utf-8") as out:
            for number, raw in enumerate(content.decode("utf-8").splitlines()):
                if operation.cancel_requested:
                    break
                if not raw.strip():
                    continue
                line = _run_line(bulk, operation, number, raw, version, on_records)
                out.write(json.dumps(line, separators=(",", ":")) + "\n")
                with bulk.lock:
                    operation.object_count += 1
                    operation.root_object_count += 1
        phase = "canceled" if operation.cancel_requested else "completed"
        path = os.path.join(bulk.directory, f"{operation.number}.jsonl")
        with bulk.lock:
            os.replace(part, path)
            operation.path = path
            operation.file_size = os.path.getsize(path)
            operation.completed_at = timestamp()
            operation.phase = phase
    except Exception:  # noqa: BLE001 - a failed execution is a FAILED operation
        with bulk.lock:
            operation.error_code = operation.error_code or "INTERNAL_SERVER_ERROR"
            operation.phase = "failed"


def _run_line(bulk, operation, number, raw, version, on_records):
    try:
        variables = json.loads(raw)
    except ValueError:
        return {"errors": [{"message": "Invalid JSON on this line."}], "__lineNumber": number}
    if number in operation.failing_lines:
        error = {"field": None, "message": FAILED_LINE_MESSAGE, "code": "INVALID_INPUT"}
        payload = {"userErrors": [error]}
        if operation.field_name == "productSet":
            payload["product"] = None
        return {"data": {operation.field_name: payload}, "__lineNumber": number}
    prepared = bulk.api.prepare(operation.query, variables, None, version)
    if prepared.errors:
        return {"errors": prepared.errors, "__lineNumber": number}
    body, _actual, records = bulk.api.run(prepared)
    if on_records:
        on_records(records)
    line = {"data": body.get("data")}
    if body.get("errors"):
        line["errors"] = body["errors"]
    line["__lineNumber"] = number
    return line
