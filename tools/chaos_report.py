"""The printed table of tools/chaos.py (chaos/results.json holds every figure)."""

TITLES = {
    "kill": "1. kill -9 of Odoo workers",
    "pg": "2. PostgreSQL restart",
    "faults": "3. Shopify 429 / 500 / timeouts",
    "drop": "4. webhooks dropped + reconcile",
    "fuzz": "5. fuzzed / hostile webhooks",
    "storm": "6. duplicate storm through nginx",
    "node_kill": "7. kill -9 of a whole node",
    "rolling": "8. rolling restart of the nodes",
}


def size_text(name, result, sizes):
    if name == "kill":
        return f"{sizes['kill_orders']} orders, {len(result.get('kills', []))} kills"
    if name == "pg":
        return f"{sizes['pg_orders']} orders, {sizes['pg_outage']:g} s down"
    if name == "faults":
        return (
            f"{sizes['fault_orders']} orders, {sizes['fault_429_s']}s/{sizes['fault_500_s']}s/{sizes['fault_slow_s']}s"
        )
    if name == "drop":
        return f"{sizes['drop_orders']} orders, {sizes['drop_rate']:.0%} dropped"
    if name == "storm":
        return f"{sizes['storm_events']} x {sizes['storm_copies']}, {sizes['storm_senders']} senders"
    if name in ("node_kill", "rolling"):
        return f"{sizes[name + '_orders']} orders, 2 nodes"
    return f"{result.get('requests', sizes['fuzz'])} requests"


def print_table(results):
    sizes = results["sizes"]
    head = f"{'scenario':<34} {'size':<34} {'expect':>6} {'orders':>6} {'dup':>4} {'lost':>4} {'fail':>4}"
    head += f" {'sec':>7}  result"
    print("\n==== make chaos (" + results["mode"] + ") " + "=" * (len(head) - 20))
    print(head)
    for name, r in results["scenarios"].items():
        verdict = "skipped" if r.get("skipped") else "PASS" if r.get("ok") else "FAIL"
        cells = [r.get(k, "-") for k in ("expected", "orders", "duplicates", "lost", "failed_visible")]
        seconds = r.get("seconds")
        print(
            f"{TITLES[name]:<34} {size_text(name, r, sizes):<34} "
            + " ".join(f"{str(c):>{w}}" for c, w in zip(cells, (6, 6, 4, 4, 4), strict=True))
            + f" {seconds if seconds is not None else '-':>7}  {verdict}"
        )
        for line in r.get("notes", []):
            print(f"    {line}")
        for label, passed in (r.get("checks") or {}).items():
            if not passed:
                print(f"    check failed: {label}")
        for key in ("error", "skipped"):
            if r.get(key):
                print(f"    {key}: {r[key]}")
    for note in results.get("environment_notes", []):
        print(f"environment: {note}")
    print("=" * len(head))
