"""CLI: ``python -m shopify_simulator serve|send ...``."""

import argparse
import json
import signal
import sys
import threading

from . import ShopifySimulator, WebhookSender


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m shopify_simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the Admin API and the /_sim control API")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--shop", default="demo-shop.myshopify.com")
    serve.add_argument("--token", default="shpat_test")
    serve.add_argument("--secret", default="whsec_test")
    serve.add_argument("--api-version", default="2026-01")
    serve.add_argument("--restore-rate", type=float, default=100)
    serve.add_argument("--seed-demo", action="store_true", help="seed a few customers, products and orders")
    send = sub.add_parser("send", help="sign and POST one webhook")
    send.add_argument("--url", required=True)
    send.add_argument("--topic", required=True)
    send.add_argument("--file", required=True, help="JSON payload file")
    send.add_argument("--shop", required=True)
    send.add_argument("--secret", required=True)
    send.add_argument("--copies", type=int, default=1)
    send.add_argument("--concurrent", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "serve":
        sim = ShopifySimulator(
            args.shop, args.token, args.secret, args.api_version, port=args.port, restore_rate=args.restore_rate
        ).start()
        if args.seed_demo:
            sim.generate(customers=3, products=3, orders=5)
        print(f"Shopify simulator for {args.shop} on {sim.base_url}", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_a: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        sim.stop()
        return 0
    sender = WebhookSender(args.url, args.shop, args.secret)
    with open(args.file, "rb") as handle:
        payload = json.load(handle)
    if args.concurrent:
        results = sender.send_concurrent(args.topic, payload, copies=args.copies)
    else:
        results = sender.send_duplicate(args.topic, payload, copies=args.copies)
    for delivery in results:
        print(delivery)
    return 0 if all(d.ok for d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
