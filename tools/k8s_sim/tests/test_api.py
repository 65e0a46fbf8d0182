"""Kubernetes emulator over plain HTTP: discovery, CRUD semantics, selectors, patches, dry run, auth, faults."""

import json

import pytest
import requests

NADS = "/apis/k8s.cni.cncf.io/v1/namespaces/telco/network-attachment-definitions"
CMS = "/api/v1/namespaces/telco/configmaps"
NODES = "/api/v1/nodes"


def nad(name, labels=None, config='{"type":"sriov"}'):
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"config": config},
    }


def configmap(name, data=None, labels=None):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels or {}},
        "data": data or {},
    }


class Api:
    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None, content_type="application/json", **params):
        data = None if body is None else json.dumps(body)
        return requests.request(
            method,
            self.url + path,
            data=data,
            params=params,
            headers={"Content-Type": content_type},
            timeout=10,
        )


@pytest.fixture
def api(k8s):
    return Api(k8s.url)


def test_discovery_lists_core_and_crd_resources(api):
    assert api.call("GET", "/api").json()["versions"] == ["v1"]
    core = {r["name"]: r for r in api.call("GET", "/api/v1").json()["resources"]}
    assert {
        "namespaces",
        "nodes",
        "pods",
        "configmaps",
        "secrets",
        "services",
        "nodes/status",
    } <= set(core)
    assert core["nodes"]["namespaced"] is False and core["configmaps"]["namespaced"] is True
    groups = {g["name"]: g for g in api.call("GET", "/apis").json()["groups"]}
    assert {
        "k8s.cni.cncf.io",
        "sriovnetwork.openshift.io",
        "nmstate.io",
        "core.contrail.juniper.net",
    } <= set(groups)
    assert groups["core.contrail.juniper.net"]["preferredVersion"]["version"] == "v4"
    sriov = {
        r["name"]: r
        for r in api.call("GET", "/apis/sriovnetwork.openshift.io/v1").json()["resources"]
    }
    assert sriov["sriovnetworknodestates"]["kind"] == "SriovNetworkNodeState"
    nns = api.call("GET", "/apis/nmstate.io/v1beta1").json()["resources"][0]
    assert (nns["name"], nns["namespaced"]) == ("nodenetworkstates", False)
    assert api.call("GET", "/version").json()["major"] == "1"
    assert api.call("GET", "/openapi/v2").json()["swagger"] == "2.0"
    index = api.call("GET", "/openapi/v3").json()["paths"]
    doc = api.call("GET", index["apis/k8s.cni.cncf.io/v1"]["serverRelativeURL"]).json()
    patch = doc["paths"][
        "/apis/k8s.cni.cncf.io/v1/namespaces/{namespace}/network-attachment-definitions/{name}"
    ]["patch"]
    assert "fieldValidation" in [p["name"] for p in patch["parameters"]]


def test_unknown_routes_are_404_status(api):
    for path in (
        "/apis/example.com/v1",
        "/api/v1/widgets",
        "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions/x",
        "/api/v1/namespaces/telco/configmaps/x/status",
    ):
        resp = api.call("GET", path)
        assert resp.status_code == 404, path
        assert resp.json()["kind"] == "Status"


def test_create_get_conflicts_and_stale_update(api, k8s):
    created = api.call("POST", NADS, nad("net1"))
    assert created.status_code == 201
    meta = created.json()["metadata"]
    assert (
        meta["uid"]
        and meta["creationTimestamp"]
        and meta["generation"] == 1
        and meta["namespace"] == "telco"
    )
    again = api.call("POST", NADS, nad("net1"))
    assert again.status_code == 409 and again.json()["reason"] == "AlreadyExists"
    assert (
        again.json()["message"]
        == 'network-attachment-definitions.k8s.cni.cncf.io "net1" already exists'
    )
    missing = api.call("GET", NADS + "/nope")
    assert (
        missing.status_code == 404
        and missing.json()["reason"] == "NotFound"
        and missing.json()["details"]["name"] == "nope"
    )

    current = api.call("GET", NADS + "/net1").json()
    changed = dict(current, spec={"config": '{"type":"sriov","vlan":10}'})
    updated = api.call("PUT", NADS + "/net1", changed)
    assert updated.status_code == 200
    assert int(updated.json()["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert updated.json()["metadata"]["generation"] == 2
    assert updated.json()["metadata"]["uid"] == meta["uid"]
    stale = api.call("PUT", NADS + "/net1", changed)
    assert stale.status_code == 409 and stale.json()["reason"] == "Conflict"
    unconditional = dict(changed, metadata={"name": "net1"})
    assert api.call("PUT", NADS + "/net1", unconditional).status_code == 422
    assert api.call("PUT", NADS + "/ghost", nad("ghost")).status_code == 404
    writes = [(w["method"], w["status"]) for w in k8s.writes()]
    assert writes == [
        ("POST", 201),
        ("POST", 409),
        ("PUT", 200),
        ("PUT", 409),
        ("PUT", 422),
        ("PUT", 404),
    ]


def test_no_op_update_keeps_resource_version(api):
    first = api.call("POST", CMS, configmap("cm1", {"a": "1"})).json()
    same = api.call(
        "PATCH", CMS + "/cm1", {"data": {"a": "1"}}, "application/merge-patch+json"
    ).json()
    assert same["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    other = api.call(
        "PATCH", CMS + "/cm1", {"data": {"a": "2"}}, "application/merge-patch+json"
    ).json()
    assert other["metadata"]["resourceVersion"] != first["metadata"]["resourceVersion"]
    assert "generation" not in other["metadata"]


def test_dry_run_writes_store_nothing(api, k8s):
    before = k8s.state()
    dry = api.call("POST", NADS, nad("ghost"), dryRun="All")
    assert (
        dry.status_code == 201
        and dry.json()["metadata"]["name"] == "ghost"
        and "resourceVersion" not in dry.json()["metadata"]
    )
    assert api.call("GET", NADS + "/ghost").status_code == 404
    bad = api.call("POST", NADS, dict(nad("bad"), spec={"config": 5}), dryRun="All")
    assert bad.status_code == 422 and "spec.config" in bad.json()["message"]
    node = api.call(
        "PATCH",
        NODES + "/worker-01",
        {"metadata": {"labels": {"x": "y"}}},
        "application/merge-patch+json",
        dryRun="All",
    )
    assert node.json()["metadata"]["labels"]["x"] == "y"
    assert api.call("DELETE", NODES + "/worker-01", dryRun="All").status_code == 200
    assert "x" not in api.call("GET", NODES + "/worker-01").json()["metadata"]["labels"]
    assert k8s.state() == before
    log = k8s.requests_log()
    assert [(r["write"], r["dry_run"]) for r in log if r["method"] != "GET"] == [(False, True)] * 4


def test_lists_carry_kind_and_honour_selectors(api):
    listing = api.call("GET", NODES).json()
    assert (
        listing["kind"] == "NodeList"
        and listing["apiVersion"] == "v1"
        and listing["metadata"]["resourceVersion"]
    )
    assert len(listing["items"]) == 8

    def names(path, **params):
        return [i["metadata"]["name"] for i in api.call("GET", path, **params).json()["items"]]

    sriov = "feature.node.kubernetes.io/network-sriov.capable"
    assert names(NODES, labelSelector=sriov + "=true") == ["worker-0%d" % n for n in range(1, 7)]
    assert names(NODES, labelSelector="!" + sriov) == ["worker-07", "worker-08"]
    assert names(NODES, labelSelector=sriov) == ["worker-0%d" % n for n in range(1, 7)]
    assert names(
        NODES,
        labelSelector="kubernetes.io/hostname in (worker-02,worker-07),node-role.kubernetes.io/worker",
    ) == ["worker-02", "worker-07"]
    assert (
        len(names(NODES, labelSelector="kubernetes.io/hostname notin (worker-02,worker-07)")) == 6
    )
    assert names(NODES, labelSelector="kubernetes.io/hostname!=worker-01," + sriov + "==true") == [
        "worker-0%d" % n for n in range(2, 7)
    ]
    assert names(NODES, fieldSelector="metadata.name=worker-05") == ["worker-05"]
    assert api.call("GET", NODES, labelSelector="a in b").status_code == 400
    assert api.call("GET", NODES, fieldSelector="spec.unschedulable=true").status_code == 400
    states = api.call("GET", "/apis/sriovnetwork.openshift.io/v1/sriovnetworknodestates").json()
    assert states["kind"] == "SriovNetworkNodeStateList" and len(states["items"]) == 6
    assert states["items"][0]["kind"] == "SriovNetworkNodeState"
    assert (
        names(
            "/apis/sriovnetwork.openshift.io/v1/sriovnetworknodestates",
            fieldSelector="metadata.namespace=telco",
        )
        == []
    )
    page = api.call("GET", NODES, limit="3").json()
    assert len(page["items"]) == 3 and page["metadata"]["remainingItemCount"] == 5
    rest = api.call("GET", NODES, limit="10", **{"continue": page["metadata"]["continue"]}).json()
    assert [i["metadata"]["name"] for i in rest["items"]] == ["worker-0%d" % n for n in range(4, 9)]


def test_patch_formats(api):
    api.call("POST", CMS, configmap("cm", {"a": "1", "b": "2"}, {"app": "x"}))
    merged = api.call(
        "PATCH", CMS + "/cm", {"data": {"a": None, "c": "3"}}, "application/merge-patch+json"
    ).json()
    assert merged["data"] == {"b": "2", "c": "3"}
    ops = [
        {"op": "add", "path": "/metadata/labels/tier", "value": "gold"},
        {"op": "remove", "path": "/data/b"},
        {"op": "test", "path": "/data/c", "value": "3"},
    ]
    patched = api.call("PATCH", CMS + "/cm", ops, "application/json-patch+json").json()
    assert patched["metadata"]["labels"] == {"app": "x", "tier": "gold"} and patched["data"] == {
        "c": "3"
    }
    failed = api.call(
        "PATCH",
        CMS + "/cm",
        [{"op": "test", "path": "/data/c", "value": "4"}],
        "application/json-patch+json",
    )
    assert failed.status_code == 422
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {"name": "a", "image": "busybox", "env": [{"name": "X", "value": "1"}]},
                {"name": "b", "image": "nginx"},
            ]
        },
    }
    assert api.call("POST", "/api/v1/namespaces/telco/pods", pod).status_code == 201
    smp = {
        "spec": {
            "containers": [
                {"name": "a", "env": [{"name": "Y", "value": "2"}]},
                {"name": "b", "$patch": "delete"},
            ]
        }
    }
    result = api.call(
        "PATCH", "/api/v1/namespaces/telco/pods/p", smp, "application/strategic-merge-patch+json"
    ).json()
    assert result["spec"]["containers"] == [
        {
            "name": "a",
            "image": "busybox",
            "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
        }
    ]
    api.call("POST", NADS, nad("n"))
    unsupported = api.call(
        "PATCH", NADS + "/n", {"spec": {"config": "{}"}}, "application/strategic-merge-patch+json"
    )
    assert unsupported.status_code == 415
    stale = api.call(
        "PATCH",
        CMS + "/cm",
        {"metadata": {"resourceVersion": "1"}, "data": {"z": "1"}},
        "application/merge-patch+json",
    )
    assert stale.status_code == 409
    assert (
        api.call("PATCH", CMS + "/nope", {"data": {}}, "application/merge-patch+json").status_code
        == 404
    )
    assert api.call("PATCH", CMS + "/cm", {"data": {}}, "text/plain").status_code == 415


def test_server_side_apply_creates_updates_and_detects_conflicts(api):
    body = nad("applied", {"team": "a"})
    assert (
        api.call("PATCH", NADS + "/applied", body, "application/apply-patch+yaml").status_code
        == 400
    )
    created = api.call(
        "PATCH", NADS + "/applied", body, "application/apply-patch+yaml", fieldManager="mgr-a"
    )
    assert created.status_code == 201
    assert created.json()["metadata"]["managedFields"][0]["manager"] == "mgr-a"
    rv = created.json()["metadata"]["resourceVersion"]
    again = api.call(
        "PATCH", NADS + "/applied", body, "application/apply-patch+yaml", fieldManager="mgr-a"
    )
    assert again.status_code == 200 and again.json()["metadata"]["resourceVersion"] == rv
    other = dict(nad("applied"), spec={"config": "{}"})
    clash = api.call(
        "PATCH", NADS + "/applied", other, "application/apply-patch+yaml", fieldManager="mgr-b"
    )
    assert clash.status_code == 409 and 'conflict with "mgr-a"' in clash.json()["message"]
    forced = api.call(
        "PATCH",
        NADS + "/applied",
        other,
        "application/apply-patch+yaml",
        fieldManager="mgr-b",
        force="true",
    )
    assert forced.status_code == 200 and forced.json()["spec"]["config"] == "{}"
    shrunk = {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": "applied"},
    }
    result = api.call(
        "PATCH", NADS + "/applied", shrunk, "application/apply-patch+yaml", fieldManager="mgr-a"
    ).json()
    assert "team" not in result["metadata"].get("labels", {}) and result["spec"]["config"] == "{}"
    dry = api.call(
        "PATCH",
        NADS + "/dry",
        nad("dry"),
        "application/apply-patch+yaml",
        fieldManager="m",
        dryRun="All",
    )
    assert dry.status_code == 201 and api.call("GET", NADS + "/dry").status_code == 404


def test_schema_validation_pruning_and_defaults(api):
    policies = "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov-network-operator/sriovnetworknodepolicies"
    policy = {
        "apiVersion": "sriovnetwork.openshift.io/v1",
        "kind": "SriovNetworkNodePolicy",
        "metadata": {"name": "p1"},
        "spec": {
            "resourceName": "sriov_netdevice",
            "numVfs": 8,
            "nodeSelector": {"a": "b"},
            "nicSelector": {"pfNames": ["ens1f0"]},
            "extra": True,
        },
    }
    strict = api.call("POST", policies, policy, fieldValidation="Strict")
    assert strict.status_code == 400 and 'unknown field "spec.extra"' in strict.json()["message"]
    created = api.call("POST", policies, policy)
    assert created.status_code == 201 and "extra" not in created.json()["spec"]
    assert created.json()["spec"]["deviceType"] == "netdevice"
    assert 'unknown field \\"spec.extra\\"' in created.headers["Warning"]
    network = {
        "apiVersion": "sriovnetwork.openshift.io/v1",
        "kind": "SriovNetwork",
        "metadata": {"name": "bad"},
        "spec": {"vlan": 5000, "trust": "maybe"},
    }
    invalid = api.call(
        "POST",
        "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov-network-operator/sriovnetworks",
        network,
    )
    assert invalid.status_code == 422
    causes = {c["field"] for c in invalid.json()["details"]["causes"]}
    assert causes == {"spec.vlan", "spec.trust", "spec.resourceName"}
    assert api.call("POST", CMS, configmap("Bad_Name")).status_code == 422
    assert api.call("POST", CMS, configmap("ok", labels={"k": "bad value"})).status_code == 422
    assert (
        api.call("POST", "/api/v1/namespaces/nowhere/configmaps", configmap("x")).status_code == 404
    )
    wrong_ns = dict(configmap("x"), metadata={"name": "x", "namespace": "default"})
    assert api.call("POST", CMS, wrong_ns).status_code == 400
    assert api.call("POST", CMS, nad("x")).status_code == 400


def test_status_subresource_and_cn2_versions(api):
    path = "/apis/nmstate.io/v1beta1/nodenetworkstates/worker-01"
    nns = api.call("GET", path).json()
    nns["status"]["currentState"] = {"interfaces": []}
    main = api.call("PUT", path, nns).json()
    assert main["status"]["currentState"][
        "interfaces"
    ], "status changes through the main resource are ignored"
    status = api.call("PUT", path + "/status", nns).json()
    assert status["status"]["currentState"] == {"interfaces": []}
    vn = {
        "apiVersion": "core.contrail.juniper.net/v1alpha1",
        "kind": "VirtualNetwork",
        "metadata": {"name": "vn1"},
        "spec": {"fabricSNAT": False},
        "status": {"state": "Success"},
    }
    created = api.call(
        "POST", "/apis/core.contrail.juniper.net/v1alpha1/namespaces/telco/virtualnetworks", vn
    ).json()
    assert "status" not in created
    again = api.call(
        "GET", "/apis/core.contrail.juniper.net/v4/namespaces/telco/virtualnetworks/vn1"
    ).json()
    assert again["apiVersion"] == "core.contrail.juniper.net/v4" and again["spec"] == {
        "fabricSNAT": False
    }


def test_namespace_deletion_removes_contents_and_finalizers_delay_delete(api):
    api.call(
        "POST",
        "/api/v1/namespaces",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "scratch"}},
    )
    api.call("POST", "/api/v1/namespaces/scratch/configmaps", configmap("c"))
    api.call(
        "POST",
        "/apis/k8s.cni.cncf.io/v1/namespaces/scratch/network-attachment-definitions",
        nad("n"),
    )
    deleted = api.call("DELETE", "/api/v1/namespaces/scratch").json()
    assert deleted["status"]["phase"] == "Terminating"
    assert api.call("GET", "/api/v1/namespaces/scratch").status_code == 404
    assert (
        api.call("GET", "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions").json()["items"]
        == []
    )
    held = configmap("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    api.call("POST", CMS, held)
    first = api.call("DELETE", CMS + "/held").json()
    assert first["metadata"]["deletionTimestamp"]
    assert api.call("GET", CMS + "/held").status_code == 200
    api.call(
        "PATCH", CMS + "/held", {"metadata": {"finalizers": None}}, "application/merge-patch+json"
    )
    assert api.call("GET", CMS + "/held").status_code == 404
    api.call("POST", CMS, configmap("x1", labels={"del": "yes"}))
    api.call("POST", CMS, configmap("x2", labels={"del": "no"}))
    api.call("DELETE", CMS, labelSelector="del=yes")
    assert [i["metadata"]["name"] for i in api.call("GET", CMS).json()["items"]] == ["x2"]


def test_raw_watch_streams_events_with_selectors(api):
    start = api.call("GET", CMS).json()["metadata"]["resourceVersion"]
    api.call("POST", CMS, configmap("w1", labels={"w": "1"}))
    api.call("POST", CMS, configmap("other"))
    api.call(
        "PATCH", CMS + "/w1", {"metadata": {"labels": {"w": "2"}}}, "application/merge-patch+json"
    )
    with requests.get(
        api.url + CMS,
        params={
            "watch": "1",
            "resourceVersion": start,
            "labelSelector": "w=1",
            "timeoutSeconds": "1",
        },
        stream=True,
        timeout=10,
    ) as resp:
        events = [json.loads(line) for line in resp.iter_lines() if line]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "w1"),
        ("DELETED", "w1"),
    ]
    with requests.get(
        api.url + CMS, params={"watch": "true", "timeoutSeconds": "1"}, stream=True, timeout=10
    ) as resp:
        initial = [json.loads(line) for line in resp.iter_lines() if line]
    assert sorted(e["object"]["metadata"]["name"] for e in initial) == ["other", "w1"]
    assert {e["type"] for e in initial} == {"ADDED"} and initial[0]["object"]["kind"] == "ConfigMap"
    with requests.get(
        api.url + CMS, params={"watch": "true", "resourceVersion": "5"}, stream=True, timeout=10
    ) as resp:
        expired = [json.loads(line) for line in resp.iter_lines() if line]
    assert expired[0]["type"] == "ERROR" and expired[0]["object"]["code"] == 410


def test_faults_and_request_log(api, k8s):
    k8s.faults(
        [
            {"action": "error", "verb": "list", "resource": "nodes", "nth": 2},
            {"action": "conflict", "resource": "configmaps"},
            {"action": "gone", "resource": "pods"},
            {"action": "latency", "seconds": 0.3, "path": "^/api/v1/namespaces$"},
        ]
    )
    assert api.call("GET", NODES).status_code == 200
    assert api.call("GET", NODES).status_code == 500
    assert api.call("GET", NODES).status_code == 200
    api.call("POST", CMS, configmap("c"))
    conflict = api.call("PATCH", CMS + "/c", {"data": {"a": "1"}}, "application/merge-patch+json")
    assert conflict.status_code == 409 and conflict.json()["reason"] == "Conflict"
    assert api.call("GET", "/api/v1/pods").json()["reason"] == "Expired"
    slow = api.call("GET", "/api/v1/namespaces")
    assert slow.status_code == 200 and slow.elapsed.total_seconds() >= 0.3
    described = k8s.control("GET", "faults")["rules"]
    assert described[0]["fired"] == 1 and described[0]["matched"] == 3
    k8s.control("DELETE", "faults")
    k8s.faults(
        {
            "seed": 7,
            "rules": [
                {
                    "action": "reset",
                    "verb": "get",
                    "resource": "configmaps",
                    "probability": 1.0,
                    "times": 1,
                }
            ],
        }
    )
    with pytest.raises(requests.ConnectionError):
        requests.get(api.url + CMS + "/c", timeout=5)
    assert api.call("GET", CMS + "/c").status_code == 200
    k8s.faults({"action": "cut_watch", "resource": "nodes", "after_events": 2})
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        with requests.get(api.url + NODES, params={"watch": "1"}, stream=True, timeout=5) as resp:
            list(resp.iter_lines())
    log = k8s.requests_log()
    # the emulator's time on the call and the size of its answer (sim_core's log): plausible, not compared
    assert log[0].pop("elapsed_ms") >= 0 and log[0].pop("bytes") > 0
    assert log[0] == {
        "method": "GET",
        "path": NODES,
        "query": {},
        "status": 200,
        "write": False,
        "dry_run": False,
        "verb": "list",
        "resource": "nodes",
    }
    assert [r["status"] for r in log[:3]] == [200, 500, 200]
    assert any(r["status"] == 0 and r["verb"] == "get" for r in log)
    assert api.call("POST", "/_sim/faults", {"action": "explode"}).status_code == 400
    k8s.clear_log()
    assert k8s.requests_log() == []


def test_bearer_token_auth(tmp_path):
    from k8s_sim.server import start_server  # pylint: disable=import-outside-toplevel

    server = start_server(None, token="s3cret")
    try:
        assert requests.get(server.url + "/api/v1/namespaces", timeout=5).status_code == 401
        ok = requests.get(
            server.url + "/api/v1/namespaces", headers={"Authorization": "Bearer s3cret"}, timeout=5
        )
        assert ok.status_code == 200 and ok.json()["items"] == []
        assert requests.get(server.url + "/_sim/state", timeout=5).status_code == 200
        assert requests.get(server.url + "/version", timeout=5).status_code == 200
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kc"))
        assert "token: s3cret" in open(kubeconfig, encoding="utf-8").read()
    finally:
        server.stop()


def test_reset_restores_seed(api, k8s):
    api.call("DELETE", NODES + "/worker-01")
    api.call("POST", CMS, configmap("temp"))
    assert api.call("GET", NODES + "/worker-01").status_code == 404
    k8s.reset()
    assert api.call("GET", NODES + "/worker-01").status_code == 200
    assert api.call("GET", CMS + "/temp").status_code == 404
    state = k8s.state()
    assert (
        len(state["objects"]["nodes"]) == 8
        and len(state["objects"]["nodenetworkstates.nmstate.io"]) == 8
    )


def test_a_watch_open_across_a_reset_ends_and_stays_out_of_the_new_log(k8s):
    with requests.get(k8s.url + NODES, params={"watch": "1"}, stream=True, timeout=30) as watch:
        lines = watch.iter_lines()
        assert json.loads(next(lines))["type"] == "ADDED"
        k8s.reset()
        rest = list(lines)  # the reset ends the stream
    assert all(json.loads(line)["type"] == "ADDED" for line in rest if line)
    assert requests.get(k8s.url + NODES, timeout=10).status_code == 200
    assert [(r["method"], r["verb"]) for r in k8s.requests_log()] == [("GET", "list")]
