#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_routing_zones
short_description: Manage Apstra routing zones (security zones / VRFs) as a resource list
version_added: 0.1.0
description:
  - Create, update and delete the routing zones of an Apstra blueprint from a list of wanted zones,
    with the network resource module states.
  - Zones are identified by O(config[].label). Zones this module creates carry the tag
    C(managed-by:netops.cn2_apstra); O(state=overridden) and O(state=deleted) without O(config) only remove
    zones carrying that tag. The C(default) routing zone is never removed.
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
      - The wanted routing zones.
    type: list
    elements: dict
    suboptions:
      label:
        description:
          - Name of the routing zone, 1-30 characters of C([A-Za-z0-9_-]).
        type: str
        required: true
      vrf_name:
        description:
          - VRF name on the switches. Defaults to O(config[].label) when the zone is created.
        type: str
      vni:
        description:
          - L3 VNI of the zone, 4096-16777214. Drawn from the VNI pool by Apstra if not set.
        type: int
      vlan_id:
        description:
          - VLAN used for the zone on the switches, 2-4094. Drawn by Apstra if not set.
        type: int
      import_rts:
        description:
          - Route targets to import, for example C(65000:100).
        type: list
        elements: str
      export_rts:
        description:
          - Route targets to export.
        type: list
        elements: str
      junos_evpn_irb_mode:
        description:
          - EVPN IRB mode on Junos switches.
        type: str
        choices: [asymmetric, symmetric]
      tags:
        description:
          - Tags of the zone. The owner's marks are added to zones this module creates (see O(owner)).
        type: list
        elements: str
  state:
    description:
      - V(merged) creates missing zones and updates the given fields of existing ones; lists are merged.
      - V(replaced) makes each listed zone exactly as given; fields left out go back to their defaults.
      - V(overridden) is V(replaced) plus removal of every zone of the task's O(owner) that is not listed.
      - V(deleted) removes the listed zones, or without O(config) every zone of the task's O(owner).
      - V(gathered) returns the existing zones in O(config) form and changes nothing.
      - V(rendered) returns the requests that would create O(config) without connecting to Apstra.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered]
    default: merged
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
- name: Routing zones for the SR-IOV workloads
  netops.cn2_apstra.apstra_routing_zones:
    api_url: https://apstra.example.com
    username: admin
    password: "{{ apstra_password }}"
    blueprint: dc1
    config:
      - label: telco
        vni: 20001
        export_rts: ["65000:20001"]
        import_rts: ["65000:20001"]
      - label: storage
    state: merged

- name: Read the zones
  netops.cn2_apstra.apstra_routing_zones:
    blueprint: dc1
    state: gathered
  register: zones

- name: Only these zones may exist among ours
  netops.cn2_apstra.apstra_routing_zones:
    blueprint: dc1
    config:
      - label: telco
    state: overridden

- name: Show the requests without connecting
  netops.cn2_apstra.apstra_routing_zones:
    blueprint: dc1
    config:
      - label: telco
    state: rendered
"""

RETURN = r"""
before:
  description: The routing zones before the run, in O(config) form plus C(id).
  returned: always
  type: list
  elements: dict
after:
  description: The routing zones after the run (in check mode, as they would be).
  returned: always
  type: list
  elements: dict
plan:
  description: The write requests a real run sends, each with C(method), C(path) and C(body); filled in check mode too.
  returned: always
  type: list
  elements: dict
  sample: [{"method": "POST", "path": "/api/blueprints/bp1/security-zones", "body": {"label": "telco", "sz_type": "evpn"}}]
gathered:
  description: The existing routing zones, with O(state=gathered).
  returned: when O(state=gathered)
  type: list
  elements: dict
rendered:
  description: The requests that would create O(config), with O(state=rendered).
  returned: when O(state=rendered)
  type: list
  elements: dict
diff:
  description: One before/after pair per changed routing zone.
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
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.resources import (
    FabricContext,
    RoutingZones,
)

ZONE_SPEC = dict(
    label=dict(type="str", required=True),
    vrf_name=dict(type="str"),
    vni=dict(type="int"),
    vlan_id=dict(type="int"),
    import_rts=dict(type="list", elements="str"),
    export_rts=dict(type="list", elements="str"),
    junos_evpn_irb_mode=dict(type="str", choices=["asymmetric", "symmetric"]),
    tags=dict(type="list", elements="str"),
)


class RoutingZonesModule(ApstraModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        config=dict(type="list", elements="dict", options=ZONE_SPEC),
        state=dict(
            type="str",
            default="merged",
            choices=["merged", "replaced", "overridden", "deleted", "gathered", "rendered"],
        ),
    )

    def run(self):
        if self.params["state"] == "rendered":
            # No connection: the requests are rendered for the blueprint as given.
            self._context = FabricContext(None, self.params["blueprint"])
        return self.run_resource(RoutingZones(self.context))


def main():
    RoutingZonesModule().main()


if __name__ == "__main__":
    main()
