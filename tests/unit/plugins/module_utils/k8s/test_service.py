# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from unittest import mock

import pytest
from kubernetes.client.exceptions import ApiException

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s import service as svc


def api_exception(status, body):
    exc = ApiException(status=status, reason="Unprocessable Entity")
    exc.body = json.dumps(body).encode()
    return exc


def test_wrap_keeps_status_and_body():
    error = svc.K8sService.wrap(
        api_exception(422, {"kind": "Status", "message": "spec.config: Invalid value"}),
        "POST",
        "/apis/x",
    )
    assert error.status == 422 and error.body["message"] == "spec.config: Invalid value"
    assert str(error).startswith("POST /apis/x: spec.config: Invalid value (HTTP 422)")
    assert error.to_dict()["path"] == "/apis/x"


def response(body):
    return mock.Mock(data=json.dumps(body).encode())


def quiet_service(client, check_mode=False):
    return svc.K8sService(client, check_mode=check_mode, sleep=lambda _seconds: None)


def test_connect_makes_no_call_and_a_refused_read_is_a_k8s_error():
    service = svc.connect({"host": "http://127.0.0.1:1", "api_key": "x"})
    service._sleep = lambda _seconds: None
    nodes = service.resource("v1", "Node")
    with pytest.raises(svc.K8sError, match="cannot reach the Kubernetes API") as exc:
        service.list(nodes)
    assert exc.value.to_dict()["path"] == "/api/v1/nodes"


def test_unauthorized_keeps_status_and_is_not_repeated():
    client = mock.Mock()
    client.get.side_effect = api_exception(401, {"message": "Unauthorized"})
    with pytest.raises(svc.K8sError) as exc:
        quiet_service(client).list(mock.Mock(kind="Node", group_version="v1"))
    assert exc.value.status == 401 and "Unauthorized" in str(exc.value)
    assert client.get.call_count == 1


@pytest.mark.parametrize(
    "api_version, kind, namespace, path",
    [
        ("v1", "Node", None, "/api/v1/nodes"),
        ("v1", "Pod", "ns", "/api/v1/namespaces/ns/pods"),
        (
            "k8s.cni.cncf.io/v1",
            "NetworkAttachmentDefinition",
            "ns",
            "/apis/k8s.cni.cncf.io/v1/namespaces/ns/network-attachment-definitions",
        ),
        (
            "nmstate.io/v1beta1",
            "NodeNetworkState",
            None,
            "/apis/nmstate.io/v1beta1/nodenetworkstates",
        ),
        (
            "sriovnetwork.openshift.io/v1",
            "SriovNetworkNodeState",
            "sriov",
            "/apis/sriovnetwork.openshift.io/v1/namespaces/sriov/sriovnetworknodestates",
        ),
    ],
)
def test_known_kinds_resolve_without_a_call(api_version, kind, namespace, path):
    client = svc.build_dynamic_client({"host": "http://127.0.0.1:1", "api_key": "x"})
    with mock.patch.object(client.client, "call_api") as call_api:
        resource = svc.K8sService(client).resource(api_version, kind)
    assert call_api.call_count == 0
    assert svc.api_path(resource, namespace=namespace) == path


def test_an_unknown_kind_is_a_k8s_error():
    client = svc.build_dynamic_client({"host": "http://127.0.0.1:1", "api_key": "x"})
    with pytest.raises(svc.K8sError, match="no path is known for v1 Secret"):
        svc.K8sService(client).resource("v1", "Secret")


def test_a_bare_group_reads_the_preferred_version_once():
    client = mock.Mock()
    client.request.return_value = response(
        {
            "kind": "APIGroup",
            "preferredVersion": {"groupVersion": "core.contrail.juniper.net/v4", "version": "v4"},
        }
    )
    client.resources.get.side_effect = lambda api_version, kind: mock.Mock(
        group_version=api_version, kind=kind
    )
    service = quiet_service(client)
    first = service.resource("core.contrail.juniper.net", "VirtualNetworkRouter")
    again = service.resource("core.contrail.juniper.net", "VirtualNetworkRouter")
    assert first is again and first.group_version == "core.contrail.juniper.net/v4"
    assert client.request.call_args_list == [
        mock.call("get", "/apis/core.contrail.juniper.net", serialize=False)
    ]


def test_a_bare_group_not_served_is_none_or_an_error():
    client = mock.Mock()
    client.request.side_effect = api_exception(404, {"message": "not found"})
    service = quiet_service(client)
    assert service.resource("core.contrail.juniper.net", "VirtualNetwork", required=False) is None
    with pytest.raises(
        svc.K8sError, match="does not serve core.contrail.juniper.net VirtualNetwork"
    ):
        service.resource("core.contrail.juniper.net", "VirtualNetwork")


def test_a_list_of_a_kind_not_served_is_named_or_none_when_missing_is_ok():
    client = mock.Mock()
    client.get.side_effect = api_exception(
        404, {"message": "the server could not find the requested resource"}
    )
    service = quiet_service(client)
    resource = mock.Mock(kind="SriovNetwork", group_version="sriovnetwork.openshift.io/v1")
    resource.path.return_value = "/apis/sriovnetwork.openshift.io/v1/sriovnetworks"
    assert service.list(resource, missing_ok=True) is None
    with pytest.raises(svc.K8sError) as exc:
        service.list(resource)
    assert exc.value.status == 404
    assert (
        "does not serve sriovnetwork.openshift.io/v1 SriovNetwork (is the CRD installed?)"
        in str(exc.value)
    )


def test_list_returns_the_items_as_dicts():
    client = mock.Mock()
    client.get.return_value = response(
        {"kind": "NodeList", "items": [{"metadata": {"name": "n1"}}]}
    )
    resource = mock.Mock()
    assert quiet_service(client).list(resource, label_selector="a=b") == [
        {"metadata": {"name": "n1"}}
    ]
    assert client.get.call_args.kwargs == {
        "namespace": None,
        "serialize": False,
        "label_selector": "a=b",
    }


def test_check_mode_adds_dry_run_to_writes():
    client = mock.Mock()
    client.create.return_value = client.patch.return_value = response({"metadata": {"name": "a"}})
    service = svc.K8sService(client, check_mode=True)
    resource = mock.Mock()
    assert service.create(resource, {"metadata": {"name": "a"}}, namespace="ns") == {
        "metadata": {"name": "a"}
    }
    service.patch(resource, "a", {"spec": {}}, namespace="ns")
    service.delete(resource, "a", namespace="ns")
    assert client.create.call_args.kwargs["dry_run"] == "All"
    assert client.patch.call_args.kwargs["dry_run"] == "All"
    assert client.patch.call_args.kwargs["content_type"] == "application/merge-patch+json"
    assert client.delete.call_args.kwargs["dry_run"] == "All"
    real = svc.K8sService(client)
    real.create(resource, {"metadata": {"name": "a"}}, namespace="ns")
    assert "dry_run" not in client.create.call_args.kwargs


def test_get_returns_none_on_404_and_delete_tolerates_404():
    client = mock.Mock()
    client.get.side_effect = api_exception(404, {"message": "not found"})
    client.delete.side_effect = api_exception(404, {"message": "not found"})
    service = svc.K8sService(client)
    assert service.get(mock.Mock(), "a", "ns") is None
    assert service.delete(mock.Mock(), "a", "ns") is False
