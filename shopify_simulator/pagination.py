"""Relay connections with Shopify-style opaque keyset cursors.

A cursor is base64 of ``{"last_id": ..., "last_value": ...}``: the position of an
entry in the sort order, so pages stay stable when records are added or change
between two page requests, as on Shopify.
"""

import base64
import binascii
import json
import threading
from contextlib import contextmanager

from graphql import GraphQLError

MAX_PAGE_SIZE = 250
_BULK = threading.local()  # set while a bulk operation executes its query on this thread


class BulkWindow:
    """Which root records one pass of a bulk query reads: ``size`` of them from ``offset``."""

    def __init__(self, size):
        self.offset, self.size, self.total = 0, size, None
        self.found = None  # the root connection's records, searched once for every pass


@contextmanager
def unlimited(window):
    """Connections ignore first/last (a bulk query reads everything); roots read ``window``."""
    _BULK.window = window
    try:
        yield window
    finally:
        _BULK.window = None


def root_window(search, reverse=False):
    """A root connection's entries: ``search()``, or in a bulk pass its current window of them.

    ``reverse``: the windows are taken from the end, as ``connection`` reverses each one."""
    window = getattr(_BULK, "window", None)
    if window is None:
        return search()
    if window.found is None:
        window.found = search()
        window.total = len(window.found)
    low, high = window.offset, window.offset + window.size
    if reverse:
        low, high = max(window.total - high, 0), window.total - low
    return window.found[low:high]


def encode_cursor(sort_value, record_id):
    raw = json.dumps({"last_id": record_id, "last_value": sort_value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor):
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return (data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise GraphQLError("Invalid cursor for current pagination sort.") from None


def check_page_size(first, last, required=True):
    if getattr(_BULK, "window", None) is not None:
        return  # bulk operations do not page
    if required and first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise GraphQLError(f"The {name} argument must be between 0 and {MAX_PAGE_SIZE}.")


def connection(entries, first=None, after=None, last=None, before=None, reverse=False, build=None):
    """``entries``: ``[(sort_value, record_id, item)]`` in ascending sort order.

    ``build(item)`` turns an item into its node, for the returned page only."""
    check_page_size(first, last)
    if getattr(_BULK, "window", None) is not None:
        first = last = after = before = None
    ordered = list(reversed(entries)) if reverse else list(entries)

    def key(entry):
        return (entry[0], entry[1])

    def past(entry, cursor):
        return key(entry) < cursor if reverse else key(entry) > cursor

    def ahead_of(entry, cursor):
        return key(entry) > cursor if reverse else key(entry) < cursor

    low, high = 0, len(ordered)
    if after:
        cursor = decode_cursor(after)
        low = next((i for i, entry in enumerate(ordered) if past(entry, cursor)), len(ordered))
    if before:
        cursor = decode_cursor(before)
        high = next((i for i, entry in enumerate(ordered) if not ahead_of(entry, cursor)), high)
        high = max(high, low)
    window = ordered[low:high]
    start, stop = 0, len(window)
    if first is not None:
        stop = min(stop, first)
    if last is not None:
        start = max(0, stop - last)
    page = window[start:stop]
    nodes = [build(entry[2]) if build else entry[2] for entry in page]
    edges = [
        {"cursor": encode_cursor(entry[0], entry[1]), "node": node}
        for entry, node in zip(page, nodes, strict=False)
    ]
    return {
        "edges": edges,
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": low + stop < len(ordered),
            "hasPreviousPage": low + start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def positional(nodes):
    """Entries for a nested list kept in its own order (line items, variants...)."""
    return [(index, index, node) for index, node in enumerate(nodes, start=1)]


def paged(build_nodes):
    """Resolver for a nested connection field; ``build_nodes()`` gives the full list."""

    def resolve(_info, first=None, after=None, last=None, before=None, reverse=False, **_filters):
        return connection(positional(build_nodes()), first, after, last, before, reverse)

    return resolve
