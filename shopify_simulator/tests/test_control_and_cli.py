"""The control API over HTTP, its client, the CLI and the pytest fixture."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from shopify_simulator import SimulatorControl

from .helpers import SECRET, TOKEN, Receiver, data, order_gid, post, sample

ROOT = Path(__file__).resolve().parents[2]


def test_control_api_drives_a_running_simulator(sim):
    control = SimulatorControl(sim.base_url)
    health = control.health()
    assert (
        health["ok"]
        and health["shop"] == sim.shop_domain
        and health["graphql_url"] == sim.graphql_url()
    )
    made = control.generate(
        customers=1, products=1, variants_per_product=1, orders=2, lines_per_order=1
    )
    order = made["orders"][0]
    assert data(sim, "query($id: ID!) { order(id: $id) { name } }", {"id": order_gid(order)})[
        "order"
    ]["name"]
    seeded = control.seed(orders=[sample("orders_create")], products=[sample("products_create")])
    assert seeded["seeded"]["orders"] == [450789469] and seeded["seeded"]["products"] == [632910392]
    assert control.resource("order", 450789469)["name"] == "#1001"

    control.fail_next(1, status=502)
    assert control.pending_faults()["fail"][0]["value"] == 502
    assert post(sim, "query { shop { name } }").status_code == 502
    control.faults(throttle_next=1, throttle_mode="http429")
    assert post(sim, "query { shop { name } }").status_code == 429
    control.revoke_token()
    assert post(sim, "query { shop { name } }").status_code == 401
    control.reset()
    assert post(sim, "query { shop { name } }").status_code == 200

    before = control.resource("order", order["id"])["updated_at"]
    assert control.touch("order", order["id"])["updated_at"] > before
    assert control.webhook_payload("orders/updated", order["id"])["id"] == order["id"]
    item = made["products"][0]["variants"][0]["inventory_item_id"]
    assert control.set_inventory(item, 655441491, 12) == 12 == control.inventory(item, 655441491)

    mutation = """mutation SetMetafields($m: [MetafieldsSetInput!]!) {
      metafieldsSet(metafields: $m) {
      userErrors { code } } }"""
    post(
        sim,
        mutation,
        {
            "m": [
                {
                    "ownerId": order_gid(order),
                    "namespace": "odoo",
                    "key": "k1",
                    "type": "json",
                    "value": "{}",
                }
            ]
        },
    )
    [record] = control.mutations_named("metafieldsSet", applied=True)
    assert record["input"]["metafields"][0]["key"] == "k1"
    assert control.mutations_named("metafieldsSet", applied=False) == []
    assert [c["status"] for c in control.calls()][:4] == [200, 502, 429, 401]
    assert control.calls(operation="SetMetafields")[0]["variables"]["m"][0]["key"] == "k1"

    assert control.delete("order", order["id"]) is True
    assert (
        data(sim, "query($id: ID!) { order(id: $id) { id } }", {"id": order_gid(order)})["order"]
        is None
    )
    control.reset(records=True)
    assert control.calls() == [] and control.mutations() == []


TRANSACTIONS = """query($id: ID!) { order(id: $id) { transactions {
  kind status gateway amountSet { shopMoney { amount } } } } }"""
PAYOUTS = """{ shopifyPaymentsAccount {
  payouts(first: 10) { nodes { legacyResourceId status net { amount } } }
  balanceTransactions(first: 50) { nodes { type amount { amount } fee { amount } net { amount }
    sourceOrderTransactionId associatedOrder { name } associatedPayout { id } } } } }"""


def test_control_api_generates_money_flows_and_seeds_a_payout(sim):
    control = SimulatorControl(sim.base_url)
    control.generate(customers=1, products=1, variants_per_product=1)
    card = control.generate(orders=1, lines_per_order=1)["orders"][0]
    paypal = control.generate(orders=1, lines_per_order=1, gateways=["paypal"])["orders"][0]
    split = control.generate(
        orders=1, lines_per_order=2, gateways=["gift_card", "shopify_payments"]
    )
    split = split["orders"][0]
    assert paypal["payment_gateway_names"] == ["paypal"]
    assert split["payment_gateway_names"] == ["gift_card", "shopify_payments"]
    got = data(sim, TRANSACTIONS, {"id": order_gid(split)})["order"]["transactions"]
    assert [(t["kind"], t["status"], t["gateway"]) for t in got] == [
        ("SALE", "SUCCESS", "gift_card"),
        ("SALE", "SUCCESS", "shopify_payments"),
    ]
    amounts = [float(t["amountSet"]["shopMoney"]["amount"]) for t in got]
    assert amounts[0] == min(10.0, round(float(split["total_price"]) / 2, 2))
    assert round(sum(amounts), 2) == float(split["total_price"])
    [sale] = data(sim, TRANSACTIONS, {"id": order_gid(paypal)})["order"]["transactions"]
    assert (sale["gateway"], sale["amountSet"]["shopMoney"]["amount"]) == (
        "paypal",
        paypal["total_price"],
    )

    payout = control.seed_payout(dispute_order_id=card["id"], dispute_amount="5.00")
    assert payout["status"] == "PAID"
    account = data(sim, PAYOUTS)["shopifyPaymentsAccount"]
    assert [p["legacyResourceId"] for p in account["payouts"]["nodes"]] == [str(payout["id"])]
    balances = account["balanceTransactions"]["nodes"]
    # the card order and the card part of the split tender; PayPal and gift cards are not paid out
    assert sorted(b["type"] for b in balances) == ["CHARGE", "CHARGE", "DISPUTE_WITHDRAWAL"]
    net = sum(float(b["net"]["amount"]) for b in balances)
    assert (
        round(net, 2)
        == float(payout["net"])
        == float(account["payouts"]["nodes"][0]["net"]["amount"])
    )
    assert all(float(b["fee"]["amount"]) > 0 for b in balances)
    # what is paid out once is not paid out again
    assert control.seed_payout()["net"] == "0.00"
    response = requests.post(f"{sim.base_url}/_sim/payout", json={"amount": 1}, timeout=5)
    assert response.status_code == 400 and "amount" in response.json()["error"]


def test_control_api_errors(sim):
    assert requests.get(f"{sim.base_url}/_sim/nothing", timeout=5).status_code == 404
    assert (
        requests.post(
            f"{sim.base_url}/_sim/touch", json={"resource": "order"}, timeout=5
        ).status_code
        == 400
    )
    response = requests.post(
        f"{sim.base_url}/_sim/faults", json={"throttle_mode": "fast"}, timeout=5
    )
    assert response.status_code == 400
    assert (
        requests.get(f"{sim.base_url}/_sim/resource?type=order&id=1", timeout=5).status_code == 404
    )


def test_control_api_sends_signed_webhooks(sim):
    receiver = Receiver()
    try:
        order = sim.generate(customers=1, products=1, orders=1)["orders"][0]
        control = SimulatorControl(sim.base_url)
        deliveries = control.send_webhook(receiver.url, "orders/create", order["id"], copies=2)
        assert [d["status"] for d in deliveries] == [200, 200]
        assert all(r["valid"] for r in receiver.requests)
        assert json.loads(receiver.requests[0]["body"])["id"] == order["id"]
        assert receiver.header(0, "X-Shopify-Event-Id") == receiver.header(1, "X-Shopify-Event-Id")
    finally:
        receiver.close()


def test_the_fixture_gives_a_running_simulator(shopify_simulator):
    assert shopify_simulator.shop_domain == "sim-test.myshopify.com"
    assert post(shopify_simulator, "query { shop { name } }").status_code == 200
    assert shopify_simulator.faults.pending()["fail"] == []


def run_cli(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "shopify_simulator", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_cli_serve_until_sigterm():
    process = run_cli(
        "serve",
        "--port",
        "0",
        "--shop",
        "cli-shop.myshopify.com",
        "--token",
        TOKEN,
        "--secret",
        SECRET,
        "--seed-demo",
    )
    try:
        line = process.stdout.readline()
        url = line.split(": ", 1)[1].split(",", 1)[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith(
            "/admin/api/2026-01/graphql.json"
        )
        base = url.split("/admin/", 1)[0]
        control = SimulatorControl(base)
        assert control.health()["shop"] == "cli-shop.myshopify.com"
        response = requests.post(
            url,
            json={"query": "query { orders(first: 10) { nodes { id } } }"},
            headers={"X-Shopify-Access-Token": TOKEN},
            timeout=5,
        )
        assert len(response.json()["data"]["orders"]["nodes"]) == 5, "--seed-demo"
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - started < 2
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("concurrent", [False, True])
def test_cli_send(tmp_path, concurrent):
    receiver = Receiver()
    try:
        payload = tmp_path / "order.json"
        payload.write_text(json.dumps(sample("orders_create")))
        args = [
            "send",
            "--url",
            receiver.url,
            "--topic",
            "orders/create",
            "--file",
            str(payload),
            "--secret",
            SECRET,
            "--shop",
            "cli-shop.myshopify.com",
            "--copies",
            "3",
        ]
        process = run_cli(*args, *(["--concurrent"] if concurrent else []))
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert [line["status"] for line in lines] == [200, 200, 200]
        assert len(receiver.requests) == 3 and all(r["valid"] for r in receiver.requests)
        assert len({receiver.header(i, "X-Shopify-Event-Id") for i in range(3)}) == 1
        assert receiver.header(0, "X-Shopify-Shop-Domain") == "cli-shop.myshopify.com"
    finally:
        receiver.close()


def test_control_bucket_sets_a_plan_and_calls_since(sim):
    control = SimulatorControl(sim.base_url)
    status = control.set_bucket(maximum=1000, restore_rate=50)
    assert status == {"maximumAvailable": 1000.0, "currentlyAvailable": 1000, "restoreRate": 50.0}
    before = len(control.calls())
    data(sim, "query { shop { name } }")
    data(sim, "query { shop { name } }")
    newer = control.calls(since=before)
    assert len(newer) == 2 and all(c["actual_cost"] == 1 for c in newer)
    assert control.bucket()["currentlyAvailable"] <= 1000
    control.set_bucket(restore_rate=100)
    assert control.bucket()["maximumAvailable"] == 1000.0


def test_control_cancels_an_order_with_its_refund(sim):
    control = SimulatorControl(sim.base_url)
    order = control.generate(customers=1, products=1, orders=1, lines_per_order=1)["orders"][0]
    cancelled, refund = control.cancel_order(order["id"], reason="staff")
    assert cancelled["cancel_reason"] == "staff" and cancelled["cancelled_at"]
    line = order["line_items"][0]
    assert [
        (i["line_item_id"], i["quantity"], i["restock_type"]) for i in refund["refund_line_items"]
    ] == [(line["id"], line["quantity"], "cancel")]
    assert control.resource("order", order["id"])["financial_status"] in (
        "refunded",
        "partially_refunded",
    )
    # again: an order is cancelled once, no second refund
    again, second = control.cancel_order(order["id"], reason="customer")
    assert (again["cancelled_at"], again["cancel_reason"], second) == (
        cancelled["cancelled_at"],
        "staff",
        None,
    )
