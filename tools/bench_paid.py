"""make bench, phase e2e_paid: the end-to-end measure once more, the shop invoicing *when paid*.

The bench shop gets the books of tools/harness/accounting.py and the invoice policy
*when paid* for this phase only (back to *never* afterwards, so that the storm measures
what it always measured). ``BENCH_PAID_ORDERS`` (default ``BENCH_ORDERS``) new orders, paid by card, are sent as
orders/create webhooks by ``BENCH_E2E_SENDERS`` senders; the clock stops when every one
has a posted invoice paid by its payment. Information, no target: ``e2e_paid_orders_per_s``.
"""

import os
import time

from tools.harness import accounting, jobs, keys
from tools.harness.load import Deliverer


def e2e_paid(bench):
    shop = bench.shop_id
    bench.orm.run(lambda env: accounting.configure_accounting(env, shop, "on_paid"))
    try:
        count = int(os.environ.get("BENCH_PAID_ORDERS") or bench.orders)
        orders = bench.sim.generate(orders=count, lines_per_order=3)["orders"]
        ids = [str(o["id"]) for o in orders]
        keys_ = keys.job_keys(shop, "order", ids) + keys.job_keys(shop, "order_payments", ids)
        bench.log(f"e2e_paid: {len(ids)} orders/create webhooks, invoiced when paid, {bench.e2e_senders} senders")
        deliverer = Deliverer("127.0.0.1", bench.args.port, bench.e2e_senders)
        started = time.monotonic()
        sender = deliverer.send_in_background([bench.request("orders/create", o) for o in orders])
        seconds = bench.wait_until(
            "e2e_paid",
            lambda: bench.db.run(accounting.paid_invoices, shop, ids) == len(ids),
            timeout=max(300, 4 * len(ids)),
            stalled=lambda: not sender.is_alive() and not bench.waiting(keys_),
        )
        elapsed = time.monotonic() - started if seconds is None else seconds
        sender.join()
    finally:
        bench.orm.run(lambda env: accounting.set_invoice_policy(env, shop, "never"))
    paid = bench.db.run(accounting.paid_invoices, shop, ids)
    payments = sum(bench.orm.run(lambda env: accounting.payments_by_journal(env, shop, ids)).values())
    r = bench.results
    r.update(
        e2e_paid_orders=len(ids),
        e2e_paid_invoices_paid=paid,
        e2e_paid_payments=payments,
        e2e_paid_seconds=round(elapsed, 2),
        e2e_paid_orders_per_s=paid / elapsed,
        e2e_paid_non_2xx=deliverer.non_2xx,
        **bench.db.run(jobs.stats_of_keys, keys_, "e2e_paid"),
    )
    if paid < len(ids):
        r["notes"].append(
            f"e2e_paid: only {paid} of {len(ids)} orders invoiced and paid; failures: {bench.failures(ids)}"
        )
    bench.log(f"e2e_paid: {paid} orders invoiced and paid ({payments} payments) in {elapsed:.1f} s")
