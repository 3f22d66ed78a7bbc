"""Token endpoint, authorize redirect, access scopes, webhook subscriptions and deliveries."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from shopify_simulator.oauth import CLIENT_CREDENTIALS_TTL, query_hmac
from shopify_simulator.subscriptions import MAX_CONSECUTIVE_FAILURES

from .helpers import SECRET, Receiver

CREATE = """mutation C($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic uri format includeFields } userErrors { field message } } }"""


def token(sim, **form):
    data = {
        "grant_type": "client_credentials",
        "client_id": sim.client_id,
        "client_secret": SECRET,
    } | form
    return requests.post(f"{sim.base_url}/admin/oauth/access_token", data=data, timeout=10)


def graphql(sim, access_token, query, variables=None):
    return requests.post(
        sim.graphql_url(),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": access_token},
        timeout=10,
    )


def test_client_credentials_token_expires_on_the_moved_clock(sim):
    answer = token(sim)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == CLIENT_CREDENTIALS_TTL and "refresh_token" not in body
    assert "read_orders" in body["scope"].split(",")
    assert graphql(sim, body["access_token"], "{ shop { name } }").status_code == 200
    sim.advance_clock(CLIENT_CREDENTIALS_TTL + 1)
    assert graphql(sim, body["access_token"], "{ shop { name } }").status_code == 401


def test_token_endpoint_refusals(sim):
    assert token(sim, client_secret="wrong").json()["error"] == "invalid_client"
    sim.set_app_installed(False)
    refused = token(sim)
    assert (refused.status_code, refused.json()["error"]) == (400, "app_not_installed")
    sim.set_app_installed(True)
    issued = token(sim).json()["access_token"]
    sim.revoke_issued_tokens()
    assert graphql(sim, issued, "{ shop { name } }").status_code == 401


def test_token_without_read_orders_is_denied_orders(sim):
    sim.set_app_scopes(["read_products"])
    limited = token(sim).json()["access_token"]
    errors = graphql(sim, limited, "{ orders(first: 1) { nodes { id } } }").json()["errors"]
    assert errors[0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "read_orders" in errors[0]["extensions"]["requiredAccess"]
    scopes = graphql(sim, limited, "{ currentAppInstallation { accessScopes { handle } } }").json()
    assert scopes["data"]["currentAppInstallation"]["accessScopes"] == [{"handle": "read_products"}]


def test_authorize_redirect_code_exchange_and_rotation(sim):
    answer = requests.get(
        f"{sim.base_url}/admin/oauth/authorize?client_id={sim.client_id}&scope=read_orders"
        "&redirect_uri=https://erp.example.com/cb&state=s1",
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlparse(answer.headers["Location"]).query).items()}
    assert params["state"] == "s1" and params["shop"] == sim.shop_domain
    assert params["hmac"] == query_hmac(params, SECRET)
    pair = token(sim, grant_type="", code=params["code"], expiring="1").json()
    assert pair["expires_in"] == 3600 and pair["refresh_token"]
    assert (
        token(sim, grant_type="", code=params["code"]).json()["error"] == "invalid_grant"
    ), "codes are single-use"
    new = token(sim, grant_type="refresh_token", refresh_token=pair["refresh_token"]).json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert sim.oauth.refresh_token_valid(
        pair["refresh_token"]
    ), "kept until the replacement is used"
    graphql(sim, new["access_token"], "{ shop { name } }")
    assert not sim.oauth.refresh_token_valid(pair["refresh_token"])


def test_deprecation_header(sim):
    answer = graphql(sim, sim.access_token, "{ shop { name } }")
    assert "X-Shopify-API-Deprecated-Reason" not in answer.headers
    sim.deprecated_reason = "Shop.products"
    answer = graphql(sim, sim.access_token, "{ shop { name } }")
    assert answer.headers["X-Shopify-API-Deprecated-Reason"] == "Shop.products"


@pytest.fixture
def failing_receiver():
    endpoint = Receiver(statuses=[503] * 20)
    yield endpoint
    endpoint.close()


def test_subscription_deleted_after_consecutive_failed_deliveries(sim, failing_receiver):
    variables = {
        "topic": "ORDERS_CREATE",
        "sub": {"uri": failing_receiver.url, "includeFields": ["id"]},
    }
    created = graphql(sim, sim.access_token, CREATE, variables).json()["data"][
        "webhookSubscriptionCreate"
    ]
    assert created["webhookSubscription"]["format"] == "JSON" and not created["userErrors"]
    again = graphql(sim, sim.access_token, CREATE, variables).json()["data"][
        "webhookSubscriptionCreate"
    ]
    assert again["userErrors"], "one subscription per topic and address"
    for attempt in range(MAX_CONSECUTIVE_FAILURES):
        assert sim.deliver("orders/create", payload={"id": 7, "note": "x"})[0][1] == 503, attempt
    assert json.loads(failing_receiver.requests[0]["body"]) == {"id": 7}, "includeFields applied"
    assert failing_receiver.requests[0]["valid"]
    assert sim.webhook_subscriptions() == []
    assert sim.deliver("orders/create", payload={"id": 7}) == []


def test_control_api_drives_oauth_and_subscriptions(sim):
    from shopify_simulator import SimulatorControl

    control = SimulatorControl(sim.base_url)
    control.oauth(installed=False)
    assert token(sim).json()["error"] == "app_not_installed"
    control.oauth(installed=True, scopes=["read_orders"])
    assert token(sim).json()["scope"] == "read_orders"
    assert [g["error"] for g in control.oauth()["grants"]] == ["app_not_installed", None]
    assert control.webhook_subscriptions() == []
    assert control.deliver("orders/create", payload={"id": 1}) == []
