"""Where the playbooks find a relative intent_file: where a play's vars_files finds it (the playbooks directory, its
vars/, then the current directory), though the play reads the intent once with include_vars."""

import yaml

NETWORK = {
    "name": "sriov-cwd",
    "namespace": "telco",
    "vlan": 130,
    "routing_zone": "telco",
    "subnet": "10.130.0.0/24",
    "resource_name": "intel.com/sriov_netdevice",
}


def test_a_relative_intent_file_in_the_current_directory_and_the_default_are_found(job, tmp_path):
    gitops = tmp_path / "gitops"
    gitops.mkdir()
    (gitops / "my_intent.yml").write_text(yaml.safe_dump({"sriov_networks": [NETWORK]}))
    from_cwd = job("provision", "--check", extra={"intent_file": "my_intent.yml"}, cwd=gitops)
    assert from_cwd.rc == 0, from_cwd
    assert "sriov-cwd" in from_cwd.stdout and "sriov-data" not in from_cwd.stdout
    # the default, relative to playbooks/vars/, from a directory that does not hold it
    default = job("provision", "--check", cwd=gitops)
    assert default.rc == 0, default
    assert "sriov-data" in default.stdout and "sriov-cwd" not in default.stdout
    missing = job("provision", "--check", extra={"intent_file": "nothere.yml"}, cwd=gitops)
    assert missing.rc != 0 and "Could not find or access 'nothere.yml'" in missing.stdout
