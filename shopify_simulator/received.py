"""Every GraphQL document any simulator of this process received, for the schema contract.

Each Admin API call records its document (admin_calls.py), ``bulkOperationRunQuery`` the bulk
query inside it, with the API version of the URL and the client's User-Agent; shopify_sync's
contract test validates those its client sent against Shopify's published schema at the end of
the run. With ``SHOPIFY_SIM_RECORD=<file>`` each new document is also appended there as one JSON
line (``{"version", "document", "bulk", "client"}``), e.g. from a demo run.
"""

import json
import os
import threading

_lock = threading.Lock()
_received = {}  # (version, document, bulk, client) -> times received


def record_document(version, document, bulk=False, client=None):
    if not isinstance(document, str):
        return
    key = (version, document, bulk, client)
    with _lock:
        first = key not in _received
        _received[key] = _received.get(key, 0) + 1
    path = os.environ.get("SHOPIFY_SIM_RECORD")
    if first and path:
        with _lock, open(path, "a", encoding="utf-8") as out:
            line = {"version": version, "document": document, "bulk": bulk, "client": client}
            out.write(json.dumps(line) + "\n")


def received_documents():
    """``[(version, document, bulk, client, times)]``, each distinct document once."""
    with _lock:
        return [(*key, times) for key, times in _received.items()]
