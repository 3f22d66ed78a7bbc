"""Control API (``/_sim/...``) so that another process can drive a running simulator."""

import json
from urllib.parse import parse_qs, urlparse

import requests


def handle_control(sim, method, path, raw):
    url = urlparse(path)
    route = url.path.removeprefix("/_sim/").strip("/")
    params = json.loads(raw or b"{}") if method == "POST" else {k: v[-1] for k, v in parse_qs(url.query).items()}
    if route == "health":
        return 200, {"ok": True, "shop": sim.shop_domain}
    if route == "generate":
        return 200, sim.generate(**params)
    if route == "seed":
        for kind in ("customers", "products", "orders"):
            for record in params.get(kind) or []:
                getattr(sim, f"seed_{kind[:-1]}")(record)
        return 200, {"ok": True}
    if route == "faults":
        operation = params.get("operation")
        if params.get("fail_next"):
            sim.fail_next(int(params["fail_next"]), int(params.get("status", 500)), operation)
        if params.get("slow_next"):
            sim.slow_next(int(params["slow_next"]), float(params.get("seconds", 2.0)), operation)
        if params.get("malformed_next"):
            sim.malformed_next(int(params["malformed_next"]))
        if params.get("throttle_next"):
            sim.throttle_next(int(params["throttle_next"]))
        if "throttle_mode" in params:
            sim.throttle_mode = params["throttle_mode"]
        if params.get("revoke_token"):
            sim.revoke_token()
        if params.get("restore_token"):
            sim.restore_token()
        if params.get("delete"):
            sim.delete(params["delete"]["resource"], params["delete"]["id"])
        return 200, {"ok": True}
    if route == "reset":
        sim.reset_faults()
        return 200, {"ok": True}
    if route == "touch":
        return 200, sim.touch(params["resource"], params["id"])
    if route == "payload":
        return 200, sim.webhook_payload(params["topic"], params.get("id"), **params.get("extra", {}))
    if route == "mutations":
        return 200, sim.mutations_named(params["name"]) if params.get("name") else sim.mutations
    if route == "calls":
        return 200, sim.calls
    return 404, {"error": f"unknown control route {route}"}


class SimulatorControl:
    """Client of the control API, with the same verbs as the in-process handle."""

    def __init__(self, base_url, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _post(self, route, payload):
        response = self.session.post(f"{self.base_url}/_sim/{route}", json=payload, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def _get(self, route, **params):
        response = self.session.get(f"{self.base_url}/_sim/{route}", params=params, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def health(self):
        return self._get("health")

    def generate(self, **kwargs):
        return self._post("generate", kwargs)

    def seed(self, customers=(), products=(), orders=()):
        return self._post("seed", {"customers": list(customers), "products": list(products), "orders": list(orders)})

    def faults(self, **kwargs):
        return self._post("faults", kwargs)

    def reset(self):
        return self._post("reset", {})

    def touch(self, resource, resource_id):
        return self._post("touch", {"resource": resource, "id": resource_id})

    def payload(self, topic, resource_id=None, **extra):
        return self._post("payload", {"topic": topic, "id": resource_id, "extra": extra})

    def mutations(self, name=None):
        return self._get("mutations", **({"name": name} if name else {}))

    def calls(self):
        return self._get("calls")
