# -*- coding: utf-8 -*-
# Copyright: netops.cn2_apstra contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Apstra backends of the resource engine: routing zones, virtual networks and port bindings of one blueprint.

They share a ``FabricContext``: the service, the blueprint id, what was read (or handed over by an earlier
``apstra_blueprint_info`` task, so nothing is read twice) and the ids of objects created or planned earlier in the
run. A create whose answer is lost, or that meets "already exists" because another run created the same object,
re-reads and goes on: only what this run created is reported as its change. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra import models, port_records
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.client import (
    ApstraConnectionError,
    ApstraError,
    concurrently,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.service import (
    Fabric,
    bp_path,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.apstra.validation import (
    ValidationError,
    check_label,
    check_range,
    check_subnet,
    check_vlan,
    check_vni,
    unknown_name,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.resource import (
    SET,
    Change,
    Ownership,
    Resource,
    ResourceError,
)
from ansible_collections.netops.cn2_apstra.plugins.module_utils.sriov.model import (
    ADOPTED_TAG,
    CLUSTER_TAG,
    MTU_RANGE,
    OWNER_TAG,
    OWNER_TAG_PREFIX,
    named_owner,
    owner_of_tags,
    owner_tags,
    without_owner_tags,
)

CT_NAMESPACE = uuid.UUID("5d1f3f0e-8a7b-4c55-9a0e-6f1b2c3d4e5f")
# A batch-apply carries at most this many template assignments: a large change is sent in bounded chunks, each
# confirmed, so that no single request holds Apstra for minutes (200 networks on 1,000 servers: 4 requests).
ASSIGNMENTS_PER_REQUEST = 50000
EXISTS_MARKERS = ("not unique", "already exists", "already in use")


def op(method, path, body=None):
    """One planned request."""
    return {"method": method, "path": path, "body": body}


def placeholder(kind, name):
    """Id that stands, in a check-mode plan, for an object an earlier task of the same check run would create."""
    return "<%s %s (planned)>" % (kind, name)


def is_placeholder(value):
    return isinstance(value, str) and value.startswith("<") and value.endswith("(planned)>")


def comparable(field, value):
    """An API field's value as a change compares it (bindings in any order)."""
    if field == "bound_to":
        return sorted((b.get("system_id"), b.get("vlan_id")) for b in value or [])
    if isinstance(value, list):
        return sorted(value, key=str)
    return value


def unapplied_fields(item, current):
    """Whether the fields a write sets (``item``) are not yet what the object holds (``current``, as the API answers)."""
    return current is None or any(
        comparable(field, value) != comparable(field, current.get(field))
        for field, value in item.items()
        if field not in ("id", "virtual_network_id")
    )


def already_exists(error):
    return getattr(error, "status", None) == 422 and any(
        marker in str(error).lower() for marker in EXISTS_MARKERS
    )


class FabricContext:
    """What the Apstra resources of one run share. ``facts``: the ``resources`` + ``fabric`` an apstra_blueprint_info
    task returned for this blueprint at this staging version (used instead of reading again).

    ``ownership``: whose objects this run may change (resource.Ownership; adopt and release name VNs by label).
    """

    def __init__(self, service, bp_id, check_mode=False, facts=None, ownership=None):
        self.service = service
        self._bp_id = bp_id
        self.check_mode = check_mode
        self.ownership = ownership or Ownership()
        self.assignments_per_request = ASSIGNMENTS_PER_REQUEST
        # Take a template's ports from its record (port_records) where it holds: set only where nothing can have moved
        # them since this collection deployed them (the blueprint clean, a provision's discovery).
        self.recorded_ports = False
        self.notes = []
        facts = facts or {}
        self._fabric = Fabric.from_facts(facts["fabric"]) if facts.get("fabric") else None
        self._zones = facts.get("routing_zones")
        self._vns = facts.get("virtual_networks")
        self._templates = facts.get("templates")
        self.planned = {}  # (kind, name) -> placeholder id (check mode)

    @property
    def bp_id(self):
        """The blueprint id; given as a callable, it is resolved at the first use (after the config was checked offline)."""
        if callable(self._bp_id):
            self._bp_id = self._bp_id()
        return self._bp_id

    # -- reads, each once ---------------------------------------------------------------------------------------
    @property
    def fabric(self):
        if self._fabric is None:
            self._fabric = self.service.fabric(self.bp_id)
        return self._fabric

    def zones(self):
        if self._zones is None:
            self._zones_from(self.service.security_zones(self.bp_id))
        return self._zones

    def vns(self):
        if self._vns is None:
            self._vns_from(self.service.virtual_networks(self.bp_id))
        return self._vns

    def templates(self):
        """[{id, vn_id, tag_type, tags, interfaces}] of every single-VLAN connectivity template."""
        if self._templates is None:
            listed = self._read_template_list(self.bp_id)
            self._templates_from(self._recorded(listed) if self.recorded_ports else listed)
        return self._templates

    def _recorded(self, policies):
        """The templates with their recorded ports where a record holds (it decodes against this fabric and names as
        many points as Apstra counts), and the assignments of the others read alone, in bounded reads.
        """
        found = models.templates_from_policies(policies)
        universe = port_records.universe(self.fabric)
        unread = {}
        for template in found:
            points = port_records.decode(template.pop("description"), universe)
            count = template.pop("app_points_count")
            if points is not None and len(points) == count:
                template["interfaces"] = points
            else:
                unread[template["id"]] = count
        if unread:
            read = self.service.bindings_of(self.bp_id, unread)[0]
            held = dict((template["id"], template["interfaces"]) for template in read)
            for template in found:
                if template["id"] in unread:
                    template["interfaces"] = held.get(template["id"], [])
        return found

    def read_all(self):
        """The fabric, zones, VNs and templates not known yet, read at once: one round trip of latency, not four."""
        bp_id = self.bp_id
        reads = [
            (kind, read)
            for kind, read in (
                ("fabric", self.service.fabric),
                ("zones", self.service.security_zones),
                ("vns", self.service.virtual_networks),
                ("templates", self._read_template_list),
            )
            if getattr(self, "_" + kind) is None
        ]
        answers = dict(
            zip(
                [kind for kind, _read in reads],
                concurrently(*[lambda read=read: read(bp_id) for _kind, read in reads]),
            )
        )
        if "fabric" in answers:
            self._fabric = answers["fabric"]
        if "templates" in answers and self.recorded_ports:
            answers["templates"] = self._recorded(answers["templates"])
        for kind in ("zones", "vns", "templates"):  # VNs name their zones
            if kind in answers:
                getattr(self, "_%s_from" % kind)(answers[kind])

    def _read_template_list(self, bp_id):
        """Every assignment read at once; with ``recorded_ports``, the list of templates (the policies), resolved by
        ``_recorded`` once the fabric is known."""
        if self.recorded_ports:
            return self.service.endpoint_policies(bp_id)
        return self.service.bindings(bp_id)[0]

    def _zones_from(self, zones):
        self._zones = [models.zone(zone) for zone in zones]

    def _vns_from(self, vns):
        names = self.zone_labels()
        self._vns = [models.vn_from_api(vn, names, self.fabric) for vn in vns]

    def _templates_from(self, templates):
        self._templates = templates

    def forget(self, *kinds):
        for kind in kinds:
            setattr(self, "_" + kind, None)

    # -- names and ids --------------------------------------------------------------------------------------------
    def zone_labels(self):
        return dict((zone["id"], zone["label"]) for zone in self.zones())

    def zone_id(self, label):
        for zone in self.zones():
            if label in (zone["label"], zone.get("vrf_name")):
                return zone["id"]
        return self.planned.get(("routing zone", label))

    def vn_by_label(self):
        return dict((vn["label"], vn) for vn in self.vns())

    def plan_missing(self, error, kind, name):
        """A name that does not exist: in check mode, the placeholder id to plan with (and a note); else the error.

        Check mode plans from reads only, so an object an earlier check-mode task planned (a routing zone, a
        virtual network) is not there yet; a real run still raises the "unknown name, did you mean" error.
        """
        if not self.check_mode:
            raise error
        planned = self.planned.setdefault((kind, name), placeholder(kind, name))
        note = (
            "check mode: %s; planned with the placeholder id %s, assuming an earlier task creates it "
            "(a real run fails if it does not exist by then)" % (error, planned)
        )
        if note not in self.notes:
            self.notes.append(note)
        return planned

    def send(self, request):
        return self.service.client.request(request["method"], request["path"], body=request["body"])


class ApstraResource(Resource):
    def __init__(self, context):
        self.ctx = context

    @property
    def bp_id(self):
        return self.ctx.bp_id

    def owned(self, obj):
        return owner_of_tags(obj.get("tags")) in self.ctx.ownership.owners

    def label_of(self, key):
        return key

    def complete(self, target, current):
        """The owner's marks: on a new object (unless the target names its owner), kept on an own object, added to an
        adopted one, dropped from a released one."""
        tags = set(target.get("tags") or [])
        label = self.label_of(self.key(target))
        if current is None:
            if owner_of_tags(tags) is None:
                tags.update(owner_tags(self.ctx.ownership.owners[0]))
        elif label in self.ctx.ownership.release and self.owned(current):
            tags = set(without_owner_tags(tags | set(current.get("tags") or [])))
        elif label in self.ctx.ownership.adopt and not named_owner(current.get("tags")):
            # an unmarked object is adopted; one an earlier release marked (no owner's name) is only claimed
            unmarked = owner_of_tags(current.get("tags")) is None
            tags.update(owner_tags(self.ctx.ownership.owners[0], adopted=unmarked))
        elif self.owned(current):
            tags.update(mark_tags(current.get("tags")))
        return dict(target, tags=sorted(tags), owner=owner_of_tags(tags))

    def check_change(self, change):
        """With the guard on, an update or delete of an object another owner (or nobody) marked is refused."""
        if change.before is not None:
            self.guard(change.key, change.before.get("tags"), change.action)

    def guard(self, key, tags, action):
        owner = owner_of_tags(tags)
        if not self.ctx.ownership.guard or owner in self.ctx.ownership.owners:
            return
        if (
            not named_owner(tags)
            and self.label_of(key) in self.ctx.ownership.adopt
            and action != "delete"
        ):
            return
        raise ResourceError(
            "%s %s %s; this run acts for %s and changes nothing of it: nothing was changed"
            % (
                self.KIND.replace("_", " "),
                self.name(key),
                (
                    "belongs to owner %s" % owner
                    if owner
                    else "carries no owner's mark (made by hand or another tool; adopt it explicitly)"
                ),
                ", ".join(self.ctx.ownership.owners),
            )
        )

    def send(self, request):
        return self.ctx.send(request)


def mark_tags(tags):
    """The ownership marks among an object's tags."""
    return [
        tag
        for tag in tags or []
        if tag in (OWNER_TAG, ADOPTED_TAG, CLUSTER_TAG) or tag.startswith(OWNER_TAG_PREFIX)
    ]


def check_label_vni_vlan(prefix, item):
    """The checks routing zones and virtual networks share."""
    check_label(prefix + ".label", item["label"])
    check_vni(prefix + ".vni", item.get("vni"))
    check_vlan(prefix + ".vlan_id", item.get("vlan_id"))


# -- routing zones --------------------------------------------------------------------------------------------------

ZONE_API_FIELDS = dict(
    label="label",
    vrf_name="vrf_name",
    vni="vni_id",
    vlan_id="vlan_id",
    junos_evpn_irb_mode="junos_evpn_irb_mode",
    tags="tags",
)


def zone_body(zone, fields=None):
    """API body for a canonical zone; with fields, only what those canonical fields map to."""
    fields = fields if fields is not None else [key for key in zone if key != "id"]
    body = dict(
        (ZONE_API_FIELDS[field], zone[field])
        for field in fields
        if field in ZONE_API_FIELDS and zone.get(field) is not None
    )
    if "import_rts" in fields or "export_rts" in fields:
        body["rt_policy"] = {
            "import_RTs": zone.get("import_rts") or [],
            "export_RTs": zone.get("export_rts") or [],
        }
    return body


class RoutingZones(ApstraResource):
    KIND = "routing_zone"
    FIELDS = dict(import_rts=SET, export_rts=SET, tags=SET)
    DEFAULTS = dict(
        vrf_name=None,
        vni=None,
        vlan_id=None,
        import_rts=[],
        export_rts=[],
        junos_evpn_irb_mode=None,
        tags=[],
    )
    KEEP = ("id", "vrf_name", "vni", "vlan_id", "junos_evpn_irb_mode")

    def validate(self, config, state):
        for index, item in enumerate(config):
            check_label_vni_vlan("config[%d]" % index, item)

    def read(self):
        return list(self.ctx.zones())

    def want(self, item, field):
        want = dict((key, item.get(key)) for key in ("label",) + tuple(self.DEFAULTS))
        for key in self.FIELDS:
            if want[key] is not None:
                want[key] = sorted(set(want[key]))
        return want

    def complete(self, target, current):
        target = super(RoutingZones, self).complete(target, current)
        if current is None and not target.get("vrf_name"):
            target["vrf_name"] = target["label"]
        return target

    def owned(self, obj):
        return obj.get("vrf_name") != "default" and super(RoutingZones, self).owned(obj)

    def requests(self, changes):
        plan = []
        # Deletes first: they free VRF names, VNIs and VLANs the creates may reuse.
        for change in sorted(
            changes, key=lambda change: ("delete", "update", "create").index(change.action)
        ):
            if change.action == "create":
                plan.append(
                    op(
                        "POST",
                        bp_path(self.bp_id, "/security-zones"),
                        dict(zone_body(change.after), sz_type="evpn"),
                    )
                )
            elif change.action == "update":
                plan.append(
                    op(
                        "PATCH",
                        bp_path(self.bp_id, "/security-zones/%s" % change.before["id"]),
                        zone_body(change.after, change.changed_fields()),
                    )
                )
            elif change.before.get("vrf_name") != "default":
                plan.append(
                    op("DELETE", bp_path(self.bp_id, "/security-zones/%s" % change.before["id"]))
                )
        return plan

    def send(self, request):
        if request["method"] != "POST":
            try:
                return self.ctx.send(request)
            except ApstraError as exc:
                if request["method"] == "DELETE" and exc.status == 404:
                    return None  # deleted meanwhile (by another run, or before a lost answer)
                if not isinstance(exc, ApstraConnectionError):
                    raise
                return self._lost(request)
        label = request["body"]["label"]
        try:
            answer = self.ctx.send(request)
        except ApstraError as exc:
            if not (already_exists(exc) or isinstance(exc, ApstraConnectionError)):
                raise
            self.ctx.forget("zones")
            found = self.ctx.zone_id(label)
            if found is None:
                raise
            if already_exists(exc):
                self.found = self.found | {self.key({"label": label})}
            return {
                "id": found,
                "existed": already_exists(exc),
            }  # created by another run meanwhile, or our answer was lost
        self.ctx.zones().append(models.zone(dict(request["body"], id=answer["id"])))
        return answer

    def _lost(self, request):
        """A zone update or delete whose answer was lost: sent again only if the zone does not show it yet."""
        try:
            current = self.ctx.service.client.get(request["path"])
        except ApstraError as exc:
            if exc.status == 404 and request["method"] == "DELETE":
                return None
            raise
        if request["method"] == "PATCH" and not unapplied_fields(request["body"], current):
            return None
        return self.ctx.send(request)


# -- virtual networks -----------------------------------------------------------------------------------------------

# Which API fields carry each canonical field (a change to any of them rewrites these API fields together).
VN_API_GROUPS = dict(
    label=("label",),
    vn_type=("vn_type",),
    vni=("vn_id",),
    routing_zone=("security_zone_id",),
    vlan_id=("bound_to", "reserved_vlan_id"),
    bindings=("bound_to",),
    ipv4_subnet=(
        "ipv4_enabled",
        "ipv4_subnet",
        "virtual_gateway_ipv4",
        "virtual_gateway_ipv4_enabled",
    ),
    ipv4_gateway=("virtual_gateway_ipv4", "virtual_gateway_ipv4_enabled"),
    dhcp=("dhcp_service",),
    tags=("tags",),
    **dict(
        (field, (api,) + ((flag,) if flag else ()))
        for field, (api, flag, _none) in models.PLAIN_VN_FIELDS.items()
    ),
)


class VirtualNetworks(ApstraResource):
    KIND = "virtual_network"
    FIELDS = dict(bindings=SET, tags=SET)
    DEFAULTS = dict(
        vn_type="vxlan",
        vni=None,
        routing_zone=None,
        vlan_id=None,
        bindings=[],
        ipv4_subnet=None,
        ipv4_gateway=None,
        dhcp=False,
        tags=[],
        **dict.fromkeys(models.PLAIN_VN_FIELDS),
    )
    KEEP = ("id", "vn_type", "vni", "routing_zone", "vlan_id", "mtu")

    def validate(self, config, state):
        for index, item in enumerate(config):
            prefix = "config[%d]" % index
            check_label_vni_vlan(prefix, item)
            check_range(prefix + ".mtu", item.get("mtu"), MTU_RANGE[0], MTU_RANGE[1])
            item["ipv4_subnet"] = check_subnet(
                prefix + ".ipv4_subnet",
                item.get("ipv4_subnet"),
                prefix + ".ipv4_gateway",
                item.get("ipv4_gateway"),
            )
            if item.get("vn_type") == "vlan" and len(item.get("bindings") or []) > 1:
                raise ValidationError(
                    "%s.bindings: a vn_type=vlan network is bound to at most one leaf or ESI pair"
                    % prefix
                )

    def read(self):
        return list(self.ctx.vns())

    def want(self, item, field):
        want = dict((key, item.get(key)) for key in ("label",) + tuple(self.DEFAULTS))
        prefix = "config[label=%s]" % item["label"]
        zone = want["routing_zone"]
        if zone is not None:
            labels = set(z["label"] for z in self.ctx.zones())
            aliases = dict(
                (z.get("vrf_name"), z["label"]) for z in self.ctx.zones() if z.get("vrf_name")
            )
            if zone not in labels and zone in aliases:
                want["routing_zone"] = aliases[zone]
            elif zone not in labels and ("routing zone", zone) not in self.ctx.planned:
                # Check mode only: a zone an earlier task of this check run would create gets a placeholder id.
                error = unknown_name(
                    "routing zone", prefix + ".routing_zone", zone, sorted(labels | set(aliases))
                )
                self.ctx.plan_missing(error, "routing zone", zone)
        if want["bindings"] is not None:
            fabric = self.ctx.fabric
            want["bindings"] = sorted(
                set(
                    fabric.name_of(fabric.switch_id(prefix + ".bindings", name))
                    for name in want["bindings"]
                )
            )
        if want["tags"] is not None:
            want["tags"] = sorted(set(want["tags"]))
        return want

    def complete(self, target, current):
        target = super(VirtualNetworks, self).complete(target, current)
        target["bindings"] = sorted(set(target.get("bindings") or []))
        if current is None and target.get("routing_zone") is None:
            target["routing_zone"] = next(
                (z["label"] for z in self.ctx.zones() if z.get("vrf_name") == "default"), None
            )
        if not target.get("ipv4_subnet"):
            target["ipv4_gateway"] = None
        return target

    def body(self, vn, fields=None):
        """API body for a canonical network; with fields, only the API fields those canonical fields map to."""
        api_fields = set()
        for field in fields if fields is not None else VN_API_GROUPS:
            api_fields.update(VN_API_GROUPS.get(field, ()))
        subnet, gateway = vn.get("ipv4_subnet"), vn.get("ipv4_gateway")
        fabric = self.ctx.fabric
        full = dict(
            label=vn["label"],
            vn_type=vn.get("vn_type") or "vxlan",
            vn_id=str(vn["vni"]) if vn.get("vni") is not None else None,
            security_zone_id=(
                self.ctx.zone_id(vn.get("routing_zone")) if vn.get("routing_zone") else None
            ),
            bound_to=[
                dict(system_id=fabric.switch_id("bindings", name), vlan_id=vn.get("vlan_id"))
                for name in vn.get("bindings") or []
            ],
            reserved_vlan_id=vn.get("vlan_id"),
            ipv4_enabled=bool(subnet),
            ipv4_subnet=subnet,
            virtual_gateway_ipv4=gateway,
            virtual_gateway_ipv4_enabled=bool(gateway),
            dhcp_service="dhcpServiceEnabled" if vn.get("dhcp") else "dhcpServiceDisabled",
            tags=vn.get("tags") or [],
        )
        for field, (api, flag, none) in models.PLAIN_VN_FIELDS.items():
            full[api] = vn.get(field) if vn.get(field) is not None else none
            if flag:  # a create leaves an unset optional value out; an update disables it
                full[flag] = True if vn.get(field) is not None else (False if fields else None)
        return dict(
            (key, value)
            for key, value in full.items()
            if key in api_fields and (value is not None or fields is not None)
        )

    def requests(self, changes):
        plan = []
        deletes = [change.before["id"] for change in changes if change.action == "delete"]
        updates = [
            dict(
                self.body(change.after, change.changed_fields()),
                virtual_network_id=change.before["id"],
            )
            for change in changes
            if change.action == "update"
        ]
        creates = [self.body(change.after) for change in changes if change.action == "create"]
        if deletes:
            plan.append(
                op(
                    "POST",
                    bp_path(self.bp_id, "/delete-virtual-networks"),
                    {"virtual_network_ids": deletes},
                )
            )
        if updates:
            plan.append(
                op(
                    "PATCH",
                    bp_path(self.bp_id, "/virtual-networks-batch-patch"),
                    {"virtual_networks": updates},
                )
            )
        if creates:
            plan.append(
                op(
                    "POST",
                    bp_path(self.bp_id, "/virtual-networks-batch"),
                    {"virtual_networks": creates},
                )
            )
        return plan

    def send(self, request):
        if request["path"].endswith("/virtual-networks-batch-patch"):
            try:
                return self.ctx.send(request)
            except ApstraConnectionError:
                return self._patch_rest(request)
        if not request["path"].endswith(("/virtual-networks-batch", "/delete-virtual-networks")):
            return self.ctx.send(request)
        try:
            answer = self.ctx.send(request)
        except ApstraError as exc:
            if not (
                already_exists(exc) or isinstance(exc, ApstraConnectionError) or exc.status == 404
            ):
                raise
            return self._resend_rest(request, exc)
        if request["path"].endswith("-batch"):
            created = [item.get("id") for item in (answer or {}).get("virtual_networks") or []]
            self._remember(request["body"]["virtual_networks"], created)
        return answer

    def _patch_rest(self, request):
        """A batch update whose answer was lost: the VNs read again, only the updates they do not show are sent (once)."""
        current = dict((vn["id"], vn) for vn in self.ctx.service.virtual_networks(self.bp_id))
        rest = [
            item
            for item in request["body"]["virtual_networks"]
            if unapplied_fields(item, current.get(item["virtual_network_id"]))
        ]
        return (
            self.ctx.send(op("PATCH", request["path"], {"virtual_networks": rest}))
            if rest
            else None
        )

    def _resend_rest(self, request, error):
        """Another run (or a lost answer) got there first: re-read, send only what is still missing, go on."""
        self.ctx.forget("vns")
        existing = self.ctx.vn_by_label()
        if request["path"].endswith("/delete-virtual-networks"):
            ids = set(vn["id"] for vn in existing.values())
            rest = [vn_id for vn_id in request["body"]["virtual_network_ids"] if vn_id in ids]
            if rest and not isinstance(error, ApstraConnectionError):
                raise error
            return (
                self.ctx.send(op("POST", request["path"], {"virtual_network_ids": rest}))
                if rest
                else None
            )
        rest = [
            item for item in request["body"]["virtual_networks"] if item["label"] not in existing
        ]
        if len(rest) == len(request["body"]["virtual_networks"]) and not isinstance(
            error, ApstraConnectionError
        ):
            raise error
        answer = (
            self.ctx.send(op("POST", request["path"], {"virtual_networks": rest}))
            if rest
            else {"virtual_networks": []}
        )
        self._remember(rest, [item.get("id") for item in answer.get("virtual_networks") or []])
        if isinstance(error, ApstraConnectionError):
            return answer  # our own first send was applied: still this run's change
        self.found = self.found | set(
            self.key({"label": item["label"]})
            for item in request["body"]["virtual_networks"]
            if item not in rest
        )
        return dict(
            answer,
            existed=(
                True
                if not rest
                else [
                    item["label"]
                    for item in request["body"]["virtual_networks"]
                    if item not in rest
                ]
            ),
        )

    def _remember(self, bodies, ids):
        names = self.ctx.zone_labels()
        for body, vn_id in zip(bodies, ids):
            if vn_id:
                self.ctx.vns().append(
                    models.vn_from_api(dict(body, id=vn_id), names, self.ctx.fabric)
                )


# -- port bindings --------------------------------------------------------------------------------------------------


def tag_type(tagged):
    return "vlan_tagged" if tagged else "untagged"


def new_template(bp_id, vn_id, label, mode, tags=(OWNER_TAG,), description=""):
    """The three policy nodes of a single-VLAN template; ids derive from blueprint, VN and mode, so check and real runs
    agree. ``description``: the root's (the record of its ports, port_records).

    For a VN that only a check run plans (its id is a placeholder) the template ids are placeholders too: the real
    run derives them from the VN's real id.
    """
    name = "%s-%s" % (label, "tagged" if mode == "vlan_tagged" else "untagged")
    if is_placeholder(vn_id):
        root = placeholder("connectivity template", name)
        pipeline = placeholder("connectivity template", name + " pipeline")
        primitive = placeholder("connectivity template", name + " primitive")
    else:
        root = str(uuid.uuid5(CT_NAMESPACE, "%s/%s/%s" % (bp_id, vn_id, mode)))
        pipeline = str(uuid.uuid5(CT_NAMESPACE, root + "/pipeline"))
        primitive = str(uuid.uuid5(CT_NAMESPACE, root + "/primitive"))
    return root, [
        {
            "id": root,
            "label": name,
            "description": description,
            "policy_type_name": "batch",
            "visible": True,
            "tags": sorted(tags),
            "attributes": {"subpolicies": [pipeline]},
        },
        {
            "id": pipeline,
            "label": "Virtual Network (Single) (pipeline)",
            "description": "",
            "policy_type_name": "pipeline",
            "visible": False,
            "tags": [],
            "attributes": {"first_subpolicy": primitive, "second_subpolicy": None},
        },
        {
            "id": primitive,
            "label": "Virtual Network (Single)",
            "description": "",
            "policy_type_name": "AttachSingleVLAN",
            "visible": False,
            "tags": [],
            "attributes": {"vn_node_id": vn_id, "tag_type": mode},
        },
    ]


class PortBindings(ApstraResource):
    """One object per (virtual network, tagged): the server ports (application points) carrying it."""

    KIND = "port_binding"
    KEY = ("virtual_network", "tagged")
    FIELDS = dict(interfaces=SET)
    DEFAULTS = dict(interfaces=[])
    SCOPED = True

    def empty(self, key):
        return dict(virtual_network=key[0], tagged=key[1], interfaces=[])

    def config_key(self, item):
        return (item.get("virtual_network"), item.get("tagged", True) is not False)

    def name(self, key):
        return "%s (%s)" % (key[0], tag_type(key[1]))

    def validate(self, config, state):
        if state not in ("gathered",) and not config:
            raise ValidationError("config is required with state=%s" % state)
        for index, item in enumerate(config):
            for port in item.get("switch_ports") or []:
                if ":" not in port:
                    raise ValidationError(
                        "config[%d].switch_ports: %r is not of the form leaf:interface"
                        % (index, port)
                    )
            if (
                state in ("merged", "replaced")
                and not item.get("servers")
                and not item.get("switch_ports")
            ):
                raise ValidationError(
                    "config[%d]: list servers or switch_ports to bind virtual_network=%s to"
                    % (index, item["virtual_network"])
                )

    def read(self):
        return models.port_bindings(
            self.ctx.templates(), self.ctx.vns(), self.ctx.fabric.port_names
        )

    def resolve(self, field, server=None, port=None):
        """Port names (application points) for a server, a server NIC port (``server:nic``) or a switch port."""
        fabric = self.ctx.fabric
        if port is not None:
            if port not in fabric.ports:
                raise unknown_name("leaf port", field, port, fabric.ports)
            return {fabric.port_names[fabric.ports[port]]}
        by_server, by_nic = {}, {}
        for link in fabric.links:
            by_server.setdefault(link["server"], set()).add(link["port"])
            by_nic["%s:%s" % (link["server"], link["server_interface"])] = link["port"]
        if ":" in server:
            if server not in by_nic:
                hostname = server.split(":", 1)[0]
                if hostname not in by_server:
                    raise unknown_name("server", field, hostname, by_server)
                raise unknown_name(
                    "server interface",
                    field,
                    server,
                    [key for key in by_nic if key.startswith(hostname + ":")],
                )
            return {by_nic[server]}
        if server not in by_server:
            raise unknown_name("server", field, server, by_server)
        return set(by_server[server])

    def want(self, item, field):
        listed = set()
        for server in item.get("servers") or []:
            listed |= self.resolve(field + ".servers", server=server)
        for port in item.get("switch_ports") or []:
            listed |= self.resolve(field + ".switch_ports", port=port)
        if item["virtual_network"] not in self.ctx.vn_by_label():
            error = unknown_name(
                "virtual network",
                field + ".virtual_network",
                item["virtual_network"],
                self.ctx.vn_by_label(),
            )
            self.ctx.plan_missing(error, "virtual network", item["virtual_network"])
        return dict(
            virtual_network=item["virtual_network"],
            tagged=item.get("tagged", True),
            interfaces=sorted(listed),
            ports_listed=bool(listed),
        )

    def complete(self, target, current):
        return dict((k, v) for k, v in target.items() if k != "ports_listed")

    def template_of(self, key):
        """The connectivity template carrying the binding ``key`` (VN label, tagged), or None."""
        vn = self.ctx.vn_by_label().get(key[0])
        if vn is None:
            return None
        mode = tag_type(key[1])
        return next(
            (t for t in self.ctx.templates() if t["vn_id"] == vn["id"] and t["tag_type"] == mode),
            None,
        )

    def remark(self, key):
        """Whether the binding's template changes its marks (adopted, or released) this run."""
        template = self.template_of(key)
        if template is None:
            return False
        owner = owner_of_tags(template["tags"])
        return (key[0] in self.ctx.ownership.adopt and owner not in self.ctx.ownership.owners) or (
            key[0] in self.ctx.ownership.release and owner in self.ctx.ownership.owners
        )

    def same(self, target, current):
        return target["interfaces"] == current["interfaces"] and not self.remark(self.key(target))

    def label_of(self, key):
        return key[0]

    def owned(self, obj):
        template = self.template_of(self.key(obj))
        return template is None or owner_of_tags(template["tags"]) in self.ctx.ownership.owners

    def check_change(self, change):
        template = self.template_of(change.key)
        if template is not None:
            self.guard(change.key, template["tags"], change.action)

    def deleted_changes(self, want, have):
        """``deleted``: the listed ports come off (all of them when none is listed)."""
        have_by = dict((self.key(obj), obj) for obj in have)
        changes = []
        for obj in want:
            current = have_by.get(self.key(obj))
            if current is None:
                continue
            remaining = (
                sorted(set(current["interfaces"]) - set(obj["interfaces"]))
                if obj.get("ports_listed")
                else []
            )
            if remaining != current["interfaces"]:
                changes.append(
                    Change("update", self.key(obj), current, dict(current, interfaces=remaining))
                )
        return changes

    def requests(self, changes):
        """One import of the new templates, the assignments in bounded chunks (each a batch-apply of at most
        ASSIGNMENTS_PER_REQUEST), one import of the existing roots that change (marks adopted or released, the record
        of new ports: after the assignments, as importing a root makes Apstra apply it again where it is assigned), one
        batch delete of unused own templates.
        """
        new_policies, apply, unused, roots = self.policy_changes(changes)
        path = bp_path(self.bp_id, "/obj-policy-import")
        plan = [op("PUT", path, {"policies": new_policies})] if new_policies else []
        plan.extend(
            op(
                "PATCH",
                bp_path(self.bp_id, "/obj-policy-batch-apply"),
                {"application_points": chunk},
            )
            for chunk in self.chunks(apply)
        )
        if roots:
            plan.append(op("PUT", path, {"policies": roots}))
        if unused:
            plan.append(
                op("POST", bp_path(self.bp_id, "/obj-policy-batch-delete"), {"policy_ids": unused})
            )
        return plan

    def chunks(self, apply):
        """The assignments {application point: [{policy, used}]}, in port order, as batch-apply bodies of at most
        ASSIGNMENTS_PER_REQUEST assignments each (an application point's list split across two when it must).
        """
        names = self.ctx.fabric.port_names
        out, chunk, size = [], [], 0
        limit = self.ctx.assignments_per_request
        for ap in sorted(apply, key=lambda ap: names.get(ap, ap)):
            policies = apply[ap]
            while policies:
                room = limit - size
                chunk.append({"id": ap, "policies": policies[:room]})
                size += len(policies[:room])
                policies = policies[room:]
                if size >= limit:
                    out.append(chunk)
                    chunk, size = [], 0
        return out + ([chunk] if chunk else [])

    def policy_changes(self, changes):
        """(new templates' policies, assignments {application point: [{policy, used}]}, own templates no port uses,
        existing roots to import again)."""
        vns = self.ctx.vn_by_label()
        templates = dict(((t["vn_id"], t["tag_type"]), t) for t in self.ctx.templates())
        ports = self.ctx.fabric.ports
        new_policies, apply, unused, roots = [], {}, [], []
        self.exported = self.exported_roots(changes)
        for change in changes:
            label, tagged = change.key
            vn_id = (
                vns[label]["id"]
                if label in vns
                else self.ctx.planned.get(("virtual network", label))
            )
            mode = tag_type(tagged)
            template = templates.get((vn_id, mode))
            root = template["id"] if template else None
            current = set((change.before or {}).get("interfaces") or [])
            wanted = set((change.after or {}).get("interfaces") or [])
            record = self.record(wanted)
            if wanted and root is None:
                vn_owner = owner_of_tags((vns.get(label) or {}).get("tags"))
                owner = (
                    vn_owner
                    if vn_owner in self.ctx.ownership.owners
                    else self.ctx.ownership.owners[0]
                )
                root, policies = new_template(
                    self.bp_id, vn_id, label, mode, owner_tags(owner), record
                )
                new_policies.extend(policies)
            for name in sorted(wanted - current):
                apply.setdefault(ports.get(name, name), []).append({"policy": root, "used": True})
            for name in sorted(current - wanted):
                apply.setdefault(ports.get(name, name), []).append({"policy": root, "used": False})
            owned = (
                template is not None
                and owner_of_tags(template["tags"]) in self.ctx.ownership.owners
            )
            if not wanted and owned and label not in self.ctx.ownership.release:
                unused.append(root)
            elif template is not None:
                roots.extend(self.updated_root(change, template, owned, record))
        return new_policies, apply, unused, roots

    def record(self, port_names):
        """The port record of a template on ``port_names`` (None when a port is not a server-facing one)."""
        ports = self.ctx.fabric.ports
        return port_records.encode(
            sorted(ports.get(name, name) for name in port_names),
            port_records.universe(self.ctx.fabric),
        )

    def updated_root(self, change, template, owned, record):
        """The template root to import again, if any: with this run's marks added or dropped (adopted, released), and,
        for a template this collection made whose ports change, the record of its new ports."""
        root = self.retagged(template, owned)[0] if self.remark(change.key) else None
        before = set((change.before or {}).get("interfaces") or [])
        after = set((change.after or {}).get("interfaces") or [])
        vn_id, label = template["vn_id"], change.key[0]
        made = new_template(self.bp_id, vn_id, label, template["tag_type"], template["tags"])[1][0]
        if before != after and made["id"] == template["id"]:
            root = dict(root or made, description=record or "")
        return [root] if root else []

    def unimported(self, policies):
        """The policies of an import whose answer was lost that the staging does not hold as sent: a template whose
        root is missing or carries other tags or another description (the endpoint policies read once) is sent again,
        whole.
        """
        roots = [p for p in policies if p.get("policy_type_name") == "batch"]
        held = dict((p["id"], p) for p in self.ctx.service.endpoint_policies(self.bp_id))
        missing = set(
            root["id"]
            for root in roots
            if root["id"] not in held
            or sorted(held[root["id"]].get("tags") or []) != sorted(root.get("tags") or [])
            or (held[root["id"]].get("description") or "") != (root.get("description") or "")
        )
        children = dict(
            (sub, root["id"])
            for root in roots
            for sub in root["attributes"].get("subpolicies") or []
        )
        pipelines = dict((p["id"], p) for p in policies if p.get("policy_type_name") == "pipeline")
        for pipe_id, root_id in list(children.items()):
            first = (pipelines.get(pipe_id) or {}).get("attributes", {}).get("first_subpolicy")
            children[first] = root_id
        return [p for p in policies if p["id"] in missing or children.get(p["id"]) in missing]

    def unapplied(self, points):
        """The assignments of a batch-apply body that the staging does not hold: a template applied to an interface
        that does not carry it, or unapplied from one that still does (read back for those templates alone).
        """
        policies = sorted(set(p["policy"] for point in points for p in point["policies"]))
        single, _names = self.ctx.service.bindings(self.bp_id, templates=policies)
        holds = dict((t["id"], set(t["interfaces"])) for t in single)
        rest = []
        for point in points:
            left = [
                p
                for p in point["policies"]
                if (point["id"] in holds.get(p["policy"], set())) != p["used"]
            ]
            if left:
                rest.append({"id": point["id"], "policies": left})
        return rest

    def exported_roots(self, changes):
        """{template id: its root policy as Apstra exports it} of the templates whose marks change this run: one GET of
        the template, or one GET of every template's policies when several change (never a call per template).
        """
        ids = sorted(set(self.template_of(c.key)["id"] for c in changes if self.remark(c.key)))
        if self.ctx.service is None or not ids:
            return {}
        path = "/obj-policy-export" + ("/%s" % ids[0] if len(ids) == 1 else "")
        exported = self.ctx.service.client.get(bp_path(self.bp_id, path))
        return dict((p["id"], p) for p in exported.get("policies") or [] if p.get("id") in ids)

    def retagged(self, template, owned):
        """The template's root policy as Apstra exports it (exported_roots), with this run's marks added (adopted) or
        dropped (released). Planned from the facts alone (no service), the root is named by its id and tags only.
        """
        root = {"id": template["id"], "tags": template["tags"]}
        if self.ctx.service is not None:
            root = self.exported[template["id"]]
        unmarked = owner_of_tags(root.get("tags")) is None
        tags = (
            without_owner_tags(root.get("tags"))
            if owned
            else sorted(
                set(root.get("tags") or [])
                | set(owner_tags(self.ctx.ownership.owners[0], unmarked))
            )
        )
        return [dict(root, tags=tags)]

    def send(self, request):
        try:
            return self.ctx.send(request)
        except ApstraConnectionError as exc:
            return self._lost(request, exc)
        except ApstraError as exc:
            if exc.status == 404 and request["path"].endswith("/obj-policy-batch-delete"):
                return self._deleted(request, exc)
            raise

    def _lost(self, request, error):
        """A write whose answer was lost: what Apstra holds is looked up and only what it lacks is sent (once), never
        the same request again."""
        path = request["path"]
        if path.endswith("/obj-policy-import"):
            rest = self.unimported(request["body"]["policies"])
            return self.ctx.send(op("PUT", path, {"policies": rest})) if rest else None
        if path.endswith("/obj-policy-batch-apply"):
            rest = self.unapplied(request["body"]["application_points"])
            return (
                self.ctx.send(op(request["method"], path, {"application_points": rest}))
                if rest
                else None
            )
        if path.endswith("/obj-policy-batch-delete"):
            return self._deleted(request, error)
        raise error

    def _deleted(self, request, error):
        """A batch delete whose answer was lost, or that another run already did: gone on when the templates are."""
        self.ctx.forget("templates")
        if set(t["id"] for t in self.ctx.templates()) & set(request["body"]["policy_ids"]):
            raise error
        return None
