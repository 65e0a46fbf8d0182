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
  - netops.cn2_apstra.k8s_auth
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_kubernetes
attributes:
  check_mode:
    support: full
    details: Writes are sent with C(dryRun=All); the API server validates them and stores nothing.
  diff_mode:
    support: full
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
        description: Labels of the router (the ownership label is managed by the module).
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.common import auth_argument_spec, fail_api, service_for
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.nad import CN2_GROUP, ValidationError, compact, validate_name
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.runner import OWNER_LABEL, Adapter, ResourceRunner, RunnerError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError

KIND = "VirtualNetworkRouter"
ROUTER_SPEC = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str"},
    "type": {"type": "str", "choices": ["mesh", "hub", "spoke"]},
    "virtual_network_selector": {"type": "dict"},
    "import_routers": {"type": "list", "elements": "dict", "options": {
        "router_selector": {"type": "dict", "required": True},
        "namespace_selector": {"type": "dict"},
    }},
    "labels": {"type": "dict"},
}


def _labels_of(selector):
    return dict((selector or {}).get("matchLabels") or {})


class RouterAdapter(Adapter):
    """Option form <-> VirtualNetworkRouter."""

    kind = KIND

    def __init__(self, api_version):
        self.api_version = api_version

    def from_object(self, obj):
        metadata = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        imports = []
        for entry in (spec.get("import") or {}).get("virtualNetworkRouters") or []:
            imports.append({"router_selector": _labels_of(entry.get("virtualNetworkRouterSelector")),
                            "namespace_selector": _labels_of(entry.get("namespaceSelector"))})
        item = {
            "name": metadata.get("name"),
            "namespace": metadata.get("namespace"),
            "type": spec.get("type"),
            "virtual_network_selector": _labels_of(spec.get("virtualNetworkSelector")),
            "import_routers": imports,
            "labels": dict((k, v) for k, v in (metadata.get("labels") or {}).items() if k != OWNER_LABEL),
        }
        return compact(item)

    def to_object(self, item, labels, have_obj=None, merge=False):
        spec = {"type": item["type"], "virtualNetworkSelector": {"matchLabels": item.get("virtual_network_selector") or {}}}
        imports = []
        for entry in item.get("import_routers") or []:
            rendered = {"virtualNetworkRouterSelector": {"matchLabels": entry["router_selector"]}}
            if entry.get("namespace_selector"):
                rendered["namespaceSelector"] = {"matchLabels": entry["namespace_selector"]}
            imports.append(rendered)
        if imports:
            spec["import"] = {"virtualNetworkRouters": imports}
        metadata = compact({"name": item["name"], "namespace": item["namespace"], "labels": labels})
        return {"apiVersion": self.api_version, "kind": KIND, "metadata": metadata, "spec": spec}

    def normalize(self, item):
        return compact(item)

    def validate(self, item, field, creating):
        validate_name(field + ".name", item.get("name"))
        validate_name(field + ".namespace", item.get("namespace"), required=False)
        if creating:
            for key in ("type", "virtual_network_selector"):
                if not item.get(key):
                    raise ValidationError("%s.%s is required to create a router" % (field, key))
        return []


def main():
    argument_spec = auth_argument_spec(
        config={"type": "list", "elements": "dict", "default": [], "options": ROUTER_SPEC},
        namespace={"type": "str"},
        api_version={"type": "str"},
        state={"type": "str", "default": "merged", "choices": ["merged", "replaced", "overridden", "deleted", "gathered"]},
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    config = [compact(item) for item in params["config"]]
    try:
        for index, item in enumerate(config):
            validate_name("config[%d].name" % index, item.get("name"))
            validate_name("config[%d].namespace" % index, item.get("namespace"), required=False)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), changed=False, plan=[])

    service = service_for(module)
    runner = None
    try:
        resource = service.resource(params["api_version"] or CN2_GROUP, KIND)
        runner = ResourceRunner(service, RouterAdapter(resource.group_version), params["state"], config,
                                namespace=params["namespace"], diff=module._diff, resource=resource)
        result = runner.run()
    except RunnerError as exc:
        module.fail_json(msg=str(exc), changed=False, plan=runner.plan if runner else [])
    except K8sError as exc:
        plan = runner.plan if runner else []
        fail_api(module, exc, changed=bool(plan) and not module.check_mode, plan=plan)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
