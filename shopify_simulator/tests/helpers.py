"""Helpers shared by the simulator's tests."""

import base64
import copy
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

SHOP = "sim-test.myshopify.com"
TOKEN = "shpat_sim_test"
SECRET = "whsec_sim_test"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name):
    return json.loads((SAMPLES / f"{name}.json").read_text())


def post(sim, query, variables=None, token=TOKEN, version=None, operation_name=None, timeout=5):
    body = {"query": query, "variables": variables or {}}
    if operation_name:
        body["operationName"] = operation_name
    return requests.post(
        sim.graphql_url(version),
        json=body,
        headers={"X-Shopify-Access-Token": token} if token else {},
        timeout=timeout,
    )


def gql(sim, query, variables=None, **kwargs):
    response = post(sim, query, variables, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def data(sim, query, variables=None, **kwargs):
    body = gql(sim, query, variables, **kwargs)
    assert "errors" not in body, body["errors"]
    return body["data"]


def order_gid(order):
    return f"gid://shopify/Order/{order['id']}"


def expected_signature(body, secret=SECRET):
    """Computed here independently of shopify_simulator.webhooks.sign."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


class Receiver:
    """A tiny webhook endpoint that records requests and checks their HMAC."""

    def __init__(self, statuses=(), delays=(), secret=SECRET):
        self.requests, self.statuses, self.delays = [], list(statuses), list(delays)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = hmac.compare_digest(
                    expected_signature(body, secret), self.headers.get("X-Shopify-Hmac-Sha256", "")
                )
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "headers": dict(self.headers),
                            "body": body,
                            "valid": valid,
                            "at": time.monotonic(),
                        }
                    )
                    status = (
                        receiver.statuses.pop(0) if receiver.statuses else (200 if valid else 401)
                    )
                    delay = receiver.delays.pop(0) if receiver.delays else 0
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/shopify"

    def header(self, index, name):
        return self.requests[index]["headers"][name]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def deep(value):
    return copy.deepcopy(value)
