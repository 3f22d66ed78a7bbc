"""nginx in front of N Odoo nodes: the Debian package, a config of the run's own, its access log.

The config is the one docs/DEPLOYMENT.md shows: Odoo's proxy settings
(X-Forwarded-* headers for proxy_mode), at most as many connections to a node
as its listen queue holds, a
body limit above the webhook door's 2 MiB cap, webhook timeouts well under
Shopify's 5 s, a webhook retried on the other node when one refuses it, and
an access log that names the node of each request.
"""

import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from .procs import Process, wait_http

NGINX = "/usr/sbin/nginx"

CONFIG = """\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 4096; }}

http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    log_format nodes '$upstream_addr $status $request_uri';

    upstream odoo {{
{servers}
    }}
    upstream odoochat {{
{gevent_servers}
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    server {{
        listen 127.0.0.1:{port} backlog=4096;
        access_log {prefix}/access.log nodes;
        # Odoo's proxy_mode reads these; the webhook door caps bodies at 2 MiB.  (A prefork
        # Odoo answers in HTTP/1.0 and closes: no keep-alive to the nodes.)
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Real-IP $remote_addr;
        client_max_body_size 4m;
        proxy_buffering on;
        proxy_connect_timeout 1s;
        proxy_send_timeout 720s;
        proxy_read_timeout 720s;

        location /shopify_sync/webhook {{
            # Shopify gives up after 5 s: answer or fail well before.  A webhook is
            # idempotent (its event id), so a node that refuses it hands it to the other.
            proxy_connect_timeout {webhook_connect};
            proxy_send_timeout 4s;
            proxy_read_timeout 4s;
            proxy_next_upstream error http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_pass http://odoo;
        }}
        location /websocket {{
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_pass http://odoochat;
        }}
        location / {{
            proxy_next_upstream error http_502 http_503;
            proxy_pass http://odoo;
        }}
    }}
}}
"""


def ensure_installed():
    """The nginx binary, installed from the Debian package when missing; None when it cannot be."""
    if Path(NGINX).exists():
        return NGINX
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print("[harness] installing nginx (Debian package)", flush=True)
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"]):
        done = subprocess.run(sudo + cmd, env=env, capture_output=True, text=True, check=False, timeout=600)
        if done.returncode:
            print(f"[harness] {' '.join(cmd)} failed: {done.stderr.strip()[-400:]}", flush=True)
            return None
    return NGINX if Path(NGINX).exists() else shutil.which("nginx")


def render(port, nodes, prefix, workers=2, down=()):
    """The config text: ``nodes`` is [(http port, gevent port)], each with ``workers`` HTTP workers.

    An Odoo node in prefork mode listens with a backlog of 8 x workers, and
    the kernel queues one more: ``max_conns`` keeps nginx's connections to a
    node within what that queue holds, so that no connection to it is ever
    dropped; a node at its limit is skipped for the other one.
    """
    max_conns = 8 * workers + 1
    if len(nodes) > 1:
        # A node at its limit, or failing, is skipped for another within 1 s.
        limits, webhook_connect = f" max_conns={max_conns} max_fails=1 fail_timeout=2s", "1s"
    else:
        # A lone node has no other: nginx neither caps nor marks it down (either would turn a
        # burst into "no live upstreams" 502s); a connection the node's queue cannot take yet
        # is retried by the kernel after 1 s, inside the webhook's 3 s connect timeout.
        limits, webhook_connect = " max_fails=0", "3s"
    servers = "\n".join(
        f"        server 127.0.0.1:{http}{limits}" + (" down;" if http in down else ";") for http, _gevent in nodes
    )
    gevent = "\n".join(f"        server 127.0.0.1:{gevent};" for _http, gevent in nodes)
    return CONFIG.format(
        prefix=prefix, port=port, servers=servers, gevent_servers=gevent, webhook_connect=webhook_connect
    )


class Nginx:
    """nginx on ``port`` proxying to ``nodes`` [(http port, gevent port)], all its files in ``prefix``."""

    def __init__(self, port, nodes, prefix):
        self.port, self.nodes, self.prefix = port, nodes, Path(prefix)
        self.process = None
        self.down = set()

    @property
    def access_log(self):
        return self.prefix / "access.log"

    def start(self):
        binary = ensure_installed()
        if not binary:
            raise RuntimeError("nginx is not installed and could not be installed (apt-get)")
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        self.access_log.unlink(missing_ok=True)
        conf = self.write_conf()
        cmd = [binary, "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"]
        self.process = Process(cmd, self.prefix / "nginx.out", "nginx").start()
        deadline = time.monotonic() + 10
        while not Path(self.prefix / "nginx.pid").exists():
            if self.process.exited() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(self.prefix / 'nginx.out').read_text()[-400:]}")
            time.sleep(0.1)

    def write_conf(self):
        conf = self.prefix / "nginx.conf"
        conf.write_text(render(self.port, self.nodes, self.prefix, down=self.down))
        return conf

    def drain(self, http_port, drained=True):
        """Mark a node ``down`` (no new request goes to it) or back, and reload nginx (SIGHUP)."""
        (self.down.add if drained else self.down.discard)(http_port)
        self.write_conf()
        os.kill(self.process.pid, signal.SIGHUP)
        time.sleep(0.5)  # new worker processes take over

    def wait(self, timeout=120):
        wait_http(f"http://127.0.0.1:{self.port}/web/login", timeout)

    def check_alive(self):
        if self.process and self.process.exited() is not None:
            raise RuntimeError(f"nginx exited with code {self.process.exited()} (logs in {self.prefix})")

    def requests_by_node(self, path=None, since=0):
        """{node port: requests} of the access log after byte ``since`` (for ``path`` only, if given).

        A request retried on a second node names both ("127.0.0.1:a, 127.0.0.1:b"): it counts for the last.
        """
        if not self.access_log.exists():
            return {}
        with self.access_log.open("rb") as handle:
            handle.seek(since)
            lines = handle.read().decode(errors="replace").splitlines()
        split = Counter()
        for line in lines:
            upstreams, _status, uri = (line.rsplit(" ", 2) + ["", ""])[:3]
            if path and not uri.startswith(path):
                continue
            last = upstreams.split(",")[-1].strip()  # "-" when nginx answered itself
            split[last.rsplit(":", 1)[-1] if ":" in last else "none"] += 1
        return dict(split)

    def log_size(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def stop(self):
        if self.process:
            self.process.stop(10)
