"""Scenario 5 of tools/chaos.py: fuzzed and hostile requests against POST /shopify_sync/webhook.

Case ``i`` of a run is drawn by ``random.Random(f"{seed}:{i}")`` alone, so any
case can be rebuilt and sent again on its own:

    .venv/bin/python -m tools.chaos_fuzz --port 8369 --case 1234 [--seed 20261125]

against an Odoo serving the chaos database (which holds the chaos-fuzz shop),
e.g. ``.venv/bin/python $ODOO_SRC/odoo-bin -c .cache/odoo-chaos.conf -d
shopify_sync_chaos`` after a run.  Requests are written on a raw socket:
headers Python's HTTP clients refuse (NUL bytes, UTF-8, floods) go out as
given, and a client that sees an early answer (413) stops sending the body.
"""

import argparse
import re
import select
import socket
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools.chaos_fuzz_cases import build
from tools.harness import jobs, records


# -- the wire ---------------------------------------------------------------------------------
def request_bytes(case, port):
    head = [f"{case.method} {case.path} HTTP/1.1".encode(), f"Host: 127.0.0.1:{port}".encode(), b"Connection: close"]
    body = case.body
    if case.chunked:
        head.append(b"Transfer-Encoding: chunked")
        parts = [body[i : i + 65536] for i in range(0, len(body), 65536)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    else:
        head.append(b"Content-Length: " + (case.content_length or str(len(body)).encode()))
    head += [name + b": " + value for name, value in case.headers]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def status_of(response):
    """The final (non-1xx) status code in ``response``, or None."""
    for line in response.split(b"\r\n"):
        parts = line.split()
        if line.startswith(b"HTTP/1.") and len(parts) >= 2 and parts[1].isdigit() and not parts[1].startswith(b"1"):
            return int(parts[1])
    return None


def exchange(case, port, timeout=60):
    """Send ``case``; return (status or None, error or None). Stops sending at an early final answer."""
    data, response, sent = request_bytes(case, port), b"", 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.settimeout(timeout)
            while sent < len(data):
                readable, writable, _ = select.select([sock], [sock], [], timeout)
                if readable:
                    got = sock.recv(65536)
                    response += got
                    if got and status_of(response) is None:
                        continue  # an interim "100 Continue": keep sending
                    break
                if not writable:
                    raise TimeoutError("the server took nothing for a minute")
                try:
                    sent += sock.send(data[sent : sent + 262144])
                except (BrokenPipeError, ConnectionResetError):
                    # The server answered early (e.g. 413 from Content-Length) and closed
                    # before the body was all sent: its answer may still be readable.
                    break
            while got := sock.recv(65536):
                response += got
    except OSError as exc:
        status = status_of(response)
        return status, None if status else f"{type(exc).__name__}: {exc}"
    status = status_of(response)
    return status, None if status else "connection closed without an answer"


# -- what Odoo logged -------------------------------------------------------------------------------
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ ([\w.]+): ", re.MULTILINE)
VARYING = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+")


def log_errors(path, offset):
    """The ERROR/CRITICAL records Odoo logged after ``offset``: (their text, {"logger: last line": count}).

    Numbers and uuids in the last line are replaced by N, so that one kind of error is counted once:
    odoo.http records are requests answered 500, queue_job's are jobs that failed.
    """
    if not path or not Path(path).exists():
        return "", {}
    with open(path, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    starts = [(m.start(), m.group(1), m.group(2)) for m in LOG_RECORD.finditer(text)] + [(len(text), "", "")]
    records, kinds = [], Counter()
    for (begin, level, logger), (end, _level, _logger) in zip(starts, starts[1:], strict=False):
        if level not in ("ERROR", "CRITICAL"):
            continue
        record = text[begin:end]
        records.append(record)
        lines = record.strip().splitlines()
        last = lines[-1] if len(lines) > 1 else lines[0].split(f"{logger}: ", 1)[-1]
        kinds[f"{logger}: {VARYING.sub('N', last)[:160]}"] += 1
    return "".join(records), dict(kinds.most_common())


def log_size(path):
    return Path(path).stat().st_size if path and Path(path).exists() else 0


# -- the scenario -----------------------------------------------------------------------------------
def fuzz_webhooks(h, shop):
    """``fuzz`` hostile requests, 4 at a time; then: no 5xx, no record created, nothing accepted and lost."""
    since = h.probe.one("SELECT now() AT TIME ZONE 'utc'")[0]
    restarts_before = len(h.services.restarts)
    offsets = {path: log_size(path) for path in h.services.logs()}
    started = time.monotonic()
    sent = _send_cases(h.sizes["fuzz"], h.sizes["seed"], h.args.port)
    send_seconds = time.monotonic() - started
    h.log(f"fuzz: {sent['count']} requests in {send_seconds:.0f} s: {dict(sent['statuses'])}; waiting for the jobs")
    settled = h.settle(shop, [], label="fuzz jobs", timeout=300)
    # Other shops' orders may still be syncing (a scenario that broke): count this shop's records, and
    # any sale order created meanwhile without a shop.
    created = h.probe.run(records.records_created, shop.shop_id, since)
    # Lost: an accepted event that ended neither done, merged, ignored nor as a visible failure
    # (sync job failed or needing action), once nothing is left to run.
    stuck = h.probe.run(jobs.stuck_deliveries, shop.shop_id)
    errors, error_kinds = "", {}
    if len(h.services.restarts) == restarts_before:  # (otherwise the log was replaced meanwhile)
        errors, error_kinds = _errors_since(offsets)
    if errors:
        (h.var / "fuzz-odoo-errors.log").write_text(errors)
    statuses = sent["statuses"]
    five = sum(n for s, n in statuses.items() if s.startswith("5"))
    other = sum(n for s, n in statuses.items() if not s.startswith(("2", "4", "5")))
    result = h.outcome(
        shop,
        [],
        [],
        time.monotonic() - started if settled is not None else None,
        checks={
            "no 5xx answer": five == 0,
            "no connection error or other status": other == 0,
            "no Odoo record created (sale orders, partners, products)": not any(created.values()),
            "Odoo workers alive": len(h.services.workers()) >= 2,
            "every accepted event done, merged, ignored or visibly failed": not stuck,
        },
        requests=sent["count"],
        send_seconds=round(send_seconds, 1),
        statuses=dict(statuses),
        statuses_by_category={k: dict(v) for k, v in sorted(sent["by_category"].items())},
        answers_5xx=five,
        answers_not_4xx_2xx_5xx=other,
        records_created=created,
        deliveries_recorded=h.probe.run(jobs.delivery_states, shop.shop_id),
        bad_answers=sent["examples"],
        odoo_errors_logged=error_kinds,
        lost_deliveries=[
            {"delivery": d, "topic": t, "resource": f"{rt}:{rid}", "queue_job": qs, "exception": exc}
            for d, t, rt, rid, qs, exc in stuck[:20]
        ],
    )
    result["lost"] = len(stuck)
    result["checks"]["nothing lost"] = not stuck
    result["ok"] = all(result["checks"].values())
    result["notes"] = _notes(result, sent, error_kinds, h.var)
    return result


def _send_cases(count, seed, port):
    """Send cases 0..count-1; their statuses, by category too, and up to 40 examples of bad answers."""
    statuses, by_category, examples = Counter(), defaultdict(Counter), []

    def one(index):
        case = build(index, seed)
        status, error = exchange(case, port)
        return case, status, error

    with ThreadPoolExecutor(max_workers=4) as pool:
        for case, status, error in pool.map(one, range(count)):
            outcome = str(status) if status else "no answer"
            statuses[outcome] += 1
            by_category[case.category][outcome] += 1
            bad = status is None or not (200 <= status < 300 or 400 <= status < 500)
            if bad and len(examples) < 40:
                examples.append(
                    {"case": case.index, "category": case.category, "label": case.label, "status": status}
                    | {"error": error, "body_bytes": len(case.body)}
                )
    return {"count": count, "statuses": statuses, "by_category": by_category, "examples": examples}


def _errors_since(offsets):
    """The ERROR/CRITICAL records of every Odoo log after its offset, and their kinds, all logs together."""
    texts, kinds = [], Counter()
    for path, offset in offsets.items():
        text, found = log_errors(path, offset)
        texts.append(text)
        kinds.update(found)
    return "".join(texts), dict(kinds.most_common())


def _notes(result, sent, error_kinds, var):
    examples = sent["examples"]
    notes = [f"statuses: {', '.join(f'{k}: {v}' for k, v in sorted(sent['statuses'].items()))}"]
    notes += [f"case {e['case']} ({e['category']}: {e['label']}) -> {e['status'] or e['error']}" for e in examples[:8]]
    if result["lost"]:
        notes.append(
            f"{result['lost']} accepted event(s) left neither done nor visibly failed: "
            + "; ".join(
                f"{x['topic']} {x['resource']} (queue job {x['queue_job']}, {x['exception']})"
                for x in result["lost_deliveries"][:3]
            )
        )
    if error_kinds:
        notes.append(f"Odoo logged {sum(error_kinds.values())} error(s) meanwhile ({var / 'fuzz-odoo-errors.log'})")
    return notes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--case", type=int, action="append", required=True, help="case index (repeatable)")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    for index in args.case:
        case = build(index, args.seed)
        status, error = exchange(case, args.port)
        print(f"case {index} [{case.category}] {case.label}: {len(case.body)} bytes -> {status or error}")
        print("  " + request_bytes(case, args.port)[:600].decode("latin-1").replace("\r\n", "\n  "))


if __name__ == "__main__":
    main()
