# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""K8sModule: the Ansible side of every cluster module (kubernetes.core's connection options with their K8S_AUTH_*
fallbacks, the service, error mapping, the one result and failure shape). A resource module is an argument spec plus
a ``Resource`` from ``k8s/resources.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.client import (
    kubeconfig_secrets,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.common import (
    auth_argument_spec,
    fail_api,
    service_for,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.k8s.service import K8sError
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    ApplyFailed,
    Engine,
    ResourceError,
    failure,
)


class K8sModule:
    """Base of every cluster module: subclasses set ARGUMENT_SPEC and implement run()."""

    ARGUMENT_SPEC = {}

    @classmethod
    def argument_spec(cls):
        return auth_argument_spec(**cls.ARGUMENT_SPEC)

    def __init__(self, module=None):
        """``module``: an AnsibleModule, or the stand-in its action plugin passes to run it on the controller."""
        self.module = module or AnsibleModule(
            argument_spec=self.argument_spec(), supports_check_mode=True
        )
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._service = None
        self.engine = None
        # The credentials of a kubeconfig given as a dictionary are secret, its path is not.
        self.module.no_log_values.update(kubeconfig_secrets(self.params.get("kubeconfig")))

    @property
    def service(self):
        if self._service is None:
            self._service = service_for(self.module)
        return self._service

    def run_resource(self, resource, state=None, config=None):
        self.engine = Engine(
            resource,
            state or self.params["state"],
            config if config is not None else self.params["config"],
            check_mode=self.check_mode,
        )
        result = self.engine.run()
        for warning in getattr(resource, "warnings", []):
            self.module.warn(warning)
        return result

    def run(self):
        raise NotImplementedError

    def planned(self):
        return self.engine.plan if self.engine else []

    def main(self):
        try:
            result = self.run()
        except ResourceError as exc:
            self.module.fail_json(msg=str(exc), changed=False, plan=self.planned())
        except ApplyFailed as exc:
            self.module.fail_json(**failure(exc, self.check_mode, self.planned()))
        except K8sError as exc:
            fail_api(self.module, exc, changed=False, plan=self.planned())
        if not self.module._diff:  # pylint: disable=protected-access
            result.pop("diff", None)
        self.module.exit_json(**result)
