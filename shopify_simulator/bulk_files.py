"""The JSONL files of bulk operations, served as Shopify's signed storage URLs serve them.

``GET /_sim/bulk/<n>.jsonl`` (a completed operation's ``url``) and
``/_sim/bulk/<n>-partial.jsonl`` (a failed one's ``partialDataUrl``): streamed from disk
in 64 KiB pieces, no access token needed; 403 once the operation has expired, 404 for
an unknown operation or a file not written (yet).  ``Range: bytes=N-`` is honoured as
cloud storage honours it (206 with ``Content-Range``; 416 past the end), so a reader
can resume where it stopped instead of reading the file again.
"""

import os
import re
import shutil

RANGE = re.compile(r"^bytes=(?P<start>\d+)-$")
FILE_NAME = re.compile(r"^/_sim/bulk/(?P<id>\d+)(?P<partial>-partial)?\.jsonl$")
EXPIRED_BODY = (
    b"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>"
)


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
