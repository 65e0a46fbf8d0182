"""Acceptance: the collection as a new user gets it, the commands as the documentation writes them.

A fresh checkout (what `git clone` gives: tracked files, nothing built, nothing installed) builds its tarball with a
plain `ansible-galaxy collection build`; then, in a HOME with no collection and no ANSIBLE_* setting:

- README.md "Using it against your fabric and cluster": the commands of its blocks, run as written by bash, against
  the Apstra emulator over HTTPS (its CA through APSTRA_CA_PATH) and the Kubernetes emulator: once with the installed
  tarball, once from a clone (the link step, ansible.cfg's collections path);
- `ansible-doc -t role netops.cn2_apstra.sriov_network` shows every option of the role's argument spec;
- `antsibull-docs lint-collection-docs --plugin-docs` on the installed collection reports nothing;
- the documentation site builds from the installed collection alone, every guide in it.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from apstra_sim.server import start_server
from sim_core.testing import APSTRA_PASSWORD, APSTRA_TEST_OPTIONS, APSTRA_USER, Emulator

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO = REPO / "tools" / "apstra_sim" / "topologies" / "demo.yml"
SECTION = "## Using it against your fabric and cluster"
# The variables README's first block exports, which the test points at the emulators.
CONNECTION = {
    "APSTRA_API_URL",
    "APSTRA_USERNAME",
    "APSTRA_PASSWORD",
    "APSTRA_CA_PATH",
    "K8S_AUTH_KUBECONFIG",
}

_SPEC = importlib.util.spec_from_file_location(
    "awx_emulation", Path(__file__).with_name("awx_emulation.py")
)
awx = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(awx)


def readme_blocks():
    """The sh blocks of the README's section on using the collection, in order."""
    text = (REPO / "README.md").read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def user_env(home, extra=None):
    """A user's shell: the tools on PATH, a HOME of its own, nothing of Ansible's or of this machine's connections."""
    env = dict(
        (name, value)
        for name, value in os.environ.items()
        if not name.startswith(("ANSIBLE_", "APSTRA_", "K8S_AUTH_", "KUBECONFIG", "SRIOV_"))
    )
    env.update(PATH="%s:%s" % (BIN, os.environ["PATH"]), HOME=str(home), LANG="C.UTF-8")
    env.pop("PWD", None)
    env.update(extra or {})
    return env


def run_line(line, cwd, env):
    """One command line of a README block, run by bash as a user types it."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", line],
        cwd=str(cwd),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def command_lines(block):
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    return awx.project_checkout(REPO, tmp_path_factory.mktemp("user") / "cn2_apstra")


@pytest.fixture(scope="module")
def tarball(checkout, tmp_path_factory):
    """`ansible-galaxy collection build` in the fresh checkout, as the README says."""
    return awx.build_collection(
        checkout, tmp_path_factory.mktemp("dist"), user_env(tmp_path_factory.mktemp("build-home"))
    )


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory):
    """The tarball installed into a clean collections path: (collections path, the collection's directory)."""
    collections = tmp_path_factory.mktemp("clean") / "collections"
    home = tmp_path_factory.mktemp("install-home")
    awx.run_ok(
        [
            str(BIN / "ansible-galaxy"),
            "collection",
            "install",
            "--offline",
            "-p",
            str(collections),
            str(tarball),
        ],
        # not from this checkout, whose ansible.cfg would show the collection as installed already (its link)
        home,
        user_env(home),
    )
    return collections, collections / "ansible_collections" / "netops" / "cn2_apstra"


@pytest.fixture
def https_apstra(tmp_path):
    """A fresh Apstra emulator over HTTPS (self-signed) for one user session; (Emulator, CA file)."""
    server = start_server(str(DEMO), port=0, tls=True, **APSTRA_TEST_OPTIONS)
    ca_file = tmp_path / "apstra-ca.pem"
    ca_file.write_text(server.cert_pem)
    yield Emulator(server), ca_file
    server.stop()


def connection(https_apstra, k8s):
    apstra, ca_file = https_apstra
    return {
        # as juniper.apstra's README writes it
        "APSTRA_API_URL": apstra.url + "/api",
        "APSTRA_USERNAME": APSTRA_USER,
        "APSTRA_PASSWORD": APSTRA_PASSWORD,
        "APSTRA_CA_PATH": str(ca_file),
        "K8S_AUTH_KUBECONFIG": k8s.kubeconfig,
    }


def test_readme_connection_block_exports_what_the_test_sets():
    blocks = readme_blocks()
    assert len(blocks) == 3, blocks
    exported = set()
    for line in command_lines(blocks[0]):
        assert line.startswith("export "), line
        exported.update(re.findall(r"([A-Z_0-9]+)=", line.split("#", 1)[0]))
    assert exported == CONNECTION


def run_flow(lines, cwd, env, apstra, k8s):
    """Run the three playbook lines (check, apply, verify) and check what each did against the emulators."""
    check, apply, verify = lines
    apstra.clear_log()
    k8s.clear_log()
    proc = run_line(check, cwd, env)
    assert proc.returncode == 0, (check, proc.stdout[-6000:], proc.stderr[-3000:])
    assert apstra.writes() == [] and [r for r in k8s.requests_log() if r["write"]] == []
    assert "sriov-data" in proc.stdout
    proc = run_line(apply, cwd, env)
    assert proc.returncode == 0, (apply, proc.stdout[-6000:], proc.stderr[-3000:])
    assert any(
        r["method"] == "PUT" and r["path"].endswith("/deploy") for r in apstra.requests_log()
    )
    proc = run_line(verify, cwd, env)
    assert proc.returncode == 0, (verify, proc.stdout[-6000:], proc.stderr[-3000:])
    assert APSTRA_PASSWORD not in proc.stdout + proc.stderr
    # the reports land in the directory the user ran from
    assert (Path(cwd) / "reports" / "provision-latest.md").is_file()
    assert (Path(cwd) / "reports" / "verify-latest.md").is_file()
    # every Apstra call went through TLS with the CA of APSTRA_CA_PATH, and to /api/..., never /api/api/...
    paths = [r["path"] for r in apstra.requests_log() if not r["path"].startswith("/_sim")]
    assert paths and not [p for p in paths if p.startswith("/api/api/")]


def test_readme_commands_with_the_installed_tarball(tarball, https_apstra, k8s, tmp_path):
    blocks = readme_blocks()
    lines = command_lines(blocks[1])
    install, playbooks = lines[0], lines[1:]
    work = tmp_path / "work"
    work.mkdir()
    # the tarball where the user has it, under the name the README writes
    name = re.search(r"(netops-cn2_apstra-[0-9.]+\.tar\.gz)", install).group(1)
    assert name == tarball.name, "README installs %s, the build writes %s" % (name, tarball.name)
    shutil.copy(str(tarball), str(work / name))
    shutil.copy(
        str(REPO / "playbooks" / "vars" / "example_intent.yml"), str(work / "my_intent.yml")
    )
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home, connection(https_apstra, k8s))
    proc = run_line(install, work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        home
        / ".ansible"
        / "collections"
        / "ansible_collections"
        / "netops"
        / "cn2_apstra"
        / "MANIFEST.json"
    ).is_file()
    assert [line.split()[1] for line in playbooks] == [
        "netops.cn2_apstra.provision",
        "netops.cn2_apstra.provision",
        "netops.cn2_apstra.verify",
    ]
    run_flow(playbooks, work, env, https_apstra[0], k8s)


def test_readme_commands_from_a_clone(tmp_path, https_apstra, k8s):
    clone = awx.project_checkout(REPO, tmp_path / "cn2_apstra")
    shutil.copy(
        str(REPO / "playbooks" / "vars" / "example_intent.yml"), str(clone / "my_intent.yml")
    )
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home, connection(https_apstra, k8s))
    lines = command_lines(readme_blocks()[2])
    link, playbooks = lines[0], lines[1:]
    # without the link step, a clone does not resolve netops.cn2_apstra (nothing is installed anywhere)
    proc = run_line(playbooks[0].split("#")[0] + " --syntax-check", clone, env)
    assert proc.returncode != 0 and "netops.cn2_apstra" in proc.stdout + proc.stderr
    proc = run_line(link, clone, env)
    assert proc.returncode == 0, proc.stderr
    assert (
        clone / "collections" / "ansible_collections" / "netops" / "cn2_apstra"
    ).resolve() == clone.resolve()
    assert [line.split()[1] for line in playbooks] == [
        "playbooks/provision.yml",
        "playbooks/provision.yml",
        "playbooks/verify.yml",
    ]
    run_flow(playbooks, clone, env, https_apstra[0], k8s)
    # the clone is still a clean collection source: the link stays out of git and of the tarball
    assert "collections/ansible_collections/" in (clone / ".gitignore").read_text().splitlines()
    assert "collections" in yaml.safe_load((clone / "galaxy.yml").read_text())["build_ignore"]


def test_ansible_doc_shows_every_role_variable(installed, tmp_path):
    collections, tree = installed
    spec = yaml.safe_load(
        (tree / "roles" / "sriov_network" / "meta" / "argument_specs.yml").read_text()
    )
    options = spec["argument_specs"]["main"]["options"]
    env = user_env(tmp_path, {"ANSIBLE_COLLECTIONS_PATH": str(collections)})
    proc = subprocess.run(
        [str(BIN / "ansible-doc"), "-t", "role", "netops.cn2_apstra.sriov_network"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    missing = [name for name in options if name not in proc.stdout]
    assert not missing, missing
    shown = subprocess.run(
        [str(BIN / "ansible-doc"), "-t", "role", "--json", "netops.cn2_apstra.sriov_network"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    doc = json.loads(shown.stdout)["netops.cn2_apstra.sriov_network"]["entry_points"]["main"]
    assert set(doc["options"]) == set(options)
    assert doc["options"]["sriov_network_networks"].get("required") is not True
    assert doc["options"]["sriov_network_source"]["choices"] == ["intent", "cluster", "both"]


def test_antsibull_docs_lint_of_the_installed_collection(installed, tmp_path):
    collections, tree = installed
    proc = subprocess.run(
        [str(BIN / "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."],
        cwd=str(tree),
        env=user_env(tmp_path, {"ANSIBLE_COLLECTIONS_PATH": str(collections)}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_docs_site_builds_from_the_installed_collection_alone(installed, tmp_path):
    collections, tree = installed
    extra = yaml.safe_load((tree / "docs" / "docsite" / "extra-docs.yml").read_text())
    guides = [name for section in extra["sections"] for name in section["toctree"]]
    # every guide of the repository is in the site, as reStructuredText in the tarball
    assert sorted(guides) == sorted(path.stem for path in (REPO / "docs").glob("*.md"))
    assert sorted(
        path.stem for path in (tree / "docs" / "docsite" / "rst").glob("*.rst")
    ) == sorted(guides)
    site = tmp_path / "site"
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "docsite.sh"), str(collections)],
        env=dict(os.environ, DOCSITE_DIR=str(site)),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "%d guides), 0 warnings" % len(guides) in proc.stdout
    for name in guides:
        assert (site / "html" / "docsite" / ("%s.html" % name)).is_file(), name
    assert (site / "html" / "sriov_network_role.html").is_file()
