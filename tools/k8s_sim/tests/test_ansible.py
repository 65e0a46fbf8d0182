"""kubernetes.core.k8s / k8s_info through real ansible-playbook runs against the Kubernetes emulator."""

NAD = """
      kubernetes.core.k8s:
        state: present
        definition:
          apiVersion: k8s.cni.cncf.io/v1
          kind: NetworkAttachmentDefinition
          metadata:
            name: sriov-vlan100
            namespace: telco
            labels: {app.kubernetes.io/managed-by: netops.cn2_apstra}
            annotations: {k8s.v1.cni.cncf.io/resourceName: intel.com/sriov_netdevice}
          spec:
            config: '{"cniVersion":"1.0.0","name":"sriov-vlan100","type":"sriov","vlan":%s}'
"""

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/kubernetes.core.k8s:
      kubeconfig: "{{ kubeconfig }}"
  tasks:
    - name: Create
%(create)s
      register: created
    - name: Create again
%(create)s
      register: again
    - name: Change in check mode
%(change)s
      check_mode: true
      register: check_change
    - name: Read back by label
      kubernetes.core.k8s_info:
        api_version: k8s.cni.cncf.io/v1
        kind: NetworkAttachmentDefinition
        namespace: telco
        label_selectors: [app.kubernetes.io/managed-by=netops.cn2_apstra]
      register: by_label
    - name: SR-IOV nodes
      kubernetes.core.k8s_info:
        kind: Node
        label_selectors: ["feature.node.kubernetes.io/network-sriov.capable=true", "kubernetes.io/hostname notin (worker-01)"]
      register: sriov_nodes
    - name: Apply a ConfigMap twice
      kubernetes.core.k8s:
        apply: true
        definition: {apiVersion: v1, kind: ConfigMap, metadata: {name: applied, namespace: telco}, data: {a: "1"}}
      register: applied
      loop: [1, 2]
    - name: Server-side apply
      kubernetes.core.k8s:
        apply: true
        server_side_apply: {field_manager: netops}
        definition: {apiVersion: v1, kind: ConfigMap, metadata: {name: ssa, namespace: telco}, data: {a: "1"}}
      register: ssa
    - name: Delete
      kubernetes.core.k8s:
        state: absent
        api_version: k8s.cni.cncf.io/v1
        kind: NetworkAttachmentDefinition
        namespace: telco
        name: sriov-vlan100
      register: deleted
      loop: [1, 2]
    - name: Check the results
      ansible.builtin.assert:
        that:
          - created is changed
          - again is not changed
          - check_change is changed
          - check_change.result.spec.config is search('"vlan":200')
          - by_label.resources | length == 1
          - by_label.resources[0].spec.config is search('"vlan":100')
          - sriov_nodes.resources | map(attribute='metadata.name') | list == ['worker-02', 'worker-03', 'worker-04', 'worker-05', 'worker-06']
          - applied.results[0] is changed and applied.results[1] is not changed
          - ssa is changed and ssa.result.metadata.managedFields[0].manager == 'netops'
          - deleted.results[0] is changed and deleted.results[1] is not changed
"""


def test_k8s_modules_create_idempotency_check_mode_selectors_delete(k8s, run_playbook):
    playbook = PLAYBOOK % {"create": NAD % 100, "change": NAD % 200}
    result = run_playbook(playbook, extra_vars={"kubeconfig": k8s.kubeconfig})
    assert result.rc == 0, result
    log = k8s.requests_log()
    dry = [r for r in log if r["dry_run"]]
    assert dry and all(
        not r["write"] and r["resource"] == "network-attachment-definitions" for r in dry
    )
    writes = [(r["method"], r["resource"], r["status"]) for r in k8s.writes()]
    assert ("POST", "network-attachment-definitions", 201) in writes
    assert ("PATCH", "configmaps", 201) in writes
    assert ("DELETE", "network-attachment-definitions", 200) in writes
    state = k8s.state()["objects"]
    assert "network-attachment-definitions.k8s.cni.cncf.io" not in state
    assert {c["metadata"]["name"] for c in state["configmaps"]} == {"applied", "ssa"}


def test_check_mode_run_writes_nothing(k8s, run_playbook):
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Create in check mode
%s
        kubeconfig: "{{ kubeconfig }}"
      register: created
    - ansible.builtin.assert:
        that: [created is changed, created.result.metadata.name == 'sriov-vlan100']
""" % (NAD % 100)
    before = k8s.state()
    result = run_playbook(playbook, "--check", extra_vars={"kubeconfig": k8s.kubeconfig})
    assert result.rc == 0, result
    assert k8s.writes() == []
    assert [r["method"] for r in k8s.requests_log() if r["dry_run"]] == ["POST"]
    assert k8s.state() == before
