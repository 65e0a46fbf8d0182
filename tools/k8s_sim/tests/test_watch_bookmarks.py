"""Watch details that long-running watchers (the EDA source, informers) rely on: BOOKMARK events, 410 Expired for a
resourceVersion older than the kept history, a watch dropped by the server, and pods with nodes and Multus network
annotations; through raw HTTP, the kubernetes Python client and kubectl."""

import json
import subprocess

import pytest
import requests
import urllib3
from kubernetes import client as k8s_client, config, watch
from kubernetes.client.exceptions import ApiException

from k8s_sim.server import start_server
from sim_core.testing import DEMO_CLUSTER, KUBECTLS, kubectl_command

CMS = "/api/v1/namespaces/telco/configmaps"
WAIT = 60  # seconds: generous bound on waiting for a condition, never a speed expectation


@pytest.fixture(scope="module")
def server():
    # Short bookmark interval and history so that both show up in a test without waiting long.
    srv = start_server(str(DEMO_CLUSTER), port=0, bookmark_interval=0.05, history=10)
    yield srv
    srv.stop()


class Sim:
    """The emulator reset for one test: `url`, `store`, `faults`, `log`, and `kubeconfig` (a path) pointing at it."""

    def __init__(self, server, kubeconfig):
        self.server = server
        self.url, self.store, self.faults, self.log = (
            server.url,
            server.store,
            server.faults,
            server.log,
        )
        self.kubeconfig = kubeconfig


@pytest.fixture
def sim(server, tmp_path):
    server.reset()
    return Sim(server, server.write_kubeconfig(str(tmp_path / "kubeconfig")))


def configmap(name, namespace="telco"):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": {"k": "v"},
    }


def post(sim, path, body):
    resp = requests.post(sim.url + path, json=body, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()


class Watcher:
    """A raw watch read line by line (each read waits at most WAIT seconds)."""

    def __init__(self, sim, path, **params):
        self.resp = requests.get(
            sim.url + path, params=dict(params, watch="1"), stream=True, timeout=WAIT
        )
        self.lines = self.resp.iter_lines()

    def next(self, wanted=None):
        """The next event (of type `wanted`, skipping others), None once the stream ended."""
        for line in self.lines:
            event = json.loads(line) if line else None
            if event is not None and (wanted is None or event["type"] == wanted):
                return event
        return None

    def close(self):
        self.resp.close()


def test_bookmarks_after_initial_events_and_when_the_resume_point_moves(sim):
    listed = requests.get(sim.url + CMS, timeout=30).json()["metadata"]["resourceVersion"]
    post(sim, CMS, configmap("mine"))
    watcher = Watcher(sim, CMS, allowWatchBookmarks="true")
    try:
        first = watcher.next()
        assert first["type"] == "ADDED" and first["object"]["metadata"]["name"] == "mine"
        bookmark = watcher.next()
        assert bookmark["type"] == "BOOKMARK"
        assert int(bookmark["object"]["metadata"]["resourceVersion"]) > int(listed)
        assert bookmark["object"] == {
            "kind": "ConfigMap",
            "apiVersion": "v1",
            "metadata": {
                "resourceVersion": bookmark["object"]["metadata"]["resourceVersion"],
                "creationTimestamp": None,
            },
        }
        other = post(
            sim, "/api/v1/namespaces/default/configmaps", configmap("elsewhere", "default")
        )
        moved = watcher.next()
        assert (
            moved["type"] == "BOOKMARK"
            and moved["object"]["metadata"]["resourceVersion"]
            == other["metadata"]["resourceVersion"]
        )
        changed = post(sim, CMS, configmap("second"))
        event = watcher.next()
        assert (
            event["type"] == "ADDED"
            and event["object"]["metadata"]["resourceVersion"]
            == changed["metadata"]["resourceVersion"]
        )
    finally:
        watcher.close()


def test_bookmark_shapes_initial_events_end_and_no_bookmarks_unless_asked(sim):
    pods = "/api/v1/namespaces/telco/pods"
    watcher = Watcher(
        sim,
        pods,
        allowWatchBookmarks="true",
        sendInitialEvents="true",
        resourceVersionMatch="NotOlderThan",
        resourceVersion=sim.store.resource_version,
        timeoutSeconds="5",
    )
    bookmark = watcher.next("BOOKMARK")
    watcher.close()
    assert bookmark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert bookmark["object"]["spec"] == {"containers": None} and bookmark["object"]["status"] == {}
    nads = "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions"
    watcher = Watcher(sim, nads, allowWatchBookmarks="1", timeoutSeconds="5")
    assert set(watcher.next("BOOKMARK")["object"]) == {"apiVersion", "kind", "metadata"}
    watcher.close()
    watcher = Watcher(sim, CMS, timeoutSeconds="1")
    post(sim, "/api/v1/namespaces/default/configmaps", configmap("noise", "default"))
    assert watcher.next() is None, "without allowWatchBookmarks the stream only ends at its timeout"


def test_python_client_watch_sees_bookmarks_and_resumes_from_them(sim):
    core = k8s_client.CoreV1Api(config.new_client_from_config(sim.kubeconfig))
    stream = watch.Watch()
    seen = []
    post(sim, "/api/v1/namespaces/default/configmaps", configmap("before", "default"))
    for event in stream.stream(
        core.list_namespaced_config_map, "telco", allow_watch_bookmarks=True, timeout_seconds=5
    ):
        seen.append(event["type"])
        if event["type"] == "BOOKMARK":
            stream.stop()
    assert seen == ["BOOKMARK"]
    assert stream.resource_version == sim.store.resource_version


def test_too_old_resource_version_is_410_expired(sim):
    start = requests.get(sim.url + CMS, timeout=30).json()["metadata"]["resourceVersion"]
    for n in range(12):
        post(sim, CMS, configmap("c%d" % n))
    watcher = Watcher(sim, CMS, resourceVersion=start)
    error = watcher.next()
    watcher.close()
    assert error == {
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": error["object"]["message"],
            "reason": "Expired",
            "code": 410,
        },
    }
    assert error["object"]["message"].startswith("too old resource version: %s (" % start)
    core = k8s_client.CoreV1Api(config.new_client_from_config(sim.kubeconfig))
    with pytest.raises(ApiException) as info:
        list(watch.Watch().stream(core.list_namespaced_config_map, "telco", resource_version=start))
    assert info.value.status == 410 and "Expired" in info.value.reason
    recent = post(sim, CMS, configmap("recent"))["metadata"]["resourceVersion"]
    post(sim, CMS, configmap("after"))
    watcher = Watcher(sim, CMS, resourceVersion=recent)
    assert watcher.next()["object"]["metadata"]["name"] == "after"
    watcher.close()


def test_watch_cut_by_the_server(sim):
    core = k8s_client.CoreV1Api(config.new_client_from_config(sim.kubeconfig))
    sim.faults.add({"action": "cut_watch", "resource": "configmaps", "after_events": 1})
    post(sim, CMS, configmap("one"))
    post(sim, CMS, configmap("two"))
    seen = []
    with pytest.raises(urllib3.exceptions.ProtocolError):
        for event in watch.Watch().stream(
            core.list_namespaced_config_map, "telco", allow_watch_bookmarks=True
        ):
            seen.append(event["object"].metadata.name)
    assert seen == ["one"], "bookmarks do not count as events for after_events"


@pytest.mark.parametrize("kubectl", sorted(KUBECTLS))
def test_kubectl_get_watch_ends_when_the_server_drops_the_stream(kubectl, sim, tmp_path):
    binary, env = kubectl_command(kubectl, sim.kubeconfig, tmp_path)
    sim.faults.add({"action": "cut_watch", "resource": "nodes", "after_events": 1})
    proc = subprocess.Popen(
        [binary, "get", "nodes", "-w", "--output-watch-events"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # kubectl prints the listed nodes, then watches from the list's resourceVersion: changes made from here on reach it.
        listed = [proc.stdout.readline() for row in range(9)]
        merge = {"Content-Type": "application/merge-patch+json"}
        for name in ("worker-01", "worker-02"):
            requests.patch(
                sim.url + "/api/v1/nodes/" + name,
                json={"metadata": {"labels": {"x": "1"}}},
                headers=merge,
                timeout=30,
            )
        out, err = proc.communicate(timeout=WAIT)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    lines = [line.split()[:2] for line in (listed + out.splitlines())[1:]]
    assert lines == [["ADDED", "worker-0%d" % n] for n in range(1, 9)] + [["MODIFIED", "worker-01"]]


def test_pods_keep_node_and_network_annotations_and_delete_at_once(sim):
    core = k8s_client.CoreV1Api(config.new_client_from_config(sim.kubeconfig))
    forms = {
        "string": "ran-a, telco/ran-b@net2, other/ran-c",
        "json": json.dumps(
            [
                {"name": "ran-a", "interface": "net1"},
                {"name": "ran-b", "namespace": "telco", "ips": ["10.1.0.5/24"]},
            ]
        ),
    }
    for form, networks in forms.items():
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "du-" + form,
                "annotations": {"k8s.v1.cni.cncf.io/networks": networks},
            },
            "spec": {
                "nodeName": "worker-05",
                "containers": [
                    {
                        "name": "du",
                        "image": "registry.example/du:1",
                        "resources": {"limits": {"openshift.io/sriov_netdevice": "2"}},
                    }
                ],
            },
        }
        created = core.create_namespaced_pod("telco", pod)
        assert created.spec.node_name == "worker-05"
        assert created.metadata.annotations["k8s.v1.cni.cncf.io/networks"] == networks
    listed = core.list_namespaced_pod("telco", field_selector="spec.nodeName=worker-05").items
    assert sorted(p.metadata.name for p in listed) == ["du-json", "du-string"]
    deleted = core.delete_namespaced_pod("du-json", "telco", grace_period_seconds=30)
    assert deleted.metadata.deletion_timestamp is not None
    with pytest.raises(ApiException) as info:
        core.read_namespaced_pod("du-json", "telco")
    assert (
        info.value.status == 404
    ), "graceful deletion is immediate here (no kubelet to confirm it)"
