#!/usr/bin/env bash
# Build the collection's documentation site offline into build/docsite/html: antsibull-docs renders every plugin
# page, the role and the guides (docs/docsite/rst, converted from docs/*.md by `make docs-rst` and committed), Sphinx
# builds them in nitpicky mode with warnings as errors, so a broken internal reference fails the build. References
# to the Ansible documentation resolve through a local intersphinx inventory (scripts/docsite.py inventory).
#
#   scripts/docsite.sh                    the collection of this checkout (a copy of its files)
#   scripts/docsite.sh COLLECTIONS_PATH   an installed collection (for example the tarball's) and nothing else
#                                         (DOCSITE_DIR: where to build, default build/docsite)
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

site=${DOCSITE_DIR:-$BUILD/docsite}
rm -rf "$site"
mkdir -p "$site"
chmod 700 "$site"
if [ $# -gt 0 ]; then
    export ANSIBLE_COLLECTIONS_PATH=$1
    tree=$1/ansible_collections/netops/cn2_apstra
    [ -f "$tree/galaxy.yml" ] || [ -f "$tree/MANIFEST.json" ] || { echo "no netops.cn2_apstra in $1"; exit 1; }
else
    sync_collection_tree
    tree=$COLLECTION_TREE
fi

antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$site" \
    --project netops.cn2_apstra --title "netops.cn2_apstra" --html-short-title "netops.cn2_apstra" netops.cn2_apstra >/dev/null
mkdir -p "$site/rst"
chmod og-w "$site/rst"
antsibull-docs collection --use-current --squash-hierarchy --fail-on-error --cleanup everything \
    --dest-dir "$site/rst" netops.cn2_apstra

python "$REPO/scripts/docsite.py" inventory "$site/rst" "$site/ansible.inv"
# Offline: the only intersphinx inventory is the local one.
python - "$site/conf.py" "$site/ansible.inv" <<'PYEOF'
import re, sys
conf, inventory = sys.argv[1], sys.argv[2]
text = open(conf, encoding="utf-8").read()
text, count = re.subn(r"intersphinx_mapping = \{.*?\n\}\n",
                      "intersphinx_mapping = {'ansible': ('https://docs.ansible.com/ansible/latest/', %r)}\n" % inventory, text, flags=re.S)
assert count == 1, "intersphinx_mapping not found in " + conf
open(conf, "w", encoding="utf-8").write(text)
PYEOF

if ! sphinx-build -b html -n -W --keep-going -q -c "$site" "$site/rst" "$site/html" >"$site/sphinx.log" 2>&1; then
    cat "$site/sphinx.log"
    echo "sphinx-build failed"
    exit 1
fi

plugins=$(find "$site/html" -name '*_module.html' -o -name '*_inventory.html' | wc -l)
guides=$(python -c 'import sys, yaml; print(sum(len(s["toctree"]) for s in yaml.safe_load(open(sys.argv[1]))["sections"]))' \
    "$tree/docs/docsite/extra-docs.yml")
for name in $(python -c 'import sys, yaml; print(" ".join(n for s in yaml.safe_load(open(sys.argv[1]))["sections"] for n in s["toctree"]))' \
        "$tree/docs/docsite/extra-docs.yml"); do
    [ -f "$site/html/docsite/$name.html" ] || { echo "guide $name missing from the site"; exit 1; }
done
pages=$(find "$site/html" -name '*.html' | wc -l)
roles=$(find "$site/html" -name '*_role.html' | wc -l)
echo "docsite: $pages pages ($plugins plugins, $roles roles, $guides guides), 0 warnings; $site/html/index.html"
