"""Run the emulator: an aiohttp server on 127.0.0.1 in a background thread, plus the kubeconfig writer."""

import asyncio
import threading
from pathlib import Path

import yaml
from aiohttp import web

from sim_core.control import ControlApi
from sim_core.log import RequestLog

from .faults import fault_set
from .handlers import Handler
from .models import Store
from .cn2 import Cn2Controller
from .operators import SriovNetworkOperator
from .resources import CRD_DIR, load_crd_files, load_objects


class SimServer:
    """A running emulator: `url`, `store`, `faults`, `log`, `control` (the `/_sim/` API); `stop()`, `reset()`,
    `write_kubeconfig(path)`."""

    def __init__(
        self, store, token=None, host="127.0.0.1", port=0, seed=None, bookmark_interval=60.0
    ):
        self.store = store
        self.token = token
        self.bookmark_interval = bookmark_interval
        self.faults = fault_set(seed=seed)
        self.log = RequestLog()
        self.control = ControlApi(self.faults, self.log, reset=self._reset_store, state=self._state)
        self.closing = False
        self.url = None
        self._host = host
        self._port = port
        self._loop = None
        self._runner = None
        self._thread = None
        self._ready = threading.Event()
        self._error = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name="k8s-sim", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except OSError as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _serve(self):
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", Handler(self).handle)
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = "http://%s:%d" % (host, port)

    def _reset_store(self):
        self.store.reset()

    def _state(self):
        return self.store.snapshot()

    def reset(self):
        """Restore the seeded state; clear faults and the request log. Open watches end."""
        self.control.handle("POST", "/_sim/reset")

    def stop(self):
        if self._loop is None or self._loop.is_closed():
            return
        self.closing = True
        self.store.notify()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def kubeconfig(self, namespace="default"):
        user = {"token": self.token} if self.token else {}
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [{"name": "k8s-sim", "cluster": {"server": self.url}}],
            "users": [{"name": "k8s-sim", "user": user}],
            "contexts": [
                {
                    "name": "k8s-sim",
                    "context": {"cluster": "k8s-sim", "user": "k8s-sim", "namespace": namespace},
                }
            ],
            "current-context": "k8s-sim",
        }

    def write_kubeconfig(self, path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.kubeconfig(), sort_keys=False), encoding="utf-8")
        path.chmod(0o600)
        return str(path)


def start_server(
    seed_path,
    port=0,
    token=None,
    host="127.0.0.1",
    crds=(),
    history=20000,
    faults=(),
    seed=None,
    bookmark_interval=60.0,
    sriov_operator=True,
    sriov_operator_namespace="sriov-network-operator",
    sriov_resource_prefix="openshift.io",
    cluster_id="k8s-sim",
    cn2_controller=True,
    cn2_pod_subnet="10.244.0.0/16",
):
    """Serve the cluster seeded from `seed_path` (plus the CRDs in crds/ and `crds`); returns a started SimServer.

    `history` is how many events watches can resume from (older resourceVersions get 410 Expired); `faults` are
    initial fault rules and `seed` seeds the RNG behind their `probability` (default 0). `bookmark_interval` is the least time
    between two BOOKMARK events of a watch (the apiserver's is a minute). `sriov_operator` runs the SR-IOV network
    operator's SriovNetwork controller (operators.py) for `sriov_operator_namespace`, rendering resource names with
    `sriov_resource_prefix` (the operator's RESOURCE_PREFIX). `cluster_id` seeds the uids of the seeded objects (the
    kube-system namespace's uid is a cluster's identity): two servers with different ids are two clusters.
    `cn2_controller` runs CN2's part (cn2.py): each new pod's primary network (custom default pod networks) and the
    state of VirtualNetworks, Subnets and VirtualNetworkRouters; the cluster's default pod network is
    `contrail-k8s-kubemanager-<cluster_id>-contrail/default-podnetwork` on `cn2_pod_subnet`.
    """
    controllers = (
        [SriovNetworkOperator(sriov_operator_namespace, sriov_resource_prefix)]
        if sriov_operator
        else []
    )
    if cn2_controller:
        controllers.append(Cn2Controller(cluster_id, cn2_pod_subnet))
    store = Store(
        load_objects(seed_path) if seed_path else [],
        load_crd_files([CRD_DIR, *crds]),
        history=history,
        controllers=controllers,
        cluster_id=cluster_id,
    )
    server = SimServer(
        store, token=token, host=host, port=port, seed=seed, bookmark_interval=bookmark_interval
    )
    if faults:
        server.faults.add(list(faults))
    return server.start()
