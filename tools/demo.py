"""Run the shopify_sync demo: simulator + Odoo (one node, or two behind nginx) + scenario + report.

Called by ``make demo`` (tools/run_demo.sh) as ``python -m tools.demo`` with the virtualenv's Python.
"""

import argparse
import signal
import sys
import time

from tools.demo_history import HISTORY_DOMAIN, HISTORY_SECRET, HISTORY_TOKEN
from tools.demo_scenario import DEMO_CLIENT_ID, DEMO_DOMAIN, DEMO_SECRET, DEMO_TOKEN, Scenario
from tools.demo_second_store import EU_CLIENT_ID, EU_DOMAIN, EU_SECRET, EU_TOKEN
from tools.harness import nginx
from tools.harness.deploy import Deployment
from tools.harness.paths import VAR
from tools.harness.simulator import Simulators


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--once", action="store_true", help="exit after the scenario and its report")
    parser.add_argument("--keep", action="store_true", help="(handled by run_demo.sh) reuse the database")
    parser.add_argument("--cluster", action="store_true", help="two Odoo nodes behind nginx on --port")
    return parser.parse_args()


def main():
    # SIGTERM unwinds like Ctrl-C, so that Odoo and the simulator are stopped too.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    args = parse_args()
    var = VAR / "demo"
    var.mkdir(parents=True, exist_ok=True)
    # nginx in front, as docs/DEPLOYMENT.md sets Odoo up: the web client's websocket goes to the
    # gevent port, which a prefork node does not serve on its HTTP port.
    front = nginx.ensure_installed() is not None
    if not front:
        print("[demo] nginx could not be installed: Odoo serves the port itself, without the live websocket")
    odoo = Deployment(args.conf, args.db, args.port, var, nodes=2 if args.cluster else 1, front=front)
    sims = Simulators(var)
    scenario = Scenario(args.conf, args.db, odoo.url)
    scenario.configure_shop()
    try:
        sim_url = sims.start(
            DEMO_DOMAIN, DEMO_TOKEN, DEMO_SECRET, log_name="simulator-demo.log", client_id=DEMO_CLIENT_ID
        )
        eu_url = sims.start(EU_DOMAIN, EU_TOKEN, EU_SECRET, log_name="simulator-demo-eu.log", client_id=EU_CLIENT_ID)
        history_url = sims.start(HISTORY_DOMAIN, HISTORY_TOKEN, HISTORY_SECRET, log_name="simulator-demo-history.log")
        try:
            odoo.start()
            print(f"[demo] Odoo is up: {odoo.url}  (login admin / password admin)")
            if odoo.fronted:
                print(f"[demo] {odoo.shape}")
            print(f"[demo] Shopify simulator: {sim_url}   queue_job runner: workers=2")
            ok = scenario.run(sim_url, eu_url, history_url)
            if odoo.cluster:
                print(f"[demo] requests per node (nginx): {odoo.requests_by_node()}")
            if not args.once:
                # The Sync Jobs menu opens on the failures only: the card's Sync jobs lists every job.
                print(
                    f"\n[demo] Browse {odoo.url}/odoo/action-shopify_sync.action_shopify_overview "
                    "(admin / admin): a card per shop, its Sync jobs link lists every job. Ctrl-C to stop."
                )
                wait_for_interrupt(odoo)
            return 0 if ok else 1
        finally:
            odoo.stop()
            print("[demo] Odoo stopped")
    finally:
        sims.stop()
        print("[demo] simulator stopped")


def wait_for_interrupt(odoo):
    try:
        while True:
            odoo.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        print()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:  # a server that did not come up
        raise SystemExit(f"[demo] {exc}") from exc
