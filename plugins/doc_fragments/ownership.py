# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who owns what: the options of every module that changes objects (docs/usage.md, "Shared fabric")."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  owner:
    description:
      - The owners this task acts for. An object the collection creates carries the first owner's mark (Apstra tags
        C(managed-by:netops.cn2_apstra) and C(netops.cn2_apstra/owner:<owner>); Kubernetes labels
        C(app.kubernetes.io/managed-by=netops.cn2_apstra) and C(cn2-apstra.netops.io/owner=<owner>)). The default
        owner C(intent) is marked by the collection's mark alone, as every object of earlier releases is.
      - The states V(overridden), and V(deleted) with nothing listed, remove only objects marked as one of these owners'.
      - An owner's name is 1-40 characters of C([A-Za-z0-9_.-]), starting and ending with a letter or digit.
    type: list
    elements: str
    default: [intent]
  guard:
    description:
      - Refuse, before any write, to change or remove an object that carries another owner's mark or no mark at all
        (made by hand or by another tool), unless O(adopt) lists it. The collection's role and playbooks always
        guard; without it a listed object is changed as given, whoever made it.
    type: bool
    default: false
  adopt:
    description:
      - Objects without any owner's mark to adopt (by name; Kubernetes objects as C(namespace/name)); the first owner's
        mark and an C(adopted) mark are added, and their other fields are changed only as the task asks.
    type: list
    elements: str
    default: []
  release:
    description:
      - Own objects to release (by name; Kubernetes objects as C(namespace/name)); the owner's marks are dropped and the
        object is kept as it is.
    type: list
    elements: str
    default: []
"""
