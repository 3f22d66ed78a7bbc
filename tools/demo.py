"""Run the shopify_sync demo: simulator + Odoo + scenario + report.

Called by ``make demo`` (tools/run_demo.sh) with the virtualenv's Python.
"""

import argparse
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from demo_scenario import DEMO_CLIENT_ID, DEMO_DOMAIN, DEMO_SECRET, DEMO_TOKEN, Scenario  # noqa: E402
from processes import free_port, stop_process_group, wait_http  # noqa: E402


@contextmanager
def process(args, name, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        stop_process_group(proc, 20)
        log.close()
        print(f"[demo] {name} stopped")


def main():
    # SIGTERM unwinds like Ctrl-C, so that Odoo and the simulator are stopped too.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--once", action="store_true", help="exit after the scenario and its report")
    parser.add_argument("--keep", action="store_true", help="(handled by run_demo.sh) reuse the database")
    args = parser.parse_args()
    var = ROOT / ".cache"
    odoo_src = (ROOT / ".venv" / "odoo_src").read_text().strip()
    sim_port = free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    odoo_url = f"http://127.0.0.1:{args.port}"
    sim_cmd = [
        sys.executable,
        "-m",
        "shopify_simulator",
        "serve",
        "--port",
        str(sim_port),
        "--shop",
        DEMO_DOMAIN,
        "--token",
        DEMO_TOKEN,
        "--secret",
        DEMO_SECRET,
        "--client-id",
        DEMO_CLIENT_ID,
    ]
    odoo_cmd = [sys.executable, f"{odoo_src}/odoo-bin", "-c", args.conf, "-d", args.db]
    scenario = Scenario(args.conf, args.db, sim_url, odoo_url)
    scenario.configure_shop()
    with process(sim_cmd, "simulator", var / "simulator-demo.log"):
        wait_http(f"{sim_url}/_sim/health", 90)
        with process(odoo_cmd, "Odoo", var / "odoo-demo.out") as odoo:
            wait_http(f"{odoo_url}/web/login", 90)
            print(f"[demo] Odoo is up: {odoo_url}  (login admin / password admin)")
            print(f"[demo] Shopify simulator: {sim_url}   queue_job runner: workers=2")
            ok = scenario.run()
            if args.once:
                return 0 if ok else 1
            print(
                f"\n[demo] Browse {odoo_url}/odoo/action-shopify_sync.action_shopify_sync_job "
                "(admin / admin). Ctrl-C to stop."
            )
            try:
                while odoo.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                print()
            return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:  # a server that did not come up
        raise SystemExit(f"[demo] {exc}") from exc
