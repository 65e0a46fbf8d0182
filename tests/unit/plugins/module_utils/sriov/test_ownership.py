# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who owns what: the marks, each network's verdict (clash, adopt, release) and the resource guard that refuses, before
anything is sent, a change to another owner's object."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    PortBindings,
    VirtualNetworks,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    NetworkAttachments,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    Engine,
    Ownership,
    ResourceError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model, ownership
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import IntentError

LEGACY = model.OWNER_TAG


@pytest.mark.parametrize(
    "tags, owner",
    [
        ([], None),
        (["legacy"], None),
        ([LEGACY], "intent"),
        ([LEGACY, model.CLUSTER_TAG], model.EARLIER_CLUSTER_OWNER),
        ([LEGACY, model.CLUSTER_TAG, model.OWNER_TAG_PREFIX + "cluster-a"], "cluster-a"),
        (model.owner_tags("team-x", adopted=True), "team-x"),
    ],
)
def test_owner_of_tags(tags, owner):
    assert model.owner_of_tags(tags) == owner


def test_the_default_owners_mark_is_the_earlier_releases_alone():
    assert model.owner_tags("intent") == [LEGACY]
    assert model.owner_labels("intent") == {model.OWNER_LABEL: model.OWNER_VALUE}
    assert model.owner_tags("team-x") == [LEGACY, "netops.cn2_apstra/owner:team-x"]
    assert model.owner_of_labels({model.OWNER_LABEL: model.OWNER_VALUE}) == "intent"
    assert model.owner_of_labels(model.owner_labels("team-x", adopted=True)) == "team-x"
    assert model.owner_of_labels({"team": "x"}) is None
    assert model.without_owner_tags(model.owner_tags("x", True) + ["legacy"]) == ["legacy"]


@pytest.mark.parametrize("name", ["", "-x", "x" * 41, "a b", None])
def test_an_owner_name_is_checked(name):
    errors = []
    assert model.owner_name(errors, "owner", name) is None
    assert errors and errors[0].startswith("owner: %r is not a valid owner" % (name,))


def test_run_owners_needs_the_clusters_identity():
    assert ownership.run_owners({}, {}, "intent") == ("intent", None)
    assert ownership.run_owners({"owner": "team-x"}, {"cluster_id": "uid-1"}, "both") == (
        "team-x",
        "uid-1",
    )
    assert ownership.run_owners({"cluster_name": "edge-1"}, {"cluster_id": "uid-1"}, "cluster")[
        1
    ] == ("edge-1")
    with pytest.raises(IntentError, match="cluster_name: the cluster's identity is unknown"):
        ownership.run_owners({}, {}, "cluster")


NET = {
    "name": "net-a",
    "namespace": "telco",
    "vlan": 100,
    "vni": None,
    "mtu": None,
    "routing_zone": "telco",
    "subnet": "10.1.0.0/24",
    "resource_name": "intel.com/sriov_netdevice",
    "ipam": "whereabouts",
    "description": None,
    "owner": "team-x",
    "source": {"kind": "intent"},
}
HAND_VN = {
    "id": "vn-1",
    "label": "net-a",
    "vn_type": "vxlan",
    "vlan_id": 100,
    "routing_zone": "telco",
    "ipv4_subnet": "10.1.0.0/24",
    "ipv4_gateway": "10.1.0.1",
    "tags": ["legacy"],
}
HAND_TEMPLATE = {"id": "ct-1", "vn_id": "vn-1", "tag_type": "vlan_tagged", "tags": []}
HAND_NAD = {
    "name": "net-a",
    "namespace": "telco",
    "resource_name": "intel.com/sriov_netdevice",
    "vlan": 100,
    "ipam": {"type": "whereabouts", "range": "10.1.0.0/24", "gateway": "10.1.0.1"},
}


def judged(vns=(), templates=(), nads=(), net=None, absent=False, **flags):
    judge = ownership.Judge(list(vns), list(templates), list(nads), **flags)
    net = dict(net or NET)
    (judge.absent if absent else judge.present)(net)
    return judge, net


def test_another_owners_vn_is_a_clash_naming_the_owner():
    judge, _net = judged([dict(HAND_VN, tags=model.owner_tags("team-y"))], adopt=True)
    assert judge.errors == [
        "net-a: virtual network net-a belongs to owner team-y, not to team-x; nothing was changed (two owners never "
        "share a network: give this one another name)"
    ]


def test_a_hand_made_network_is_refused_unless_adopted_and_then_only_when_it_matches():
    judge, _net = judged([HAND_VN], [HAND_TEMPLATE], [HAND_NAD])
    assert judge.errors[0] == (
        "net-a: virtual network net-a carries no owner's mark (made by hand or by another tool); nothing was changed: "
        "set adopt=true (role: sriov_network_adopt) to adopt it when it matches"
    )
    assert len(judge.errors) == 3 and judge.adopted == []
    judge, _net = judged([dict(HAND_VN, vlan_id=101, ipv4_gateway="10.1.0.254")], adopt=True)
    assert judge.errors == [
        "net-a: virtual network net-a carries no owner's mark (made by hand or by another tool); it differs: vlan_id: "
        "intent 100, Apstra 101; ipv4_gateway: intent 10.1.0.1, Apstra 10.1.0.254; nothing was changed: nothing is "
        "adopted while a field differs: make the intent match it"
    ]
    judge, net = judged([HAND_VN], [HAND_TEMPLATE], [HAND_NAD], adopt=True)
    assert judge.errors == [] and net["adopted"] is True
    assert judge.adopted == [
        {"kind": "virtual_network", "name": "net-a", "network": "net-a"},
        {"kind": "connectivity_template", "name": "ct-1", "network": "net-a"},
        {"kind": "attachment", "name": "telco/net-a", "network": "net-a"},
    ]


def test_a_hand_made_nad_that_differs_is_named_field_by_field():
    nad = dict(HAND_NAD, vlan=101, resource_name="intel.com/other")
    judge, _net = judged(nads=[nad], adopt=True)
    assert judge.errors == [
        "net-a: NetworkAttachmentDefinition telco/net-a carries no owner's mark (made by hand or by another tool); it "
        "differs: resource_name: intent intel.com/sriov_netdevice, cluster intel.com/other; vlan: intent 100, cluster "
        "101; nothing was changed: nothing is adopted while a field differs: make the intent match it"
    ]


def test_an_adopted_network_is_released_or_forced_never_silently_removed():
    adopted_vn = dict(HAND_VN, tags=model.owner_tags("team-x", adopted=True) + ["legacy"])
    own_template = dict(HAND_TEMPLATE, tags=model.owner_tags("team-x", adopted=True))
    own_nad = dict(HAND_NAD, owner="team-x")
    judge, net = judged([adopted_vn], [own_template], [own_nad], absent=True)
    assert judge.errors and "was adopted" in judge.errors[0] and "release=true" in judge.errors[0]
    judge, net = judged([adopted_vn], [own_template], [own_nad], absent=True, release=True)
    assert judge.errors == [] and net["release"] is True and "remove" not in net
    assert [item["kind"] for item in judge.released] == [
        "virtual_network",
        "attachment",
        "connectivity_template",
    ]
    judge, net = judged([adopted_vn], [own_template], [own_nad], absent=True, force=True)
    assert judge.errors == [] and net["remove"] is True


def test_teardown_never_removes_another_owners_or_a_hand_made_object():
    judge, net = judged([dict(HAND_VN, tags=model.owner_tags("team-y"))], absent=True, force=True)
    assert judge.errors[0].startswith("net-a: virtual network net-a belongs to owner team-y")
    assert net["remove"] is False
    judge, net = judged([HAND_VN], absent=True, force=True)
    assert "carries no owner's mark" in judge.errors[0]


def test_a_routing_group_held_by_another_owner_is_a_clash():
    nads = [dict(HAND_NAD, owner="team-y", labels={model.ROUTING_GROUP_LABEL: "ran"})]
    net = dict(NET, routing_group="ran")
    assert ownership.routing_group_clashes([net], nads) == [
        "net-a.routing_group: ran in namespace telco is held by owner team-y; nothing was changed (give this "
        "network's group another name)"
    ]
    assert ownership.routing_group_clashes([dict(net, owner="team-y")], nads) == []


# -- the guard: the last line of defence, before anything is sent -----------------------------------------------------


def test_the_guard_refuses_a_change_to_another_owners_vn_before_anything_is_sent(apstra):
    theirs = apstra.vn("vn-b", "b-net", tags=model.owner_tags("cluster-b"))
    client = apstra.blueprint(zones=[apstra.zone("sz-telco", "telco")], vns=[theirs])
    ctx = apstra.context(client)
    ctx.ownership = Ownership(["cluster-a"], guard=True)
    engine = Engine(VirtualNetworks(ctx), "merged", [{"label": "b-net", "mtu": 9000}])
    with pytest.raises(ResourceError, match="virtual network b-net belongs to owner cluster-b"):
        engine.run()
    assert not [
        call
        for call in client.calls
        if call["method"] != "GET" and not call["path"].endswith("/qe")
    ]
    deleted = Engine(VirtualNetworks(ctx), "deleted", [{"label": "b-net"}])
    with pytest.raises(ResourceError, match="this run acts for cluster-a"):
        deleted.run()
    # without the guard (a standalone module told to), the listed object is changed as given
    ctx.ownership = Ownership(["cluster-a"])
    unguarded = Engine(
        VirtualNetworks(ctx), "merged", [{"label": "b-net", "mtu": 9000}], check_mode=True
    ).run()
    assert unguarded["plan"][0]["path"].endswith("/virtual-networks-batch-patch")


def test_overridden_removes_only_the_owners_vns(apstra):
    vns = [
        apstra.vn("vn-x", "x-1", tags=model.owner_tags("team-x")),
        apstra.vn("vn-y", "y-1", tags=model.owner_tags("team-y")),
        apstra.vn("vn-h", "hand", tags=[]),
    ]
    ctx = apstra.context(apstra.blueprint(zones=[apstra.zone("sz-telco", "telco")], vns=vns))
    ctx.ownership = Ownership(["team-y"])
    result = Engine(VirtualNetworks(ctx), "overridden", [], check_mode=True).run()
    assert [request["body"] for request in result["plan"]] == [{"virtual_network_ids": ["vn-y"]}]


def test_a_new_template_carries_its_vns_owner(apstra):
    vn = apstra.vn("vn-a", "a-net", bound=["id-leaf1"], tags=model.owner_tags("team-x"))
    ctx = apstra.context(apstra.blueprint(zones=[apstra.zone("sz-telco", "telco")], vns=[vn]))
    ctx.ownership = Ownership(["team-x"])
    result = Engine(
        PortBindings(ctx),
        "merged",
        [{"virtual_network": "a-net", "switch_ports": ["leaf1:xe-0/0/1"]}],
        check_mode=True,
    ).run()
    root = result["plan"][0]["body"]["policies"][0]
    assert root["tags"] == sorted(model.owner_tags("team-x"))


def merge_hand(service, **marks):
    """Merge the NAD telco/hand as owner team-x with the guard on and `marks` (adopt=..., release=...)."""
    return Engine(
        NetworkAttachments(service, ownership=Ownership(["team-x"], guard=True, **marks)),
        "merged",
        [{"name": "hand", "namespace": "telco"}],
    ).run()


def test_the_nad_guard_and_the_marks_of_adopt_and_release(k8s):
    hand = k8s.nad("hand", managed=False, labels={"team": "x"})
    theirs = k8s.nad("theirs", labels=model.owner_labels("team-y"))
    service = k8s.service([hand, theirs])
    nads = NetworkAttachments(service, ownership=Ownership(["team-x"], guard=True))
    with pytest.raises(
        ResourceError, match="NetworkAttachmentDefinition telco/theirs belongs to owner team-y"
    ):
        Engine(nads, "merged", [{"name": "theirs", "namespace": "telco", "vlan": 7}]).run()
    with pytest.raises(ResourceError, match="telco/hand carries no owner's mark"):
        Engine(
            NetworkAttachments(service, ownership=Ownership(["team-x"], guard=True)),
            "merged",
            [{"name": "hand", "namespace": "telco", "vlan": 7}],
        ).run()
    adopted = merge_hand(service, adopt=[("telco", "hand")])
    assert adopted["changed"] and [request["body"] for request in adopted["plan"]] == [
        {"metadata": {"labels": dict(model.owner_labels("team-x", adopted=True))}}
    ]
    released = merge_hand(service, release=[("telco", "hand")])
    assert [request["body"] for request in released["plan"]] == [
        {"metadata": {"labels": dict((key, None) for key in model.owner_labels("team-x", True))}}
    ]
