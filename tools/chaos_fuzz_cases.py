"""The fuzz cases of tools/chaos_fuzz.py: malformed and hostile webhook requests, each from its own seed.

``build(index, seed)`` draws case ``index`` with ``random.Random(f"{seed}:{index}")``
alone: a category by weight, then the category's own choices.  Every case is
signed with the chaos-fuzz shop's secret unless breaking the signature is its
point, so that it reaches the checks after the signature.
"""

import json
import random
import uuid
from dataclasses import dataclass, field

from shopify_simulator import sign

PATH = "/shopify_sync/webhook"
DOMAIN = "chaos-fuzz.myshopify.com"
SECRET = "whsec_chaos_secret"
MAX_BYTES = 2 * 1024 * 1024
ORDER_TOPICS = ["orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled"]
OTHER_TOPICS = ["customers/create", "products/update", "fulfillments/create", "refunds/create"]
PRIVACY_TOPICS = ["customers/redact", "customers/data_request"]
WEIRD_IDS = [
    '"abc"',
    "[]",
    "{}",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "1.5",
    "true",
    "false",
    "null",
    '""',
    '" 12 "',
    '"0x1F"',
    '"gid://shopify/Order/abc"',
    '"gid://shopify/Order/1/../2"',
    str(2**70),
    '"' + "1" * 5000 + '"',
    '"\\u00b9"',
    '"\\u0663\\u0663"',
    "NaN",
    "Infinity",
    "-0",
    "1E400",
    '"1\\u0000"',
    "[1]",
    '{"id": 1}',
    '"12 OR 1=1"',
    '"\\ud800"',
    '"9' + "9" * 30 + '"',
]
ODD_TOPICS = [
    "orders/delete",
    "ORDERS/CREATE",
    "orders/create/../../admin",
    "x" * 300,
    " orders/create",
    "orders\\create",
    "carts/update",
    "checkouts/create",
    "%6Frders/create",
    "bulk_operations/finish",
    "inventory_levels/update",
]
UNICODE_LABELS = [
    "lone surrogate",
    "BOM",
    "invalid UTF-8",
    "UTF-16 body",
    "RTL/ZW/NUL escapes",
    "UTF-8 event id",
    "zero-width in topic",
    "homoglyph domain",
]
CONTENT_TYPES = [
    b"text/plain",
    b"application/x-www-form-urlencoded",
    b"multipart/form-data",
    b"multipart/form-data; boundary=zz",
    b"application/json; charset=utf-16",
    b"",
    b"application/xml",
]


@dataclass
class Case:
    index: int
    category: str
    label: str
    body: bytes = b""
    headers: list = field(default_factory=list)
    method: str = "POST"
    path: str = PATH
    chunked: bool = False
    content_length: bytes | None = None  # None: the body's true length


def order(rng):
    oid = rng.randint(10**12, 10**13)
    return {
        "id": oid,
        "name": f"#F{oid % 100000}",
        "email": "fuzz@example.com",
        "created_at": "2026-11-25T10:00:00-05:00",
        "updated_at": "2026-11-25T10:00:00-05:00",
        "currency": "USD",
        "total_price": "10.60",
        "admin_graphql_api_id": f"gid://shopify/Order/{oid}",
        "customer": {"id": oid + 1, "email": "fuzz@example.com", "first_name": "Fuzz", "last_name": "Case"},
        "line_items": [{"id": oid + 2, "variant_id": 1, "product_id": 2, "quantity": 1, "price": "10.00", "sku": "F"}],
    }


def dumps(payload):
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def headers(topic, body, secret=SECRET, domain=DOMAIN, signature=None, event=None):
    return [
        (b"Content-Type", b"application/json"),
        (b"X-Shopify-Topic", topic.encode() if isinstance(topic, str) else topic),
        (b"X-Shopify-Hmac-Sha256", signature if signature is not None else sign(body, secret).encode()),
        (b"X-Shopify-Shop-Domain", domain.encode() if isinstance(domain, str) else domain),
        (b"X-Shopify-Webhook-Id", str(uuid.uuid4()).encode()),
        (b"X-Shopify-Event-Id", event or str(uuid.uuid4()).encode()),
        (b"X-Shopify-Triggered-At", b"2026-11-25T15:00:00.000Z"),
        (b"X-Shopify-API-Version", b"2026-01"),
    ]


def set_header(hdrs, name, value):
    return [(n, value if n.lower() == name.lower() else v) for n, v in hdrs]


def drop_headers(hdrs, names):
    lowered = {n.lower() for n in names}
    return [(n, v) for n, v in hdrs if n.lower() not in lowered]


# -- the categories: each builds one case from its own RNG --------------------------------------
def bad_hmac(rng, case):
    body = dumps(order(rng))
    kind, sig = rng.choice(
        [
            ("wrong key", sign(body, SECRET + "-wrong").encode()),
            ("empty", b""),
            ("not base64", b"not base64 !!"),
            ("10 kB", b"A" * 10_000),
            ("other body's", sign(body + b" ", SECRET).encode()),
            ("hex digest", sign(body, SECRET).encode().hex().encode()),
            ("UTF-8 bytes", "é✓".encode() * 8),
            ("right + garbage", sign(body, SECRET).encode() + b"=="),
        ]
    )
    case.label, case.body, case.headers = f"HMAC {kind}", body, headers(rng.choice(ORDER_TOPICS), body, signature=sig)


def missing_headers(rng, case):
    body = dumps(order(rng))
    names = [b"X-Shopify-Topic", b"X-Shopify-Hmac-Sha256", b"X-Shopify-Shop-Domain"]
    names += [b"X-Shopify-Webhook-Id", b"X-Shopify-Event-Id"]
    gone = rng.sample(names, rng.randint(1, len(names)))
    hdrs = headers("orders/create", body)
    if rng.random() < 0.3:
        for name in gone:
            hdrs = set_header(hdrs, name, b"   ")
        case.label = "blank " + ", ".join(n.decode() for n in gone)
    else:
        hdrs = drop_headers(hdrs, gone)
        case.label = "without " + ", ".join(n.decode() for n in gone)
    case.body, case.headers = body, hdrs


def truncated_json(rng, case):
    full = dumps(order(rng))
    cut = rng.randint(1, len(full) - 1)
    case.label, case.body = f"JSON cut at {cut}/{len(full)} bytes", full[:cut]
    case.headers = headers(rng.choice(ORDER_TOPICS), case.body)


def huge_body(rng, case):
    size = rng.choice([MAX_BYTES + 1, MAX_BYTES + 200_000, 3 * 1024 * 1024, MAX_BYTES - 1000])
    payload = order(rng)
    payload["note"] = ""
    filler = size - len(dumps(payload))
    payload["note"] = "x" * max(filler, 0)
    case.body = dumps(payload)
    case.chunked = rng.random() < 0.3
    case.headers = headers("orders/create", case.body)
    case.label = f"{len(case.body)} bytes {'chunked' if case.chunked else 'with Content-Length'}"


def wrong_types(rng, case):
    payload, topic = order(rng), rng.choice(ORDER_TOPICS + OTHER_TOPICS + PRIVACY_TOPICS)
    weird = rng.choice(WEIRD_IDS)
    if topic in PRIVACY_TOPICS and rng.random() < 0.7:
        payload = {"shop_id": 1, "shop_domain": DOMAIN, "customer": "@@", "orders_requested": [1]}
        weird = rng.choice(['"x"', "5", "[]", "null", '{"id": "abc"}', "true", '{"id": []}', '{"id": 1e309}'])
        case.label = f"{topic} customer={weird[:30]}"
        body = dumps(payload).replace(b'"@@"', weird.encode())
    else:
        payload["id"] = "@@"
        case.label = f"{topic} id={weird[:30]}"
        body = dumps(payload).replace(b'"@@"', weird.encode())
    case.body, case.headers = body, headers(topic, body)


def unicode_oddities(rng, case):
    payload = order(rng)
    kind = rng.randrange(9)
    topic, event, domain = "orders/create", None, DOMAIN
    if kind == 0:
        payload["note"] = "\ud800 lone surrogate"
        body = json.dumps(payload).encode()
    elif kind == 1:
        body = b"\xef\xbb\xbf" + dumps(payload)
    elif kind == 2:
        body = dumps(payload).replace(b'"Fuzz"', b'"\xff\xfe\xc0\xaf"')
    elif kind == 3:
        body = json.dumps(payload).encode("utf-16")
    elif kind == 4:
        payload["note"] = "\u202e\u200b\U0001f4a5 NUL:\u0000 \ufeff"
        body = dumps(payload)
    elif kind == 5:
        event = "évènement-✓-".encode() + uuid.uuid4().hex.encode()
        body = dumps(payload)
    elif kind == 6:
        topic = "orders/create\u200b"
        body = dumps(payload)
    elif kind == 7:
        domain = "сhaos-fuzz.myshopify.com"  # a Cyrillic "с"
        body = dumps(payload)
    else:
        body = dumps(payload)
    hdrs = headers(topic, body, domain=domain, event=event)
    if kind == 8:
        name = rng.choice(
            [b"X-Shopify-Event-Id", b"X-Shopify-Topic", b"X-Shopify-Webhook-Id", b"X-Shopify-Shop-Domain"]
        )
        name = rng.choice([name, b"X-Shopify-Triggered-At", b"X-Shopify-API-Version"])
        value = dict(hdrs)[name]
        hdrs = set_header(hdrs, name, value[:5] + b"\x00" + value[5:])
        case.label = f"NUL byte in {name.decode()}"
    else:
        case.label = UNICODE_LABELS[kind]
    case.body, case.headers = body, hdrs


def non_object(rng, case):
    body = rng.choice([b"[]", b"[1,2,3]", b'"order"', b"123", b"null", b"true", b"", b"   ", b"\n", b'[{"id":1}]'])
    case.label, case.body, case.headers = f"body {body[:12]!r}", body, headers(rng.choice(ORDER_TOPICS), body)


def deep_nesting(rng, case):
    depth = rng.choice([500, 5000, 50_000, 200_000])
    shape = rng.randrange(3)
    if shape == 0:
        body = b"[" * depth + b"]" * depth
    elif shape == 1:
        body = b'{"a":' * depth + b"1" + b"}" * depth
    else:
        body = b'{"id":' + b"[" * depth + b"1" + b"]" * depth + b"}"
    case.label, case.body = f"nesting depth {depth}, shape {shape}", body
    case.headers = headers(rng.choice(ORDER_TOPICS + PRIVACY_TOPICS), body)


def odd_topics(rng, case):
    topic = rng.choice(ODD_TOPICS)
    case.body = dumps(order(rng))
    case.label, case.headers = f"topic {topic[:30]!r}", headers(topic, case.body)


def odd_requests(rng, case):
    body = dumps(order(rng))
    hdrs = headers("orders/create", body)
    kind = rng.randrange(10)
    if kind == 0:
        case.method = rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
        case.label = f"method {case.method}"
    elif kind == 1:
        hdrs = set_header(hdrs, b"X-Shopify-Shop-Domain", rng.choice([b"nobody.myshopify.com", b"x" * 10_000]))
        case.label = "unknown shop"
    elif kind == 2:
        hdrs = set_header(hdrs, b"X-Shopify-Shop-Domain", DOMAIN.upper().encode())
        case.label = "shop domain in capitals"
    elif kind == 3:
        hdrs += [(f"X-Flood-{n}".encode(), b"1") for n in range(120)]
        case.label = "120 extra headers"
    elif kind == 4:
        hdrs += [(b"X-Long", b"y" * 70_000)]
        case.label = "a 70 kB header line"
    elif kind == 5:
        body, case.content_length = b"", rng.choice([b"abc", b"-5", b"1e3", b" "])
        case.label = f"Content-Length {case.content_length!r}, no body"
    elif kind == 6:
        content_type = rng.choice(CONTENT_TYPES)
        hdrs = set_header(hdrs, b"Content-Type", content_type)
        case.label = f"Content-Type {content_type!r}"
    elif kind == 7:
        hdrs = [(b"X-Shopify-Hmac-Sha256", sign(body, "nope").encode()), *hdrs]
        case.label = "two HMAC headers, the wrong one first"
    elif kind == 8:
        case.path = PATH + rng.choice(["?db=postgres", "?debug=assets", "?a=" + "b" * 3000])
        case.label = f"query string {case.path[len(PATH) :][:20]}"
    else:
        hdrs += [(b"Expect", b"100-continue")]
        case.chunked = rng.random() < 0.5
        case.label = f"Expect: 100-continue{' chunked' if case.chunked else ''}"
    case.body, case.headers = body, hdrs


def replays_and_mismatches(rng, case):
    payload = order(rng)
    topic = rng.choice(OTHER_TOPICS + ORDER_TOPICS)
    event = f"fuzz-replay-{rng.randrange(40)}".encode()  # shared by many cases: later ones are replays
    case.body = dumps(payload)
    case.label, case.headers = (
        f"{topic} with an order body, event {event.decode()}",
        headers(topic, case.body, event=event),
    )


CATEGORIES = [
    ("bad_hmac", 12, bad_hmac),
    ("missing_headers", 10, missing_headers),
    ("truncated_json", 11, truncated_json),
    ("huge_body", 2, huge_body),
    ("wrong_types", 20, wrong_types),
    ("unicode", 12, unicode_oddities),
    ("non_object", 7, non_object),
    ("deep_nesting", 3, deep_nesting),
    ("odd_topics", 7, odd_topics),
    ("odd_requests", 10, odd_requests),
    ("replays_mismatches", 6, replays_and_mismatches),
]


def build(index, seed):
    rng = random.Random(f"{seed}:{index}")
    name, _weight, builder = rng.choices(CATEGORIES, weights=[c[1] for c in CATEGORIES])[0]
    case = Case(index, name, "")
    builder(rng, case)
    return case
