"""Backend state and every validation rule, one module per part; methods raise errors.ApiError subclasses carrying Apstra's
answers. This module gathers the names other code imports.

- `backend.py`: `Backend`, users, tokens, the global catalog (`design_tags.py`) and the blueprints;
- `blueprint.py`: `Blueprint`, composed of `staging.py` (versions, build errors, deploy, tasks, revisions, revert, lock),
  `routing_zones.py`, `virtual_networks.py`, `connectivity_templates.py` and `cabling.py`;
- `common.py`: field rules and helpers they share.
"""

from apstra_sim.backend import Backend
from apstra_sim.blueprint import Blueprint
from apstra_sim.common import LABEL_MSG, LABEL_RE, VLAN_RANGE, VNI_RANGE
from apstra_sim.design_tags import DesignTags

__all__ = ["Backend", "Blueprint", "DesignTags", "LABEL_MSG", "LABEL_RE", "VLAN_RANGE", "VNI_RANGE"]
