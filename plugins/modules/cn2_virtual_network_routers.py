#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cn2_virtual_network_routers
short_description: Manage CN2 VirtualNetworkRouters that connect labelled virtual networks
version_added: 0.1.0
description:
  - Manages CN2 C(VirtualNetworkRouter) objects (C(core.contrail.juniper.net)) as a resource module, so that
    virtual networks selected by label route to each other (V(mesh)) or through a hub (V(hub) and V(spoke)).
  - Objects the module creates carry the label C(app.kubernetes.io/managed-by=netops.cn2_apstra);
    O(state=overridden) and O(state=deleted) without O(config) only remove objects with that label.
author:
  - netops.cn2_apstra developers (@netops)
extends_documentation_fragment:
  - netops.cn2_apstra.ownership
  - netops.cn2_apstra.k8s_auth
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_kubernetes
  - netops.cn2_apstra.attributes.k8s_writes
options:
  config:
    description:
      - The virtual network routers.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the VirtualNetworkRouter (RFC 1123 label).
        type: str
        required: true
      namespace:
        description: Namespace of the router. Defaults to O(namespace), else C(default).
        type: str
      type:
        description:
          - V(mesh) connects every selected virtual network with every other one.
          - V(hub) and V(spoke) build hub-and-spoke routing; spokes only reach the hub.
          - Required to create a router.
        type: str
        choices: [mesh, hub, spoke]
      virtual_network_selector:
        description:
          - Labels (C(matchLabels)) of the virtual networks this router connects. Required to create a router.
        type: dict
      import_routers:
        description:
          - Other routers whose networks this router imports routes from (C(spec.import.virtualNetworkRouters)).
        type: list
        elements: dict
        suboptions:
          router_selector:
            description: Labels (C(matchLabels)) of the routers to import from.
            type: dict
            required: true
          namespace_selector:
            description: Labels (C(matchLabels)) of the namespaces of those routers.
            type: dict
      labels:
        description: Labels of the router (the owner's marks are managed by the module, see O(owner)).
        type: dict
  namespace:
    description:
      - Default namespace for O(config) entries without one, and the only namespace read and changed by
        O(state=gathered), O(state=overridden) and O(state=deleted). All namespaces when left out.
    type: str
  api_version:
    description:
      - API version of C(VirtualNetworkRouter), for example C(core.contrail.juniper.net/v1). By default the
        version the API server prefers in the C(core.contrail.juniper.net) group.
    type: str
  state:
    description:
      - V(merged), V(replaced), V(overridden), V(deleted) and V(gathered) as in the other resource modules of
        this collection; see M(netops.cn2_apstra.sriov_network_attachments).
    type: str
    default: merged
    choices: [merged, replaced, overridden, deleted, gathered]
"""

EXAMPLES = r"""
- name: Let every VN labelled vnr=telco-mesh reach every other one
  netops.cn2_apstra.cn2_virtual_network_routers:
    config:
      - name: telco-mesh
        namespace: telco
        type: mesh
        virtual_network_selector:
          vnr: telco-mesh
        labels:
          vnr: telco-mesh

- name: Hub and spokes
  netops.cn2_apstra.cn2_virtual_network_routers:
    namespace: telco
    config:
      - name: hub
        type: hub
        virtual_network_selector: {role: hub}
        labels: {vnr: hub}
        import_routers:
          - router_selector: {vnr: spoke}
      - name: spoke
        type: spoke
        virtual_network_selector: {role: spoke}
        labels: {vnr: spoke}
        import_routers:
          - router_selector: {vnr: hub}
"""

RETURN = r"""
changed:
  description: Whether a write was (or, in check mode, would be) sent.
  returned: always
  type: bool
before:
  description: The routers in scope before the run, in option form.
  returned: always
  type: list
  elements: dict
after:
  description: The routers in scope after the run; in check mode what the API server's dry run answered.
  returned: always
  type: list
  elements: dict
gathered:
  description: The existing routers (O(state=gathered)).
  returned: when O(state=gathered)
  type: list
  elements: dict
plan:
  description: The API requests the run sends (in check mode with C(dryRun=All)), each with C(method), C(path), C(body).
  returned: always
  type: list
  elements: dict
diff:
  description: Before and after of the routers that change, keyed C(namespace/name).
  returned: with C(--diff)
  type: dict
msg:
  description: What failed, with the API status and error body.
  returned: on failure
  type: str
status:
  description: HTTP status of the failed API call.
  returned: on API failure
  type: int
error:
  description: Error body the API server answered with.
  returned: on API failure
  type: raw
"""

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.module import K8sModule
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nad import (
    CN2_GROUP,
    ValidationError,
    compact,
    validate_name,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.resources import (
    VirtualNetworkRouters,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    OWNERSHIP_SPEC,
    ownership,
    ResourceError,
)

ROUTER_SPEC = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str"},
    "type": {"type": "str", "choices": ["mesh", "hub", "spoke"]},
    "virtual_network_selector": {"type": "dict"},
    "import_routers": {
        "type": "list",
        "elements": "dict",
        "options": {
            "router_selector": {"type": "dict", "required": True},
            "namespace_selector": {"type": "dict"},
        },
    },
    "labels": {"type": "dict"},
}


class VirtualNetworkRoutersModule(K8sModule):
    ARGUMENT_SPEC = dict(
        **OWNERSHIP_SPEC,
        config={"type": "list", "elements": "dict", "default": [], "options": ROUTER_SPEC},
        namespace={"type": "str"},
        api_version={"type": "str"},
        state={
            "type": "str",
            "default": "merged",
            "choices": ["merged", "replaced", "overridden", "deleted", "gathered"],
        },
    )

    def run(self):
        config = [compact(item) for item in self.params["config"]]
        try:
            for index, item in enumerate(config):
                validate_name("config[%d].name" % index, item.get("name"))
                validate_name("config[%d].namespace" % index, item.get("namespace"), required=False)
        except ValidationError as exc:
            raise ResourceError(str(exc)) from exc
        routers = VirtualNetworkRouters(
            self.service, self.params["namespace"], ownership=ownership(self.params, keyed=True)
        )
        routers.api_resource = self.service.resource(
            self.params["api_version"] or CN2_GROUP, routers.OBJECT_KIND
        )
        return self.run_resource(routers, config=config)


def main():
    VirtualNetworkRoutersModule().main()


if __name__ == "__main__":
    main()
