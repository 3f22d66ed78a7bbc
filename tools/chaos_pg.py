"""PostgreSQL control for the chaos runs' restart scenario: the run's own cluster, never the machine's."""

import os
import subprocess
import time

import psycopg2


def chaos_cluster(h):
    """(version, name) of the chaos cluster, after checking that it is the one serving the chaos database.

    The scenario stops this cluster: it must be the run's own (tools/run_chaos.sh), never the
    machine's main cluster on port 5432.
    """
    version, _sep, name = h.args.pg_cluster.partition("/")
    port = int(h.probe.one("SHOW port")[0])
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    listed = {(f[0], f[1]): int(f[2]) for f in (line.split() for line in out.splitlines()) if len(f) >= 4}
    if port == 5432 or port != h.args.pg_port or listed.get((version, name)) != port:
        raise RuntimeError(
            f"refusing to stop PostgreSQL: the chaos database is served on port {port}, "
            f"the chaos cluster {version}/{name} is on {listed.get((version, name))} (expected {h.args.pg_port})"
        )
    return version, name


def pg_ctl(version, name, action):
    cmd = ["pg_ctlcluster", version, name, action]
    if os.geteuid() != 0:
        cmd = ["sudo", "-n", *cmd]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode and not (action == "start" and "already running" in done.stderr + done.stdout):
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")


def watch_until_ready(h, seen):
    """Poll PostgreSQL until it accepts connections; ``seen['down_until']`` ends the last failed try."""
    while True:
        if pg_up(h):
            seen["ready"] = time.monotonic()
            return
        seen["down_until"] = time.monotonic()
        time.sleep(0.05)


def pg_up(h):
    try:
        psycopg2.connect(dbname=h.args.db, port=h.args.pg_port, connect_timeout=2).close()
        return True
    except psycopg2.OperationalError:
        return False
