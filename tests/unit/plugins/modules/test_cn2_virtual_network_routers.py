# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    OWNER_LABEL,
    OWNER_VALUE,
)
from ansible_collections.netops.cn2_apstra.plugins.modules import (
    cn2_virtual_network_routers as module,
)

KIND = "VirtualNetworkRouter"
HUB = {
    "name": "hub",
    "namespace": "telco",
    "type": "hub",
    "virtual_network_selector": {"role": "hub"},
    "labels": {"vnr": "hub"},
    "import_routers": [{"router_selector": {"vnr": "spoke"}}],
}
MESH = {
    "name": "mesh",
    "namespace": "telco",
    "type": "mesh",
    "virtual_network_selector": {"vnr": "mesh"},
}


def test_create_renders_the_spec_and_is_idempotent(k8s):
    service = k8s.service()
    result = k8s.run(module.main, {"config": [HUB, MESH]}, service, check_mode=True)
    assert (
        result["changed"] is True
        and service.store == {}
        and all(call[4] for call in service.writes())
    )
    result = k8s.run(module.main, {"config": [HUB, MESH]}, service)
    stored = service.get_object(KIND, "telco", "hub")
    assert stored["apiVersion"] == "core.contrail.juniper.net/v1"
    assert stored["spec"] == {
        "type": "hub",
        "virtualNetworkSelector": {"matchLabels": {"role": "hub"}},
        "import": {
            "virtualNetworkRouters": [
                {"virtualNetworkRouterSelector": {"matchLabels": {"vnr": "spoke"}}}
            ]
        },
    }
    assert stored["metadata"]["labels"] == {"vnr": "hub", OWNER_LABEL: OWNER_VALUE}
    assert result["after"][0]["import_routers"] == [{"router_selector": {"vnr": "spoke"}}]
    service.calls = []
    again = k8s.run(module.main, {"config": [HUB, MESH]}, service)
    assert again["changed"] is False and service.writes() == []


def test_replaced_drops_selector_labels_and_overridden_deletes_marked(k8s):
    service = k8s.service()
    k8s.run(module.main, {"config": [HUB, MESH]}, service)
    changed = dict(MESH, virtual_network_selector={"other": "x"})
    result = k8s.run(module.main, {"state": "replaced", "config": [changed]}, service)
    assert result["plan"][0]["body"]["spec"]["virtualNetworkSelector"]["matchLabels"] == {
        "vnr": None,
        "other": "x",
    }
    assert service.get_object(KIND, "telco", "mesh")["spec"]["virtualNetworkSelector"] == {
        "matchLabels": {"other": "x"}
    }
    result = k8s.run(
        module.main, {"state": "overridden", "namespace": "telco", "config": [changed]}, service
    )
    assert [p["method"] for p in result["plan"]] == ["DELETE"] and service.get_object(
        KIND, "telco", "hub"
    ) is None


def test_create_needs_type_and_selector(k8s):
    service = k8s.service()
    result = k8s.run(module.main, {"config": [{"name": "x", "namespace": "telco"}]}, service)
    assert (
        result["failed"]
        and result["msg"] == "config[0].type is required to create a router"
        and service.writes() == []
    )


def test_bad_names_fail_before_connecting(k8s):
    service = k8s.service()
    result = k8s.run(module.main, {"config": [dict(MESH, name="Mesh")]}, service)
    assert (
        result["failed"]
        and "config[0].name: 'Mesh' is not a valid name" in result["msg"]
        and service.connected_with is None
    )


def test_not_a_cn2_cluster(k8s):
    result = k8s.run(module.main, {"config": [MESH]}, k8s.service(served=("Pod",)))
    assert result["failed"] and result["status"] == 404 and "VirtualNetworkRouter" in result["msg"]
