#!/usr/bin/env bash
# The demo: start the Apstra and Kubernetes emulators on the demo lab (background, loopback), provision the
# example intent (3 SR-IOV networks, two of them routed to each other through a routing group), show both sides,
# check that they agree; then two CN2 tenants with their own default pod networks and SR-IOV networks in their own
# routing zones (a pod created before keeps its network, one created after lands in the tenant's); then let the fabric
# follow the cluster with the rulebook running (a NAD that opts in, pods on two nodes, the pods gone), and stop
# everything on exit. Works on a fresh clone (runs scripts/setup.sh first).
#   make demo            or   bash scripts/demo.sh
# Reports land in $SRIOV_REPORTS_DIR (default: reports/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/setup.sh"
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$here/lib.sh"
sync_collection_tree

lab=$BUILD/demo-lab
reports=${SRIOV_REPORTS_DIR:-$REPO/reports}
export SRIOV_REPORTS_DIR=$reports
rulebook_pid=
cleanup() {
    if [ -n "$rulebook_pid" ]; then kill -- -"$rulebook_pid" 2>/dev/null || true; fi
    bash "$REPO/scripts/emulators.sh" stop "$lab" || true
}
trap cleanup EXIT INT TERM

bash "$REPO/scripts/emulators.sh" start "$lab"
# shellcheck disable=SC1091  # written by emulators.sh
source "$lab/env.sh"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

cd "$REPO"
echo
# The demo names its targets: the example intent and the demo lab's blueprint (nothing runs on a default).
demo_args=(-e intent_file=example_intent.yml -e blueprint=dc1)
echo "=== 1. the plan (ansible-playbook playbooks/provision.yml -e intent_file=example_intent.yml -e blueprint=dc1 --check --diff), nothing changes"
ansible-playbook -i localhost, playbooks/provision.yml "${demo_args[@]}" --check --diff | sed -n '/Show the two-layer plan/,/^$/p'
echo "=== 2. provision (ansible-playbook playbooks/provision.yml ...)"
ansible-playbook -i localhost, playbooks/provision.yml "${demo_args[@]}" | sed -n '/PLAY RECAP/,$p'
echo "=== 3. both sides after the run"
echo "--- Kubernetes: NetworkAttachmentDefinitions and VirtualNetworkRouters (kubectl)"
kubectl get network-attachment-definitions -n telco -o custom-columns='NAME:.metadata.name,RESOURCE:.metadata.annotations.k8s\.v1\.cni\.cncf\.io/resourceName,CONFIG:.spec.config' 2>/dev/null \
    || echo "(kubectl not available)"
kubectl get virtualnetworkrouters -n telco 2>/dev/null || true
echo "--- Apstra: virtual networks of blueprint dc1"
python - <<'PYEOF'
import os
import requests
url = os.environ["APSTRA_API_URL"]
token = requests.post(url + "/api/aaa/login", json={"username": os.environ["APSTRA_USERNAME"], "password": os.environ["APSTRA_PASSWORD"]},
                      timeout=10).json()["token"]
headers = {"AuthToken": token}
bp = [b for b in requests.get(url + "/api/blueprints", headers=headers, timeout=10).json()["items"] if b["label"] == "dc1"][0]
vns = requests.get(url + "/api/blueprints/%s/virtual-networks" % bp["id"], headers=headers, timeout=10).json()["virtual_networks"]
print("%-14s %-6s %-7s %-16s %-12s %s" % ("VN", "VLAN", "VNI", "subnet", "gateway", "bound to"))
for vn in sorted(vns.values(), key=lambda v: v["label"]):
    vlans = sorted({b.get("vlan_id") for b in vn.get("bound_to") or []})
    print("%-14s %-6s %-7s %-16s %-12s %d leaf/ESI pair(s)" % (vn["label"], ",".join(str(v) for v in vlans), vn.get("vn_id"), vn.get("ipv4_subnet"),
                                                             vn.get("virtual_gateway_ipv4"), len(vn.get("bound_to") or [])))
print("deployed revision:", requests.get(url + "/api/blueprints/%s/diff-status" % bp["id"], headers=headers, timeout=10).json().get("deployed_version"))
PYEOF
echo "=== 4. post-change check (ansible-playbook playbooks/verify.yml): fails on any drift"
ansible-playbook -i localhost, playbooks/verify.yml "${demo_args[@]}" | sed -n '/Show the result/,$p'

echo "=== 5. tenants: CN2 custom default pod networks per namespace (playbooks/vars/example_tenants.yml)"
echo "--- kubectl: four namespaces, each consenting to join its tenant; a pod in red-b before the tenant exists"
for ns in red-a:red red-b:red blue-a:blue blue-b:blue; do
    kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: ${ns%%:*}, annotations: {cn2-apstra.netops.io/tenant: ${ns##*:}}}
YAML
done
pod() {
    kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: red-b}
spec: {containers: [{name: app, image: registry.example/app:1}]}
YAML
}
pod old-0
tenant_args=(-e intent_file=example_tenants.yml -e blueprint=dc1)
echo "--- the plan says which namespaces change their default pod network, and which pods keep theirs"
ansible-playbook -i localhost, playbooks/provision.yml "${tenant_args[@]}" --check | sed -n '/Show the two-layer plan/,/^$/p' | grep -E 'tenant|namespace|routers'
echo "--- provision"
ansible-playbook -i localhost, playbooks/provision.yml "${tenant_args[@]}" | sed -n '/PLAY RECAP/,$p'
kubectl get subnets,virtualnetworks,virtualnetworkrouters -A 2>/dev/null || true
kubectl get namespaces red-a red-b blue-a blue-b -o custom-columns='NAMESPACE:.metadata.name,POD NETWORK:.metadata.annotations.net\.juniper\.contrail\.podnetwork'
pod new-0
echo "--- eth0 of a pod created before and one created after (k8s.v1.cni.cncf.io/network-status, as CN2 records it)"
for name in old-0 new-0; do
    printf '    red-b/%s: ' "$name"
    kubectl get pod -n red-b "$name" -o jsonpath='{.metadata.annotations.k8s\.v1\.cni\.cncf\.io/network-status}' \
        | python -c 'import json, sys; e = json.load(sys.stdin)[0]; print(e["name"], e["ips"])'
done
echo "--- the tenants' report: $reports/provision-latest.md (section Tenants; the picture draws them)"

echo "=== 6. the fabric follows the cluster (ansible-rulebook with netops.cn2_apstra.sriov_fabric, nobody runs a playbook)"
export K8S_AUTH_KUBECONFIG=$KUBECONFIG
printf 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n' >"$lab/rulebook-inventory.yml"
# The rulebook passes its variables on to the reconcile: the blueprint, this cluster's name, the grace.
printf 'blueprint: dc1\ncluster_name: demo-cluster\nsriov_unbind_grace: 5\n' >"$lab/rulebook-vars.yml"
setsid env PATH="$EDA_VENV/bin:$PATH" ansible-rulebook -r netops.cn2_apstra.sriov_fabric -i "$lab/rulebook-inventory.yml" \
    --vars "$lab/rulebook-vars.yml" >"$lab/rulebook.log" 2>&1 &
rulebook_pid=$!
# Waits on what Apstra has deployed for the network ran-demo: "vn" (deployed), or its tagged ports.
deployed() {
    python - "$1" <<'PYEOF'
import os, sys, time
import requests
url = os.environ["APSTRA_API_URL"]
session = requests.Session()
session.headers["AuthToken"] = session.post(url + "/api/aaa/login", json={"username": os.environ["APSTRA_USERNAME"],
                                            "password": os.environ["APSTRA_PASSWORD"]}, timeout=10).json()["token"]
bp = session.get(url + "/api/blueprints", timeout=10).json()["items"][0]["id"]
ports_query = ("match(node('ep_endpoint_policy', policy_type_name='batch', name='ct').in_('ep_top_level').node('ep_application_instance')"
               ".out('ep_affected_by').node('ep_group').in_('ep_member_of').node('interface', name='intf').in_('hosted_interfaces')"
               ".node(name='owner'), node(name='ct').out('ep_subpolicy').node().out('ep_first_subpolicy').node(name='prim')"
               ".out('vn_to_attach').node('virtual_network', label='ran-demo'))")
def qe(query):
    return session.post(url + "/api/blueprints/%s/qe" % bp, params={"type": "deployed"}, json={"query": query}, timeout=10).json()["items"]
want = sys.argv[1]
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    vn = qe("node('virtual_network', label='ran-demo', name='vn')")
    ports = sorted("%s:%s" % (r["owner"]["label"], r["intf"]["if_name"]) for r in qe(ports_query)) if vn else None
    if (want == "vn" and vn) or (want != "vn" and ports is not None and ports == sorted(p for p in want.split(",") if p)):
        print("    deployed in Apstra: VN ran-demo on ports %s" % (", ".join(ports) or "none"))
        sys.exit(0)
    time.sleep(1)
sys.exit("timed out waiting for %s" % want)
PYEOF
}
until grep -qs "PLAY RECAP" "$lab/rulebook.log"; do sleep 1; done
echo "--- kubectl apply: a NAD that opts in (cn2-apstra.netops.io/fabric=true), VLAN 590"
kubectl apply -f - <<'YAML'
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: ran-demo
  namespace: telco
  annotations:
    k8s.v1.cni.cncf.io/resourceName: intel.com/sriov_netdevice
    cn2-apstra.netops.io/fabric: "true"
    cn2-apstra.netops.io/routing-zone: telco
spec:
  config: '{"cniVersion": "1.0.0", "name": "ran-demo", "type": "sriov", "vlan": 590, "ipam": {"type": "whereabouts", "range": "10.59.0.0/24", "gateway": "10.59.0.1"}}'
YAML
deployed vn
echo "--- kubectl apply: pods on worker-01 and worker-05 (dual-homed)"
for pod in du-0:worker-01 du-1:worker-05; do
    kubectl apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: ${pod%%:*}, namespace: telco, annotations: {k8s.v1.cni.cncf.io/networks: ran-demo}}
spec: {nodeName: ${pod##*:}, containers: [{name: du, image: registry.example/du:1}]}
YAML
done
deployed "leaf1:xe-0/0/1,leaf3-leaf4:ae5"
echo "--- kubectl delete: the pods (the ports are untagged after the 5 s grace period)"
kubectl delete pod -n telco du-0 du-1
deployed ""
echo "    reconcile runs started by the rulebook: $(grep -c 'PLAY RECAP' "$lab/rulebook.log"); its log: $lab/rulebook.log"
echo
echo "Demo done: both sides hold the 3 networks and agree, the two tenants have their pod networks and routing zones,"
echo "and the fabric followed the NAD and its pods."
echo "Change reports: $reports/provision-latest.md, $reports/reconcile-latest.md (+ .svg)"
