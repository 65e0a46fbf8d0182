"""The test pipeline's documentation guards reject a module whose DOCUMENTATION lost a required field."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULE = "apstra_blueprint_info"


def tracked_files():
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def broken_collection(tmp_path_factory):
    """A copy of the collection in which one module's DOCUMENTATION has no short_description."""
    root = tmp_path_factory.mktemp("guards") / "ansible_collections" / "netops" / "cn2_apstra"
    for name in tracked_files():
        if name.startswith(("plugins/", "meta/", "docs/", "changelogs/")) or name in (
            "galaxy.yml",
            "README.md",
        ):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    module = root / "plugins" / "modules" / (MODULE + ".py")
    text = module.read_text()
    broken = re.sub(r"^short_description:.*\n", "", text, count=1, flags=re.M)
    assert broken != text, "the module under test has no short_description line to remove"
    module.write_text(broken)
    return root


def test_validate_modules_rejects_missing_short_description(broken_collection, ansible_env):
    # ansible-test keeps its sanity venvs and the offline pip bootstrap under the HOME scripts/test.sh prepared.
    env = dict(ansible_env, HOME=str(Path.home()), ANSIBLE_HOME=str(Path.home() / ".ansible"))
    proc = subprocess.run(
        [
            str(BIN / "ansible-test"),
            "sanity",
            "--test",
            "validate-modules",
            "--venv",
            "--python",
            "3.11",
            "--color",
            "no",
            "plugins/modules/%s.py" % MODULE,
        ],
        cwd=broken_collection,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "short_description" in proc.stdout + proc.stderr


def test_antsibull_docs_rejects_missing_short_description(broken_collection, ansible_env):
    proc = subprocess.run(
        [str(BIN / "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."],
        cwd=broken_collection,
        env=ansible_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert MODULE in proc.stdout + proc.stderr
