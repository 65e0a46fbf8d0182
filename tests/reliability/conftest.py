"""Helpers of the reliability tests: what each system holds, read from the emulators (what is deployed, not staged)."""

import json

import pytest
import requests
from sim_core.testing import ApstraSession

DEPLOYED_VNS = (
    "match(node('virtual_network', name='vn'), "
    "optional(node(name='vn').out('instantiated_by').node('vn_instance', name='inst').in_('hosted_vn_instances').node(name='switch')))"
)
NADS = "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions"


class Fabric:
    """The Apstra emulator seen as a user (``admin`` unless told) and as an observer."""

    def __init__(self, apstra):
        self.apstra = apstra
        self.admin = ApstraSession(apstra.url)

    def session(self, username="admin", password=None):
        if username != "admin":
            self.apstra.control(
                "POST",
                "users",
                {"username": username, "password": password or username + "-password"},
            )
            return ApstraSession(self.apstra.url, username, password or username + "-password")
        return self.admin

    def blueprint(self):
        return next(iter(self.apstra.state()["blueprints"].values()))

    def deployed_vns(self):
        """label -> {vlan, switches} of the deployed graph."""
        out = {}
        for row in self.admin.qe(DEPLOYED_VNS, "deployed"):
            entry = out.setdefault(row["vn"]["label"], {"vlan": None, "switches": set()})
            if row.get("inst"):
                entry["vlan"] = row["inst"].get("vlan_id")
                entry["switches"].add(row["switch"]["label"])
        return out

    def staged_vns(self):
        return dict(
            (vn["label"], vn)
            for vn in self.admin.get("/virtual-networks").json()["virtual_networks"].values()
        )

    def zones(self):
        return dict(
            (z["label"], z) for z in self.admin.get("/security-zones").json()["items"].values()
        )

    def writes(self, prefix="/api/blueprints/"):
        return [
            (r["method"], r["path"]) for r in self.apstra.writes() if r["path"].startswith(prefix)
        ]

    def commits(self):
        return [w for w in self.writes() if w[1].endswith("/deploy")]


class Cluster:
    def __init__(self, k8s):
        self.k8s = k8s

    def nads(self):
        items = requests.get(self.k8s.url + NADS, timeout=10).json()["items"]
        return dict(
            (
                "%s/%s" % (o["metadata"]["namespace"], o["metadata"]["name"]),
                json.loads(o["spec"]["config"]),
            )
            for o in items
        )

    def patch_nad(self, namespace, name, config):
        url = "%s/apis/k8s.cni.cncf.io/v1/namespaces/%s/network-attachment-definitions/%s" % (
            self.k8s.url,
            namespace,
            name,
        )
        resp = requests.patch(
            url,
            data=json.dumps({"spec": {"config": json.dumps(config)}}),
            timeout=10,
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert resp.status_code == 200, resp.text

    def writes(self):
        return [(r["method"], r["path"]) for r in self.k8s.writes()]


@pytest.fixture
def fabric(apstra):
    return Fabric(apstra)


@pytest.fixture
def cluster(k8s):
    return Cluster(k8s)


@pytest.fixture
def fabric_of():
    """Fabric for another Apstra emulator than the session's (a generated lab)."""
    return Fabric
