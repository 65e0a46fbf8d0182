"""Fixtures of the Kubernetes emulator's tests beside the shared ones (tools/conftest.py): the kubernetes Python client
on the demo cluster."""

import pytest
from kubernetes import config, dynamic


@pytest.fixture
def dyn(k8s):
    """A kubernetes DynamicClient on the demo cluster, reset for this test."""
    return dynamic.DynamicClient(config.new_client_from_config(k8s.kubeconfig))


@pytest.fixture
def cluster(dyn, k8s):
    """(dynamic client, kubeconfig path) on the demo cluster, reset for this test."""
    return dyn, k8s.kubeconfig
