"""The JSONL files of bulk operations: written as the query runs, served as Shopify's
signed storage URLs serve them.

``write_result`` is an operation's worker: it executes the query a window of
``WINDOW_SIZE`` root records at a time (the store locked for one window), appends each
window's lines to ``<n>.jsonl.part``, then moves the file where the operation's URL
points (``<n>.jsonl``; ``<n>-partial.jsonl`` for a failed one with rows) and publishes
the outcome on the operation (bulk_operations.py holds the states polls read).

``GET /_sim/bulk/<n>.jsonl`` (a completed operation's ``url``) and
``/_sim/bulk/<n>-partial.jsonl`` (a failed one's ``partialDataUrl``): streamed from disk
in 64 KiB pieces, no access token needed; 403 once the operation has expired, 404 for
an unknown operation or a file not written (yet).  ``Range: bytes=N-`` is honoured as
cloud storage honours it (206 with ``Content-Range``; 416 past the end), so a reader
can resume where it stopped instead of reading the file again.
"""

import json
import os
import re
import shutil
from datetime import UTC, datetime

from graphql import execute

from .pagination import BulkWindow, unlimited

WINDOW_SIZE = 100  # root records per execution pass (the store is locked for one)

RANGE = re.compile(r"^bytes=(?P<start>\d+)-$")
FILE_NAME = re.compile(r"^/_sim/bulk/(?P<id>\d+)(?P<partial>-partial)?\.jsonl$")
EXPIRED_BODY = (
    b"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>"
)


def timestamp():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_result(bulk, operation):
    """The worker of an operation (its thread): run its query, write its file, publish the
    outcome (``bulk``: the BulkOperations it belongs to)."""
    part = os.path.join(bulk.directory, f"{operation.number}.jsonl.part")
    try:
        os.makedirs(bulk.directory, exist_ok=True)
        with open(part, "w", encoding="utf-8") as out:
            phase = _write(bulk, operation, out)
        _finish(bulk, operation, phase, part)
    except Exception:  # noqa: BLE001 - a failed execution is a FAILED operation
        with bulk.lock:
            operation.error_code = operation.error_code or "INTERNAL_SERVER_ERROR"
            operation.phase = "failed"


def _finish(bulk, operation, phase, part):
    """Move the written file where its URL points; publish the outcome."""
    size = os.path.getsize(part)
    name = None
    if phase == "completed":
        name = f"{operation.number}.jsonl"
    elif phase == "failed" and operation.object_count:
        name = f"{operation.number}-partial.jsonl"
    with bulk.lock:
        if name:
            path = os.path.join(bulk.directory, name)
            os.replace(part, path)
            if phase == "completed":
                operation.path = path
            else:
                operation.partial_path = path
        else:
            os.unlink(part)
        operation.file_size = size if phase == "completed" else None
        operation.completed_at = timestamp() if phase == "completed" else None
        operation.phase = "canceled" if operation.cancel_requested else phase


def _write(bulk, operation, out):
    """Execute the query window by window, writing lines; the phase it ended in."""
    spec = operation.spec
    if operation.error_code == "ACCESS_DENIED":
        return "failed"
    window = BulkWindow(WINDOW_SIZE)
    stop_at = None
    while True:
        if operation.cancel_requested:
            return "canceled"
        data = _execute(bulk, spec, window)
        for item in spec.root_items(data):
            if operation.error_code and stop_at is None:
                stop_at = max((window.total or 0) // 2, 0)
            if stop_at is not None and operation.root_object_count >= stop_at:
                return "failed"
            rows = [json.dumps(line, separators=(",", ":")) for line in spec.lines(item)]
            out.write("\n".join(rows) + "\n")
            with bulk.lock:
                operation.root_object_count += 1
                operation.object_count += len(rows)
        window.offset += window.size
        if window.total is None or window.offset >= window.total:
            break
    return "failed" if operation.error_code else "completed"


def _execute(bulk, spec, window):
    with unlimited(window), bulk.api.store.lock:
        result = execute(
            spec.schema,
            spec.document,
            root_value=bulk.api.root,
            context_value={"pending": []},
        )
    if result.errors:
        raise RuntimeError(result.errors[0].message)
    return result.data


def serve_bulk_file(bulk, handler, path):
    """Stream a bulk file of ``bulk`` (BulkOperations) to an http.server handler; False
    when ``path`` is not one."""
    match = FILE_NAME.match(path.split("?", 1)[0])
    if not match:
        return False
    operation = bulk.find(match["id"])
    with bulk.lock:
        expired = operation is not None and operation.expired
        file_path = None
        if operation is not None and not expired:
            file_path = operation.partial_path if match["partial"] else operation.path
    if expired:  # what an expired signed storage URL answers
        _answer(handler, 403, EXPIRED_BODY, "application/xml")
    elif not file_path or not os.path.exists(file_path):
        _answer(handler, 404, b'{"errors":"Not Found"}', "application/json")
    else:
        _send_file(handler, file_path)
    return True


def _send_file(handler, file_path):
    with open(file_path, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        wanted = RANGE.match(handler.headers.get("Range") or "")
        start = int(wanted["start"]) if wanted else 0
        if start and start >= size:
            handler.send_response(416)
            handler.send_header("Content-Range", f"bytes */{size}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        source.seek(start)
        extra = {"Content-Range": f"bytes {start}-{size - 1}/{size}"} if wanted else {}
        _answer(handler, 206 if wanted else 200, None, "application/jsonl", size - start, extra)
        try:
            shutil.copyfileobj(source, handler.wfile, 64 * 1024)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader had what it wanted (a chunk) and closed: as storage, say nothing


def _answer(handler, status, body, content_type, length=None, headers=None):
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body) if body is not None else length))
    handler.end_headers()
    if body is not None:
        handler.wfile.write(body)
