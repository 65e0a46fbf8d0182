"""The event source netops.cn2_apstra.sriov_networks, run in-process (loaded as ansible-rulebook loads it, from the
collection on a collections path) against the Kubernetes emulator with its SR-IOV network operator.

To know that nothing more is coming, a test "settles": it creates one sentinel of each watched kind after its actions
and collects events until the three sentinels' events arrived; each kind's watch delivers in resourceVersion order,
so every event of the actions came before. Sentinel events are dropped."""

import asyncio
import json
import queue
import runpy
import threading
import time
from pathlib import Path

import pytest
import requests

from k8s_sim.server import start_server

REPO = Path(__file__).resolve().parents[2]
DEMO_CLUSTER = REPO / "tools" / "k8s_sim" / "seeds" / "demo.yml"
SOURCE = (
    "ansible_collections/netops/cn2_apstra/extensions/eda/plugins/event_source/sriov_networks.py"
)
OPT_IN = "cn2-apstra.netops.io/fabric"
NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/%s/network-attachment-definitions"
NETWORKS = "/apis/sriovnetwork.openshift.io/v1/namespaces/%s/sriovnetworks"
PODS = "/api/v1/namespaces/%s/pods"
MERGE = {"Content-Type": "application/merge-patch+json"}
WAIT = 60  # seconds: a generous bound on waiting for an event, never a speed expectation


@pytest.fixture(scope="module")
def cluster_server():
    # Short bookmark interval and a small history, so that resumes and 410 Expired show up quickly.
    server = start_server(str(DEMO_CLUSTER), port=0, bookmark_interval=0.1, history=60)
    yield server
    server.stop()


class Cluster:
    """The emulator, reset for one test, with the writes the tests make."""

    def __init__(self, server, kubeconfig):
        self.server = server
        self.url = server.url
        self.kubeconfig = kubeconfig
        self.sentinels = 0

    def call(self, method, path, body=None, headers=None, expect=(200, 201)):
        resp = requests.request(method, self.url + path, json=body, headers=headers, timeout=30)
        assert resp.status_code in expect, resp.text
        return resp.json()

    def nad(self, name, namespace="telco", opt_in=True, vlan=100, labels=None):
        meta = {
            "name": name,
            "annotations": {OPT_IN: "true"} if opt_in else {},
            "labels": labels or {},
        }
        config = json.dumps({"cniVersion": "1.0.0", "name": name, "type": "sriov", "vlan": vlan})
        return self.call(
            "POST",
            NADS % namespace,
            {
                "apiVersion": "k8s.cni.cncf.io/v1",
                "kind": "NetworkAttachmentDefinition",
                "metadata": meta,
                "spec": {"config": config},
            },
        )

    def sriov_network(self, name, namespace="sriov-network-operator", **spec):
        body = {
            "apiVersion": "sriovnetwork.openshift.io/v1",
            "kind": "SriovNetwork",
            "metadata": {"name": name, "annotations": {OPT_IN: "true"}},
            "spec": dict({"resourceName": "sriov_netdevice"}, **spec),
        }
        return self.call("POST", NETWORKS % namespace, body)

    def pod(self, name, networks, namespace="telco", node="worker-01"):
        spec = {"containers": [{"name": "app", "image": "registry.example/app:1"}]}
        if node:
            spec["nodeName"] = node
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "annotations": {"k8s.v1.cni.cncf.io/networks": networks}},
            "spec": spec,
        }
        return self.call("POST", PODS % namespace, body)

    def patch(self, path, body):
        return self.call("PATCH", path, body, headers=MERGE)

    def delete(self, path):
        return self.call("DELETE", path)

    def sentinel(self):
        """One change of each watched kind; returns their network names. (Named to sort last: a relist reports the
        differences in namespace/name order.)"""
        self.sentinels += 1
        names = [
            "zz-sentinel-nad-%d" % self.sentinels,
            "zz-sentinel-sn-%d" % self.sentinels,
            "zz-sentinel-pod-%d" % self.sentinels,
        ]
        self.nad(names[0])
        self.sriov_network(names[1], namespace="telco")
        self.pod(names[2], names[2], node="worker-08")
        return names


@pytest.fixture
def cluster(cluster_server, tmp_path):
    cluster_server.reset()
    return Cluster(cluster_server, cluster_server.write_kubeconfig(str(tmp_path / "kubeconfig")))


class SourceRun:
    """The source's main(queue, args) on its own event loop in a thread; events land in a thread-safe queue."""

    def __init__(self, module, args):
        self.events = queue.Queue()
        self.loop = asyncio.new_event_loop()
        self.task = None
        self.module = module
        self.args = args
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        sink = self.events

        class Bridge:  # what ansible-rulebook hands a source: something with an async put()
            @staticmethod
            async def put(event):
                sink.put(event)

        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(self.module["main"](Bridge(), self.args))
        try:
            self.loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # pylint: disable=broad-exception-caught  # reported to the test
            sink.put(exc)
        finally:
            self.loop.close()

    def next(self):
        """The next event that is not a sentinel's."""
        while True:
            event = self.events.get(timeout=WAIT)
            if isinstance(event, Exception):
                raise event
            if not str((event.get("network") or {}).get("name", "")).startswith("zz-sentinel-"):
                return event

    def settle(self, cluster):
        """Every event up to now (sentinels made after the test's writes mark the end of each kind's stream)."""
        names = cluster.sentinel()
        wanted = {
            ("NetworkAttachmentDefinition", names[0], "added"),
            ("SriovNetwork", names[1], "added"),
            ("NetworkAttachmentDefinition", names[2], "pods"),
        }
        out = []
        while wanted:
            event = self.events.get(timeout=WAIT)
            if isinstance(event, Exception):
                raise event
            network = event.get("network") or {}
            wanted.discard((network.get("kind"), network.get("name"), event.get("change")))
            if not str(network.get("name", "")).startswith("zz-sentinel-"):
                out.append(event)
        return out

    def stop(self):
        if self.task is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(30)


@pytest.fixture
def source(cluster, ansible_env):
    """start(**args) -> SourceRun of the collection's source, credentials from the test cluster's kubeconfig unless given."""
    path = Path(ansible_env["ANSIBLE_COLLECTIONS_PATH"]) / SOURCE
    runs = []

    def start(**args):
        args.setdefault("kubeconfig", cluster.kubeconfig)
        runs.append(SourceRun(runpy.run_path(str(path)), args))
        return runs[-1]

    yield start
    for run in runs:
        run.stop()


def brief(events):
    """{watched kind: [(network name, change)]}: each kind's stream is ordered, kinds interleave freely (pod changes
    come from the Pod watch)."""
    out = {}
    for event in events:
        stream = "Pod" if event["change"] in ("pods", "grace_expired") else event["network"]["kind"]
        out.setdefault(stream, []).append((event["network"]["name"], event["change"]))
    return out


def test_synced_then_one_event_per_change_that_matters(cluster, source):
    run = source()
    synced = run.next()
    assert synced == {"type": "synced", "cluster": cluster.url, "networks": 0, "pods": 0}

    cluster.nad("plain", opt_in=False)
    created = cluster.nad("ran-a", labels={"team": "ran"})
    path = NADS % "telco" + "/ran-a"
    cluster.patch(
        path,
        {"metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}}},
    )
    cluster.patch(
        path, {"spec": {"config": json.dumps(json.loads(created["spec"]["config"]), indent=2)}}
    )
    cluster.patch(path, {"metadata": {"labels": {"team": "core"}}})
    cluster.patch(NADS % "telco" + "/plain", {"metadata": {"labels": {"x": "y"}}})
    events = run.settle(cluster)
    assert brief(events) == {
        "NetworkAttachmentDefinition": [("ran-a", "added"), ("ran-a", "modified")]
    }
    added = events[0]
    assert (
        added["type"] == "sriov_network"
        and added["cluster"] == cluster.url
        and added["nodes"] == []
    )
    assert added["network"] == {
        "namespace": "telco",
        "name": "ran-a",
        "kind": "NetworkAttachmentDefinition",
    }
    assert added["object"] == {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "namespace": "telco",
            "name": "ran-a",
            "uid": created["metadata"]["uid"],
            "labels": {"team": "ran"},
            "annotations": {OPT_IN: "true"},
        },
        "spec": created["spec"],
    }
    assert events[1]["object"]["metadata"]["labels"] == {"team": "core"}

    # A SriovNetwork that opts in (the NAD the operator renders has no opt-in: the operator copies no annotation); the
    # operator's finalizer, bookkeeping annotation and status condition are no change; nor is a status write.
    cluster.sriov_network("ran-s", networkNamespace="telco", vlan=120)
    status = cluster.call("GET", NETWORKS % "sriov-network-operator" + "/ran-s")
    status["status"] = {"conditions": [dict(status["status"]["conditions"][0], message="seen")]}
    cluster.call("PUT", NETWORKS % "sriov-network-operator" + "/ran-s/status", status)
    cluster.patch(NETWORKS % "sriov-network-operator" + "/ran-s", {"spec": {"vlan": 121}})
    cluster.delete(NADS % "telco" + "/ran-a")
    cluster.delete(NETWORKS % "sriov-network-operator" + "/ran-s")
    assert brief(run.settle(cluster)) == {
        "SriovNetwork": [("ran-s", "added"), ("ran-s", "modified"), ("ran-s", "deleted")],
        "NetworkAttachmentDefinition": [("ran-a", "deleted")],
    }


def test_pods_give_their_nodes_and_pod_deletions_a_grace_expired(cluster, source):
    run = source(unbind_grace=0.5)
    assert run.next()["type"] == "synced"
    cluster.nad("ran-p")
    assert brief(run.settle(cluster)) == {
        "NetworkAttachmentDefinition": [("ran-p", "added")]
    }  # the NAD is known before its pods come
    cluster.pod("du-1", "ran-p", node="worker-01")
    cluster.pod(
        "du-2",
        json.dumps([{"name": "ran-p", "namespace": "telco", "interface": "net1"}]),
        namespace="default",
        node="worker-02",
    )
    cluster.pod("du-3", "telco/ran-p@net1, other", node="worker-01")
    cluster.pod("du-4", "ran-p", node=None)
    cluster.call(
        "PUT",
        PODS % "telco" + "/du-1/status",
        dict(cluster.call("GET", PODS % "telco" + "/du-1"), status={"phase": "Running"}),
    )
    cluster.patch(PODS % "telco" + "/du-1", {"metadata": {"labels": {"ready": "yes"}}})
    events = [e for e in run.settle(cluster) if e["change"] == "pods"]
    assert [
        (e["network"]["name"], e["pod"]["name"], e["pod"]["node"], e["pod"]["change"], e["nodes"])
        for e in events
    ] == [
        ("ran-p", "du-1", "worker-01", "added", ["worker-01"]),
        ("ran-p", "du-2", "worker-02", "added", ["worker-01", "worker-02"]),
        ("other", "du-3", "worker-01", "added", ["worker-01"]),
        ("ran-p", "du-3", "worker-01", "added", ["worker-01", "worker-02"]),
    ]
    assert (
        events[0]["object"]["metadata"]["name"] == "ran-p" and events[2]["object"] is None
    ), "no NAD telco/other exists"

    cluster.delete(
        PODS % "telco" + "/du-3"
    )  # worker-01 keeps ran-p through du-1: no grace for ran-p; other loses it
    cluster.delete(PODS % "default" + "/du-2")  # worker-02 leaves ran-p
    seen = []
    while sum(1 for e in seen if e["change"] == "grace_expired") < 2:
        seen.append(run.next())
    pods = [
        (e["network"]["name"], e["pod"]["name"], e["pod"]["change"], e["nodes"])
        for e in seen
        if e["change"] == "pods"
    ]
    assert pods == [
        ("other", "du-3", "deleted", []),
        ("ran-p", "du-3", "deleted", ["worker-01", "worker-02"]),
        ("ran-p", "du-2", "deleted", ["worker-01"]),
    ]
    grace = sorted(
        (e["network"]["name"], e["nodes"]) for e in seen if e["change"] == "grace_expired"
    )
    assert grace == [("other", []), ("ran-p", ["worker-01"])]
    assert all(
        e["type"] == "sriov_network" and e["network"]["kind"] == "NetworkAttachmentDefinition"
        for e in seen
    )
    assert run.settle(cluster) == [], "one grace_expired per network"


def test_watch_cut_mid_stream_loses_and_repeats_nothing(cluster, source, monkeypatch):
    cluster.server.faults.add(
        {
            "action": "cut_watch",
            "resource": "network-attachment-definitions",
            "after_events": 1,
            "times": 3,
        }
    )
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", cluster.kubeconfig)
    run = source(kubeconfig=None, backoff_initial=0.05, backoff_max=0.2)
    assert run.next()["type"] == "synced"
    for n in range(5):
        cluster.nad("n%d" % n, vlan=200 + n)
    events = run.settle(cluster)
    assert brief(events) == {
        "NetworkAttachmentDefinition": [("n%d" % n, "added") for n in range(5)]
    }
    assert [r["fired"] for r in cluster.server.faults.describe()] == [3]


def test_forced_410_on_a_watch_relists_without_repeating(cluster, source):
    cluster.nad("before")
    cluster.pod("p0", "before")
    cluster.server.faults.add({"action": "gone", "verb": "watch", "resource": "pods", "times": 1})
    run = source(backoff_initial=0.05, backoff_max=0.2)
    assert run.next() == {"type": "synced", "cluster": cluster.url, "networks": 1, "pods": 1}
    cluster.pod("p1", "before", node="worker-02")
    assert brief(run.settle(cluster)) == {"Pod": [("before", "pods")]}
    lists = [
        r
        for r in cluster.server.log.entries()
        if r.get("verb") == "list" and r.get("resource") == "pods"
    ]
    assert len(lists) == 2, "the 410 made the source list pods again"


def test_a_kind_the_cluster_does_not_serve_is_left_out(cluster, source):
    cluster.server.faults.add(
        [
            {
                "action": "error",
                "status": 404,
                "verb": "list",
                "resource": "sriovnetworks",
                "times": 1,
            },
            {"action": "latency", "seconds": 0, "verb": "watch", "resource": "sriovnetworks"},
        ]
    )  # counts watches
    run = source()
    assert run.next()["type"] == "synced"
    cluster.nad("still-watched")
    cluster.pod("p1", "still-watched")
    events = []
    while len(events) < 2:
        events.append(run.next())
    assert brief(events) == {
        "NetworkAttachmentDefinition": [("still-watched", "added")],
        "Pod": [("still-watched", "pods")],
    }
    assert [r["matched"] for r in cluster.server.faults.describe()] == [
        1,
        0,
    ], "one list, no watch of sriovnetworks"


def test_resume_after_the_history_expired_emits_only_the_differences(cluster, source):
    run = source(backoff_initial=0.05, backoff_max=0.2, watch_timeout=1)
    assert run.next()["type"] == "synced"
    for name in ("keep", "change-me", "drop-me"):
        cluster.nad(name)
    cluster.pod("p1", "keep", node="worker-01")
    assert brief(run.settle(cluster)) == {
        "NetworkAttachmentDefinition": [
            ("keep", "added"),
            ("change-me", "added"),
            ("drop-me", "added"),
        ],
        "Pod": [("keep", "pods")],
    }
    # Watches of NADs and pods fail from their next (re)connection on, while the cluster changes.
    outage = [
        {"action": "error", "status": 503, "verb": "watch", "resource": resource}
        for resource in ("network-attachment-definitions", "pods")
    ]
    cluster.server.faults.add(outage)
    wait_until(lambda: all(r["fired"] for r in cluster.server.faults.describe()))
    cluster.patch(
        NADS % "telco" + "/change-me",
        {"spec": {"config": '{"cniVersion":"1.0.0","type":"sriov","vlan":999}'}},
    )
    cluster.delete(NADS % "telco" + "/drop-me")
    cluster.nad("new-one")
    cluster.nad("ephemeral")
    cluster.delete(NADS % "telco" + "/ephemeral")
    cluster.delete(PODS % "telco" + "/p1")
    cluster.pod("p2", "keep", node="worker-03")
    for n in range(
        70
    ):  # more writes than the emulator's history of 60: the source's resourceVersions expire
        cluster.call(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c%d" % n}},
        )
    cluster.server.faults.clear()
    events = run.settle(cluster)
    assert brief(events) == {
        "NetworkAttachmentDefinition": [
            ("change-me", "modified"),
            ("drop-me", "deleted"),
            ("new-one", "added"),
        ],
        "Pod": [("keep", "pods"), ("keep", "pods")],
    }
    pods = [
        (e["pod"]["name"], e["pod"]["change"], e["nodes"]) for e in events if e["change"] == "pods"
    ]
    assert pods == [("p1", "deleted", []), ("p2", "added", ["worker-03"])]
    lists = [r["resource"] for r in cluster.server.log.entries() if r.get("verb") == "list"]
    assert lists.count("network-attachment-definitions") == 2 and lists.count("pods") == 2


def wait_until(condition):
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "condition not met in %s s" % WAIT
        time.sleep(0.05)


@pytest.mark.parametrize(
    "annotation, expected",
    [
        ("ran-a", [("telco", "ran-a")]),
        (" ran-a@net1 , other/ran-b , ran-a ", [("other", "ran-b"), ("telco", "ran-a")]),
        (
            '[{"name": "ran-a", "interface": "net1"}, {"name": "ran-b", "namespace": "other", "ips": ["10.0.0.5/24"]}]',
            [("other", "ran-b"), ("telco", "ran-a")],
        ),
        ('{"name": "ran-a"}', []),
        ("a/b/c", []),
        ("", []),
    ],
)
def test_pod_network_references(ansible_env, annotation, expected):
    module = runpy.run_path(str(Path(ansible_env["ANSIBLE_COLLECTIONS_PATH"]) / SOURCE))
    pod = {
        "metadata": {
            "namespace": "telco",
            "annotations": {"k8s.v1.cni.cncf.io/networks": annotation},
        }
    }
    assert module["pod_network_refs"](pod) == expected


class RecordingProxy:
    """An HTTP proxy that forwards nothing: it records the request lines it gets and answers 503."""

    def __init__(self):
        import http.server  # pylint: disable=import-outside-toplevel

        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                seen.append(self.path)
                body = json.dumps({"kind": "Status", "code": 503, "reason": "ServiceUnavailable"})
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy():
    server = RecordingProxy()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "no_proxy",
    [
        "*",
        "127.0.0.0/8",
        "127.0.0.1:{port}",
        "example.net, 127.0.0.1",
        "localhost,.example.net,127.0.0.1:{port}",
    ],
)
def test_no_proxy_bypasses_the_proxy_like_curl(cluster, source, proxy, no_proxy):
    port = cluster.url.rsplit(":", 1)[1]
    run = source(proxy=proxy.url, no_proxy=no_proxy.format(port=port))
    assert run.next()["type"] == "synced"
    assert proxy.seen == []


@pytest.mark.parametrize("no_proxy", ["", "example.net", "10.0.0.0/8", "127.0.0.1:1", "0.0.1"])
def test_other_hosts_go_through_the_proxy(cluster, source, proxy, no_proxy):
    run = source(proxy=proxy.url, no_proxy=no_proxy, backoff_initial=0.05, backoff_max=0.2)
    # the source asks the proxy for the cluster's URL (an absolute-form request), gets 503, and retries
    wait_until(lambda: any(path.startswith(cluster.url + "/apis/") for path in proxy.seen))
    assert run.thread.is_alive()
