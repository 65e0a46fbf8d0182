# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who owns what, judged once per run before any write: each network's owner, the clashes with other owners'
objects, the objects made by hand that a run may adopt (only when they match exactly) and the adopted ones a teardown
may release. Every refusal names the object, its owner (or that it has none) and what to do. Pure Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov import model
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.allocation import nad_subnet
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    ADOPTED_TAG,
    EARLIER_CLUSTER_OWNER,
    IntentError,
    named_owner,
    owner_of_tags,
)


def run_owners(params, facts, source):
    """(intent owner, cluster owner) of a run; the cluster's is None when the run reads no cluster source."""
    errors = []
    intent_owner = model.owner_name(errors, "owner", params.get("owner") or model.DEFAULT_OWNER)
    cluster_owner = None
    if source in ("cluster", "both"):
        name = params.get("cluster_name") or (facts or {}).get("cluster_id")
        if not name:
            errors.append(
                "cluster_name: the cluster's identity is unknown (the kube-system namespace's uid was not read): set "
                "cluster_name (role: sriov_network_cluster_name, extra var cluster_name)"
            )
        else:
            cluster_owner = model.owner_name(errors, "cluster_name", name)
    if errors:
        raise IntentError(errors)
    return intent_owner, cluster_owner


def _vn_mismatches(net, vn):
    """The fields of a hand-made VN that differ from the network (what must match for it to be adopted)."""
    wanted = [
        ("vn_type", "vxlan"),
        ("vlan_id", net["vlan"]),
        ("routing_zone", net["routing_zone"]),
        ("ipv4_subnet", net["subnet"]),
        ("ipv4_gateway", model.gateway_of(net["subnet"])),
    ]
    wanted += [(key, net[field]) for key, field in (("vni", "vni"), ("mtu", "mtu")) if net[field]]
    if net.get("description") is not None:
        wanted.append(("description", net["description"]))
    return [
        "%s: intent %s, Apstra %s" % (field, value, vn.get(field))
        for field, value in wanted
        if vn.get(field) != value
    ]


def _nad_mismatches(net, nad):
    ipam = nad.get("ipam") or {}
    wanted = [
        ("resource_name", net["resource_name"], nad.get("resource_name")),
        ("vlan", net["vlan"], nad.get("vlan")),
        ("subnet", net["subnet"], nad_subnet(nad)),
    ]
    if ipam.get("type") and net["ipam"] != "cn2":
        wanted.append(("ipam.type", net["ipam"], ipam.get("type")))
    if ipam.get("gateway"):
        wanted.append(("ipam.gateway", model.gateway_of(net["subnet"]), ipam.get("gateway")))
    return [
        "%s: intent %s, cluster %s" % (field, want, have)
        for field, want, have in wanted
        if want != have
    ]


def is_intent(net):
    return (net.get("source") or {}).get("kind", "intent") == "intent"


class Judge:
    """The ownership verdicts of one run: errors (each stops the run before any write), and the objects to adopt or
    release. ``adopt``/``release``/``force``: what the run was told (extra vars adopt, release, force).
    """

    def __init__(self, vns, templates, nads, adopt=False, release=False, force=False):
        self.vns = dict((vn.get("label"), vn) for vn in vns or [])
        self.templates = {}
        for template in templates or []:
            if template.get("tag_type", "vlan_tagged") == "vlan_tagged":
                self.templates.setdefault(template.get("vn_id"), template)
        self.nads = dict(((nad.get("namespace"), nad.get("name")), nad) for nad in nads or [])
        self.adopt, self.release, self.force = adopt, release, force
        self.errors = []
        self.adopted = []  # [{kind, name, network}]: marked as the network's owner's by this run
        self.released = []  # [{kind, name, network}]: unmarked by this run, kept

    def _refuse(self, net, what, owner, mismatches=()):
        if owner is None or owner == EARLIER_CLUSTER_OWNER:
            origin = (
                "carries no owner's mark (made by hand or by another tool)"
                if owner is None
                else "was made by an earlier release for a cluster (which one is unknown)"
            )
            differs = "; it differs: %s" % "; ".join(mismatches) if mismatches else ""
            hint = (
                "nothing is adopted while a field differs: make the intent match it"
                if mismatches and self.adopt
                else "set adopt=true (role: sriov_network_adopt) to adopt it when it matches"
            )
            self.errors.append(
                "%s: %s %s%s; nothing was changed: %s" % (net["name"], what, origin, differs, hint)
            )
        else:
            self.errors.append(
                "%s: %s belongs to owner %s, not to %s; nothing was changed (two owners never share a network: "
                "give this one another name)" % (net["name"], what, owner, net["owner"])
            )

    def _adoptable(self, net, owner):
        """Unmarked, or (for a cluster's network) made by an earlier release for a cluster."""
        return owner is None or (owner == EARLIER_CLUSTER_OWNER and not is_intent(net))

    def _record(self, records, kind, name, net):
        records.append({"kind": kind, "name": name, "network": net["name"]})

    def present(self, net):
        """A network to provision: its VN, template and (intent networks) NAD are new, its owner's, or adopted."""
        vn = self.vns.get(net["name"])
        owner = owner_of_tags(vn.get("tags")) if vn else None
        adopting = False
        if vn is not None and owner != net["owner"]:
            mismatches = _vn_mismatches(net, vn)
            if self.adopt and self._adoptable(net, owner) and not mismatches:
                adopting = True
                self._record(self.adopted, "virtual_network", vn["label"], net)
            else:
                self._refuse(net, "virtual network %s" % vn["label"], owner, mismatches)
        template = self.templates.get(vn.get("id")) if vn else None
        if template is not None and owner_of_tags(template["tags"]) != net["owner"]:
            template_owner = owner_of_tags(template["tags"])
            # its VN's verdict decides: unmarked, or marked by the same earlier release as its adopted VN
            if (
                self.adopt
                and (adopting or owner == net["owner"])
                and not named_owner(template["tags"])
            ):
                self._record(self.adopted, "connectivity_template", template["id"], net)
            else:
                self._refuse(net, "connectivity template %s" % template["id"], template_owner)
        if is_intent(net):
            self._present_nad(net)
        # adopting: this run marks it (and only adds what is missing); adopted: an adopted network, now or before
        net["adopting"] = any(record["network"] == net["name"] for record in self.adopted)
        net["adopted"] = net["adopting"] or (
            vn is not None and ADOPTED_TAG in (vn.get("tags") or [])
        )

    def _present_nad(self, net):
        key = (net["namespace"], net["name"])
        nad = self.nads.get(key)
        if nad is None or nad.get("owner") == net["owner"]:
            return
        mismatches = _nad_mismatches(net, nad)
        if self.adopt and nad.get("owner") is None and not mismatches:
            self._record(self.adopted, "attachment", "%s/%s" % key, net)
        else:
            self._refuse(
                net, "NetworkAttachmentDefinition %s/%s" % key, nad.get("owner"), mismatches
            )

    def absent(self, net):
        """A network to remove: only its owner's objects go; an adopted one is released or forced, never silently.
        Sets ``remove`` (the run deletes its objects) or ``release`` (the run unmarks them) on the network.
        """
        vn = self.vns.get(net["name"])
        objects = []
        if vn is not None:
            objects.append(("virtual_network", vn["label"], owner_of_tags(vn.get("tags"))))
        if is_intent(net):
            key = "%s/%s" % (net["namespace"], net["name"])
            nad = self.nads.get((net["namespace"], net["name"]))
            if nad is not None:
                objects.append(("attachment", key, nad.get("owner")))
        refused = [obj for obj in objects if obj[2] != net["owner"]]
        for kind, name, owner in refused:
            what = "virtual network" if kind == "virtual_network" else "NetworkAttachmentDefinition"
            self._refuse(net, "%s %s" % (what, name), owner)
        adopted = vn is not None and ADOPTED_TAG in (vn.get("tags") or [])
        if refused or not adopted or self.force:
            net["remove"] = not refused
            return
        if not self.release:
            self.errors.append(
                "%s: virtual network %s was adopted (made before the collection managed it): teardown keeps it "
                "unless release=true (drop the owner's marks, keep the network and its ports) or force=true (delete "
                "it); nothing was changed" % (net["name"], vn["label"])
            )
            return
        net["release"] = True
        template = self.templates.get(vn.get("id"))
        if template is not None:
            objects.append(("connectivity_template", template["id"], net["owner"]))
        for kind, name, _owner in objects:
            self._record(self.released, kind, name, net)


def routing_group_clashes(nets, nads):
    """A routing group another owner's NADs already use in the same namespace: two owners never share a router."""
    held = {}
    for nad in nads or []:
        group = (nad.get("labels") or {}).get(model.ROUTING_GROUP_LABEL)
        if group and nad.get("owner"):
            held.setdefault((nad.get("namespace"), group), set()).add(nad["owner"])
    errors = []
    for net in nets:
        others = held.get((net["namespace"], net.get("routing_group")), set()) - {net["owner"]}
        if net.get("routing_group") and others:
            errors.append(
                "%s.routing_group: %s in namespace %s is held by owner %s; nothing was changed (give this network's "
                "group another name)"
                % (net["name"], net["routing_group"], net["namespace"], ", ".join(sorted(others)))
            )
    return errors
