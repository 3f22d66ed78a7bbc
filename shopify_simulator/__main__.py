"""CLI: ``python -m shopify_simulator serve|send ...``."""

import argparse
import json
import signal
import sys
import threading

from .server import ShopifySimulator
from .webhooks import WebhookSender


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m shopify_simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve", help="serve the Admin API and the /_sim control API until SIGINT/SIGTERM"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve.add_argument("--shop", default="demo-shop.myshopify.com")
    serve.add_argument("--token", default="shpat_test", help="the Admin API access token to accept")
    serve.add_argument(
        "--secret", default="whsec_test", help="the app's client secret (webhook HMAC key)"
    )
    serve.add_argument("--client-id", default="sim_client_id", help="the app's client ID (OAuth)")
    serve.add_argument("--api-version", default="2026-01")
    serve.add_argument(
        "--bucket-size", type=float, default=2000, help="cost points the bucket holds"
    )
    serve.add_argument(
        "--restore-rate", type=float, default=100, help="cost points restored per second"
    )
    serve.add_argument("--throttle-mode", choices=("graphql", "http429"), default="graphql")
    serve.add_argument(
        "--seed-demo", action="store_true", help="seed a few customers, products and orders"
    )
    send = sub.add_parser("send", help="sign and POST a webhook, as Shopify delivers it")
    send.add_argument("--url", required=True)
    send.add_argument("--topic", required=True)
    send.add_argument("--file", required=True, help="JSON payload file (sent as compact JSON)")
    send.add_argument("--shop", required=True)
    send.add_argument("--secret", required=True)
    send.add_argument("--api-version", default="2026-01")
    send.add_argument(
        "--copies", type=int, default=1, help="deliveries of the same event (same Event-Id)"
    )
    send.add_argument(
        "--concurrent", action="store_true", help="send the copies at once from threads"
    )
    send.add_argument("--event-id")
    send.add_argument("--bad-hmac", action="store_true", help="sign with a wrong key")
    return parser


def serve(args):
    sim = ShopifySimulator(
        args.shop,
        args.token,
        args.secret,
        args.api_version,
        port=args.port,
        host=args.host,
        bucket_size=args.bucket_size,
        restore_rate=args.restore_rate,
        throttle_mode=args.throttle_mode,
        client_id=args.client_id,
    ).start()
    if args.seed_demo:
        sim.generate(customers=3, products=3, orders=5)
    control = f"{sim.base_url}/_sim/"
    print(f"Shopify simulator for {args.shop}: {sim.graphql_url()}, control API {control}")
    sys.stdout.flush()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stop.set())
    while not stop.wait(0.5):
        pass
    sim.stop()
    return 0


def send(args):
    sender = WebhookSender(args.url, args.shop, args.secret, args.api_version)
    with open(args.file, "rb") as handle:
        payload = json.load(handle)
    options = {"event_id": args.event_id, "bad_hmac": args.bad_hmac}
    if args.concurrent:
        deliveries = sender.send_concurrent(args.topic, payload, copies=args.copies, **options)
    else:
        deliveries = sender.send_duplicate(args.topic, payload, copies=args.copies, **options)
    for delivery in deliveries:
        print(json.dumps(delivery.as_dict()), flush=True)
    return 0 if all(d.ok for d in deliveries) else 1


def main(argv=None):
    args = build_parser().parse_args(argv)
    return serve(args) if args.command == "serve" else send(args)


if __name__ == "__main__":
    sys.exit(main())
