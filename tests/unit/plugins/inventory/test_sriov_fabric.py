# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sriov_fabric inventory plugin against the shared fakes: the one client factory, one fabric query, three list calls."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from unittest import mock

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.doc_fragments import constructed, inventory_cache

from ansible_collections.netops.cn2_apstra.plugins.doc_fragments import k8s_auth
from ansible_collections.netops.cn2_apstra.plugins.inventory import sriov_fabric
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import FABRIC_QUERY

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
NAME = "netops.cn2_apstra.sriov_fabric"
BLUEPRINTS = {"items": [{"id": "bp-1", "label": "dc1"}, {"id": "bp-2", "label": "lab"}]}
FACTORY = (
    "ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.connection.ApstraClient"
)


def new_plugin():
    """The plugin with its documented options registered, as the plugin loader would do it."""
    if not C.config.has_configuration_definition("inventory", NAME):
        options = {}
        for text in (
            constructed.ModuleDocFragment.DOCUMENTATION,
            inventory_cache.ModuleDocFragment.DOCUMENTATION,
            k8s_auth.ModuleDocFragment.INVENTORY,
            sriov_fabric.DOCUMENTATION,
        ):
            options.update(yaml.safe_load(text)["options"])
        C.config.initialize_plugin_configuration_definitions("inventory", NAME, options)
    plugin = sriov_fabric.InventoryModule()
    plugin._load_name = NAME
    plugin._ansible_name = NAME
    plugin._aliases = [NAME]
    return plugin


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


def fabric(apstra, fail=None):
    """The Apstra side: two blueprints, the fabric query of qe_fabric.json (rows by the aliases of FABRIC_QUERY)."""
    return apstra.client(
        blueprints=BLUEPRINTS, queries={FABRIC_QUERY: fail or fixture("qe_fabric.json")["items"]}
    )


def cluster(k8s, drop_network_states=False):
    objects = fixture("nodes.json")["items"] + fixture("sriov_states.json")["items"]
    if not drop_network_states:
        objects += fixture("network_states.json")["items"]
    return k8s.service(objects, served=k8s.NODE_SOURCES)


@pytest.fixture
def config_file(tmp_path):
    def write(**options):
        body = dict(
            {
                "plugin": NAME,
                "apstra_api_url": "https://apstra.example",
                "apstra_username": "admin",
                "apstra_password": "secret-password",
                "apstra_blueprint": "dc1",
            },
            **options,
        )
        path = tmp_path / "lab.sriov_fabric.yml"
        path.write_text(json.dumps(body))
        return str(path)

    return write


def load(path, apstra_client, k8s_service, plugin=None, cache=False):
    plugin = plugin or new_plugin()
    inventory = InventoryData()
    with mock.patch(FACTORY, return_value=apstra_client) as factory, mock.patch.object(
        sriov_fabric, "connect", return_value=k8s_service
    ) as connect:
        plugin.parse(inventory, DataLoader(), path, cache=cache)
    inventory.factory_calls = factory.call_args_list
    inventory.connect_calls = connect.call_args_list
    return inventory


def hostvars(inventory, host):
    return inventory.get_host(host).get_vars()


def group_hosts(inventory, group):
    return (
        sorted(h.name for h in inventory.groups[group].get_hosts())
        if group in inventory.groups
        else []
    )


def test_verify_file(tmp_path):
    plugin = new_plugin()
    for name, ok in (
        ("sriov_fabric.yml", True),
        ("prod.sriov_fabric.yaml", True),
        ("inventory.yml", False),
    ):
        path = tmp_path / name
        path.write_text("plugin: netops.cn2_apstra.sriov_fabric\n")
        assert plugin.verify_file(str(path)) is ok


def test_nodes_ports_and_groups_from_one_query_and_three_list_calls(config_file, apstra, k8s):
    client, service = fabric(apstra), cluster(k8s)
    inventory = load(config_file(), client, service)
    assert group_hosts(inventory, "sriov_nodes") == [
        "worker-01",
        "worker-02",
        "worker-03",
        "worker-04",
        "worker-05",
        "worker-06",
        "worker-09",
    ]
    assert group_hosts(inventory, "leaf_leaf1") == ["worker-01", "worker-02"]
    assert group_hosts(inventory, "leaf_leaf2") == ["worker-04", "worker-06"]
    assert group_hosts(inventory, "leaf_leaf3") == ["worker-05"] and group_hosts(
        inventory, "leaf_leaf4"
    ) == ["worker-05"]
    assert group_hosts(inventory, "sriov_cabling_mismatch") == ["worker-03"]
    assert group_hosts(inventory, "sriov_unmapped") == ["worker-09"]
    assert group_hosts(inventory, "resource_intel_com_sriov_dpdk") == ["worker-04", "worker-06"]
    assert (
        client.paths() == [("GET", "/api/blueprints"), ("POST", "/api/blueprints/bp-1/qe")]
        and client.closed is True
    )
    assert [call[1] for call in service.calls] == [
        "Node",
        "SriovNetworkNodeState",
        "NodeNetworkState",
    ]
    assert service.selectors[0] == "feature.node.kubernetes.io/network-sriov.capable=true"
    # the shared client factory, with the plugin's options (its default timeout, no cached token)
    assert inventory.factory_calls[0].args == ("https://apstra.example",)
    assert (
        inventory.factory_calls[0].kwargs["timeout"] == 60
        and inventory.factory_calls[0].kwargs["password"] == "secret-password"
    )

    w1 = hostvars(inventory, "worker-01")
    assert w1["ansible_host"] == "10.0.0.11" and w1["sriov_resources"] == {
        "intel.com/sriov_netdevice": 8
    }
    port = w1["fabric_ports"][0]
    assert (
        port["pf"],
        port["leaf"],
        port["leaf_hostname"],
        port["interface"],
        port["cabling"],
        port["lag"],
        port["speed"],
    ) == ("ens1f0", "leaf1", "leaf1.dc1.example.net", "xe-0/0/1", "verified", None, "25G")
    assert (
        w1["apstra_application_points"] == [port["interface_id"]]
        and w1["apstra_system_id"] == port["system_id"]
    )
    assert w1["apstra_blueprint_id"] == "bp-1" and w1["sriov_cabling_issues"] == []


def test_fqdn_switch_and_unit_port_in_lldp_are_verified(config_file, apstra, k8s):
    inventory = load(config_file(), fabric(apstra), cluster(k8s))
    w2 = hostvars(inventory, "worker-02")
    assert w2["fabric_ports"][0]["cabling"] == "verified" and w2["sriov_cabling_issues"] == []
    assert w2["fabric_ports"][0]["lldp"] == {
        "switch": "leaf1.dc1.example.net",
        "port": "xe-0/0/2.0",
    }


def test_esi_node_maps_to_both_leafs_and_one_application_point(config_file, apstra, k8s):
    w5 = hostvars(load(config_file(), fabric(apstra), cluster(k8s)), "worker-05")
    ports = w5["fabric_ports"]
    assert [(p["pf"], p["leaf"], p["interface"]) for p in ports] == [
        ("ens1f0", "leaf3", "xe-0/0/5"),
        ("ens1f1", "leaf4", "xe-0/0/5"),
    ]
    assert all(
        p["lag"]["esi"]
        and p["lag"]["name"] == "ae5"
        and p["lag"]["redundancy_group"] == "leaf3-leaf4"
        for p in ports
    )
    assert (
        len(set(p["lag"]["interface_id"] for p in ports)) == 1
        and ports[0]["lag"]["leaf_interface_id"] != ports[1]["lag"]["leaf_interface_id"]
    )
    assert w5["apstra_application_points"] == [ports[0]["lag"]["interface_id"]]


def test_mismatch_reason_and_no_secrets(config_file, apstra, k8s):
    inventory = load(config_file(), fabric(apstra), cluster(k8s))
    w3 = hostvars(inventory, "worker-03")
    assert w3["sriov_cabling_issues"] == [
        "ens1f0: LLDP says leaf1:xe-0/0/3, Apstra cabling says leaf2:xe-0/0/3"
    ]
    assert w3["fabric_ports"][0]["cabling"] == "mismatch"
    assert hostvars(inventory, "worker-09")["sriov_cabling_issues"] == [
        "worker-09: PF ens1f0 has no fabric port in Apstra"
    ]
    assert "secret-password" not in json.dumps([hostvars(inventory, h) for h in inventory.hosts])


def test_without_lldp_ports_are_unverified(config_file, apstra, k8s):
    inventory = load(config_file(), fabric(apstra), cluster(k8s, drop_network_states=True))
    assert group_hosts(inventory, "sriov_cabling_mismatch") == []
    assert group_hosts(inventory, "leaf_leaf2") == ["worker-03", "worker-04", "worker-06"]
    assert hostvars(inventory, "worker-03")["fabric_ports"][0]["cabling"] == "unverified"


def test_forbidden_lldp_source_is_a_warning_not_a_failure(config_file, apstra, k8s):
    service = cluster(k8s)
    service.fail[("list", "NodeNetworkState")] = (403, {"message": "forbidden"})
    plugin = new_plugin()
    with mock.patch.object(plugin, "display") as display:
        inventory = load(config_file(), fabric(apstra), service, plugin=plugin)
    assert "cannot list NodeNetworkState" in display.warning.call_args[0][0]
    assert hostvars(inventory, "worker-01")["fabric_ports"][0]["cabling"] == "unverified"


def test_constructed_options(config_file, apstra, k8s):
    path = config_file(
        compose={
            "ansible_python_interpreter": "'/usr/bin/python3'",
            "vf_total": "sriov_resources.values() | sum",
        },
        groups={"esi": "fabric_ports | selectattr('lag') | list | length > 0"},
        keyed_groups=[{"key": "sriov_resources.keys() | list", "prefix": "has"}],
    )
    inventory = load(path, fabric(apstra), cluster(k8s))
    assert hostvars(inventory, "worker-04")["vf_total"] == 16
    assert hostvars(inventory, "worker-04")["ansible_python_interpreter"] == "/usr/bin/python3"
    assert group_hosts(inventory, "esi") == ["worker-05"]
    assert "worker-06" in group_hosts(inventory, "has_intel_com_sriov_dpdk")


class DictCache(dict):
    """Stands in for the cache plugin adjudicator (the builtin cache plugins need the full plugin loader)."""

    def update_cache_if_changed(self):
        pass


def test_cache_avoids_api_calls(config_file, apstra, k8s):
    path = config_file(cache=True)
    cache = DictCache()
    plugin = new_plugin()
    client, service = fabric(apstra), cluster(k8s)
    with mock.patch("ansible.plugins.inventory.get_cache_plugin", return_value=cache):
        load(path, client, service, plugin=plugin, cache=False)
        second = load(path, client, service, plugin=plugin, cache=True)
    assert len(client.calls) == 2 and len(service.calls) == 3
    assert list(cache.values())[0]["blueprint_id"] == "bp-1"
    assert second.get_host("worker-05").get_vars()["fabric_ports"][0]["lag"]["esi"] is True


def test_unknown_blueprint_and_apstra_errors(config_file, apstra, k8s):
    with pytest.raises(
        AnsibleError,
        match="sriov_fabric: blueprint: unknown blueprint 'nope'; known: dc1, lab",
    ):
        load(config_file(apstra_blueprint="nope"), fabric(apstra), cluster(k8s))
    error = apstra.error(
        422, {"errors": "bad query"}, "POST", "/api/blueprints/bp-1/qe", "Unprocessable Entity"
    )
    with pytest.raises(AnsibleError, match="bad query"):
        load(config_file(), fabric(apstra, fail=error), cluster(k8s))


def test_missing_credentials_are_named(config_file, apstra, k8s):
    with pytest.raises(
        AnsibleError, match="sriov_fabric: username and password, or auth_token, are required"
    ):
        load(config_file(apstra_password=None), fabric(apstra), cluster(k8s))


def test_cluster_errors_are_ansible_errors(config_file, apstra, k8s):
    service = cluster(k8s)
    service.fail[("list", "Node")] = (401, {"message": "Unauthorized"})
    with pytest.raises(AnsibleError, match="sriov_fabric: .*Unauthorized"):
        load(config_file(), fabric(apstra), service)


def test_safe_group_names():
    assert (
        sriov_fabric.safe_group("resource_", "openshift.io/mlx-5.vf")
        == "resource_openshift_io_mlx_5_vf"
    )


def test_empty_path_variables_are_not_set(config_file, apstra, k8s, monkeypatch):
    """An AWX credential without a CA injects APSTRA_CA_PATH and K8S_AUTH_SSL_CA_CERT as empty strings: not set (Ansible
    would resolve an empty path option to the current directory, a CA directory that verifies nothing).
    """
    for name in (
        "APSTRA_CA_PATH",
        "K8S_AUTH_SSL_CA_CERT",
        "K8S_AUTH_CERT_FILE",
        "K8S_AUTH_KEY_FILE",
    ):
        monkeypatch.setenv(name, "")
    inventory = load(config_file(), fabric(apstra), cluster(k8s))
    assert inventory.factory_calls[0][1]["ca_path"] is None
    auth = inventory.connect_calls[0][0][0]
    assert auth["ca_cert"] is None and auth["client_cert"] is None and auth["client_key"] is None


def test_paths_from_the_environment_are_expanded(config_file, apstra, k8s, monkeypatch):
    monkeypatch.setenv("APSTRA_CA_PATH", "~/pki/apstra-ca.pem")
    monkeypatch.setenv("K8S_AUTH_SSL_CA_CERT", "~/pki/k8s-ca.pem")
    inventory = load(config_file(), fabric(apstra), cluster(k8s))
    assert inventory.factory_calls[0][1]["ca_path"] == os.path.expanduser("~/pki/apstra-ca.pem")
    assert inventory.connect_calls[0][0][0]["ca_cert"] == os.path.expanduser("~/pki/k8s-ca.pem")


def test_terraform_names_and_empty_variables(config_file, apstra, k8s, monkeypatch):
    monkeypatch.setenv("APSTRA_USERNAME", "")
    monkeypatch.setenv("APSTRA_USER", "tf-user")
    monkeypatch.setenv("APSTRA_PASS", "tf-password")
    inventory = load(
        config_file(apstra_username=None, apstra_password=None), fabric(apstra), cluster(k8s)
    )
    kwargs = inventory.factory_calls[0][1]
    assert kwargs["username"] == "tf-user" and kwargs["password"] == "tf-password"
