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

dev_files=$(tar -tzf "$tarball" | grep -E '^(tools|tests|scripts|extensions/molecule|build|\.ci|\.venv|\.venv-eda)/|^(Makefile|constraints(-eda)?\.txt|requirements-(dev|eda)\.txt|pytest\.ini|\.ansible-lint|\.gitignore)$' || true)
if [ -n "$dev_files" ]; then
    echo "development files in the tarball:"; echo "$dev_files"; exit 1
fi
# Event-Driven Ansible content ships: ansible-rulebook finds both under extensions/eda of the installed collection.
listing=$(tar -tzf "$tarball")
for eda_file in extensions/eda/plugins/event_source/sriov_networks.py extensions/eda/rulebooks/sriov_fabric.yml; do
    grep -qx "$eda_file" <<<"$listing" || { echo "$eda_file is missing from the tarball"; exit 1; }
done
echo "the tarball ships extensions/eda (event source netops.cn2_apstra.sriov_networks, rulebook sriov_fabric)"

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
echo "roundtrip: $((docs + 3)) passed, 0 failed (build, $docs docs, event source, module run)"
