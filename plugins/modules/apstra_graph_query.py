#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apstra_graph_query
short_description: Run an Apstra graph (QE) query
version_added: 0.1.0
description:
  - Runs one query in Apstra's graph query language against a blueprint and returns the matched items.
  - An escape hatch for facts the other modules do not gather. The query only reads; it never changes anything.
extends_documentation_fragment:
  - netops.cn2_apstra.apstra
  - netops.cn2_apstra.apstra.blueprint
  - netops.cn2_apstra.apstra.results
  - netops.cn2_apstra.attributes
  - netops.cn2_apstra.attributes.platform_apstra
options:
  query:
    description:
      - The query, for example C(node('system', role='leaf', name='leaf')).
    type: str
    required: true
  graph:
    description:
      - Which graph to query.
    type: str
    choices: [staging, deployed, operation]
    default: staging
attributes:
  check_mode:
    support: full
    details: Read only; the query runs in check mode too.
  diff_mode:
    support: none
    details: Read only; there is nothing to diff.
author:
  - netops.cn2_apstra developers (@netops)
"""

EXAMPLES = r"""
- name: Leafs and the servers cabled to them
  netops.cn2_apstra.apstra_graph_query:
    blueprint: dc1
    query: >-
      node('system', role='leaf', name='leaf').out('hosted_interfaces')
      .node('interface', name='intf').out('link').node('link').in_('link')
      .node('interface').in_('hosted_interfaces').node('system', system_type='server', name='server')
  register: links

- name: Print the server names
  ansible.builtin.debug:
    msg: "{{ links['items'] | map(attribute='server.label') | list }}"
"""

RETURN = r"""
items:
  description:
    - The matched items, each a mapping of the query's names to node properties.
    - Read it as C(result['items']); C(result.items) is the mapping's method in Jinja.
  returned: success
  type: list
  elements: dict
  sample: [{"leaf": {"id": "abc", "label": "leaf1", "role": "leaf"}}]
count:
  description: Number of items.
  returned: success
  type: int
plan:
  description: Always empty; the module never writes.
  returned: always
  type: list
  elements: dict
before:
  description: Always empty.
  returned: always
  type: list
  elements: dict
after:
  description: Always empty.
  returned: always
  type: list
  elements: dict
msg:
  description: What failed, with Apstra's HTTP status and error body (a query syntax error, for example).
  returned: on failure
  type: str
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

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.module import ApstraModule


class GraphQuery(ApstraModule):
    ARGUMENT_SPEC = dict(
        query=dict(type="str", required=True),
        graph=dict(type="str", default="staging", choices=["staging", "deployed", "operation"]),
    )

    def run(self):
        graph = self.params["graph"]
        items = self.service.query(
            self.bp_id, self.params["query"], qe_type=None if graph == "staging" else graph
        )
        return dict(changed=False, items=items, count=len(items))


def main():
    GraphQuery().main()


if __name__ == "__main__":
    main()
