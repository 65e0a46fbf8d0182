#!/usr/bin/env bash
# Build the collection tarball, check it holds no development files, install it into a scratch path, render
# ansible-doc for every plugin from that install, and run a module from it against the Apstra emulator.
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

dist=$BUILD/dist
install=$BUILD/install
rm -rf "$dist" "$install"
mkdir -p "$dist" "$install"
(cd "$COLLECTION_TREE" && ansible-galaxy collection build --output-path "$dist" >/dev/null)
tarball=$(ls "$dist"/netops-cn2_apstra-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | wc -l) entries)"

dev_files=$(tar -tzf "$tarball" | grep -E '^(tools|tests|scripts|extensions/molecule|collections|context|build|\.ci|\.venv|\.venv-eda)/|^(Makefile|ansible\.cfg|constraints(-eda)?\.txt|requirements-[a-z0-9.-]+\.txt|execution-environment\.yml|pytest\.ini|\.ansible-lint(-ignore)?|\.gitignore)$' || true)
if [ -n "$dev_files" ]; then
    echo "development files in the tarball:"; echo "$dev_files"; exit 1
fi
# What the tarball must carry: the licence, the Python requirements and what ansible-builder reads, the AWX
# definitions, the Event-Driven Ansible content (ansible-rulebook finds it under extensions/eda of the installed
# collection), and the guides as reStructuredText for the documentation site.
entries=$(tar -tzf "$tarball")
for wanted in COPYING requirements.txt meta/execution-environment.yml extensions/awx/credential_types/apstra.yml \
        extensions/awx/configure.yml extensions/eda/plugins/event_source/sriov_networks.py extensions/eda/rulebooks/sriov_fabric.yml \
        docs/docsite/extra-docs.yml docs/docsite/rst/usage.rst; do
    grep -qx "$wanted" <<<"$entries" || { echo "$wanted is missing from the tarball"; exit 1; }
done
echo "tarball carries COPYING, requirements.txt, meta/execution-environment.yml, extensions/awx, extensions/eda and the docsite guides"

export ANSIBLE_COLLECTIONS_PATH=$install
ansible-galaxy collection install --offline --force -p "$install" "$tarball" >/dev/null
installed=$install/ansible_collections/netops/cn2_apstra

docs=0
for kind in module inventory; do
    dir=$installed/plugins/$([ $kind = module ] && echo modules || echo inventory)
    for file in "$dir"/*.py; do
        [ -e "$file" ] || continue
        name=$(basename "$file" .py)
        [ "$name" = __init__ ] && continue
        out=$(ansible-doc -t "$kind" "netops.cn2_apstra.$name")
        grep -q "netops.cn2_apstra.$name" <<<"$out" || { echo "ansible-doc did not render $name"; exit 1; }
        docs=$((docs + 1))
    done
done
echo "ansible-doc rendered $docs plugins from the installed tarball"

# Every module documents its attributes: check_mode, diff_mode and platform (with platforms).
modules=$(find "$installed/plugins/modules" -name '*.py' ! -name '__init__.py' -printf 'netops.cn2_apstra.%f\n' | sed 's/\.py$//' | sort)
# shellcheck disable=SC2086  # one argument per module
ansible-doc --json -t module $modules | python -c '
import json, sys
docs = json.load(sys.stdin)
bad = ["%s: %s" % (name, sorted(doc["doc"].get("attributes", {}))) for name, doc in sorted(docs.items())
       if not {"check_mode", "diff_mode", "platform"} <= set(doc["doc"].get("attributes", {}))
       or not doc["doc"]["attributes"]["platform"].get("platforms")]
if bad or not docs:
    sys.exit("modules without check_mode/diff_mode/platform attributes: %s" % bad)
print("ansible-doc shows check_mode, diff_mode and platform attributes for all %d modules" % len(docs))
'

# The execution environment's build context, made as ansible-builder's documentation says (`ansible-builder create -f
# execution-environment.yml` at the root of the checkout's files, scripts/ee-context.sh): the Containerfile installs
# the collection from the context, which holds exactly the files of the tarball, and ansible-builder's introspection
# (run in the image build) finds the collection's Python requirements.
bash "$REPO/scripts/ee-context.sh" >/dev/null
context=$BUILD/ee/context
# (Containerfile, or Dockerfile when ansible-builder finds no podman)
containerfile=$(find "$context" -maxdepth 1 \( -name Containerfile -o -name Dockerfile \) | head -1)
grep -q 'ansible-galaxy collection install' "$containerfile" || { echo "no collection install in $containerfile"; exit 1; }
ee_collections=$TMPDIR/ee-collections
rm -rf "$ee_collections"
# What the image build runs, from the context's /build directory (ansible-builder's WORKDIR for it).
(cd "$context/_build" && ANSIBLE_COLLECTIONS_PATH=$ee_collections ansible-galaxy collection install --offline -r requirements.yml -p "$ee_collections" >/dev/null)
ee_installed=$ee_collections/ansible_collections/netops/cn2_apstra
[ -f "$ee_installed/MANIFEST.json" ] || { echo "the build context does not install netops.cn2_apstra"; exit 1; }
if ! diff <(cd "$installed" && find . -type f ! -name FILES.json ! -name MANIFEST.json | sort) \
        <(cd "$ee_installed" && find . -type f ! -name FILES.json ! -name MANIFEST.json | sort) >"$TMPDIR/ee-files.diff"; then
    echo "the collection in the execution environment's context differs from the tarball (< tarball, > context):"
    cat "$TMPDIR/ee-files.diff"
    exit 1
fi
ee_python=$(python "$context/_build/scripts/introspect.py" introspect "$ee_collections")
# (ansible-builder leaves out what every image has anyway, PyYAML among them.)
grep -oE '^[A-Za-z0-9_.-]+' "$REPO/requirements.txt" | grep -viE '^pyyaml$' | while read -r requirement; do
    grep -qi "^- '${requirement}[<>=!~ ]" <<<"$ee_python" || { echo "ansible-builder does not find $requirement:"; echo "$ee_python"; exit 1; }
done
echo "ansible-builder create -f execution-environment.yml: the context carries the collection ($(cd "$ee_installed" && find . -type f | wc -l) files, the tarball's), whose Python requirements introspection finds"

# ansible-rulebook (the rulebook venv) finds the event source in the installed collection, which imports its helpers.
PATH=$EDA_VENV/bin:$PATH "$EDA_VENV/bin/python" - <<'PYEOF'
import runpy
from ansible_rulebook.collection import find_source
path = find_source("netops.cn2_apstra", "sriov_networks")
assert "/install/ansible_collections/netops/cn2_apstra/" in path, path
module = runpy.run_path(path)
assert module["k8s_client_helpers"]().AUTH_ENV["kubeconfig"] == ["K8S_AUTH_KUBECONFIG"]
print("ansible-rulebook finds netops.cn2_apstra.sriov_networks in the installed tarball: " + path)
PYEOF

lab=$TMPDIR/roundtrip-lab
bash "$REPO/scripts/emulators.sh" start "$lab" >/dev/null
trap 'bash "$REPO/scripts/emulators.sh" stop "$lab"' EXIT
# shellcheck disable=SC1091  # written by emulators.sh
source "$lab/env.sh"
result=$(ansible localhost -c local -i localhost, -m netops.cn2_apstra.apstra_blueprint_info \
    -a "blueprint=dc1 token_cache=false" 2>&1)
grep -q '"label": "dc1"' <<<"$result" || { echo "module run from the installed tarball failed: $result"; exit 1; }
echo "ran netops.cn2_apstra.apstra_blueprint_info from the installed tarball against the emulator"
echo "roundtrip: $((docs + 5)) passed, 0 failed (build, $docs docs, attributes, EE context, event source, module run)"
