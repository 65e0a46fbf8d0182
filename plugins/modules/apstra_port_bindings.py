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
  - netops.cn2_apstra.ownership
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
          - C(interfaces) is the same list under the name RV(gathered) uses, so gathered items can be given back as O(config).
        type: list
        elements: str
        default: []
        aliases: [interfaces]
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
  sample: [{"virtual_network": "sriov-a", "tagged": true, "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]}]
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
  description:
    - With O(state=gathered), per virtual network and tag mode the interfaces carrying it (only those of O(config) when given),
      in the shape of RV(before) and RV(after); each item is valid O(config) (C(interfaces) is an alias of C(switch_ports)).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{"virtual_network": "sriov-a", "tagged": true, "interfaces": ["leaf1:xe-0/0/1", "leaf3-leaf4:ae5"]}]
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import OWNERSHIP_SPEC
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import PortBindings

ITEM_SPEC = dict(
    virtual_network=dict(type="str", required=True),
    tagged=dict(type="bool", default=True),
    servers=dict(type="list", elements="str", default=[]),
    switch_ports=dict(type="list", elements="str", default=[], aliases=["interfaces"]),
)


class PortBindingsModule(ApstraModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        config=dict(type="list", elements="dict", options=ITEM_SPEC),
        state=dict(
            type="str", default="merged", choices=["merged", "replaced", "deleted", "gathered"]
        ),
    )

    def run(self):
        return self.run_resource(PortBindings(self.context))


def main():
    PortBindingsModule().main()


if __name__ == "__main__":
    main()
