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


def test_connect_refused_is_a_k8s_error():
    with pytest.raises(svc.K8sError, match="cannot reach the Kubernetes API"):
        svc.connect({"host": "http://127.0.0.1:1", "api_key": "x"})


def test_connect_unauthorized_keeps_status():
    with mock.patch.object(
        svc, "build_dynamic_client", side_effect=api_exception(401, {"message": "Unauthorized"})
    ):
        with pytest.raises(svc.K8sError) as exc:
            svc.connect({"host": "http://127.0.0.1:1", "api_key": "x"})
    assert exc.value.status == 401 and "Unauthorized" in str(exc.value)


def test_check_mode_adds_dry_run_to_writes():
    client = mock.Mock()
    service = svc.K8sService(client, check_mode=True)
    resource = mock.Mock()
    service.create(resource, {"metadata": {"name": "a"}}, namespace="ns")
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
