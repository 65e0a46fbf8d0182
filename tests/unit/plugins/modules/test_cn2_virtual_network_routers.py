# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest import mock

from ansible.module_utils.testing import patch_module_args

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.runner import OWNER_LABEL, OWNER_VALUE
from ansible_collections.netops.cn2_apstra.plugins.modules import cn2_virtual_network_routers as module
from ansible_collections.netops.cn2_apstra.tests.unit.plugins.module_utils.k8s.fake_k8s import FakeService

KIND = "VirtualNetworkRouter"


class Done(Exception):
    pass


def _exit(self, **kwargs):
    raise Done(kwargs)


def _fail(self, **kwargs):
    raise Done(dict(kwargs, failed=True))


def run_module(args, service, check_mode=False):
    service.check_mode = check_mode
    args = dict(args, _ansible_check_mode=check_mode)
    with patch_module_args(args), mock.patch.object(module.AnsibleModule, "exit_json", _exit), \
            mock.patch.object(module.AnsibleModule, "fail_json", _fail), mock.patch.object(module, "service_for", return_value=service):
        try:
            module.main()
        except Done as exc:
            return exc.args[0]
    raise AssertionError("module did not exit")


HUB = {"name": "hub", "namespace": "telco", "type": "hub", "virtual_network_selector": {"role": "hub"}, "labels": {"vnr": "hub"},
       "import_routers": [{"router_selector": {"vnr": "spoke"}}]}
MESH = {"name": "mesh", "namespace": "telco", "type": "mesh", "virtual_network_selector": {"vnr": "mesh"}}


def test_create_renders_spec_and_is_idempotent():
    service = FakeService()
    result = run_module({"config": [HUB, MESH]}, service, check_mode=True)
    assert result["changed"] and service.store == {} and all(c[4] for c in service.writes())
    result = run_module({"config": [HUB, MESH]}, service)
    stored = service.store[(KIND, "telco", "hub")]
    assert stored["apiVersion"] == "core.contrail.juniper.net/v1"
    assert stored["spec"] == {"type": "hub", "virtualNetworkSelector": {"matchLabels": {"role": "hub"}},
                              "import": {"virtualNetworkRouters": [{"virtualNetworkRouterSelector": {"matchLabels": {"vnr": "spoke"}}}]}}
    assert stored["metadata"]["labels"] == {"vnr": "hub", OWNER_LABEL: OWNER_VALUE}
    assert result["after"][0]["import_routers"] == [{"router_selector": {"vnr": "spoke"}}]
    service.calls = []
    again = run_module({"config": [HUB, MESH]}, service)
    assert again["changed"] is False and service.writes() == []


def test_replaced_drops_selector_labels_and_overridden_deletes_marked():
    service = FakeService()
    run_module({"config": [HUB, MESH]}, service)
    changed = dict(MESH, virtual_network_selector={"other": "x"})
    result = run_module({"state": "replaced", "config": [changed]}, service)
    patch = result["plan"][0]["body"]
    assert patch["spec"]["virtualNetworkSelector"]["matchLabels"] == {"vnr": None, "other": "x"}
    assert service.store[(KIND, "telco", "mesh")]["spec"]["virtualNetworkSelector"] == {"matchLabels": {"other": "x"}}
    result = run_module({"state": "overridden", "namespace": "telco", "config": [changed]}, service)
    assert [p["method"] for p in result["plan"]] == ["DELETE"] and (KIND, "telco", "hub") not in service.store


def test_create_needs_type_and_selector():
    service = FakeService()
    result = run_module({"config": [{"name": "x", "namespace": "telco"}]}, service)
    assert result["failed"] and "config[0].type is required to create a router" in result["msg"]
    assert service.writes() == []


def test_not_a_cn2_cluster():
    service = FakeService(served=("Pod",))
    result = run_module({"config": [MESH]}, service)
    assert result["failed"] and result["status"] == 404 and "VirtualNetworkRouter" in result["msg"]
