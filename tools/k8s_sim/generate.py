"""Derive a cluster seed from an Apstra emulator topology so that both sides of a lab agree.

    python -m k8s_sim.generate --fabric FABRIC.yml [--miscabled N] [--sriov-fraction F] [--out FILE] [--format json|yaml]

One Node and one NodeNetworkState per fabric server (node name = server hostname); LLDP neighbours follow the
cabling, or a link's `lldp: {leaf, port}` override, and `--miscabled N` moves N more single-homed servers' host-side
LLDP to the previous leaf (same port). The first round(F x servers) servers get SR-IOV: allocatable resources and a
SriovNetworkNodeState, cycling through six profiles (see PROFILES); a LAG (dual-homed) server gets 8 VFs per PF.
"""

import argparse
import collections
import hashlib
import ipaddress
import json
import re
import sys

import yaml

SRIOV_NS = "sriov-network-operator"
NAMESPACES = ("default", "kube-system", SRIOV_NS, "telco")
PREFIX = "intel.com/"
# (resourceName, deviceType, VFs) groups per PF, by SR-IOV server index modulo 6.
PROFILES = (
    (("sriov_netdevice", "netdevice", 8),),
    (("sriov_netdevice", "netdevice", 8),),
    (("sriov_netdevice", "netdevice", 8),),
    (("sriov_netdevice", "netdevice", 8), ("sriov_dpdk", "vfio-pci", 8)),
    (("sriov_netdevice", "netdevice", 8),),
    (("sriov_dpdk", "vfio-pci", 8),),
)
TOTAL_VFS = 64
SWITCH_DESCRIPTION = (
    "Juniper Networks, Inc. qfx5120-48y-8c Ethernet Switch, kernel JUNOS 22.4R3-S2.11"
)
WORKER_LABEL = "node-role.kubernetes.io/worker"
SRIOV_LABEL = "feature.node.kubernetes.io/network-sriov.capable"
Link = collections.namedtuple("Link", "nic leaf port speed lldp_leaf lldp_port")
PF = collections.namedtuple("PF", "status spec counts")


def _digest(*parts):
    return hashlib.sha1("/".join(parts).encode()).digest()


def _mac(prefix, *parts):
    tail = _digest(*parts)[: 6 - len(prefix)]
    return ":".join("%02x" % b for b in bytes(prefix) + tail)


def _speed(value):
    match = re.fullmatch(r"(\d+)([MG])", str(value or "25G"))
    if not match:
        return "25000 Mb/s"
    return "%d Mb/s" % (int(match.group(1)) * (1000 if match.group(2) == "G" else 1))


def _servers(fabric, miscabled):
    """[(hostname, lag, [Link])] in fabric order."""
    leafs = list(fabric.get("leafs") or [])
    servers = []
    for server in fabric.get("servers") or []:
        links = []
        for link in server.get("links") or []:
            lldp = link.get("lldp") or {}
            links.append(
                Link(
                    link["nic"],
                    link["leaf"],
                    link["port"],
                    link.get("speed", "25G"),
                    lldp.get("leaf", link["leaf"]),
                    lldp.get("port", link["port"]),
                )
            )
        servers.append((server["hostname"], server.get("lag"), links))
    candidates = [
        n
        for n, (host, lag, links) in enumerate(servers)
        if not lag
        and len(links) == 1
        and (links[0].leaf, links[0].port) == (links[0].lldp_leaf, links[0].lldp_port)
    ]
    if miscabled > len(candidates):
        raise SystemExit(
            "--miscabled %d: only %d single-homed servers to mis-cable"
            % (miscabled, len(candidates))
        )
    for k in range(miscabled):
        index = candidates[(2 + k * len(candidates) // miscabled) % len(candidates)]
        host, lag, links = servers[index]
        leaf = links[0].leaf
        wrong = (
            leafs[(leafs.index(leaf) - 1) % len(leafs)]
            if leaf in leafs and len(leafs) > 1
            else leaf + "-other"
        )
        servers[index] = (host, lag, [links[0]._replace(lldp_leaf=wrong)])
    return servers


def _lldp(leaf, port):
    return {
        "enabled": True,
        "neighbors": [
            [
                {
                    "type": 1,
                    "chassis-id": _mac(b"\x2c\x6b\xf5", leaf),
                    "chassis-id-type": 4,
                    "_description": "MAC address",
                },
                {"type": 2, "port-id": port, "port-id-type": 5, "_description": "interface name"},
                {"type": 3, "ttl": 120},
                {"type": 4, "port-description": port},
                {"type": 5, "system-name": leaf},
                {"type": 6, "system-description": SWITCH_DESCRIPTION},
                {
                    "type": 7,
                    "system-capabilities": ["MAC Bridge component", "Router"],
                    "enabled-capabilities": ["MAC Bridge component", "Router"],
                },
            ]
        ],
    }


def _pfs(host, links, profile, lag):
    """SR-IOV PFs of one server: [PF(status interface, spec interface, {resource: count})]."""
    out = []
    for index, link in enumerate(sorted(links)):
        nic = link.nic
        groups = profile if not lag else (("sriov_netdevice", "netdevice", 8),)
        pci = "0000:3b:00.%d" % index
        vfs, vf_groups, counts, first = [], [], {}, 0
        for resource, device_type, count in groups:
            vf_groups.append(
                {
                    "resourceName": resource,
                    "deviceType": device_type,
                    "vfRange": "%d-%d" % (first, first + count - 1),
                    "policyName": resource.replace("_", "-"),
                    "mtu": 1500,
                }
            )
            for vf_id in range(first, first + count):
                devfn = 0x10 + index * 0x40 + vf_id
                vf = {
                    "vfID": vf_id,
                    "pciAddress": "0000:3b:%02x.%d" % (devfn >> 3, devfn & 7),
                    "vendor": "8086",
                    "deviceID": "154c",
                    "driver": "iavf" if device_type == "netdevice" else "vfio-pci",
                    "mtu": 1500,
                    "Vlan": 0,
                    "mac": _mac(b"\x02", host, nic, str(vf_id)),
                }
                if device_type == "netdevice":
                    vf["name"] = "%sv%d" % (nic, vf_id)
                vfs.append(vf)
            counts[PREFIX + resource] = counts.get(PREFIX + resource, 0) + count
            first += count
        status = {
            "name": nic,
            "mac": _mac(b"\x3c\xfd\xfe", host, nic),
            "driver": "i40e",
            "pciAddress": pci,
            "vendor": "8086",
            "deviceID": "158b",
            "mtu": 1500,
            "numVfs": first,
            "totalvfs": TOTAL_VFS,
            "linkSpeed": _speed(link.speed),
            "linkType": "ETH",
            "eSwitchMode": "legacy",
            "Vfs": vfs,
        }
        spec = {
            "name": nic,
            "pciAddress": pci,
            "numVfs": first,
            "mtu": 1500,
            "linkType": "eth",
            "vfGroups": vf_groups,
        }
        out.append(PF(status, spec, counts))
    return out


def _node(host, index, resources, sriov):
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": host,
        "kubernetes.io/os": "linux",
        WORKER_LABEL: "",
    }
    if sriov:
        labels[SRIOV_LABEL] = "true"
    capacity = {
        "cpu": "64",
        "ephemeral-storage": "936104940Ki",
        "hugepages-1Gi": "0",
        "memory": "263855104Ki",
        "pods": "110",
    }
    allocatable = dict(capacity, cpu="63500m", memory="262704128Ki")
    capacity.update(resources)
    allocatable.update(resources)
    address = str(ipaddress.ip_address("10.0.0.11") + index)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": host,
            "labels": labels,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"podCIDR": "10.244.%d.0/24" % (index % 256)},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": address},
                {"type": "Hostname", "address": host},
            ],
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                    "lastHeartbeatTime": "2025-01-01T00:00:00Z",
                    "lastTransitionTime": "2025-01-01T00:00:00Z",
                }
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "5.14.0-503.el9.x86_64",
                "kubeProxyVersion": "v1.32.4",
                "kubeletVersion": "v1.32.4",
                "operatingSystem": "linux",
                "osImage": "Rocky Linux 9.5 (Blue Onyx)",
                "machineID": _digest(host).hex()[:32],
                "systemUUID": _digest("uuid", host).hex()[:32],
                "bootID": _digest("boot", host).hex()[:32],
            },
        },
    }


def _nns(host, index, links, lag):
    address = str(ipaddress.ip_address("10.0.0.11") + index)
    interfaces = [
        {
            "name": "lo",
            "type": "loopback",
            "state": "up",
            "mtu": 65536,
            "mac-address": "00:00:00:00:00:00",
            "ipv4": {"enabled": True, "address": [{"ip": "127.0.0.1", "prefix-length": 8}]},
        },
        {
            "name": "eno1",
            "type": "ethernet",
            "state": "up",
            "mtu": 1500,
            "mac-address": _mac(b"\xb8\x83\x03", host, "eno1"),
            "ipv4": {
                "enabled": True,
                "dhcp": False,
                "address": [{"ip": address, "prefix-length": 16}],
            },
            "lldp": {"enabled": False},
        },
    ]
    for link in sorted(links):
        interfaces.append(
            {
                "name": link.nic,
                "type": "ethernet",
                "state": "up",
                "mtu": 1500,
                "mac-address": _mac(b"\x3c\xfd\xfe", host, link.nic),
                "ethernet": {
                    "speed": int(_speed(link.speed).split()[0]),
                    "duplex": "full",
                    "auto-negotiation": True,
                },
                "lldp": _lldp(link.lldp_leaf, link.lldp_port),
            }
        )
    if lag:
        interfaces.append(
            {
                "name": "bond0",
                "type": "bond",
                "state": "up",
                "mtu": 1500,
                "link-aggregation": {
                    "mode": "802.3ad",
                    "port": sorted(link.nic for link in links),
                    "options": {"lacp_rate": "fast", "miimon": 100},
                },
            }
        )
    return {
        "apiVersion": "nmstate.io/v1beta1",
        "kind": "NodeNetworkState",
        "metadata": {"name": host},
        "status": {
            "currentState": {
                "interfaces": interfaces,
                "routes": {"config": [], "running": []},
                "dns-resolver": {"config": {}, "running": {"server": ["10.0.0.2"]}},
            },
            "handlerNmstateVersion": "nmstatectl 2.2.37",
            "hostNetworkManagerVersion": "1.48.10",
            "lastSuccessfulUpdateTime": "2025-01-01T00:00:00Z",
            "conditions": [
                {
                    "type": "Available",
                    "status": "True",
                    "reason": "Success",
                    "message": "Successfully collected network state",
                    "lastTransitionTime": "2025-01-01T00:00:00Z",
                    "lastHeartbeatTime": "2025-01-01T00:00:00Z",
                }
            ],
        },
    }


def generate(fabric, miscabled=0, sriov_fraction=0.75):
    """The seed objects for a fabric topology mapping."""
    if not 0 <= sriov_fraction <= 1:
        raise SystemExit("--sriov-fraction must be within 0..1")
    servers = _servers(fabric, miscabled)
    sriov_count = int(len(servers) * sriov_fraction + 0.5)
    docs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}} for name in NAMESPACES
    ]
    nodes, states, nns = [], [], []
    for index, (host, lag, links) in enumerate(servers):
        sriov = index < sriov_count
        resources = {}
        if sriov:
            pfs = _pfs(host, links, PROFILES[index % len(PROFILES)], lag)
            for pf in pfs:
                for resource, count in pf.counts.items():
                    resources[resource] = str(int(resources.get(resource, "0")) + count)
            states.append(
                {
                    "apiVersion": "sriovnetwork.openshift.io/v1",
                    "kind": "SriovNetworkNodeState",
                    "metadata": {"name": host, "namespace": SRIOV_NS},
                    "spec": {"interfaces": [pf.spec for pf in pfs]},
                    "status": {
                        "interfaces": [pf.status for pf in pfs],
                        "syncStatus": "Succeeded",
                        "lastSyncError": "",
                    },
                }
            )
        nodes.append(_node(host, index, resources, sriov))
        nns.append(_nns(host, index, links, lag))
    return docs + nodes + states + nns


def dump(docs, source, fmt="yaml"):
    """The seed text: a `kind: List` document, as YAML (with a provenance comment) or as JSON with one object per line."""
    if fmt == "json":
        return '{"apiVersion": "v1", "kind": "List", "items": [\n%s\n]}\n' % ",\n".join(
            json.dumps(d) for d in docs
        )
    header = (
        "# Kubernetes emulator seed generated by `python -m k8s_sim.generate` from %s.\n" % source
    )
    seed = {"apiVersion": "v1", "kind": "List", "items": docs}
    return header + yaml.dump(
        seed, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, width=200
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m k8s_sim.generate", description=__doc__.split("\n\n", maxsplit=1)[0]
    )
    parser.add_argument("--fabric", required=True, help="Apstra emulator topology YAML")
    parser.add_argument(
        "--miscabled",
        type=int,
        default=0,
        help="mis-cable this many more servers (host LLDP sees the previous leaf)",
    )
    parser.add_argument(
        "--sriov-fraction",
        type=float,
        default=0.75,
        help="share of servers with SR-IOV (default 0.75)",
    )
    parser.add_argument("--out", help="write here instead of stdout")
    parser.add_argument(
        "--format",
        choices=("json", "yaml"),
        default="json",
        help="json (default: one object per line, valid YAML too, loads in a second at 5,000 nodes) or yaml (for reading)",
    )
    args = parser.parse_args(argv)
    with open(args.fabric, encoding="utf-8") as handle:
        fabric = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    text = dump(
        generate(fabric, args.miscabled, args.sriov_fraction),
        args.fabric.rsplit("/", 1)[-1],
        args.format,
    )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
