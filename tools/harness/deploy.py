"""One Odoo node, or N nodes on one database behind nginx: one thing to start, watch and stop.

Single node (the default): the node listens on the public port with the run
script's config as it is; with ``front=True`` it is proxied by nginx as one
node of a cluster is, so that the web client's websocket reaches the node's
gevent port (docs/DEPLOYMENT.md).  Cluster: nginx listens on the public port and
proxies to ``nodes`` servers, each with the run script's config but its own
HTTP and gevent ports and its own log, each with workers=2 and its own
queue_job runner (queue_job elects one master runner per database with
pg_try_advisory_lock; the others wait, and one takes the lead when it dies).
Every runner asks for its jobs through nginx, so that jobs run on every node.
"""

import time
from pathlib import Path

from .nginx import Nginx
from .odoo import OdooNode, SupervisedNode, conf_value, derive_conf
from .procs import free_port, port_in_use


class Deployment:
    def __init__(self, conf, db, port, var, nodes=1, restart_delay=None, front=False):
        """``restart_delay``: None for unsupervised nodes, else seconds before a supervised node restarts.

        ``front``: nginx on the public port even for one node (a cluster always has it).
        """
        self.conf, self.db, self.port, self.var = conf, db, port, Path(var)
        self.cluster = nodes > 1
        self.fronted = self.cluster or front
        self.url = f"http://127.0.0.1:{port}"
        self.proxy = None
        self.nodes = []
        log = Path(conf_value(conf, "logfile") or self.var / "odoo.log")
        for index in range(1, nodes + 1):
            name, node_conf, node_port = "odoo", conf, port
            if self.fronted:
                name, node_port = f"node{index}", free_port()
                options = {"http_port": node_port, "gevent_port": free_port(), "proxy_mode": True}
                options["logfile"] = log.with_name(f"{log.stem}-{name}{log.suffix}")
                node_conf = derive_conf(conf, self.var / f"odoo-{name}.conf", options, {"port": port})
            self.nodes.append(self._node(node_conf, node_port, name, restart_delay))
        if self.fronted:
            ports = [(n.port, int(conf_value(n.conf, "gevent_port"))) for n in self.nodes]
            self.proxy = Nginx(port, ports, self.var / "nginx")

    def _node(self, conf, port, name, restart_delay):
        if restart_delay is None:
            return OdooNode(conf, self.db, port, self.var, name)
        return SupervisedNode(conf, self.db, port, self.var, name, restart_delay=restart_delay)

    @property
    def shape(self):
        if not self.fronted:
            return "one Odoo node"
        count = f"{len(self.nodes)} Odoo nodes" if self.cluster else "one Odoo node"
        return f"nginx on port {self.port} in front of {count} (ports {self.node_ports()})"

    def node_ports(self):
        return ", ".join(str(n.port) for n in self.nodes)

    def start(self):
        if self.fronted and port_in_use(self.port):
            raise RuntimeError(f"port {self.port} is in use")
        if self.proxy:
            self.proxy.start()
        for node in self.nodes:
            node.start()
        if self.proxy:
            self.proxy.wait()

    def stop(self):
        for node in self.nodes:
            node.stop()
        if self.proxy:
            self.proxy.stop()

    def rolling_restart(self, node, drain_s=1.0):
        """Restart one node the way a rolling deployment does: out of nginx, graceful restart, back in."""
        if self.proxy:
            self.proxy.drain(node.port)
            time.sleep(drain_s)  # requests in flight on the node finish
        try:
            node.restart()
        finally:
            if self.proxy:
                self.proxy.drain(node.port, drained=False)

    def check_alive(self):
        for node in self.nodes:
            node.check_alive()
        if self.proxy:
            self.proxy.check_alive()

    def serving(self):
        """Whether every node answers HTTP with its queue_job runner up."""
        return all(node.serving() for node in self.nodes)

    # -- what the nodes tell --------------------------------------------------------------------
    def workers(self):
        """{pid: worker class} of every node's live workers."""
        return {pid: kind for node in self.nodes for pid, kind in node.workers().items()}

    def log_count(self, text):
        return sum(node.log_count(text) for node in self.nodes)

    def logs(self):
        return [path for node in self.nodes for path in node.logs()]

    def runner_pids(self):
        return [pid for node in self.nodes for pid in node.runner_pids()]

    def pause_runners(self):
        for node in self.nodes:
            node.pause_runner()

    def resume_runners(self):
        for node in self.nodes:
            node.resume_runner()

    @property
    def restarts(self):
        return sorted((r for n in self.nodes for r in getattr(n, "restarts", [])), key=lambda r: r["monotonic"])

    def node_of(self, pid):
        """The node one of whose workers is ``pid``; None when none is."""
        return next((node for node in self.nodes if pid in node.workers()), None)

    def requests_by_node(self, since=0, path=None):
        """{node name: requests nginx sent it} since byte ``since`` of its access log (cluster only)."""
        if not self.proxy:
            return {}
        names = {str(n.port): n.name for n in self.nodes}
        return {names.get(k, k): v for k, v in self.proxy.requests_by_node(path, since).items()}

    def access_log_size(self):
        return self.proxy.log_size() if self.proxy else 0
