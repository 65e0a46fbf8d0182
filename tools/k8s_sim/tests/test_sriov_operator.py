"""The emulated SR-IOV network operator renders, keeps and deletes the NetworkAttachmentDefinitions of SriovNetworks as
k8snetworkplumbingwg/sriov-network-operator does (controllers/generic_network_controller.go, api/v1/helper.go), seen
through the kubernetes Python client and kubectl."""

import json

import pytest
from kubernetes import config, dynamic
from kubernetes.dynamic.exceptions import NotFoundError

from k8s_sim.operators import go_indent, render_config
from k8s_sim.server import start_server
from sim_core.testing import DEMO_CLUSTER, KUBECTLS, kubectl_runner

OPERATOR_NS = "sriov-network-operator"
OPT_IN = "cn2-apstra.netops.io/fabric"
# The operator's own golden files (api/v1/testdata/TestRendering/*.golden): the config before formatJSON.
GOLDEN_SIMPLE = (
    '{ "cniVersion":"1.0.0", "name":"test","type":"sriov","vlan":0,"vlanQoS":0,"ipam":{} }'
)
GOLDEN_CHAINED = (
    '{ "cniVersion":"1.0.0", "name":"test","plugins": [ {"type":"sriov","vlan":0,"vlanQoS":0,"ipam":{} },\n'
    '{ "type": "vrf", "vrfname": "blue" }\n] }'
)


def api(client, kind):
    version = {
        "SriovNetwork": "sriovnetwork.openshift.io/v1",
        "NetworkAttachmentDefinition": "k8s.cni.cncf.io/v1",
    }.get(kind, "v1")
    return client.resources.get(api_version=version, kind=kind)


def sriov_network(name, namespace=OPERATOR_NS, **spec):
    return {
        "apiVersion": "sriovnetwork.openshift.io/v1",
        "kind": "SriovNetwork",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"team": "ran"},
            "annotations": {OPT_IN: "true"},
        },
        "spec": dict({"resourceName": "sriov_netdevice"}, **spec),
    }


def nad_of(client, namespace, name):
    return api(client, "NetworkAttachmentDefinition").get(namespace=namespace, name=name).to_dict()


def test_rendering_matches_the_operator_golden_files():
    assert render_config(
        {"metadata": {"name": "test"}, "spec": {"resourceName": "testresource"}}
    ) == go_indent(GOLDEN_SIMPLE)
    chained = {
        "metadata": {"name": "test"},
        "spec": {
            "resourceName": "testresource",
            "metaPlugins": '{ "type": "vrf", "vrfname": "blue" }',
        },
    }
    assert render_config(chained) == go_indent(GOLDEN_CHAINED)
    for text in (
        GOLDEN_SIMPLE,
        GOLDEN_CHAINED,
        '{"a":[],"b":{},"c":[1,{"d":"x, y: {z}"}],"e":"\\"q\\""}',
    ):
        assert go_indent(text) == json.dumps(json.loads(text), indent=4)


def test_sriov_network_renders_the_nad_with_the_operator_annotations_and_config(cluster):
    client = cluster[0]
    ipam = '{\n  "type": "whereabouts",\n  "range": "10.1.0.0/24",\n  "exclude": ["10.1.0.1/32"]\n}'
    created = (
        api(client, "SriovNetwork")
        .create(
            body=sriov_network(
                "ran-a",
                networkNamespace="telco",
                vlan=100,
                vlanQoS=3,
                spoofChk="off",
                trust="on",
                ipam=ipam,
            )
        )
        .to_dict()
    )
    assert (
        "finalizers" not in created["metadata"]
    ), "the create answer is the object as written; the operator comes after"
    nad = nad_of(client, "telco", "ran-a")
    assert nad["metadata"]["annotations"] == {
        "k8s.v1.cni.cncf.io/resourceName": "openshift.io/sriov_netdevice",
        "sriovnetwork.openshift.io/owner-ref": "SriovNetwork.sriovnetwork.openshift.io/sriov-network-operator/ran-a",
    }
    assert (
        "labels" not in nad["metadata"] and "ownerReferences" not in nad["metadata"]
    ), "the operator copies no label or annotation"
    assert nad["spec"]["config"] == (
        '{\n    "cniVersion": "1.0.0",\n    "name": "ran-a",\n    "type": "sriov",\n    "vlan": 100,\n    "spoofchk": "off",\n'
        '    "trust": "on",\n    "vlanQoS": 3,\n    "logLevel": "info",\n    "ipam": {\n        "type": "whereabouts",\n'
        '        "range": "10.1.0.0/24",\n        "exclude": [\n            "10.1.0.1/32"\n        ]\n    }\n}'
    )
    network = api(client, "SriovNetwork").get(namespace=OPERATOR_NS, name="ran-a").to_dict()
    assert network["metadata"]["finalizers"] == ["netattdef.finalizers.sriovnetwork.openshift.io"]
    assert (
        network["metadata"]["annotations"][
            "operator.sriovnetwork.openshift.io/last-network-namespace"
        ]
        == "telco"
    )
    ready = network["status"]["conditions"][0]
    assert (ready["type"], ready["status"], ready["reason"]) == ("Ready", "True", "NetworkReady")

    api(client, "SriovNetwork").patch(
        namespace=OPERATOR_NS,
        name="ran-a",
        body={"spec": {"vlan": 200, "ipam": ""}},
        content_type="application/merge-patch+json",
    )
    config_text = nad_of(client, "telco", "ran-a")["spec"]["config"]
    assert (
        json.loads(config_text)["vlan"] == 200
        and json.loads(config_text)["ipam"] == {}
        and '"ipam": {}' in config_text
    )

    api(client, "SriovNetwork").delete(namespace=OPERATOR_NS, name="ran-a")
    with pytest.raises(NotFoundError):
        nad_of(client, "telco", "ran-a")
    with pytest.raises(NotFoundError):
        api(client, "SriovNetwork").get(namespace=OPERATOR_NS, name="ran-a")


def test_hand_edits_of_the_nad_are_reverted_and_a_deleted_nad_comes_back(cluster):
    client = cluster[0]
    api(client, "SriovNetwork").create(
        body=sriov_network("ran-b", networkNamespace="telco", vlan=101)
    )
    nads = api(client, "NetworkAttachmentDefinition")
    rendered = nad_of(client, "telco", "ran-b")
    nads.patch(
        namespace="telco",
        name="ran-b",
        body={"metadata": {"labels": {"hand": "made"}}},
        content_type="application/merge-patch+json",
    )
    assert nad_of(client, "telco", "ran-b")["metadata"]["labels"] == {
        "hand": "made"
    }, "a label alone differs in nothing the operator compares"
    nads.patch(
        namespace="telco",
        name="ran-b",
        body={
            "spec": {"config": '{"cniVersion":"1.0.0","name":"ran-b","type":"sriov","vlan":999}'}
        },
        content_type="application/merge-patch+json",
    )
    again = nad_of(client, "telco", "ran-b")
    assert (
        again["spec"] == rendered["spec"]
        and again["metadata"]["annotations"] == rendered["metadata"]["annotations"]
    )
    assert "labels" not in again["metadata"], "the operator's update replaces the whole object"
    nads.delete(namespace="telco", name="ran-b")
    assert nad_of(client, "telco", "ran-b")["spec"] == rendered["spec"]


def test_network_namespace_rules(cluster):
    client = cluster[0]
    networks = api(client, "SriovNetwork")
    networks.create(body=sriov_network("local", namespace="telco", vlan=102))
    nad = nad_of(client, "telco", "local")
    uid = networks.get(namespace="telco", name="local").metadata.uid
    assert nad["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "sriovnetwork.openshift.io/v1",
            "kind": "SriovNetwork",
            "name": "local",
            "uid": uid,
        }
    ]
    assert "finalizers" not in networks.get(namespace="telco", name="local").to_dict()["metadata"]
    networks.delete(namespace="telco", name="local")
    with pytest.raises(NotFoundError):
        nad_of(client, "telco", "local")

    networks.create(
        body=sriov_network("elsewhere", namespace="telco", networkNamespace="default", vlan=103)
    )
    ready = networks.get(namespace="telco", name="elsewhere").to_dict()["status"]["conditions"][0]
    assert (ready["status"], ready["reason"]) == ("False", "NetworkAttachmentDefinitionInvalid")
    assert (
        "cannot be set when the resource is not in the operator namespace (sriov-network-operator)"
        in ready["message"]
    )
    with pytest.raises(NotFoundError):
        nad_of(client, "default", "elsewhere")

    networks.create(body=sriov_network("later", networkNamespace="ran5g", vlan=104))
    ready = networks.get(namespace=OPERATOR_NS, name="later").to_dict()["status"]["conditions"][0]
    assert (ready["status"], ready["reason"]) == ("False", "NamespaceNotFound")
    api(client, "Namespace").create(
        body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ran5g"}}
    )
    assert json.loads(nad_of(client, "ran5g", "later")["spec"]["config"])["vlan"] == 104

    networks.patch(
        namespace=OPERATOR_NS,
        name="later",
        body={"spec": {"networkNamespace": "telco"}},
        content_type="application/merge-patch+json",
    )
    assert json.loads(nad_of(client, "telco", "later")["spec"]["config"])["vlan"] == 104
    with pytest.raises(NotFoundError):
        nad_of(client, "ran5g", "later")


def test_a_nad_of_another_owner_is_left_alone_and_an_unowned_one_is_taken_over(cluster):
    client = cluster[0]
    nads = api(client, "NetworkAttachmentDefinition")
    for name, owner in (
        ("theirs", "SriovNetwork.sriovnetwork.openshift.io/other/theirs"),
        ("mine", None),
    ):
        meta = {
            "name": name,
            "namespace": "telco",
            "annotations": {"sriovnetwork.openshift.io/owner-ref": owner} if owner else {},
        }
        nads.create(
            body={
                "apiVersion": "k8s.cni.cncf.io/v1",
                "kind": "NetworkAttachmentDefinition",
                "metadata": meta,
                "spec": {"config": '{"cniVersion":"1.0.0","type":"macvlan"}'},
            }
        )
        api(client, "SriovNetwork").create(
            body=sriov_network(name, networkNamespace="telco", vlan=105)
        )
    assert json.loads(nad_of(client, "telco", "theirs")["spec"]["config"])["type"] == "macvlan"
    status = (
        api(client, "SriovNetwork")
        .get(namespace=OPERATOR_NS, name="theirs")
        .to_dict()["status"]["conditions"][0]
    )
    assert (
        status["status"] == "False"
        and "already exists and is owned by SriovNetwork.sriovnetwork.openshift.io/other/theirs"
        in status["message"]
    )
    assert json.loads(nad_of(client, "telco", "mine")["spec"]["config"])["type"] == "sriov"


def test_resource_prefix_and_switching_the_operator_off(tmp_path):
    for options, expected in (
        ({"sriov_resource_prefix": "intel.com"}, "intel.com/sriov_netdevice"),
        ({"sriov_operator": False}, None),
    ):
        srv = start_server(str(DEMO_CLUSTER), port=0, **options)
        try:
            client = dynamic.DynamicClient(
                config.new_client_from_config(srv.write_kubeconfig(str(tmp_path / "kubeconfig")))
            )
            api(client, "SriovNetwork").create(body=sriov_network("p", networkNamespace="telco"))
            if expected is None:
                with pytest.raises(NotFoundError):
                    nad_of(client, "telco", "p")
            else:
                assert (
                    nad_of(client, "telco", "p")["metadata"]["annotations"][
                        "k8s.v1.cni.cncf.io/resourceName"
                    ]
                    == expected
                )
        finally:
            srv.stop()


def test_seeded_sriov_networks_are_rendered_at_start_and_reset(tmp_path):
    seed = tmp_path / "seed.json"
    docs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}
        for n in (OPERATOR_NS, "telco")
    ]
    docs.append(sriov_network("seeded", networkNamespace="telco", vlan=106))
    seed.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
    srv = start_server(str(seed), port=0)
    try:
        for attempt in range(2):  # at start, then after a reset
            nads = srv.store.snapshot()["objects"]["network-attachment-definitions.k8s.cni.cncf.io"]
            assert [(n["metadata"]["namespace"], n["metadata"]["name"]) for n in nads] == [
                ("telco", "seeded")
            ], ("attempt %d" % attempt)
            srv.reset()
    finally:
        srv.stop()


MANIFEST = """\
apiVersion: sriovnetwork.openshift.io/v1
kind: SriovNetwork
metadata:
  name: ran-k
  namespace: sriov-network-operator
spec:
  resourceName: sriov_netdevice
  networkNamespace: telco
  vlan: %d
  ipam: '{"type": "host-local", "subnet": "10.56.217.0/24"}'
"""


@pytest.mark.parametrize("kubectl", sorted(KUBECTLS))
def test_kubectl_apply_and_delete_a_sriov_network(kubectl, cluster, tmp_path):
    run = kubectl_runner(kubectl, cluster[1], tmp_path)

    def rendered_config():
        return json.loads(
            run(
                "-n",
                "telco",
                "get",
                "network-attachment-definitions",
                "ran-k",
                "-o",
                "jsonpath={.spec.config}",
            ).stdout
        )

    assert "created" in run("apply", "-f", "-", stdin=MANIFEST % 300).stdout
    config_data = rendered_config()
    assert config_data["vlan"] == 300 and config_data["ipam"] == {
        "type": "host-local",
        "subnet": "10.56.217.0/24",
    }
    assert "configured" in run("apply", "-f", "-", stdin=MANIFEST % 301).stdout
    assert rendered_config()["vlan"] == 301
    assert "deleted" in run("delete", "-f", "-", stdin=MANIFEST % 301).stdout
    assert run("-n", "telco", "get", "network-attachment-definitions", "-o", "name").stdout == ""
