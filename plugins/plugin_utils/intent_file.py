# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The intent file, read on the controller by sriov_intent's action plugin: found where the playbooks look for it,
parsed as YAML, and refused with a message naming the file (and the line of a YAML error) before any call is made.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.netops.cn2_apstra.plugins.module_utils.local_task import TaskFailed

KEYS = ("sriov_networks", "sriov_allocation", "sriov_owner", "sriov_tenants")


def search_paths(name, playbook_dir, cwd):
    """Where a relative intent file is looked for, in order: the playbook's vars/ and directory, then the current
    directory's vars/ and itself (as vars_files looked); an absolute path is itself."""
    if os.path.isabs(name):
        return [name]
    paths = []
    for base in [playbook_dir, cwd]:
        for folder in (os.path.join(base, "vars"), base) if base else ():
            path = os.path.normpath(os.path.join(folder, name))
            if path not in paths:
                paths.append(path)
    return paths


def fail(message):
    raise TaskFailed("intent_file: %s" % message, changed=False, plan=[])


def read_intent(name, playbook_dir, cwd):
    """{"path", "networks", "allocation", "owner", "tenants"} of the intent file ``name``; raises TaskFailed."""
    paths = search_paths(name, playbook_dir, cwd)
    path = next((candidate for candidate in paths if os.path.isfile(candidate)), None)
    if path is None:
        fail("%s not found (looked in: %s)" % (name, ", ".join(paths)))
    try:
        with open(path, encoding="utf-8") as handle:
            content = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        fail("%s is not valid YAML%s: %s" % (path, where, getattr(exc, "problem", None) or exc))
    except (OSError, UnicodeDecodeError) as exc:
        fail("%s cannot be read: %s" % (path, exc))
    if content is None:
        fail(
            "%s is empty: it must hold sriov_networks (a list; sriov_networks: [] for none)" % path
        )
    if not isinstance(content, dict):
        fail("%s must be a mapping with sriov_networks, not a %s" % (path, type(content).__name__))
    unknown = sorted(str(key) for key in content if key not in KEYS)
    if unknown:
        fail("%s: unknown key(s) %s; allowed %s" % (path, ", ".join(unknown), ", ".join(KEYS)))
    if "sriov_networks" not in content:
        fail("%s has no sriov_networks (a list; sriov_networks: [] for none)" % path)
    return {
        "path": path,
        "networks": content["sriov_networks"],
        "allocation": content.get("sriov_allocation") or {},
        "owner": content.get("sriov_owner"),
        "tenants": content.get("sriov_tenants"),
    }
