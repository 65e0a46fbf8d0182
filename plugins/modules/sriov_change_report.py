#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sriov_change_report
short_description: Write the change report of an SR-IOV network run (Markdown and SVG)
version_added: 0.1.0
description:
  - Writes a Markdown report for the change ticket and an SVG picture of the leafs, the SR-IOV nodes and which
    virtual network and VLAN lands on which port.
  - The report lists what changed (or, in check mode, would change) on each layer, the Apstra deploy revision,
    the NetworkAttachmentDefinitions created, the nodes that were not bound and why, and the drift found.
  - Secrets and module invocation arguments in O(results) are never written.
  - Runs on the controller; writes only the two report files (also in check mode, because the plan is the
    report a change board reads). The role marks the task as not changed.
options:
  path:
    description:
      - Directory the report files are written to; created if missing.
    type: path
    default: reports
  name:
    description:
      - Base name of the files; C(<name>-<timestamp>.md) and C(.svg) are written, and C(<name>-latest.md)
        and C(.svg) are replaced by copies.
    type: str
    default: sriov-change
  title:
    description:
      - Title of the report.
    type: str
    default: SR-IOV network change report
  run:
    description:
      - What ran, for example the playbook and the AWX job id.
    type: str
    default: ""
  check_mode:
    description:
      - Whether the run was a check-mode (plan only) run; the report then says that nothing changed.
    type: bool
    default: false
  blueprint:
    description:
      - The blueprint facts (one entry of C(blueprints) from M(netops.cn2_apstra.apstra_blueprint_info)).
    type: dict
    default: {}
  fabric:
    description:
      - The C(fabric) facts of M(netops.cn2_apstra.apstra_blueprint_info) (leafs and ESI pairs for the picture).
    type: dict
    default: {}
  intent:
    description:
      - The registered result of M(netops.cn2_apstra.sriov_intent) (networks, port map, problems).
    type: dict
    default: {}
  results:
    description:
      - Registered results by layer, keys C(routing_zones), C(virtual_networks), C(port_bindings), C(commit),
        C(attachments), C(routers). Skipped or missing entries count as no change.
    type: dict
    default: {}
  fabric_result:
    description:
      - The registered result of M(netops.cn2_apstra.apstra_fabric_apply); its steps and commit fill the fabric layers of
        O(results), and its read-back of what Apstra deployed replaces the virtual networks' C(after).
    type: dict
    default: {}
  cluster_results:
    description:
      - Registered loop results of the cluster tasks by layer (C(attachments), C(routers)); each layer's runs are combined.
    type: dict
    default: {}
  failure:
    description: What failed in this run and what was and was not applied (the report of a failed run).
    type: str
  drift:
    description:
      - Drift entries (C(drift) of M(netops.cn2_apstra.sriov_intent) with O(netops.cn2_apstra.sriov_intent#module:mode=verify)).
        Leave out when the run did not check for drift.
    type: list
    elements: dict
  commit_description:
    description:
      - The description the Apstra revision was deployed with.
    type: str
  timestamp:
    description:
      - Timestamp for the report and file names (C(YYYYmmddTHHMMSSZ)). The current UTC time if not set.
    type: str
extends_documentation_fragment:
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_local
attributes:
  check_mode:
    support: full
    details: The report is written in check mode too; it is the plan for the change board.
  diff_mode:
    support: none
    details: No diff; the report files are the output.
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Write the change report
  netops.cn2_apstra.sriov_change_report:
    path: reports
    name: provision
    run: "provision.yml (AWX job {{ awx_job_id | default('local') }})"
    check_mode: "{{ ansible_check_mode }}"
    blueprint: "{{ blueprint_facts.blueprints[0] }}"
    fabric: "{{ blueprint_facts.fabric }}"
    intent: "{{ intent }}"
    results:
      virtual_networks: "{{ vn_result }}"
      port_bindings: "{{ binding_result }}"
      commit: "{{ commit_result }}"
      attachments: "{{ nad_result }}"
  changed_when: false
"""

RETURN = r"""
markdown:
  description: Path of the Markdown report.
  returned: success
  type: str
  sample: reports/provision-20250101T120000Z.md
svg:
  description: Path of the SVG picture.
  returned: success
  type: str
  sample: reports/provision-20250101T120000Z.svg
summary:
  description: The figures at the top of the report.
  returned: success
  type: dict
  contains:
    fabric_changed:
      description: Whether the fabric changed (or would change).
      type: bool
    cluster_changed:
      description: Whether the cluster changed (or would change).
      type: bool
    deployed_version:
      description: The Apstra revision deployed after the run.
      type: int
    attachments_created:
      description: NADs created (or to be created).
      type: list
      elements: str
    drift:
      description: Number of drift entries.
      type: int
    problems:
      description: Number of nodes reported and not bound.
      type: int
plan:
  description: Always empty; the module sends no request.
  returned: always
  type: list
  elements: dict
"""

import datetime
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netops.cn2_apstra.plugins.module_utils.report import (
    CLUSTER_LAYERS,
    FABRIC_LAYERS,
    markdown,
    object_changes,
    scrub,
    svg,
)


def combined(results):
    """One result for several runs of the same resource (steps, loop items): first before, last after, every request."""
    results = [r for r in results or [] if isinstance(r, dict) and not r.get("skipped")]
    if not results:
        return {}
    return dict(changed=any(r.get("changed") for r in results), before=results[0].get("before") or [], after=results[-1].get("after") or [],
                plan=[request for r in results for request in r.get("plan") or []])


def layered(params):
    """The results by layer, from the fabric task's steps and the cluster tasks' loop results (or given by layer)."""
    results = dict(params.get("results") or {})
    fabric = params.get("fabric_result") or {}
    if fabric and not fabric.get("skipped"):
        for resource in ("routing_zones", "virtual_networks", "port_bindings"):
            results[resource] = combined([step for step in fabric.get("steps") or [] if step.get("resource") == resource])
        results["commit"] = fabric.get("commit") or {}
        if fabric.get("deployed"):
            # What Apstra has deployed, read back after the deploy, rather than what was sent.
            results["virtual_networks"] = dict(results["virtual_networks"], after=fabric["deployed"]["virtual_networks"])
    for layer, loop_results in (params.get("cluster_results") or {}).items():
        results[layer] = combined(loop_results)
    return results


def report_data(params):
    results = scrub(layered(params))
    intent = scrub(params.get("intent") or {})
    desired = intent.get("desired") or {}
    networks = [dict(n) for n in desired.get("networks") or []]
    vn_after = dict((vn.get("label"), vn) for vn in ((results.get("virtual_networks") or {}).get("after") or []) if isinstance(vn, dict))
    for net in networks:
        if net.get("vni") is None and vn_after.get(net["name"], {}).get("vni") is not None:
            net["vni"] = vn_after[net["name"]]["vni"]
    fabric = params.get("fabric") or {}
    return dict(
        title=params["title"], run=params["run"], check_mode=params["check_mode"], timestamp=params["timestamp"],
        blueprint=params.get("blueprint") or {}, networks=networks, port_map=intent.get("port_map") or [],
        problems=intent.get("problems") or [], drift=params.get("drift"), results=results,
        commit_description=params.get("commit_description"), leafs=fabric.get("leafs") or [], esi_pairs=fabric.get("esi_pairs") or {},
        failure=params.get("failure"), staging=intent.get("staging") or {}, skipped=intent.get("skipped") or [],
    )


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="reports"),
            name=dict(type="str", default="sriov-change"),
            title=dict(type="str", default="SR-IOV network change report"),
            run=dict(type="str", default=""),
            check_mode=dict(type="bool", default=False),
            blueprint=dict(type="dict", default={}),
            fabric=dict(type="dict", default={}),
            intent=dict(type="dict", default={}),
            results=dict(type="dict", default={}),
            fabric_result=dict(type="dict", default={}),
            cluster_results=dict(type="dict", default={}),
            failure=dict(type="str"),
            drift=dict(type="list", elements="dict"),
            commit_description=dict(type="str"),
            timestamp=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = dict(module.params)
    if not params.get("timestamp"):
        params["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    data = report_data(params)
    base = os.path.join(params["path"], "%s-%s" % (params["name"], params["timestamp"]))
    try:
        os.makedirs(params["path"], exist_ok=True)
        picture = svg(data)
        text = markdown(data, svg_name=os.path.basename(base + ".svg"))
        write(base + ".svg", picture)
        write(base + ".md", text)
        latest = os.path.join(params["path"], "%s-latest" % params["name"])
        write(latest + ".svg", picture)
        write(latest + ".md", text.replace(os.path.basename(base + ".svg"), os.path.basename(latest + ".svg")))
    except OSError as exc:
        module.fail_json(msg="cannot write the report to %s: %s" % (params["path"], exc), plan=[])
    results = data["results"]
    commit = results.get("commit") or {}
    summary = dict(
        fabric_changed=any(bool((results.get(k) or {}).get("changed")) for k, _t, _f in FABRIC_LAYERS) or bool(commit.get("changed")),
        cluster_changed=any(bool((results.get(k) or {}).get("changed")) for k, _t, _f in CLUSTER_LAYERS),
        deployed_version=commit.get("deployed_version", data["blueprint"].get("deployed_version")),
        attachments_created=object_changes(results.get("attachments"), "name")[0],
        drift=len(data["drift"] or []),
        problems=len(data["problems"]),
    )
    module.exit_json(changed=True, markdown=base + ".md", svg=base + ".svg", summary=summary, plan=[])


if __name__ == "__main__":
    main()
