"""Streaming the JSONL result of a bulk operation from its URL, from a saved byte offset.

The file is never held whole: it is read in blocks over one HTTP response
(``stream=True``) and cut into lines as it comes (``services/bulk.split_lines``,
which, unlike ``iter_lines``, counts the bytes of each line exactly).
"""

from contextlib import contextmanager

import requests

from .bulk import split_lines
from .errors import DataConflictError, TemporaryError

BLOCK_SIZE = 64 * 1024
GONE_STATUSES = (403, 404, 410)


class ResultExpired(DataConflictError):
    """The result file is no longer served (Shopify keeps it for a week; its URL is signed)."""


@contextmanager
def open_lines(url, offset=0, timeout=30):
    """Yield an iterator of ``(end_offset, line)`` from byte ``offset`` (a line boundary) on.

    Asks for the rest of the file only (HTTP Range); a server that sends the
    whole file anyway has the lines before ``offset`` skipped as they stream by.
    """
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = requests.get(url, headers=headers, stream=True, timeout=max(timeout, 10))
    except requests.RequestException as exc:
        raise TemporaryError(f"Shopify's export file could not be reached: {exc}") from exc
    try:
        if response.status_code in GONE_STATUSES:
            raise ResultExpired(f"Shopify's export file is no longer available (HTTP {response.status_code}).")
        if response.status_code == 416:  # nothing after the offset: the file was read to its end
            yield iter(())
            return
        if response.status_code >= 400:
            raise TemporaryError(f"Shopify's export file answered HTTP {response.status_code}.")
        partial = response.status_code == 206
        blocks = response.iter_content(chunk_size=BLOCK_SIZE)
        lines = split_lines(blocks, start_offset=offset if partial else 0)
        yield _after(lines, offset) if not partial and offset else _guard(lines)
    finally:
        response.close()


def _guard(lines):
    try:
        yield from lines
    except requests.RequestException as exc:
        raise TemporaryError(f"Reading Shopify's export file failed: {exc}") from exc


def _after(lines, offset):
    for end_offset, line in _guard(lines):
        if end_offset > offset:
            yield end_offset, line
