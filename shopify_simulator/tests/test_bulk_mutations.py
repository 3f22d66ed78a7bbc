"""stagedUploadsCreate and bulkOperationRunMutation: the upload target, productSet per line,
the result file, the webhooks, a failing line, refusals."""

import hashlib
import json

import requests

from .helpers import data
from .test_product_set import PRODUCT_SET, _input

STAGE = """mutation Stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""

RUN = """mutation Run($mutation: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) {
    bulkOperation { id status type }
    userErrors { field message code }
  }
}"""

POLL = """query Poll($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status type url objectCount } }
}"""


def _upload(sim, lines, method="POST"):
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    staged = {
        "resource": "BULK_MUTATION_VARIABLES",
        "filename": "vars.jsonl",
        "mimeType": "text/jsonl",
    }
    if method == "PUT":
        staged["httpMethod"] = "PUT"
    payload = data(sim, STAGE, {"input": [staged]})["stagedUploadsCreate"]
    assert payload["userErrors"] == []
    target = payload["stagedTargets"][0]
    if method == "PUT":
        answer = requests.put(target["url"], data=body, timeout=5)
        return answer, target["url"].split("/_sim/staged-uploads/", 1)[1]
    form = {p["name"]: p["value"] for p in target["parameters"]}
    answer = requests.post(
        target["url"], data=form, files={"file": ("vars.jsonl", body)}, timeout=5
    )
    return answer, form["key"]


def _run(sim, path, mutation=PRODUCT_SET):
    return data(sim, RUN, {"mutation": mutation, "path": path})["bulkOperationRunMutation"]


def _result(sim, operation_id):
    sim.bulk_running(polls=0)
    sim.bulk_wait(operation_id.rsplit("/", 1)[1])
    node = data(sim, POLL, {"id": operation_id})["node"]
    assert (node["status"], node["type"]) == ("COMPLETED", "MUTATION")
    text = requests.get(node["url"], timeout=5).text
    return node, [json.loads(line) for line in text.splitlines()]


def _lines(count):
    lines = []
    for number in range(count):
        handle = f"bulk-shirt-{number}"
        line = _input(title=f"Bulk Shirt {number}", handle=handle)
        for variant in line["variants"]:
            variant["sku"] = f"{variant['sku']}-{number}"
        lines.append({"input": line, "identifier": {"handle": handle}})
    return lines


def test_each_line_is_a_product_set_and_its_result_line(sim):
    answer, path = _upload(sim, _lines(3))
    assert answer.status_code == 201
    run = _run(sim, path)
    assert run["userErrors"] == []
    assert run["bulkOperation"]["type"] == "MUTATION"
    node, lines = _result(sim, run["bulkOperation"]["id"])
    assert node["objectCount"] == "3"
    assert [line["__lineNumber"] for line in lines] == [0, 1, 2]
    handles = [line["data"]["productSet"]["product"]["handle"] for line in lines]
    assert handles == ["bulk-shirt-0", "bulk-shirt-1", "bulk-shirt-2"]
    skus = [v["sku"] for v in lines[1]["data"]["productSet"]["product"]["variants"]["nodes"]]
    assert skus == ["OS-S-1", "OS-M-1"]
    assert [topic for topic, _id in sim.take_webhooks()] == ["products/create"] * 3
    applied = [m for m in sim.mutations if m["name"] == "productSet" and m["applied"]]
    assert len(applied) == 3
    # Run again: productSet upserts by handle, nothing is created twice.
    _answer, path = _upload(sim, _lines(3))
    _node, again = _result(sim, _run(sim, path)["bulkOperation"]["id"])
    ids = [line["data"]["productSet"]["product"]["id"] for line in again]
    assert ids == [line["data"]["productSet"]["product"]["id"] for line in lines]
    assert [topic for topic, _id in sim.take_webhooks()] == ["products/update"] * 3


def test_a_failing_line_fails_alone(sim):
    sim.bulk_fail_line(1)
    _answer, path = _upload(sim, _lines(3), method="PUT")
    _node, lines = _result(sim, _run(sim, path)["bulkOperation"]["id"])
    failed = lines[1]["data"]["productSet"]
    assert failed["product"] is None
    assert failed["userErrors"][0]["code"] == "INVALID_INPUT"
    assert lines[0]["data"]["productSet"]["product"]["handle"] == "bulk-shirt-0"
    assert lines[2]["data"]["productSet"]["product"]["handle"] == "bulk-shirt-2"
    assert len(sim.take_webhooks()) == 2
    # The fault is used up: the next bulk mutation runs every line.
    _answer, path = _upload(sim, _lines(2))
    _node, lines = _result(sim, _run(sim, path)["bulkOperation"]["id"])
    assert all(line["data"]["productSet"]["userErrors"] == [] for line in lines)


def test_refusals(sim):
    missing = _run(sim, "tmp/1/bulk/nothing/vars.jsonl")
    assert missing["bulkOperation"] is None
    assert missing["userErrors"][0]["code"] == "NO_SUCH_FILE"
    _answer, path = _upload(sim, _lines(1))
    invalid = _run(sim, path, mutation="mutation { nothing }")
    assert invalid["userErrors"][0]["code"] == "INVALID_MUTATION"
    stray = requests.post(
        f"{sim.base_url}/_sim/staged-uploads",
        data={"key": "tmp/unknown"},
        files={"file": ("x", b"{}")},
        timeout=5,
    )
    assert stray.status_code == 403
    assert sim.take_webhooks() == []


def test_a_failed_operation_runs_no_line(sim):
    sim.bulk_fail_next("INTERNAL_SERVER_ERROR")
    _answer, path = _upload(sim, _lines(2))
    run = _run(sim, path)
    sim.bulk_running(polls=0)
    sim.bulk_wait(run["bulkOperation"]["id"].rsplit("/", 1)[1])
    node = data(sim, POLL, {"id": run["bulkOperation"]["id"]})["node"]
    assert (node["status"], node["url"]) == ("FAILED", None)
    assert sim.take_webhooks() == []


def test_product_set_files_read_a_staged_image(sim):
    staged = {"resource": "IMAGE", "filename": "shirt.png", "mimeType": "image/png"}
    target = data(sim, STAGE, {"input": [staged]})["stagedUploadsCreate"]["stagedTargets"][0]
    form = {p["name"]: p["value"] for p in target["parameters"]}
    image = b"\x89PNG not really an image"
    answer = requests.post(
        target["url"], data=form, files={"file": ("shirt.png", image)}, timeout=5
    )
    assert answer.status_code == 201
    files = [{"originalSource": target["resourceUrl"], "contentType": "IMAGE", "alt": "Shirt"}]
    line = _lines(1)[0]
    line["input"]["files"] = files
    payload = data(sim, PRODUCT_SET, line)["productSet"]
    assert payload["userErrors"] == []
    product = sim.store.get("product", payload["product"]["legacyResourceId"])
    assert [m["sha256"] for m in product["media"]] == [hashlib.sha256(image).hexdigest()]
    assert product["media"][0]["alt"] == "Shirt"
    # Given again without files: the media stay; with an empty list: removed.
    data(sim, PRODUCT_SET, _lines(1)[0])
    assert len(sim.store.get("product", payload["product"]["legacyResourceId"])["media"]) == 1
    line = _lines(1)[0]
    line["input"]["files"] = []
    data(sim, PRODUCT_SET, line)
    assert sim.store.get("product", payload["product"]["legacyResourceId"])["media"] == []
