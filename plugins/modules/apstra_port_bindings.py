#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_port_bindings
short_description: Put Apstra virtual networks on the leaf ports that face given servers
version_added: 0.1.0
description:
  - Makes virtual networks tagged or untagged on server-facing interfaces, given by server hostname (and
    optionally the server's interface name) or by C(leaf:interface).
  - Uses one connectivity template per virtual network and tag mode, reusing an existing single-VLAN template
    for that network and mode, or creating one (with the tag C(managed-by:netops.cn2_apstra)). All new
    templates are created with one C(obj-policy-import) call, and all assignments are made with one
    C(obj-policy-batch-apply) call, whatever the number of interfaces.
  - A server dual-homed to an ESI pair is bound on the pair's logical port-channel (the only valid
    application point), never on the leaf member ports.
  - Changes land in the blueprint's staging; deploy them with M(netops.cn2_apstra.apstra_blueprint_commit).
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.blueprint
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  config:
    description:
      - The wanted bindings, one entry per virtual network and tag mode.
      - Required unless O(state=gathered); with O(state=gathered) it limits the answer to the listed virtual
        networks and tag modes.
    type: list
    elements: dict
    suboptions:
      virtual_network:
        description:
          - Label of the virtual network.
          - In check mode a label that does not exist yet (a network an earlier task of the same check run
            would create) is planned with the placeholder id C(<virtual network LABEL (planned)>), its new
            template with placeholder ids too, and the result carries a note. A real run fails on an unknown
            label, naming the closest existing ones, before any write.
        type: str
        required: true
      tagged:
        description:
          - V(true) for a tagged (trunk) VLAN, V(false) for untagged (access).
        type: bool
        default: true
      servers:
        description:
          - Servers by hostname (all their fabric-facing interfaces) or C(hostname:interface) (one NIC port).
        type: list
        elements: str
        default: []
      switch_ports:
        description:
          - Leaf ports as C(leaf:interface), for example C(leaf1:xe-0/0/1); an ESI member port stands for its ESI
            port-channel. The ESI port-channel may also be named as C(esi-pair:aeN).
        type: list
        elements: str
        default: []
  state:
    description:
      - V(merged) adds the listed interfaces to each network's template.
      - V(replaced) makes the listed interfaces exactly the ones carrying each network's template.
      - V(deleted) removes the listed interfaces, or every interface when none are listed. A template this module
        created (tag C(managed-by:netops.cn2_apstra)) that is left on no interface is deleted too, so that the
        virtual network can then be deleted.
      - V(gathered) returns the interfaces carrying each single-VLAN template in O(config) form and changes nothing.
    type: str
    choices: [merged, replaced, deleted, gathered]
    default: merged
notes:
  - Check mode sends no write. Its plan has the same requests, in the same order and shape, as the real run's;
    only the ids of virtual networks that do not exist yet, and of their new templates, are placeholders.
  - Writes at most three requests, whatever the number of interfaces, in this order
    C(obj-policy-import), C(obj-policy-batch-apply), C(obj-policy-batch-delete).
attributes:
  check_mode:
    support: full
    details: Plans from reads only and sends no write; RV(plan) lists the requests a real run would send.
  diff_mode:
    support: full
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: sriov-a tagged on every port of two workers, untagged storage on one leaf port
  netops.cn2_apstra.apstra_port_bindings:
    blueprint: dc1
    config:
      - virtual_network: sriov-a
        servers: [worker-01, worker-05]
      - virtual_network: storage
        tagged: false
        switch_ports: ["leaf2:xe-0/0/4"]
    state: merged

- name: Take sriov-a off worker-01
  netops.cn2_apstra.apstra_port_bindings:
    blueprint: dc1
    config:
      - virtual_network: sriov-a
        servers: [worker-01]
    state: deleted

- name: Read which ports carry sriov-a
  netops.cn2_apstra.apstra_port_bindings:
    blueprint: dc1
    config:
      - virtual_network: sriov-a
    state: gathered
  register: sriov_a_ports
"""

RETURN = r"""
before:
  description: Per virtual network and tag mode, the interfaces carrying it before the run.
  returned: always
  type: list
  elements: dict
  sample: [{"virtual_network": "sriov-a", "tagged": true, "template": "id", "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]}]
after:
  description: The same after the run (in check mode, as it would be).
  returned: always
  type: list
  elements: dict
plan:
  description: The write requests a real run sends, each with C(method), C(path) and C(body); filled in check mode too.
  returned: always
  type: list
  elements: dict
gathered:
  description: With O(state=gathered), per virtual network and tag mode the interfaces carrying it, in O(config) form.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"virtual_network": "sriov-a", "tagged": true, "servers": [], "switch_ports": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]}]
notes:
  description: In check mode, one line per virtual network that does not exist yet and was planned with a placeholder id.
  returned: when a placeholder was planned
  type: list
  elements: str
diff:
  description: One before/after pair per changed virtual network and tag mode.
  returned: with C(--diff)
  type: list
  elements: dict
msg:
  description: What failed, with Apstra's HTTP status and error body, and which requests were and were not applied.
  returned: on failure
  type: str
applied:
  description:
    - The requests of RV(plan) that Apstra accepted before the run failed, in order.
    - Apstra keeps them (in the staging blueprint); a later run plans only what is still missing.
  returned: when a write of the plan failed
  type: list
  elements: dict
not_applied:
  description:
    - The requests of RV(plan) that were not applied, the failing one first.
    - Empty when the failure came after the last request was accepted (a deploy task that failed, for example).
  returned: when a write of the plan failed
  type: list
  elements: dict
status:
  description: The HTTP status of the Apstra call that failed.
  returned: on failure of an Apstra call
  type: int
  sample: 422
error:
  description: The error body Apstra answered with (parsed JSON, or the text when it is not JSON).
  returned: on failure of an Apstra call
  type: raw
  sample: {"errors": {"vn_id": "VNI 10110 is already in use"}}
"""

import uuid

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import (
    ApstraModule,
    is_placeholder,
    object_diffs,
    op,
    placeholder,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.planner import OWNER_TAG
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import bp_path
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import ValidationError, unknown_name

ITEM_SPEC = dict(
    virtual_network=dict(type="str", required=True),
    tagged=dict(type="bool", default=True),
    servers=dict(type="list", elements="str", default=[]),
    switch_ports=dict(type="list", elements="str", default=[]),
)
CT_NAMESPACE = uuid.UUID("5d1f3f0e-8a7b-4c55-9a0e-6f1b2c3d4e5f")


def tag_type(tagged):
    return "vlan_tagged" if tagged else "untagged"


def owned_roots(policies):
    return set(policy["id"] for policy in policies if policy.get("policy_type_name") == "batch" and OWNER_TAG in (policy.get("tags") or []))


def find_templates(policies):
    """{(vn id, tag_type): root policy id} for every template that is exactly one single-VLAN primitive."""
    pipeline_of = {}
    for policy in policies:
        if policy.get("policy_type_name") == "pipeline":
            pipeline_of[(policy.get("attributes") or {}).get("first_subpolicy")] = policy["id"]
    root_of = {}
    for policy in policies:
        subpolicies = (policy.get("attributes") or {}).get("subpolicies") or []
        if policy.get("policy_type_name") == "batch" and policy.get("visible") and len(subpolicies) == 1:
            root_of[subpolicies[0]] = policy["id"]
    found = {}
    for policy in policies:
        attributes = policy.get("attributes") or {}
        if policy.get("policy_type_name") != "AttachSingleVLAN":
            continue
        root = root_of.get(pipeline_of.get(policy["id"]))
        if root:
            found.setdefault((attributes.get("vn_node_id"), attributes.get("tag_type")), root)
    return found


def new_template(bp_id, vn, mode):
    """The three policy nodes of a single-VLAN template; ids derive from blueprint, VN and mode, so check and real runs agree.

    For a VN that only a check run plans (its id is a placeholder) the template ids are placeholders too: the real
    run derives them from the VN's real id.
    """
    label = "%s-%s" % (vn["label"], "tagged" if mode == "vlan_tagged" else "untagged")
    if is_placeholder(vn["id"]):
        root = placeholder("connectivity template", label)
        pipeline = placeholder("connectivity template", label + " pipeline")
        primitive = placeholder("connectivity template", label + " primitive")
    else:
        root = str(uuid.uuid5(CT_NAMESPACE, "%s/%s/%s" % (bp_id, vn["id"], mode)))
        pipeline = str(uuid.uuid5(CT_NAMESPACE, root + "/pipeline"))
        primitive = str(uuid.uuid5(CT_NAMESPACE, root + "/primitive"))
    return root, [
        {"id": root, "label": label, "description": "",
         "policy_type_name": "batch", "visible": True, "tags": [OWNER_TAG], "attributes": {"subpolicies": [pipeline]}},
        {"id": pipeline, "label": "Virtual Network (Single) (pipeline)", "description": "", "policy_type_name": "pipeline",
         "visible": False, "tags": [], "attributes": {"first_subpolicy": primitive, "second_subpolicy": None}},
        {"id": primitive, "label": "Virtual Network (Single)", "description": "", "policy_type_name": "AttachSingleVLAN",
         "visible": False, "tags": [], "attributes": {"vn_node_id": vn["id"], "tag_type": mode}},
    ]


class Ports:
    """Server-facing application points, from one graph query: name <-> id, and lookups by server or leaf port."""

    def __init__(self, rows):
        self.name_of = {}
        self.by_server = {}
        self.by_server_intf = {}
        self.by_port = {}
        for row in rows:
            leaf, leaf_intf, server = row["leaf"], row["leaf_intf"], row["server"]
            if row.get("esi_lag"):
                ap_id, ap_name = row["esi_lag"]["id"], "%s:%s" % (row["rg"]["label"], row["esi_lag"]["if_name"])
            else:
                ap_id, ap_name = leaf_intf["id"], "%s:%s" % (leaf["label"], leaf_intf["if_name"])
            self.name_of[ap_id] = ap_name
            self.by_server.setdefault(server["label"], set()).add(ap_id)
            self.by_server_intf["%s:%s" % (server["label"], row["server_intf"]["if_name"])] = ap_id
            self.by_port["%s:%s" % (leaf["label"], leaf_intf["if_name"])] = ap_id
            self.by_port[ap_name] = ap_id

    def resolve(self, field, server=None, port=None):
        if port is not None:
            if port not in self.by_port:
                raise unknown_name("leaf port", field, port, self.by_port)
            return {self.by_port[port]}
        if ":" in server:
            if server not in self.by_server_intf:
                hostname = server.split(":", 1)[0]
                if hostname not in self.by_server:
                    raise unknown_name("server", field, hostname, self.by_server)
                raise unknown_name("server interface", field, server, [key for key in self.by_server_intf if key.startswith(hostname + ":")])
            return {self.by_server_intf[server]}
        if server not in self.by_server:
            raise unknown_name("server", field, server, self.by_server)
        return set(self.by_server[server])

    def names(self, ap_ids):
        return sorted(self.name_of.get(ap_id, ap_id) for ap_id in ap_ids)


class PortBindings(ApstraModule):
    ARGUMENT_SPEC = dict(
        config=dict(type="list", elements="dict", options=ITEM_SPEC),
        state=dict(type="str", default="merged", choices=["merged", "replaced", "deleted", "gathered"]),
    )

    def validate(self):
        state = self.params["state"]
        if state != "gathered" and not self.params["config"]:
            raise ValidationError("config is required with state=%s" % state)
        seen = set()
        for index, item in enumerate(self.params["config"] or []):
            key = (item["virtual_network"], item["tagged"])
            if key in seen:
                raise ValidationError("config[%d]: virtual_network=%s tagged=%s is listed twice" % (index, key[0], key[1]))
            seen.add(key)
            for port in item["switch_ports"]:
                if ":" not in port:
                    raise ValidationError("config[%d].switch_ports: %r is not of the form leaf:interface" % (index, port))
            if state in ("merged", "replaced") and not item["servers"] and not item["switch_ports"]:
                raise ValidationError("config[%d]: list servers or switch_ports to bind virtual_network=%s to" % (index, item["virtual_network"]))

    def run(self):
        self.validate()
        state = self.params["state"]
        vns = dict((vn["label"], vn) for vn in self.service.virtual_networks(self.bp_id))
        known = sorted(vns)
        ports = Ports(self.service.server_ports(self.bp_id))
        policies = self.service.policies(self.bp_id)
        templates, owned = find_templates(policies), owned_roots(policies)
        used = self.service.assignments(self.bp_id)
        if state == "gathered":
            gathered = self.gathered(vns, ports, templates, used)
            return dict(changed=False, before=gathered, after=gathered, gathered=gathered)

        new_policies, apply, unused, before, after, pairs = [], {}, [], [], [], []
        for index, item in enumerate(self.params["config"]):
            prefix = "config[%d]" % index
            if item["virtual_network"] not in vns:
                # Check mode only: a VN an earlier task of this check run would create gets a placeholder id.
                error = unknown_name("virtual network", prefix + ".virtual_network", item["virtual_network"], known)
                vns[item["virtual_network"]] = dict(id=self.plan_missing(error, "virtual network", item["virtual_network"]),
                                                    label=item["virtual_network"])
            vn, mode = vns[item["virtual_network"]], tag_type(item["tagged"])
            listed = set()
            for server in item["servers"]:
                listed |= ports.resolve(prefix + ".servers", server=server)
            for port in item["switch_ports"]:
                listed |= ports.resolve(prefix + ".switch_ports", port=port)
            template = templates.get((vn["id"], mode))
            current = used.get(template, set()) if template else set()
            if state == "merged":
                wanted = current | listed
            elif state == "replaced":
                wanted = set(listed)
            else:
                wanted = current - listed if listed else set()
            if wanted and not template:
                template, policies = new_template(self.bp_id, vn, mode)
                new_policies.extend(policies)
            for ap_id in sorted(wanted - current):
                apply.setdefault(ap_id, []).append({"policy": template, "used": True})
            for ap_id in sorted(current - wanted):
                apply.setdefault(ap_id, []).append({"policy": template, "used": False})
            if state == "deleted" and not wanted and template in owned:
                unused.append(template)
            old = dict(virtual_network=vn["label"], tagged=item["tagged"], template=template, interfaces=ports.names(current))
            new = dict(old, interfaces=ports.names(wanted))
            before.append(old)
            after.append(new)
            pairs.append(("%s (%s)" % (vn["label"], mode), old, new))

        plan = []
        if new_policies:
            plan.append(op("PUT", bp_path(self.bp_id, "/obj-policy-import"), {"policies": new_policies}))
        if apply:
            points = [{"id": ap_id, "policies": apply[ap_id]} for ap_id in sorted(apply, key=lambda ap: ports.name_of.get(ap, ap))]
            plan.append(op("PATCH", bp_path(self.bp_id, "/obj-policy-batch-apply"), {"application_points": points}))
        if unused:
            plan.append(op("POST", bp_path(self.bp_id, "/obj-policy-batch-delete"), {"policy_ids": unused}))
        self.execute(plan)
        return dict(changed=bool(plan), before=before, after=after, plan=plan, diff=object_diffs("port_binding", pairs))

    def gathered(self, vns, ports, templates, used):
        """The interfaces carrying each single-VLAN template, in config form (only the listed VNs, if any)."""
        listed = set((item["virtual_network"], item["tagged"]) for item in self.params["config"] or [])
        labels = dict((vn["id"], vn["label"]) for vn in vns.values())
        out = []
        for (vn_id, mode), template in templates.items():
            key = (labels.get(vn_id, vn_id), mode == "vlan_tagged")
            if used.get(template) and (not listed or key in listed):
                out.append(dict(virtual_network=key[0], tagged=key[1], servers=[], switch_ports=ports.names(used[template])))
        return sorted(out, key=lambda item: (item["virtual_network"], not item["tagged"]))


def main():
    PortBindings().main()


if __name__ == "__main__":
    main()
