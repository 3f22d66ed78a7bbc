"""The simulator's HTTP server: which path goes where.

``POST /admin/api/<version>/graphql.json`` (the Admin API), ``POST /admin/oauth/access_token``,
``GET /admin/oauth/authorize``, ``/_sim/...`` (the control API, control.py) and
``GET /_sim/bulk/<n>.jsonl`` (bulk_files.py), the staged upload target
(``POST /_sim/staged-uploads``, ``PUT /_sim/staged-uploads/<key>``, bulk_mutations.py);
anything else answers 404.
"""

import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .control import handle_control

GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/graphql\.json$")
TOKEN_PATH = "/admin/oauth/access_token"
AUTHORIZE_PATH = "/admin/oauth/authorize"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients must not wait for a SYN retry


class Handler(BaseHTTPRequestHandler):
    """Subclassed per simulator with ``simulator`` set (ShopifySimulator.start)."""

    simulator = None
    protocol_version = "HTTP/1.1"
    server_version = "ShopifySimulator/1.0"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stall

    def log_message(self, *_args):
        pass

    def _reply(self, status, body, headers=None):
        headers = dict(headers or {})
        self.send_response(status)
        self.send_header(
            "Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8")
        )
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):  # noqa: N802 - http.server API
        raw = self._body()
        match = GRAPHQL_PATH.match(self.path.split("?", 1)[0])
        if match:
            try:
                status, headers, body = self.simulator.handle_graphql(
                    self.headers, raw, match["version"]
                )
            except Exception as exc:  # noqa: BLE001 - a server answers 500, it does not hang up
                status, headers = 500, {}
                body = json.dumps(
                    {"errors": f"simulator error: {type(exc).__name__}: {exc}"}
                ).encode()
            return self._reply(status, body, headers)
        if self.path.split("?", 1)[0] == TOKEN_PATH:
            status, headers, body = self.simulator.handle_token(self.headers, raw)
            return self._reply(status, body, headers)
        uploaded = self.simulator.uploads.receive("POST", self.path, self.headers, raw)
        if uploaded:
            return self._reply(uploaded[0], uploaded[1], {"Content-Type": "application/xml"})
        if self.path.startswith("/_sim/"):
            status, body = handle_control(self.simulator, "POST", self.path, raw)
            return self._reply(status, json.dumps(body, default=str).encode())
        return self._reply(404, b'{"errors":"Not Found"}')

    def do_PUT(self):  # noqa: N802 - http.server API
        raw = self._body()
        uploaded = self.simulator.uploads.receive("PUT", self.path, self.headers, raw)
        if uploaded:
            return self._reply(uploaded[0], uploaded[1], {"Content-Type": "application/xml"})
        return self._reply(404, b'{"errors":"Not Found"}')

    def do_GET(self):  # noqa: N802 - http.server API
        if self.simulator.bulk.serve(self, self.path):
            return None  # a bulk operation's JSONL, streamed
        if self.path.split("?", 1)[0] == AUTHORIZE_PATH:
            status, headers = self.simulator.oauth.authorize(self.path)
            return self._reply(status, b"", headers)
        if self.path.startswith("/_sim/"):
            status, body = handle_control(self.simulator, "GET", self.path, b"")
            return self._reply(status, json.dumps(body, default=str).encode())
        return self._reply(404, b'{"errors":"Not Found"}')
